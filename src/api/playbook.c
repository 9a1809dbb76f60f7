/*
 * api/playbook: the incident playbook rendered from the running config (docs/playbook.md).
 *   GET /api/v1/playbook?format=markdown|html|json      viewer
 * markdown (default): text/markdown; html: a whole page, the Markdown rendered by libcmark (raw
 * HTML off; util/markdown.c); json: {markdown, html}, for clients that read JSON only.
 */
#include "api/api.h"
#include "domain/playbook.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/markdown.h"

#include <stdlib.h>
#include <string.h>

enum { PLAYBOOK_MAX = 8 << 20 };

static void api_playbook(struct request *r)
{
    const char *format = request_query(r, "format");
    if (!format || strcmp(format, "md") == 0)
        format = "markdown";
    if (strcmp(format, "markdown") != 0 && strcmp(format, "html") != 0 &&
        strcmp(format, "json") != 0) {
        reply_error(r, ERR_BAD_REQUEST, "format: must be markdown, html or json, not \"%.32s\"",
                    format);
        return;
    }
    struct buf md;
    buf_init(&md, PLAYBOOK_MAX);
    playbook_render_md(r->config, clock_now(r->app->clock), &md);
    if (strcmp(format, "markdown") == 0) {
        size_t n = md.len;
        reply_raw(r, 200, "text/markdown; charset=utf-8", buf_steal(&md), n);
        buf_free(&md);
        return;
    }
    char *html = markdown_to_html(md.data ? md.data : "", md.len);
    if (!html) {
        reply_error(r, ERR_INTERNAL, "playbook: cannot render the HTML");
    } else if (strcmp(format, "json") == 0) {
        reply_json(r, 200,
                   json_pack("{s:s,s:s}", "markdown", md.data ? md.data : "", "html", html));
    } else {
        struct buf page;
        buf_init(&page, PLAYBOOK_MAX * 2);
        playbook_html_page("Incident Response Playbook", html, &page);
        size_t n = page.len;
        reply_header(r, "Content-Security-Policy", "default-src 'none'");
        reply_raw(r, 200, "text/html; charset=utf-8", buf_steal(&page), n);
        buf_free(&page);
    }
    free(html);
    buf_free(&md);
}

static const struct route routes[] = {
    {"GET", "/api/v1/playbook", api_playbook, ACCESS_VIEWER, "playbook"},
};
HTTP_ROUTES(playbook, routes);
