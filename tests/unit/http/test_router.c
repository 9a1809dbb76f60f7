/*
 * Unit tests for http/router: the pattern match (literal segments, {x} captures, caps) and the
 * table put together from the API files (every route reachable, none shadowed, names unique).
 */
#include "http/http.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

static bool match(const char *pattern, const char *path, struct request *r)
{
    memset(r, 0, sizeof *r);
    return router_match(pattern, path, r);
}

static void test_literal(void **state)
{
    (void)state;
    struct request r;
    assert_true(match("/healthz", "/healthz", &r));
    assert_int_equal(r.nparams, 0);
    assert_false(match("/healthz", "/healthz/", &r));
    assert_false(match("/healthz", "/health", &r));
    assert_false(match("/healthz", "/healthzz", &r));
    assert_false(match("/api/v1/incidents", "/api/v1/incident", &r));
    assert_false(match("/api/v1/incidents", "", &r));
}

static void test_captures(void **state)
{
    (void)state;
    struct request r;
    assert_true(match("/api/v1/incidents/{id}/roles/{role}",
                      "/api/v1/incidents/INC-2026-12-07-001/roles/commander", &r));
    assert_int_equal(r.nparams, 2);
    assert_string_equal(r.params[0], "INC-2026-12-07-001");
    assert_string_equal(r.params[1], "commander");
    /* a capture is one whole, non-empty segment */
    assert_false(match("/api/v1/incidents/{id}", "/api/v1/incidents/", &r));
    assert_false(match("/api/v1/incidents/{id}", "/api/v1/incidents/a/b", &r));
    assert_false(match("/api/v1/incidents/{id}/ack", "/api/v1/incidents//ack", &r));
    assert_false(match("/api/v1/incidents/{id}/ack", "/api/v1/incidents/x/acks", &r));
    /* a capture that reaches the end of the path */
    assert_true(match("/ack/{token}", "/ack/abc.def", &r));
    assert_string_equal(r.params[0], "abc.def");
}

static void test_capture_cap(void **state)
{
    (void)state;
    struct request r;
    char path[HTTP_PARAM_MAX + 16];
    char seg[HTTP_PARAM_MAX + 1];
    memset(seg, 'a', sizeof seg - 1);
    seg[HTTP_PARAM_MAX - 1] = '\0'; /* the longest segment that fits */
    snprintf(path, sizeof path, "/ack/%s", seg);
    assert_true(match("/ack/{token}", path, &r));
    assert_int_equal(strlen(r.params[0]), HTTP_PARAM_MAX - 1);
    seg[HTTP_PARAM_MAX - 1] = 'a';
    seg[HTTP_PARAM_MAX] = '\0'; /* one byte more: refused, never cut */
    snprintf(path, sizeof path, "/ack/%s", seg);
    assert_false(match("/ack/{token}", path, &r));
}

static void test_table(void **state)
{
    (void)state;
    size_t n = router_route_count();
    assert_true(n >= 50); /* every API file's routes made it into the table */
    struct request r;
    for (size_t i = 0; i < n; i++) {
        const struct route *a = router_route(i);
        assert_non_null(a->handler);
        assert_true(a->pattern[0] == '/');
        for (size_t j = i + 1; j < n; j++) {
            const struct route *b = router_route(j);
            /* the same method and pattern twice would leave the second unreachable */
            assert_false(strcmp(a->method, b->method) == 0 && strcmp(a->pattern, b->pattern) == 0);
        }
    }
    /* a few routes from different files, each found by its pattern */
    const char *const want[] = {"/healthz",
                                "/metrics",
                                "/api/v1/incidents/{id}/escalate",
                                "/v2/enqueue",
                                "/api/v1/schedules/{id}/overrides",
                                "/ack/{token}"};
    for (size_t w = 0; w < sizeof want / sizeof want[0]; w++) {
        bool found = false;
        for (size_t i = 0; i < n && !found; i++)
            found = strcmp(router_route(i)->pattern, want[w]) == 0;
        assert_true(found);
    }
    assert_true(match("/api/v1/incidents/{id}", "/api/v1/incidents/X", &r));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal),
        cmocka_unit_test(test_captures),
        cmocka_unit_test(test_capture_cap),
        cmocka_unit_test(test_table),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
