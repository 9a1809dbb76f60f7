/*
 * jobs/actions: action items in store transactions (jobs/postmortem.h): add (id from the
 * counter "action"), change, done; each change on the linked incident's timeline (entries of an
 * item linked to no incident are on the timeline without one). Threads: entry points on request
 * threads, jobs on the store writer.
 */
#include "jobs/postmortem.h"
#include "jobs/timeline.h"
#include "store/actions.h"
#include "store/incidents.h"
#include "store/postmortems.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *time_or_null(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[RFC3339_LEN];
    time_format_rfc3339(ms, s);
    return json_string(s);
}

struct add_job {
    struct tclock *clock;
    struct action_item *a;
    const char *actor;
};

/* The incident and post-mortem an item names exist; a post-mortem alone names its incident. */
static enum result check_links(struct store_conn *tx, struct action_item *a, struct error *err)
{
    enum result result = OK;
    if (a->postmortem_id) {
        struct postmortem pm;
        result = store_postmortem_get(tx, a->postmortem_id, &pm);
        if (result == ERR_NOT_FOUND)
            return error_set(err, ERR_UNPROCESSABLE, "postmortem: no post-mortem %.64s",
                             a->postmortem_id);
        if (result != OK)
            return error_set(err, result, "store: cannot read %.64s", a->postmortem_id);
        if (a->incident_id && strcmp(a->incident_id, pm.incident_id) != 0)
            result =
                error_set(err, ERR_UNPROCESSABLE, "incident: %.64s is not the incident of %s (%s)",
                          a->incident_id, pm.id, pm.incident_id);
        else if (!a->incident_id)
            a->incident_id = xstrdup(pm.incident_id);
        postmortem_free_fields(&pm);
        if (result != OK)
            return result;
    }
    if (a->incident_id) {
        struct incident inc = {0};
        result = store_incident_get(tx, a->incident_id, &inc);
        if (result == ERR_NOT_FOUND)
            return error_set(err, ERR_UNPROCESSABLE, "incident: no incident %.64s", a->incident_id);
        if (result != OK)
            return error_set(err, result, "store: cannot read %.64s", a->incident_id);
        incident_free_fields(&inc);
    }
    return OK;
}

static json_t *action_data(const struct action_item *a)
{
    return json_pack("{s:s,s:s,s:s?,s:s,s:o,s:s}", "id", a->id, "title", a->title, "owner",
                     a->owner, "priority", a->priority, "due_at", time_or_null(a->due_at), "status",
                     action_status_name(a->status));
}

static enum result add_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct add_job *j = arg;
    struct action_item *a = j->a;
    int64_t now = clock_now(j->clock), n = 0;
    enum result result = check_links(tx, a, err);
    if (result != OK)
        return result;
    if ((result = store_counter_next(tx, "action", &n)) != OK)
        return error_set(err, result, "store: cannot number the action item");
    snprintf(a->id, sizeof a->id, "ACT-%lld", (long long)n);
    a->status = ACTION_OPEN;
    a->created_at = a->updated_at = now;
    a->done_at = 0;
    a->created_by = xstrdup(j->actor);
    a->remind_at = postmortem_next_remind(a->due_at, now);
    if ((result = store_action_insert(tx, a)) != OK)
        return error_set(err, result, "store: cannot store the action item");
    json_t *data = action_data(a);
    json_object_set_new(data, "postmortem",
                        a->postmortem_id ? json_string(a->postmortem_id) : json_null());
    return timeline_append(tx, now, j->actor, "action.created", a->incident_id, data, NULL, err);
}

enum result action_add_write(struct app *app, struct action_item *a, const char *actor,
                             struct error *err)
{
    struct add_job j = {app->clock, a, actor};
    return store_write(app->store, add_job, &j, err);
}

struct change_job {
    struct tclock *clock;
    const char *id, *actor;
    const struct action_change *ch;
    struct action_item *out;
};

static void replace(char **dst, const char *src)
{
    free(*dst);
    *dst = src ? xstrdup(src) : NULL;
}

static enum result change_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct change_job *j = arg;
    const struct action_change *ch = j->ch;
    struct action_item *a = j->out;
    int64_t now = clock_now(j->clock);
    enum result result = store_action_get(tx, j->id, a);
    if (result != OK)
        return error_set(err, result,
                         result == ERR_NOT_FOUND ? "id: no action item %.64s"
                                                 : "store: cannot read %.64s",
                         j->id);
    bool edits = ch->title || ch->priority || ch->set_owner || ch->set_due;
    if (edits && a->status == ACTION_DONE)
        return error_set(err, ERR_CONFLICT, "status: %s is done; a done item does not change",
                         a->id);
    if (ch->title)
        replace(&a->title, ch->title);
    if (ch->priority)
        replace(&a->priority, ch->priority);
    if (ch->set_owner)
        replace(&a->owner, ch->owner);
    if (ch->set_due) {
        a->due_at = ch->due_at;
        a->remind_at = postmortem_next_remind(a->due_at, now);
    }
    a->updated_at = now;
    if (ch->done && (result = action_done(a, now, err)) != OK)
        return result;
    if ((result = store_action_update(tx, a)) != OK)
        return error_set(err, result, "store: cannot update %s", a->id);
    if (edits)
        result = timeline_append(tx, now, j->actor, "action.updated", a->incident_id,
                                 action_data(a), NULL, err);
    if (result == OK && ch->done)
        result = timeline_append(tx, now, j->actor, "action.done", a->incident_id,
                                 json_pack("{s:s,s:s}", "id", a->id, "title", a->title), NULL, err);
    return result;
}

enum result action_change_write(struct app *app, const char *id, const struct action_change *ch,
                                const char *actor, struct action_item *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    struct change_job j = {app->clock, id, actor, ch, out};
    return store_write(app->store, change_job, &j, err);
}
