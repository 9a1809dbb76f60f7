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
    assert_int_equal(plan.nfires, 1); /* the step; the ack breach adds nothing at the same time */
    assert_fire(0, 1, "step:0:1", ESC_STEP);
    assert_true(st.ack_breach_done);
    assert_int_equal(st.due_at, T0 + 30 * MIN);
    eval(T0 + 30 * MIN, false);
    assert_fire(0, 2, "step:0:2", ESC_STEP);
}

static void test_ack_breach_fires_next_step_early(void **state)
{
    (void)state;
    sev.ack_within = 5 * MIN;
    eval(T0, false);
    assert_int_equal(st.due_at, T0 + 5 * MIN);
    eval(T0 + 5 * MIN, false);
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 1, "step:0:1", ESC_ACK_BREACH);
    eval(T0 + 15 * MIN, false);
    assert_int_equal(plan.nfires, 0); /* step 1 already went */
    assert_int_equal(st.due_at, T0 + 30 * MIN);
    sev.ack_within = 15 * MIN;
}

static void test_ack_breach_on_first_look_after_it(void **state)
{
    (void)state;
    sev.ack_within = 5 * MIN;
    eval(T0 + 6 * MIN, false); /* first look after the breach: step 0, and step 1 early */
    assert_int_equal(plan.nfires, 2);
    assert_fire(0, 0, "step:0:0", ESC_STEP);
    assert_fire(1, 1, "step:0:1", ESC_ACK_BREACH);
    sev.ack_within = 15 * MIN;
}

static void test_when_filters_steps(void **state)
{
    (void)state;
    free(inc.severity);
    inc.severity = strdup("SEV3");
    eval(T0 + 59 * MIN, false);
    assert_int_equal(plan.nfires, 2); /* steps 0 and 1 only */
    assert_fire(0, 0, "step:0:0", ESC_STEP);
    assert_fire(1, 1, "step:0:1", ESC_STEP);
}

static void test_catch_up_after_jump(void **state)
{
    (void)state;
    eval(T0 + 61 * MIN, false);
    /* all four steps, then the resolve breach re-pages the last step */
    assert_int_equal(plan.nfires, 5);
    for (int i = 0; i < 4; i++)
        assert_int_equal(plan.fires[i].step, i);
    assert_fire(4, 3, "resolve:0", ESC_RESOLVE_BREACH);
    assert_int_equal(st.due_at, T0 + 90 * MIN); /* round 2 (60m + the 30m gap) */
}

static void test_repeat_round(void **state)
{
    (void)state;
    assert_int_equal(escalation_round_length(&policy), 90 * MIN);
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
    assert_int_equal(plan.nfires, 1);
    assert_fire(0, 1, "step:0:1", ESC_RESOLVE_BREACH);
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
    assert_int_equal(escalation_round_length(&p), 5 * MIN);
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
        cmocka_unit_test_setup_teardown(test_ack_breach_fires_next_step_early, setup, teardown),
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
