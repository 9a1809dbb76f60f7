/*
 * Unit tests for escalation.c: timed steps, `when` filters, the ack and resolve SLA breaches,
 * repeat rounds, catching up after a clock jump, manual escalation, cadence reminders and the
 * policy choice. Pure: every time is passed in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "domain/escalation_policy.h"
#include "domain/incident.h"
#include "util/timeutil.h"

#define T0 (1795392000LL * 1000 + 9 * MS_PER_HOUR)
#define MIN MS_PER_MIN

static char *sev12[] = {"SEV1", "SEV2"};
static char *sev1[] = {"SEV1"};
static char *n0[] = {"schedule:primary"}, *n1[] = {"schedule:secondary"}, *n2[] = {"user:lead"},
            *n3[] = {"user:cto"};

static struct config_escalation_step steps[] = {
    {.after = 0, .notify = {n0, 1}},
    {.after = 15 * MIN, .notify = {n1, 1}},
    {.after = 30 * MIN, .notify = {n2, 1}, .when = {.severity = {sev12, 2}}},
    {.after = 60 * MIN, .notify = {n3, 1}, .when = {.severity = {sev1, 1}}},
};
static struct config_escalation_policy policy = {
    .id = "default", .repeat = 1, .steps = steps, .step_count = 4};
static struct config_severity sev = {
    .id = "SEV1", .ack_within = 15 * MIN, .resolve_within = 60 * MIN, .update_every = 30 * MIN};

static struct incident inc;
static struct escalation_state st;
static struct escalation_plan plan;

static int setup(void **state)
{
    (void)state;
    incident_init(&inc, "INC-1", "DB down", "SEV1", "db", NULL, NULL, false, T0);
    escalation_state_init(&st, &inc);
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    incident_free_fields(&inc);
    return 0;
}

static void eval(int64_t at, bool manual)
{
    escalation_evaluate(&policy, &sev, &inc, &st, at, manual, &plan);
}

static void assert_fire(size_t i, int step, const char *key, enum escalation_reason reason)
{
    assert_true(i < plan.nfires);
    assert_int_equal(plan.fires[i].step, step);
    assert_string_equal(plan.fires[i].key, key);
    assert_int_equal(plan.fires[i].reason, reason);
}

static void test_steps_fire_on_time(void **state)
{
    (void)state;
    eval(T0, false);
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 0, "step:0:0", ESC_STEP);
    assert_int_equal(st.due_at, T0 + 15 * MIN);
    eval(T0 + 15 * MIN - 1, false);
    assert_int_equal(plan.nfires, 0);
    eval(T0 + 15 * MIN, false);
    assert_int_equal(plan.nfires, 2); /* the step, and the ack breach re-pages it (merged later) */
    assert_fire(0, 1, "step:0:1", ESC_STEP);
    assert_fire(1, 1, "ackbreach:0:1", ESC_ACK_BREACH);
    assert_true(plan.ack_breach);
    assert_int_equal(plan.ack_action, ESC_ACT_REPAGE);
    assert_true(st.ack_breach_done);
    assert_int_equal(st.due_at, T0 + 30 * MIN);
    eval(T0 + 30 * MIN, false);
    assert_fire(0, 2, "step:0:2", ESC_STEP);
}

/* The default: the breach re-pages the current step; the next step keeps its own time. */
static void test_ack_breach_repages_current_step(void **state)
{
    (void)state;
    sev.ack_within = 5 * MIN;
    eval(T0, false);
    assert_int_equal(st.due_at, T0 + 5 * MIN);
    eval(T0 + 5 * MIN, false);
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 0, "ackbreach:0:0", ESC_ACK_BREACH);
    assert_int_equal(plan.fires[0].action, ESC_ACT_REPAGE);
    assert_int_equal(st.due_at, T0 + 15 * MIN);
    eval(T0 + 15 * MIN, false);
    assert_int_equal(plan.nfires, 1); /* step 1 at its own time */
    assert_fire(0, 1, "step:0:1", ESC_STEP);
    sev.ack_within = 15 * MIN;
}

