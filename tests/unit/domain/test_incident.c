/*
 * Unit tests for incident.c: the state machine (every pair of states), implied ack, reopen,
 * close with and without a post-mortem, frozen closed incidents, ids, slugs, channels and the
 * SLA clocks. Pure: every time is passed in as `now`; no clock is read.
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
#include "domain/incident.h"
#include "util/result.h"
#include "util/timeutil.h"

/* 2026-11-23T00:00:00Z */
#define DAY0 (1795392000LL * 1000)
#define T0 (DAY0 + 9 * MS_PER_HOUR + 25 * MS_PER_MIN)

static void make(struct incident *inc, int64_t now)
{
    incident_init(inc, "INC-2026-11-23-001", "Database is down", "SEV1", "db", "outage",
                  "primary unreachable", false, now);
}

/* Brings a fresh incident to `to` along the shortest legal path, one minute per step. */
static void bring_to(struct incident *inc, enum incident_status to)
{
    struct error err = {0};
    make(inc, T0);
    if (to == INC_TRIGGERED)
        return;
    if (to == INC_CLOSED) {
        assert_int_equal(incident_set_status(inc, INC_RESOLVED, T0 + MS_PER_MIN, &err), OK);
        assert_int_equal(incident_close(inc, NULL, NULL, NULL, T0 + 2 * MS_PER_MIN, &err), OK);
    } else {
        assert_int_equal(incident_set_status(inc, to, T0 + MS_PER_MIN, &err), OK);
    }
    assert_int_equal(inc->status, to);
    assert_true(incident_check(inc));
}

static bool move_allowed(enum incident_status from, enum incident_status to)
{
    if (to == INC_CLOSED)
        return false; /* only incident_close closes */
    if (incident_status_is_open(from))
        return to > from;
    return from == INC_RESOLVED && to == INC_ACKNOWLEDGED;
}

static const char *const expected_allowed[INC_STATUS_COUNT] = {
    [INC_TRIGGERED] = "acknowledged, investigating, identified, monitoring, resolved",
    [INC_ACKNOWLEDGED] = "investigating, identified, monitoring, resolved",
    [INC_INVESTIGATING] = "identified, monitoring, resolved",
    [INC_IDENTIFIED] = "monitoring, resolved",
    [INC_MONITORING] = "resolved",
    [INC_RESOLVED] = "acknowledged, closed",
    [INC_CLOSED] = "none",
};

/* The fields a refused move must leave alone. */
struct snapshot {
    enum incident_status status;
    int64_t acknowledged_at, resolved_at, closed_at, updated_at;
};

static struct snapshot snap(const struct incident *inc)
{
    return (struct snapshot){inc->status, inc->acknowledged_at, inc->resolved_at, inc->closed_at,
                             inc->updated_at};
}

static void assert_unchanged(const struct incident *inc, struct snapshot s)
{
    assert_int_equal(inc->status, s.status);
    assert_int_equal(inc->acknowledged_at, s.acknowledged_at);
    assert_int_equal(inc->resolved_at, s.resolved_at);
    assert_int_equal(inc->closed_at, s.closed_at);
    assert_int_equal(inc->updated_at, s.updated_at);
}

/* ---- names ---- */

static void test_status_and_role_names(void **state)
{
    for (int s = 0; s < INC_STATUS_COUNT; s++)
        assert_int_equal(incident_status_parse(incident_status_name((enum incident_status)s)), s);
    assert_string_equal(incident_status_name(INC_TRIGGERED), "triggered");
    assert_string_equal(incident_status_name(INC_CLOSED), "closed");
    assert_int_equal(incident_status_parse("Triggered"), -1);
    assert_int_equal(incident_status_parse(""), -1);
    assert_int_equal(incident_status_parse("open"), -1);
    assert_string_equal(incident_status_name(INC_STATUS_COUNT), "unknown");

    for (int r = 0; r < ROLE_COUNT; r++)
        assert_int_equal(incident_role_parse(incident_role_name((enum incident_role)r)), r);
    assert_string_equal(incident_role_name(ROLE_TECH_LEAD), "tech_lead");
    assert_int_equal(incident_role_parse("tech-lead"), -1);
    assert_string_equal(incident_role_name(ROLE_COUNT), "unknown");

    assert_true(incident_status_is_open(INC_TRIGGERED));
    assert_true(incident_status_is_open(INC_MONITORING));
    assert_false(incident_status_is_open(INC_RESOLVED));
    assert_false(incident_status_is_open(INC_CLOSED));
}

/* ---- init ---- */

