/*
 * notify: notifications that always get through. Producers (the escalation engine, cadence
 * reminders, hand-offs) queue messages with notify_enqueue INSIDE their store transaction, so a
 * notification is a row (the outbox) before it is a request. The notifier thread (outbox.c) takes
 * due rows, delivers them through the channel table (chan_email.c, chan_sms.c, chan_slack.c,
 * chan_webhook.c) with libcurl multi, records every attempt, retries with backoff and jitter,
 * honours Retry-After, and falls back to the user's next method when one fails for good.
 *
 * Threads: notify_enqueue on the store writer thread (inside a job); notifier_* from any thread;
 * delivery on the notifier thread only.
 */
#ifndef TOCSIN_NOTIFY_H
#define TOCSIN_NOTIFY_H

#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"
#include "store/store.h"
#include "util/result.h"

struct app;
struct notifier;

enum notify_kind {
    NOTIFY_PAGE,     /* an escalation step: carries an ack link */
    NOTIFY_REMINDER, /* a status update is due (comms cadence) */
    NOTIFY_HANDOFF,  /* a shift starts: open incidents, hand-off checklist */
    NOTIFY_INFO,     /* anything else worth telling a person */
};

struct notify_message {
    enum notify_kind kind;
    const char *key;            /* producer's dedup key, e.g. "step:0:1"; with incident, user
                                   and method it makes the row unique: queuing twice adds none */
    const char *user;           /* a config user id */
    const struct incident *inc; /* NULL for hand-offs and info */
    const char *subject;        /* one line; NULL: made from the incident */
    const char *text;           /* plain text body; NULL: made from the incident */
    const char *reason;         /* why (for the timeline), e.g. "escalation step 2" */
    /* additions (notify part) */
    const char *actor; /* who queues it, for the timeline; NULL: "system" */
    const char *note;  /* a line put first in the text made from the incident, or NULL */
};

/* Queues m for its user: one outbox row per method chosen by the user's notify rules for the
 * incident's severity (else the severity's channels, else every method the user has), due at
 * now + the rule's delay. Appends notify.queued (user, methods) to the timeline when inc is set.
 * *queued: rows added (0 when all existed). ERR_UNPROCESSABLE when the user has no method. */
enum result notify_enqueue(struct store_conn *tx, const struct config *cfg,
                           const struct notify_message *m, int64_t now, int *queued,
                           struct error *err);

struct notifier *notifier_start(struct app *app);
void notifier_stop(struct notifier *n);
/* New rows may be due (after a commit that queued some, or the clock moved). */
void notifier_kick(struct notifier *n);
/* Kicks and waits until a pass that started after the call has finished: every row due at the
 * call's clock time was attempted and the attempt recorded (bounded: 30 s). */
void notifier_sync(struct notifier *n);

/* ---- additions (notify part) ---- */

/* The key that signs ack links (DATA/notify.key, loaded or created by notifier_start; see
 * notify/acklink.h). */
const unsigned char *notifier_ack_key(const struct notifier *n);

#endif
