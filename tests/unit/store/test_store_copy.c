/*
 * store copy's driver and SQLite exporter (src/store/copy.c, src/store/sqlite/copy.c) against a
 * recording sink: the tables come from the file's schema (a table added by hand included,
 * schema_migrations left out) in reference order, values keep their types, and the checks before
 * "done" refuse a copy whose row count or chain head differs in the target (nothing committed).
 * The source's refusals: a file another process holds (a child holding SQLite's shared lock
 * bytes), a schema newer or older than the binary's migrations, a missing file. No PostgreSQL
 * needed; the PostgreSQL importer is tested end to end in tests/integration/test_store_copy.py.
 */
#include "store_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/wait.h>

#include "store/copy.h"

enum { MAX_TABLES = 32, MAX_WIDGETS = 4, WIDGET_COLS = 5 };

struct captured {
    enum copy_type type;
    int64_t i;
    double r;
    unsigned char bytes[32];
    size_t len;
};

/* The recording sink's state (one copy at a time). */
static struct {
    const char *undercount; /* report one row fewer for this table */
    bool wrong_head;
    bool opened, reset, committed, closed;
    char tables[MAX_TABLES][64];
    int64_t rows[MAX_TABLES];
    size_t ntables;
    const struct copy_table *cur;
    int seq_col, hash_col;
    struct copy_head head;
    struct captured widgets[MAX_WIDGETS][WIDGET_COLS];
    size_t nwidgets;
} fk;

static void *fk_open(const char *target, struct error *err)
{
    fk.opened = true;
    return &fk;
}

static enum result fk_table_begin(void *dst, const struct copy_table *t, struct error *err)
{
    assert_true(fk.ntables < MAX_TABLES);
    snprintf(fk.tables[fk.ntables++], sizeof fk.tables[0], "%s", t->name);
    fk.cur = t;
    fk.seq_col = fk.hash_col = -1;
    for (size_t c = 0; c < t->ncols; c++) {
        if (strcmp(t->cols[c], "seq") == 0)
            fk.seq_col = (int)c;
        if (strcmp(t->cols[c], "hash") == 0)
            fk.hash_col = (int)c;
    }
    return OK;
}

static enum result fk_row(void *dst, int64_t row, const struct copy_value *v, size_t n,
                          struct error *err)
{
    fk.rows[fk.ntables - 1]++;
    assert_int_equal(fk.rows[fk.ntables - 1], row);
    assert_int_equal(n, fk.cur->ncols);
    if (strcmp(fk.cur->name, "timeline") == 0 && v[fk.seq_col].i > fk.head.seq) {
        fk.head.empty = false;
        fk.head.seq = v[fk.seq_col].i;
        snprintf(fk.head.hash, sizeof fk.head.hash, "%.*s", (int)v[fk.hash_col].len,
                 (const char *)v[fk.hash_col].p);
    }
    if (strcmp(fk.cur->name, "widgets") == 0) {
        assert_true(fk.nwidgets < MAX_WIDGETS && n == WIDGET_COLS);
        for (size_t c = 0; c < n; c++) {
            struct captured *w = &fk.widgets[fk.nwidgets][c];
            w->type = v[c].type;
            w->i = v[c].i;
            w->r = v[c].r;
            w->len = v[c].len;
            assert_true(v[c].len <= sizeof w->bytes);
            if (v[c].len)
                memcpy(w->bytes, v[c].p, v[c].len);
        }
        fk.nwidgets++;
    }
    return OK;
}

static enum result fk_table_end(void *dst, struct error *err)
{
    return OK;
}

static enum result fk_count(void *dst, const char *table, int64_t *n, struct error *err)
{
    for (size_t i = 0; i < fk.ntables; i++)
        if (strcmp(fk.tables[i], table) == 0) {
            *n = fk.rows[i] - (fk.undercount && strcmp(fk.undercount, table) == 0);
            return OK;
        }
    fail_msg("count of a table not copied: %s", table);
    return ERR_INTERNAL;
}

static enum result fk_head(void *dst, struct copy_head *h, struct error *err)
{
    *h = fk.head;
    if (fk.wrong_head)
        h->hash[0] = h->hash[0] == 'x' ? 'y' : 'x';
    return OK;
}