static void test_init(void **state)
{
    struct incident inc;
    make(&inc, T0);
    assert_string_equal(inc.id, "INC-2026-11-23-001");
    assert_string_equal(inc.title, "Database is down");
    assert_string_equal(inc.severity, "SEV1");
    assert_string_equal(inc.service, "db");
    assert_string_equal(inc.type, "outage");
    assert_string_equal(inc.summary, "primary unreachable");
    assert_string_equal(inc.channel, "#inc-2026-11-23-database-is-down");
    assert_null(inc.postmortem);
    assert_int_equal(inc.status, INC_TRIGGERED);
    assert_false(inc.drill);
    assert_int_equal(inc.created_at, T0);
    assert_int_equal(inc.updated_at, T0);
    assert_int_equal(inc.acknowledged_at, 0);
    assert_int_equal(inc.resolved_at, 0);
    assert_int_equal(inc.closed_at, 0);
    for (int r = 0; r < ROLE_COUNT; r++)
        assert_null(inc.roles[r]);
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);

    /* optional strings may be NULL; the strings are copies */
    char title[] = "Drill: failover";
    incident_init(&inc, "X", title, "SEV3", NULL, NULL, NULL, true, T0);
    title[0] = 'X';
    assert_string_equal(inc.title, "Drill: failover");
    assert_null(inc.service);
    assert_null(inc.type);
    assert_null(inc.summary);
    assert_true(inc.drill);
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);
}

/* ---- every (from, to) pair through incident_set_status ---- */

static void test_set_status_every_pair(void **state)
{
    for (int from = 0; from < INC_STATUS_COUNT; from++) {
        for (int to = 0; to < INC_STATUS_COUNT; to++) {
            struct incident inc;
            struct error err = {0};
            bring_to(&inc, (enum incident_status)from);
            struct snapshot before = snap(&inc);
            int64_t now = T0 + 10 * MS_PER_MIN;
            enum result result = incident_set_status(&inc, (enum incident_status)to, now, &err);
            if (move_allowed((enum incident_status)from, (enum incident_status)to)) {
                if (result != OK)
                    fail_msg("%s -> %s refused: %s", incident_status_name(from),
                             incident_status_name(to), err.message);
                assert_int_equal(inc.status, to);
                assert_int_equal(inc.updated_at, now);
                assert_true(incident_check(&inc));
            } else {
                if (result != ERR_CONFLICT)
                    fail_msg("%s -> %s: expected ERR_CONFLICT, got %d", incident_status_name(from),
                             incident_status_name(to), (int)result);
                assert_int_equal(err.code, ERR_CONFLICT);
                assert_non_null(strstr(err.message, "status:"));
                if (to != INC_CLOSED) {
                    char want[200];
                    snprintf(want, sizeof want, "allowed: %s", expected_allowed[from]);
                    if (!strstr(err.message, want))
                        fail_msg("%s -> %s: message \"%s\" lacks \"%s\"",
                                 incident_status_name(from), incident_status_name(to), err.message,
                                 want);
                } else {
                    assert_non_null(strstr(err.message, "close"));
                }
                assert_unchanged(&inc, before);
                assert_true(incident_check(&inc));
            }
            incident_free_fields(&inc);
        }
    }
}

static void test_refusal_messages(void **state)
{
    struct incident inc;
    struct error err = {0};
    bring_to(&inc, INC_MONITORING);
    assert_int_equal(incident_set_status(&inc, INC_INVESTIGATING, T0 + 5, &err), ERR_CONFLICT);
    assert_string_equal(err.message,
                        "status: cannot move from monitoring to investigating; allowed: resolved");
    assert_int_equal(incident_set_status(&inc, INC_MONITORING, T0 + 5, &err), ERR_CONFLICT);
    assert_string_equal(err.message,
                        "status: INC-2026-11-23-001 is already monitoring; allowed: resolved");
    incident_free_fields(&inc);

    bring_to(&inc, INC_CLOSED);
    assert_int_equal(incident_set_status(&inc, INC_ACKNOWLEDGED, T0 + 5, &err), ERR_CONFLICT);
    assert_string_equal(err.message,
                        "status: cannot move from closed to acknowledged; allowed: none");
    incident_free_fields(&inc);
}

static void test_allowed_moves(void **state)
{
    char buf[160];
    for (int s = 0; s < INC_STATUS_COUNT; s++) {
        incident_allowed_moves((enum incident_status)s, buf, sizeof buf);
        assert_string_equal(buf, expected_allowed[s]);
    }
    /* a short buffer is never overrun and stays terminated */
    char small[16];
    memset(small, 'x', sizeof small);
    incident_allowed_moves(INC_TRIGGERED, small, sizeof small);
    assert_true(memchr(small, '\0', sizeof small) != NULL);
    assert_true(strlen(small) < sizeof small);
}

/* ---- ack ---- */

static void test_ack(void **state)
{
    struct incident inc;
    struct error err = {0};
    make(&inc, T0);
    assert_int_equal(incident_ack(&inc, T0 + 3 * MS_PER_MIN, &err), OK);
    assert_int_equal(inc.status, INC_ACKNOWLEDGED);
    assert_int_equal(inc.acknowledged_at, T0 + 3 * MS_PER_MIN);
    assert_int_equal(inc.updated_at, T0 + 3 * MS_PER_MIN);
    assert_true(incident_check(&inc));

    /* a second ack is refused and changes nothing */
    struct snapshot before = snap(&inc);
    assert_int_equal(incident_ack(&inc, T0 + 4 * MS_PER_MIN, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "already acknowledged"));
    assert_unchanged(&inc, before);

    /* later moves keep the first ack time */
    assert_int_equal(incident_set_status(&inc, INC_IDENTIFIED, T0 + 9 * MS_PER_MIN, &err), OK);
    assert_int_equal(inc.acknowledged_at, T0 + 3 * MS_PER_MIN);
    assert_int_equal(incident_ack(&inc, T0 + 10 * MS_PER_MIN, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "already acknowledged (identified)"));
    incident_free_fields(&inc);

    /* closed: refused, nothing moves */
    bring_to(&inc, INC_CLOSED);
    before = snap(&inc);
    assert_int_equal(incident_ack(&inc, T0 + 20 * MS_PER_MIN, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "allowed: none"));
    assert_unchanged(&inc, before);
    incident_free_fields(&inc);
}

