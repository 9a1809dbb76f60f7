/*
 * channel: the notification channel table and what a channel hands to the transport.
 *
 * One entry per contact method (email, sms, slack, webhook), each defined in its own file
 * (channels/NAME.c) and listed once in channels/channels.def; the table is assembled from that
 * list in channels.c. An entry's `build` turns a message (struct notify_render, see
 * domain/notify_render.h) into one request (struct notify_request); its `classify` turns the
 * transport's answer (struct notify_response) into a verdict: sent, retry later, or failed for
 * good. The transport (runtime/transfer.c on runtime/curl_runner.c) is generic: it only runs the
 * requests with libcurl.
 *
 * Ownership: a notify_request owns its strings and lists (notify_request_free); a notify_render
 * borrows everything. Threads: build/classify run on the notifier thread; no shared state.
 */
#ifndef TOCSIN_CHANNEL_H
#define TOCSIN_CHANNEL_H

#include <curl/curl.h>
#include <stdbool.h>
#include <stddef.h>

#include "domain/notify_render.h"
#include "util/buf.h"
#include "util/result.h"

struct notify_request {
    char *url;
    const char *protocols; /* CURLOPT_PROTOCOLS_STR */
    /* connect only to public addresses (sub_address_private), checked on every address curl
     * opens a socket to and on the connection the request goes out on (reused ones too) */
    bool public_only;
    const char *method; /* HTTP: NULL for POST, else "GET", "PUT", "DELETE" (with the body) */
    char *body;
    size_t body_len;
    struct curl_slist *headers; /* HTTP: request headers */
    char *username, *password;  /* HTTP basic auth or SMTP AUTH, or NULL */
    /* SMTP only */
    bool smtp;
    bool require_tls;
    char *mail_from;
    struct curl_slist *rcpt;
};

struct notify_response {
    CURLcode curl;     /* CURLE_OK when an answer came */
    long code;         /* HTTP status or the last SMTP reply code; 0 when none */
    char *retry_after; /* the Retry-After header, or NULL */
    char *location;    /* the Location header, or NULL */
    struct buf body;   /* the answer's first bytes, for the error message */
    char errbuf[CURL_ERROR_SIZE];
    char refused[200]; /* public_only: why the destination was refused, else "" */
};

enum notify_verdict { NOTIFY_SENT, NOTIFY_RETRY, NOTIFY_FAILED };

struct notify_channel {
    const char *name; /* the method: "email", "sms", "slack", "webhook" */
    /* Builds the request; ERR_UNPROCESSABLE (err says why) when it cannot be sent at all (the
     * channel is not configured, the user lost the address), which fails the row for good. */
    enum result (*build)(const struct notify_render *r, struct notify_request *out,
                         struct error *err);
    /* The verdict on an answer; why gets a one-line reason when not sent. */
    enum notify_verdict (*classify)(const struct notify_response *resp, char *why, size_t n);
    /* Each row is its own message: never bundled with another, never held by notify.throttle
     * (status page webhooks: one event per POST). */
    bool single;
};

#define CHANNEL(name) extern const struct notify_channel notify_chan_##name;
#include "channels/channels.def"
#undef CHANNEL

/* The channel for a method name, or NULL. */
const struct notify_channel *notify_channel_find(const char *method);
/* The channels in fallback order; *n gets the count. */
const struct notify_channel *const *notify_channel_all(size_t *n);
void notify_request_free(struct notify_request *req);
/* Appends one line to *list (request headers, SMTP recipients). ERR_INTERNAL when libcurl cannot
 * (out of memory): the list is left as it was and the request must not be sent. */
/* Adds "Idempotency-Key: tocsin-notification-<row id>" to an HTTP request: the same for every
 * attempt at that row, from whichever node (several nodes: a row sent again after its sender
 * died is recognisable as the same message; docs/internals/multinode.md). */
enum result notify_idempotency_key(struct notify_request *out, int64_t row_id, struct error *err);
/* The headers of a signed JSON POST (Standard Webhooks): Content-Type, Idempotency-Key,
 * webhook-id "msg_" + row_id, webhook-timestamp (now, s) and webhook-signature over out->body with
 * `secret` (whsec_...). *bad_secret: the secret could not be read (an error is set). */
enum result notify_signed_json_headers(struct notify_request *out, const char *secret,
                                       int64_t row_id, int64_t now, bool *bad_secret,
                                       struct error *err);
enum result notify_list_add(struct curl_slist **list, const char *line, struct error *err);
/* The HTTP verdict shared by sms, slack and webhook: 2xx sent; 408, 429, 5xx and transport
 * failures (refused, timeout, reset) retry; 3xx (not followed) and other 4xx fail for good. */
enum notify_verdict notify_classify_http(const struct notify_response *resp, char *why, size_t n);
/* The curl errors worth retrying (the peer may come back): refused, timeout, reset, DNS... */
bool notify_curl_transient(CURLcode rc);

#endif
