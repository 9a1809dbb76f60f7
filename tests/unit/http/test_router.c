/*
 * Unit tests for http/router: the pattern match (literal segments, {x} captures, caps) and the
 * table put together from the API files (every route reachable, no method and pattern twice, and
 * exactly the routes of the API).
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

/* The product surface: every route (method, pattern, least role) the router had before the routes
 * were declared per API file, plus the test-only failpoint route, and nothing else. A route lost,
 * added, or given another role by a file's table fails here. */
static void test_table_is_the_api(void **state)
{
    (void)state;
    static const struct {
        const char *method, *pattern;
        enum access access;
    } want[] = {
        {"GET", "/healthz", ACCESS_PUBLIC},
        {"GET", "/metrics", ACCESS_PUBLIC},
        {"POST", "/api/v1/incidents", ACCESS_RESPONDER},
        {"GET", "/api/v1/incidents", ACCESS_VIEWER},
        {"GET", "/api/v1/incidents/{id}", ACCESS_VIEWER},
        {"PATCH", "/api/v1/incidents/{id}", ACCESS_RESPONDER},
        {"POST", "/api/v1/incidents/{id}/ack", ACCESS_RESPONDER},
        {"POST", "/api/v1/incidents/{id}/status", ACCESS_RESPONDER},
        {"POST", "/api/v1/incidents/{id}/resolve", ACCESS_RESPONDER},
        {"PUT", "/api/v1/incidents/{id}/roles/{role}", ACCESS_RESPONDER},
        {"POST", "/api/v1/incidents/{id}/notes", ACCESS_RESPONDER},
        {"GET", "/api/v1/incidents/{id}/timeline", ACCESS_VIEWER},
        {"PUT", "/api/v1/incidents/{id}/fields/{name}", ACCESS_RESPONDER},
        {"POST", "/api/v1/incidents/{id}/failed-resolutions", ACCESS_RESPONDER},
        {"POST", "/api/v1/audit/verify", ACCESS_VIEWER},
        {"GET", "/api/v1/audit/verify", ACCESS_VIEWER},
        {"POST", "/api/v1/tokens", ACCESS_ADMIN},
        {"GET", "/api/v1/tokens", ACCESS_ADMIN},
        {"DELETE", "/api/v1/tokens/{id}", ACCESS_ADMIN},
        {"GET", "/api/v1/severities", ACCESS_VIEWER},
        {"GET", "/api/v1/users", ACCESS_VIEWER},
        {"GET", "/api/v1/services", ACCESS_VIEWER},
        {"GET", "/api/v1/incident_types", ACCESS_VIEWER},
        {"POST", "/api/v1/config/reload", ACCESS_ADMIN},
        {"POST", "/api/v1/integrations", ACCESS_ADMIN},
        {"GET", "/api/v1/integrations", ACCESS_ADMIN},
        {"DELETE", "/api/v1/integrations/{id}", ACCESS_ADMIN},
        {"POST", "/api/v1/ingest/alertmanager", ACCESS_PUBLIC},
        {"POST", "/v2/enqueue", ACCESS_PUBLIC},
        {"POST", "/api/v1/ingest/generic", ACCESS_PUBLIC},
        {"POST", "/api/v1/heartbeat/{name}", ACCESS_PUBLIC},
        {"GET", "/api/v1/heartbeats", ACCESS_VIEWER},
        {"GET", "/api/v1/alerts", ACCESS_VIEWER},
        {"GET", "/api/v1/incidents/{id}/alerts", ACCESS_VIEWER},
        {"POST", "/api/v1/silences", ACCESS_RESPONDER},
        {"GET", "/api/v1/silences", ACCESS_VIEWER},
        {"DELETE", "/api/v1/silences/{id}", ACCESS_RESPONDER},
        {"GET", "/api/v1/services/{id}/probe", ACCESS_VIEWER},
        {"GET", "/api/v1/debug/clock", ACCESS_ADMIN},
        {"POST", "/api/v1/debug/clock", ACCESS_ADMIN},
        {"GET", "/api/v1/schedules", ACCESS_VIEWER},
        {"GET", "/api/v1/schedules/{id}", ACCESS_PUBLIC},
        {"GET", "/api/v1/oncall", ACCESS_VIEWER},
        {"POST", "/api/v1/schedules/{id}/overrides", ACCESS_RESPONDER},
        {"GET", "/api/v1/schedules/{id}/overrides", ACCESS_VIEWER},
        {"GET", "/api/v1/overrides", ACCESS_VIEWER},
        {"DELETE", "/api/v1/overrides/{id}", ACCESS_RESPONDER},
        {"GET", "/api/v1/incidents/{id}/notifications", ACCESS_VIEWER},
        {"POST", "/api/v1/incidents/{id}/page", ACCESS_RESPONDER},
        {"POST", "/api/v1/sms/inbound", ACCESS_PUBLIC},
        {"GET", "/ack/{token}", ACCESS_PUBLIC},
        {"POST", "/ack/{token}", ACCESS_PUBLIC},
        {"POST", "/api/v1/incidents/{id}/escalate", ACCESS_RESPONDER},
        {"POST", "/api/v1/debug/failpoint", ACCESS_ADMIN}, /* new: tests only, --dev-clock */
        /* chat-ops (api/chatops.c): public, each request verified by Slack's signature */
        {"POST", "/api/v1/chat/slack/commands", ACCESS_PUBLIC},
        {"POST", "/api/v1/chat/slack/actions", ACCESS_PUBLIC},
        {"POST", "/api/v1/chat/slack/events", ACCESS_PUBLIC},
        {"POST", "/api/v1/chat/mattermost/commands", ACCESS_PUBLIC},
        {"POST", "/api/v1/chat/mattermost/actions", ACCESS_PUBLIC},
        /* the public status page (api/status_page.c) */
        {"GET", "/status", ACCESS_PUBLIC},
        {"GET", "/status.json", ACCESS_PUBLIC},
        {"GET", "/status/feed.atom", ACCESS_PUBLIC},
        {"GET", "/history.atom", ACCESS_PUBLIC},
        {"GET", "/status/assets/{name}", ACCESS_PUBLIC},
        {"GET", "/status/incidents/{id}/postmortem", ACCESS_PUBLIC},
        {"GET", "/api/v2/summary.json", ACCESS_PUBLIC},
        {"GET", "/api/v2/status.json", ACCESS_PUBLIC},
        {"GET", "/api/v2/components.json", ACCESS_PUBLIC},
        {"GET", "/api/v2/incidents.json", ACCESS_PUBLIC},
        {"GET", "/api/v2/incidents/unresolved.json", ACCESS_PUBLIC},
        {"GET", "/api/v2/scheduled-maintenances.json", ACCESS_PUBLIC},
        {"GET", "/api/v2/scheduled-maintenances/upcoming.json", ACCESS_PUBLIC},
        {"GET", "/api/v2/scheduled-maintenances/active.json", ACCESS_PUBLIC},
        /* the web UI's passwords (admin) and its pages: public in the table, each handler checks
         * the session cookie and calls the API's routes with the session's role */
        {"PUT", "/api/v1/users/{id}/password", ACCESS_ADMIN},
        {"DELETE", "/api/v1/users/{id}/sessions", ACCESS_ADMIN},
        {"GET", "/ui", ACCESS_PUBLIC},
        {"GET", "/ui/", ACCESS_PUBLIC},
        {"GET", "/ui/signin", ACCESS_PUBLIC},
        {"POST", "/ui/signin", ACCESS_PUBLIC},
        {"POST", "/ui/signout", ACCESS_PUBLIC},
        {"GET", "/ui/incidents/{id}", ACCESS_PUBLIC},
        {"GET", "/ui/declare", ACCESS_PUBLIC},
        {"GET", "/ui/oncall", ACCESS_PUBLIC},
        {"GET", "/ui/alerts", ACCESS_PUBLIC},
        {"GET", "/ui/events", ACCESS_PUBLIC},
        {"GET", "/ui/static/{name}", ACCESS_PUBLIC},
        {"POST", "/ui/silences", ACCESS_PUBLIC},
        {"POST", "/ui/silences/{id}/expire", ACCESS_PUBLIC},
        {"POST", "/ui/declare", ACCESS_PUBLIC},
        {"POST", "/ui/incidents/ack", ACCESS_PUBLIC},
        {"POST", "/ui/incidents/{id}/{action}", ACCESS_PUBLIC},
        /* issue 17: post-mortems, action items, checklists */
        {"POST", "/api/v1/incidents/{id}/postmortem", ACCESS_RESPONDER},
        {"GET", "/api/v1/incidents/{id}/postmortem", ACCESS_VIEWER},
        {"GET", "/api/v1/postmortems/{id}", ACCESS_VIEWER},
        {"PATCH", "/api/v1/postmortems/{id}", ACCESS_RESPONDER},
        {"GET", "/api/v1/postmortems/{id}/export", ACCESS_VIEWER},
        {"PUT", "/api/v1/postmortems/{id}/review", ACCESS_RESPONDER},
        {"DELETE", "/api/v1/postmortems/{id}/review", ACCESS_RESPONDER},
        {"GET", "/api/v1/postmortems/{id}/review.ics", ACCESS_VIEWER},
        {"POST", "/api/v1/actions", ACCESS_RESPONDER},
        {"GET", "/api/v1/actions", ACCESS_VIEWER},
        {"GET", "/api/v1/actions/{id}", ACCESS_VIEWER},
        {"PATCH", "/api/v1/actions/{id}", ACCESS_RESPONDER},
        {"POST", "/api/v1/actions/{id}/done", ACCESS_RESPONDER},
        {"GET", "/api/v1/incidents/{id}/checklists", ACCESS_VIEWER},
        {"POST", "/api/v1/incidents/{id}/checklists/{checklist}/items/{n}/tick", ACCESS_RESPONDER},
        {"POST", "/api/v1/incidents/{id}/notices", ACCESS_RESPONDER},
        {"GET", "/api/v1/runbooks", ACCESS_VIEWER},
        {"GET", "/api/v1/runbooks/{id}", ACCESS_VIEWER},
        {"GET", "/api/v1/incidents/{id}/runbooks", ACCESS_VIEWER},
        {"POST", "/api/v1/incidents/{id}/runbooks/{runbook}/steps/{n}/done", ACCESS_RESPONDER},
        {"GET", "/api/v1/drills", ACCESS_VIEWER},
        {"POST", "/api/v1/drills", ACCESS_RESPONDER},
        {"GET", "/api/v1/drills/{id}/report", ACCESS_VIEWER},
        {"GET", "/api/v1/reports/monthly", ACCESS_VIEWER},
        {"GET", "/api/v1/playbook", ACCESS_VIEWER},
        /* issue 13: the nodes sharing the store */
        {"GET", "/api/v1/nodes", ACCESS_VIEWER},
        /* issue 11: scheduled maintenance */
        {"POST", "/api/v1/maintenances", ACCESS_RESPONDER},
        {"GET", "/api/v1/maintenances", ACCESS_VIEWER},
        {"GET", "/api/v1/maintenances/{id}", ACCESS_VIEWER},
        {"PATCH", "/api/v1/maintenances/{id}", ACCESS_RESPONDER},
        {"GET", "/ui/maintenance", ACCESS_PUBLIC},
        {"POST", "/ui/maintenance", ACCESS_PUBLIC},
        {"POST", "/ui/maintenance/{id}", ACCESS_PUBLIC},
        {"POST", "/status/subscribe", ACCESS_PUBLIC},
        {"GET", "/status/subscribers/{id}/confirm/{token}", ACCESS_PUBLIC},
        {"POST", "/status/subscribers/{id}/confirm/{token}", ACCESS_PUBLIC},
        {"GET", "/status/subscribers/{id}/unsubscribe/{token}", ACCESS_PUBLIC},
        {"POST", "/status/subscribers/{id}/unsubscribe/{token}", ACCESS_PUBLIC},
        {"GET", "/api/v1/subscribers", ACCESS_ADMIN},
        {"GET", "/api/v1/subscribers.csv", ACCESS_ADMIN},
        {"POST", "/api/v1/subscribers", ACCESS_ADMIN},
        {"GET", "/api/v1/subscribers/{id}", ACCESS_ADMIN},
        {"POST", "/api/v1/subscribers/{id}/enable", ACCESS_ADMIN},
        {"DELETE", "/api/v1/subscribers/{id}", ACCESS_ADMIN},
        {"GET", "/status/history/{day}", ACCESS_PUBLIC},
        {"POST", "/ui/incidents/{id}/checklists/{checklist}/items/{n}/tick", ACCESS_PUBLIC},
        {"POST", "/ui/incidents/{id}/runbooks/{runbook}/steps/{n}/done", ACCESS_PUBLIC},
        {"POST", "/ui/incidents/{id}/postmortem", ACCESS_PUBLIC},
        {"GET", "/ui/actions", ACCESS_PUBLIC},
        {"POST", "/ui/actions", ACCESS_PUBLIC},
        {"POST", "/ui/actions/{id}/done", ACCESS_PUBLIC},
        /* issue 17: the monthly review in the UI */
        {"GET", "/ui/reports", ACCESS_PUBLIC},
        {"GET", "/ui/reports/download", ACCESS_PUBLIC},
    };
    size_t n = router_route_count(), nwant = sizeof want / sizeof want[0];
    assert_int_equal(n, nwant);
    for (size_t w = 0; w < nwant; w++) {
        size_t found = 0;
        for (size_t i = 0; i < n; i++) {
            const struct route *rt = router_route(i);
            if (strcmp(rt->method, want[w].method) == 0 &&
                strcmp(rt->pattern, want[w].pattern) == 0) {
                found++;
                if (rt->access != want[w].access)
                    fail_msg("%s %s: role %s, was %s", want[w].method, want[w].pattern,
                             access_name(rt->access), access_name(want[w].access));
            }
        }
        if (found != 1)
            fail_msg("%s %s: %zu routes, want 1", want[w].method, want[w].pattern, found);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_literal),          cmocka_unit_test(test_captures),
        cmocka_unit_test(test_capture_cap),      cmocka_unit_test(test_table),
        cmocka_unit_test(test_table_is_the_api),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