static void test_ack_breach_on_first_look_after_it(void **state)
{
    (void)state;
    sev.ack_within = 5 * MIN;
    eval(T0 + 6 * MIN, false); /* first look after the breach: step 0, and its re-page */
    assert_int_equal(plan.nfires, 2);
    assert_fire(0, 0, "step:0:0", ESC_STEP);
    assert_fire(1, 0, "ackbreach:0:0", ESC_ACK_BREACH);
    sev.ack_within = 15 * MIN;
}

/* on_ack_breach: next (the step fires now, not again at its time), a target, flag. */
static void test_ack_breach_actions(void **state)
{
    (void)state;
    sev.ack_within = 5 * MIN;
    policy.on_ack_breach = "next";
    eval(T0, false);
    eval(T0 + 5 * MIN, false);
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 1, "step:0:1", ESC_ACK_BREACH);
    eval(T0 + 15 * MIN, false);
    assert_int_equal(plan.nfires, 0);

    escalation_state_init(&st, &inc);
    sev.on_ack_breach = "user:boss"; /* the severity's setting wins over the policy's */
    eval(T0, false);
    eval(T0 + 5 * MIN, false);
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, -1, "ackbreach:0", ESC_ACK_BREACH);
    assert_int_equal(plan.fires[0].action, ESC_ACT_TARGET);
    assert_string_equal(plan.fires[0].target, "user:boss");

    escalation_state_init(&st, &inc);
    sev.on_ack_breach = "flag";
    eval(T0, false);
    eval(T0 + 5 * MIN, false);
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 0, "ackbreach:0:0", ESC_ACK_BREACH);
    assert_int_equal(plan.fires[0].action, ESC_ACT_FLAG);
    assert_int_equal(plan.ack_action, ESC_ACT_FLAG);
    sev.on_ack_breach = NULL;
    policy.on_ack_breach = NULL;
    sev.ack_within = 15 * MIN;
}

/* `next` with no step left (every step at 0m) re-pages the current step: someone is reached. */
static void test_ack_breach_next_with_no_step_left_repages(void **state)
{
    (void)state;
    struct config_escalation_step all0[] = {{.after = 0, .notify = {n0, 1}},
                                            {.after = 0, .notify = {n2, 1}}};
    struct config_escalation_policy p = {
        .id = "p", .steps = all0, .step_count = 2, .on_ack_breach = "next"};
    struct config_severity s2 = {.id = "SEV1", .ack_within = 2 * MIN, .resolve_within = -1};
    escalation_evaluate(&p, &s2, &inc, &st, T0, false, &plan);
    assert_int_equal(plan.nfires, 2);
    escalation_evaluate(&p, &s2, &inc, &st, T0 + 2 * MIN, false, &plan);
    assert_int_equal(plan.nfires, 2);
    assert_fire(0, 0, "ackbreach:0:0", ESC_ACK_BREACH);
    assert_fire(1, 1, "ackbreach:0:1", ESC_ACK_BREACH);
}

/* `until: resolved` steps keep firing once acknowledged; the others stop. */
static void test_until_resolved(void **state)
{
    (void)state;
    struct error err = {0};
    struct config_escalation_step m[] = {
        {.after = 0, .notify = {n0, 1}},
        {.after = 10 * MIN, .notify = {n1, 1}},
        {.after = 60 * MIN, .notify = {n2, 1}, .until = "resolved"},
        {.after = 120 * MIN, .notify = {n3, 1}, .until = "resolved"},
    };
    struct config_escalation_policy p = {.id = "p", .steps = m, .step_count = 4};
    struct config_severity s2 = {.id = "SEV1", .ack_within = -1, .resolve_within = -1};
    escalation_evaluate(&p, &s2, &inc, &st, T0, false, &plan);
    assert_int_equal(incident_ack(&inc, T0 + 3 * MIN, &err), OK);
    escalation_evaluate(&p, &s2, &inc, &st, T0 + 3 * MIN, false, &plan);
    assert_int_equal(plan.nfires, 0);
    assert_int_equal(st.due_at, T0 + 60 * MIN); /* the 10m step is passed over */
    escalation_evaluate(&p, &s2, &inc, &st, T0 + 60 * MIN, false, &plan);
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 2, "step:0:2", ESC_STEP);
    assert_int_equal(st.due_at, T0 + 120 * MIN);
    assert_int_equal(incident_set_status(&inc, INC_RESOLVED, T0 + 90 * MIN, &err), OK);
    escalation_evaluate(&p, &s2, &inc, &st, T0 + 120 * MIN, false, &plan);
    assert_int_equal(plan.nfires, 0);
}

