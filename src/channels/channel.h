/*
 * notify/channel (internal): what the notify files share, and nothing outside src/notify/ (and
 * its unit tests) includes.
 *
 * The channel table: one entry per contact method (email, sms, slack, webhook), each with a
 * `build` that turns a message (struct notify_render: the row, the rows bundled with it, their
 * incidents and links) into one request (struct notify_request), and a `classify` that turns the
 * transport's answer (struct notify_response) into a verdict: sent, retry later, or failed for
 * good. The transport (outbox.c) is generic: it only runs the requests with libcurl multi.
 *
 * Also here: the pure pieces with unit tests (tests/unit/test_notify.c): retry policy (backoff with
 * jitter, Retry-After), message text, escaping for each format, Standard Webhooks signatures,
 * the choice of methods for a user.
 *
 * Ownership: a notify_request owns its strings and lists (notify_request_free); a notify_render
 * borrows everything. Threads: build/classify run on the notifier thread; the helpers are pure.
 */
#ifndef TOCSIN_NOTIFY_CHANNEL_H
#define TOCSIN_NOTIFY_CHANNEL_H

#include <curl/curl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"
#include "jobs/notify_enqueue.h"
#include "store/store.h"
#include "util/buf.h"

enum {
    NOTIFY_URL_MAX = 512,
    NOTIFY_METHODS = 4,          /* email, sms, slack, webhook */
    NOTIFY_BUNDLE_LISTED = 10,   /* bundled rows listed one by one; the rest are counted */
    NOTIFY_SMS_MAX = 480,        /* characters of an SMS text */
    NOTIFY_BODY_CAP = 256 * 1024 /* any request body */
};

/* One row carried by a message: the lead first, then the rows bundled with it. */
struct notify_item {
    const struct store_notification *row;
    const struct incident *inc;        /* NULL when the row is about no incident */
    char ack_url[NOTIFY_URL_MAX];      /* "" unless a page about an incident */
    char incident_url[NOTIFY_URL_MAX]; /* "" when no incident */
};

struct notify_render {
    const struct config *cfg;
    const struct config_user *user; /* NULL when the user left the config */
    const struct notify_item *items;
    size_t nitems; /* >= 1; items[0] is the lead row */
    int64_t now;   /* the attempt's time (app clock) */
};

struct notify_request {
    char *url;
    const char *protocols; /* CURLOPT_PROTOCOLS_STR */
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
};

extern const struct notify_channel notify_chan_email, notify_chan_sms, notify_chan_slack,
    notify_chan_webhook;
/* The channel for a method name, or NULL. */
const struct notify_channel *notify_channel_find(const char *method);
void notify_request_free(struct notify_request *req);
/* The HTTP verdict shared by sms, slack and webhook: 2xx sent; 408, 429, 5xx and transport
 * failures (refused, timeout, reset) retry; 3xx (not followed) and other 4xx fail for good. */
enum notify_verdict notify_classify_http(const struct notify_response *resp, char *why, size_t n);

/* ---- transport (transport.c) ---- */

enum { NOTIFY_TIMEOUT_MS = 10000 };

/* One request in flight. */
struct notify_transfer {
    struct notify_request *req;  /* the transport adds "Expect:" (no 100-continue wait) */
    struct notify_response resp; /* filled when done */
    bool done;
    double ms; /* how long it took */
    /* private to transport.c */
    CURL *easy;
    size_t upload_pos;
};

/* Runs the n transfers at once on multi (connect and total timeouts NOTIFY_TIMEOUT_MS, no
 * redirects followed, only the request's protocols) and returns when all are done or
 * stop(ctx) says so (those not done have done == false). */
void notify_transfer_run(CURLM *multi, struct notify_transfer *t, size_t n, bool (*stop)(void *ctx),
                         void *ctx);
void notify_response_free(struct notify_response *r);

/* ---- retry policy (policy.c) ---- */

