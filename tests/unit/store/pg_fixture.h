/*
 * pg_fixture: a fresh, migrated PostgreSQL database per test, for the unit tests of the
 * PostgreSQL backend. The cluster is the one TOCSIN_TEST_PG names (its socket directory;
 * scripts/pg_cluster.sh, started by `make integration-pg`); pg_fixture_skip() says whether to skip
 * the whole binary. Include it once per test file (its functions are static).
 */
#ifndef TOCSIN_TEST_PG_FIXTURE_H
#define TOCSIN_TEST_PG_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/pg/pg.h"
#include "store/store.h"

struct fixture {
    char dbname[64];
    char url[512];
    struct pg_conn *w; /* the writer, migrated */
};

static const char *pg_dir(void)
{
    return getenv("TOCSIN_TEST_PG");
}

/* True (and a line saying so) when no cluster is given: the binary then exits 0 untested. */
static bool pg_fixture_skip(const char *test)
{
    if (pg_dir() && pg_dir()[0])
        return false;
    printf("%s: skipped (TOCSIN_TEST_PG is not set: scripts/pg_cluster.sh)\n", test);
    return true;
}

/* Runs one statement on the cluster's maintenance database. */
static void admin(const char *sql)
{
    char conninfo[512];
    snprintf(conninfo, sizeof conninfo, "host=%s user=postgres dbname=postgres", pg_dir());
    PGconn *db = PQconnectdb(conninfo);
    assert_int_equal(PQstatus(db), CONNECTION_OK);
    PGresult *res = PQexec(db, sql);
    if (PQresultStatus(res) != PGRES_COMMAND_OK)
        fail_msg("%s: %s", sql, PQresultErrorMessage(res));
    PQclear(res);
    PQfinish(db);
}

static int setup(void **state)
{
    static int n;
    struct fixture *f = calloc(1, sizeof *f);
    char sql[128];
    snprintf(f->dbname, sizeof f->dbname, "tocsin_unit_%d_%d", (int)getpid(), ++n);
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", f->dbname);
    admin(sql);
    snprintf(f->url, sizeof f->url, "postgresql:///%s?host=%s&user=postgres", f->dbname, pg_dir());
    struct error err = {0};
    f->w = store_backend_pg.connect(f->url, true, &err);
    if (!f->w)
        fail_msg("connect: %s", err.message);
    if (store_backend_pg.migrate(f->w, &err) != OK)
        fail_msg("migrate: %s", err.message);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    char sql[128];
    store_backend_pg.disconnect(f->w);
    snprintf(sql, sizeof sql, "DROP DATABASE %s WITH (FORCE)", f->dbname);
    admin(sql);
    free(f);
    return 0;
}

#endif
