/*
 * test_paging: the paging sections of the config: schedules (src/config/schedules.c: the
 * rotation/layers shorthand, time zones, handoff and restriction formats, rotation start dates)
 * and escalation policies (src/config/escalation_policies.c: repeat range, step order, duplicate
 * targets), and the conditional rules (src/config/rules.c: label value lists, open_for, assign,
 * attach_checklist and attach_runbook). Each case is a small file written into a temp dir
 * (config_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_fixture.h"

/* ---- schedules ------------------------------------------------------------------------------- */

static void test_schedule_rules(void **state)
{
    const char *users = SEV "users: [{id: a}]\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "%sschedules:\n"
             "  - id: s\n"
             "    timezone: UTC\n"
             "    rotation: {every: 1w, handoff: \"mon 09:00\", users: [a]}\n"
             "    layers: [{name: x, rotation: {every: 1w, handoff: \"09:00\", users: [a]}}]\n",
             users);
    assert_errors(yaml, "7: schedules[0].layers: use either \"rotation\" (one layer) or "
                        "\"layers\", not both\n");
    snprintf(yaml, sizeof yaml,
             "%sschedules:\n"
             "  - id: s\n"
             "    timezone: Mars/Olympus_Mons\n"
             "    layers:\n"
             "      - name: \"bad name\"\n"
             "        rotation: {every: 1w, handoff: \"someday 09:00\", users: [a]}\n"
             "        restrictions: [\"mon-fri 09:00-17:00\", \"weekdays 9-5\", \"12:00-12:00\"]\n",
             users);
    assert_errors(yaml,
                  "5: schedules[0].timezone: \"Mars/Olympus_Mons\" is not a known time zone (e.g. "
                  "UTC, Europe/Berlin; see /usr/share/zoneinfo)\n"
                  "7: schedules[0].layers[0].name: \"bad name\" is not a valid id (1 to 64 "
                  "characters of A-Z a-z 0-9 . _ -)\n"
                  "8: schedules[0].layers[0].rotation.handoff: \"someday 09:00\" is not a handoff "
                  "time (HH:MM, or DAY HH:MM with DAY one of mon tue wed thu fri sat sun)\n"
                  "9: schedules[0].layers[0].restrictions[1]: \"weekdays 9-5\" is not a "
                  "restriction (e.g. \"mon-fri 09:00-17:00\", \"sat,sun 10:00-16:00\", "
                  "\"18:00-09:00\")\n"
                  "9: schedules[0].layers[0].restrictions[2]: \"12:00-12:00\" is an empty time "
                  "window (start and end are equal)\n");
}

static void test_rotation_start(void **state)
{
    static const struct {
        const char *start, *error;
    } cases[] = {
        {"2025-06-30", NULL},
        {"1970-01-01", NULL},
        {"2024-02-29", NULL},
        {"2025-02-29", "\"2025-02-29\" is not a date in the calendar (that month is shorter)"},
        {"2024-04-31", "\"2024-04-31\" is not a date in the calendar (that month is shorter)"},
        {"2024-1-1", "\"2024-1-1\" is not a date (YYYY-MM-DD, e.g. 2024-01-01)"},
        {"2024-13-01", "\"2024-13-01\" is not a date (YYYY-MM-DD, e.g. 2024-01-01)"},
        {"1969-12-31", "\"1969-12-31\" is not a date (YYYY-MM-DD, e.g. 2024-01-01)"},
        {"monday", "\"monday\" is not a date (YYYY-MM-DD, e.g. 2024-01-01)"},
    };
    char yaml[512], want[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(yaml, sizeof yaml,
                 SEV "users: [{id: a}]\n"
                     "schedules:\n"
                     "  - id: s\n"
                     "    timezone: Europe/Berlin\n"
                     "    rotation: {every: 1w, handoff: \"mon 09:00\", users: [a],\n"
                     "               start: \"%s\"}\n",
                 cases[i].start);
        if (cases[i].error)
            snprintf(want, sizeof want, "7: schedules[0].rotation.start: %s\n", cases[i].error);
        else
            want[0] = '\0';
        assert_errors(yaml, want);
    }
    /* at most 32 restriction windows per layer */
    char many[2048] = "";
    for (int i = 0; i < 33; i++) {
        size_t used = strlen(many);
        snprintf(many + used, sizeof many - used, "%s\"%02d:%02d-%02d:50\"", i ? ", " : "", i % 24,
                 i / 24 * 10, i % 24);
    }
    char big[4096];
    snprintf(big, sizeof big,
             SEV "users: [{id: a}]\n"
                 "schedules:\n"
                 "  - {id: s, timezone: UTC, layers: [{name: l, rotation: {every: 1d, handoff: "
                 "\"09:00\", users: [a]},\n"
                 "     restrictions: [%s]}]}\n",
             many);
    assert_errors(big, "5: schedules[0].layers[0].restrictions: at most 32 windows per layer\n");
}

