/*
 * Unit tests for postmortem.c: templates chosen by severity, creation rules (resolved first, the
 * severity's due date), the draft -> in_review -> published moves (every other one refused), the
 * reminder schedule, action items done once, and the Markdown document (numbers, escaped cells,
 * the template's sections in order). Pure: every time is passed in; the config is built here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/config.h"
#include "domain/postmortem.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/result.h"
#include "util/timeutil.h"

#define T0 (1795392000LL * 1000 + 9 * MS_PER_HOUR)

static char *sev_ids[] = {"SEV3"};
static char *light_sections[] = {"timeline", "summary"};

static struct config_severity sevs[] = {
    {.id = "SEV1",
     .name = "Critical",
     .postmortem_required = true,
     .postmortem_due = 48 * MS_PER_HOUR},
    {.id = "SEV3", .name = "Minor", .postmortem_required = false, .postmortem_due = -1},
};
static struct config_user users[] = {{.id = "alice", .name = "Alice A."}};
static struct config_postmortem_template templates[] = {
    {.id = "light",
     .title = "Review",
     .when = {.severity = {sev_ids, 1}},
     .require_resolved = false,
     .sections = {light_sections, 2}},
};
static struct config cfg = {.severities = sevs,
                            .severity_count = 2,
                            .users = users,
                            .user_count = 1,
                            .postmortem_templates = templates,
                            .postmortem_template_count = 1};

static void make(struct incident *inc, const char *sev)
{
    incident_init(inc, "INC-2026-11-23-001", "Checkout | 502s", sev, "api", NULL,
                  "EU checkouts failed", false, T0);
    inc->roles[ROLE_COMMANDER] = xstrdup("alice");
}

static void resolve(struct incident *inc)
{
    struct error err = {0};
    assert_int_equal(incident_set_status(inc, INC_ACKNOWLEDGED, T0 + 4 * MS_PER_MIN, &err), OK);
    assert_int_equal(incident_set_status(inc, INC_RESOLVED, T0 + 24 * MS_PER_MIN, &err), OK);
}

static void test_template_for(void **state)
{
    struct incident a, b;
    make(&a, "SEV1");
    make(&b, "SEV3");
    assert_string_equal(postmortem_template_for(&cfg, &a)->id, "default");
    assert_true(postmortem_template_for(&cfg, &a)->require_resolved);
    assert_string_equal(postmortem_template_for(&cfg, &b)->id, "light");
    incident_free_fields(&a);
    incident_free_fields(&b);
}

static void test_init_requires_resolved_and_sets_due(void **state)
{
    struct incident inc;
    struct postmortem pm;
    struct error err = {0};
    make(&inc, "SEV1");
    assert_int_equal(postmortem_init(&pm, &cfg, &inc, NULL, "token:t", T0, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "status:"));
    postmortem_free_fields(&pm);
    resolve(&inc);
    assert_int_equal(postmortem_init(&pm, &cfg, &inc, NULL, "token:t", T0 + MS_PER_HOUR, &err), OK);
    assert_string_equal(pm.id, "PM-INC-2026-11-23-001");
    assert_string_equal(pm.owner, "alice");
    assert_true(pm.required);
    assert_int_equal(pm.due_at, inc.resolved_at + 48 * MS_PER_HOUR);
    assert_int_equal(pm.remind_at, pm.due_at);
    assert_string_equal(pm.fields[PM_SUMMARY], "EU checkouts failed");
    assert_int_equal(pm.state, PM_DRAFT);
    postmortem_free_fields(&pm);
    incident_free_fields(&inc);
}

static void test_optional_severity_has_no_due(void **state)
{
    struct incident inc;
    struct postmortem pm;
    struct error err = {0};
    make(&inc, "SEV3");
    assert_int_equal(postmortem_init(&pm, &cfg, &inc, "alice", "x", T0, &err), OK);
    assert_false(pm.required);
    assert_int_equal(pm.due_at, 0);
    assert_int_equal(pm.remind_at, 0);
    postmortem_free_fields(&pm);
    incident_free_fields(&inc);
}

static void test_moves(void **state)
{
    struct incident inc;
    struct postmortem pm;
    struct error err = {0};
    make(&inc, "SEV3");
    assert_int_equal(postmortem_init(&pm, &cfg, &inc, NULL, "x", T0, &err), OK);
    assert_int_equal(postmortem_move(&pm, PM_PUBLISHED, T0, &err), ERR_CONFLICT);
    assert_int_equal(postmortem_move(&pm, PM_DRAFT, T0, &err), ERR_CONFLICT);
    assert_int_equal(postmortem_move(&pm, PM_IN_REVIEW, T0, &err), OK);
    assert_int_equal(postmortem_move(&pm, PM_DRAFT, T0, &err), ERR_CONFLICT);
    assert_int_equal(postmortem_move(&pm, PM_IN_REVIEW, T0, &err), ERR_CONFLICT);
    pm.remind_at = T0 + 5;
    assert_int_equal(postmortem_move(&pm, PM_PUBLISHED, T0 + 9, &err), OK);
    assert_int_equal(pm.published_at, T0 + 9);
    assert_int_equal(pm.remind_at, 0);
    assert_true(postmortem_check(&pm));
    assert_int_equal(postmortem_set_field(&pm, PM_LESSONS, "late", T0, &err), ERR_CONFLICT);
    assert_null(pm.fields[PM_LESSONS]);
    assert_int_equal(postmortem_move(&pm, PM_PUBLISHED, T0, &err), ERR_CONFLICT);
    postmortem_free_fields(&pm);
    incident_free_fields(&inc);
}

static void test_reminders_and_actions(void **state)
{
    assert_int_equal(postmortem_next_remind(0, T0), 0);
    assert_int_equal(postmortem_next_remind(T0 + 10, T0), T0 + 10);
    assert_int_equal(postmortem_next_remind(T0 - 10, T0), T0 + POSTMORTEM_REMIND_EVERY);
    struct action_item a = {.id = "ACT-1", .status = ACTION_OPEN, .remind_at = T0};
    struct error err = {0};
    assert_int_equal(action_done(&a, T0 + 1, &err), OK);
    assert_int_equal(a.done_at, T0 + 1);
    assert_int_equal(a.remind_at, 0);
    assert_int_equal(action_done(&a, T0 + 2, &err), ERR_CONFLICT);
    assert_true(action_priority_valid("p0") && action_priority_valid("p3"));
    assert_false(action_priority_valid("p4") || action_priority_valid("P1") ||
                 action_priority_valid("p10") || action_priority_valid(NULL));
    assert_int_equal(postmortem_state_parse("in_review"), PM_IN_REVIEW);
    assert_int_equal(postmortem_state_parse("review"), -1);
    assert_int_equal(postmortem_field_parse("went_badly"), PM_WENT_BADLY);
    assert_int_equal(postmortem_field_parse("owner"), -1);
}

static void test_render(void **state)
{
    struct incident inc;
    struct postmortem pm;
    struct error err = {0};
    make(&inc, "SEV1");
    resolve(&inc);
    assert_int_equal(postmortem_init(&pm, &cfg, &inc, NULL, "x", T0 + MS_PER_HOUR, &err), OK);
    assert_int_equal(postmortem_set_field(&pm, PM_ROOT_CAUSE, "A *bad* push", T0, &err), OK);
    struct postmortem_timeline_row tl[] = {
        {T0, "token:a", "incident.declared", "{\"title\":\"x|y\\nz\"}"},
        {T0 + MS_PER_MIN, "token:a", "note.added", "{\"text\":\"bridge open\"}"},
    };
    struct action_item act = {
        .id = "ACT-7", .title = "Canary", .priority = "p1", .status = ACTION_OPEN};
    struct postmortem_doc d = {.pm = &pm,
                               .inc = &inc,
                               .cfg = &cfg,
                               .timeline = tl,
                               .timeline_count = 2,
                               .actions = &act,
                               .action_count = 1};
    struct buf b;
    buf_init(&b, 1 << 20);
    postmortem_render_md(&d, &b);
    const char *md = b.data;
    assert_non_null(strstr(md, "## Post-Mortem: INC-2026-11-23-001 Checkout \\| 502s\n"));
    assert_non_null(strstr(md, "| Severity | SEV1 (Critical) |"));
    assert_non_null(strstr(md, "| Duration | 24m 00s |"));
    assert_non_null(strstr(md, "| Time to acknowledge | 4m 00s |"));
    assert_non_null(strstr(md, "| commander | Alice A. |"));
    assert_non_null(strstr(md, "| scribe | - |"));
    assert_non_null(strstr(md, "| 2026-11-23 09:00:00 | incident.declared | token:a | x\\|y z |"));
    assert_non_null(strstr(md, "| note.added | token:a | bridge open |"));
    assert_non_null(strstr(md, "### Root cause\n\nA *bad* push\n"));
    assert_non_null(strstr(md, "| ACT-7 | Canary | - | p1 | - | open |"));
    assert_non_null(strstr(md, "No alerts were attached"));
    assert_true(strstr(md, "### Summary") < strstr(md, "### Timeline"));
    buf_free(&b);
    postmortem_free_fields(&pm);
    incident_free_fields(&inc);
}

static void test_render_template_sections_only(void **state)
{
    struct incident inc;
    struct postmortem pm;
    struct error err = {0};
    make(&inc, "SEV3");
    assert_int_equal(postmortem_init(&pm, &cfg, &inc, NULL, "x", T0, &err), OK);
    struct postmortem_doc d = {.pm = &pm, .inc = &inc, .cfg = &cfg};
    struct buf b;
    buf_init(&b, 1 << 20);
    postmortem_render_md(&d, &b);
    assert_non_null(strstr(b.data, "## Review: "));
    assert_non_null(strstr(b.data, "| Duration | - |"));
    assert_null(strstr(b.data, "### Root cause"));
    assert_true(strstr(b.data, "### Timeline") < strstr(b.data, "### Summary"));
    buf_free(&b);
    postmortem_free_fields(&pm);
    incident_free_fields(&inc);
}

static void test_format_span(void **state)
{
    char s[32];
    postmortem_format_span(65 * 1000, s, sizeof s);
    assert_string_equal(s, "1m 05s");
    postmortem_format_span(MS_PER_HOUR + 3 * MS_PER_MIN, s, sizeof s);
    assert_string_equal(s, "1h 03m");
    postmortem_format_span(2 * MS_PER_DAY + MS_PER_HOUR, s, sizeof s);
    assert_string_equal(s, "2d 1h 00m");
    postmortem_format_span(-5, s, sizeof s);
    assert_string_equal(s, "0m 00s");
}

static void test_render_public(void **state)
{
    struct postmortem pm = {0};
    struct buf out;
    buf_init(&out, 4096);
    postmortem_render_public_md(&pm, &out);
    assert_int_equal(out.len, 0); /* nothing written: nothing public */
    pm.fields[PM_ROOT_CAUSE] = "a config push";
    pm.fields[PM_WENT_BADLY] = "bob was paged at 3am";
    pm.fields[PM_CONTRIBUTING_FACTORS] = "db-7.internal";
    pm.fields[PM_SUMMARY] = "Checkout failed";
    postmortem_render_public_md(&pm, &out);
    assert_string_equal(out.data,
                        "## Summary\n\nCheckout failed\n\n## Root cause\n\na config push\n");
    buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_template_for),
        cmocka_unit_test(test_init_requires_resolved_and_sets_due),
        cmocka_unit_test(test_optional_severity_has_no_due),
        cmocka_unit_test(test_moves),
        cmocka_unit_test(test_reminders_and_actions),
        cmocka_unit_test(test_render),
        cmocka_unit_test(test_render_template_sections_only),
        cmocka_unit_test(test_format_span),
        cmocka_unit_test(test_render_public),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
