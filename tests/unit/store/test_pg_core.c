/*
 * test_pg_core: the PostgreSQL backend's core (src/store/pg/pg.c) against a real server: connect
 * and migrate (twice: idempotent), parameters and NULLs round-trip, a unique violation is
 * ERR_CONFLICT, a savepoint's rollback undoes only its part, a commit is visible to a reader (and
 * a reader cannot write), the timeline is append-only, a newer schema and a bad URL are refused.
 * Runs when TOCSIN_TEST_PG names the socket directory of a running cluster
 * (scripts/pg_cluster.sh); skipped with a message otherwise. Each test gets a fresh database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "embedded.h"
#include "store/pg/pg.h"
#include "store/store.h"

#include "store/pg_fixture.h"

/* The first column of the first row of sql (no parameters) as an integer. */
static int64_t scalar(struct pg_conn *c, const char *sql)
{
    struct pg_stmt s = {sql, 0};
    struct pg_query q;
    enum result result;
    pg_query_init(&q, c, &s);
    PGresult *r = pg_query_exec(&q, &result, "scalar");
    assert_int_equal(result, OK);
    assert_non_null(r);
    assert_int_equal(PQntuples(r), 1);
    int64_t v = pg_col_int64(r, 0, 0);
    PQclear(r);
    return v;
}

static enum result put_meta(struct pg_conn *c, const char *key, const char *value)
{
    static struct pg_stmt s = {"INSERT INTO meta(key, value) VALUES ($1, $2)", 0};
    struct pg_query q;
    pg_query_init(&q, c, &s);
    pg_param_text(&q, key);
    pg_param_text(&q, value);
    return pg_query_run(&q, true, "put_meta");
}

static void test_migrate_twice(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    assert_int_equal(store_backend_pg.migrate(f->w, &err), OK);
    struct pg_conn *other = store_backend_pg.connect(f->url, true, &err);
    assert_non_null(other);
    assert_int_equal(store_backend_pg.migrate(other, &err), OK);
    long pg_migrations = 0; /* every pg/ migration compiled in, each applied once */
    for (size_t i = 0; i < embedded_migrations_count; i++)
        pg_migrations += strncmp(embedded_migrations[i].name, "pg/", 3) == 0;
    assert_true(pg_migrations >= 6);
    assert_int_equal(scalar(other, "SELECT count(*) FROM schema_migrations"), pg_migrations);
    assert_int_equal(scalar(other, "SELECT count(*) FROM schema_migrations WHERE name LIKE 'pg/%'"),
                     pg_migrations);
    store_backend_pg.disconnect(other);
}

static void test_params_round_trip(void **state)
{
    struct fixture *f = *state;
    static struct pg_stmt s = {"SELECT $1::text, $2::bigint, $3::bigint, $4::integer, $5::float8, "
                               "$6::text, $7::integer",
                               0};
    for (int round = 0; round < 2; round++) { /* the second run uses the prepared statement */
        struct pg_query q;
        enum result result;
        pg_query_init(&q, f->w, &s);
        pg_param_text(&q, "héllo 'quoted' $1");
        pg_param_int64(&q, -9007199254740993LL);
        pg_param_time(&q, 0);
        pg_param_bool(&q, true);
        pg_param_double(&q, 0.1);
        pg_param_text(&q, NULL);
        pg_param_bool(&q, false);
        PGresult *r = pg_query_exec(&q, &result, "round trip");
        assert_int_equal(result, OK);
        assert_non_null(r);
        char *text = pg_col_text(r, 0, 0);
        assert_string_equal(text, "héllo 'quoted' $1");
        free(text);
        assert_true(pg_col_int64(r, 0, 1) == -9007199254740993LL);
        assert_true(pg_col_is_null(r, 0, 2));
        assert_int_equal(pg_col_int64(r, 0, 2), 0);
        assert_true(pg_col_bool(r, 0, 3));
        assert_true(pg_col_double(r, 0, 4) == 0.1);
        assert_null(pg_col_text(r, 0, 5));
        assert_string_equal(pg_text_or_empty(r, 0, 5), "");
        char buf[8];
        pg_copy_col(r, 0, 0, buf, sizeof buf);
        assert_string_equal(buf, "héllo "); /* truncated, terminated */
        assert_false(pg_col_bool(r, 0, 6));
        PQclear(r);
    }
}

