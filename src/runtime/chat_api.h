/*
 * chat_api: one call to a chat provider, on the notifier's libcurl runner: Slack's Web API
 * (POST {api_url}/{method}, form-encoded, "Authorization: Bearer <bot token>"; the answer is JSON
 * {"ok": true|false, "error": "..."}) and a Microsoft Teams workflow / incoming webhook (POST the
 * card JSON). Each answer is classified: done, retry (transport failures, HTTP 429 / 5xx, Slack's
 * `ratelimited`, `internal_error`, `fatal_error`, `service_unavailable`, `request_timeout`;
 * Retry-After kept) or failed for good (any other error: `invalid_auth`, `channel_not_found`...).
 * Counted for /metrics (tocsin_chat_calls_total). Threads: the notifier thread; the counters are
 * atomics, read by the /metrics handler.
 */
#ifndef TOCSIN_CHAT_API_H
#define TOCSIN_CHAT_API_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "runtime/curl_runner.h"
#include "util/buf.h"

enum chat_verdict { CHAT_OK, CHAT_RETRY, CHAT_FAILED };

struct chat_answer {
    enum chat_verdict verdict;
    long http;        /* 0: no answer */
    char error[600];  /* Slack's error code, or what went wrong; "" when ok */
    json_t *json;     /* the parsed answer (Slack), or NULL */
    int64_t retry_at; /* from Retry-After (app clock), 0 when none */
};

struct chat_caller {
    struct curl_runner *curl;
    bool (*stop)(void *ctx);
    void *stop_ctx;
    int64_t now; /* app clock, for Retry-After */
};

/* Appends key=value (percent-encoded) to a form body. */
void chat_form_add(struct buf *form, const char *key, const char *value);
/* Calls Slack's method with the form body; *a filled (chat_answer_free). */
void chat_slack_call(const struct chat_caller *c, const char *api_url, const char *token,
                     const char *method, const struct buf *form, struct chat_answer *a);
/* POSTs a JSON document (a Teams message with an Adaptive Card) to url. */
void chat_post_json(const struct chat_caller *c, const char *url, const char *json,
                    struct chat_answer *a);
/* Calls Mattermost's REST API v4: method ("POST", "GET", "PUT", "DELETE") on base + path
 * ("/api/v4/channels") with the JSON body (NULL: none) and the bot token. 2xx: ok (a->json the
 * answer); 429 / 5xx / transport: retry; any other status: failed, a->error "HTTP <code> <id>"
 * with Mattermost's error id ("store.sql_channel.save_channel.exists.app_error"...). */
void chat_mm_call(const struct chat_caller *c, const char *base, const char *token,
                  const char *method, const char *path, const char *json, struct chat_answer *a);
void chat_answer_free(struct chat_answer *a);
/* The /metrics lines: calls by provider and result. */
void chat_api_metrics(struct buf *out);

#endif
