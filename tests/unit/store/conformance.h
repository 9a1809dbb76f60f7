/*
 * conformance: the harness of the store conformance suite (test_conformance*.c). One set of test
 * functions runs twice, through the public store_* API: on SQLite (a store on a temp file) and on
 * PostgreSQL (a store on a fresh database of the cluster TOCSIN_TEST_PG names; that half is
 * skipped with a message when it is not set). The tests assert the same things on both; where
 * the backends legitimately differ, the test says so and why.
 *
 * Writes: conf_begin() opens a transaction on the store's writer thread (a store_submit job that
 * hands its connection to the test thread and waits) and returns that connection; the test calls
 * operations on it from its own thread (one thread at a time uses it: the job only waits) and
 * ends it with conf_commit() or conf_rollback(). So cmocka's assertions run on the test's thread,
 * never on the writer's. Reads that need no transaction go through conf_reader() (the thread's
 * read connection: committed data only, read-only on PostgreSQL).
 *
 * Coverage: every call goes through OP(name, ...), which marks the operation called and calls
 * store_<name>. The operations are listed from the resource headers' X-macro lists (CONF_OP_*),
 * so an operation added to a list is untested until some test calls it, and the last test of each
 * half (test_every_op_called) fails naming it. A resource added without a header entry here is
 * caught the other way: conf_check_registry() walks the resources the store registered (each
 * front end registers itself before main, store_ops.h) and fails on any resource or operation
 * that CONF_RESOURCES does not list.
 *
 * Include it once per test file (its functions are static); define CONF_FILE (the file's name as
 * in CONF_RESOURCES) first.
 */
#ifndef TOCSIN_TEST_CONFORMANCE_H
#define TOCSIN_TEST_CONFORMANCE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <libpq-fe.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/actions.h"
#include "store/alerts.h"
#include "store/chat_events.h"
#include "store/chatops.h"
#include "store/checklists.h"
#include "store/credentials.h"
#include "store/escalations.h"
#include "store/heartbeats.h"
#include "store/incidents.h"
#include "store/maintenances.h"
#include "store/nodes.h"
#include "store/notifications.h"
#include "store/overrides.h"
#include "store/postmortems.h"
#include "store/probes.h"
#include "store/sessions.h"
#include "store/silences.h"
#include "store/subscribers.h"
#include "store/store.h"
#include "store/timeline.h"
#include "util/log.h"

#ifndef CONF_FILE /* the header alone (the Makefile compiles it too) */
#define CONF_FILE ""
#endif

/* Every resource (its registered name, its X-macro list) and the file whose tests cover it. */
#define CONF_RESOURCES(X)                                                                          \
    X(incident, STORE_INCIDENT_OPS, "test_conformance")                                            \
    X(timeline, STORE_TIMELINE_OPS, "test_conformance")                                            \
    X(credential, STORE_CREDENTIAL_OPS, "test_conformance")                                        \
    X(alert, STORE_ALERT_OPS, "test_conformance")                                                  \
    X(silence, STORE_SILENCE_OPS, "test_conformance")                                              \
    X(heartbeat, STORE_HEARTBEAT_OPS, "test_conformance_work")                                     \
    X(probe, STORE_PROBE_OPS, "test_conformance_work")                                             \
    X(override, STORE_OVERRIDE_OPS, "test_conformance_work")                                       \
    X(maintenance, STORE_MAINTENANCE_OPS, "test_conformance_work")                                 \
    X(subscriber, STORE_SUBSCRIBER_OPS, "test_conformance_work")                                   \
    X(escalation, STORE_ESCALATION_OPS, "test_conformance_work")                                   \
    X(notification, STORE_NOTIFICATION_OPS, "test_conformance_notify")                             \
    X(node, STORE_NODE_OPS, "test_conformance_notify")                                             \
    X(session, STORE_SESSION_OPS, "test_conformance_followup")                                     \
    X(postmortem, STORE_POSTMORTEM_OPS, "test_conformance_followup")                               \
    X(checklist, STORE_CHECKLIST_OPS, "test_conformance_followup")                                 \
    X(action, STORE_ACTION_OPS, "test_conformance_followup")                                       \
    X(chat, STORE_CHAT_OPS, "test_conformance_followup")                                           \
    X(chat_event, STORE_CHAT_EVENT_OPS, "test_conformance_followup")