static void test_too_many_params_do_not_run(void **state)
{
    struct fixture *f = *state;
    static struct pg_stmt s = {"INSERT INTO meta(key, value) VALUES ($1, $2)", 0};
    struct pg_query q;
    pg_query_init(&q, f->w, &s);
    for (int i = 0; i < PG_MAX_PARAMS + 1; i++)
        pg_param_text(&q, "x");
    assert_int_equal(pg_query_run(&q, false, "overflow"), ERR_UNAVAILABLE);
    assert_int_equal(scalar(f->w, "SELECT count(*) FROM meta"), 0);
}

static void test_unique_violation_is_conflict(void **state)
{
    struct fixture *f = *state;
    assert_int_equal(put_meta(f->w, "k", "1"), OK);
    assert_int_equal(put_meta(f->w, "k", "2"), ERR_CONFLICT);
    static struct pg_stmt upd = {"UPDATE meta SET value = $2 WHERE key = $1", 0};
    struct pg_query q;
    pg_query_init(&q, f->w, &upd);
    pg_param_text(&q, "missing");
    pg_param_text(&q, "v");
    assert_int_equal(pg_query_run(&q, true, "update"), ERR_NOT_FOUND);
    pg_query_init(&q, f->w, &upd);
    pg_param_text(&q, "k");
    pg_param_text(&q, "v");
    assert_int_equal(pg_query_run(&q, true, "update"), OK);
}

/* Text that is not valid UTF-8 is never sent: a SELECT or UPDATE matches nothing, an INSERT
 * fails, and the transaction around them goes on (PostgreSQL would have aborted it). */
static void test_invalid_utf8_text_matches_nothing(void **state)
{
    struct fixture *f = *state;
    const struct store_backend *be = &store_backend_pg;
    static struct pg_stmt sel = {"SELECT value FROM meta WHERE key = $1", 0};
    static struct pg_stmt upd = {"UPDATE meta SET value = $2 WHERE key = $1", 0};
    const char *bad = "\xff\xfe";
    assert_int_equal(be->begin(f->w), OK);
    assert_int_equal(put_meta(f->w, "k", "1"), OK);
    struct pg_query q;
    enum result result = ERR_INTERNAL;
    pg_query_init(&q, f->w, &sel);
    pg_param_text(&q, bad);
    PGresult *r = pg_query_exec(&q, &result, "select");
    assert_int_equal(result, OK);
    assert_non_null(r);
    assert_int_equal(PQntuples(r), 0);
    PQclear(r);
    pg_query_init(&q, f->w, &upd);
    pg_param_text(&q, bad);
    pg_param_text(&q, "v");
    assert_int_equal(pg_query_run(&q, true, "update"), ERR_NOT_FOUND);
    assert_int_equal(put_meta(f->w, bad, "1"), ERR_UNAVAILABLE);
    assert_int_equal(put_meta(f->w, "after", "1"), OK); /* the transaction was not aborted */
    assert_int_equal(be->commit(f->w), OK);
    assert_int_equal(scalar(f->w, "SELECT count(*) FROM meta WHERE key IN ('k','after')"), 2);
}

static void test_savepoint_rollback_undoes_its_part(void **state)
{
    struct fixture *f = *state;
    const struct store_backend *be = &store_backend_pg;
    assert_int_equal(be->begin(f->w), OK);
    assert_int_equal(put_meta(f->w, "a", "1"), OK);
    assert_int_equal(be->savepoint(f->w), OK);
    assert_int_equal(put_meta(f->w, "b", "1"), OK);
    assert_int_equal(put_meta(f->w, "a", "2"), ERR_CONFLICT); /* aborts to the savepoint */
    be->rollback_to(f->w);
    assert_int_equal(be->release(f->w), OK);
    assert_int_equal(be->savepoint(f->w), OK);
    assert_int_equal(put_meta(f->w, "c", "1"), OK);
    assert_int_equal(be->release(f->w), OK);
    assert_int_equal(be->commit(f->w), OK);
    assert_int_equal(scalar(f->w, "SELECT count(*) FROM meta WHERE key IN ('a','c')"), 2);
    assert_int_equal(scalar(f->w, "SELECT count(*) FROM meta WHERE key = 'b'"), 0);
}

