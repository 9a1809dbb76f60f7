/*
 * status_webhook: the bodies tocsin POSTs to the status page's webhook subscribers, shaped like
 * Atlassian Statuspage's webhook notifications (docs/api.md "Webhook subscribers"):
 *
 *   {"meta": {"unsubscribe": URL, "documentation": URL},
 *    "page": {"id", "status_indicator", "status_description"},
 *    "incident": {... as /api/v2/incidents.json, with its public updates, newest first}}
 * or
 *   {"meta": ..., "page": ...,
 *    "component_update": {"id", "component_id", "old_status", "new_status", "created_at"},
 *    "component": {"id", "name", "status", "created_at"}}
 *
 * Pure: built from sp_page structs (domain/status_page.h) and the times passed in; no I/O.
 */
#ifndef TOCSIN_DOMAIN_STATUS_WEBHOOK_H
#define TOCSIN_DOMAIN_STATUS_WEBHOOK_H

#include <jansson.h>
#include <stdint.h>

#include "domain/status_page.h"

/* "meta" and "page" of every body: unsubscribe is the subscriber's signed link, base_url the
 * server's public URL without a trailing slash. */
json_t *sp_webhook_envelope(const struct sp_page *p, const char *base_url, const char *unsubscribe);
/* The "incident" object of incident i of page p. */
json_t *sp_webhook_incident(const struct sp_page *p, const struct sp_incident *i,
                            const char *base_url);
/* Adds "component_update" and "component" to body: component k of `after` moved from `old` to
 * its status at `now`. */
void sp_webhook_component_update(json_t *body, const struct sp_page *after, size_t k,
                                 enum sp_component_status old, int64_t now);

#endif