/* One enumerator per operation: CONF_OP_<name>. */
#define CONF_OP_ENUM_(name, flags, params, args) CONF_OP_##name,
#define CONF_RES_ENUM_(res, LIST, file) LIST(CONF_OP_ENUM_)
enum conf_op { CONF_RESOURCES(CONF_RES_ENUM_) CONF_OP_COUNT };

#define CONF_OP_NAME_(name, flags, params, args) #name,
#define CONF_RES_NAMES_(res, LIST, file) LIST(CONF_OP_NAME_)
static const char *const conf_op_names[CONF_OP_COUNT] = {CONF_RESOURCES(CONF_RES_NAMES_)};

/* Which resource each operation belongs to, and which file covers that resource. */
#define CONF_RES_ROW_(res, LIST, file) {#res, file},
static const struct {
    const char *name, *file;
} conf_resources[] = {CONF_RESOURCES(CONF_RES_ROW_)};
enum { CONF_RESOURCE_COUNT = sizeof conf_resources / sizeof conf_resources[0] };
#define CONF_RES_COUNT_(name, flags, params, args) +1
#define CONF_RES_SIZE_(res, LIST, file) (0 LIST(CONF_RES_COUNT_)),
static const int conf_resource_size[CONF_RESOURCE_COUNT] = {CONF_RESOURCES(CONF_RES_SIZE_)};

static bool conf_called[CONF_OP_COUNT];

/* Calls store_<op>(...), marking op called (for test_every_op_called). */
#define OP(op, ...) (conf_called[CONF_OP_##op] = true, store_##op(__VA_ARGS__))

/* ---- the fixture: one store per test, on either backend ---- */

enum conf_tx_state { TX_NONE, TX_WAITING, TX_OPEN, TX_ENDING, TX_DONE };

struct conf {
    struct store *s;
    bool pg;
    char dir[256], path[300]; /* SQLite: the temp directory and the file */
    char dbname[64];          /* PostgreSQL: the database */
    pthread_mutex_t mu;
    pthread_cond_t cv;
    enum conf_tx_state state;
    struct store_conn *tx; /* while TX_OPEN: the writer's connection */
    enum result end_with;  /* what the job returns (OK: commit) */
    enum result result;    /* what the store answered */
    struct error err;
};

static const char *conf_pg_dir(void)
{
    const char *d = getenv("TOCSIN_TEST_PG");
    return d && *d ? d : NULL;
}

/* One statement on the cluster's maintenance database. */
static void conf_pg_admin(const char *sql)
{
    char conninfo[512];
    snprintf(conninfo, sizeof conninfo, "host=%s user=postgres dbname=postgres", conf_pg_dir());
    PGconn *db = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PGresult *res = PQexec(db, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(db);
}

static struct conf *conf_new(void)
{
    struct conf *f = calloc(1, sizeof *f);
    pthread_mutex_init(&f->mu, NULL);
    pthread_cond_init(&f->cv, NULL);
    return f;
}

static void conf_free(struct conf *f)
{
    pthread_cond_destroy(&f->cv);
    pthread_mutex_destroy(&f->mu);
    free(f);
}

static void conf_remove_sqlite(struct conf *f)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[320];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
}

