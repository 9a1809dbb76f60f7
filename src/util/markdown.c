/*
 * markdown: the libcmark call (markdown.h). CMARK_OPT_DEFAULT is safe mode in cmark >= 0.29
 * (CMARK_OPT_UNSAFE would let raw HTML through; never set here). CMARK_OPT_VALIDATE_UTF8 replaces
 * invalid sequences.
 */
#include "util/markdown.h"

#include <cmark.h>

char *markdown_to_html(const char *md, size_t len)
{
    return cmark_markdown_to_html(md, len, CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8);
}
