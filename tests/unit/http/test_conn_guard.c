/*
 * Unit tests for http/conn_guard.c: the connection limit sized from the open-files limit (the
 * reserve of an eighth, 256..4096; the default cap of 16,384; a configured value kept when it
 * fits, lowered and flagged when not; tiny limits), and the rate-limited libmicrohttpd log (the
 * second identical message within a second is dropped, not printed).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "http/conn_guard.h"

#include <stdio.h>
#include <unistd.h>

static void test_limit_from_nofile(void **state)
{
    bool clamped = true;
    assert_int_equal(conn_guard_connection_limit(0, 1024, &clamped), 1024 - 256);
    assert_false(clamped);
    assert_int_equal(conn_guard_connection_limit(0, 8000, &clamped), 8000 - 1000);
    assert_int_equal(conn_guard_connection_limit(0, 20000, &clamped), 16384); /* the cap */
    assert_int_equal(conn_guard_connection_limit(0, 1048576, &clamped), 16384);
    assert_int_equal(conn_guard_connection_limit(0, 100, &clamped), 50); /* tiny: half */
}

static void test_configured_limit(void **state)
{
    bool clamped = true;
    assert_int_equal(conn_guard_connection_limit(4096, 1048576, &clamped), 4096);
    assert_false(clamped);
    assert_int_equal(conn_guard_connection_limit(50000, 1048576, &clamped), 50000);
    assert_false(clamped); /* above the default cap but it fits: the operator's choice */
    assert_int_equal(conn_guard_connection_limit(4096, 1024, &clamped), 768);
    assert_true(clamped);
}

static void call_log(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    conn_guard_mhd_log(NULL, fmt, ap);
    va_end(ap);
}

/* Calls f with fd 2 sent to a file; returns how many lines were written. */
static int stderr_lines(void (*f)(void))
{
    FILE *tmp = tmpfile();
    assert_non_null(tmp);
    int saved = dup(STDERR_FILENO);
    dup2(fileno(tmp), STDERR_FILENO);
    f();
    dup2(saved, STDERR_FILENO);
    close(saved);
    rewind(tmp);
    int lines = 0, ch;
    while ((ch = fgetc(tmp)) != EOF)
        lines += ch == '\n';
    fclose(tmp);
    return lines;
}

static void accept_failing_in_a_loop(void)
{
    for (int i = 0; i < 10000; i++)
        call_log("Error accepting connection: %s\n", "Too many open files");
    call_log("another message %d\n", 1); /* another message has its own budget */
}

static void test_log_rate_limited(void **state)
{
    assert_int_equal(stderr_lines(accept_failing_in_a_loop), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_limit_from_nofile),
        cmocka_unit_test(test_configured_limit),
        cmocka_unit_test(test_log_rate_limited),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