static void test_failed_transaction_does_not_commit(void **state)
{
    struct fixture *f = *state;
    const struct store_backend *be = &store_backend_pg;
    assert_int_equal(put_meta(f->w, "a", "1"), OK);
    assert_int_equal(be->begin(f->w), OK);
    assert_int_equal(put_meta(f->w, "z", "1"), OK);
    assert_int_equal(put_meta(f->w, "a", "2"), ERR_CONFLICT);
    assert_int_equal(be->commit(f->w), ERR_UNAVAILABLE); /* PostgreSQL answers ROLLBACK */
    assert_int_equal(scalar(f->w, "SELECT count(*) FROM meta WHERE key = 'z'"), 0);
}

static void test_commit_visible_to_reader(void **state)
{
    struct fixture *f = *state;
    const struct store_backend *be = &store_backend_pg;
    struct error err = {0};
    struct pg_conn *r = be->connect(f->url, false, &err);
    assert_non_null(r);
    assert_int_equal(be->begin(f->w), OK);
    assert_int_equal(put_meta(f->w, "seen", "1"), OK);
    assert_int_equal(scalar(r, "SELECT count(*) FROM meta WHERE key = 'seen'"), 0);
    assert_int_equal(be->commit(f->w), OK);
    assert_int_equal(scalar(r, "SELECT count(*) FROM meta WHERE key = 'seen'"), 1);
    assert_int_equal(put_meta(r, "reader", "1"), ERR_UNAVAILABLE); /* read-only */
    be->disconnect(r);
}

static void test_timeline_append_only(void **state)
{
    struct fixture *f = *state;
    static struct pg_stmt ins = {"INSERT INTO timeline(seq, at, actor, kind, incident_id, data, "
                                 "prev_hash, hash) VALUES ($1, $2, 'a', 'k', NULL, '{}', 'p', 'h')",
                                 0};
    static struct pg_stmt upd = {"UPDATE timeline SET actor = 'b'", 0};
    static struct pg_stmt del = {"DELETE FROM timeline", 0};
    struct pg_query q;
    pg_query_init(&q, f->w, &ins);
    pg_param_int64(&q, 1);
    pg_param_time(&q, 1700000000000);
    assert_int_equal(pg_query_run(&q, true, "insert"), OK);
    pg_query_init(&q, f->w, &upd);
    assert_int_equal(pg_query_run(&q, false, "update"), ERR_CONFLICT);
    pg_query_init(&q, f->w, &del);
    assert_int_equal(pg_query_run(&q, false, "delete"), ERR_CONFLICT);
    assert_int_equal(scalar(f->w, "SELECT count(*) FROM timeline WHERE actor = 'a'"), 1);
}

static void test_newer_schema_refused(void **state)
{
    struct fixture *f = *state;
    static struct pg_stmt s = {"INSERT INTO schema_migrations(name, applied_at) VALUES ($1, 0)", 0};
    struct pg_query q;
    pg_query_init(&q, f->w, &s);
    pg_param_text(&q, "pg/999_future.sql");
    assert_int_equal(pg_query_run(&q, true, "future"), OK);
    struct error err = {0};
    assert_int_equal(store_backend_pg.migrate(f->w, &err), ERR_UNAVAILABLE);
    assert_non_null(strstr(err.message, "newer than this tocsin"));
    assert_non_null(strstr(err.message, "pg/999_future.sql"));
}

static void test_bad_urls(void **state)
{
    struct error err = {0};
    assert_null(store_backend_pg.connect("postgresql://[::1", true, &err));
    assert_non_null(strstr(err.message, "not a PostgreSQL connection URL"));
    char url[512];
    snprintf(url, sizeof url, "postgresql:///no_such_db_here?host=%s&user=postgres", pg_dir());
    assert_null(store_backend_pg.connect(url, true, &err));
    assert_non_null(strstr(err.message, "cannot connect to PostgreSQL"));
    assert_non_null(strstr(err.message, "no_such_db_here"));
}

int main(void)
{
    if (pg_fixture_skip("test_pg_core"))
        return 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_migrate_twice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_params_round_trip, setup, teardown),
        cmocka_unit_test_setup_teardown(test_too_many_params_do_not_run, setup, teardown),
        cmocka_unit_test_setup_teardown(test_unique_violation_is_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_invalid_utf8_text_matches_nothing, setup, teardown),
        cmocka_unit_test_setup_teardown(test_savepoint_rollback_undoes_its_part, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_transaction_does_not_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_commit_visible_to_reader, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeline_append_only, setup, teardown),
        cmocka_unit_test_setup_teardown(test_newer_schema_refused, setup, teardown),
        cmocka_unit_test(test_bad_urls),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
