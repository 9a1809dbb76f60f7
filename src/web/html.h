/*
 * html: the HTML builder both web surfaces (the responder UI under /ui/ and the public status
 * page) render with. A growable, capped buffer where every value is escaped by default:
 *
 *   html_text(h, s)        text content: & < > " ' become entities
 *   html_attr(h, name, v)  writes ` name="v"` with v escaped the same way
 *   html_url_attr(h, n, v) the same for an href/src/action: a value that is not a relative
 *                          path or an http(s)/mailto URL (javascript:, data:, ...) becomes "#"
 *   html_textf(h, ...)     printf, then the whole result escaped as text
 *   html_elem(h, tag, s)   <tag>s</tag>, s escaped (tag must be a string literal)
 *
 * Raw markup goes in only through html_markup(h, "<literal>"), a macro that accepts nothing but a
 * string literal written in the source (`"" lit` does not compile for a variable), so no value
 * that came from a user can reach the page unescaped by accident. html_append joins the output of
 * another builder (already escaped).
 *
 * Escaping also cleans the text: each byte that is not part of a valid UTF-8 sequence becomes
 * U+FFFD, and control characters other than tab, newline and carriage return are dropped (they
 * are not allowed in an HTML document). Values may be NULL (written as nothing).
 *
 * Errors are sticky: an append past the cap sets the builder's error and every later call does
 * nothing, so a renderer checks html_failed() once at the end (the cap maps to a 500 in the
 * caller, because a page is built from stored data, not from a request). Owned by its creator;
 * not thread-safe; no clock, no I/O.
 */
#ifndef TOCSIN_WEB_HTML_H
#define TOCSIN_WEB_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

struct html {
    struct buf b;
    bool failed; /* an append passed the cap; the content is incomplete */
};

void html_init(struct html *h, size_t cap);
void html_free(struct html *h);
bool html_failed(const struct html *h);
/* The content so far (NUL-terminated, "" when empty) and its length. */
const char *html_data(const struct html *h);
size_t html_len(const struct html *h);
/* Hands the content to the caller (free() it); *len gets its length. NULL when it failed. */
char *html_steal(struct html *h, size_t *len);

/* Literal markup, only from a string literal: html_markup(h, "<ul class=\"list\">"). */
#define html_markup(h, lit) html_markup_((h), "" lit)
void html_markup_(struct html *h, const char *literal);

void html_text(struct html *h, const char *s);
void html_textn(struct html *h, const char *s, size_t n);
void html_textf(struct html *h, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ` name="value"`; name must be a string literal. */
#define html_attr(h, name, value) html_attr_((h), "" name, (value))
void html_attr_(struct html *h, const char *name, const char *value);
#define html_url_attr(h, name, value) html_url_attr_((h), "" name, (value))
void html_url_attr_(struct html *h, const char *name, const char *value);
/* <tag>text</tag>; tag must be a string literal. */
#define html_elem(h, tag, text) html_elem_((h), "" tag, (text))
void html_elem_(struct html *h, const char *tag, const char *text);
/* Appends the content of another builder (its failure carries over). */
void html_append(struct html *h, const struct html *other);

/* Escapes s as html_text does into out (a plain buf, e.g. for XML/Atom text and attributes). */
int html_escape_buf(struct buf *out, const char *s, size_t n);
/* Whether a URL is safe in href/src/action: relative ("/x", "x", "#x", "?x") or http, https,
 * mailto (scheme case-insensitive), with no control characters. */
bool html_url_safe(const char *url);

#endif