static enum result fk_reset(void *dst, struct error *err)
{
    fk.reset = true;
    return OK;
}

static enum result fk_commit(void *dst, struct error *err)
{
    fk.committed = true;
    return OK;
}

static void fk_close(void *dst)
{
    fk.closed = true;
}

static const struct store_copy_sink fake_sink = {
    .name = "fake",
    .open = fk_open,
    .table_begin = fk_table_begin,
    .row = fk_row,
    .table_end = fk_table_end,
    .count = fk_count,
    .head = fk_head,
    .reset_ids = fk_reset,
    .commit = fk_commit,
    .close = fk_close,
};

static void fk_reset_state(void)
{
    memset(&fk, 0, sizeof fk);
    fk.head.empty = true;
}

/* The fixture's store closed (its migrations applied), then `sql` run on the file directly. */
static void prepare(struct fixture *f, const char *sql)
{
    store_close(f->store);
    f->store = NULL;
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(f->path, &db), SQLITE_OK);
    char *msg = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
        fail_msg("%s: %s", sql, msg);
    sqlite3_close(db);
    fk_reset_state();
}

static enum result copy(struct fixture *f, struct store_copy_report *r, struct error *err)
{
    return store_copy_between(&store_copy_source_sqlite, f->path, &fake_sink, "fake", r, err);
}

static ptrdiff_t position(const char *table)
{
    for (size_t i = 0; i < fk.ntables; i++)
        if (strcmp(fk.tables[i], table) == 0)
            return (ptrdiff_t)i;
    return -1;
}

static const char rows_sql[] =
    "INSERT INTO timeline(seq, at, actor, kind, data, prev_hash, hash) VALUES "
    "(1, 1, 'a', 'k', '{}', '', 'aa'), (2, 2, 'a', 'k', '{}', 'aa', 'bb');"
    "INSERT INTO notifications(id, kind, dkey, user_id, method, address, subject, body, due_at, "
    "next_attempt_at, created_at) VALUES (5, 'page', 'd', 'u', 'webhook', 'x', 's', 'b', 1, 1, 1);"
    "INSERT INTO notification_attempts(notification_id, at, ok) VALUES (5, 1, 1);"
    "CREATE TABLE widgets (id INTEGER PRIMARY KEY, blob BLOB, r REAL, t TEXT, n INTEGER);"
    "INSERT INTO widgets VALUES (1, X'00ff5c09', 0.1, 'tab' || char(9) || 'x', NULL);";

static void test_copies_every_table_in_reference_order(void **state)
{
    struct fixture *f = *state;
    prepare(f, rows_sql);
    struct store_copy_report r;
    struct error err = {0};
    assert_int_equal(copy(f, &r, &err), OK);
    assert_true(fk.opened && fk.reset && fk.committed && fk.closed);
    assert_int_equal(position("schema_migrations"), -1);
    assert_true(position("widgets") >= 0 && position("incidents") >= 0);
    assert_true(position("notifications") < position("notification_attempts"));
    assert_int_equal(r.ntables, fk.ntables);
    assert_int_equal(r.rows, 5);
    assert_false(r.head.empty);
    assert_int_equal(r.head.seq, 2);
    assert_string_equal(r.head.hash, "bb");
    for (size_t i = 0; i < r.ntables; i++)
        assert_int_equal(r.tables[i].source, r.tables[i].target);
    assert_int_equal(fk.nwidgets, 1);
    const struct captured *w = fk.widgets[0];
    assert_int_equal(w[0].type, COPY_INT);
    assert_int_equal(w[0].i, 1);
    assert_int_equal(w[1].type, COPY_BLOB);
    assert_int_equal(w[1].len, 4);
    assert_memory_equal(w[1].bytes, "\x00\xff\\\t", 4);
    assert_int_equal(w[2].type, COPY_REAL);
    assert_true(w[2].r == 0.1);
    assert_int_equal(w[3].type, COPY_TEXT);
    assert_int_equal(w[3].len, 5);
    assert_memory_equal(w[3].bytes, "tab\tx", 5);
    assert_int_equal(w[4].type, COPY_NULL);
    store_copy_report_free(&r);
}