/* A round's length counts only the steps that apply to the incident (P1: 0 and 15m -> 30m). */
static void test_round_length_per_severity(void **state)
{
    (void)state;
    static char *p1[] = {"SEV1"}, *p3[] = {"SEV3"};
    struct config_escalation_step m[] = {
        {.after = 0, .notify = {n0, 1}},
        {.after = 15 * MIN, .notify = {n2, 1}, .when = {.severity = {p1, 1}}},
        {.after = 240 * MIN, .notify = {n2, 1}, .when = {.severity = {p3, 1}}},
    };
    struct config_escalation_policy p = {.id = "p", .repeat = 1, .steps = m, .step_count = 3};
    assert_int_equal(escalation_round_length(&p, &inc), 30 * MIN);
    p.round = 45 * MIN;
    assert_int_equal(escalation_round_length(&p, &inc), 45 * MIN);
    p.round = -1;
    struct config_severity s2 = {.id = "SEV1", .ack_within = -1, .resolve_within = -1};
    escalation_evaluate(&p, &s2, &inc, &st, T0 + 30 * MIN, false, &plan);
    assert_int_equal(plan.nfires, 3);
    assert_fire(2, 0, "step:1:0", ESC_STEP);
    assert_int_equal(st.due_at, T0 + 45 * MIN);
    free(inc.severity);
    inc.severity = strdup("SEV3");
    assert_int_equal(escalation_round_length(&p, &inc), 480 * MIN);
}

static void test_when_filters_steps(void **state)
{
    (void)state;
    free(inc.severity);
    inc.severity = strdup("SEV3");
    eval(T0 + 59 * MIN, false);
    /* steps 0 and 1 only; their round is 30m long (0 and 15m apply), so round 1 ran too; then
     * the ack breach re-pages the current step */
    assert_int_equal(plan.nfires, 5);
    assert_fire(0, 0, "step:0:0", ESC_STEP);
    assert_fire(1, 1, "step:0:1", ESC_STEP);
    assert_fire(2, 0, "step:1:0", ESC_STEP);
    assert_fire(3, 1, "step:1:1", ESC_STEP);
    assert_fire(4, 1, "ackbreach:1:1", ESC_ACK_BREACH);
}

static void test_catch_up_after_jump(void **state)
{
    (void)state;
    eval(T0 + 61 * MIN, false);
    /* all four steps, then the ack and the resolve breach re-page the current (last) step */
    assert_int_equal(plan.nfires, 6);
    for (int i = 0; i < 4; i++)
        assert_int_equal(plan.fires[i].step, i);
    assert_fire(4, 3, "ackbreach:0:3", ESC_ACK_BREACH);
    assert_fire(5, 3, "resolvebreach:0:3", ESC_RESOLVE_BREACH);
    assert_int_equal(st.due_at, T0 + 90 * MIN); /* round 2 (60m + the 30m gap) */
}

static void test_repeat_round(void **state)
{
    (void)state;
    assert_int_equal(escalation_round_length(&policy, &inc), 90 * MIN);
    eval(T0 + 60 * MIN, false);
    eval(T0 + 90 * MIN, false);
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 0, "step:1:0", ESC_STEP);
    assert_int_equal(st.round, 1);
    eval(T0 + 300 * MIN, false); /* round 1 runs out; repeat is 1: no round 2 */
    assert_int_equal(plan.nfires, 3);
    assert_int_equal(st.round, 1);
    eval(T0 + 600 * MIN, false);
    assert_int_equal(plan.nfires, 0);
}

static void test_ack_stops_steps_but_not_resolve_breach(void **state)
{
    (void)state;
    struct error err = {0};
    eval(T0, false);
    assert_int_equal(incident_ack(&inc, T0 + 2 * MIN, &err), OK);
    eval(T0 + 45 * MIN, false);
    assert_int_equal(plan.nfires, 0);
    assert_int_equal(st.due_at, T0 + 60 * MIN);
    eval(T0 + 60 * MIN, false);
    assert_int_equal(plan.nfires, 1); /* re-pages the current step (0); step 1 does not fire */
    assert_fire(0, 0, "resolvebreach:0:0", ESC_RESOLVE_BREACH);
    assert_true(plan.resolve_breach);
    eval(T0 + 120 * MIN, false);
    assert_int_equal(plan.nfires, 0); /* the breach pages once */
}

