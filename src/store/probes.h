/*
 * store/probes: the results of the uptime probes (migration 002). probe_last fills an owned
 * struct (free its error). probe_streak: whether the newest result is ok and how many of the
 * newest results in a row (at most limit) are the same; length 0 when there is none. Whichever
 * node ran each probe, the streak comes from the stored results (docs/internals/multinode.md).
 */
#ifndef TOCSIN_STORE_PROBES_H
#define TOCSIN_STORE_PROBES_H

#include <stdbool.h>
#include <stdint.h>

#include "store/store_ops.h"

struct store_probe_result {
    int64_t at;
    bool ok;
    int status; /* HTTP status, 0 when none */
    double latency_ms;
    char *error; /* NULL when ok */
};

#define STORE_PROBE_OPS(X)                                                                         \
    X(probe_result_insert, STORE_OP_PUBLIC,                                                        \
      (const char *service, const struct store_probe_result *r), (service, r))                     \
    X(probe_uptime, 0, (const char *service, int64_t since, int64_t *ok, int64_t *total),          \
      (service, since, ok, total))                                                                 \
    X(probe_last, 0, (const char *service, struct store_probe_result *out), (service, out))        \
    X(probe_streak, 0, (const char *service, int limit, bool *ok, int *length),                    \
      (service, limit, ok, length))

STORE_OPS_DECLARE(probe, STORE_PROBE_OPS)

#endif
