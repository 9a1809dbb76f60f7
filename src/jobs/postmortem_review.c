/*
 * jobs/postmortem_review: the post-mortem's review meeting in one store job (jobs/postmortem.h):
 * the meeting on the row, postmortem.review_scheduled on the timeline, and one invite per
 * attendee in the outbox (email only: the iCalendar text follows the message, and the email
 * channel sends it as a text/calendar part); attendees dropped by a move get a cancellation
 * (METHOD:CANCEL, same UID and SEQUENCE); cancelling the meeting sends everyone one
 * (postmortem.review_cancelled). All or nothing. Threads: entry point on request
 * threads, the job on the store writer.
 */
#include "domain/review_invite.h"
#include "jobs/notify_enqueue.h"
#include "jobs/postmortem.h"
#include "jobs/timeline.h"
#include "store/incidents.h"
#include "store/postmortems.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { REVIEW_ATTENDEES_MAX = 50 };

struct review_job {
    struct tclock *clock;
    const struct config *cfg;
    const char *id, *actor;
    int64_t at;
    int minutes;
    const char *const *attendees;
    size_t n;
    struct postmortem *out;
};

/* Queues the message (text, then the calendar) to each user, by email only (its dedup key starts
 * with "pm-review:", which is what lets the email channel attach the calendar part). */
static enum result mail_calendar(struct store_conn *tx, const struct config *cfg,
                                 const struct incident *inc, const char *key, const char *subject,
                                 const char *intro, const char *ics, const char *const *users,
                                 size_t n, const char *reason, const char *actor, int64_t now,
                                 struct error *err)
{
    struct buf text;
    buf_init(&text, 64 * 1024);
    buf_printf(&text, "%s\n\n%s", intro, ics);
    enum result result = OK;
    for (size_t i = 0; i < n && result == OK; i++) {
        struct notify_message m = {.kind = NOTIFY_INFO,
                                   .key = key,
                                   .user = users[i],
                                   .inc = inc,
                                   .subject = subject,
                                   .text = text.data,
                                   .reason = reason,
                                   .actor = actor,
                                   .only_method = "email"};
        result = notify_enqueue(tx, cfg, &m, now, NULL, err);
    }
    buf_free(&text);
    return result;
}

static enum result invite_all(struct store_conn *tx, const struct review_job *j,
                              const struct postmortem *pm, const struct incident *inc, int64_t now,
                              struct error *err)
{
    const char *emails[REVIEW_ATTENDEES_MAX];
    for (size_t i = 0; i < j->n; i++) {
        const struct config_user *u = config_user_find(j->cfg, j->attendees[i]);
        emails[i] = u ? notify_user_address(u, "email") : NULL;
        if (!emails[i])
            return error_set(err, ERR_UNPROCESSABLE, "attendees: %s has no email address",
                             j->attendees[i]);
    }
    char *ics = review_invite_ics(pm, inc, emails, j->n, j->cfg->notify.email.from, now);
    if (!ics)
        return error_set(err, ERR_INTERNAL, "internal: cannot encode the invite");
    char key[96], at[RFC3339_LEN], subject[300], intro[1024];
    snprintf(key, sizeof key, "pm-review:%s:%d", pm->id, pm->review_seq);
    time_format_rfc3339(pm->review_at, at);
    snprintf(subject, sizeof subject, "%s: post-mortem review of %s, %s UTC",
             pm->review_seq > 1 ? "Moved" : "Invitation", inc->id, at);
    snprintf(intro, sizeof intro,
             "The review meeting of the post-mortem %s (%s: %.300s) is at %s for %d minutes.\n"
             "Read it first: tocsin postmortem show %s",
             pm->id, inc->id, inc->title, at, pm->review_minutes, pm->id);
    enum result result = mail_calendar(tx, j->cfg, inc, key, subject, intro, ics, j->attendees,
                                       j->n, "post-mortem review invite", j->actor, now, err);
    free(ics);
    return result;
}

/* The users of the comma-separated list `was` that are not in now[0..n): into out (pointing into
 * *buf, which the caller frees), at most REVIEW_ATTENDEES_MAX of them. */