/* ---- escalation policies --------------------------------------------------------------------- */

static void test_escalation_rules(void **state)
{
    assert_errors(SEV "users: [{id: a}]\n"
                      "escalation_policies:\n"
                      "  - id: p\n"
                      "    repeat: -1\n"
                      "    steps:\n"
                      "      - {after: 30m, notify: [user:a]}\n"
                      "      - notify: [user:a]\n"
                      "        after: 10m\n"
                      "      - {after: 30m, notify: [user:a, user:a]}\n",
                  "5: escalation_policies[0].repeat: -1 is out of range (0 to 100)\n"
                  "9: escalation_policies[0].steps[1].after: 10m is earlier than the step before "
                  "it (30m); steps must be in order\n"
                  "10: escalation_policies[0].steps[2].notify[1]: \"user:a\" is listed twice\n");
}

/* contact:ID targets: the contact must exist and have a phone or an email. */
static void test_contact_targets(void **state)
{
    assert_errors(SEV "users: [{id: a}]\n"
                      "contacts:\n"
                      "  - {id: tam, name: AWS TAM, email: tam@example.com}\n"
                      "  - {id: mute, name: Nobody}\n"
                      "escalation_policies:\n"
                      "  - id: default\n"
                      "    on_ack_breach: contact:ghost\n"
                      "    steps:\n"
                      "      - {after: 0m, notify: [user:a, contact:tam]}\n"
                      "      - {after: 4h, notify: [contact:mute]}\n",
                  "8: escalation_policies[0].on_ack_breach: unknown contact \"ghost\"\n"
                  "11: escalation_policies[0].steps[1].notify[0]: contact \"mute\" has neither a "
                  "phone nor an email: it cannot be paged\n");
}

/* until, round, on_ack_breach: each bad value named with its line. */
static void test_escalation_paging_keys(void **state)
{
    assert_errors("severities: [{id: SEV1, name: C, on_ack_breach: user:ghost}]\n"
                  "users: [{id: a}]\n"
                  "teams: [{id: t, members: [a]}]\n"
                  "escalation_policies:\n"
                  "  - id: default\n"
                  "    round: 1h\n"
                  "    on_ack_breach: louder\n"
                  "    on_resolve_breach: team:t\n"
                  "    steps:\n"
                  "      - {after: 0m, notify: [user:a], until: fixed}\n"
                  "      - {after: 2h, notify: [user:a], until: resolved}\n",
                  "1: severities[0].on_ack_breach: unknown user \"ghost\"\n"
                  "7: escalation_policies[0].on_ack_breach: \"louder\" is not a breach action "
                  "(use repage, next, flag, or a target: schedule:ID, schedule:ID/LAYER, user:ID, "
                  "team:ID or contact:ID)\n"
                  "10: escalation_policies[0].steps[0].until: \"fixed\" is not one of "
                  "acknowledged, resolved\n"
                  "11: escalation_policies[0].steps[1].after: 2h is beyond the round (round: 1h); "
                  "a step must come before the round ends\n");
    assert_errors("severities: [{id: SEV1, name: C, on_ack_breach: flag}, {id: SEV2, name: M}]\n"
                  "users: [{id: a}]\n"
                  "escalation_policies:\n"
                  "  - id: default\n"
                  "    on_ack_breach: next\n"
                  "    steps:\n"
                  "      - {after: 0m, notify: [user:a], until: acknowledged}\n"
                  "      - {after: 5m, notify: [user:a], until: resolved}\n",
                  "");
}