/* incident_ack is TRIGGERED -> ACKNOWLEDGED only; reopening a resolved incident is a status change.
 * Acking a resolved incident is refused, and the refusal must not advertise the very move it
 * refuses ("cannot move from resolved to acknowledged; allowed: acknowledged, closed"). */
static void test_ack_resolved_message_consistent(void **state)
{
    struct incident inc;
    struct error err = {0};
    bring_to(&inc, INC_RESOLVED);
    struct snapshot before = snap(&inc);
    assert_int_equal(incident_ack(&inc, T0 + 20 * MS_PER_MIN, &err), ERR_CONFLICT);
    assert_unchanged(&inc, before);
    incident_free_fields(&inc);
    if (strstr(err.message, "to acknowledged") && strstr(err.message, "allowed: acknowledged"))
        fail_msg("ack of a resolved incident contradicts itself: \"%s\"", err.message);
}

static void test_ack_implied_by_first_move(void **state)
{
    for (int to = INC_INVESTIGATING; to <= INC_RESOLVED; to++) {
        struct incident inc;
        struct error err = {0};
        make(&inc, T0);
        int64_t now = T0 + 7 * MS_PER_MIN;
        assert_int_equal(incident_set_status(&inc, (enum incident_status)to, now, &err), OK);
        assert_int_equal(inc.acknowledged_at, now);
        if (to == INC_RESOLVED)
            assert_int_equal(inc.resolved_at, now);
        else
            assert_int_equal(inc.resolved_at, 0);
        assert_true(incident_check(&inc));
        incident_free_fields(&inc);
    }
}

/* ---- full lifecycle, reopen ---- */

static void test_lifecycle_and_reopen(void **state)
{
    struct incident inc;
    struct error err = {0};
    int64_t t = T0;
    make(&inc, t);
    static const enum incident_status path[] = {INC_ACKNOWLEDGED, INC_INVESTIGATING, INC_IDENTIFIED,
                                                INC_MONITORING, INC_RESOLVED};
    for (size_t i = 0; i < sizeof path / sizeof path[0]; i++) {
        t += MS_PER_MIN;
        assert_int_equal(incident_set_status(&inc, path[i], t, &err), OK);
        assert_int_equal(inc.status, path[i]);
        assert_int_equal(inc.acknowledged_at, T0 + MS_PER_MIN);
        assert_true(incident_check(&inc));
    }
    assert_int_equal(inc.resolved_at, t);

    /* reopen clears resolved_at, keeps the ack */
    t += MS_PER_HOUR;
    assert_int_equal(incident_set_status(&inc, INC_ACKNOWLEDGED, t, &err), OK);
    assert_int_equal(inc.status, INC_ACKNOWLEDGED);
    assert_int_equal(inc.resolved_at, 0);
    assert_int_equal(inc.acknowledged_at, T0 + MS_PER_MIN);
    assert_int_equal(inc.updated_at, t);
    assert_true(incident_check(&inc));

    /* a reopened incident can move forward again and resolve with a new time */
    t += MS_PER_MIN;
    assert_int_equal(incident_set_status(&inc, INC_MONITORING, t, &err), OK);
    t += MS_PER_MIN;
    assert_int_equal(incident_set_status(&inc, INC_RESOLVED, t, &err), OK);
    assert_int_equal(inc.resolved_at, t);
    assert_true(incident_check(&inc));
    t += MS_PER_MIN;
    assert_int_equal(incident_close(&inc, NULL, NULL, NULL, t, &err), OK);
    assert_int_equal(inc.status, INC_CLOSED);
    assert_int_equal(inc.closed_at, t);
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);
}

/* ---- close ---- */

static struct config_severity sev_make(const char *id, bool postmortem)
{
    struct config_severity s;
    memset(&s, 0, sizeof s);
    s.id = (char *)id;
    s.name = (char *)"Critical";
    s.rank = 1;
    s.ack_within = 5 * MS_PER_MIN;
    s.resolve_within = 4 * MS_PER_HOUR;
    s.update_every = 30 * MS_PER_MIN;
    s.postmortem_required = postmortem;
    s.postmortem_due = -1;
    return s;
}

