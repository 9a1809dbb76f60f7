/*
 * maintenance: scheduled maintenance windows shown on the public status page (Statuspage's
 * "scheduled maintenances"). Pure: no I/O, no clock (callers pass `now`).
 *
 * A window has a name, the status page components it affects, a planned start and end
 * (scheduled_for, scheduled_until), a stored status set by people (scheduled, in_progress,
 * verifying, completed) and its public updates (a JSON array text, newest last:
 * [{"id","status","body","at"}]). What the page shows is the *effective* status: the stored one,
 * moved on by the clock (Statuspage's auto-transitions): a "scheduled" window is "in_progress"
 * from scheduled_for, and a "scheduled" or "in_progress" one is "completed" from scheduled_until.
 * "verifying" waits for a person. docs/internals/status_page.md "Scheduled maintenance".
 *
 * Ownership: maintenance_free_fields frees the strings of a struct filled by the store.
 */
#ifndef TOCSIN_DOMAIN_MAINTENANCE_H
#define TOCSIN_DOMAIN_MAINTENANCE_H

#include <stdbool.h>
#include <stdint.h>

enum maint_status { MAINT_SCHEDULED, MAINT_IN_PROGRESS, MAINT_VERIFYING, MAINT_COMPLETED };
enum { MAINT_ID_MAX = 24, MAINT_NAME_MAX = 200, MAINT_BODY_MAX = 4000, MAINT_UPDATES_MAX = 100 };

struct maintenance {
    char id[MAINT_ID_MAX]; /* "mnt_" + 12 hex */
    char *name;
    enum maint_status status; /* as stored (set by people) */
    char *components;         /* JSON array text of component names */
    char *updates;            /* JSON array text, oldest first */
    int64_t scheduled_for, scheduled_until;
    int64_t started_at, completed_at; /* 0: not yet (set by people or by the clock's move) */
    char *created_by;
    int64_t created_at, updated_at;
};

const char *maint_status_name(enum maint_status s);
int maint_status_parse(const char *name); /* -1 when unknown */
/* The status the page shows at `now` (the stored one moved on by the clock). */
enum maint_status maint_effective(const struct maintenance *m, int64_t now);
/* When the effective status next changes by the clock alone, after now (0: never). */
int64_t maint_next_change(const struct maintenance *m, int64_t now);
/* Whether the status move from -> to is allowed (forward only: scheduled -> in_progress ->
 * verifying -> completed, steps may be skipped; a completed window stays completed). */
bool maint_move_allowed(enum maint_status from, enum maint_status to);
/* Makes the stored status the effective one at now (before a person moves it on), filling
 * started_at / completed_at with the planned times the clock passed. */
void maint_settle(struct maintenance *m, int64_t now);
/* Records a move to `to` made at now by a person: started_at when it starts, completed_at when
 * it completes (each only if not set yet). */
void maint_move(struct maintenance *m, enum maint_status to, int64_t now);
/* The text of an update posted without a message (a person's bare move, the clock's move). */
const char *maint_default_body(enum maint_status s);
/* Appends the public update {id "<id>-<n>", status, body, at now} to m->updates. */
void maint_append_update(struct maintenance *m, const char *status, const char *body, int64_t now);
/* The status of the newest public update (what subscribers were last told), or the stored
 * status when there is none. */
enum maint_status maint_announced(const struct maintenance *m);
void maintenance_free_fields(struct maintenance *m);

#endif
