/*
 * jobs/postmortem_review: the post-mortem's review meeting in one store job (jobs/postmortem.h):
 * the meeting on the row, postmortem.review_scheduled on the timeline, and one invite per
 * attendee in the outbox (email only: the iCalendar text follows the message, and the email
 * channel sends it as a text/calendar part). All or nothing. Threads: entry point on request
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
    char key[96], at[RFC3339_LEN], subject[300];
    snprintf(key, sizeof key, "pm-review:%s:%d", pm->id, pm->review_seq);
    time_format_rfc3339(pm->review_at, at);
    snprintf(subject, sizeof subject, "%s: post-mortem review of %s, %s UTC",
             pm->review_seq > 1 ? "Moved" : "Invitation", inc->id, at);
    struct buf text;
    buf_init(&text, 64 * 1024);
    buf_printf(&text,
               "The review meeting of the post-mortem %s (%s: %s) is at %s for %d minutes.\n"
               "Read it first: tocsin postmortem show %s\n\n%s",
               pm->id, inc->id, inc->title, at, pm->review_minutes, pm->id, ics);
    free(ics);
    enum result result = OK;
    for (size_t i = 0; i < j->n && result == OK; i++) {
        struct notify_message m = {.kind = NOTIFY_INFO,
                                   .key = key,
                                   .user = j->attendees[i],
                                   .inc = inc,
                                   .subject = subject,
                                   .text = text.data,
                                   .reason = "post-mortem review invite",
                                   .actor = j->actor,
                                   .only_method = "email"};
        result = notify_enqueue(tx, j->cfg, &m, now, NULL, err);
    }
    buf_free(&text);
    return result;
}

static enum result review_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct review_job *j = arg;
    int64_t now = clock_now(j->clock);
    struct postmortem *pm = j->out;
    enum result result = store_postmortem_get(tx, j->id, pm);
    if (result != OK)
        return error_set(err, result,
                         result == ERR_NOT_FOUND ? "id: no post-mortem %.64s"
                                                 : "store: cannot read %.64s",
                         j->id);
    if (pm->state == PM_PUBLISHED)
        return error_set(err, ERR_CONFLICT,
                         "state: %s is published; its review is over (no meeting to schedule)",
                         pm->id);
    struct incident inc = {0};
    if ((result = store_incident_get(tx, pm->incident_id, &inc)) != OK)
        return error_set(err, result, "store: cannot read incident %s", pm->incident_id);
    struct buf list;
    buf_init(&list, 4096);
    json_t *names = json_array();
    for (size_t i = 0; i < j->n; i++) {
        buf_printf(&list, "%s%s", i ? "," : "", j->attendees[i]);
        json_array_append_new(names, json_string(j->attendees[i]));
    }
    free(pm->review_attendees);
    pm->review_attendees = buf_steal(&list);
    pm->review_at = j->at;
    pm->review_minutes = j->minutes;
    pm->review_seq++;
    pm->updated_at = now;
    if ((result = store_postmortem_update(tx, pm)) != OK)
        error_set(err, result, "store: cannot update %s", pm->id);
    char at[RFC3339_LEN];
    time_format_rfc3339(j->at, at);
    if (result == OK)
        result =
            timeline_append(tx, now, j->actor, "postmortem.review_scheduled", inc.id,
                            json_pack("{s:s,s:s,s:i,s:O,s:i}", "id", pm->id, "at", at, "minutes",
                                      j->minutes, "attendees", names, "sequence", pm->review_seq),
                            NULL, err);
    if (result == OK)
        result = invite_all(tx, j, pm, &inc, now, err);
    json_decref(names);
    buf_free(&list);
    incident_free_fields(&inc);
    return result;
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