static void test_close_requires_resolved(void **state)
{
    for (int from = 0; from < INC_STATUS_COUNT; from++) {
        if (from == INC_RESOLVED)
            continue;
        struct incident inc;
        struct error err = {0};
        bring_to(&inc, (enum incident_status)from);
        struct snapshot before = snap(&inc);
        assert_int_equal(
            incident_close(&inc, NULL, NULL, "https://wiki/pm/1", T0 + MS_PER_HOUR, &err),
            ERR_CONFLICT);
        assert_int_equal(err.code, ERR_CONFLICT);
        char want[200];
        snprintf(want, sizeof want, "allowed: %s", expected_allowed[from]);
        assert_non_null(strstr(err.message, want));
        assert_unchanged(&inc, before);
        assert_true(incident_check(&inc));
        incident_free_fields(&inc);
    }
}

static void test_close_postmortem_required(void **state)
{
    struct config_severity sev = sev_make("SEV1", true);
    struct incident inc;
    struct error err = {0};
    bring_to(&inc, INC_RESOLVED);
    struct snapshot before = snap(&inc);

    /* none: refused, a link is not a post-mortem */
    assert_int_equal(incident_close(&inc, &sev, NULL, "https://wiki/pm/42", T0 + MS_PER_HOUR, &err),
                     ERR_CONFLICT);
    assert_non_null(strstr(err.message, "postmortem:"));
    assert_non_null(strstr(err.message, "SEV1"));
    assert_non_null(strstr(err.message, "postmortem_waiver"));
    assert_unchanged(&inc, before);
    assert_null(inc.postmortem);

    /* one, not published: refused naming it */
    struct incident_close_pm pm = {.id = "PM-3", .published = false};
    assert_int_equal(incident_close(&inc, &sev, &pm, NULL, T0 + MS_PER_HOUR, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "PM-3"));
    assert_non_null(strstr(err.message, "not published"));
    assert_unchanged(&inc, before);

    /* published: closes, its id replaces the link given */
    pm.published = true;
    assert_int_equal(incident_close(&inc, &sev, &pm, "https://wiki/pm/42", T0 + MS_PER_HOUR, &err),
                     OK);
    assert_int_equal(inc.status, INC_CLOSED);
    assert_string_equal(inc.postmortem, "PM-3");
    assert_int_equal(inc.closed_at, T0 + MS_PER_HOUR);
    assert_int_equal(inc.updated_at, T0 + MS_PER_HOUR);
    assert_true(incident_check(&inc));

    /* closing twice is refused */
    assert_int_equal(incident_close(&inc, &sev, &pm, "x", T0 + 2 * MS_PER_HOUR, &err),
                     ERR_CONFLICT);
    assert_string_equal(inc.postmortem, "PM-3");
    incident_free_fields(&inc);

    /* a waiver lifts the gate, with or without an unpublished one; the link is kept */
    struct incident_close_pm waived = {.waiver = "vendor outage, reviewed with theirs"};
    bring_to(&inc, INC_RESOLVED);
    assert_int_equal(
        incident_close(&inc, &sev, &waived, "https://wiki/pm/9", T0 + MS_PER_HOUR, &err), OK);
    assert_string_equal(inc.postmortem, "https://wiki/pm/9");
    incident_free_fields(&inc);
    waived.id = "PM-4";
    bring_to(&inc, INC_RESOLVED);
    assert_int_equal(incident_close(&inc, &sev, &waived, NULL, T0 + MS_PER_HOUR, &err), OK);
    assert_null(inc.postmortem);
    incident_free_fields(&inc);

    /* a drill needs none */
    bring_to(&inc, INC_RESOLVED);
    inc.drill = true;
    assert_int_equal(incident_close(&inc, &sev, NULL, NULL, T0 + MS_PER_HOUR, &err), OK);
    incident_free_fields(&inc);
}

static void test_close_postmortem_optional(void **state)
{
    struct config_severity sev = sev_make("SEV4", false);
    struct incident inc;
    struct error err = {0};
    bring_to(&inc, INC_RESOLVED);
    assert_int_equal(incident_close(&inc, &sev, NULL, NULL, T0 + MS_PER_HOUR, &err), OK);
    assert_null(inc.postmortem);
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);

    /* a reference given anyway is kept */
    bring_to(&inc, INC_RESOLVED);
    assert_int_equal(incident_close(&inc, &sev, NULL, "PM-7", T0 + MS_PER_HOUR, &err), OK);
    assert_string_equal(inc.postmortem, "PM-7");
    incident_free_fields(&inc);

    /* one started must still be published first */
    struct incident_close_pm pm = {.id = "PM-8"};
    bring_to(&inc, INC_RESOLVED);
    assert_int_equal(incident_close(&inc, &sev, &pm, NULL, T0 + MS_PER_HOUR, &err), ERR_CONFLICT);
    assert_int_equal(inc.status, INC_RESOLVED);
    incident_free_fields(&inc);

    /* no severity known: no requirement */
    bring_to(&inc, INC_RESOLVED);
    assert_int_equal(incident_close(&inc, NULL, NULL, NULL, T0 + MS_PER_HOUR, &err), OK);
    incident_free_fields(&inc);
}

static void test_close_clock_skew(void **state)
{
    /* a close stamped before the resolve (clock stepped back) never breaks closed >= resolved */
    struct incident inc;
    struct error err = {0};
    make(&inc, T0);
    assert_int_equal(incident_set_status(&inc, INC_RESOLVED, T0 + MS_PER_HOUR, &err), OK);
    assert_int_equal(incident_close(&inc, NULL, NULL, NULL, T0 + MS_PER_MIN, &err), OK);
    assert_true(inc.closed_at >= inc.resolved_at);
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);
}

