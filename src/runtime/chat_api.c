/*
 * chat_api: Slack Web API and Teams webhook calls (see chat_api.h).
 */
#include "runtime/chat_api.h"
#include "domain/notify_policy.h"
#include "runtime/transfer.h"
#include "util/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

enum { CHAT_ANSWER_CAP = 256 * 1024 };

enum { P_SLACK, P_TEAMS, P_MATTERMOST, P_COUNT };
static atomic_ullong calls[P_COUNT][3]; /* by provider, verdict */

void chat_form_add(struct buf *form, const char *key, const char *value)
{
    char *k = curl_easy_escape(NULL, key, 0), *v = curl_easy_escape(NULL, value ? value : "", 0);
    buf_printf(form, "%s%s=%s", form->len ? "&" : "", k ? k : "", v ? v : "");
    curl_free(k);
    curl_free(v);
}

static bool slack_transient(const char *error)
{
    static const char *const codes[] = {
        "ratelimited",     "internal_error",    "fatal_error", "service_unavailable",
        "request_timeout", "team_added_to_org", NULL};
    for (size_t i = 0; codes[i]; i++)
        if (strcmp(codes[i], error) == 0)
            return true;
    return false;
}

/* Runs req; fills the transport part of a. */
static void run(const struct chat_caller *c, struct notify_request *req, struct chat_answer *a,
                int provider)
{
    bool slack = provider == P_SLACK;
    memset(a, 0, sizeof *a);
    struct notify_transfer t = {.req = req, .answer_cap = CHAT_ANSWER_CAP};
    notify_transfer_run(c->curl, &t, 1, c->stop, c->stop_ctx);
    a->verdict = CHAT_RETRY;
    if (!t.done) {
        snprintf(a->error, sizeof a->error, "stopping");
        goto out;
    }
    a->http = t.resp.code;
    if (t.resp.curl != CURLE_OK) {
        snprintf(a->error, sizeof a->error, "%.200s",
                 t.resp.errbuf[0] ? t.resp.errbuf : curl_easy_strerror(t.resp.curl));
        a->verdict = notify_curl_transient(t.resp.curl) ? CHAT_RETRY : CHAT_FAILED;
        goto out;
    }
    if (t.resp.retry_after)
        notify_retry_after(t.resp.retry_after, c->now, &a->retry_at);
    if (a->http == 429 || a->http >= 500 || a->http == 408) {
        snprintf(a->error, sizeof a->error, "%.200s",
                 a->http == 429 ? "ratelimited" : "HTTP error from the chat service");
        if (a->http != 429)
            snprintf(a->error, sizeof a->error, "HTTP %ld", a->http);
        goto out;
    }
    if (provider == P_MATTERMOST) { /* {"id": "...app_error", "message": ...} on errors */
        a->json = t.resp.body.data ? json_loadb(t.resp.body.data, t.resp.body.len, 0, NULL) : NULL;
        const char *id = json_string_value(json_object_get(a->json, "id"));
        if (a->http >= 200 && a->http <= 299) {
            a->verdict = CHAT_OK;
            goto out;
        }
        snprintf(a->error, sizeof a->error, "HTTP %ld %.400s", a->http, id ? id : "(no error id)");
        a->verdict = CHAT_FAILED;
        goto out;
    }
    if (a->http < 200 || a->http > 299) {
        snprintf(a->error, sizeof a->error, "HTTP %ld", a->http);
        a->verdict = CHAT_FAILED;
        goto out;
    }
    if (!slack) {
        a->verdict = CHAT_OK;
        goto out;
    }
    json_error_t je;
    a->json = t.resp.body.data ? json_loadb(t.resp.body.data, t.resp.body.len, 0, &je) : NULL;
    if (!json_is_object(a->json)) {
        snprintf(a->error, sizeof a->error, "the answer is not a JSON object");
        a->verdict = CHAT_RETRY;
        goto out;
    }
    if (json_is_true(json_object_get(a->json, "ok"))) {
        a->verdict = CHAT_OK;
        goto out;
    }
    const char *e = json_string_value(json_object_get(a->json, "error"));
    snprintf(a->error, sizeof a->error, "%s", e ? e : "ok is false, no error given");
    a->verdict = e && slack_transient(e) ? CHAT_RETRY : CHAT_FAILED;
out:
    atomic_fetch_add(&calls[provider][a->verdict], 1);
    notify_response_free(&t.resp);
}

