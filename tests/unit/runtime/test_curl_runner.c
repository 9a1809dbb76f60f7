/*
 * Unit tests for runtime/curl_runner.c, with no network: file:// transfers of a temporary file.
 * Covers: jobs all run to completion with their own result; a handle outside the protocol
 * allow-list is refused by libcurl (CURLE_UNSUPPORTED_PROTOCOL), not run; a protocol list libcurl
 * refuses makes curl_runner_guard fail with the option named; a handle the multi refuses (added
 * twice) is done at once with CURLE_FAILED_INIT and a reason, and the other job still runs; a job
 * with no handle is left not done; a stop callback that says stop at once returns.
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

#include "runtime/curl_runner.h"

static char path[64], url[128];

static size_t sink(char *p, size_t size, size_t n, void *arg)
{
    size_t *got = arg;
    *got += size * n;
    return size * n;
}

static int setup(void **state)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    snprintf(path, sizeof path, "/tmp/tocsin-test-curl-XXXXXX");
    int fd = mkstemp(path);
    if (fd < 0 || write(fd, "hello\n", 6) != 6)
        return -1;
    close(fd);
    snprintf(url, sizeof url, "file://%s", path);
    return 0;
}

static int teardown(void **state)
{
    unlink(path);
    curl_global_cleanup();
    return 0;
}

static CURL *easy(const char *protocols, char *errbuf, size_t *got)
{
    CURL *e = curl_easy_init();
    assert_non_null(e);
    assert_int_equal(curl_runner_guard(e, protocols, errbuf), CURLE_OK);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, sink);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, got);
    return e;
}

static void test_runs_all_and_guards_protocols(void **state)
{
    struct error err = {0};
    struct curl_runner *r = curl_runner_new(&err);
    assert_non_null(r);
    char eb[3][CURL_ERROR_SIZE] = {{0}};
    size_t got[3] = {0};
    struct curl_job jobs[4] = {
        {.easy = easy("file", eb[0], &got[0]), .errbuf = eb[0]},
        {.easy = easy("file", eb[1], &got[1]), .errbuf = eb[1]},
        {.easy = easy("http,https", eb[2], &got[2]), .errbuf = eb[2]}, /* file:// not allowed */
        {.easy = NULL},
    };
    curl_runner_run(r, jobs, 4, NULL, NULL);
    for (int i = 0; i < 2; i++) {
        assert_true(jobs[i].done);
        assert_int_equal(jobs[i].result, CURLE_OK);
        assert_int_equal(got[i], 6);
    }
    assert_true(jobs[2].done);
    assert_int_equal(jobs[2].result, CURLE_UNSUPPORTED_PROTOCOL);
    assert_int_equal(got[2], 0);
    assert_false(jobs[3].done);
    /* the runner is reusable: the same handle runs again */
    got[0] = 0;
    curl_runner_run(r, jobs, 1, NULL, NULL);
    assert_true(jobs[0].done);
    assert_int_equal(got[0], 6);
    for (int i = 0; i < 3; i++)
        curl_easy_cleanup(jobs[i].easy);
    curl_runner_free(r);
}

static void test_guard_refused(void **state)
{
    char eb[CURL_ERROR_SIZE] = "";
    CURL *e = curl_easy_init();
    assert_int_not_equal(curl_runner_guard(e, "no-such-protocol", eb), CURLE_OK);
    assert_non_null(strstr(eb, "CURLOPT_PROTOCOLS_STR"));
    curl_easy_cleanup(e);
}

static void test_add_refused(void **state)
{
    struct error err = {0};
    struct curl_runner *r = curl_runner_new(&err);
    char eb[2][CURL_ERROR_SIZE] = {{0}};
    size_t got = 0;
    CURL *e = easy("file", eb[0], &got);
    struct curl_job jobs[2] = {{.easy = e, .errbuf = eb[0]}, {.easy = e, .errbuf = eb[1]}};
    curl_runner_run(r, jobs, 2, NULL, NULL);
    assert_true(jobs[0].done);
    assert_int_equal(jobs[0].result, CURLE_OK);
    assert_true(jobs[1].done);
    assert_int_equal(jobs[1].result, CURLE_FAILED_INIT);
    assert_non_null(strstr(eb[1], "libcurl refused the transfer"));
    assert_int_equal(got, 6); /* run once */
    curl_easy_cleanup(e);
    curl_runner_free(r);
}

static bool stop_now(void *ctx)
{
    int *calls = ctx;
    (*calls)++;
    return true;
}

static void test_stop(void **state)
{
    struct error err = {0};
    struct curl_runner *r = curl_runner_new(&err);
    char eb[CURL_ERROR_SIZE] = "";
    size_t got = 0;
    struct curl_job job = {.easy = easy("file", eb, &got), .errbuf = eb};
    int calls = 0;
    curl_runner_run(r, &job, 1, stop_now, &calls);
    assert_int_equal(calls, 1); /* asked once, then returned */
    curl_runner_wakeup(r);      /* harmless when nothing waits */
    curl_easy_cleanup(job.easy);
    curl_runner_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_runs_all_and_guards_protocols),
        cmocka_unit_test(test_guard_refused),
        cmocka_unit_test(test_add_refused),
        cmocka_unit_test(test_stop),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
