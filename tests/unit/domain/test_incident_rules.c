/*
 * Unit tests for incident_rules.c: which `roles:` entry fills a role (the first matching, per
 * role) and when a conditional rule matches an incident (severity, type, service, every field
 * equal, at least N failed resolution attempts).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "config/config.h"
#include "domain/incident_rules.h"

static char *sev1[] = {"SEV1"};
static char *sev12[] = {"SEV1", "SEV2"};
static char *breach[] = {"data-breach"};
static char *ledger[] = {"ledger", "api"};

static struct incident inc_of(char *severity, char *type, char *service)
{
    return (struct incident){.severity = severity, .type = type, .service = service};
}

static void test_role_fill_first_match_per_role(void **state)
{
    struct config_role_fill fills[] = {
        {.role = "commander", .when = {.severity = {sev1, 1}}, .primary = "user:a"},
        {.role = "comms_lead", .primary = "user:c"},
        {.role = "commander", .primary = "user:b"},
        {.role = "scribe", .when = {.type = {breach, 1}}, .primary = "user:d"},
    };
    struct config cfg = {.roles = fills, .role_count = 4};
    struct incident s1 = inc_of("SEV1", NULL, NULL), s2 = inc_of("SEV2", "data-breach", NULL);
    assert_ptr_equal(incident_role_fill_for(&cfg, ROLE_COMMANDER, &s1), &fills[0]);
    assert_ptr_equal(incident_role_fill_for(&cfg, ROLE_COMMANDER, &s2), &fills[2]);
    assert_ptr_equal(incident_role_fill_for(&cfg, ROLE_COMMS_LEAD, &s1), &fills[1]);
    assert_null(incident_role_fill_for(&cfg, ROLE_SCRIBE, &s1)); /* no type: a type list fails */
    assert_ptr_equal(incident_role_fill_for(&cfg, ROLE_SCRIBE, &s2), &fills[3]);
    assert_null(incident_role_fill_for(&cfg, ROLE_TECH_LEAD, &s2));
    assert_null(incident_role_fill_for(NULL, ROLE_COMMANDER, &s1));
}

static void test_rule_lists(void **state)
{
    struct config_rule r = {.id = "r", .when = {.severity = {sev12, 2}, .service = {ledger, 2}}};
    struct incident a = inc_of("SEV2", NULL, "api"), b = inc_of("SEV3", NULL, "api"),
                    c = inc_of("SEV1", NULL, NULL), d = inc_of("SEV1", "x", "ledger");
    assert_true(incident_rule_matches(&r, &a, NULL, 0, 0));
    assert_false(incident_rule_matches(&r, &b, NULL, 0, 0)); /* severity not listed */
    assert_false(incident_rule_matches(&r, &c, NULL, 0, 0)); /* no service: a service list fails */
    assert_true(incident_rule_matches(&r, &d, NULL, 0, 0));  /* no type list: any type */
    struct config_rule any = {.id = "any"};
    assert_true(incident_rule_matches(&any, &c, NULL, 0, 0)); /* an empty when matches all */
}

static void test_rule_fields_all_equal(void **state)
{
    struct config_severity_mapping f[] = {{.from = "cause", .to = "billing-bug"},
                                          {.from = "gdpr", .to = "yes"}};
    struct config_rule r = {.id = "r",
                            .when = {.type = {breach, 1}, .fields = f, .field_count = 2}};
    struct incident inc = inc_of("SEV1", "data-breach", NULL);
    json_t *fields = json_pack("{s:s}", "cause", "billing-bug");
    assert_false(incident_rule_matches(&r, &inc, fields, 0, 0)); /* gdpr missing */
    json_object_set_new(fields, "gdpr", json_string("no"));
    assert_false(incident_rule_matches(&r, &inc, fields, 0, 0)); /* gdpr differs */
    json_object_set_new(fields, "gdpr", json_string("yes"));
    assert_true(incident_rule_matches(&r, &inc, fields, 0, 0));
    json_object_set_new(fields, "cause", json_string("Billing-Bug"));
    assert_false(incident_rule_matches(&r, &inc, fields, 0, 0)); /* values are exact */
    assert_false(incident_rule_matches(&r, &inc, NULL, 0, 0));   /* no fields at all */
    json_decref(fields);
}

static void test_rule_failed_resolutions_at_least(void **state)
{
    struct config_rule r = {.id = "r", .when = {.failed_resolutions = 2}};
    struct incident inc = inc_of("SEV3", NULL, NULL);
    assert_false(incident_rule_matches(&r, &inc, NULL, 0, 0));
    assert_false(incident_rule_matches(&r, &inc, NULL, 1, 0));
    assert_true(incident_rule_matches(&r, &inc, NULL, 2, 0));
    assert_true(incident_rule_matches(&r, &inc, NULL, 5, 0));
}

static void test_rule_labels_each_one_of_its_values(void **state)
{
    char *prod_values[] = {"prod", "production"}, *web[] = {"web"};
    struct config_label_match l[] = {{.name = "env", .values = {prod_values, 2}},
                                     {.name = "app", .values = {web, 1}}};
    struct config_rule r = {.id = "r", .when = {.labels = l, .label_count = 2}};
    json_t *labels = json_pack("{s:s,s:s}", "env", "staging", "app", "web");
    assert_false(incident_rule_labels_match(&r, NULL)); /* no alert */
    assert_false(incident_rule_labels_match(&r, labels));
    json_object_set_new(labels, "env", json_string("production")); /* the second value */
    assert_true(incident_rule_labels_match(&r, labels));
    json_object_set_new(labels, "env", json_string("prod"));
    assert_true(incident_rule_labels_match(&r, labels));
    json_object_del(labels, "app"); /* every label named, in one alert */
    assert_false(incident_rule_labels_match(&r, labels));
    struct config_rule none = {.id = "none"};
    assert_true(incident_rule_labels_match(&none, NULL));
    json_decref(labels);
}

static void test_rule_open_for_counts_from_the_declaration(void **state)
{
    struct config_rule r = {.id = "r", .when = {.open_for = 30 * 60000}};
    struct incident inc = inc_of("SEV2", NULL, NULL);
    inc.created_at = 1000000;
    assert_int_equal(incident_rule_open_at(&r, &inc), 1000000 + 30 * 60000);
    assert_false(incident_rule_matches(&r, &inc, NULL, 0, 1000000));
    assert_false(incident_rule_matches(&r, &inc, NULL, 0, 1000000 + 30 * 60000 - 1));
    assert_true(incident_rule_matches(&r, &inc, NULL, 0, 1000000 + 30 * 60000));
    struct config_rule any = {.id = "any"};
    assert_int_equal(incident_rule_open_at(&any, &inc), 0);
    assert_true(incident_rule_matches(&any, &inc, NULL, 0, 0));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_role_fill_first_match_per_role),
        cmocka_unit_test(test_rule_lists),
        cmocka_unit_test(test_rule_fields_all_equal),
        cmocka_unit_test(test_rule_failed_resolutions_at_least),
        cmocka_unit_test(test_rule_labels_each_one_of_its_values),
        cmocka_unit_test(test_rule_open_for_counts_from_the_declaration),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