static int conf_setup_sqlite(void **state)
{
    struct conf *f = conf_new();
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/tocsin-conf-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        conf_free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/tocsin.db", f->dir);
    struct error err = {0};
    f->s = store_open("sqlite", f->path, &err);
    if (!f->s) {
        print_error("store_open: %s\n", err.message);
        conf_remove_sqlite(f);
        conf_free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static int conf_setup_pg(void **state)
{
    static int n;
    struct conf *f = conf_new();
    char sql[256], url[512];
    f->pg = true;
    snprintf(f->dbname, sizeof f->dbname, "tocsin_conf_%d_%d", (int)getpid(), ++n);
    /* a linguistic collation (ICU en-US, not the cluster's C.UTF-8): a text ORDER BY that lacks
     * COLLATE "C" then sorts "alpha" before "Zeta", unlike SQLite, and a test of order fails */
    snprintf(sql, sizeof sql,
             "CREATE DATABASE %s TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE 'en-US'",
             f->dbname);
    conf_pg_admin(sql);
    snprintf(url, sizeof url, "postgresql:///%s?host=%s&user=postgres", f->dbname, conf_pg_dir());
    struct error err = {0};
    f->s = store_open("postgres", url, &err);
    if (!f->s) {
        print_error("store_open: %s\n", err.message);
        conf_free(f);
        return -1;
    }
    *state = f;
    return 0;
}

static enum result conf_end(struct conf *f, enum result end_with);

static int conf_teardown(void **state)
{
    struct conf *f = *state;
    if (f->state == TX_OPEN) /* a failed assertion left it open */
        conf_end(f, ERR_CONFLICT);
    store_close(f->s);
    if (f->pg) {
        char sql[128];
        snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", f->dbname);
        conf_pg_admin(sql);
    } else {
        conf_remove_sqlite(f);
    }
    conf_free(f);
    return 0;
}

/* ---- transactions on the writer, driven from the test's thread ---- */

static enum result conf_tx_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct conf *f = arg;
    pthread_mutex_lock(&f->mu);
    f->tx = tx;
    f->state = TX_OPEN;
    pthread_cond_broadcast(&f->cv);
    while (f->state != TX_ENDING)
        pthread_cond_wait(&f->cv, &f->mu);
    enum result end_with = f->end_with;
    f->tx = NULL;
    pthread_mutex_unlock(&f->mu);
    if (end_with != OK)
        return error_set(err, end_with, "conformance: transaction rolled back");
    return OK;
}

static void conf_tx_done(void *arg, enum result result)
{
    struct conf *f = arg;
    pthread_mutex_lock(&f->mu);
    f->result = result;
    f->state = TX_DONE;
    pthread_cond_broadcast(&f->cv);
    pthread_mutex_unlock(&f->mu);
}

/* Opens a write transaction; returns the writer's connection, usable until conf_commit or
 * conf_rollback. */
static struct store_conn *conf_begin(struct conf *f)
{
    assert_int_equal(f->state, TX_NONE);
    f->state = TX_WAITING;
    memset(&f->err, 0, sizeof f->err);
    store_submit(f->s, conf_tx_job, f, &f->err, conf_tx_done, f);
    pthread_mutex_lock(&f->mu);
    while (f->state == TX_WAITING)
        pthread_cond_wait(&f->cv, &f->mu);
    bool open = f->state == TX_OPEN;
    pthread_mutex_unlock(&f->mu);
    if (!open)
        fail_msg("conformance: the writer refused the job: %s", f->err.message);
    return f->tx;
}

/* Ends the transaction (OK: commit, else roll back with that result); the store's answer. */
static enum result conf_end(struct conf *f, enum result end_with)
{
    pthread_mutex_lock(&f->mu);
    f->end_with = end_with;
    f->state = TX_ENDING;
    pthread_cond_broadcast(&f->cv);
    while (f->state != TX_DONE)
        pthread_cond_wait(&f->cv, &f->mu);
    f->state = TX_NONE;
    enum result result = f->result;
    pthread_mutex_unlock(&f->mu);
    return result;
}

static void conf_commit(struct conf *f)
{
    enum result result = conf_end(f, OK);
    if (result != OK)
        fail_msg("conformance: commit: %s", f->err.message);
}

/* Rolls the transaction back: the way to end one after a constraint's ERR_CONFLICT (on
 * PostgreSQL a failed statement aborts the whole transaction; store_pg.md, Savepoints). */
static void conf_rollback(struct conf *f)
{
    assert_int_equal(conf_end(f, ERR_CONFLICT), ERR_CONFLICT);
}

static struct store_conn *conf_reader(struct conf *f)
{
    struct error err = {0};
    struct store_conn *r = store_reader(f->s, &err);
    if (!r)
        fail_msg("store_reader: %s", err.message);
    return r;
}

/* ---- coverage ---- */

/* The resource of each operation, by index into conf_resources. */
static int conf_op_resource(int op)
{
    int first = 0;
    for (int r = 0; r < CONF_RESOURCE_COUNT; r++) {
        if (op < first + conf_resource_size[r])
            return r;
        first += conf_resource_size[r];
    }
    return -1;
}

static int conf_find_op(const char *name)
{
    for (int i = 0; i < CONF_OP_COUNT; i++)
        if (strcmp(conf_op_names[i], name) == 0)
            return i;
    return -1;
}

/* A resource entry with no operations, registered only to find the head of the store's list of
 * registered resources (its `next`); its tables are non-NULL so that store_open's check that
 * every resource has a table for the backend passes. */
static const int conf_no_table_;
#define CONF_ANY_TABLE_(be, id, arg) [id] = &conf_no_table_,
static const void *const conf_tables_[STORE_BACKEND_COUNT] = {STORE_BACKENDS(CONF_ANY_TABLE_, ~)};
static struct store_resource conf_sentinel_ = {"conformance", NULL, 0, conf_tables_, NULL};

/* Every registered resource and operation is listed in CONF_RESOURCES (so has a test file), and
 * every listed operation is registered (a failpoint name, store_failpoint_arm). */
static int conf_check_registry(void)
{
    int bad = 0, registered = 0;
    store_resource_register(&conf_sentinel_);
    for (const struct store_resource *r = conf_sentinel_.next; r; r = r->next) {
        int k = -1;
        for (int i = 0; i < CONF_RESOURCE_COUNT; i++)
            if (strcmp(conf_resources[i].name, r->name) == 0)
                k = i;
        if (k < 0) {
            printf("conformance: store resource \"%s\" is not in CONF_RESOURCES: untested\n",
                   r->name);
            bad++;
            continue;
        }
        for (size_t i = 0; i < r->count; i++) {
            int op = conf_find_op(r->ops[i]);
            if (op < 0 || conf_op_resource(op) != k) {
                printf("conformance: store operation %s (%s) is not listed\n", r->ops[i], r->name);
                bad++;
            } else {
                registered++;
            }
        }
    }
    if (registered != CONF_OP_COUNT) {
        printf("conformance: %d operations listed, %d registered\n", CONF_OP_COUNT, registered);
        bad++;
    }
    return bad;
}

/* The last test of each half: every operation of this file's resources was called. */
static void test_every_op_called(void **state)
{
    (void)state;
    int missing = 0;
    for (int op = 0; op < CONF_OP_COUNT; op++) {
        if (strcmp(conf_resources[conf_op_resource(op)].file, CONF_FILE) != 0)
            continue;
        if (!conf_called[op]) {
            print_error("store_%s was never called (untested, or its test failed first)\n",
                        conf_op_names[op]);
            missing++;
        }
        conf_called[op] = false; /* the next half starts over */
    }
    assert_int_equal(missing, 0);
}

/* main(): the registry check, then TESTS on SQLite and, when TOCSIN_TEST_PG is set, on
 * PostgreSQL. TESTS(X) lists the file's test functions. */
#define CONF_SQLITE_(fn) cmocka_unit_test_setup_teardown(fn, conf_setup_sqlite, conf_teardown),
#define CONF_PG_(fn) cmocka_unit_test_setup_teardown(fn, conf_setup_pg, conf_teardown),
#define CONF_MAIN(TESTS)                                                                           \
    int main(void)                                                                                 \
    {                                                                                              \
        log_set_level(LOG_WARN); /* not every migration applied: quiet */                          \
        int failed = conf_check_registry();                                                        \
        const struct CMUnitTest sqlite_tests[] = {TESTS(CONF_SQLITE_)                              \
                                                      cmocka_unit_test(test_every_op_called)};     \
        const struct CMUnitTest pg_tests[] = {TESTS(CONF_PG_)                                      \
                                                  cmocka_unit_test(test_every_op_called)};         \
        printf("%s: on SQLite\n", CONF_FILE);                                                      \
        failed += cmocka_run_group_tests_name(CONF_FILE " (sqlite)", sqlite_tests, NULL, NULL);    \
        if (conf_pg_dir()) {                                                                       \
            printf("%s: on PostgreSQL\n", CONF_FILE);                                              \
            failed += cmocka_run_group_tests_name(CONF_FILE " (postgres)", pg_tests, NULL, NULL);  \
        } else                                                                                     \
            printf("%s (postgres): skipped (TOCSIN_TEST_PG is not set: scripts/pg_cluster.sh)\n",  \
                   CONF_FILE);                                                                     \
        return failed != 0;                                                                        \
    }                                                                                              \
    struct conf_main_unused_

#endif