void chat_slack_call(const struct chat_caller *c, const char *api_url, const char *token,
                     const char *method, const struct buf *form, struct chat_answer *a)
{
    struct notify_request req = {.protocols = "http,https"};
    size_t ul = strlen(api_url);
    while (ul > 0 && api_url[ul - 1] == '/')
        ul--;
    struct buf url, auth;
    buf_init(&url, 4096);
    buf_init(&auth, 1024);
    buf_printf(&url, "%.*s/%s", (int)ul, api_url, method);
    buf_printf(&auth, "Authorization: Bearer %s", token);
    req.url = buf_steal(&url);
    req.body = xstrdup(form->data ? form->data : "");
    req.body_len = strlen(req.body);
    struct error err = {0};
    if (notify_list_add(&req.headers, "Content-Type: application/x-www-form-urlencoded", &err) !=
            OK ||
        notify_list_add(&req.headers, auth.data, &err) != OK) {
        memset(a, 0, sizeof *a);
        snprintf(a->error, sizeof a->error, "%.500s", err.message);
        a->verdict = CHAT_RETRY;
    } else {
        run(c, &req, a, P_SLACK);
    }
    buf_free(&auth);
    notify_request_free(&req);
    if (a->verdict != CHAT_OK)
        log_warn("chatops: slack %s: %s", method, a->error);
}

void chat_post_json(const struct chat_caller *c, const char *url, const char *json,
                    struct chat_answer *a)
{
    struct notify_request req = {.protocols = "http,https"};
    req.url = xstrdup(url);
    req.body = xstrdup(json);
    req.body_len = strlen(json);
    struct error err = {0};
    if (notify_list_add(&req.headers, "Content-Type: application/json", &err) != OK) {
        memset(a, 0, sizeof *a);
        snprintf(a->error, sizeof a->error, "%.500s", err.message);
        a->verdict = CHAT_RETRY;
    } else {
        run(c, &req, a, P_TEAMS);
    }
    notify_request_free(&req);
    if (a->verdict != CHAT_OK)
        log_warn("chatops: teams webhook: %s", a->error);
}

void chat_mm_call(const struct chat_caller *c, const char *base, const char *token,
                  const char *method, const char *path, const char *json, struct chat_answer *a)
{
    struct notify_request req = {.protocols = "http,https", .method = method};
    size_t ul = strlen(base);
    while (ul > 0 && base[ul - 1] == '/')
        ul--;
    struct buf url, auth;
    buf_init(&url, 4096);
    buf_init(&auth, 1024);
    buf_printf(&url, "%.*s%s", (int)ul, base, path);
    buf_printf(&auth, "Authorization: Bearer %s", token);
    req.url = buf_steal(&url);
    req.body = xstrdup(json ? json : "");
    req.body_len = strlen(req.body);
    struct error err = {0};
    if (notify_list_add(&req.headers, "Content-Type: application/json", &err) != OK ||
        notify_list_add(&req.headers, auth.data, &err) != OK) {
        memset(a, 0, sizeof *a);
        snprintf(a->error, sizeof a->error, "%.500s", err.message);
        a->verdict = CHAT_RETRY;
    } else {
        run(c, &req, a, P_MATTERMOST);
    }
    buf_free(&auth);
    notify_request_free(&req);
    if (a->verdict != CHAT_OK)
        log_warn("chatops: mattermost %s %s: %s", method, path, a->error);
}

void chat_answer_free(struct chat_answer *a)
{
    json_decref(a->json);
    a->json = NULL;
}

void chat_api_metrics(struct buf *out)
{
    static const char *const prov[P_COUNT] = {"slack", "teams", "mattermost"};
    static const char *const res[3] = {"ok", "retry", "failed"};
    buf_puts(out,
             "# HELP tocsin_chat_calls_total Calls to chat services (Slack Web API, Mattermost "
             "REST API, Teams webhook) by result.\n# TYPE tocsin_chat_calls_total counter\n");
    for (int p = 0; p < P_COUNT; p++)
        for (int v = 0; v < 3; v++)
            buf_printf(out, "tocsin_chat_calls_total{provider=\"%s\",result=\"%s\"} %llu\n",
                       prov[p], res[v], (unsigned long long)atomic_load(&calls[p][v]));
}