static void test_a_row_count_that_differs_is_refused(void **state)
{
    struct fixture *f = *state;
    prepare(f, rows_sql);
    fk.undercount = "timeline";
    struct store_copy_report r;
    struct error err = {0};
    assert_int_equal(copy(f, &r, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "table timeline has 2 rows in the source but 1 in the "
                                        "target"));
    assert_true(fk.closed);
    assert_false(fk.committed || fk.reset);
    assert_int_equal(r.ntables, 0); /* freed */
}

static void test_a_chain_head_that_differs_is_refused(void **state)
{
    struct fixture *f = *state;
    prepare(f, rows_sql);
    fk.wrong_head = true;
    struct store_copy_report r;
    struct error err = {0};
    assert_int_equal(copy(f, &r, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "chain head differs"));
    assert_false(fk.committed || fk.reset);
    assert_true(fk.closed);
}

/* A child process holds a read lock on SQLite's shared lock bytes, as a server's connection does.
 */
static void test_a_file_another_process_holds_is_refused(void **state)
{
    struct fixture *f = *state;
    prepare(f, "");
    int ready[2], go[2];
    assert_int_equal(pipe(ready), 0);
    assert_int_equal(pipe(go), 0);
    pid_t child = fork();
    assert_true(child >= 0);
    if (child == 0) {
        int fd = open(f->path, O_RDONLY);
        struct flock fl = {
            .l_type = F_RDLCK, .l_whence = SEEK_SET, .l_start = 0x40000002, .l_len = 510};
        char c = fd >= 0 && fcntl(fd, F_SETLK, &fl) == 0 ? 'y' : 'n';
        if (write(ready[1], &c, 1) != 1 || read(go[0], &c, 1) < 0)
            _exit(1);
        _exit(0);
    }
    char c = 0;
    assert_int_equal(read(ready[0], &c, 1), 1);
    assert_int_equal(c, 'y');
    struct store_copy_report r;
    struct error err = {0};
    enum result result = copy(f, &r, &err);
    assert_int_equal(write(go[1], "x", 1), 1);
    int status = 0;
    assert_int_equal(waitpid(child, &status, 0), child);
    close(ready[0]);
    close(ready[1]);
    close(go[0]);
    close(go[1]);
    assert_int_equal(result, ERR_CONFLICT);
    char want[64];
    snprintf(want, sizeof want, "in use by process %ld", (long)child);
    assert_non_null(strstr(err.message, want));
    assert_false(fk.opened);
    /* once it is gone the same file copies */
    fk_reset_state();
    assert_int_equal(copy(f, &r, &err), OK);
    store_copy_report_free(&r);
}

static void test_migrations_newer_or_older_are_refused(void **state)
{
    struct fixture *f = *state;
    prepare(f, "INSERT INTO schema_migrations VALUES ('sqlite/999_future.sql', 0)");
    struct store_copy_report r;
    struct error err = {0};
    assert_int_equal(copy(f, &r, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "newer than this tocsin"));
    assert_non_null(strstr(err.message, "sqlite/999_future.sql"));
    assert_false(fk.opened);
    prepare(f, "DELETE FROM schema_migrations WHERE name = 'sqlite/999_future.sql';"
               "DELETE FROM schema_migrations WHERE name = 'sqlite/002_alerts.sql'");
    assert_int_equal(copy(f, &r, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "older than this tocsin (migration sqlite/002_alerts.sql"));
    assert_non_null(strstr(err.message, "tocsin serve"));
    assert_false(fk.opened);
}

static void test_a_missing_file_is_named(void **state)
{
    struct fixture *f = *state;
    prepare(f, "");
    char missing[400];
    snprintf(missing, sizeof missing, "%s/nothing.db", f->dir);
    struct store_copy_report r;
    struct error err = {0};
    assert_int_equal(
        store_copy_between(&store_copy_source_sqlite, missing, &fake_sink, "fake", &r, &err),
        ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, missing));
    assert_non_null(strstr(err.message, "No such file or directory"));
    assert_int_equal(access(missing, F_OK), -1);
    assert_false(fk.opened);
}

int main(void)
{
    (void)reader; /* the fixture's, unused here */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_copies_every_table_in_reference_order, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_row_count_that_differs_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_chain_head_that_differs_is_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_a_file_another_process_holds_is_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_migrations_newer_or_older_are_refused, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_a_missing_file_is_named, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