/* ---- closed incidents are frozen ---- */

static void test_closed_is_frozen(void **state)
{
    struct incident inc;
    struct error err = {0};
    bring_to(&inc, INC_CLOSED);
    struct snapshot before = snap(&inc);

    assert_int_equal(incident_check_mutable(&inc, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "closed"));

    char *prev = (char *)"sentinel";
    assert_int_equal(incident_assign(&inc, ROLE_COMMANDER, "alice", &prev, T0 + MS_PER_HOUR, &err),
                     ERR_CONFLICT);
    assert_null(inc.roles[ROLE_COMMANDER]);
    assert_int_equal(incident_set_severity(&inc, "SEV2", T0 + MS_PER_HOUR, &err), ERR_CONFLICT);
    assert_string_equal(inc.severity, "SEV1");
    for (int to = 0; to < INC_STATUS_COUNT; to++)
        assert_int_equal(
            incident_set_status(&inc, (enum incident_status)to, T0 + MS_PER_HOUR, &err),
            ERR_CONFLICT);
    assert_unchanged(&inc, before);
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);

    /* every other state is mutable */
    for (int s = 0; s < INC_CLOSED; s++) {
        bring_to(&inc, (enum incident_status)s);
        assert_int_equal(incident_check_mutable(&inc, &err), OK);
        incident_free_fields(&inc);
    }
}

/* ---- assign, severity ---- */

static void test_assign(void **state)
{
    struct incident inc;
    struct error err = {0};
    char *prev = (char *)"sentinel";
    make(&inc, T0);
    assert_int_equal(incident_assign(&inc, ROLE_COMMANDER, "alice", &prev, T0 + 1, &err), OK);
    assert_null(prev);
    assert_string_equal(inc.roles[ROLE_COMMANDER], "alice");
    assert_int_equal(inc.updated_at, T0 + 1);

    assert_int_equal(incident_assign(&inc, ROLE_COMMANDER, "bob", &prev, T0 + 2, &err), OK);
    assert_string_equal(prev, "alice");
    free(prev);
    assert_string_equal(inc.roles[ROLE_COMMANDER], "bob");

    assert_int_equal(incident_assign(&inc, ROLE_SCRIBE, "carol", &prev, T0 + 3, &err), OK);
    assert_null(prev);
    assert_string_equal(inc.roles[ROLE_COMMANDER], "bob");
    assert_string_equal(inc.roles[ROLE_SCRIBE], "carol");

    /* unassign */
    assert_int_equal(incident_assign(&inc, ROLE_COMMANDER, NULL, &prev, T0 + 4, &err), OK);
    assert_string_equal(prev, "bob");
    free(prev);
    assert_null(inc.roles[ROLE_COMMANDER]);

    /* resolved incidents may still be assigned */
    assert_int_equal(incident_set_status(&inc, INC_RESOLVED, T0 + 5, &err), OK);
    assert_int_equal(incident_assign(&inc, ROLE_TECH_LEAD, "dave", &prev, T0 + 6, &err), OK);
    assert_null(prev);
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);
}

static void test_set_severity(void **state)
{
    struct incident inc;
    struct error err = {0};
    make(&inc, T0);
    assert_int_equal(incident_set_severity(&inc, "SEV1", T0 + 1, &err), ERR_CONFLICT);
    assert_non_null(strstr(err.message, "already SEV1"));
    assert_int_equal(inc.updated_at, T0);
    assert_int_equal(incident_set_severity(&inc, "SEV2", T0 + 2, &err), OK);
    assert_string_equal(inc.severity, "SEV2");
    assert_int_equal(inc.updated_at, T0 + 2);
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);
}

/* ---- incident_check catches broken invariants ---- */

static void test_check_invariants(void **state)
{
    struct incident inc;
    make(&inc, T0);
    assert_true(incident_check(&inc));

    inc.acknowledged_at = T0 + 1; /* triggered with an ack time */
    assert_false(incident_check(&inc));
    inc.acknowledged_at = 0;

    inc.status = INC_INVESTIGATING; /* past triggered without an ack */
    assert_false(incident_check(&inc));
    inc.acknowledged_at = T0 - 1; /* ack before creation */
    assert_false(incident_check(&inc));
    inc.acknowledged_at = T0 + 1;
    assert_true(incident_check(&inc));

    inc.resolved_at = T0 + 2; /* resolved time while open */
    assert_false(incident_check(&inc));
    inc.status = INC_RESOLVED;
    assert_true(incident_check(&inc));
    inc.resolved_at = 0; /* resolved without a time */
    assert_false(incident_check(&inc));
    inc.resolved_at = T0 - 5; /* resolved before creation */
    assert_false(incident_check(&inc));
    inc.resolved_at = T0 + 2;

    inc.closed_at = T0 + 3; /* closed time while resolved */
    assert_false(incident_check(&inc));
    inc.status = INC_CLOSED;
    assert_true(incident_check(&inc));
    inc.closed_at = T0 + 1; /* closed before resolved */
    assert_false(incident_check(&inc));
    inc.closed_at = 0; /* closed without a time */
    assert_false(incident_check(&inc));
    inc.closed_at = T0 + 3;

    inc.status = INC_STATUS_COUNT;
    assert_false(incident_check(&inc));
    inc.status = INC_CLOSED;

    char *title = inc.title;
    inc.title = NULL;
    assert_false(incident_check(&inc));
    inc.title = title;
    assert_true(incident_check(&inc));
    incident_free_fields(&inc);
}

