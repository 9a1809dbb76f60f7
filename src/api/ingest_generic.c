/*
 * api/ingest_generic: POST /api/v1/ingest/generic, for scripts: {summary, details?, dedup_key?,
 * severity?, action? trigger|resolve, labels? {string: string}, source?} with a generic
 * integration key as bearer token. 202 with the dedup key, the alert id and its incident.
 */
#include "api/ingest_common.h"
#include "util/jsonv.h"

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
        result = jsonv_string(body, "dedup_key", false, 1, INGEST_DEDUP_MAX, &ev->dedup_key, err);
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
    const char *k;
    json_t *v;
    if (labels)
        json_object_foreach(labels, k, v)
        {
            if (!json_is_string(v))
                return error_set(err, ERR_BAD_REQUEST, "labels.%.64s: must be a string, not %s", k,
                                 jsonv_type_name(v));
        }
    json_t *details = json_object_get(body, "details");
    if (details && !json_is_object(details))
        return error_set(err, ERR_BAD_REQUEST, "details: must be an object");
    ev->labels = labels;
    ev->details = details;
    return OK;
}

void api_ingest_generic(struct request *r)
{
    struct error err = {0};
    json_t *body = NULL;
    struct ingest_event ev = {0};
    struct store_integration integ;
    int64_t retry = 0;
    bool admitted = false;
    enum result result = api_ingest_parse(r, &body, &err);
    if (result == OK) {
        result = api_ingest_admit(r, auth_bearer(r), "generic", 1, &integ, &retry, &err);
        admitted = result == OK;
    }
    if (result == OK)
        result = parse(body, &ev, &err);
    if (result == OK && !ev.severity && ev.labels) {
        const struct config_service *svc = config_service_find(r->config, integ.service);
        json_t *v = json_object_get(ev.labels, svc ? svc->alerts.severity_label : "severity");
        ev.severity = json_is_string(v) ? json_string_value(v) : NULL;
    }
    if (result == OK) {
        struct ingest_source src;
        api_ingest_source(r, &integ, "generic", &src);
        result = ingest_run(r->app, r->config, &src, &ev, 1, &err);
    }
    if (result == ERR_RATE_LIMITED)
        api_ingest_retry_after(r, retry);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 202,
                   json_pack("{s:s,s:s,s:I,s:s?,s:b,s:b}", "status", "ok", "dedup_key", ev.dedup,
                             "alert_id", (json_int_t)ev.alert_id, "incident_id",
                             *ev.incident_id ? ev.incident_id : NULL, "dropped", ev.dropped,
                             "silenced", ev.silenced));
    if (admitted)
        store_integration_free_fields(&integ);
    json_decref(body);
}
