/* html: see html.h. */
#include "web/html.h"
#include "util/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define HTML_REPLACEMENT "\xEF\xBF\xBD" /* U+FFFD */

void html_init(struct html *h, size_t cap)
{
    buf_init(&h->b, cap);
    h->failed = false;
}

void html_free(struct html *h)
{
    buf_free(&h->b);
    h->failed = false;
}

bool html_failed(const struct html *h)
{
    return h->failed;
}

const char *html_data(const struct html *h)
{
    return h->b.data ? h->b.data : "";
}

size_t html_len(const struct html *h)
{
    return h->b.len;
}

char *html_steal(struct html *h, size_t *len)
{
    if (h->failed) {
        html_free(h);
        return NULL;
    }
    if (len)
        *len = h->b.len;
    return buf_steal(&h->b);
}

static void put(struct html *h, const char *p, size_t n)
{
    if (!h->failed && buf_append(&h->b, p, n) != BUF_OK)
        h->failed = true;
}

void html_markup_(struct html *h, const char *literal)
{
    put(h, literal, strlen(literal));
}

/* The entity for a byte that must be escaped, or NULL. */
static const char *entity(unsigned char c)
{
    switch (c) {
    case '&':
        return "&amp;";
    case '<':
        return "&lt;";
    case '>':
        return "&gt;";
    case '"':
        return "&quot;";
    case '\'':
        return "&#39;";
    default:
        return NULL;
    }
}

int html_escape_buf(struct buf *out, const char *s, size_t n)
{
    size_t i = 0, run = 0; /* run: the start of the bytes copied as they are */
    int result = BUF_OK;
    while (i < n && result == BUF_OK) {
        unsigned char c = (unsigned char)s[i];
        const char *ent = entity(c);
        size_t len = c < 0x80 ? 1 : utf8_seq_len(s + i, n - i);
        bool control = c < 0x20 ? (c != '\t' && c != '\n' && c != '\r') : c == 0x7F;
        if (!ent && len && !control) {
            i += len;
            continue;
        }
        result = buf_append(out, s + run, i - run);
        if (result == BUF_OK && ent)
            result = buf_puts(out, ent);
        else if (result == BUF_OK && !len)
            result = buf_puts(out, HTML_REPLACEMENT);
        i++;
        run = i;
    }
    if (result == BUF_OK)
        result = buf_append(out, s + run, n - run);
    return result;
}

void html_textn(struct html *h, const char *s, size_t n)
{
    if (!h->failed && s && html_escape_buf(&h->b, s, n) != BUF_OK)
        h->failed = true;
}

void html_text(struct html *h, const char *s)
{
    if (s)
        html_textn(h, s, strlen(s));
}

void html_textf(struct html *h, const char *fmt, ...)
{
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0) {
        h->failed = true;
        return;
    }
    if ((size_t)n < sizeof small) {
        html_textn(h, small, (size_t)n);
        return;
    }
    char *big = malloc((size_t)n + 1);
    if (!big) {
        h->failed = true;
        return;
    }
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    html_textn(h, big, (size_t)n);
    free(big);
}

void html_attr_(struct html *h, const char *name, const char *value)
{
    put(h, " ", 1);
    html_markup_(h, name);
    put(h, "=\"", 2);
    html_text(h, value);
    put(h, "\"", 1);
}

bool html_url_safe(const char *url)
{
    if (!url)
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= 0x20 || *p == 0x7F || *p == '\\')
            return false; /* browsers strip tabs and newlines inside a scheme: refuse them all */
    size_t scheme = strcspn(url, ":/?#");
    if (url[scheme] != ':')
        return true; /* relative: no scheme before the first / ? # */
    static const char *const allowed[] = {"http", "https", "mailto"};
    for (size_t i = 0; i < sizeof allowed / sizeof allowed[0]; i++)
        if (scheme == strlen(allowed[i]) && strncasecmp(url, allowed[i], scheme) == 0)
            return true;
    return false;
}

void html_url_attr_(struct html *h, const char *name, const char *value)
{
    html_attr_(h, name, html_url_safe(value) ? value : "#");
}

void html_elem_(struct html *h, const char *tag, const char *text)
{
    put(h, "<", 1);
    html_markup_(h, tag);
    put(h, ">", 1);
    html_text(h, text);
    put(h, "</", 2);
    html_markup_(h, tag);
    put(h, ">", 1);
}

void html_append(struct html *h, const struct html *other)
{
    if (other->failed)
        h->failed = true;
    else
        put(h, html_data(other), other->b.len);
}
