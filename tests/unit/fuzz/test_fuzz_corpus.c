/*
 * The fuzz targets (tests/fuzz/fuzz_*.c, built here as plain functions) replayed over their kept
 * corpus, tests/fuzz/corpus/NAME/: seeds and every input a fuzzer found that once crashed or
 * disagreed (docs/security.md "Fuzzing"). A regression aborts or trips ASan/UBSan here, in every
 * `make SAN=1 unit`, without clang or libFuzzer. Each corpus directory must hold inputs.
 * (Edits to the targets rebuild this binary only when this file is newer: touch it.)
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../fuzz/fuzz_alertmanager.c"
#include "../../fuzz/fuzz_events_v2.c"
#include "../../fuzz/fuzz_form.c"
#include "../../fuzz/fuzz_http.c"
#include "../../fuzz/fuzz_http_date.c"
#include "../../fuzz/fuzz_json.c"
#include "../../fuzz/fuzz_template.c"
#include "../../fuzz/fuzz_times.c"
#include "../../fuzz/fuzz_yaml.c"

#ifndef TOCSIN_ROOT
#error "TOCSIN_ROOT (the repo root) must be defined; the Makefile passes -DTOCSIN_ROOT"
#endif

typedef int (*fuzz_fn)(const uint8_t *data, size_t size);

/* Runs fn over every file of tests/fuzz/corpus/name; returns how many. */
static int replay(const char *name, fuzz_fn fn)
{
    char dir[512], path[1024];
    snprintf(dir, sizeof dir, "%s/tests/fuzz/corpus/%s", TOCSIN_ROOT, name);
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *fp = fopen(path, "rb");
        assert_non_null(fp);
        static uint8_t buf[1 << 20];
        size_t len = fread(buf, 1, sizeof buf, fp);
        fclose(fp);
        uint8_t *copy = malloc(len ? len : 1); /* exact size: ASan sees an overread */
        assert_non_null(copy);
        memcpy(copy, buf, len);
        fn(copy, len);
        free(copy);
        n++;
    }
    closedir(d);
    return n;
}

static void test_json_corpus(void **state)
{
    assert_true(replay("json", fuzz_json) > 0);
}

static void test_yaml_corpus(void **state)
{
    assert_true(replay("yaml", fuzz_yaml) > 0);
}

static void test_form_corpus(void **state)
{
    assert_true(replay("form", fuzz_form) > 0);
}

static void test_http_date_corpus(void **state)
{
    assert_true(replay("http_date", fuzz_http_date) > 0);
}

static void test_times_corpus(void **state)
{
    assert_true(replay("times", fuzz_times) > 0);
}

static void test_alertmanager_corpus(void **state)
{
    assert_true(replay("alertmanager", fuzz_alertmanager) > 0);
}

static void test_events_v2_corpus(void **state)
{
    assert_true(replay("events_v2", fuzz_events_v2) > 0);
}

static void test_http_corpus(void **state)
{
    assert_true(replay("http", fuzz_http) > 0);
}

static void test_template_corpus(void **state)
{
    assert_true(replay("template", fuzz_template) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json_corpus),         cmocka_unit_test(test_yaml_corpus),
        cmocka_unit_test(test_form_corpus),         cmocka_unit_test(test_http_date_corpus),
        cmocka_unit_test(test_times_corpus),        cmocka_unit_test(test_template_corpus),
        cmocka_unit_test(test_alertmanager_corpus), cmocka_unit_test(test_events_v2_corpus),
        cmocka_unit_test(test_http_corpus),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
