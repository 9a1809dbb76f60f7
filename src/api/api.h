/*
 * api: the resource handlers, one file per resource. Each handler runs on a request thread,
 * after router.c has matched the route and auth.c has checked the role; it validates its input
 * (jsonv), runs writes as store jobs (store_write: 2xx only after commit) and answers once.
 *
 * Handlers are static: each src/api/<name>.c declares its own routes at its end
 * (HTTP_ROUTES(<name>, routes), http/http.h) and src/api/resources.def lists the files. This
 * header holds only what several handlers share.
 */
#ifndef TOCSIN_API_H
#define TOCSIN_API_H

#include "http/http.h"
#include "domain/alert.h"
#include "domain/incident.h"
#include "domain/postmortem.h"
#include "store/credentials.h"

/* JSON of the shared objects: incidents.c, integrations.c, alerts.c */
json_t *api_incident_json(const struct incident *inc, const struct config *cfg, int64_t now);
json_t *api_integration_json(const struct store_credential *i);
json_t *api_alert_json(const struct alert *a);

/* helpers shared by handlers (incidents.c) */
json_t *api_time(int64_t ms);           /* RFC 3339 string, or null for 0 */
json_t *api_str_or_null(const char *s); /* the string, or null for NULL */
/* A post-mortem's review meeting {at, minutes, attendees, sequence}, or null (postmortem_review.c)
 */
json_t *postmortem_review_json(const struct postmortem *pm);
/* catalog.c: a config string list as a JSON array */
json_t *api_strings(const struct string_list *l);
/* The incident named by the path ({id}, params[0]) into *inc (caller frees its fields); false
 * when it answered 404 (no such incident) or 503 itself. */
bool api_incident_load_or_reply(struct request *r, struct incident *inc);
/* maintenances.c: the status page components a body's "components" names (a JSON array text
 * into *out; absent: unchanged, or "[]" when absent_is_empty, which also takes null), 400/422
 * naming the entry; whether `name` is a component (a service's `component`). */
enum { API_COMPONENTS_MAX = 64 };
enum result api_components_parse(json_t *body, const struct config *cfg, bool absent_is_empty,
                                 char **out, struct error *err);
bool api_component_known(const struct config *c, const char *name);
/* reports.c: answers the monthly review `rep` (taken) as "json", "markdown" or "csv". */
void api_reply_report(struct request *r, json_t *rep, const char *format);

#endif
