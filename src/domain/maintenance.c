/* maintenance: the rules of scheduled maintenance windows; see maintenance.h. */
#include "domain/maintenance.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const names[] = {"scheduled", "in_progress", "verifying", "completed"};

const char *maint_status_name(enum maint_status s)
{
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "scheduled";
}

int maint_status_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

enum maint_status maint_effective(const struct maintenance *m, int64_t now)
{
    enum maint_status s = m->status;
    if (s == MAINT_SCHEDULED && now >= m->scheduled_for)
        s = MAINT_IN_PROGRESS;
    if ((s == MAINT_SCHEDULED || s == MAINT_IN_PROGRESS) && now >= m->scheduled_until)
        s = MAINT_COMPLETED;
    return s;
}

int64_t maint_next_change(const struct maintenance *m, int64_t now)
{
    enum maint_status s = maint_effective(m, now);
    if (s == MAINT_SCHEDULED && m->status == MAINT_SCHEDULED)
        return m->scheduled_for;
    if (s == MAINT_IN_PROGRESS)
        return m->scheduled_until;
    return 0;
}

bool maint_move_allowed(enum maint_status from, enum maint_status to)
{
    return from != MAINT_COMPLETED && to >= from;
}

void maint_settle(struct maintenance *m, int64_t now)
{
    enum maint_status s = maint_effective(m, now);
    if (s != MAINT_SCHEDULED && !m->started_at)
        m->started_at = m->scheduled_for < now ? m->scheduled_for : now;
    if (s == MAINT_COMPLETED && !m->completed_at)
        m->completed_at = m->scheduled_until < now ? m->scheduled_until : now;
    m->status = s;
}

void maint_move(struct maintenance *m, enum maint_status to, int64_t now)
{
    if (to != MAINT_SCHEDULED && !m->started_at)
        m->started_at = now;
    if (to == MAINT_COMPLETED && !m->completed_at)
        m->completed_at = now;
    m->status = to;
}

void maintenance_free_fields(struct maintenance *m)
{
    free(m->name);
    free(m->components);
    free(m->updates);
    free(m->created_by);
    m->name = m->components = m->updates = m->created_by = NULL;
}

const char *maint_default_body(enum maint_status s)
{
    static const char *const text[] = {
        "The maintenance is scheduled.", "The maintenance is in progress.",
        "The maintenance is being verified.", "The maintenance has been completed."};
    return text[s];
}

void maint_append_update(struct maintenance *m, const char *status, const char *body, int64_t now)
{
    json_t *a = json_loads(m->updates ? m->updates : "[]", 0, NULL);
    if (!json_is_array(a)) {
        json_decref(a);
        a = json_array();
    }
    char id[MAINT_ID_MAX + 16];
    snprintf(id, sizeof id, "%s-%zu", m->id, json_array_size(a) + 1);
    json_array_append_new(a, json_pack("{s:s,s:s,s:s,s:I}", "id", id, "status", status, "body",
                                       body, "at", (json_int_t)now));
    free(m->updates);
    m->updates = json_dumps(a, JSON_COMPACT);
    json_decref(a);
}

enum maint_status maint_announced(const struct maintenance *m)
{
    json_t *a = json_loads(m->updates ? m->updates : "[]", 0, NULL);
    size_t n = json_is_array(a) ? json_array_size(a) : 0;
    int s = n ? maint_status_parse(
                    json_string_value(json_object_get(json_array_get(a, n - 1), "status")))
              : -1;
    json_decref(a);
    return s < 0 ? m->status : (enum maint_status)s;
}
