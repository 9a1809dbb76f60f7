/*
 * router: the route table (a table, not an if-chain) and dispatch: match the path, pick the
 * method (405 with Allow when only the method is wrong), check the role, call the handler.
 * Patterns are literal segments and {name} for one segment; captured values go to r->params in
 * order. Runs on request threads; the table is constant.
 */
#include "api/api.h"
#include "http/http.h"

#include <stdio.h>
#include <string.h>

const struct route http_routes[] = {
    {"GET", "/healthz", api_healthz, ACCESS_PUBLIC, "healthz"},
    {"GET", "/metrics", api_metrics, ACCESS_PUBLIC, "metrics"},
    {"POST", "/api/v1/incidents", api_incident_create, ACCESS_RESPONDER, "incidents_create"},
    {"GET", "/api/v1/incidents", api_incident_list, ACCESS_VIEWER, "incidents_list"},
    {"GET", "/api/v1/incidents/{id}", api_incident_get, ACCESS_VIEWER, "incident_get"},
    {"PATCH", "/api/v1/incidents/{id}", api_incident_patch, ACCESS_RESPONDER, "incident_patch"},
    {"POST", "/api/v1/incidents/{id}/ack", api_incident_ack, ACCESS_RESPONDER, "incident_ack"},
    {"POST", "/api/v1/incidents/{id}/status", api_incident_status, ACCESS_RESPONDER,
     "incident_status"},
    {"POST", "/api/v1/incidents/{id}/resolve", api_incident_resolve, ACCESS_RESPONDER,
     "incident_resolve"},
    {"PUT", "/api/v1/incidents/{id}/roles/{role}", api_incident_role, ACCESS_RESPONDER,
     "incident_role"},
    {"POST", "/api/v1/incidents/{id}/notes", api_incident_note, ACCESS_RESPONDER, "incident_note"},
    {"GET", "/api/v1/incidents/{id}/timeline", api_incident_timeline, ACCESS_VIEWER,
     "incident_timeline"},
    {"POST", "/api/v1/audit/verify", api_audit_verify, ACCESS_VIEWER, "audit_verify"},
    {"POST", "/api/v1/tokens", api_token_create, ACCESS_ADMIN, "tokens_create"},
    {"GET", "/api/v1/tokens", api_token_list, ACCESS_ADMIN, "tokens_list"},
    {"DELETE", "/api/v1/tokens/{id}", api_token_revoke, ACCESS_ADMIN, "token_revoke"},
    {"GET", "/api/v1/severities", api_severities, ACCESS_VIEWER, "severities"},
    {"GET", "/api/v1/users", api_users, ACCESS_VIEWER, "users"},
    {"GET", "/api/v1/services", api_services, ACCESS_VIEWER, "services"},
    {"GET", "/api/v1/incident_types", api_incident_types, ACCESS_VIEWER, "incident_types"},
    {"POST", "/api/v1/config/reload", api_config_reload, ACCESS_ADMIN, "config_reload"},
    {"POST", "/api/v1/integrations", api_integration_create, ACCESS_ADMIN, "integrations_create"},
    {"GET", "/api/v1/integrations", api_integration_list, ACCESS_ADMIN, "integrations_list"},
    {"DELETE", "/api/v1/integrations/{id}", api_integration_revoke, ACCESS_ADMIN,
     "integration_revoke"},
    {"POST", "/api/v1/ingest/alertmanager", api_ingest_alertmanager, ACCESS_PUBLIC,
     "ingest_alertmanager"},
    {"POST", "/v2/enqueue", api_ingest_events_v2, ACCESS_PUBLIC, "ingest_events_v2"},
    {"POST", "/api/v1/ingest/generic", api_ingest_generic, ACCESS_PUBLIC, "ingest_generic"},
    {"POST", "/api/v1/heartbeat/{name}", api_heartbeat_checkin, ACCESS_PUBLIC, "heartbeat"},
    {"GET", "/api/v1/heartbeats", api_heartbeat_list, ACCESS_VIEWER, "heartbeats"},
    {"GET", "/api/v1/alerts", api_alert_list, ACCESS_VIEWER, "alerts_list"},
    {"GET", "/api/v1/incidents/{id}/alerts", api_incident_alerts, ACCESS_VIEWER, "incident_alerts"},
    {"POST", "/api/v1/silences", api_silence_create, ACCESS_RESPONDER, "silences_create"},
    {"GET", "/api/v1/silences", api_silence_list, ACCESS_VIEWER, "silences_list"},
    {"DELETE", "/api/v1/silences/{id}", api_silence_expire, ACCESS_RESPONDER, "silence_expire"},
    {"GET", "/api/v1/services/{id}/probe", api_service_probe, ACCESS_VIEWER, "service_probe"},
    {"GET", "/api/v1/debug/clock", api_clock_get, ACCESS_ADMIN, "debug_clock"},
    {"POST", "/api/v1/debug/clock", api_clock_post, ACCESS_ADMIN, "debug_clock"},
    /* ---- routes: oncall ---- */
    {"GET", "/api/v1/schedules", api_schedule_list, ACCESS_VIEWER, "schedules_list"},
    /* viewer; public here because the handler authenticates: {id}.ics also takes ?token= */
    {"GET", "/api/v1/schedules/{id}", api_schedule_get, ACCESS_PUBLIC, "schedule_get"},
    {"GET", "/api/v1/oncall", api_oncall, ACCESS_VIEWER, "oncall"},
    {"POST", "/api/v1/schedules/{id}/overrides", api_override_create, ACCESS_RESPONDER,
     "overrides_create"},
    {"GET", "/api/v1/schedules/{id}/overrides", api_override_list, ACCESS_VIEWER, "overrides_list"},
    {"GET", "/api/v1/overrides", api_override_list, ACCESS_VIEWER, "overrides_list_all"},
    {"DELETE", "/api/v1/overrides/{id}", api_override_remove, ACCESS_RESPONDER, "override_remove"},

    /* ---- routes: notify ---- */
    {"GET", "/api/v1/incidents/{id}/notifications", api_incident_notifications, ACCESS_VIEWER,
     "incident_notifications"},
    {"POST", "/api/v1/incidents/{id}/page", api_incident_page, ACCESS_RESPONDER, "incident_page"},
    {"POST", "/api/v1/sms/inbound", api_sms_inbound, ACCESS_PUBLIC, "sms_inbound"},
    {"GET", "/ack/{token}", api_ack_page, ACCESS_PUBLIC, "ack_page"},
    {"POST", "/ack/{token}", api_ack_confirm, ACCESS_PUBLIC, "ack_confirm"},

    /* ---- routes: escalation ---- */
    {"POST", "/api/v1/incidents/{id}/escalate", api_incident_escalate, ACCESS_RESPONDER,
     "incident_escalate"},

};
const size_t http_route_count = sizeof http_routes / sizeof http_routes[0];

