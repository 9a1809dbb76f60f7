/*
 * buf: a growing byte buffer with a hard cap (curl's dynbuf). Every append checks the cap and
 * fails with BUF_TOO_LARGE instead of growing past it, so each caller maps the cap to a 413/400.
 * The content is always NUL-terminated. Owned by its creator; not thread-safe.
 */
#ifndef TOCSIN_BUF_H
#define TOCSIN_BUF_H

#include <stddef.h>

enum { BUF_OK = 0, BUF_TOO_LARGE = -1 };

struct buf {
    char *data; /* NUL-terminated; NULL until the first append */
    size_t len;
    size_t alloc;
    size_t cap; /* maximum len */
};

void buf_init(struct buf *b, size_t cap);
int buf_append(struct buf *b, const void *p, size_t n);
int buf_puts(struct buf *b, const char *s);
int buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_reset(struct buf *b);
void buf_free(struct buf *b);
/* Hands the data to the caller (free() it); the buffer is left empty. Never NULL. */
char *buf_steal(struct buf *b);

#endif
