/*
 * transfer: the notifier's transport. Turns channel requests (channels/channel.h) into libcurl
 * easy handles and runs them at once on the notifier's curl_runner (connections reused across
 * passes). Threads: the notifier thread.
 */
#ifndef TOCSIN_TRANSFER_H
#define TOCSIN_TRANSFER_H

#include <stdbool.h>
#include <stddef.h>

#include "channels/channel.h"
#include "runtime/curl_runner.h"

enum { NOTIFY_TIMEOUT_MS = 10000 };

/* One request in flight. */
struct notify_transfer {
    struct notify_request *req;  /* the transport adds "Expect:" (no 100-continue wait) */
    struct notify_response resp; /* filled when done */
    bool done;
    double ms;         /* how long it took */
    size_t answer_cap; /* bytes of the answer kept; 0: 1 KiB (enough for an error message) */
    /* private to transfer.c */
    CURL *easy;
    size_t upload_pos;
};

/* Runs the n transfers at once on runner (connect and total timeouts NOTIFY_TIMEOUT_MS, no
 * redirects followed, only the request's protocols) and returns when all are done or
 * stop(ctx) says so (those not done have done == false). A transfer whose guard options libcurl
 * refused is done with resp.curl set and resp.errbuf saying why, and was not sent. */
void notify_transfer_run(struct curl_runner *runner, struct notify_transfer *t, size_t n,
                         bool (*stop)(void *ctx), void *ctx);
void notify_response_free(struct notify_response *r);

#endif
