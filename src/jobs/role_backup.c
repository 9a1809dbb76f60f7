/*
 * role_backup: `roles[].backup_after` (docs/config.md "Roles filled on declare"). A role that the
 * declare filled automatically from its primary moves to the backup's on-call user when the
 * incident is still unacknowledged backup_after after that assignment; once (the move is marked
 * backup_used, which is never eligible again). What a person assigned is never moved: only a
 * role whose last incident.role_assigned entry is tocsin's automatic one from the primary is.
 * The state is the timeline itself (no column): the engine reads the triggered incidents'
 * entries on each pass. Threads: the engine thread (reads), the store writer (the move).
 */
#include "domain/incident_rules.h"
#include "jobs/incident_ops.h"
#include "jobs/incident_roles.h"
#include "jobs/timeline.h"
#include "store/incidents.h"
#include "store/timeline.h"
#include "util/log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { BACKUP_BATCH = 64 };

struct due_role {
    char *incident_id;
    enum incident_role role;
    char *holder; /* who holds it now (the primary's user) */
};

/* One incident's roles: the last assignment's time and whether it is tocsin's from source. */
struct role_scan {
    const struct config *cfg;
    const struct incident *inc;
    int64_t at[ROLE_COUNT];
    bool eligible[ROLE_COUNT];
};

static int scan_entry(const struct timeline_entry *e, void *arg)
{
    struct role_scan *s = arg;
    if (strcmp(e->kind, "incident.role_assigned") != 0)
        return 0;
    json_t *d = json_loads(e->data ? e->data : "{}", 0, NULL);
    int r = incident_role_parse(json_string_value(json_object_get(d, "role")));
    if (r >= 0 && r < ROLE_COUNT) {
        const struct config_role_fill *f = incident_role_fill_for(s->cfg, r, s->inc);
        const char *source = json_string_value(json_object_get(d, "source"));
        s->at[r] = e->at;
        /* a rule's fill (data.rule) has no backup: only a `roles:` entry's primary moves */
        s->eligible[r] = f && f->backup && f->backup_after > 0 && strcmp(e->actor, "tocsin") == 0 &&
                         json_is_true(json_object_get(d, "automatic")) &&
                         !json_object_get(d, "rule") &&
                         !json_is_true(json_object_get(d, "backup_used")) && source &&
                         strcmp(source, f->primary) == 0;
    }
    json_decref(d);
    return 0;
}

struct pass {
    const struct config *cfg;
    struct store_conn *c;
    int64_t now, next;
    int64_t soonest; /* the shortest backup_after of the config */
    size_t n;
    struct due_role due[BACKUP_BATCH];
};

static int scan_incident(const struct incident *inc, void *arg)
{
    struct pass *p = arg;
    if (inc->status != INC_TRIGGERED)
        return 0;
    /* An automatic assignment is made at the declaration or later, so no move is due before
     * created_at + the shortest backup_after: a younger incident's timeline is not read (the
     * engine wakes up then and reads it). */
    if (inc->created_at + p->soonest > p->now) {
        int64_t at = inc->created_at + p->soonest;
        p->next = at < p->next ? at : p->next;
        return 0;
    }
    struct role_scan s = {.cfg = p->cfg, .inc = inc};
    if (store_timeline_scan(p->c, inc->id, scan_entry, &s) != OK)
        return 0;
    for (int r = 0; r < ROLE_COUNT; r++) {
        if (!s.eligible[r] || !inc->roles[r])
            continue;
        const struct config_role_fill *f = incident_role_fill_for(p->cfg, r, inc);
        int64_t due = s.at[r] + f->backup_after;
        if (due > p->now) {
            p->next = due < p->next ? due : p->next;
        } else if (p->n < BACKUP_BATCH) {
            p->due[p->n++] = (struct due_role){xstrdup(inc->id), r, xstrdup(inc->roles[r])};
        } else {
            p->next = p->now + 1000; /* more than a batch: the rest on the next pass */
        }
    }
    return 0;
}

struct move_job {
    const struct config *cfg;
    int64_t now;
    const struct due_role *d;
};