static size_t dropped_users(const char *was, const char *const *now_list, size_t n, char **buf,
                            const char **out)
{
    *buf = xstrdup(was ? was : "");
    size_t k = 0;
    for (char *save = NULL, *t = strtok_r(*buf, ",", &save); t && k < REVIEW_ATTENDEES_MAX;
         t = strtok_r(NULL, ",", &save)) {
        bool kept = false;
        for (size_t i = 0; i < n && !kept; i++)
            kept = strcmp(now_list[i], t) == 0;
        if (!kept)
            out[k++] = t;
    }
    return k;
}

/* Sends the cancellation (METHOD:CANCEL, SEQUENCE pm->review_seq, the meeting as pm has it) to
 * users; those without an email address any more are listed in no_email (nothing can reach
 * them: the timeline says so). */
static enum result cancel_some(struct store_conn *tx, const struct config *cfg,
                               const struct postmortem *pm, const struct incident *inc,
                               const char *const *users, size_t n, const char *actor, int64_t now,
                               json_t *no_email, struct error *err)
{
    const char *emails[REVIEW_ATTENDEES_MAX], *to[REVIEW_ATTENDEES_MAX];
    size_t m = 0;
    for (size_t i = 0; i < n && i < REVIEW_ATTENDEES_MAX; i++) {
        const struct config_user *u = config_user_find(cfg, users[i]);
        const char *e = u ? notify_user_address(u, "email") : NULL;
        if (!e) {
            json_array_append_new(no_email, json_string(users[i]));
            continue;
        }
        emails[m] = e;
        to[m++] = users[i];
    }
    if (m == 0)
        return OK;
    char *ics = review_cancel_ics(pm, inc, emails, m, cfg->notify.email.from, now);
    if (!ics)
        return error_set(err, ERR_INTERNAL, "internal: cannot encode the cancellation");
    char key[96], at[RFC3339_LEN], subject[300], intro[1024];
    snprintf(key, sizeof key, "pm-review:%s:%d:cancel", pm->id, pm->review_seq);
    time_format_rfc3339(pm->review_at, at);
    snprintf(subject, sizeof subject, "Cancelled: post-mortem review of %s", inc->id);
    snprintf(intro, sizeof intro,
             "The review meeting of the post-mortem %s (%s: %.300s) is cancelled for you; your "
             "calendar removes it.",
             pm->id, inc->id, inc->title);
    enum result result = mail_calendar(tx, cfg, inc, key, subject, intro, ics, to, m,
                                       "post-mortem review cancelled", actor, now, err);
    free(ics);
    return result;
}

static enum result review_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct review_job *j = arg;
    int64_t now = clock_now(j->clock);
    struct postmortem *pm = j->out;
    enum result result = postmortem_read(tx, j->id, pm, err);
    if (result != OK)
        return result;
    if (pm->state == PM_PUBLISHED)
        return error_set(err, ERR_CONFLICT,
                         "state: %s is published; its review is over (no meeting to schedule)",
                         pm->id);
    struct incident inc = {0};
    if ((result = store_incident_get(tx, pm->incident_id, &inc)) != OK)
        return error_set(err, result, "store: cannot read incident %s", pm->incident_id);
    const char *dropped[REVIEW_ATTENDEES_MAX];
    char *dropped_buf = NULL;
    size_t ndropped = pm->review_at ? dropped_users(pm->review_attendees, j->attendees, j->n,
                                                    &dropped_buf, dropped)
                                    : 0;
    struct buf list;
    buf_init(&list, 4096);
    json_t *names = json_array(), *gone = json_array(), *no_email = json_array();
    for (size_t i = 0; i < j->n; i++) {
        buf_printf(&list, "%s%s", i ? "," : "", j->attendees[i]);
        json_array_append_new(names, json_string(j->attendees[i]));
    }
    for (size_t i = 0; i < ndropped; i++)
        json_array_append_new(gone, json_string(dropped[i]));
    free(pm->review_attendees);
    pm->review_attendees = buf_steal(&list);
    pm->review_at = j->at;
    pm->review_minutes = j->minutes;
    pm->review_seq++;
    pm->updated_at = now;
    if ((result = store_postmortem_update(tx, pm)) != OK)
        error_set(err, result, "store: cannot update %s", pm->id);
    if (result == OK)
        result = invite_all(tx, j, pm, &inc, now, err);
    if (result == OK)
        result = cancel_some(tx, j->cfg, pm, &inc, dropped, ndropped, j->actor, now, no_email, err);
    char at[RFC3339_LEN];
    time_format_rfc3339(j->at, at);
    if (result == OK)
        result =
            timeline_append(tx, now, j->actor, "postmortem.review_scheduled", inc.id,
                            json_pack("{s:s,s:s,s:i,s:O,s:i,s:O,s:O}", "id", pm->id, "at", at,
                                      "minutes", j->minutes, "attendees", names, "sequence",
                                      pm->review_seq, "dropped", gone, "cancel_not_sent", no_email),
                            NULL, err);
    json_decref(names);
    json_decref(gone);
    json_decref(no_email);
    free(dropped_buf);
    incident_free_fields(&inc);
    return result;
}

