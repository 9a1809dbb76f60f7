/*
 * store/silences: alert silences (migration 002). Inserting or expiring one moves
 * store_silences_version (the STORE_OP_SILENCES flag). Callbacks get borrowed silences.
 */
#ifndef TOCSIN_STORE_SILENCES_H
#define TOCSIN_STORE_SILENCES_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/alert.h"
#include "store/store_ops.h"

typedef int (*store_silence_cb)(const struct silence *s, void *ctx);

#define STORE_SILENCE_OPS(X)                                                                       \
    X(silence_insert, STORE_OP_SILENCES, (const struct silence *s), (s))                           \
    X(silence_list, 0, (bool include_expired, int64_t now, store_silence_cb cb, void *ctx),        \
      (include_expired, now, cb, ctx))                                                             \
    X(silence_expire, STORE_OP_SILENCES, (const char *id, int64_t now), (id, now))

STORE_OPS_DECLARE(silence, STORE_SILENCE_OPS)

#endif
