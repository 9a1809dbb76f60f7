/*
 * jobs/status_webhooks: the status page's webhook subscribers (kind "webhook"): their
 * Statuspage-shaped notifications (domain/status_webhook.h) queued in the notification outbox
 * inside the transaction that made the news, and the record of each delivery attempt.
 *
 * Outbox rows: user "subscriber:ID", method "status_webhook", address the endpoint, subject a
 * short description ("incident INC-... investigating", "component_update API: major_outage"),
 * body the JSON to POST, no incident. The channel (channels/status_webhook.c) signs it with the
 * subscriber's secret (sub_webhook_secret) and never bundles two rows.
 *
 * component_update: the statuses of the components are worked out from the unresolved public
 * incidents and the active maintenance windows as stored before the change and as they will be
 * after it; each component that moves is one notification. Probe results do not take part (a
 * probe's own alert opens the incident that does).
 *
 * Threads: the store writer thread (inside a job).
 */
#ifndef TOCSIN_JOBS_STATUS_WEBHOOKS_H
#define TOCSIN_JOBS_STATUS_WEBHOOKS_H

#include "config/config.h"
#include "domain/incident.h"
#include "domain/maintenance.h"
#include "domain/subscriber.h"
#include "store/store.h"
#include "util/result.h"

#define STATUS_WEBHOOK_METHOD "status_webhook"

/* A public update on incident inc (inc as it will be stored; the store still holds the incident
 * as it was): the "incident" notification to the webhook subscribers of its component, and a
 * "component_update" for each component whose status it moves. Drills tell no one. */
enum result status_webhooks_incident(struct store_conn *tx, const struct config *cfg,
                                     const unsigned char key[SUB_KEY_LEN],
                                     const struct incident *inc, int64_t now, struct error *err);

/* An update on maintenance window m (as stored: the clock's move or a person's): its subscribers
 * were last told it was `from`, the page now shows its effective status at now. A
 * "component_update" for each component whose status that moves (under_maintenance when it
 * starts, back when it ends). */
enum result status_webhooks_maintenance(struct store_conn *tx, const struct config *cfg,
                                        const unsigned char key[SUB_KEY_LEN],
                                        const struct maintenance *m, enum maint_status from,
                                        int64_t now, struct error *err);

/* One delivery attempt of an outbox row of webhook subscriber `user` ("subscriber:ID"): a
 * delivered one sets its failures back to 0; a failed one counts, and the
 * status_page.webhook_failure_limit-th in a row disables the subscriber (log, timeline
 * "subscriber.disabled"). *disabled is set when this attempt disabled it. */
enum result status_webhooks_attempt(struct store_conn *tx, const struct config *cfg,
                                    const char *user, bool ok, const char *why, int64_t now,
                                    bool *disabled, struct error *err);

#endif
