/*
 * markdown: Markdown -> HTML by Debian's libcmark (CommonMark), with raw HTML off: cmark's
 * default (safe) mode replaces raw HTML and javascript:/vbscript:/file:/data: links, so text that
 * people typed cannot inject markup. Threads: any (libcmark keeps no global state we touch).
 */
#ifndef TOCSIN_MARKDOWN_H
#define TOCSIN_MARKDOWN_H

#include <stddef.h>

/* The HTML of md (len bytes), malloc'd, NUL-terminated; NULL only when out of memory. */
char *markdown_to_html(const char *md, size_t len);

#endif
