/*
 * Unit tests for checklist.c: which items tocsin can observe (keywords, case-insensitive) and
 * which checklists apply to an incident (when, types that name them, handoff never).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "config/config.h"
#include "domain/checklist.h"

static void test_item_auto(void **state)
{
    assert_int_equal(checklist_item_auto("Assign Incident Commander"), CHECK_AUTO_COMMANDER);
    assert_int_equal(checklist_item_auto("Identify the incident commander (IC)"),
                     CHECK_AUTO_COMMANDER);
    assert_int_equal(checklist_item_auto("Post the first STATUS PAGE update"),
                     CHECK_AUTO_PUBLIC_UPDATE);
    assert_int_equal(checklist_item_auto("Schedule post-mortem within 48 hours"),
                     CHECK_AUTO_POSTMORTEM);
    assert_int_equal(checklist_item_auto("Create the postmortem doc"), CHECK_AUTO_POSTMORTEM);
    assert_int_equal(checklist_item_auto("Commander briefs executives"), CHECK_AUTO_NONE);
    assert_int_equal(checklist_item_auto("Check the status page"), CHECK_AUTO_NONE);
    assert_int_equal(checklist_item_auto(""), CHECK_AUTO_NONE);
    assert_string_equal(checklist_auto_name(CHECK_AUTO_PUBLIC_UPDATE), "public_update");
    assert_null(checklist_auto_name(CHECK_AUTO_NONE));
    assert_int_equal(checklist_auto_parse("postmortem_created"), CHECK_AUTO_POSTMORTEM);
    assert_int_equal(checklist_auto_parse("nope"), CHECK_AUTO_NONE);
}

static char *sev1[] = {"SEV1"};
static char *named[] = {"breach"};

static void test_applies(void **state)
{
    struct config_incident_type types[] = {{.id = "security", .checklists = {named, 1}}};
    struct config cfg = {.types = types, .type_count = 1};
    struct config_checklist any = {.id = "first", .phase = "triage"};
    struct config_checklist big = {.id = "big", .when = {.severity = {sev1, 1}}};
    struct config_checklist breach = {.id = "breach"};
    struct config_checklist shift = {.id = "shift", .phase = "handoff"};
    struct incident inc = {.severity = "SEV2", .type = NULL};
    assert_true(checklist_applies(&cfg, &any, &inc));
    assert_false(checklist_applies(&cfg, &big, &inc));
    assert_false(checklist_applies(&cfg, &breach, &inc));
    assert_false(checklist_applies(&cfg, &shift, &inc));
    inc.severity = "SEV1";
    inc.type = "security";
    assert_true(checklist_applies(&cfg, &big, &inc));
    assert_true(checklist_applies(&cfg, &breach, &inc));
    assert_false(checklist_applies(&cfg, &shift, &inc));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_item_auto),
        cmocka_unit_test(test_applies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