/* ---- ids, slugs, channels ---- */

static void test_make_id(void **state)
{
    char id[INCIDENT_ID_MAX];
    incident_make_id(T0, 7, id);
    assert_string_equal(id, "INC-2026-11-23-007");
    incident_make_id(T0, 1, id);
    assert_string_equal(id, "INC-2026-11-23-001");
    incident_make_id(T0, 999, id);
    assert_string_equal(id, "INC-2026-11-23-999");
    incident_make_id(T0, 1000, id);
    assert_string_equal(id, "INC-2026-11-23-1000");
    incident_make_id(T0, 12345, id);
    assert_string_equal(id, "INC-2026-11-23-12345");
    /* the UTC day: last and first millisecond */
    incident_make_id(DAY0 + MS_PER_DAY - 1, 3, id);
    assert_string_equal(id, "INC-2026-11-23-003");
    incident_make_id(DAY0 + MS_PER_DAY, 3, id);
    assert_string_equal(id, "INC-2026-11-24-003");
    incident_make_id(DAY0, 3, id);
    assert_string_equal(id, "INC-2026-11-23-003");
}

static void assert_slug(const char *title, const char *want)
{
    char out[INCIDENT_SLUG_MAX + 1];
    memset(out, 'Z', sizeof out);
    incident_slug(title, out);
    if (strcmp(out, want) != 0)
        fail_msg("slug(\"%s\") = \"%s\", want \"%s\"", title, out, want);
}

static void test_slug(void **state)
{
    assert_slug("Database is down", "database-is-down");
    assert_slug("Database is DOWN!!", "database-is-down");
    assert_slug("  --Hello,   World--  ", "hello-world");
    assert_slug("API 500s on /v2/orders", "api-500s-on-v2-orders");
    assert_slug("a_b.c", "a-b-c");
    assert_slug("", "incident");
    assert_slug("!!!", "incident");
    assert_slug("   ", "incident");
    assert_slug("---", "incident");
    /* UTF-8 bytes are not alphanumerics: they never reach the slug */
    assert_slug("Caf\xc3\xa9 au lait", "caf-au-lait");
    assert_slug("r\xc3\xa9sum\xc3\xa9", "r-sum");
    assert_slug("\xe6\x97\xa5\xe6\x9c\xac", "incident");
    assert_slug("\xf0\x9f\x94\xa5 fire", "fire");
}

static void test_slug_length(void **state)
{
    char out[INCIDENT_SLUG_MAX + 1];
    char title[200];

    memset(title, 'a', 100);
    title[100] = '\0';
    incident_slug(title, out);
    assert_int_equal(strlen(out), INCIDENT_SLUG_MAX);

    /* 40 exactly */
    memset(title, 'b', 40);
    title[40] = '\0';
    incident_slug(title, out);
    assert_int_equal(strlen(out), 40);

    /* a cut right after a separator leaves no trailing '-' */
    memset(title, 'c', 39);
    strcpy(title + 39, " ");
    incident_slug(title, out);
    assert_int_equal(strlen(out), 39);
    assert_int_not_equal(out[strlen(out) - 1], '-');

    /* many words: never longer than 40, never ends with '-', never has "--" */
    for (int len = 1; len < 120; len++) {
        for (int i = 0; i < len; i++)
            title[i] = (i % 4 == 3) ? ' ' : (char)('a' + i % 26);
        title[len] = '\0';
        incident_slug(title, out);
        assert_true(strlen(out) <= INCIDENT_SLUG_MAX);
        assert_true(strlen(out) > 0);
        assert_int_not_equal(out[strlen(out) - 1], '-');
        assert_int_not_equal(out[0], '-');
        assert_null(strstr(out, "--"));
    }
}

/* The slug of a long title is the start of its full slug (cut at 40, then trailing '-' dropped):
 * the cut must never glue two words together. With 39 letters, a space and "b", the full slug is
 * "aaa...a-b" (41 chars); cut to 40 it is "aaa...a-", so the slug is the 39 letters. */
static void test_slug_cut_keeps_words_apart(void **state)
{
    char out[INCIDENT_SLUG_MAX + 1];
    char title[64], want[64];
    memset(title, 'a', 39);
    strcpy(title + 39, " b");
    memset(want, 'a', 39);
    want[39] = '\0';
    incident_slug(title, out);
    if (strcmp(out, want) != 0)
        fail_msg("slug of 39 letters + \" b\" is \"%s\" (%zu chars), want the 39 letters", out,
                 strlen(out));
}

