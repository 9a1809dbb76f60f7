/*
 * api: the resource handlers, one file per resource. Each handler runs on a request thread,
 * after router.c has matched the route and auth.c has checked the role; it validates its input
 * (jsonv), runs writes as store jobs (store_write: 2xx only after commit) and answers once.
 */
#ifndef TOCSIN_API_H
#define TOCSIN_API_H

#include "http/http.h"
#include "domain/alert.h"
#include "domain/incident.h"
#include "store/credentials.h"

/* incidents.c */
void api_incident_create(struct request *r);
void api_incident_list(struct request *r);
void api_incident_get(struct request *r);
void api_incident_patch(struct request *r);
void api_incident_ack(struct request *r);
void api_incident_status(struct request *r);
void api_incident_resolve(struct request *r);
void api_incident_role(struct request *r);
void api_incident_note(struct request *r);
void api_incident_timeline(struct request *r);
json_t *api_incident_json(const struct incident *inc, const struct config *cfg, int64_t now);

/* audit.c */
void api_audit_verify(struct request *r);

/* tokens.c */
void api_token_create(struct request *r);
void api_token_list(struct request *r);
void api_token_revoke(struct request *r);

/* catalog.c: the loaded config, read-only, and reload */
void api_severities(struct request *r);
void api_users(struct request *r);
void api_services(struct request *r);
void api_incident_types(struct request *r);
void api_config_reload(struct request *r);

/* health.c: /healthz, /metrics, the dev clock */
void api_healthz(struct request *r);
void api_metrics(struct request *r);
void api_clock_get(struct request *r);
void api_clock_post(struct request *r);

/* integrations.c */
void api_integration_create(struct request *r);
void api_integration_list(struct request *r);
void api_integration_revoke(struct request *r);
json_t *api_integration_json(const struct store_integration *i);

/* alerts.c */
void api_alert_list(struct request *r);
void api_incident_alerts(struct request *r);
json_t *api_alert_json(const struct alert *a);

/* ingest_alertmanager.c, ingest_events_v2.c, ingest_generic.c, heartbeats.c */
void api_ingest_alertmanager(struct request *r);
void api_ingest_events_v2(struct request *r);
void api_ingest_generic(struct request *r);
void api_heartbeat_checkin(struct request *r);
void api_heartbeat_list(struct request *r);

/* catalog.c: probe results of a service */
void api_service_probe(struct request *r);

/* silences.c */
void api_silence_create(struct request *r);
void api_silence_list(struct request *r);
void api_silence_expire(struct request *r);

/* ---- api: oncall (schedules.c) ---- */
void api_schedule_list(struct request *r);
void api_schedule_get(struct request *r); /* also {id}.ics; authenticates itself */
void api_oncall(struct request *r);
void api_override_create(struct request *r);
void api_override_list(struct request *r);
void api_override_remove(struct request *r);

/* ---- api: notify (notifications.c, ack.c) ---- */
void api_incident_notifications(struct request *r);
void api_incident_page(struct request *r);
void api_sms_inbound(struct request *r);
void api_ack_page(struct request *r);
void api_ack_confirm(struct request *r);

/* ---- api: escalation ---- */
void api_incident_escalate(struct request *r); /* escalations.c */

/* helpers shared by handlers (incidents.c) */
json_t *api_time(int64_t ms);           /* RFC 3339 string, or null for 0 */
json_t *api_str_or_null(const char *s); /* the string, or null for NULL */
/* catalog.c: a config string list as a JSON array */
json_t *api_strings(const struct string_list *l);
/* The incident named by the path ({id}, params[0]) into *inc (caller frees its fields); false
 * when it answered 404 (no such incident) or 503 itself. */
bool api_incident_load_or_reply(struct request *r, struct incident *inc);

#endif