/* The delay before retry number `attempt` (1 = after the first failure): base * 2^(attempt-1)
 * capped at max, with "equal jitter": half of it fixed, the other half scaled by rnd/2^32, so the
 * result is in [d/2, d]. */
int64_t notify_backoff(int64_t base, int64_t max, int attempt, uint32_t rnd);
/* Retry-After: delta-seconds or an HTTP-date (IMF-fixdate, RFC 850, asctime), into an absolute
 * time *at (ms; `now` for seconds). -1 for anything else. */
int notify_retry_after(const char *value, int64_t now, int64_t *at);
/* HTTP-date parsing alone: ms since the epoch, or -1. */
int64_t notify_http_date(const char *s);
/* The curl errors worth retrying (the peer may come back): refused, timeout, reset, DNS... */
bool notify_curl_transient(CURLcode rc);

/* ---- message text and escaping (render.c) ---- */

const char *notify_kind_name(enum notify_kind k); /* "page", "reminder", "handoff", "info" */
int notify_kind_parse(const char *name);          /* -1 when unknown */
/* The Standard Webhooks event type of a kind: incident.page, incident.reminder, oncall.handoff,
 * notification.info. */
const char *notify_event_type(const char *kind);
/* The message's subject: the lead's own, or "N notifications: ..." for a bundle. */
void notify_render_subject(const struct notify_render *r, struct buf *out);
/* The plain-text body: each row's text, its ack link and its incident link; a bundle starts with
 * "N notifications:" and lists each row. */
void notify_render_text(const struct notify_render *r, struct buf *out);
/* The short text of an SMS: "[SEV1] INC-... title - ack: LINK or reply ACK <id>"; for a bundle
 * "N notifications: INC-... title (ACK 12); ...". At most NOTIFY_SMS_MAX characters. */
void notify_render_sms(const struct notify_render *r, struct buf *out);
void notify_html_escape(struct buf *out, const char *s);
/* application/x-www-form-urlencoded value encoding. */
void notify_form_escape(struct buf *out, const char *s);
/* The inside of a JSON string (no quotes). */
void notify_json_escape(struct buf *out, const char *s);
/* Fills the SMS body template: {{to}}, {{from}} and {{message}} escaped for content_type. */
void notify_template(struct buf *out, const char *tmpl, const char *content_type, const char *to,
                     const char *from, const char *message);
/* A JSON object for an incident (id, title, severity, status, service, url), or null. */
json_t *notify_incident_json(const struct notify_item *it);

/* ---- Standard Webhooks (chan_webhook.c) ---- */

/* "v1," + base64(HMAC-SHA256(key, id "." timestamp "." body)) with key the base64 after "whsec_".
 * 0 on success, -1 when the secret is malformed. */
int notify_webhook_signature(const char *secret, const char *id, int64_t timestamp,
                             const char *body, size_t body_len, char *out, size_t n);

/* ---- methods (enqueue.c) ---- */

/* The user's address for a method (email, phone, slack URL, webhook URL), or NULL. */
const char *notify_user_address(const struct config_user *u, const char *method);
/* The user's methods in order of preference: those named by the rules (file order), then the
 * others the user has, as email, sms, slack, webhook. Returns the count. */
size_t notify_user_methods(const struct config_user *u, const char *out[NOTIFY_METHODS]);
/* The methods for a message about an incident of `severity` (NULL: no incident): the first
 * matching rule's (its after into *after), else the severity's channels the user has, else every
 * method the user has. *why describes the choice (static text). Returns the count (0: the user
 * has no method). */
size_t notify_choose_methods(const struct config *cfg, const struct config_user *u,
                             const char *severity, const char *out[NOTIFY_METHODS], int64_t *after,
                             char *why, size_t why_n);
/* Queues the row's message for the user's next method with no row yet for (incident, key, user).
 * *method gets it (NULL when none is left). Inside a store job. */
enum result notify_fallback(struct store_conn *tx, const struct config *cfg,
                            const struct store_notification *failed, int64_t now,
                            const char **method, struct error *err);

#endif