static enum result move_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct move_job *j = arg;
    struct incident inc = {0};
    enum result result = store_incident_get(tx, j->d->incident_id, &inc);
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %s", j->d->incident_id);
    const struct config_role_fill *f = incident_role_fill_for(j->cfg, j->d->role, &inc);
    const char *holder = inc.roles[j->d->role];
    /* Acknowledged or reassigned since the read: nothing to do. */
    if (inc.status != INC_TRIGGERED || !f || !f->backup || !holder ||
        strcmp(holder, j->d->holder) != 0) {
        incident_free_fields(&inc);
        return OK;
    }
    struct oncall_overrides ov = {0};
    result = escalate_overrides_load(tx, j->now, j->now + 1, &ov, err);
    const char *user =
        result == OK ? incident_roles_first_user(j->cfg, &ov, f->backup, j->now) : NULL;
    /* who holds it after the move, and why (the entry marks backup_used: never moved again) */
    const char *to = user ? user : holder, *source = user ? f->backup : f->primary;
    const char *why = !user                       ? "primary did not acknowledge; the backup "
                                                    "resolves to nobody"
                      : strcmp(user, holder) == 0 ? "primary did not acknowledge (the backup is "
                                                    "the same person)"
                                                  : "primary did not acknowledge";
    if (result == OK && !user)
        log_warn("roles: %s: %s not acknowledged after the backup delay, but %s resolves to "
                 "nobody: %s keeps it",
                 inc.id, incident_role_name(j->d->role), f->backup, holder);
    if (result == OK)
        result = incident_ops_assign_role(tx, &inc, j->d->role, to, j->now, "tocsin",
                                          json_pack("{s:b,s:s,s:b,s:s}", "automatic", 1, "source",
                                                    source, "backup_used", 1, "reason", why),
                                          err);
    if (result == OK && !user)
        result = timeline_append(tx, j->now, "tocsin", "incident.role_unfilled", inc.id,
                                 json_pack("{s:s,s:s,s:s}", "role", incident_role_name(j->d->role),
                                           "backup", f->backup, "reason", why),
                                 NULL, err);
    oncall_overrides_free(&ov);
    if (result == OK)
        result = store_incident_update(tx, &inc);
    incident_free_fields(&inc);
    return result;
}

/* The shortest backup_after of cfg's roles entries with a backup, or 0 when none has one. */
static int64_t soonest_backup_after(const struct config *cfg)
{
    int64_t soonest = 0;
    for (size_t i = 0; cfg && i < cfg->role_count; i++)
        if (cfg->roles[i].backup && cfg->roles[i].backup_after > 0 &&
            (!soonest || cfg->roles[i].backup_after < soonest))
            soonest = cfg->roles[i].backup_after;
    return soonest;
}

int64_t role_backup_pass(struct app *app, const struct config *cfg, int64_t now, int64_t next)
{
    int64_t soonest = soonest_backup_after(cfg);
    if (!soonest)
        return next;
    struct error err = {0};
    struct store_conn *c = store_reader(app->store, &err);
    if (!c) {
        log_error("roles: backup: %s", err.message);
        return now + 1000 < next ? now + 1000 : next;
    }
    struct pass *p = xcalloc(1, sizeof *p);
    p->cfg = cfg;
    p->c = c;
    p->now = now;
    p->next = INT64_MAX;
    p->soonest = soonest;
    struct store_incident_filter f = {.statuses = 1 << INC_TRIGGERED};
    enum result result = store_incident_list(c, &f, scan_incident, p);
    for (size_t i = 0; i < p->n; i++) {
        if (result == OK) {
            struct move_job j = {cfg, now, &p->due[i]};
            result = store_write(app->store, move_job, &j, &err);
        }
        free(p->due[i].incident_id);
        free(p->due[i].holder);
    }
    int64_t at = p->next;
    if (result != OK) {
        log_error("roles: backup: %s", err.message[0] ? err.message : "cannot read the incidents");
        at = now + 1000; /* try again in a second */
    }
    free(p);
    return at < next ? at : next;
}