static void test_resolved_is_done(void **state)
{
    (void)state;
    struct error err = {0};
    assert_int_equal(incident_set_status(&inc, INC_RESOLVED, T0 + MIN, &err), OK);
    eval(T0 + 90 * MIN, false);
    assert_true(st.done);
    assert_int_equal(plan.nfires, 0);
    assert_int_equal(st.due_at, 0);
}

static void test_manual(void **state)
{
    (void)state;
    eval(T0, true); /* the timed step 0 is fired by the manual call, then nothing more now */
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 0, "step:0:0", ESC_MANUAL);
    eval(T0 + MIN, true);
    assert_fire(0, 1, "step:0:1", ESC_MANUAL);
    eval(T0 + 2 * MIN, true);
    eval(T0 + 3 * MIN, true);
    assert_fire(0, 3, "step:0:3", ESC_MANUAL);
    eval(T0 + 4 * MIN, true); /* nothing left: the last step again, under its own key */
    assert_fire(0, 3, "manual:5", ESC_MANUAL);
    eval(T0 + 5 * MIN, false);
    assert_int_equal(plan.nfires, 0);
}

static void test_reminder_once_per_due(void **state)
{
    (void)state;
    struct error err = {0};
    assert_int_equal(incident_ack(&inc, T0 + MIN, &err), OK);
    eval(T0 + 29 * MIN, false);
    assert_false(plan.remind);
    assert_int_equal(st.due_at, T0 + 30 * MIN);
    eval(T0 + 30 * MIN, false);
    assert_true(plan.remind);
    assert_int_equal(plan.remind_for, T0 + 30 * MIN);
    eval(T0 + 31 * MIN, false);
    assert_false(plan.remind);
    eval(T0 + 60 * MIN, false); /* still no update posted: reminded again */
    assert_true(plan.remind);
    assert_int_equal(plan.remind_for, T0 + 60 * MIN);
    inc.last_public_update_at = T0 + 40 * MIN; /* an update moves the next one */
    eval(T0 + 41 * MIN, false);
    assert_false(plan.remind);
    assert_int_equal(st.due_at, T0 + 70 * MIN);
    eval(T0 + 70 * MIN, false);
    assert_true(plan.remind);
    assert_int_equal(plan.remind_for, T0 + 70 * MIN);
}

/* A reminder that fired is followed by the next one even when nothing else is due (here: no
 * resolve clock), and a long outage reminds once for the latest due time, not once per missed one.
 */
static void test_reminder_rearms_itself(void **state)
{
    (void)state;
    struct error err = {0};
    int64_t resolve = sev.resolve_within;
    sev.resolve_within = -1;
    assert_int_equal(incident_ack(&inc, T0 + MIN, &err), OK);
    eval(T0 + 30 * MIN, false);
    assert_true(plan.remind);
    assert_int_equal(st.due_at, T0 + 60 * MIN); /* nothing else is due: the reminder re-arms */
    eval(T0 + 60 * MIN, false);
    assert_true(plan.remind);
    assert_int_equal(plan.remind_for, T0 + 60 * MIN);
    assert_int_equal(st.due_at, T0 + 90 * MIN);
    eval(T0 + 5 * 60 * MIN + 7 * MIN, false); /* back after hours: one reminder, the latest */
    assert_true(plan.remind);
    assert_int_equal(plan.remind_for, T0 + 5 * 60 * MIN);
    assert_int_equal(st.due_at, T0 + 5 * 60 * MIN + 30 * MIN);
    eval(T0 + 5 * 60 * MIN + 8 * MIN, false);
    assert_false(plan.remind);
    sev.resolve_within = resolve;
}

static void test_no_policy_only_reminders(void **state)
{
    (void)state;
    escalation_evaluate(NULL, &sev, &inc, &st, T0 + 30 * MIN, false, &plan);
    assert_int_equal(plan.nfires, 0);
    assert_true(plan.remind);
}

