/*
 * Unit tests for maintenance.c: the effective status (the clock's moves), the next change, the
 * forward-only moves, settling before a person's move; and the status page's use of it
 * (status_page.c: components under maintenance, the indicator, worse states winning, the order).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "domain/maintenance.h"
#include "domain/status_page.h"

static struct maintenance window(enum maint_status s)
{
    return (struct maintenance){.id = "mnt_1",
                                .name = "Upgrade",
                                .status = s,
                                .components = "[\"Database\", \"Nope\"]",
                                .updates = "[{\"status\":\"scheduled\",\"body\":\"a\",\"at\":5},"
                                           "{\"status\":\"verifying\",\"body\":\"b\",\"at\":7}]",
                                .scheduled_for = 100,
                                .scheduled_until = 200};
}

static void test_effective(void **state)
{
    struct maintenance m = window(MAINT_SCHEDULED);
    assert_int_equal(maint_effective(&m, 99), MAINT_SCHEDULED);
    assert_int_equal(maint_effective(&m, 100), MAINT_IN_PROGRESS);
    assert_int_equal(maint_effective(&m, 200), MAINT_COMPLETED);
    assert_int_equal(maint_next_change(&m, 50), 100);
    assert_int_equal(maint_next_change(&m, 150), 200);
    assert_int_equal(maint_next_change(&m, 250), 0);
    m.status = MAINT_VERIFYING; /* waits for a person, even past the planned end */
    assert_int_equal(maint_effective(&m, 500), MAINT_VERIFYING);
    assert_int_equal(maint_next_change(&m, 500), 0);
    m.status = MAINT_IN_PROGRESS; /* started early by a person */
    assert_int_equal(maint_effective(&m, 50), MAINT_IN_PROGRESS);
    assert_int_equal(maint_next_change(&m, 50), 200);
}

static void test_moves(void **state)
{
    assert_true(maint_move_allowed(MAINT_SCHEDULED, MAINT_COMPLETED));
    assert_true(maint_move_allowed(MAINT_IN_PROGRESS, MAINT_VERIFYING));
    assert_true(maint_move_allowed(MAINT_VERIFYING, MAINT_VERIFYING));
    assert_false(maint_move_allowed(MAINT_VERIFYING, MAINT_IN_PROGRESS));
    assert_false(maint_move_allowed(MAINT_COMPLETED, MAINT_COMPLETED));
    assert_int_equal(maint_status_parse("in_progress"), MAINT_IN_PROGRESS);
    assert_int_equal(maint_status_parse("done"), -1);
    assert_string_equal(maint_status_name(MAINT_VERIFYING), "verifying");
    struct maintenance m = window(MAINT_SCHEDULED);
    maint_settle(&m, 150); /* the clock started it at scheduled_for */
    assert_int_equal(m.status, MAINT_IN_PROGRESS);
    assert_int_equal(m.started_at, 100);
    assert_int_equal(m.completed_at, 0);
    maint_move(&m, MAINT_COMPLETED, 160);
    assert_int_equal(m.started_at, 100);
    assert_int_equal(m.completed_at, 160);
    m = window(MAINT_SCHEDULED);
    maint_settle(&m, 300);
    assert_int_equal(m.status, MAINT_COMPLETED);
    assert_int_equal(m.completed_at, 200);
}

static struct config_service services[] = {
    {.id = "api", .component = "API"},
    {.id = "db", .component = "Database"},
};
static struct config_severity sevs[] = {{.id = "SEV1"}, {.id = "SEV2"}};

static void test_on_the_page(void **state)
{
    struct config c = {
        .services = services, .service_count = 2, .severities = sevs, .severity_count = 2};
    struct sp_page p;
    sp_page_init(&p, &c);
    struct maintenance m = window(MAINT_SCHEDULED), later = window(MAINT_SCHEDULED);
    memcpy(later.id, "mnt_2", 6);
    later.scheduled_for = 400;
    later.scheduled_until = 500;
    sp_page_add_maintenance(&p, &later, 150);
    sp_page_add_maintenance(&p, &m, 150);
    sp_page_finish(&p);
    assert_int_equal(p.maintenance_count, 2);
    assert_string_equal(p.maintenances[0].id, "mnt_1"); /* active first */
    assert_int_equal(p.maintenances[0].status, MAINT_IN_PROGRESS);
    assert_int_equal(p.maintenances[0].component_count, 1); /* "Nope" is not a component */
    assert_int_equal(p.maintenances[0].update_count, 2);
    assert_string_equal(p.maintenances[0].updates[0].body, "b"); /* newest first */
    assert_int_equal(p.next_change, 200);
    assert_int_equal(p.components[1].status, SP_UNDER_MAINTENANCE);
    assert_int_equal(p.components[0].status, SP_OPERATIONAL);
    assert_int_equal(p.indicator, SP_IMPACT_MAINTENANCE);
    sp_page_free(&p);
    /* a failing probe is worse than maintenance */
    sp_page_init(&p, &c);
    sp_page_add_maintenance(&p, &m, 150);
    sp_page_probe_down(&p, &c, "db", 120);
    sp_page_finish(&p);
    assert_int_equal(p.components[1].status, SP_MAJOR_OUTAGE);
    assert_int_equal(p.indicator, SP_IMPACT_CRITICAL);
    sp_page_free(&p);
}

/* What subscribers were last told (the clock's pass compares it with the effective status), and
 * the update the clock (or a bare move) posts. */
static void test_announced_and_updates(void **state)
{
    (void)state;
    struct maintenance m = window(MAINT_SCHEDULED);
    assert_int_equal(maint_announced(&m), MAINT_VERIFYING); /* the newest update's */
    m.updates = "[]";
    assert_int_equal(maint_announced(&m), MAINT_SCHEDULED); /* none: the stored status */
    m.updates = "[{\"status\":\"bogus\"}]";
    assert_int_equal(maint_announced(&m), MAINT_SCHEDULED);
    m.updates = NULL;
    assert_int_equal(maint_announced(&m), MAINT_SCHEDULED);
    maint_append_update(&m, "in_progress", maint_default_body(MAINT_IN_PROGRESS), 150);
    assert_string_equal(m.updates, "[{\"id\":\"mnt_1-1\",\"status\":\"in_progress\",\"body\":"
                                   "\"The maintenance is in progress.\",\"at\":150}]");
    assert_int_equal(maint_announced(&m), MAINT_IN_PROGRESS);
    maint_append_update(&m, "completed", maint_default_body(MAINT_COMPLETED), 200);
    assert_int_equal(maint_announced(&m), MAINT_COMPLETED);
    assert_non_null(strstr(m.updates, "\"id\":\"mnt_1-2\""));
    assert_string_equal(maint_default_body(MAINT_COMPLETED), "The maintenance has been completed.");
    free(m.updates);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_effective),
        cmocka_unit_test(test_moves),
        cmocka_unit_test(test_on_the_page),
        cmocka_unit_test(test_announced_and_updates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