/* Nobody routed: each combination named, unless `fallback:` is set. */
static void test_routing_needs_someone(void **state)
{
    static const char *cfg =
        "severities: [{id: SEV1, name: C}, {id: SEV2, name: M},\n"
        "             {id: SEV4, name: L, notify: [ticket]}]\n"
        "users: [{id: a}]\n"
        "incident_types: [{id: sec, name: S, escalation: sec}]\n"
        "escalation_policies:\n"
        "  - id: default\n"
        "    steps: [{after: 0m, notify: [user:a], when: {severity: [SEV1]}}]\n"
        "  - id: sec\n"
        "    steps: [{after: 0m, notify: [user:a], when: {severity: [SEV1]}}]\n"
        "%s";
    char text[1024];
    snprintf(text, sizeof text, cfg, "");
    assert_errors(text, "1: severity SEV2, type sec, no service routes to no one: escalation "
                        "policy \"sec\" has no step for it; add a step, or set a top-level "
                        "`fallback:` target\n"
                        "1: severity SEV2, no type, no service routes to no one: escalation "
                        "policy \"default\" has no step for it; add a step, or set a top-level "
                        "`fallback:` target\n");
    snprintf(text, sizeof text, cfg, "fallback: user:a\n");
    assert_errors(text, "");
    snprintf(text, sizeof text, cfg, "fallback: user:nobody\n");
    assert_errors(text, "10: fallback: unknown user \"nobody\"\n");
}

/* rules: labels as a string or a list, open_for, assign, attach_checklist/attach_runbook, and
 * what is refused, each at its line. */
static void test_conditional_rules(void **state)
{
    const char *base = SEV "users: [{id: a}]\n"
                           "checklists:\n"
                           "  - {id: db, title: DB, items: [x]}\n"
                           "  - {id: ho, title: Handoff, phase: handoff, items: [y]}\n"
                           "runbooks: [{id: rb, title: RB, steps: [z]}]\n"
                           "rules:\n";
    char text[2048];
    snprintf(text, sizeof text,
             "%s  - id: r\n"
             "    when: {labels: {env: [prod, production], team: db}, open_for: 90m}\n"
             "    assign: {commander: user:a}\n"
             "    attach_checklist: [db]\n"
             "    attach_runbook: [rb]\n",
             base);
    struct config_errors errs = {0};
    struct config *c = load_string(text, &errs);
    assert_non_null(c);
    const struct config_rule *r = &c->rules[0];
    assert_int_equal(r->when.label_count, 2);
    assert_string_equal(r->when.labels[0].name, "env");
    assert_list(&r->when.labels[0].values, 2, "prod", "production");
    assert_list(&r->when.labels[1].values, 1, "db");
    assert_int_equal(r->when.open_for, 90 * 60 * 1000);
    assert_int_equal(r->assign_count, 1);
    assert_string_equal(r->assign[0].from, "commander");
    assert_string_equal(r->assign[0].to, "user:a");
    assert_list(&r->attach_checklist, 1, "db");
    assert_list(&r->attach_runbook, 1, "rb");
    config_unref(c);
    config_errors_free(&errs);

    snprintf(text, sizeof text,
             "%s  - id: bad\n"
             "    when: {labels: {env: [], zone: [a, {b: c}]}, open_for: 30s}\n"
             "    assign: {boss: user:a, scribe: team:x, comms_lead: user:nobody}\n"
             "    attach_checklist: [ho, gone]\n"
             "    attach_runbook: [rb, rb]\n"
             "  - {id: idle, when: {open_for: 1h}}\n",
             base);
    assert_errors(text,
                  "9: rules[0].when.labels.env: needs at least 1 value\n"
                  "9: rules[0].when.labels.zone[1]: expected a string, got a map\n"
                  "9: rules[0].when.open_for: \"30s\" is too short (at least 1m)\n"
                  "10: rules[0].assign: key \"boss\" is not a role (commander, tech_lead, "
                  "comms_lead or scribe)\n"
                  "10: rules[0].assign.scribe: \"team:x\" is not schedule:ID, "
                  "schedule:ID/LAYER or user:ID (a role goes to one person)\n"
                  "10: rules[0].assign.comms_lead: unknown user \"nobody\"\n"
                  "11: rules[0].attach_checklist[0]: checklist \"ho\" is a hand-off "
                  "checklist (phase: handoff): it goes to the incoming on-call, a rule "
                  "cannot attach it to an incident\n"
                  "11: rules[0].attach_checklist[1]: unknown checklist \"gone\"\n"
                  "12: rules[0].attach_runbook[1]: \"rb\" is listed twice\n"
                  "13: rules[1]: rule idle does nothing: give set_severity, page, set_fields, "
                  "assign, attach_checklist or attach_runbook\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schedule_rules),         cmocka_unit_test(test_escalation_rules),
        cmocka_unit_test(test_escalation_paging_keys), cmocka_unit_test(test_routing_needs_someone),
        cmocka_unit_test(test_rotation_start),         cmocka_unit_test(test_contact_targets),
        cmocka_unit_test(test_conditional_rules),
    };
    return cmocka_run_group_tests(tests, config_fixture_setup, config_fixture_teardown);
}
