/*
 * notify_enqueue: notifications that always get through, the producer side. Producers (the
 * escalation engine, cadence reminders, hand-offs, the API) queue messages with notify_enqueue
 * INSIDE their store transaction, so a notification is a row (the outbox) before it is a request.
 * The notifier thread (runtime/notifier.h) delivers the rows through the channel table
 * (channels/channel.h), records every attempt, retries with backoff and jitter, honours
 * Retry-After, and falls back to the user's next method (notify_fallback) when one fails for good.
 *
 * Threads: the store writer thread (inside a job).
 */
#ifndef TOCSIN_NOTIFY_ENQUEUE_H
#define TOCSIN_NOTIFY_ENQUEUE_H

#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"
#include "domain/notify_render.h"
#include "store/notifications.h"
#include "store/store.h"
#include "util/result.h"

struct notify_message {
    enum notify_kind kind;
    const char *key;            /* producer's dedup key, e.g. "step:0:1"; with incident, user
                                   and method it makes the row unique: queuing twice adds none */
    const char *user;           /* a config user id */
    const struct incident *inc; /* NULL for hand-offs and info */
    const char *subject;        /* one line; NULL: made from the incident */
    const char *text;           /* plain text body; NULL: made from the incident */
    const char *reason;         /* why (for the timeline), e.g. "escalation step 2" */
    const char *actor;          /* who queues it, for the timeline; NULL: "system" */
    const char *note;           /* a line put first in the text made from the incident, or NULL */
    int64_t hold_until;         /* business hours: no row due before this (0: none) */
    const char *only_method;    /* this method alone, whatever the rules (a stakeholder's mail);
                                   ERR_UNPROCESSABLE when the user lacks it; NULL: the rules */
    unsigned *dropped;          /* optional out: += the methods named for the message that cannot
                                   reach the user (notify_dropped_methods), for the metric */
};

/* Queues m for its user: one outbox row per method chosen by every matching notify rule of the
 * user for the incident's severity (else the severity's channels, else every method the user
 * has), each due at now + its rule's delay. Appends notify.queued (user, methods, and `dropped`:
 * the methods named for it that cannot reach the user, each with why) to the timeline when inc is
 * set. *queued: rows added (0 when all existed). ERR_UNPROCESSABLE when the user has no method. */
enum result notify_enqueue(struct store_conn *tx, const struct config *cfg,
                           const struct notify_message *m, int64_t now, int *queued,
                           struct error *err);

/* The incident's ticket (notify.ticket), when its severity's `notify:` names `ticket`: one outbox
 * row per incident (key "ticket", user "ticket:<incident id>", kind info, method ticket), queued
 * at most once whatever the number of calls; ticket.queued on the timeline when added. A config
 * without notify.ticket still queues it: the row then fails (notify.failed on the timeline).
 * *queued: 1 when added. */
enum result notify_enqueue_ticket(struct store_conn *tx, const struct config *cfg,
                                  const struct incident *inc, int64_t now, int *queued,
                                  struct error *err);

/* Queues the row's message for the user's next method with no row yet for (incident, key, user).
 * *method gets it (NULL when none is left). Inside a store job. */
enum result notify_fallback(struct store_conn *tx, const struct config *cfg,
                            const struct store_notification *failed, int64_t now,
                            const char **method, struct error *err);

#endif
