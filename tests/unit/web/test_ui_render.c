/*
 * Unit tests for the web UI's pages (web/ui_*.c), rendered from JSON like the API's and a small
 * config: the list is sorted by severity then age and filtered; user values (titles, notes,
 * actors) come out escaped; every form carries the CSRF token; a viewer gets no action forms;
 * SLA clocks say "overdue" and are marked breached once past, "met" when done; pages have no
 * inline script or style.
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

#include "util/timeutil.h"
#include "web/ui.h"

static struct config *cfg;
static const char *const CSRF = "c0ffee00c0ffee00";

static int setup(void **state)
{
    char path[] = "/tmp/tocsin-ui-render-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return -1;
    static const char yaml[] =
        "severities:\n"
        "  - {id: SEV1, name: Critical, description: \"Everything <down>\"}\n"
        "  - {id: SEV2, name: Major}\n"
        "users: [{id: alice, name: Alice}, {id: bob, name: Bob}]\n"
        "services: [{id: api, name: API}]\n";
    ssize_t w = write(fd, yaml, sizeof yaml - 1);
    close(fd);
    cfg = w == (ssize_t)(sizeof yaml - 1) ? config_load(path, NULL) : NULL;
    unlink(path);
    return cfg ? 0 : -1;
}

static int teardown(void **state)
{
    config_unref(cfg);
    return 0;
}

static const int64_t NOW = 4086072000000LL; /* 2099-06-25T12:00:00Z */

static struct ui_view view(const char *role)
{
    return (struct ui_view){.user = "alice", .role = role, .csrf = CSRF, .now = NOW, .version = 7};
}

static json_t *incident(const char *id, const char *sev, const char *title, const char *created,
                        const char *status)
{
    return json_pack("{s:s,s:s,s:s,s:s,s:s,s:s,s:b,s:{s:s,s:s?,s:n,s:b,s:b}}", "id", id, "severity",
                     sev, "title", title, "created_at", created, "status", status, "service", "api",
                     "drill", 0, "sla", "ack_due", "2099-06-25T11:45:00Z", "resolve_due",
                     "2099-06-25T13:00:00Z", "next_update_due", "ack_breached", 1,
                     "resolve_breached", 0);
}

static char *render_list(const char *role, const struct ui_filter *f)
{
    json_t *list = json_pack(
        "{s:[o,o,o]}", "incidents",
        incident("INC-3", "SEV2", "old major", "2099-06-25T10:00:00Z", "triggered"),
        incident("INC-1", "SEV1", "<script>alert(1)</script>", "2099-06-25T11:00:00Z", "triggered"),
        incident("INC-2", "SEV2", "new major", "2099-06-25T11:30:00Z", "acknowledged"));
    struct html h;
    html_init(&h, 1 << 20);
    struct ui_view v = view(role);
    ui_render_incidents(&h, &v, list, f, cfg);
    json_decref(list);
    assert_false(html_failed(&h));
    size_t n;
    return html_steal(&h, &n);
}

static void no_inline(const char *page)
{
    assert_null(strstr(page, "<script>"));
    assert_null(strstr(page, " style="));
    assert_null(strstr(page, "<style"));
    assert_null(strstr(page, " onclick"));
}

static void test_list_sorted_escaped_with_csrf(void **state)
{
    struct ui_filter f = {0};
    char *page = render_list("responder", &f);
    const char *a = strstr(page, "INC-1"), *b = strstr(page, "INC-3"), *c = strstr(page, "INC-2");
    assert_true(a && b && c && a < b && b < c); /* SEV1, then the SEV2s oldest first */
    assert_non_null(strstr(page, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    no_inline(page);
    assert_non_null(strstr(page, "action=\"/ui/incidents/ack\""));
    char want[80];
    snprintf(want, sizeof want, "name=\"csrf\" value=\"%s\"", CSRF);
    assert_non_null(strstr(page, want));
    assert_non_null(strstr(page, "class=\"sev sev-1\""));
    assert_non_null(strstr(page, ">SEV1<")); /* the severity as text, not only colour */
    free(page);
}

static void test_list_filter_and_viewer(void **state)
{
    struct ui_filter f = {.severity = "SEV2"};
    char *page = render_list("viewer", &f);
    assert_null(strstr(page, "INC-1"));
    assert_non_null(strstr(page, "INC-2"));
    assert_null(strstr(page, "/ui/incidents/ack")); /* no bulk acknowledge for a viewer */
    assert_null(strstr(page, "/ui/declare\""));
    free(page);
}

static void test_incident_clocks_and_actions(void **state)
{
    json_t *inc = incident("INC-1", "SEV1", "t", "2099-06-25T11:00:00Z", "triggered");
    json_t *tl = json_pack("{s:[{s:s,s:s,s:s,s:{s:s}}]}", "entries", "at", "2099-06-25T11:00:00Z",
                           "kind", "incident.note", "actor", "user:<b>", "data", "text",
                           "<img src=x onerror=alert(1)>");
    struct ui_incident_data d = {.incident = inc, .timeline = tl};
    struct html h;
    html_init(&h, 1 << 20);
    struct ui_view v = view("responder");
    ui_render_incident(&h, &v, &d, cfg);
    assert_false(html_failed(&h));
    const char *page = html_data(&h);
    no_inline(page);
    assert_non_null(strstr(page, "<li class=\"clock breached\"><span class=\"label\">Ack due"));
    assert_non_null(strstr(page, "overdue by 15m"));
    assert_non_null(strstr(page, "in 1h 00m"));
    assert_non_null(strstr(page, "data-action=\"ack\""));
    assert_non_null(strstr(page, "action=\"/ui/incidents/INC-1/resolve\""));
    assert_non_null(strstr(page, "&lt;img src=x onerror=alert(1)&gt;"));
    assert_non_null(strstr(page, "user:&lt;b&gt;"));
    assert_null(strstr(page, "<img"));
    html_free(&h);
    /* acknowledged: the ack clock is met, no ack button; a viewer gets no forms at all */
    json_object_set_new(inc, "status", json_string("acknowledged"));
    json_object_set_new(inc, "acknowledged_at", json_string("2099-06-25T11:10:00Z"));
    html_init(&h, 1 << 20);
    v = view("viewer");
    ui_render_incident(&h, &v, &d, cfg);
    page = html_data(&h);
    assert_non_null(strstr(page, "<li class=\"clock done\"><span class=\"label\">Ack due"));
    assert_null(strstr(page, "data-action=\"ack\""));
    assert_null(strstr(page, "/ui/incidents/INC-1/"));
    html_free(&h);
    json_decref(inc);
    json_decref(tl);
}

static void test_declare_shows_the_policy_text(void **state)
{
    struct html h;
    html_init(&h, 1 << 20);
    struct ui_view v = view("responder");
    ui_render_declare(&h, &v, cfg);
    const char *page = html_data(&h);
    assert_non_null(strstr(page, "Everything &lt;down&gt;"));
    assert_non_null(strstr(page, "name=\"severity\" value=\"SEV1\""));
    assert_non_null(strstr(page, "<option value=\"api\">API</option>"));
    html_free(&h);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_sorted_escaped_with_csrf),
        cmocka_unit_test(test_list_filter_and_viewer),
        cmocka_unit_test(test_incident_clocks_and_actions),
        cmocka_unit_test(test_declare_shows_the_policy_text),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
