/*
 * api/ingest_generic: POST /api/v1/ingest/generic, for scripts: {summary, details?, dedup_key?,
 * severity?, action? trigger|resolve, labels? {string: string}, source?} with a generic
 * integration key as bearer token. 202 with the dedup key, the alert id and its incident.
 */
#include "api/ingest_common.h"
#include "http/defer.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "store/credentials.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const fields[] = {"summary", "details", "dedup_key", "severity",
                                     "action",  "labels",  "source",    NULL};

static enum result parse(json_t *body, struct ingest_event *ev, struct error *err)
{
    const char *action = NULL;
    enum result result = jsonv_only(body, fields, err);
    if (result == OK)
        result = jsonv_string(body, "action", false, 1, 16, &action, err);
    if (result == OK)
        result = jsonv_string(body, "dedup_key", false, 1, SIZE_MAX, &ev->dedup_key, err);
    if (result == OK && ev->dedup_key && jsonv_utf8_chars(ev->dedup_key) > INGEST_DEDUP_MAX)
        result =
            error_set(err, ERR_UNPROCESSABLE, "dedup_key: must be at most %d characters (got %zu)",
                      INGEST_DEDUP_MAX, jsonv_utf8_chars(ev->dedup_key));
    if (result == OK)
        result = jsonv_string(body, "summary", !action || strcmp(action, "trigger") == 0, 1, 1024,
                              &ev->summary, err);
    if (result == OK)
        result = jsonv_string(body, "severity", false, 1, 64, &ev->severity, err);
    if (result == OK)
        result = jsonv_string(body, "source", false, 1, 255, &ev->source, err);
    if (result != OK)
        return result;
    if (action && strcmp(action, "trigger") != 0 && strcmp(action, "resolve") != 0)
        return error_set(err, ERR_BAD_REQUEST, "action: must be trigger or resolve, not \"%.16s\"",
                         action);
    ev->action = action && strcmp(action, "resolve") == 0 ? ALERT_RESOLVE : ALERT_TRIGGER;
    if (ev->action == ALERT_RESOLVE && !ev->dedup_key)
        return error_set(err, ERR_BAD_REQUEST, "dedup_key: is required to resolve");
    json_t *labels = json_object_get(body, "labels");
    if (labels && !json_is_object(labels))
        return error_set(err, ERR_BAD_REQUEST, "labels: must be an object of strings");
    if (labels && (result = api_ingest_check_strings(labels, "labels", INGEST_LABELS_MAX,
                                                     INGEST_LABELS_BYTES_MAX, err)) != OK)
        return result;
    json_t *details = json_object_get(body, "details");
    if (details && !json_is_object(details))
        return error_set(err, ERR_BAD_REQUEST, "details: must be an object");
    if (details &&
        (result = api_ingest_check_size(details, "details", INGEST_DETAILS_BYTES_MAX, err)) != OK)
        return result;
    ev->labels = labels;
    ev->details = details;
    return OK;
}

/* One request's state, on the heap: its write is deferred (http/defer.h). */
struct generic_request {
    struct error err;
    json_t *body;
    struct ingest_event ev;
    struct store_credential integ;
    bool admitted;
    struct ingest_source src;
    char actor[96];
    struct ingest_async *job;
};

static void generic_reply(struct request *r, struct generic_request *q, enum result result,
                          int64_t retry)
{
    const struct ingest_event *ev = &q->ev;
    if (result == ERR_RATE_LIMITED)
        api_ingest_retry_after(r, retry);
    if (result != OK)
        reply_from_error(r, &q->err);
    else
        reply_json(r, 202,
                   json_pack("{s:s,s:s,s:I,s:s?,s:b,s:b}", "status", "ok", "dedup_key", ev->dedup,
                             "alert_id", (json_int_t)ev->alert_id, "incident_id",
                             *ev->incident_id ? ev->incident_id : NULL, "dropped", ev->dropped,
                             "silenced", ev->silenced));
    ingest_async_free(q->job);
    if (q->admitted)
        store_credential_free_fields(&q->integ);
    json_decref(q->body);
    free(q);
}

static void generic_submit(void *state, http_done_fn done, void *done_arg)
{
    struct generic_request *q = state;
    ingest_submit(q->job, &q->err, done, done_arg);
}

static void generic_finish(struct request *r, void *state)
{
    struct generic_request *q = state;
    generic_reply(r, q, ingest_result(q->job), 0);
}

static void api_ingest_generic(struct request *r)
{
    store_expect(r->app->store); /* a write is coming: group commit waits for it (store.h) */
    struct generic_request *q = xcalloc(1, sizeof *q);
    struct ingest_event *ev = &q->ev;
    int64_t retry = 0;
    /* the key first: a caller without one costs no parsing */
    enum result result =
        api_ingest_admit(r, auth_bearer(r), "generic", 1, &q->integ, &retry, &q->err);
    q->admitted = result == OK;
    if (result == OK)
        result = api_ingest_parse(r, &q->body, &q->err);
    if (result == OK)
        result = parse(q->body, ev, &q->err);
    if (result == OK && !ev->severity && ev->labels) {
        const struct config_service *svc = config_service_find(r->config, q->integ.service);
        json_t *v = json_object_get(ev->labels, svc ? svc->alerts.severity_label : "severity");
        ev->severity = json_is_string(v) ? json_string_value(v) : NULL;
    }
    if (result != OK) {
        generic_reply(r, q, result, retry);
        return;
    }
    api_ingest_source(r, &q->integ, "generic", &q->src);
    snprintf(q->actor, sizeof q->actor, "%s", r->who.actor);
    q->src.actor = q->actor; /* not r's: r is copied while the write waits */
    q->job = ingest_prepare(r->app, r->config, &q->src, ev, 1);
    http_defer(r, generic_submit, generic_finish, q);
}

static const struct route routes[] = {
    {"POST", "/api/v1/ingest/generic", api_ingest_generic, ACCESS_PUBLIC, "ingest_generic"},
};
HTTP_ROUTES(ingest_generic, routes);
