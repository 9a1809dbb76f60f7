/*
 * Unit tests for domain/status_page.c: components from the services' component names (config
 * order, shared names merged, internal services left out, slug ids made unique); severity rank ->
 * impact -> component state, the worst winning, resolved incidents not counting; a failing probe
 * as major_outage; the indicator and its description; an incident's page status from its newest
 * public update (resolved in tocsin wins, postmortem stays), monitoring_at; the order of
 * incidents (unresolved first, newest first); tocsin states -> Statuspage update statuses.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/status_page.h"

static struct config_severity sevs[] = {{.id = "SEV1", .rank = 1},
                                        {.id = "SEV2", .rank = 2},
                                        {.id = "SEV3", .rank = 3},
                                        {.id = "SEV4", .rank = 4}};
static struct config_probe probe = {.every = 30000, .timeout = 2000, .fail_after = 3};
static struct config_service svcs[] = {
    {.id = "api", .component = "API"},
    {.id = "web", .component = "API"}, /* shares the component */
    {.id = "db", .component = "Database", .description = "Primary store", .probe = &probe},
    {.id = "batch"},                    /* internal */
    {.id = "api2", .component = "api"}, /* same slug as "API" */
};
static struct config cfg = {
    .severities = sevs, .severity_count = 4, .services = svcs, .service_count = 5};

static struct sp_incident *add(struct sp_page *p, const char *id, const char *sev,
                               const char *service, enum incident_status st, int64_t created)
{
    struct incident inc = {0};
    snprintf(inc.id, sizeof inc.id, "%s", id);
    inc.title = (char *)id;
    inc.severity = (char *)sev;
    inc.service = (char *)service;
    inc.status = st;
    inc.created_at = inc.updated_at = created;
    inc.resolved_at = incident_status_is_open(st) ? 0 : created + 10;
    inc.last_public_update_at = created;
    return sp_page_add_incident(p, &cfg, &inc);
}

static void test_components(void **state)
{
    struct sp_page p;
    sp_page_init(&p, &cfg);
    assert_int_equal(p.component_count, 3);
    assert_string_equal(p.components[0].name, "API");
    assert_string_equal(p.components[0].id, "api");
    assert_string_equal(p.components[1].name, "Database");
    assert_string_equal(p.components[1].description, "Primary store");
    assert_string_equal(p.components[2].name, "api");
    assert_string_equal(p.components[2].id, "api-2");
    assert_int_equal(sp_component_of(&p, &cfg, "web"), 0);
    assert_int_equal(sp_component_of(&p, &cfg, "batch"), -1);
    assert_int_equal(sp_component_of(&p, &cfg, NULL), -1);
    assert_int_equal(sp_component_of(&p, &cfg, "nope"), -1);
    sp_page_finish(&p);
    assert_int_equal(p.indicator, SP_IMPACT_NONE);
    assert_string_equal(sp_indicator_description(p.indicator), "All Systems Operational");
    for (size_t i = 0; i < p.component_count; i++)
        assert_string_equal(sp_component_status_name(p.components[i].status), "operational");
    sp_page_free(&p);
}

static void test_impact_from_rank(void **state)
{
    assert_int_equal(sp_impact_for_severity(&cfg, "SEV1"), SP_IMPACT_CRITICAL);
    assert_int_equal(sp_impact_for_severity(&cfg, "SEV2"), SP_IMPACT_MAJOR);
    assert_int_equal(sp_impact_for_severity(&cfg, "SEV3"), SP_IMPACT_MINOR);
    assert_int_equal(sp_impact_for_severity(&cfg, "SEV4"), SP_IMPACT_NONE);
    assert_int_equal(sp_impact_for_severity(&cfg, "SEV9"), SP_IMPACT_NONE);
    assert_int_equal(sp_impact_for_severity(&cfg, NULL), SP_IMPACT_NONE);
    assert_string_equal(sp_impact_name(SP_IMPACT_CRITICAL), "critical");
    assert_string_equal(sp_impact_name(SP_IMPACT_MAINTENANCE), "maintenance");
}

static void test_worst_wins(void **state)
{
    struct sp_page p;
    sp_page_init(&p, &cfg);
    sp_incident_add_update(add(&p, "minor", "SEV3", "api", INC_INVESTIGATING, 100), 1, 100,
                           "investigating", "slow");
    assert_int_equal(p.incident_count, 1);
    sp_page_finish(&p);
    assert_int_equal(p.components[0].status, SP_DEGRADED_PERFORMANCE);
    assert_int_equal(p.indicator, SP_IMPACT_MINOR);
    assert_string_equal(sp_indicator_description(p.indicator), "Partially Degraded Service");
    sp_page_free(&p);

    sp_page_init(&p, &cfg);
    add(&p, "minor", "SEV3", "api", INC_INVESTIGATING, 100);
    add(&p, "major", "SEV2", "web", INC_IDENTIFIED, 200);   /* same component */
    add(&p, "old", "SEV1", "api", INC_RESOLVED, 50);        /* resolved: does not count */
    add(&p, "loose", "SEV4", NULL, INC_INVESTIGATING, 300); /* no component, no impact */
    sp_page_finish(&p);
    assert_int_equal(p.components[0].status, SP_PARTIAL_OUTAGE);
    assert_int_equal(p.components[1].status, SP_OPERATIONAL);
    assert_int_equal(p.indicator, SP_IMPACT_MAJOR);
    assert_string_equal(sp_indicator_description(p.indicator), "Partial System Outage");
    /* unresolved first, each newest first */
    assert_string_equal(p.incidents[0].id, "loose");
    assert_string_equal(p.incidents[1].id, "major");
    assert_string_equal(p.incidents[2].id, "minor");
    assert_string_equal(p.incidents[3].id, "old");
    assert_int_equal(p.incidents[3].component, 0);
    sp_page_free(&p);

    sp_page_init(&p, &cfg);
    add(&p, "crit", "SEV1", "db", INC_TRIGGERED, 100);
    sp_page_finish(&p);
    assert_int_equal(p.components[1].status, SP_MAJOR_OUTAGE);
    assert_string_equal(sp_indicator_description(p.indicator), "Major System Outage");
    sp_page_free(&p);
}

