/*
 * probe: runs health probes (libcurl multi: every probe of a round at once) and judges each
 * result against its service's expectations: HTTP(S) status code, optional body substring,
 * optional latency limit; tcp://HOST:PORT a connection, tls://HOST:PORT a verified TLS
 * handshake, dns://NAME a resolution (getaddrinfo); with cert_expiry_days (tls://, https://) the
 * certificate must not expire within that many days of `now` (the engine's clock). Redirects are
 * not followed (a redirect is a verdict, not a detour). Used by the engine (scheduled rounds) and
 * by `tocsin check` (one round, printed). Threads: whichever calls it; no shared state.
 */
#ifndef TOCSIN_PROBE_H
#define TOCSIN_PROBE_H

#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"

struct probe_outcome {
    bool ok;
    int status;         /* HTTP status, 0 when no answer */
    double latency_ms;  /* total time */
    char error[256];    /* why it failed; "" when ok */
    int cert_days_left; /* cert_expiry_days probes: whole days until the certificate expires */
};

/* Runs probes[i] into out[i] for i < n, concurrently; returns when all have finished or timed
 * out (each has its own timeout). */
void probe_run(const struct config_probe *const *probes, size_t n, int64_t now,
               struct probe_outcome *out);

#endif
