/*
 * store/sqlite/postmortems: the SQLite backend's post-mortems (migration 008). remind_at and the
 * optional times are NULL in the table when 0 here. Same threading as sqlite.h: one connection,
 * one thread at a time.
 */
#include "store/sqlite/sqlite.h"
#include "store/postmortems.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

enum pm_stmt { P_INSERT, P_GET, P_GET_INC, P_UPDATE, P_REMIND, P_END };

#define PM_COLS                                                                                    \
    "id, incident_id, template, state, owner, required, due_at, summary, impact, root_cause, "     \
    "contributing_factors, went_well, went_badly, lessons, created_at, created_by, updated_at, "   \
    "published_at, remind_at"
#define PM_READ PM_COLS ", review_at, review_minutes, review_attendees, review_seq"

static struct sq_stmt stmts[] = {
    [P_INSERT] = {"INSERT INTO postmortems(" PM_COLS ") VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,"
                  "?11,?12,?13,?14,?15,?16,?17,?18,?19)"},
    [P_GET] = {"SELECT " PM_READ " FROM postmortems WHERE id = ?1"},
    [P_GET_INC] = {"SELECT " PM_READ " FROM postmortems WHERE incident_id = ?1"},
    [P_UPDATE] = {"UPDATE postmortems SET state = ?2, owner = ?3, due_at = ?4, summary = ?5, "
                  "impact = ?6, root_cause = ?7, contributing_factors = ?8, went_well = ?9, "
                  "went_badly = ?10, lessons = ?11, updated_at = ?12, published_at = ?13, "
                  "remind_at = ?14, review_at = ?15, review_minutes = ?16, review_attendees = ?17, "
                  "review_seq = ?18 WHERE id = ?1"},
    [P_REMIND] = {"SELECT " PM_READ " FROM postmortems WHERE remind_at IS NOT NULL "
                  "ORDER BY remind_at, id"},
};

static sqlite3_stmt *stmt(struct sqlite_conn *c, enum pm_stmt id)
{
    return sq_prepare(c, &stmts[id]);
}

static void read_pm(sqlite3_stmt *st, struct postmortem *pm)
{
    memset(pm, 0, sizeof *pm);
    snprintf(pm->id, sizeof pm->id, "%s", sq_text_or_empty(st, 0));
    snprintf(pm->incident_id, sizeof pm->incident_id, "%s", sq_text_or_empty(st, 1));
    pm->template_id = xstrdup(sq_text_or_empty(st, 2));
    int s = postmortem_state_parse(sq_text_or_empty(st, 3));
    pm->state = s < 0 ? PM_DRAFT : (enum postmortem_state)s;
    pm->owner = sq_col_text(st, 4);
    pm->required = sqlite3_column_int64(st, 5) != 0;
    pm->due_at = sqlite3_column_int64(st, 6);
    for (int f = 0; f < PM_FIELD_COUNT; f++)
        pm->fields[f] = sq_col_text(st, 7 + f);
    pm->created_at = sqlite3_column_int64(st, 14);
    pm->created_by = xstrdup(sq_text_or_empty(st, 15));
    pm->updated_at = sqlite3_column_int64(st, 16);
    pm->published_at = sqlite3_column_int64(st, 17);
    pm->remind_at = sqlite3_column_int64(st, 18);
    pm->review_at = sqlite3_column_int64(st, 19);
    pm->review_minutes = sqlite3_column_int(st, 20);
    pm->review_attendees = sq_col_text(st, 21);
    pm->review_seq = sqlite3_column_int(st, 22);
}

static enum result one_row(struct sqlite_conn *c, sqlite3_stmt *st, struct postmortem *out,
                           const char *what)
{
    int rc = sq_step(c, st);
    enum result result = OK;
    if (rc == SQLITE_ROW)
        read_pm(st, out);
    else
        result = rc == SQLITE_DONE ? ERR_NOT_FOUND : sq_fail(c, what);
    sqlite3_reset(st);
    return result;
}

/* The text fields and the times shared by insert and update, from ?first on. */
static void bind_fields(struct sqlite_conn *c, sqlite3_stmt *st, int first,
                        const struct postmortem *pm)
{
    for (int f = 0; f < PM_FIELD_COUNT; f++)
        sq_bind_text(c, st, first + f, pm->fields[f]);
}

static enum result sq_postmortem_insert(void *conn, const struct postmortem *pm)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, P_INSERT);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, pm->id);
    sq_bind_text(c, st, 2, pm->incident_id);
    sq_bind_text(c, st, 3, pm->template_id);
    sq_bind_text(c, st, 4, postmortem_state_name(pm->state));
    sq_bind_text(c, st, 5, pm->owner);
    sq_bind_int64(c, st, 6, pm->required);
    sq_bind_int64(c, st, 7, pm->due_at);
    bind_fields(c, st, 8, pm);
    sq_bind_int64(c, st, 15, pm->created_at);
    sq_bind_text(c, st, 16, pm->created_by);
    sq_bind_int64(c, st, 17, pm->updated_at);
    sq_bind_int64(c, st, 18, pm->published_at);
    sq_bind_time(c, st, 19, pm->remind_at);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "postmortem_insert");
    sqlite3_reset(st);
    return result;
}

static enum result sq_postmortem_get(void *conn, const char *id, struct postmortem *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, P_GET);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, id);
    return one_row(c, st, out, "postmortem_get");
}

static enum result sq_postmortem_get_by_incident(void *conn, const char *incident_id,
                                                 struct postmortem *out)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, P_GET_INC);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, incident_id);
    return one_row(c, st, out, "postmortem_get_by_incident");
}

static enum result sq_postmortem_update(void *conn, const struct postmortem *pm)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, P_UPDATE);
    if (!st)
        return ERR_UNAVAILABLE;
    sq_bind_text(c, st, 1, pm->id);
    sq_bind_text(c, st, 2, postmortem_state_name(pm->state));
    sq_bind_text(c, st, 3, pm->owner);
    sq_bind_int64(c, st, 4, pm->due_at);
    bind_fields(c, st, 5, pm);
    sq_bind_int64(c, st, 12, pm->updated_at);
    sq_bind_int64(c, st, 13, pm->published_at);
    sq_bind_time(c, st, 14, pm->remind_at);
    sq_bind_int64(c, st, 15, pm->review_at);
    sq_bind_int64(c, st, 16, pm->review_minutes);
    sq_bind_text(c, st, 17, pm->review_attendees);
    sq_bind_int64(c, st, 18, pm->review_seq);
    int rc = sq_step(c, st);
    enum result result = rc == SQLITE_DONE ? OK : sq_fail(c, "postmortem_update");
    if (result == OK && sqlite3_changes(c->db) == 0)
        result = ERR_NOT_FOUND;
    sqlite3_reset(st);
    return result;
}

static enum result sq_postmortem_remind_due(void *conn, store_postmortem_cb cb, void *ctx)
{
    struct sqlite_conn *c = conn;
    sqlite3_stmt *st = stmt(c, P_REMIND);
    if (!st)
        return ERR_UNAVAILABLE;
    int rc;
    while ((rc = sq_step(c, st)) == SQLITE_ROW) {
        struct postmortem pm;
        read_pm(st, &pm);
        int stop = cb(&pm, ctx);
        postmortem_free_fields(&pm);
        if (stop)
            break;
    }
    enum result result =
        (rc == SQLITE_ROW || rc == SQLITE_DONE) ? OK : sq_fail(c, "postmortem_remind_due");
    sqlite3_reset(st);
    return result;
}

STORE_OPS_TABLE(sqlite, postmortem, STORE_POSTMORTEM_OPS);
