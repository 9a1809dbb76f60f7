/*
 * api/ingest_events_v2: POST /v2/enqueue, the PagerDuty Events API v2, byte-compatible so that
 * anything able to page PagerDuty (Alertmanager's pagerduty_configs, Grafana, Zabbix...) can
 * page tocsin by pointing its URL here.
 *
 * Answers in PagerDuty's shapes: 202 {"status":"success","message":"Event processed",
 * "dedup_key":...}; 400 {"status":"invalid event","message":"Event object is invalid",
 * "errors":[...]} listing every problem found; 413 over 512 KB; 429 with Retry-After.
 * The routing key is the integration key (type events_v2); its dedup keys are its own.
 * For grouping, an event's labels are its payload's source, severity, component, group, class.
 */
#include "api/ingest_common.h"
#include "http/defer.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "store/credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PD_MAX_BODY = 512 * 1024, PD_DEDUP_MAX = 255, PD_SUMMARY_MAX = 1024 };

static const char *const top_fields[] = {"routing_key", "event_action", "dedup_key",
                                         "payload",     "images",       "links",
                                         "client",      "client_url",   NULL};
static const char *const payload_fields[] = {"summary",   "source",         "severity",
                                             "timestamp", "component",      "group",
                                             "class",     "custom_details", NULL};
static const char *const severities[] = {"critical", "error", "warning", "info", NULL};
static const char *const actions[] = {"trigger", "acknowledge", "resolve", NULL};

static int index_of(const char *const *list, const char *s)
{
    for (int i = 0; list[i]; i++)
        if (strcmp(list[i], s) == 0)
            return i;
    return -1;
}

static void pd_reply(struct request *r, int status, const char *pd_status, const char *message,
                     json_t *errors)
{
    json_t *body = json_pack("{s:s,s:s}", "status", pd_status, "message", message);
    if (errors)
        json_object_set_new(body, "errors", errors);
    reply_json(r, status, body);
}

static void unknown_keys(json_t *o, const char *const *allowed, const char *prefix, json_t *errs)
{
    const char *k;
    json_t *v;
    json_object_foreach(o, k, v)
    {
        if (index_of(allowed, k) < 0)
            json_array_append_new(errs,
                                  json_sprintf("'%s%.64s' is not an allowed field", prefix, k));
    }
}

/* A string field: NULL when absent; records an error when present but not a string. */
static const char *opt_string(json_t *o, const char *key, const char *prefix, json_t *errs)
{
    json_t *v = json_object_get(o, key);
    if (!v || json_is_null(v))
        return NULL;
    if (!json_is_string(v)) {
        json_array_append_new(errs, json_sprintf("'%s%s' must be a string", prefix, key));
        return NULL;
    }
    return json_string_value(v);
}

static void check_payload(json_t *payload, struct ingest_event *ev, json_t *errs)
{
    if (!json_is_object(payload)) {
        json_array_append_new(errs, json_string(payload ? "'payload' must be an object"
                                                        : "'payload' is missing or blank"));
        return;
    }
    unknown_keys(payload, payload_fields, "payload.", errs);
    ev->summary = opt_string(payload, "summary", "payload.", errs);
    ev->source = opt_string(payload, "source", "payload.", errs);
    ev->severity = opt_string(payload, "severity", "payload.", errs);
    if (!ev->summary || !*ev->summary)
        json_array_append_new(errs, json_string("'payload.summary' is missing or blank"));
    else if (jsonv_utf8_chars(ev->summary) > PD_SUMMARY_MAX)
        json_array_append_new(errs, json_string("'payload.summary' is too long (maximum is 1024 "
                                                "characters)"));
    if (!ev->source || !*ev->source)
        json_array_append_new(errs, json_string("'payload.source' is missing or blank"));
    if (!ev->severity)
        json_array_append_new(errs, json_string("'payload.severity' is missing or blank"));
    else if (index_of(severities, ev->severity) < 0)
        json_array_append_new(errs, json_string("'payload.severity' is invalid (must be one of: "
                                                "critical, error, warning, info)"));
    for (const char *const *k =
             (const char *const[]){"timestamp", "component", "group", "class", NULL};
         *k; k++)
        opt_string(payload, *k, "payload.", errs);
}

