/*
 * jobs/postmortem: post-mortems and action items in store transactions (docs/internals/
 * postmortems.md). Each *_write runs one store job: it reads what it changes, applies the rule
 * from domain/postmortem.c, writes the row and appends the change to the incident's timeline, all
 * or nothing. The request thread validates the input first (ids of config users, lengths, field
 * names); the job answers ERR_NOT_FOUND / ERR_CONFLICT naming the field.
 *
 * followup_pass (engine thread): reminds the owners of overdue post-mortems and action items
 * through the notification outbox, at most once per POSTMORTEM_REMIND_EVERY each.
 *
 * Threads: the *_write entry points and postmortem_render_doc on request threads; followup_pass
 * on the engine thread; the jobs on the store writer.
 */
#ifndef TOCSIN_JOBS_POSTMORTEM_H
#define TOCSIN_JOBS_POSTMORTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "app/app.h"
#include "domain/incident.h"
#include "domain/postmortem.h"
#include "store/store.h"
#include "util/buf.h"

/* Creates the incident's post-mortem. *out is filled on OK (caller frees its fields). */
enum result postmortem_create_write(struct app *app, const struct config *cfg,
                                    const char *incident_id, const char *owner, const char *actor,
                                    struct postmortem *out, struct error *err);

/* A change to a post-mortem: the fields given (set[f]; value NULL clears), the owner, the state. */
struct postmortem_change {
    bool set[PM_FIELD_COUNT];
    const char *value[PM_FIELD_COUNT];
    bool set_owner;
    const char *owner; /* NULL: none */
    int state;         /* -1: unchanged */
};
enum result postmortem_change_write(struct app *app, const char *id,
                                    const struct postmortem_change *ch, const char *actor,
                                    struct postmortem *out, struct error *err);

/* The review meeting (jobs/postmortem_review.c): schedules (or moves) it at `at` for `minutes`,
 * with the attendees (config user ids with an email address, checked by the caller); the
 * SEQUENCE goes up by one; postmortem.review_scheduled on the timeline; each attendee gets the
 * iCalendar invite by email through the outbox (key pm-review:<id>:<seq>); attendees of the
 * earlier meeting no longer listed get a cancellation (key pm-review:<id>:<seq>:cancel) and are
 * in the entry's `dropped`. ERR_NOT_FOUND naming
 * `id`, ERR_CONFLICT naming `state` when the post-mortem is published. */
enum result postmortem_review_write(struct app *app, const struct config *cfg, const char *id,
                                    int64_t at, int minutes, const char *const *attendees, size_t n,
                                    const char *actor, struct postmortem *out, struct error *err);

/* Cancels the review meeting: every attendee gets an iCalendar METHOD:CANCEL (same UID,
 * SEQUENCE + 1) by email through the outbox (key pm-review:<id>:<seq>:cancel); the meeting leaves
 * the row; postmortem.review_cancelled on the timeline. ERR_NOT_FOUND naming `id`; ERR_CONFLICT
 * naming `review` when none is scheduled or it is over. */
enum result postmortem_review_cancel(struct app *app, const struct config *cfg, const char *id,
                                     const char *actor, struct postmortem *out, struct error *err);

/* The document of pm, Markdown, into out (read through c). */
enum result postmortem_render_doc(struct store_conn *c, const struct config *cfg,
                                  const struct postmortem *pm, struct buf *out, struct error *err);

/* Inside the close of an incident (a job): what the incident's post-mortem is, for
 * incident_close's gate: out->id (in id_buf) and out->published, or out->id NULL when it has
 * none. out->waiver is left as it is. */
/* Reads post-mortem `id` into *pm (the store's; postmortem_free_fields it): 404 "id: no
 * post-mortem ..." when unknown, the store's error otherwise. */
enum result postmortem_read(struct store_conn *tx, const char *id, struct postmortem *pm,
                            struct error *err);
enum result postmortem_close_read(struct store_conn *tx, const char *incident_id,
                                  struct incident_close_pm *out, char id_buf[POSTMORTEM_ID_MAX],
                                  struct error *err);

/* Action items. add: a->id is given by the job ("ACT-<n>"); the incident and post-mortem named
 * must exist (ERR_UNPROCESSABLE naming the field). */
enum result action_add_write(struct app *app, struct action_item *a, const char *actor,
                             struct error *err);
/* A change to an action item; NULL/absent members are unchanged. done: moves it to done. */
struct action_change {
    const char *title, *priority;
    bool set_owner, set_due, done;
    const char *owner;
    int64_t due_at;
};
enum result action_change_write(struct app *app, const char *id, const struct action_change *ch,
                                const char *actor, struct action_item *out, struct error *err);

/* Reminds every overdue post-mortem and action item whose reminder is due at now; returns the
 * earlier of `next` and the next reminder's time. *queued += notifications queued. */
int64_t followup_pass(struct app *app, const struct config *cfg, int64_t now, int *queued,
                      int64_t next);

#endif
