/*
 * test_store_ops: the generated front end (failpoints), the SQLite statement cache (slots given
 * out at first use never collide across resource files) and checked binds.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/credentials.h"
#include "store/incidents.h"
#include "store/overrides.h"
#include "store/sqlite/sqlite.h"
#include "store/store.h"

#include "store/store_fixture.h"

struct next_job {
    int64_t value;
};

static enum result next_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct next_job *j = arg;
    j->value = 0;
    enum result result = store_counter_next(tx, "test", &j->value);
    if (result != OK)
        error_set(err, result, "counter_next failed");
    return result;
}

static enum result next_value(struct store *s, int64_t *value)
{
    struct next_job j = {0};
    struct error err = {0};
    enum result result = store_write(s, next_fn, &j, &err);
    *value = j.value;
    return result;
}

static void test_failpoint_operation(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    struct incident inc;
    assert_int_equal(store_failpoint_arm(f->store, "incident_get", 2, &err), OK);
    assert_int_equal(store_incident_get(reader(f->store), "inc_none", &inc), ERR_UNAVAILABLE);
    assert_int_equal(store_incident_get(reader(f->store), "inc_none", &inc), ERR_UNAVAILABLE);
    assert_int_equal(store_incident_get(reader(f->store), "inc_none", &inc), ERR_NOT_FOUND);

    /* inside a job, on the writer: the job fails, the next call goes through */
    int64_t v = 0;
    assert_int_equal(store_failpoint_arm(f->store, "counter_next", 1, &err), OK);
    assert_int_equal(next_value(f->store, &v), ERR_UNAVAILABLE);
    assert_int_equal(next_value(f->store, &v), OK);
    assert_int_equal(v, 1);
}

static void test_failpoint_commit(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    int64_t v = 0;
    assert_int_equal(next_value(f->store, &v), OK);
    assert_int_equal(v, 1);
    assert_int_equal(store_failpoint_arm(f->store, "commit", 1, &err), OK);
    /* the job succeeded (its output is filled) but the batch was rolled back */
    assert_int_equal(next_value(f->store, &v), ERR_UNAVAILABLE);
    assert_int_equal(v, 2);
    assert_int_equal(next_value(f->store, &v), OK);
    assert_int_equal(v, 2);
    struct store_stats st;
    store_get_stats(f->store, &st);
    assert_int_equal(st.failed_commits, 1);
}

static void test_failpoint_disarm_and_unknown(void **state)
{
    struct fixture *f = *state;
    struct error err = {0};
    struct incident inc;
    assert_int_equal(store_failpoint_arm(f->store, "incident_get", 5, &err), OK);
    assert_int_equal(store_failpoint_arm(f->store, "incident_get", 0, &err), OK);
    assert_int_equal(store_incident_get(reader(f->store), "inc_none", &inc), ERR_NOT_FOUND);

    assert_int_equal(store_failpoint_arm(f->store, "no_such_op", 1, &err), ERR_BAD_REQUEST);
    assert_non_null(strstr(err.message, "no_such_op"));
    assert_int_equal(store_failpoint_arm(f->store, "incident_gets", 1, &err), ERR_BAD_REQUEST);
}

/* A raw backend connection on the fixture's file (the tests look inside its cache). */
static struct sqlite_conn *raw_conn(struct fixture *f)
{
    struct error err = {0};
    struct sqlite_conn *c = store_backend_sqlite.connect(f->path, false, &err);
    if (!c)
        fail_msg("connect: %s", err.message);
    return c;
}

static bool cached_sql_contains(struct sqlite_conn *c, const char *part)
{
    for (int i = 0; i < c->nstmts; i++)
        if (c->stmts[i] && strstr(sqlite3_sql(c->stmts[i]), part))
            return true;
    return false;
}

static void test_statement_slots_never_collide(void **state)
{
    struct fixture *f = *state;
    struct sqlite_conn *c = raw_conn(f);
    struct incident inc;
    struct oncall_override o;
    struct store_credential t;
    /* one statement of each of three resource files, on one connection, twice over */
    for (int round = 0; round < 2; round++) {
        assert_int_equal(store_sqlite_incident_ops.incident_get(c, "inc_x", &inc), ERR_NOT_FOUND);
        assert_int_equal(store_sqlite_override_ops.override_get(c, "ovr_x", &o), ERR_NOT_FOUND);
        assert_int_equal(store_sqlite_credential_ops.credential_get(c, CRED_TOKEN, "tok_x", &t),
                         ERR_NOT_FOUND);
    }
    assert_true(cached_sql_contains(c, "FROM incidents WHERE id = ?1"));
    assert_true(cached_sql_contains(c, "FROM overrides WHERE id = ?1"));
    assert_true(cached_sql_contains(c, "FROM tokens WHERE id = ?1"));
    int cached = 0;
    for (int i = 0; i < c->nstmts; i++)
        cached += c->stmts[i] != NULL;
    assert_int_equal(cached, 3);

    /* two descriptors of our own: each prepare hands back its own SQL */
    static struct sq_stmt a = {.sql = "SELECT 'a'"}, b = {.sql = "SELECT 'b'"};
    for (int round = 0; round < 2; round++) {
        sqlite3_stmt *sa = sq_prepare(c, &a), *sb = sq_prepare(c, &b);
        assert_non_null(sa);
        assert_non_null(sb);
        assert_ptr_not_equal(sa, sb);
        assert_string_equal(sqlite3_sql(sa), "SELECT 'a'");
        assert_string_equal(sqlite3_sql(sb), "SELECT 'b'");
    }
    store_backend_sqlite.disconnect(c);
}

static void test_failed_bind_fails_the_operation(void **state)
{
    struct fixture *f = *state;
    struct sqlite_conn *c = raw_conn(f);
    struct incident inc;
    assert_int_equal(store_sqlite_incident_ops.incident_get(c, "inc_long_id", &inc), ERR_NOT_FOUND);
    sqlite3_limit(c->db, SQLITE_LIMIT_LENGTH, 4); /* binding a longer text now fails */
    assert_int_equal(store_sqlite_incident_ops.incident_get(c, "inc_long_id", &inc),
                     ERR_UNAVAILABLE);
    assert_int_equal(store_sqlite_incident_ops.incident_get(c, "abc", &inc), ERR_NOT_FOUND);
    store_backend_sqlite.disconnect(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_failpoint_operation, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failpoint_commit, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failpoint_disarm_and_unknown, setup, teardown),
        cmocka_unit_test_setup_teardown(test_statement_slots_never_collide, setup, teardown),
        cmocka_unit_test_setup_teardown(test_failed_bind_fails_the_operation, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
