/*
 * markdown: the libcmark-gfm call (markdown.h). CMARK_OPT_DEFAULT is safe mode (raw HTML and
 * javascript:/vbscript:/file:/data: links are dropped; CMARK_OPT_UNSAFE would let them through and
 * is never set here); CMARK_OPT_VALIDATE_UTF8 replaces invalid sequences. The GitHub extensions
 * turned on are `table` (the playbook's and the post-mortems' tables) and `strikethrough`; the
 * core extensions are registered once per process (pthread_once), the rest keeps no global state.
 */
#include "util/markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>
#include <pthread.h>

static pthread_once_t registered = PTHREAD_ONCE_INIT;

static void register_extensions(void)
{
    cmark_gfm_core_extensions_ensure_registered();
}

static void attach(cmark_parser *p, const char *name)
{
    cmark_syntax_extension *ext = cmark_find_syntax_extension(name);
    if (ext)
        cmark_parser_attach_syntax_extension(p, ext);
}

char *markdown_to_html(const char *md, size_t len)
{
    const int opts = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;
    pthread_once(&registered, register_extensions);
    cmark_parser *p = cmark_parser_new(opts);
    if (!p)
        return NULL;
    attach(p, "table");
    attach(p, "strikethrough");
    cmark_parser_feed(p, md, len);
    cmark_node *doc = cmark_parser_finish(p);
    char *html = doc ? cmark_render_html(doc, opts, cmark_parser_get_syntax_extensions(p)) : NULL;
    if (doc)
        cmark_node_free(doc);
    cmark_parser_free(p);
    return html;
}
