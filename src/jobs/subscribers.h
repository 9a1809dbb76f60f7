/*
 * jobs/subscribers: mail to status page subscribers, queued in the notification outbox inside
 * the transaction that made the news (a public incident update, a maintenance update), so a
 * notice is a row before it is a mail and the notifier delivers it with its retries (outbox rows
 * with user "subscriber:ID", method "email", no incident: nothing internal is linked).
 *
 * Every mail carries the subscriber's unsubscribe link; the confirmation mail carries the confirm
 * link (double opt-in). Links: server.public_url + "/status/subscribers/ID/{confirm|unsubscribe}/
 * TOKEN" (domain/subscriber.h). Threads: the store writer thread (inside a job).
 */
#ifndef TOCSIN_JOBS_SUBSCRIBERS_H
#define TOCSIN_JOBS_SUBSCRIBERS_H

#include "config/config.h"
#include "domain/subscriber.h"
#include "store/store.h"
#include "util/result.h"

struct sub_notice {
    const char *key;        /* what makes it unique per subscriber, e.g. "INC-...:42" */
    const char *component;  /* the component it is about, or NULL (every subscriber hears it) */
    const char *components; /* or a JSON array of several (a maintenance window), or NULL */
    const char *subject;
    const char *text; /* the body, before the links */
};

/* One outbox row per confirmed subscriber who wants n's component; *queued gets how many (rows
 * queued before are not queued again). */
enum result subscribers_notify(struct store_conn *tx, const struct config *cfg,
                               const unsigned char key[SUB_KEY_LEN], const struct sub_notice *n,
                               int64_t now, int *queued, struct error *err);
/* The confirmation mail of subscriber s (dedup key "confirm:<n>": the caller's count of sends). */
enum result subscribers_confirm_mail(struct store_conn *tx, const struct config *cfg,
                                     const unsigned char key[SUB_KEY_LEN],
                                     const struct subscriber *s, const char *dkey, int64_t now,
                                     struct error *err);

/* The notice of a public update on incident inc (status: Statuspage's update status, message: the
 * update's text): to the subscribers of its service's component. Drills tell no one. */
struct incident;
enum result subscribers_incident_update(struct store_conn *tx, const struct config *cfg,
                                        const unsigned char key[SUB_KEY_LEN],
                                        const struct incident *inc, const char *status,
                                        const char *message, int64_t now, struct error *err);

/* The notice of an update posted on maintenance window m: to the subscribers of any of its
 * components. */
struct maintenance;
enum result subscribers_maintenance_update(struct store_conn *tx, const struct config *cfg,
                                           const unsigned char key[SUB_KEY_LEN],
                                           const struct maintenance *m, const char *status,
                                           const char *message, int64_t now, struct error *err);

#endif
