/*
 * api/ingest_alertmanager: POST /api/v1/ingest/alertmanager, the Prometheus Alertmanager webhook
 * (payload version 4), with an alertmanager integration key as bearer token.
 *
 * Each alert's dedup key is its fingerprint (else a hash of its sorted labels); firing triggers,
 * resolved resolves. The summary is annotations.summary, else annotations.description, else
 * labels.alertname. The raw severity is the label named by the service's alerts.severity_label.
 * The whole payload is one transaction: every alert of the group lands, or none.
 */
#include "api/ingest_common.h"
#include "http/defer.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "store/credentials.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A fingerprint is kept in full as the dedup key (docs/security.md): longer than
 * INGEST_DEDUP_MAX characters is a 422 naming the alert, never a cut that merges two alerts. */
enum { AM_MAX_ALERTS = 10000, AM_SUMMARY_MAX = 1024 };

static const char *const top_fields[] = {
    "version",      "groupKey",          "truncatedAlerts", "status", "receiver", "groupLabels",
    "commonLabels", "commonAnnotations", "externalURL",     "alerts", NULL};
static const char *const alert_fields[] = {"status", "labels",       "annotations", "startsAt",
                                           "endsAt", "generatorURL", "fingerprint", NULL};

struct am_alert {
    struct ingest_event ev;
    char label_hash[65]; /* the dedup key when the alert has no fingerprint */
    json_t *details;
};

static const char *str_field(json_t *o, const char *key)
{
    json_t *v = o ? json_object_get(o, key) : NULL;
    return json_is_string(v) && json_string_length(v) ? json_string_value(v) : NULL;
}

static enum result parse_alert(json_t *a, size_t i, const char *severity_label,
                               struct am_alert *out, struct error *err)
{
    char path[48];
    snprintf(path, sizeof path, "alerts[%zu]", i);
    if (!json_is_object(a))
        return error_set(err, ERR_BAD_REQUEST, "%s: must be an object, not %s", path,
                         jsonv_type_name(a));
    struct error sub = {0};
    if (jsonv_only(a, alert_fields, &sub) != OK)
        return error_set(err, ERR_BAD_REQUEST, "%s.%s", path, sub.message);
    const char *status = NULL, *fp = NULL;
    enum result result = jsonv_string(a, "status", true, 1, 16, &status, &sub);
    if (result == OK)
        result = jsonv_string(a, "fingerprint", false, 1, SIZE_MAX, &fp, &sub);
    if (result != OK)
        return error_set(err, ERR_BAD_REQUEST, "%s.%s", path, sub.message);
    if (fp && jsonv_utf8_chars(fp) > INGEST_DEDUP_MAX)
        return error_set(err, ERR_UNPROCESSABLE,
                         "%s.fingerprint: must be at most %d characters (got %zu)", path,
                         INGEST_DEDUP_MAX, jsonv_utf8_chars(fp));
    json_t *labels = json_object_get(a, "labels"), *ann = json_object_get(a, "annotations");
    char lpath[64], apath[64];
    snprintf(lpath, sizeof lpath, "%s.labels", path);
    snprintf(apath, sizeof apath, "%s.annotations", path);
    if (!json_is_object(labels))
        return error_set(err, ERR_BAD_REQUEST, "%s: is required and must be an object", lpath);
    if (ann && !json_is_object(ann))
        return error_set(err, ERR_BAD_REQUEST, "%s: must be an object", apath);
    result =
        api_ingest_check_strings(labels, lpath, INGEST_LABELS_MAX, INGEST_LABELS_BYTES_MAX, err);
    if (result == OK && ann)
        result = api_ingest_check_strings(ann, apath, INGEST_ANNOTATIONS_MAX,
                                          INGEST_ANNOTATIONS_BYTES_MAX, err);
    if (result != OK)
        return result;
    if (strcmp(status, "firing") != 0 && strcmp(status, "resolved") != 0)
        return error_set(err, ERR_BAD_REQUEST,
                         "%s.status: must be firing or resolved, not \"%.16s\"", path, status);
    out->ev.action = strcmp(status, "firing") == 0 ? ALERT_TRIGGER : ALERT_RESOLVE;
    if (!fp) {
        alerts_labels_fingerprint(labels, out->label_hash);
        fp = out->label_hash;
    }
    out->ev.dedup_key = fp; /* borrowed from the body (or label_hash), which outlive the job */
    const char *summary = str_field(ann, "summary");
    summary = summary ? summary : str_field(ann, "description");
    summary = summary ? summary : str_field(labels, "alertname");
    out->ev.summary = summary ? summary : "alert from Alertmanager";
    out->ev.source = str_field(labels, "instance");
    out->ev.severity = str_field(labels, severity_label);
    out->ev.labels = labels;
    out->details = json_pack("{s:O?,s:O?,s:O?,s:O?}", "annotations", ann, "startsAt",
                             json_object_get(a, "startsAt"), "endsAt", json_object_get(a, "endsAt"),
                             "generatorURL", json_object_get(a, "generatorURL"));
    out->ev.details = out->details;
    return OK;
}

