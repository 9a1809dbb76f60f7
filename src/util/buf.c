/* buf: see buf.h. */
#include "util/buf.h"
#include "util/log.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(struct buf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

static int buf_reserve(struct buf *b, size_t extra)
{
    if (extra > b->cap - b->len)
        return BUF_TOO_LARGE;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return BUF_OK;
    size_t n = b->alloc ? b->alloc : 256;
    while (n < need)
        n *= 2;
    if (b->cap < SIZE_MAX && n > b->cap + 1)
        n = b->cap + 1;
    b->data = xrealloc(b->data, n);
    b->alloc = n;
    return BUF_OK;
}

int buf_append(struct buf *b, const void *p, size_t n)
{
    if (buf_reserve(b, n) != BUF_OK)
        return BUF_TOO_LARGE;
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return BUF_OK;
}

int buf_puts(struct buf *b, const char *s)
{
    return buf_append(b, s, strlen(s));
}

int buf_printf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || buf_reserve(b, (size_t)n) != BUF_OK)
        return BUF_TOO_LARGE;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return BUF_OK;
}

void buf_reset(struct buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

void buf_free(struct buf *b)
{
    free(b->data);
    buf_init(b, b->cap);
}

char *buf_steal(struct buf *b)
{
    char *p = b->data ? b->data : xstrdup("");
    buf_init(b, b->cap);
    return p;
}