/* Validates the whole event; every problem goes to errs. */
static void check_event(json_t *body, struct ingest_event *ev, const char **key, json_t *errs)
{
    unknown_keys(body, top_fields, "", errs);
    *key = opt_string(body, "routing_key", "", errs);
    if (!*key || !**key)
        json_array_append_new(errs, json_string("'routing_key' is missing or blank"));
    const char *action = opt_string(body, "event_action", "", errs);
    int a = action ? index_of(actions, action) : -1;
    if (a < 0)
        json_array_append_new(errs, json_string("'event_action' is missing or invalid (must be "
                                                "one of: trigger, acknowledge, resolve)"));
    ev->action = a == 1 ? ALERT_ACKNOWLEDGE : a == 2 ? ALERT_RESOLVE : ALERT_TRIGGER;
    ev->dedup_key = opt_string(body, "dedup_key", "", errs);
    if (ev->dedup_key && jsonv_utf8_chars(ev->dedup_key) > PD_DEDUP_MAX)
        json_array_append_new(errs, json_string("'dedup_key' is too long (maximum is 255 "
                                                "characters)"));
    if (ev->dedup_key && !*ev->dedup_key)
        ev->dedup_key = NULL;
    if (a > 0 && !ev->dedup_key)
        json_array_append_new(errs, json_string("'dedup_key' is required for acknowledge and "
                                                "resolve events"));
    if (a == 0)
        check_payload(json_object_get(body, "payload"), ev, errs);
    opt_string(body, "client", "", errs);
    opt_string(body, "client_url", "", errs);
    for (const char *const *k = (const char *const[]){"images", "links", NULL}; *k; k++) {
        json_t *v = json_object_get(body, *k);
        if (v && !json_is_array(v))
            json_array_append_new(errs, json_sprintf("'%s' must be an array", *k));
    }
}

size_t api_events_v2_check(json_t *body)
{
    struct ingest_event ev = {0};
    const char *key = NULL;
    json_t *errs = json_array();
    check_event(body, &ev, &key, errs);
    size_t n = json_array_size(errs);
    json_decref(errs);
    return n;
}

static json_t *event_labels(json_t *payload)
{
    json_t *labels = json_object();
    for (const char *const *k =
             (const char *const[]){"source", "severity", "component", "group", "class", NULL};
         *k; k++) {
        json_t *v = json_object_get(payload, *k);
        if (json_is_string(v))
            json_object_set(labels, *k, v);
    }
    return labels;
}

static void reply_error_pd(struct request *r, const struct error *err, int64_t retry)
{
    if (err->code == ERR_RATE_LIMITED) {
        api_ingest_retry_after(r, retry);
        pd_reply(r, 429, "throttle event",
                 "Requests for this routing key are arriving too "
                 "quickly. Please retry later.",
                 json_pack("[s]", err->message));
        return;
    }
    const char *st = err->code == ERR_UNAUTHORIZED ? "unauthorized"
                     : err->code == ERR_FORBIDDEN  ? "forbidden"
                                                   : "unavailable";
    pd_reply(r, result_http_status(err->code), st, err->message, json_pack("[s]", err->message));
}

/* One accepted event's state, on the heap: its write is deferred (http/defer.h). */
struct pd_request {
    struct error err;
    json_t *body, *labels;
    struct ingest_event ev;
    struct store_credential integ;
    struct ingest_source src;
    char actor[96];
    struct ingest_async *job;
};

static void pd_submit(void *state, http_done_fn done, void *done_arg)
{
    struct pd_request *q = state;
    ingest_submit(q->job, &q->err, done, done_arg);
}

static void pd_finish(struct request *r, void *state)
{
    struct pd_request *q = state;
    if (ingest_result(q->job) != OK)
        reply_error_pd(r, &q->err, 0);
    else
        reply_json(r, 202,
                   json_pack("{s:s,s:s,s:s}", "status", "success", "message", "Event processed",
                             "dedup_key", q->ev.dedup));
    ingest_async_free(q->job);
    store_credential_free_fields(&q->integ);
    json_decref(q->labels);
    json_decref(q->body);
    free(q);
}

static void api_ingest_events_v2(struct request *r)
{
    store_expect(r->app->store); /* a write is coming: group commit waits for it (store.h) */
    if (r->body_len > PD_MAX_BODY) {
        pd_reply(r, 413, "invalid event", "Request body is too large (maximum is 512 KB)", NULL);
        return;
    }
    struct pd_request *q = xcalloc(1, sizeof *q);
    json_t *errs = json_array();
    const char *key = NULL;
    if (api_ingest_parse(r, &q->body, &q->err) != OK)
        json_array_append_new(errs, json_string(q->err.message));
    else
        check_event(q->body, &q->ev, &key, errs);
    if (json_array_size(errs)) {
        pd_reply(r, 400, "invalid event", "Event object is invalid", errs);
        json_decref(q->body);
        free(q);
        return;
    }
    json_decref(errs);
    int64_t retry = 0;
    enum result result = api_ingest_admit(r, key, "events_v2", 1, &q->integ, &retry, &q->err);
    if (result != OK) {
        reply_error_pd(r, &q->err, retry);
        json_decref(q->body);
        free(q);
        return;
    }
    json_t *payload = json_object_get(q->body, "payload");
    q->labels = event_labels(payload);
    q->ev.labels = q->labels;
    q->ev.details = payload;
    api_ingest_source(r, &q->integ, "events_v2", &q->src);
    snprintf(q->actor, sizeof q->actor, "%s", r->who.actor);
    q->src.actor = q->actor; /* not r's: r is copied while the write waits */
    q->job = ingest_prepare(r->app, r->config, &q->src, &q->ev, 1);
    http_defer(r, pd_submit, pd_finish, q);
}

static const struct route routes[] = {
    {"POST", "/v2/enqueue", api_ingest_events_v2, ACCESS_PUBLIC, "ingest_events_v2"},
};
HTTP_ROUTES(ingest_events_v2, routes);
