/*
 * stakeholders: the people told of each public update of an incident by email, never paged
 * (severities[].stakeholders: executive briefings for the severe ones). Threads: the store
 * writer thread (inside the job that posts the update).
 */
#ifndef TOCSIN_STAKEHOLDERS_H
#define TOCSIN_STAKEHOLDERS_H

#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"
#include "store/store.h"
#include "util/result.h"

/* Queues one email (kind info: no ack link, never escalated, never cancelled by an ack) with
 * `message` first to each stakeholder of inc's severity; each is on the timeline as
 * notify.queued. A stakeholder without an email address is not an error: stakeholders.skipped
 * on the timeline says who and why (and the log). */
enum result stakeholders_brief(struct store_conn *tx, const struct config *cfg,
                               const struct incident *inc, const char *message, const char *actor,
                               int64_t now, struct error *err);

#endif
