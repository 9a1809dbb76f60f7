/*
 * store/pg/subscribers: the PostgreSQL backend's status page subscribers (migrations 013, 018).
 * Mirrors store/sqlite/subscribers.c; ids compare in byte order (COLLATE "C", as SQLite).
 * Threads: as pg.c, one connection, one thread at a time.
 */
#include "store/pg/pg.h"
#include "store/subscribers.h"
#include "util/log.h"

#include <string.h>

#define S_COLS                                                                                     \
    "id, kind, address, components, state, created_at, confirmed_at, unsubscribed_at, "            \
    "failures, last_error, disabled_at"

static struct pg_stmt s_insert = {.sql = "INSERT INTO subscribers(" S_COLS
                                         ") VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11)"};
static struct pg_stmt s_get = {.sql = "SELECT " S_COLS " FROM subscribers WHERE id = $1"};
static struct pg_stmt s_get_addr = {.sql = "SELECT " S_COLS " FROM subscribers WHERE kind = $1 "
                                           "AND address = $2"};
static struct pg_stmt s_update = {.sql = "UPDATE subscribers SET components = $2, state = $3, "
                                         "confirmed_at = $4, unsubscribed_at = $5, failures = $6, "
                                         "last_error = $7, disabled_at = $8 WHERE id = $1"};
static struct pg_stmt s_list = {.sql = "SELECT " S_COLS " FROM subscribers WHERE ($1::text IS "
                                       "NULL OR state = $1) ORDER BY created_at, id COLLATE \"C\""};

static void read_row(const PGresult *r, int row, struct subscriber *s)
{
    memset(s, 0, sizeof *s);
    pg_copy_col(r, row, 0, s->id, sizeof s->id);
    s->kind = xstrdup(pg_text_or_empty(r, row, 1));
    s->address = xstrdup(pg_text_or_empty(r, row, 2));
    s->components = xstrdup(pg_text_or_empty(r, row, 3));
    int state = sub_state_parse(pg_text_or_empty(r, row, 4));
    s->state = state < 0 ? SUB_PENDING : (enum sub_state)state;
    s->created_at = pg_col_int64(r, row, 5);
    s->confirmed_at = pg_col_int64(r, row, 6);
    s->unsubscribed_at = pg_col_int64(r, row, 7);
    s->failures = (int)pg_col_int64(r, row, 8);
    s->last_error = pg_col_is_null(r, row, 9) ? NULL : xstrdup(pg_text_or_empty(r, row, 9));
    s->disabled_at = pg_col_int64(r, row, 10);
}

static enum result one_row(struct pg_query *q, struct subscriber *out, const char *what)
{
    enum result result;
    PGresult *r = pg_query_exec(q, &result, what);
    if (!r)
        return result;
    if (PQntuples(r) > 0)
        read_row(r, 0, out);
    else
        result = ERR_NOT_FOUND;
    PQclear(r);
    return result;
}

static enum result pgs_subscriber_insert(void *conn, const struct subscriber *s)
{
    struct pg_query q;
    pg_query_init(&q, conn, &s_insert);
    pg_param_text(&q, s->id);
    pg_param_text(&q, s->kind);
    pg_param_text(&q, s->address);
    pg_param_text(&q, s->components ? s->components : "[]");
    pg_param_text(&q, sub_state_name(s->state));
    pg_param_int64(&q, s->created_at);
    pg_param_time(&q, s->confirmed_at);
    pg_param_time(&q, s->unsubscribed_at);
    pg_param_int64(&q, s->failures);
    pg_param_text(&q, s->last_error);
    pg_param_time(&q, s->disabled_at);
    return pg_query_run(&q, false, "subscriber_insert");
}

static enum result pgs_subscriber_get(void *conn, const char *id, struct subscriber *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &s_get);
    pg_param_text(&q, id);
    return one_row(&q, out, "subscriber_get");
}

static enum result pgs_subscriber_get_by_address(void *conn, const char *kind, const char *address,
                                                 struct subscriber *out)
{
    struct pg_query q;
    pg_query_init(&q, conn, &s_get_addr);
    pg_param_text(&q, kind);
    pg_param_text(&q, address);
    return one_row(&q, out, "subscriber_get_by_address");
}

static enum result pgs_subscriber_update(void *conn, const struct subscriber *s)
{
    struct pg_query q;
    pg_query_init(&q, conn, &s_update);
    pg_param_text(&q, s->id);
    pg_param_text(&q, s->components ? s->components : "[]");
    pg_param_text(&q, sub_state_name(s->state));
    pg_param_time(&q, s->confirmed_at);
    pg_param_time(&q, s->unsubscribed_at);
    pg_param_int64(&q, s->failures);
    pg_param_text(&q, s->last_error);
    pg_param_time(&q, s->disabled_at);
    return pg_query_run(&q, true, "subscriber_update");
}

static enum result pgs_subscriber_list(void *conn, const char *state, store_subscriber_cb cb,
                                       void *ctx)
{
    struct pg_query q;
    enum result result;
    pg_query_init(&q, conn, &s_list);
    pg_param_text(&q, state);
    PGresult *r = pg_query_exec(&q, &result, "subscriber_list");
    if (!r)
        return result;
    for (int i = 0, n = PQntuples(r); i < n; i++) {
        struct subscriber s;
        read_row(r, i, &s);
        int stop = cb(&s, ctx);
        subscriber_free_fields(&s);
        if (stop)
            break;
    }
    PQclear(r);
    return result;
}

STORE_OPS_TABLE(pg, subscriber, STORE_SUBSCRIBER_OPS);