struct cancel_job {
    struct tclock *clock;
    const struct config *cfg;
    const char *id, *actor;
    struct postmortem *out;
};

static enum result cancel_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct cancel_job *j = arg;
    int64_t now = clock_now(j->clock);
    struct postmortem *pm = j->out;
    enum result result = postmortem_read(tx, j->id, pm, err);
    if (result != OK)
        return result;
    char at[RFC3339_LEN];
    time_format_rfc3339(pm->review_at, at);
    if (!pm->review_at)
        return error_set(err, ERR_CONFLICT, "review: %s has no review meeting scheduled", pm->id);
    if (pm->review_at <= now)
        return error_set(
            err, ERR_CONFLICT,
            "review: the review meeting of %s was at %s; it is over, nothing to cancel", pm->id,
            at);
    struct incident inc = {0};
    if ((result = store_incident_get(tx, pm->incident_id, &inc)) != OK)
        return error_set(err, result, "store: cannot read incident %s", pm->incident_id);
    const char *everyone[REVIEW_ATTENDEES_MAX];
    char *buf = NULL;
    size_t n = dropped_users(pm->review_attendees, NULL, 0, &buf, everyone);
    json_t *names = json_array(), *no_email = json_array();
    for (size_t i = 0; i < n; i++)
        json_array_append_new(names, json_string(everyone[i]));
    pm->review_seq++;
    result = cancel_some(tx, j->cfg, pm, &inc, everyone, n, j->actor, now, no_email, err);
    int seq = pm->review_seq;
    free(pm->review_attendees);
    pm->review_attendees = NULL;
    pm->review_at = 0;
    pm->review_minutes = 0;
    pm->updated_at = now;
    if (result == OK && (result = store_postmortem_update(tx, pm)) != OK)
        error_set(err, result, "store: cannot update %s", pm->id);
    if (result == OK)
        result =
            timeline_append(tx, now, j->actor, "postmortem.review_cancelled", inc.id,
                            json_pack("{s:s,s:s,s:O,s:i,s:O}", "id", pm->id, "at", at, "attendees",
                                      names, "sequence", seq, "cancel_not_sent", no_email),
                            NULL, err);
    json_decref(names);
    json_decref(no_email);
    free(buf);
    incident_free_fields(&inc);
    return result;
}

enum result postmortem_review_cancel(struct app *app, const struct config *cfg, const char *id,
                                     const char *actor, struct postmortem *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    struct cancel_job j = {app->clock, cfg, id, actor, out};
    return store_write(app->store, cancel_job, &j, err);
}

enum result postmortem_review_write(struct app *app, const struct config *cfg, const char *id,
                                    int64_t at, int minutes, const char *const *attendees, size_t n,
                                    const char *actor, struct postmortem *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    if (n == 0 || n > REVIEW_ATTENDEES_MAX)
        return error_set(err, ERR_BAD_REQUEST, "attendees: give 1 to %d users",
                         REVIEW_ATTENDEES_MAX);
    struct review_job j = {app->clock, cfg, id, actor, at, minutes, attendees, n, out};
    return store_write(app->store, review_job, &j, err);
}
