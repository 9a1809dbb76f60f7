/*
 * probe: runs HTTP health probes (libcurl multi: every probe of a round at once) and judges each
 * result against its service's expectations: status code, optional body substring, optional
 * latency limit. Redirects are not followed (a redirect is a verdict, not a detour). Used by the
 * engine (scheduled rounds) and by `tocsin check` (one round, printed).
 * Threads: whichever calls it; no shared state.
 */
#ifndef TOCSIN_PROBE_H
#define TOCSIN_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct probe_outcome {
    bool ok;
    int status;        /* HTTP status, 0 when no answer */
    double latency_ms; /* total time */
    char error[256];   /* why it failed; "" when ok */
};

/* Runs probes[i] into out[i] for i < n, concurrently; returns when all have finished or timed
 * out (each has its own timeout). */
void probe_run(const struct config_probe *const *probes, size_t n, struct probe_outcome *out);

#endif