static void test_channel(void **state)
{
    char ch[INCIDENT_CHANNEL_MAX];
    incident_channel(T0, "Database is DOWN!!", ch);
    assert_string_equal(ch, "#inc-2026-11-23-database-is-down");
    incident_channel(DAY0 + MS_PER_DAY, "", ch);
    assert_string_equal(ch, "#inc-2026-11-24-incident");

    char title[200];
    memset(title, 'x', 150);
    title[150] = '\0';
    incident_channel(T0, title, ch);
    assert_int_equal(strlen(ch), strlen("#inc-2026-11-23-") + INCIDENT_SLUG_MAX);
    assert_true(strlen(ch) < INCIDENT_CHANNEL_MAX);
}

/* ---- SLA clocks ---- */

static void test_sla_open(void **state)
{
    struct config_severity sev = sev_make("SEV1", true);
    struct incident inc;
    struct incident_sla sla;
    make(&inc, T0);

    incident_sla(&inc, &sev, T0 + MS_PER_MIN, &sla);
    assert_int_equal(sla.ack_due, T0 + 5 * MS_PER_MIN);
    assert_int_equal(sla.resolve_due, T0 + 4 * MS_PER_HOUR);
    assert_int_equal(sla.next_update_due, T0 + 30 * MS_PER_MIN);
    assert_false(sla.ack_breached);
    assert_false(sla.resolve_breached);
    assert_false(sla.update_overdue);

    /* exactly at the due time: not yet breached */
    incident_sla(&inc, &sev, T0 + 5 * MS_PER_MIN, &sla);
    assert_false(sla.ack_breached);
    incident_sla(&inc, &sev, T0 + 5 * MS_PER_MIN + 1, &sla);
    assert_true(sla.ack_breached);
    assert_false(sla.resolve_breached);
    assert_false(sla.update_overdue);

    incident_sla(&inc, &sev, T0 + 30 * MS_PER_MIN + 1, &sla);
    assert_true(sla.update_overdue);
    incident_sla(&inc, &sev, T0 + 4 * MS_PER_HOUR, &sla);
    assert_false(sla.resolve_breached);
    incident_sla(&inc, &sev, T0 + 4 * MS_PER_HOUR + 1, &sla);
    assert_true(sla.resolve_breached);
    assert_true(sla.ack_breached);
    incident_free_fields(&inc);
}

static void test_sla_ack(void **state)
{
    struct config_severity sev = sev_make("SEV1", false);
    struct incident inc;
    struct incident_sla sla;
    struct error err = {0};

    /* acked in time: never breached, however late we look */
    make(&inc, T0);
    assert_int_equal(incident_ack(&inc, T0 + 2 * MS_PER_MIN, &err), OK);
    incident_sla(&inc, &sev, T0 + 3 * MS_PER_HOUR, &sla);
    assert_int_equal(sla.ack_due, T0 + 5 * MS_PER_MIN);
    assert_false(sla.ack_breached);
    incident_free_fields(&inc);

    /* acked late: stays breached */
    make(&inc, T0);
    assert_int_equal(incident_ack(&inc, T0 + 10 * MS_PER_MIN, &err), OK);
    incident_sla(&inc, &sev, T0 + 11 * MS_PER_MIN, &sla);
    assert_true(sla.ack_breached);
    incident_sla(&inc, &sev, T0 + 5 * MS_PER_HOUR, &sla);
    assert_true(sla.ack_breached);
    incident_free_fields(&inc);

    /* ack implied by a move counts too */
    make(&inc, T0);
    assert_int_equal(incident_set_status(&inc, INC_INVESTIGATING, T0 + MS_PER_MIN, &err), OK);
    incident_sla(&inc, &sev, T0 + MS_PER_HOUR, &sla);
    assert_false(sla.ack_breached);
    incident_free_fields(&inc);
}

static void test_sla_public_update(void **state)
{
    struct config_severity sev = sev_make("SEV1", false);
    struct incident inc;
    struct incident_sla sla;
    make(&inc, T0);

    incident_sla(&inc, &sev, T0 + 25 * MS_PER_MIN, &sla);
    assert_int_equal(sla.next_update_due, T0 + 30 * MS_PER_MIN);
    assert_false(sla.update_overdue);

    inc.last_public_update_at = T0 + 20 * MS_PER_MIN;
    incident_sla(&inc, &sev, T0 + 45 * MS_PER_MIN, &sla);
    assert_int_equal(sla.next_update_due, T0 + 50 * MS_PER_MIN);
    assert_false(sla.update_overdue);
    incident_sla(&inc, &sev, T0 + 50 * MS_PER_MIN + 1, &sla);
    assert_true(sla.update_overdue);

    inc.last_public_update_at = T0 + 55 * MS_PER_MIN;
    incident_sla(&inc, &sev, T0 + 56 * MS_PER_MIN, &sla);
    assert_int_equal(sla.next_update_due, T0 + 85 * MS_PER_MIN);
    assert_false(sla.update_overdue);
    incident_free_fields(&inc);
}

