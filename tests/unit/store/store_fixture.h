/*
 * store_fixture: a fresh SQLite store in its own temp directory, for the unit tests that need a
 * real store (test_store.c, test_timeline.c, test_store_writer.c), with a fake clock at T1. Each
 * unit test is one C file, so this header holds the (static) fixture functions themselves.
 */
#ifndef TOCSIN_TEST_STORE_FIXTURE_H
#define TOCSIN_TEST_STORE_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "store/store.h"
#include "util/clock.h"

/* 2026-11-23T09:25:32Z */
#define T1 (1795425932LL * 1000)

struct fixture {
    char dir[256];
    char path[300];
    struct store *store;
    struct tclock *clock; /* fake, starting at T1 */
};

static void remove_db(struct fixture *f)
{
    static const char *const suffixes[] = {"", "-wal", "-shm", "-journal"};
    char p[320];
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(p, sizeof p, "%s%s", f->path, suffixes[i]);
        unlink(p);
    }
    rmdir(f->dir);
}

static int setup(void **state)
{
    struct fixture *f = calloc(1, sizeof *f);
    const char *tmp = getenv("TMPDIR");
    snprintf(f->dir, sizeof f->dir, "%s/tocsin-unit-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(f->dir)) {
        free(f);
        return -1;
    }
    snprintf(f->path, sizeof f->path, "%s/tocsin.db", f->dir);
    struct error err = {0};
    f->store = store_open("sqlite", f->path, &err);
    if (!f->store) {
        print_error("store_open: %s\n", err.message);
        remove_db(f);
        free(f);
        return -1;
    }
    f->clock = clock_fake_new(T1);
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    struct fixture *f = *state;
    store_close(f->store);
    clock_free(f->clock);
    remove_db(f);
    free(f);
    return 0;
}

/* This thread's read connection; fails the test when it cannot be opened. */
static struct store_conn *reader(struct store *s)
{
    struct error err = {0};
    struct store_conn *r = store_reader(s, &err);
    if (!r)
        fail_msg("store_reader: %s", err.message);
    return r;
}

#endif