/* Matches path against pattern, capturing {x} segments. */
static bool match(const char *pattern, const char *path, struct request *r)
{
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = strchr(s, '/');
            size_t len = se ? (size_t)(se - s) : strlen(s);
            if (!pe || len == 0 || len >= HTTP_PARAM_MAX || n >= HTTP_MAX_PARAMS)
                return false;
            memcpy(r->params[n], s, len);
            r->params[n][len] = '\0';
            n++;
            p = pe + 1;
            s += len;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    if (*p || *s)
        return false;
    r->nparams = n;
    return true;
}

void router_dispatch(struct request *r)
{
    char allow[64] = "";
    size_t used = 0;
    for (size_t i = 0; i < http_route_count; i++) {
        const struct route *rt = &http_routes[i];
        if (!match(rt->pattern, r->path, r))
            continue;
        if (strcmp(rt->method, r->method) != 0) {
            int w =
                snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "", rt->method);
            if (w > 0 && (size_t)w < sizeof allow - used)
                used += (size_t)w;
            continue;
        }
        r->route = (int)i;
        if (!auth_or_reply(r, rt->access))
            return;
        rt->handler(r);
        if (!r->replied)
            reply_error(r, ERR_INTERNAL, "internal: %s gave no answer", rt->name);
        return;
    }
    if (used) {
        reply_header(r, "Allow", allow);
        reply_error(r, ERR_BAD_REQUEST, "method: %s is not allowed on %s (allowed: %s)", r->method,
                    r->path, allow);
        r->status = 405;
        return;
    }
    reply_error(r, ERR_NOT_FOUND, "path: no route for %s %s", r->method, r->path);
}