static void test_incident_without_component_sets_indicator(void **state)
{
    struct sp_page p;
    sp_page_init(&p, &cfg);
    add(&p, "x", "SEV2", "batch", INC_INVESTIGATING, 100);
    sp_page_finish(&p);
    for (size_t i = 0; i < p.component_count; i++)
        assert_int_equal(p.components[i].status, SP_OPERATIONAL);
    assert_int_equal(p.indicator, SP_IMPACT_MAJOR);
    sp_page_free(&p);
}

static void test_probe_down(void **state)
{
    struct sp_page p;
    sp_page_init(&p, &cfg);
    add(&p, "minor", "SEV3", "db", INC_INVESTIGATING, 100);
    sp_page_probe_down(&p, &cfg, "db", 500);
    sp_page_probe_down(&p, &cfg, "batch", 500); /* internal: nothing to mark */
    sp_page_finish(&p);
    assert_int_equal(p.components[1].status, SP_MAJOR_OUTAGE);
    assert_int_equal(p.components[1].updated_at, 500);
    assert_int_equal(p.indicator, SP_IMPACT_CRITICAL);
    assert_int_equal(p.updated_at, 500);
    sp_page_free(&p);
}

static void test_incident_status_from_updates(void **state)
{
    struct sp_page p;
    sp_page_init(&p, &cfg);
    struct sp_incident *a = add(&p, "a", "SEV2", "api", INC_MONITORING, 100);
    sp_incident_add_update(a, 7, 300, "monitoring", "watching");
    sp_incident_add_update(a, 3, 100, "investigating", "looking");
    sp_incident_add_update(a, 5, 200, "identified", "found");
    struct sp_incident *b = add(&p, "b", "SEV2", "api", INC_RESOLVED, 50);
    sp_incident_add_update(b, 1, 60, "investigating", "looking"); /* resolved, never announced */
    struct sp_incident *c = add(&p, "c", "SEV2", "api", INC_CLOSED, 40);
    sp_incident_add_update(c, 2, 90, "postmortem", "what happened");
    sp_page_finish(&p);
    const struct sp_incident *ia = &p.incidents[0], *ib = &p.incidents[1], *ic = &p.incidents[2];
    assert_string_equal(ia->id, "a");
    assert_string_equal(ia->status, "monitoring");
    assert_int_equal(ia->updates[0].seq, 7); /* newest first */
    assert_int_equal(ia->updates[2].seq, 3);
    assert_int_equal(ia->monitoring_at, 300);
    assert_int_equal(ia->updated_at, 300);
    assert_string_equal(ib->status, "resolved");
    assert_string_equal(ic->status, "postmortem");
    assert_int_equal(p.updated_at, 300);
    sp_page_free(&p);
}

static void test_update_status_names(void **state)
{
    assert_string_equal(sp_update_status(INC_TRIGGERED, false), "investigating");
    assert_string_equal(sp_update_status(INC_ACKNOWLEDGED, false), "investigating");
    assert_string_equal(sp_update_status(INC_INVESTIGATING, false), "investigating");
    assert_string_equal(sp_update_status(INC_IDENTIFIED, false), "identified");
    assert_string_equal(sp_update_status(INC_MONITORING, false), "monitoring");
    assert_string_equal(sp_update_status(INC_RESOLVED, true), "resolved");
    assert_string_equal(sp_update_status(INC_CLOSED, false), "resolved");
    assert_string_equal(sp_update_status(INC_CLOSED, true), "postmortem");
    assert_string_equal(sp_component_status_name(SP_DEGRADED_PERFORMANCE), "degraded_performance");
    assert_string_equal(sp_component_status_name(SP_UNDER_MAINTENANCE), "under_maintenance");
    assert_string_equal(sp_indicator_description(SP_IMPACT_MAINTENANCE),
                        "Service Under Maintenance");
}

enum { HOUR = 3600 * 1000, DAY = 24 * HOUR };