static void test_sla_resolved(void **state)
{
    struct config_severity sev = sev_make("SEV1", false);
    struct incident inc;
    struct incident_sla sla;
    struct error err = {0};

    /* resolved in time: no update clock, resolve never breached afterwards */
    make(&inc, T0);
    assert_int_equal(incident_set_status(&inc, INC_RESOLVED, T0 + 3 * MS_PER_HOUR, &err), OK);
    incident_sla(&inc, &sev, T0 + 10 * MS_PER_HOUR, &sla);
    assert_int_equal(sla.next_update_due, 0);
    assert_false(sla.update_overdue);
    assert_int_equal(sla.resolve_due, T0 + 4 * MS_PER_HOUR);
    assert_false(sla.resolve_breached);
    assert_int_equal(sla.ack_due, T0 + 5 * MS_PER_MIN);
    assert_true(sla.ack_breached); /* acked (implied) at 3h */

    /* closed: same */
    assert_int_equal(incident_close(&inc, &sev, NULL, NULL, T0 + 11 * MS_PER_HOUR, &err), OK);
    incident_sla(&inc, &sev, T0 + 12 * MS_PER_HOUR, &sla);
    assert_int_equal(sla.next_update_due, 0);
    assert_false(sla.resolve_breached);
    incident_free_fields(&inc);

    /* resolved late: breached for good */
    make(&inc, T0);
    assert_int_equal(incident_set_status(&inc, INC_RESOLVED, T0 + 5 * MS_PER_HOUR, &err), OK);
    incident_sla(&inc, &sev, T0 + 5 * MS_PER_HOUR, &sla);
    assert_true(sla.resolve_breached);
    assert_int_equal(sla.next_update_due, 0);

    /* reopened: the update clock is back, the resolve clock runs on from creation */
    assert_int_equal(incident_set_status(&inc, INC_ACKNOWLEDGED, T0 + 6 * MS_PER_HOUR, &err), OK);
    incident_sla(&inc, &sev, T0 + 6 * MS_PER_HOUR, &sla);
    assert_int_equal(sla.next_update_due, T0 + 30 * MS_PER_MIN);
    assert_true(sla.update_overdue);
    assert_true(sla.resolve_breached);
    incident_free_fields(&inc);
}

static void test_sla_no_clocks(void **state)
{
    struct incident inc;
    struct incident_sla sla;
    make(&inc, T0);

    memset(&sla, 0x5a, sizeof sla);
    incident_sla(&inc, NULL, T0 + 100 * MS_PER_HOUR, &sla);
    assert_int_equal(sla.ack_due, 0);
    assert_int_equal(sla.resolve_due, 0);
    assert_int_equal(sla.next_update_due, 0);
    assert_false(sla.ack_breached);
    assert_false(sla.resolve_breached);
    assert_false(sla.update_overdue);

    struct config_severity sev = sev_make("SEV5", false);
    sev.ack_within = -1;
    sev.resolve_within = -1;
    sev.update_every = -1;
    memset(&sla, 0x5a, sizeof sla);
    incident_sla(&inc, &sev, T0 + 100 * MS_PER_HOUR, &sla);
    assert_int_equal(sla.ack_due, 0);
    assert_int_equal(sla.resolve_due, 0);
    assert_int_equal(sla.next_update_due, 0);
    assert_false(sla.ack_breached);
    assert_false(sla.resolve_breached);
    assert_false(sla.update_overdue);

    /* one clock only */
    sev.resolve_within = MS_PER_HOUR;
    incident_sla(&inc, &sev, T0 + 2 * MS_PER_HOUR, &sla);
    assert_int_equal(sla.ack_due, 0);
    assert_false(sla.ack_breached);
    assert_int_equal(sla.resolve_due, T0 + MS_PER_HOUR);
    assert_true(sla.resolve_breached);
    assert_int_equal(sla.next_update_due, 0);
    incident_free_fields(&inc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_and_role_names),
        cmocka_unit_test(test_init),
        cmocka_unit_test(test_set_status_every_pair),
        cmocka_unit_test(test_refusal_messages),
        cmocka_unit_test(test_allowed_moves),
        cmocka_unit_test(test_ack),
        cmocka_unit_test(test_ack_resolved_message_consistent),
        cmocka_unit_test(test_ack_implied_by_first_move),
        cmocka_unit_test(test_lifecycle_and_reopen),
        cmocka_unit_test(test_close_requires_resolved),
        cmocka_unit_test(test_close_postmortem_required),
        cmocka_unit_test(test_close_postmortem_optional),
        cmocka_unit_test(test_close_clock_skew),
        cmocka_unit_test(test_closed_is_frozen),
        cmocka_unit_test(test_assign),
        cmocka_unit_test(test_set_severity),
        cmocka_unit_test(test_check_invariants),
        cmocka_unit_test(test_make_id),
        cmocka_unit_test(test_slug),
        cmocka_unit_test(test_slug_length),
        cmocka_unit_test(test_slug_cut_keeps_words_apart),
        cmocka_unit_test(test_channel),
        cmocka_unit_test(test_sla_open),
        cmocka_unit_test(test_sla_ack),
        cmocka_unit_test(test_sla_public_update),
        cmocka_unit_test(test_sla_resolved),
        cmocka_unit_test(test_sla_no_clocks),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
