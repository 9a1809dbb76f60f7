/*
 * curl_runner: the one libcurl multi loop, used by the HTTP probes (prober.c) and the notifier's
 * transport (transfer.c). The caller prepares easy handles (curl_runner_guard sets the options
 * every transfer must have, checked); the runner adds them to its multi handle, runs them at once
 * until all are done or stop(ctx) says so, and reports each one's completion code. The multi
 * handle outlives a run, so a caller that keeps the runner (the notifier) reuses connections.
 *
 * Invariants: a job is either done (result set) or was stopped before the end (done == false);
 * a handle the multi refused is never run (done, CURLE_FAILED_INIT, errbuf says why); after
 * curl_runner_run returns no handle is left in the multi. Ownership: the caller owns the easy
 * handles and the jobs; the runner sets CURLOPT_PRIVATE (do not use it). Threads: one thread
 * runs a runner; curl_runner_wakeup may be called from any thread.
 */
#ifndef TOCSIN_CURL_RUNNER_H
#define TOCSIN_CURL_RUNNER_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "util/result.h"

struct curl_runner;

struct curl_job {
    CURL *easy;      /* prepared by the caller; NULL: not run (left not done) */
    char *errbuf;    /* the handle's CURLOPT_ERRORBUFFER (CURL_ERROR_SIZE), or NULL */
    bool done;       /* set by the runner */
    CURLcode result; /* when done */
    double ms;       /* from the start of the run to completion */
};

/* A runner with its own multi handle; NULL (err says why) when libcurl cannot make one. */
struct curl_runner *curl_runner_new(struct error *err);
void curl_runner_free(struct curl_runner *r);
/* Wakes a run waiting for network activity, so it looks at stop() again. Any thread. */
void curl_runner_wakeup(struct curl_runner *r);
/* The options that guard every transfer, each checked: only the given protocols (a comma list
 * for CURLOPT_PROTOCOLS_STR), redirects never followed, no signals. Not CURLE_OK: the handle
 * must not be run; errbuf (CURL_ERROR_SIZE) says which option failed. */
CURLcode curl_runner_guard(CURL *e, const char *protocols, char *errbuf);
/* Runs the n jobs at once; returns when all have finished or stop(ctx) (NULL: never) says so. */
void curl_runner_run(struct curl_runner *r, struct curl_job *jobs, size_t n,
                     bool (*stop)(void *ctx), void *ctx);

#endif
