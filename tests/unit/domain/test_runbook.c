/*
 * Unit tests for runbook.c: matching by service (either side), type and alert labels, and the
 * Markdown (numbered steps, prerequisites, rollback, owner's name).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "config/config.h"
#include "domain/runbook.h"
#include "util/buf.h"

static char *pay_rb[] = {"RB-PAY"};
static char *sec_rb[] = {"RB-SEC"};
static char *api_svc[] = {"api"};
static char *labels[] = {"alertname=PostgresDown", "team=db"};
static char *steps[] = {"Check it", "Fix **it**"};
static char *prereq[] = {"Console access"};

static struct config_service services[] = {{.id = "pay", .runbooks = {pay_rb, 1}}, {.id = "api"}};
static struct config_incident_type types[] = {{.id = "security", .runbooks = {sec_rb, 1}}};
static struct config_user users[] = {{.id = "alice", .name = "Alice A."}};
static struct config_runbook runbooks[] = {
    {.id = "RB-PAY", .title = "Payments"},
    {.id = "RB-SEC", .title = "Security"},
    {.id = "RB-API",
     .title = "API",
     .services = {api_svc, 1},
     .alert_labels = {labels, 2},
     .steps = {steps, 2},
     .prerequisites = {prereq, 1},
     .rollback = "Undo it",
     .estimate = "5m",
     .owner = "alice"},
};
static struct config cfg = {.services = services,
                            .service_count = 2,
                            .types = types,
                            .type_count = 1,
                            .users = users,
                            .user_count = 1,
                            .runbooks = runbooks,
                            .runbook_count = 3};

static void test_static_match(void **state)
{
    struct incident inc = {.service = "pay"};
    assert_int_equal(runbook_static_match(&cfg, &runbooks[0], &inc), RUNBOOK_BY_SERVICE);
    assert_int_equal(runbook_static_match(&cfg, &runbooks[2], &inc), 0);
    inc.service = "api";
    inc.type = "security";
    assert_int_equal(runbook_static_match(&cfg, &runbooks[2], &inc), RUNBOOK_BY_SERVICE);
    assert_int_equal(runbook_static_match(&cfg, &runbooks[1], &inc), RUNBOOK_BY_TYPE);
    assert_ptr_equal(runbook_find(&cfg, "RB-SEC"), &runbooks[1]);
    assert_null(runbook_find(&cfg, "RB-NOPE"));
}

static void test_labels(void **state)
{
    assert_true(runbook_labels_match(&runbooks[2], "{\"alertname\":\"PostgresDown\"}"));
    assert_true(runbook_labels_match(&runbooks[2], "{\"team\":\"db\",\"x\":\"y\"}"));
    assert_false(runbook_labels_match(&runbooks[2], "{\"alertname\":\"PostgresDownX\"}"));
    assert_false(runbook_labels_match(&runbooks[2], "{\"team\":5}"));
    assert_false(runbook_labels_match(&runbooks[2], "not json"));
    assert_false(runbook_labels_match(&runbooks[0], "{\"alertname\":\"PostgresDown\"}"));
}

static void test_markdown(void **state)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    runbook_render_md(&cfg, &runbooks[2], &b);
    assert_non_null(strstr(b.data, "## RB-API: API\n"));
    assert_non_null(strstr(b.data, "*Owner:* Alice A."));
    assert_non_null(strstr(b.data, "*Time estimate:* 5m"));
    assert_non_null(strstr(b.data, "### Prerequisites\n\n- Console access\n"));
    assert_non_null(strstr(b.data, "1. Check it\n2. Fix **it**\n"));
    assert_non_null(strstr(b.data, "### Rollback\n\nUndo it\n"));
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_static_match),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_markdown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
