/*
 * store/pg/postmortems: the PostgreSQL backend's post-mortems (migration 008), mirroring
 * store/sqlite/postmortems.c. Text keys sort in byte order (COLLATE "C"), as in SQLite. Same
 * threading as pg.h: one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/postmortems.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

#define PM_COLS                                                                                    \
    "id, incident_id, template, state, owner, required, due_at, summary, impact, root_cause, "     \
    "contributing_factors, went_well, went_badly, lessons, created_at, created_by, updated_at, "   \
    "published_at, remind_at"
#define PM_READ PM_COLS ", review_at, review_minutes, review_attendees, review_seq"

static struct pg_stmt pm_insert = {
    .sql = "INSERT INTO postmortems(" PM_COLS ") VALUES ($1, $2, $3, $4, $5, $6::integer, "
           "$7::bigint, $8, $9, $10, $11, $12, $13, $14, $15::bigint, $16, $17::bigint, "
           "$18::bigint, $19::bigint)"};
static struct pg_stmt pm_get = {.sql = "SELECT " PM_READ " FROM postmortems WHERE id = $1"};
static struct pg_stmt pm_get_inc = {.sql = "SELECT " PM_READ
                                           " FROM postmortems WHERE incident_id = $1"};
static struct pg_stmt pm_update = {
    .sql = "UPDATE postmortems SET state = $2, owner = $3, due_at = $4::bigint, summary = $5, "
           "impact = $6, root_cause = $7, contributing_factors = $8, went_well = $9, "
           "went_badly = $10, lessons = $11, updated_at = $12::bigint, "
           "published_at = $13::bigint, remind_at = $14::bigint, review_at = $15::bigint, "
           "review_minutes = $16::integer, review_attendees = $17, review_seq = $18::integer "
           "WHERE id = $1"};
static struct pg_stmt pm_remind = {.sql = "SELECT " PM_READ " FROM postmortems WHERE remind_at "
                                          "IS NOT NULL ORDER BY remind_at, id COLLATE \"C\""};

static void read_pm(const PGresult *r, int row, struct postmortem *pm)
{
    memset(pm, 0, sizeof *pm);
    pg_copy_col(r, row, 0, pm->id, sizeof pm->id);
    pg_copy_col(r, row, 1, pm->incident_id, sizeof pm->incident_id);
    pm->template_id = xstrdup(pg_text_or_empty(r, row, 2));
    int s = postmortem_state_parse(pg_text_or_empty(r, row, 3));
    pm->state = s < 0 ? PM_DRAFT : (enum postmortem_state)s;
    pm->owner = pg_col_text(r, row, 4);
    pm->required = pg_col_bool(r, row, 5);
    pm->due_at = pg_col_int64(r, row, 6);
    for (int f = 0; f < PM_FIELD_COUNT; f++)
        pm->fields[f] = pg_col_text(r, row, 7 + f);
    pm->created_at = pg_col_int64(r, row, 14);
    pm->created_by = xstrdup(pg_text_or_empty(r, row, 15));
    pm->updated_at = pg_col_int64(r, row, 16);
    pm->published_at = pg_col_int64(r, row, 17);
    pm->remind_at = pg_col_int64(r, row, 18);
    pm->review_at = pg_col_int64(r, row, 19);
    pm->review_minutes = (int)pg_col_int64(r, row, 20);
    pm->review_attendees = pg_col_text(r, row, 21);
    pm->review_seq = (int)pg_col_int64(r, row, 22);
}

static enum result one_row(struct pg_query *q, struct postmortem *out, const char *what)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, what);
    if (!r)
        goto out;
    if (PQntuples(r) > 0)
        read_pm(r, 0, out);
    else
        result = ERR_NOT_FOUND;
    PQclear(r);
out:
    return result;
}

static enum result pgs_postmortem_insert(void *conn, const struct postmortem *pm)
{
    struct pg_query q;
    pg_query_init(&q, conn, &pm_insert);
    pg_param_text(&q, pm->id);
    pg_param_text(&q, pm->incident_id);
    pg_param_text(&q, pm->template_id);
    pg_param_text(&q, postmortem_state_name(pm->state));
    pg_param_text(&q, pm->owner);
    pg_param_bool(&q, pm->required);
    pg_param_int64(&q, pm->due_at);
    for (int f = 0; f < PM_FIELD_COUNT; f++)
        pg_param_text(&q, pm->fields[f]);
    pg_param_int64(&q, pm->created_at);
    pg_param_text(&q, pm->created_by);
    pg_param_int64(&q, pm->updated_at);
    pg_param_int64(&q, pm->published_at);
    pg_param_time(&q, pm->remind_at);
    return pg_query_run(&q, false, "postmortem_insert");
}

static enum result pgs_postmortem_get(void *conn, const char *id, struct postmortem *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &pm_get);
    pg_param_text(&q, id);
    return one_row(&q, out, "postmortem_get");
}

static enum result pgs_postmortem_get_by_incident(void *conn, const char *incident_id,
                                                  struct postmortem *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &pm_get_inc);
    pg_param_text(&q, incident_id);
    return one_row(&q, out, "postmortem_get_by_incident");
}

static enum result pgs_postmortem_update(void *conn, const struct postmortem *pm)
{
    struct pg_query q;
    pg_query_init(&q, conn, &pm_update);
    pg_param_text(&q, pm->id);
    pg_param_text(&q, postmortem_state_name(pm->state));
    pg_param_text(&q, pm->owner);
    pg_param_int64(&q, pm->due_at);
    for (int f = 0; f < PM_FIELD_COUNT; f++)
        pg_param_text(&q, pm->fields[f]);
    pg_param_int64(&q, pm->updated_at);
    pg_param_int64(&q, pm->published_at);
    pg_param_time(&q, pm->remind_at);
    pg_param_int64(&q, pm->review_at);
    pg_param_int64(&q, pm->review_minutes);
    pg_param_text(&q, pm->review_attendees);
    pg_param_int64(&q, pm->review_seq);
    return pg_query_run(&q, true, "postmortem_update");
}

static enum result pgs_postmortem_remind_due(void *conn, store_postmortem_cb cb, void *ctx)
{
    struct pg_query q;
    pg_query_init(&q, conn, &pm_remind);
    enum result result;
    PGresult *r = pg_query_exec(&q, &result, "postmortem_remind_due");
    if (!r)
        goto out;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct postmortem pm;
        read_pm(r, i, &pm);
        int stop = cb(&pm, ctx);
        postmortem_free_fields(&pm);
        if (stop)
            break;
    }
    PQclear(r);
out:
    return result;
}

STORE_OPS_TABLE(pg, postmortem, STORE_POSTMORTEM_OPS);