static void test_uptime_weights(void **state)
{
    struct sp_page p;
    int64_t day0 = (int64_t)20000 * DAY; /* a UTC midnight */
    int64_t now = day0 + 2 * DAY + 12 * HOUR;
    sp_page_init(&p, &cfg);
    sp_page_uptime_init(&p, now, 4); /* days day0-1 .. day0+2 */
    assert_int_equal(p.first_day, day0 - DAY);
    assert_true(p.components[0].days[0] < 0);
    struct incident inc = {.severity = "SEV1", .service = "api", .status = INC_RESOLVED};
    snprintf(inc.id, sizeof inc.id, "INC-1");
    inc.title = "one";
    inc.created_at = day0 + 6 * HOUR; /* 6 h of major_outage on day0 */
    inc.resolved_at = day0 + 12 * HOUR;
    sp_page_add_outage(&p, &cfg, &inc);
    inc.severity = "SEV2"; /* 10 h of partial_outage on day0+1: 30% of 10 h = 3 h down */
    inc.created_at = day0 + DAY + 4 * HOUR;
    inc.resolved_at = day0 + DAY + 14 * HOUR;
    sp_page_add_outage(&p, &cfg, &inc);
    inc.severity = "SEV3"; /* degraded: no downtime */
    inc.service = "db";
    inc.status = INC_INVESTIGATING; /* still open: runs to now */
    inc.created_at = day0 + 2 * DAY;
    sp_page_add_outage(&p, &cfg, &inc);
    inc.service = "batch"; /* no component: not an outage of any */
    sp_page_add_outage(&p, &cfg, &inc);
    assert_int_equal(p.outage_count, 3);
    inc.severity = "SEV1"; /* 3 h of major_outage on day0+2, 2 of them while tocsin was down */
    inc.service = "api";
    inc.status = INC_RESOLVED;
    inc.created_at = day0 + 2 * DAY + HOUR;
    inc.resolved_at = day0 + 2 * DAY + 4 * HOUR;
    sp_page_add_outage(&p, &cfg, &inc);
    sp_component_probe_day(&p, 2, 3, 3, 4); /* component "api" (index 2): from probes */
    sp_component_probe_day(&p, 2, 2, 0, 0); /* no results that day: no data */
    /* tocsin's record: from day0, a gap of 6 h on day0+2 (02:00-08:00), running now (end 0) */
    struct sp_span runs[] = {{day0 + 2 * DAY + 8 * HOUR, 0},
                             {day0, day0 + 2 * DAY + 2 * HOUR},
                             {day0 + HOUR, day0 + 2 * HOUR}};
    sp_page_uptime_finish(&p, now, runs, 3);
    const double *api = p.components[0].days, *db = p.components[1].days,
                 *probed = p.components[2].days;
    assert_true(api[0] < 0); /* before the record */
    assert_float_equal(api[1], 75.0, 1e-9);
    assert_float_equal(api[2], 87.5, 1e-9);
    /* today, up to now: 6 h recorded (00-02, 08-12), 1 h of it down */
    assert_float_equal(api[3], 500.0 / 6, 1e-9);
    assert_float_equal(db[3], 100.0, 1e-9);
    assert_true(probed[1] < 0 && probed[2] < 0);
    assert_float_equal(probed[3], 75.0, 1e-9);
    assert_float_equal(sp_downtime_weight(SP_IMPACT_CRITICAL), 1.0, 0);
    assert_float_equal(sp_downtime_weight(SP_IMPACT_MAJOR), 0.3, 0);
    assert_float_equal(sp_downtime_weight(SP_IMPACT_MINOR), 0.0, 0);
    sp_page_free(&p);
}

static void test_groups(void **state)
{
    static const char *members[] = {"Database", "API"};
    struct config_status_group groups[] = {
        {.name = "Back End", .components = {.items = (char **)members, .count = 2}}};
    struct config gcfg = cfg;
    gcfg.status_page.groups = groups;
    gcfg.status_page.group_count = 1;
    struct sp_page p;
    sp_page_init(&p, &gcfg);
    assert_int_equal(p.group_count, 1);
    assert_string_equal(p.groups[0].id, "group-back-end");
    assert_int_equal(p.components[0].group, 0); /* API */
    assert_int_equal(p.components[1].group, 0); /* Database */
    assert_int_equal(p.components[2].group, -1);
    struct incident inc = {.severity = "SEV2", .service = "db", .status = INC_INVESTIGATING};
    snprintf(inc.id, sizeof inc.id, "INC-1");
    inc.title = "x";
    inc.last_public_update_at = 1;
    sp_page_add_incident(&p, &gcfg, &inc);
    sp_page_finish(&p);
    assert_int_equal(p.groups[0].status, SP_PARTIAL_OUTAGE); /* the worst member */
    assert_int_equal(p.components[0].status, SP_OPERATIONAL);
    sp_page_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_components),
        cmocka_unit_test(test_impact_from_rank),
        cmocka_unit_test(test_worst_wins),
        cmocka_unit_test(test_incident_without_component_sets_indicator),
        cmocka_unit_test(test_probe_down),
        cmocka_unit_test(test_incident_status_from_updates),
        cmocka_unit_test(test_update_status_names),
        cmocka_unit_test(test_uptime_weights),
        cmocka_unit_test(test_groups),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