static enum result parse_payload(json_t *body, const char *severity_label, struct am_alert **out,
                                 size_t *n, struct error *err)
{
    const char *version = NULL, *status = NULL;
    enum result result = jsonv_only(body, top_fields, err);
    if (result == OK)
        result = jsonv_string(body, "version", true, 1, 8, &version, err);
    if (result == OK)
        result = jsonv_string(body, "status", false, 1, 16, &status, err);
    if (result == OK && status && strcmp(status, "firing") != 0 && strcmp(status, "resolved") != 0)
        result = error_set(err, ERR_BAD_REQUEST,
                           "status: must be firing or resolved, not \"%.16s\"", status);
    if (result != OK)
        return result;
    if (strcmp(version, "4") != 0)
        return error_set(err, ERR_BAD_REQUEST,
                         "version: only webhook payload version \"4\" is "
                         "supported (got \"%.8s\")",
                         version);
    json_t *alerts = json_object_get(body, "alerts");
    if (!json_is_array(alerts))
        return error_set(err, ERR_BAD_REQUEST, "alerts: is required and must be an array");
    *n = json_array_size(alerts);
    if (*n > AM_MAX_ALERTS)
        return error_set(err, ERR_TOO_LARGE, "alerts: at most %d alerts per request (got %zu)",
                         AM_MAX_ALERTS, *n);
    *out = xcalloc(*n ? *n : 1, sizeof **out);
    for (size_t i = 0; i < *n; i++) {
        result = parse_alert(json_array_get(alerts, i), i, severity_label, &(*out)[i], err);
        if (result != OK)
            return result;
    }
    return OK;
}

enum result api_alertmanager_check(json_t *body, const char *severity_label, size_t *alerts,
                                   struct error *err)
{
    struct am_alert *a = NULL;
    size_t n = 0;
    enum result result = parse_payload(body, severity_label, &a, &n, err);
    for (size_t i = 0; a && i < n; i++)
        json_decref(a[i].details);
    free(a);
    if (alerts)
        *alerts = n;
    return result;
}

static void reply_done(struct request *r, struct am_alert *alerts, size_t n)
{
    json_t *incidents = json_array(), *seen = json_object(); /* seen: a hash set of ids */
    for (size_t i = 0; i < n; i++) {
        const char *id = alerts[i].ev.incident_id;
        if (!*id || json_object_get(seen, id))
            continue;
        json_object_set_new(seen, id, json_true());
        json_array_append_new(incidents, json_string(id));
    }
    json_decref(seen);
    reply_json(r, 200,
               json_pack("{s:s,s:I,s:o}", "status", "ok", "alerts", (json_int_t)n, "incidents",
                         incidents));
}

/* One request's state, on the heap: its write is deferred (http/defer.h), so everything the
 * store job reads must outlive the handler's stack frame. */
struct am_request {
    struct error err;
    struct store_credential integ;
    bool admitted;
    json_t *body;
    struct am_alert *alerts;
    size_t n;
    struct ingest_event *ev;
    struct ingest_source src;
    char actor[96];
    struct ingest_async *job;
};

static void am_reply(struct request *r, struct am_request *q, enum result result, int64_t retry)
{
    if (result == ERR_RATE_LIMITED)
        api_ingest_retry_after(r, retry);
    if (result != OK)
        reply_from_error(r, &q->err);
    else
        reply_done(r, q->alerts, q->n);
    ingest_async_free(q->job);
    free(q->ev);
    for (size_t i = 0; q->alerts && i < q->n; i++)
        json_decref(q->alerts[i].details);
    free(q->alerts);
    if (q->admitted)
        store_credential_free_fields(&q->integ);
    json_decref(q->body);
    free(q);
}

static void am_submit(void *state, http_done_fn done, void *done_arg)
{
    struct am_request *q = state;
    ingest_submit(q->job, &q->err, done, done_arg);
}

static void am_finish(struct request *r, void *state)
{
    struct am_request *q = state;
    for (size_t i = 0; i < q->n; i++)
        q->alerts[i].ev = q->ev[i]; /* the results */
    am_reply(r, q, ingest_result(q->job), 0);
}

static void api_ingest_alertmanager(struct request *r)
{
    store_expect(r->app->store); /* a write is coming: group commit waits for it (store.h) */
    struct am_request *q = xcalloc(1, sizeof *q);
    int64_t retry = 0;
    /* the key first: a caller without one costs no parsing; the rate (by alerts) after */
    enum result result = api_ingest_key(r, auth_bearer(r), "alertmanager", &q->integ, &q->err);
    q->admitted = result == OK;
    if (result == OK)
        result = api_ingest_parse(r, &q->body, &q->err);
    if (result == OK) {
        json_t *a = json_object_get(q->body, "alerts");
        int64_t cost = json_is_array(a) && json_array_size(a) ? (int64_t)json_array_size(a) : 1;
        if (cost > r->config->ingest.burst) /* a batch larger than the bucket must still pass */
            cost = r->config->ingest.burst;
        result = api_ingest_take(r, &q->integ, cost, &retry, &q->err);
        q->admitted = result == OK; /* a refusal freed the key's fields */
    }
    if (result == OK) {
        const struct config_service *svc = config_service_find(r->config, q->integ.service);
        result = parse_payload(q->body, svc ? svc->alerts.severity_label : "severity", &q->alerts,
                               &q->n, &q->err);
    }
    if (result != OK || q->n == 0) {
        am_reply(r, q, result, retry);
        return;
    }
    q->ev = xcalloc(q->n, sizeof *q->ev);
    for (size_t i = 0; i < q->n; i++)
        q->ev[i] = q->alerts[i].ev;
    api_ingest_source(r, &q->integ, "alertmanager", &q->src);
    snprintf(q->actor, sizeof q->actor, "%s", r->who.actor);
    q->src.actor = q->actor; /* not r's: r is copied while the write waits */
    q->job = ingest_prepare(r->app, r->config, &q->src, q->ev, q->n);
    http_defer(r, am_submit, am_finish, q); /* the commit is waited for without a thread */
}

static const struct route routes[] = {
    {"POST", "/api/v1/ingest/alertmanager", api_ingest_alertmanager, ACCESS_PUBLIC,
     "ingest_alertmanager"},
};
HTTP_ROUTES(ingest_alertmanager, routes);
