/*
 * config_fixture: what the config unit tests share: where the fixture files are (from
 * TOCSIN_ROOT, the repo root, which the Makefile passes in, so a test runs from any directory),
 * a one-line valid severities section (SEV), and a temp file to load small configs from
 * (config_fixture_setup/teardown as the group setup; load_string; load_errors and assert_errors
 * give the exact messages without their "FILE:" prefix; assert_list checks a string list).
 * Ownership: the temp dir belongs to the group; each test frees what it loads. Threads: one.
 */
#ifndef TOCSIN_TEST_CONFIG_FIXTURE_H
#define TOCSIN_TEST_CONFIG_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"

#ifndef TOCSIN_ROOT
#error "TOCSIN_ROOT (the repo root) must be defined; the Makefile passes -DTOCSIN_ROOT"
#endif
#define FIXTURES TOCSIN_ROOT "/tests/unit/fixtures/config/"
#define EXAMPLES TOCSIN_ROOT "/examples/"
#define SEV "severities: [{id: SEV1, name: Critical}]\n" /* one line, makes a file valid */

static char tmp_dir[64];
static char tmp_file[128];

static inline int config_fixture_setup(void **state)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/tocsin-test-config-XXXXXX");
    if (!mkdtemp(tmp_dir))
        return -1;
    snprintf(tmp_file, sizeof tmp_file, "%s/t.yaml", tmp_dir);
    return 0;
}

static inline int config_fixture_teardown(void **state)
{
    unlink(tmp_file);
    rmdir(tmp_dir);
    return 0;
}

static inline struct config *load_string(const char *yaml, struct config_errors *errs)
{
    FILE *fp = fopen(tmp_file, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(yaml, 1, strlen(yaml), fp), strlen(yaml));
    assert_int_equal(fclose(fp), 0);
    return config_load(tmp_file, errs);
}

/* The errors for yaml, each without its "FILE:" prefix, one per line ("" when it loaded). */
static inline char *load_errors(const char *yaml)
{
    struct config_errors errs = {0};
    struct config *c = load_string(yaml, &errs);
    size_t plen = strlen(tmp_file), total = 1;
    for (size_t i = 0; i < errs.count; i++)
        total += strlen(errs.items[i]) + 1;
    char *out = calloc(1, total);
    assert_non_null(out);
    size_t used = 0;
    for (size_t i = 0; i < errs.count; i++) {
        const char *e = errs.items[i];
        assert_memory_equal(e, tmp_file, plen);
        assert_int_equal(e[plen], ':');
        size_t n = strlen(e + plen + 1);
        memcpy(out + used, e + plen + 1, n);
        used += n;
        out[used++] = '\n';
    }
    if (errs.count == 0)
        assert_non_null(c);
    else
        assert_null(c);
    config_unref(c);
    config_errors_free(&errs);
    return out;
}

#define assert_errors(yaml, expected)                                                              \
    do {                                                                                           \
        char *got_ = load_errors(yaml);                                                            \
        assert_string_equal(got_, expected);                                                       \
        free(got_);                                                                                \
    } while (0)

static inline void assert_list(const struct string_list *l, size_t n, ...)
{
    va_list ap;
    assert_int_equal(l->count, n);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->items[i], va_arg(ap, const char *));
    va_end(ap);
}

#endif