static void test_round_length_floor(void **state)
{
    (void)state;
    struct config_escalation_step one[] = {{.after = 0, .notify = {n0, 1}}};
    struct config_escalation_policy p = {.id = "p", .repeat = 3, .steps = one, .step_count = 1};
    assert_int_equal(escalation_round_length(&p, &inc), 5 * MIN);
    escalation_evaluate(&p, NULL, &inc, &st, T0 + 11 * MIN, false, &plan);
    assert_int_equal(plan.nfires, 3); /* rounds 0, 1, 2 */
    assert_string_equal(plan.fires[2].key, "step:2:0");
    assert_int_equal(st.due_at, T0 + 15 * MIN);
}

static void test_policy_choice(void **state)
{
    (void)state;
    struct config_escalation_policy pols[] = {{.id = "default"}, {.id = "db"}, {.id = "sec"}};
    struct config_service svcs[] = {{.id = "db", .escalation = "db"}, {.id = "web"}};
    struct config_incident_type types[] = {{.id = "security", .escalation = "sec"}};
    struct config cfg = {.policies = pols,
                         .policy_count = 3,
                         .services = svcs,
                         .service_count = 2,
                         .types = types,
                         .type_count = 1};
    assert_string_equal(escalation_policy_for(&cfg, &inc)->id, "db");
    inc.type = strdup("security");
    assert_string_equal(escalation_policy_for(&cfg, &inc)->id, "sec");
    free(inc.type);
    inc.type = NULL;
    free(inc.service);
    inc.service = strdup("web");
    assert_string_equal(escalation_policy_for(&cfg, &inc)->id, "default");
    cfg.policy_count = 2;
    pols[0].id = "other";
    assert_null(escalation_policy_for(&cfg, &inc));
}

static void test_long_catch_up_loses_no_step(void **state)
{
    (void)state;
    struct config_escalation_step one[] = {{.after = 0, .notify = {n0, 1}}};
    struct config_escalation_policy p = {.id = "p", .repeat = 100, .steps = one, .step_count = 1};
    struct config_severity quiet = {.id = "SEV1", .ack_within = -1, .resolve_within = -1};
    int64_t at = T0 + 600 * MIN; /* 121 rounds of 5 minutes have begun; repeat allows 101 */
    escalation_evaluate(&p, &quiet, &inc, &st, at, false, &plan);
    assert_int_equal(plan.nfires, ESCALATION_MAX_FIRES);
    assert_string_equal(plan.fires[ESCALATION_MAX_FIRES - 1].key, "step:63:0");
    assert_int_equal(st.due_at, at + 1); /* the rest at once, not lost */
    escalation_evaluate(&p, &quiet, &inc, &st, at + 1, false, &plan);
    assert_int_equal(plan.nfires, 101 - ESCALATION_MAX_FIRES);
    assert_string_equal(plan.fires[0].key, "step:64:0");
    assert_string_equal(plan.fires[plan.nfires - 1].key, "step:100:0");
    assert_int_equal(st.due_at, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_steps_fire_on_time, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_breach_repages_current_step, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_breach_actions, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_breach_next_with_no_step_left_repages, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_until_resolved, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_length_per_severity, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_breach_on_first_look_after_it, setup, teardown),
        cmocka_unit_test_setup_teardown(test_when_filters_steps, setup, teardown),
        cmocka_unit_test_setup_teardown(test_catch_up_after_jump, setup, teardown),
        cmocka_unit_test_setup_teardown(test_repeat_round, setup, teardown),
        cmocka_unit_test_setup_teardown(test_ack_stops_steps_but_not_resolve_breach, setup,
                                        teardown),
        cmocka_unit_test_setup_teardown(test_resolved_is_done, setup, teardown),
        cmocka_unit_test_setup_teardown(test_manual, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reminder_once_per_due, setup, teardown),
        cmocka_unit_test_setup_teardown(test_reminder_rearms_itself, setup, teardown),
        cmocka_unit_test_setup_teardown(test_no_policy_only_reminders, setup, teardown),
        cmocka_unit_test_setup_teardown(test_round_length_floor, setup, teardown),
        cmocka_unit_test_setup_teardown(test_policy_choice, setup, teardown),
        cmocka_unit_test_setup_teardown(test_long_catch_up_loses_no_step, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
