/*
 * Unit tests for oncall.c: weekly, daily, 12-hour and 3-day rotations, negative shift numbers,
 * hand-offs across the Europe/Berlin and America/New_York DST changes (09:00 stays 09:00 local),
 * restrictions (wrap past midnight, 24:00, follow-the-sun with two layers), overrides (the whole
 * schedule, one layer, part of a shift; other schedules' ignored), `from`/`until` values and the
 * 90-day horizon, oncall_shifts in order and contiguous, unknown layers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "domain/oncall.h"
#include "util/timeutil.h"
#include "util/tz.h"

#define H MS_PER_HOUR
#define D MS_PER_DAY

static char *alice = "alice", *bob = "bob", *carol = "carol", *dave = "dave";

struct fixture {
    struct config_schedule s;
    struct config_schedule_layer layers[3];
    char *users[3][4];
    char *restr[3][4];
};

static void add_layer(struct fixture *f, const char *name, int64_t every, const char *start,
                      const char *handoff, char *const *users, size_t nusers, char *const *restr,
                      size_t nrestr)
{
    size_t i = f->s.layer_count++;
    struct config_schedule_layer *l = &f->layers[i];
    memset(l, 0, sizeof *l);
    l->name = (char *)name;
    l->rotation.every = every;
    l->rotation.start = (char *)start;
    l->rotation.handoff = (char *)handoff;
    for (size_t j = 0; j < nusers; j++)
        f->users[i][j] = users[j];
    l->rotation.users.items = f->users[i];
    l->rotation.users.count = nusers;
    for (size_t j = 0; j < nrestr; j++)
        f->restr[i][j] = restr[j];
    l->restrictions.items = f->restr[i];
    l->restrictions.count = nrestr;
    f->s.layers = f->layers;
}

static void init(struct fixture *f, const char *tzname)
{
    memset(f, 0, sizeof *f);
    f->s.id = "primary";
    f->s.name = "Primary";
    f->s.timezone = (char *)tzname;
}

static int64_t local(const char *zone, int y, int mo, int d, int h, int mi)
{
    const struct tz *z = tz_get(zone);
    assert_non_null(z);
    return tz_to_utc(z, y, mo, d, h, mi);
}

static int64_t utc(int y, int mo, int d, int h, int mi)
{
    return tz_to_utc(tz_utc(), y, mo, d, h, mi);
}

static void expect_slot(const struct config_schedule *s, const char *layer, int64_t at,
                        const char *user, int64_t from, int64_t until)
{
    struct oncall_slot sl;
    assert_int_equal(oncall_at(s, layer, NULL, 0, at, &sl), 0);
    char a[RFC3339_LEN], b[RFC3339_LEN], c[RFC3339_LEN], d[RFC3339_LEN], e[RFC3339_LEN];
    time_format_rfc3339(at, a);
    time_format_rfc3339(sl.from, b);
    time_format_rfc3339(sl.until, c);
    time_format_rfc3339(from, d);
    time_format_rfc3339(until, e);
    if ((user == NULL) != (sl.user == NULL) || (user && strcmp(user, sl.user) != 0) ||
        sl.from != from || sl.until != until)
        fail_msg("at %s layer %s: %s [%s, %s), want %s [%s, %s)", a, layer ? layer : "(all)",
                 sl.user ? sl.user : "nobody", b, c, user ? user : "nobody", d, e);
}

/* ---- rotations ------------------------------------------------------------------------------ */

static void test_weekly_berlin_dst(void **state)
{
    struct fixture f;
    init(&f, "Europe/Berlin");
    char *u[] = {alice, bob, carol};
    add_layer(&f, "primary", 7 * D, "2024-01-01", "mon 09:00", u, 3, NULL, 0);
    const char *z = "Europe/Berlin";
    /* shift 0 starts Monday 2024-01-01 09:00 local */
    expect_slot(&f.s, "primary", local(z, 2024, 1, 3, 12, 0), alice, local(z, 2024, 1, 1, 9, 0),
                local(z, 2024, 1, 8, 9, 0));
    expect_slot(&f.s, "primary", local(z, 2024, 1, 8, 9, 0), bob, local(z, 2024, 1, 8, 9, 0),
                local(z, 2024, 1, 15, 9, 0));
    /* before the start: shift -1 goes to users[-1 mod 3] = carol */
    expect_slot(&f.s, "primary", local(z, 2024, 1, 1, 8, 59), carol, local(z, 2023, 12, 25, 9, 0),
                local(z, 2024, 1, 1, 9, 0));
    expect_slot(&f.s, "primary", local(z, 2023, 12, 20, 0, 0), bob, local(z, 2023, 12, 18, 9, 0),
                local(z, 2023, 12, 25, 9, 0));
    /* the shift over the spring change (2024-03-31) lasts 167 h, still 09:00 to 09:00 */
    struct oncall_slot sl;
    assert_int_equal(oncall_at(&f.s, "primary", NULL, 0, local(z, 2024, 3, 28, 0, 0), &sl), 0);
    assert_int_equal(sl.from, utc(2024, 3, 25, 8, 0));
    assert_int_equal(sl.until, utc(2024, 4, 1, 7, 0));
    assert_int_equal(sl.until - sl.from, 167 * H);
    assert_string_equal(sl.user, alice); /* week 12: 12 mod 3 = 0 */
    /* and over the autumn change (2024-10-27) 169 h */
    assert_int_equal(oncall_at(&f.s, "primary", NULL, 0, local(z, 2024, 10, 27, 12, 0), &sl), 0);
    assert_int_equal(sl.from, utc(2024, 10, 21, 7, 0));
    assert_int_equal(sl.until, utc(2024, 10, 28, 8, 0));
    assert_int_equal(sl.until - sl.from, 169 * H);
    /* the schedule as a whole = its only layer */
    assert_int_equal(oncall_at(&f.s, NULL, NULL, 0, local(z, 2024, 10, 27, 12, 0), &sl), 0);
    assert_int_equal(sl.until - sl.from, 169 * H);
    assert_string_equal(sl.layer, "primary");
    assert_null(sl.override);
}

static void test_daily_new_york_dst(void **state)
{
    struct fixture f;
    init(&f, "America/New_York");
    char *u[] = {alice, bob};
    add_layer(&f, "day", D, "2024-03-09", "09:00", u, 2, NULL, 0);
    /* 2024-03-10: clocks jump 02:00 -> 03:00; the shift 09:00 EST -> 09:00 EDT is 23 h */
    expect_slot(&f.s, "day", utc(2024, 3, 9, 20, 0), alice, utc(2024, 3, 9, 14, 0),
                utc(2024, 3, 10, 13, 0));
    expect_slot(&f.s, "day", utc(2024, 3, 10, 13, 0), bob, utc(2024, 3, 10, 13, 0),
                utc(2024, 3, 11, 13, 0));
    /* 2024-11-03: 02:00 -> 01:00; the shift 09:00 EDT -> 09:00 EST is 25 h. Shift number:
     * 2024-11-02 is 238 days after the start: even, alice */
    expect_slot(&f.s, "day", utc(2024, 11, 3, 0, 0), alice, utc(2024, 11, 2, 13, 0),
                utc(2024, 11, 3, 14, 0));
    /* HH:MM hand-off: the first is on the start date itself */
    expect_slot(&f.s, "day", utc(2024, 3, 9, 13, 59), bob, utc(2024, 3, 8, 14, 0),
                utc(2024, 3, 9, 14, 0));
}

static void test_12h_absolute(void **state)
{
    struct fixture f;
    init(&f, "Europe/Berlin");
    char *u[] = {alice, bob};
    add_layer(&f, "half", 12 * H, "2024-03-30", "08:00", u, 2, NULL, 0);
    const char *z = "Europe/Berlin";
    expect_slot(&f.s, "half", local(z, 2024, 3, 30, 8, 0), alice, local(z, 2024, 3, 30, 8, 0),
                local(z, 2024, 3, 30, 20, 0));
    expect_slot(&f.s, "half", local(z, 2024, 3, 30, 21, 0), bob, local(z, 2024, 3, 30, 20, 0),
                local(z, 2024, 3, 31, 9, 0)); /* absolute: 12 h later is 09:00 CEST */
    expect_slot(&f.s, "half", local(z, 2024, 3, 31, 12, 0), alice, local(z, 2024, 3, 31, 9, 0),
                local(z, 2024, 3, 31, 21, 0));
    /* UTC, many shifts on: k = 2 * 10 + 1 */
    init(&f, "UTC");
    add_layer(&f, "half", 12 * H, "2024-01-01", "08:00", u, 2, NULL, 0);
    expect_slot(&f.s, "half", utc(2024, 1, 11, 23, 0), bob, utc(2024, 1, 11, 20, 0),
                utc(2024, 1, 12, 8, 0));
    /* 8 h with three users */
    char *u3[] = {alice, bob, carol};
    init(&f, "UTC");
    add_layer(&f, "eight", 8 * H, "2024-01-01", "06:00", u3, 3, NULL, 0);
    expect_slot(&f.s, "eight", utc(2024, 1, 1, 5, 0), carol, utc(2023, 12, 31, 22, 0),
                utc(2024, 1, 1, 6, 0));
    expect_slot(&f.s, "eight", utc(2024, 1, 2, 15, 0), bob, utc(2024, 1, 2, 14, 0),
                utc(2024, 1, 2, 22, 0));
}

static void test_3day_custom(void **state)
{
    struct fixture f;
    init(&f, "UTC");
    char *u[] = {alice, bob, carol};
    /* the first Tuesday on or after 2024-01-01 is 2024-01-02 */
    add_layer(&f, "three", 3 * D, "2024-01-01", "tue 10:00", u, 3, NULL, 0);
    expect_slot(&f.s, "three", utc(2024, 1, 2, 10, 0), alice, utc(2024, 1, 2, 10, 0),
                utc(2024, 1, 5, 10, 0));
    expect_slot(&f.s, "three", utc(2024, 1, 6, 0, 0), bob, utc(2024, 1, 5, 10, 0),
                utc(2024, 1, 8, 10, 0));
    expect_slot(&f.s, "three", utc(2024, 1, 2, 9, 0), carol, utc(2023, 12, 30, 10, 0),
                utc(2024, 1, 2, 10, 0));
    expect_slot(&f.s, "three", utc(2023, 12, 28, 0, 0), bob, utc(2023, 12, 27, 10, 0),
                utc(2023, 12, 30, 10, 0)); /* k = -2 */
    /* 2024-01-11 10:00 is hand-off 3: users[0] again */
    expect_slot(&f.s, "three", utc(2024, 1, 11, 10, 0), alice, utc(2024, 1, 11, 10, 0),
                utc(2024, 1, 14, 10, 0));
}

static void test_single_user_horizon(void **state)
{
    struct fixture f;
    init(&f, "UTC");
    char *u[] = {alice, alice};
    add_layer(&f, "solo", 7 * D, "2024-01-01", "mon 09:00", u, 1, NULL, 0);
    int64_t at = utc(2024, 6, 1, 0, 0);
    expect_slot(&f.s, "solo", at, alice, at - ONCALL_HORIZON_MS, at + ONCALL_HORIZON_MS);
    /* the same user twice in a row is one slot */
    init(&f, "UTC");
    char *u2[] = {alice, alice, bob};
    add_layer(&f, "twice", D, "2024-01-01", "09:00", u2, 3, NULL, 0);
    expect_slot(&f.s, "twice", utc(2024, 1, 2, 12, 0), alice, utc(2024, 1, 1, 9, 0),
                utc(2024, 1, 3, 9, 0));
}

/* ---- restrictions --------------------------------------------------------------------------- */

/* docs/config.md's follow-the-sun example: business hours, and nights/weekends. */
static void follow_the_sun(struct fixture *f)
{
    init(f, "America/New_York");
    f->s.id = "secondary";
    char *bu[] = {carol, bob}, *br[] = {"mon-fri 09:00-17:00"};
    char *nu[] = {alice}, *nr[] = {"mon-fri 17:00-09:00", "sat,sun 00:00-24:00", "mon 00:00-09:00"};
    add_layer(f, "business", D, "2024-01-01", "09:00", bu, 2, br, 1);
    add_layer(f, "nights", 7 * D, "2024-01-01", "fri 18:00", nu, 1, nr, 3);
}

static void test_follow_the_sun(void **state)
{
    struct fixture f;
    follow_the_sun(&f);
    const char *z = "America/New_York";
    /* Wednesday 2024-01-03 12:00: day 2 of business -> carol, 09:00-17:00 */
    expect_slot(&f.s, "business", local(z, 2024, 1, 3, 12, 0), carol, local(z, 2024, 1, 3, 9, 0),
                local(z, 2024, 1, 3, 17, 0));
    expect_slot(&f.s, "nights", local(z, 2024, 1, 3, 12, 0), NULL, local(z, 2024, 1, 3, 9, 0),
                local(z, 2024, 1, 3, 17, 0));
    expect_slot(&f.s, NULL, local(z, 2024, 1, 3, 12, 0), carol, local(z, 2024, 1, 3, 9, 0),
                local(z, 2024, 1, 3, 17, 0));
    /* Wednesday evening: nights, 17:00 to Thursday 09:00 */
    expect_slot(&f.s, NULL, local(z, 2024, 1, 3, 20, 0), alice, local(z, 2024, 1, 3, 17, 0),
                local(z, 2024, 1, 4, 9, 0));
    expect_slot(&f.s, "business", local(z, 2024, 1, 3, 20, 0), NULL, local(z, 2024, 1, 3, 17, 0),
                local(z, 2024, 1, 4, 9, 0));
    /* the weekend: the windows join up, Friday 17:00 to Monday 09:00 */
    expect_slot(&f.s, "nights", local(z, 2024, 1, 6, 12, 0), alice, local(z, 2024, 1, 5, 17, 0),
                local(z, 2024, 1, 8, 9, 0));
    struct oncall_slot sl;
    assert_int_equal(oncall_at(&f.s, NULL, NULL, 0, local(z, 2024, 1, 8, 3, 0), &sl), 0);
    assert_string_equal(sl.user, alice);
    assert_string_equal(sl.layer, "nights");
    /* across the spring change the business day is still 09:00-17:00 local */
    expect_slot(&f.s, "business", local(z, 2024, 3, 11, 10, 0), carol, utc(2024, 3, 11, 13, 0),
                utc(2024, 3, 11, 21, 0));
    /* oncall_layers_at: both layers in file order */
    struct oncall_slot two[2];
    assert_int_equal(oncall_layers_at(&f.s, NULL, 0, local(z, 2024, 1, 3, 12, 0), two), 2);
    assert_string_equal(two[0].layer, "business");
    assert_string_equal(two[0].user, carol);
    assert_string_equal(two[1].layer, "nights");
    assert_null(two[1].user);
}

static void test_restriction_wrap_and_gaps(void **state)
{
    struct fixture f;
    init(&f, "Europe/Berlin");
    char *u[] = {alice, bob}, *r[] = {"22:00-06:00"};
    add_layer(&f, "night", 7 * D, "2024-01-01", "mon 09:00", u, 2, r, 1);
    const char *z = "Europe/Berlin";
    expect_slot(&f.s, "night", local(z, 2024, 1, 2, 23, 0), alice, local(z, 2024, 1, 2, 22, 0),
                local(z, 2024, 1, 3, 6, 0));
    expect_slot(&f.s, "night", local(z, 2024, 1, 2, 3, 0), alice, local(z, 2024, 1, 1, 22, 0),
                local(z, 2024, 1, 2, 6, 0));
    expect_slot(&f.s, "night", local(z, 2024, 1, 2, 12, 0), NULL, local(z, 2024, 1, 2, 6, 0),
                local(z, 2024, 1, 2, 22, 0));
    /* the hand-off falls in a gap: the Monday 09:00 change is invisible, the night of
     * Sunday->Monday is alice's last, Monday night is bob's */
    expect_slot(&f.s, "night", local(z, 2024, 1, 8, 2, 0), alice, local(z, 2024, 1, 7, 22, 0),
                local(z, 2024, 1, 8, 6, 0));
    expect_slot(&f.s, "night", local(z, 2024, 1, 8, 23, 0), bob, local(z, 2024, 1, 8, 22, 0),
                local(z, 2024, 1, 9, 6, 0));
    /* a window that contains the hand-off splits there */
    init(&f, "UTC");
    char *r2[] = {"mon 08:00-10:00"};
    add_layer(&f, "x", 7 * D, "2024-01-01", "mon 09:00", u, 2, r2, 1);
    expect_slot(&f.s, "x", utc(2024, 1, 8, 8, 30), alice, utc(2024, 1, 8, 8, 0),
                utc(2024, 1, 8, 9, 0));
    expect_slot(&f.s, "x", utc(2024, 1, 8, 9, 30), bob, utc(2024, 1, 8, 9, 0),
                utc(2024, 1, 8, 10, 0));
    /* a layer off for longer than the horizon reports the horizon */
    init(&f, "UTC");
    char *r3[] = {"sat 10:00-11:00"};
    add_layer(&f, "rare", 7 * D, "2024-01-01", "mon 09:00", u, 2, r3, 1);
    expect_slot(&f.s, "rare", utc(2024, 1, 6, 10, 30), alice, utc(2024, 1, 6, 10, 0),
                utc(2024, 1, 6, 11, 0));
    expect_slot(&f.s, "rare", utc(2024, 1, 3, 0, 0), NULL, utc(2023, 12, 30, 11, 0),
                utc(2024, 1, 6, 10, 0));
}

/* ---- overrides ------------------------------------------------------------------------------ */

static struct oncall_override ovr(const char *id, const char *sched, const char *layer,
                                  const char *user, int64_t from, int64_t to, int64_t created)
{
    struct oncall_override o = {.id = (char *)id,
                                .schedule = (char *)sched,
                                .layer = (char *)layer,
                                .user = (char *)user,
                                .from = from,
                                .to = to,
                                .created_at = created};
    return o;
}

static void test_overrides(void **state)
{
    struct fixture f;
    init(&f, "UTC");
    char *u[] = {alice, bob};
    add_layer(&f, "primary", 7 * D, "2024-01-01", "mon 09:00", u, 2, NULL, 0);
    /* a layer override over the hand-off: Thursday 12:00 to next Tuesday 12:00 */
    struct oncall_override ov[3] = {
        ovr("ovr_a", "primary", "primary", dave, utc(2024, 1, 4, 12, 0), utc(2024, 1, 9, 12, 0), 1),
        ovr("ovr_other", "elsewhere", NULL, carol, utc(2024, 1, 1, 0, 0), utc(2024, 2, 1, 0, 0), 2),
        ovr("ovr_w", "primary", NULL, carol, utc(2024, 1, 20, 0, 0), utc(2024, 1, 21, 0, 0), 3),
    };
    struct oncall_slot sl;
    /* before: alice from the hand-off until the override starts */
    assert_int_equal(oncall_at(&f.s, "primary", ov, 3, utc(2024, 1, 3, 0, 0), &sl), 0);
    assert_string_equal(sl.user, alice);
    assert_null(sl.override);
    assert_int_equal(sl.from, utc(2024, 1, 1, 9, 0));
    assert_int_equal(sl.until, utc(2024, 1, 4, 12, 0));
    /* during: dave, across the hand-off, one slot */
    assert_int_equal(oncall_at(&f.s, "primary", ov, 3, utc(2024, 1, 8, 10, 0), &sl), 0);
    assert_string_equal(sl.user, dave);
    assert_ptr_equal(sl.override, &ov[0]);
    assert_int_equal(sl.from, utc(2024, 1, 4, 12, 0));
    assert_int_equal(sl.until, utc(2024, 1, 9, 12, 0));
    /* the whole schedule follows the layer's override */
    assert_int_equal(oncall_at(&f.s, NULL, ov, 3, utc(2024, 1, 8, 10, 0), &sl), 0);
    assert_string_equal(sl.user, dave);
    assert_ptr_equal(sl.override, &ov[0]);
    /* after: bob from the override's end to the next hand-off */
    assert_int_equal(oncall_at(&f.s, "primary", ov, 3, utc(2024, 1, 10, 0, 0), &sl), 0);
    assert_string_equal(sl.user, bob);
    assert_int_equal(sl.from, utc(2024, 1, 9, 12, 0));
    assert_int_equal(sl.until, utc(2024, 1, 15, 9, 0));
    /* a schedule-wide override changes the whole, not the layer; another schedule's is ignored */
    assert_int_equal(oncall_at(&f.s, NULL, ov, 3, utc(2024, 1, 20, 6, 0), &sl), 0);
    assert_string_equal(sl.user, carol);
    assert_ptr_equal(sl.override, &ov[2]);
    assert_int_equal(sl.from, utc(2024, 1, 20, 0, 0));
    assert_int_equal(sl.until, utc(2024, 1, 21, 0, 0));
    assert_int_equal(oncall_at(&f.s, "primary", ov, 3, utc(2024, 1, 20, 6, 0), &sl), 0);
    assert_string_equal(sl.user, alice);
    assert_null(sl.override);
    assert_int_equal(sl.from, utc(2024, 1, 15, 9, 0));
    assert_int_equal(sl.until, utc(2024, 1, 22, 9, 0));
    /* overlapping overrides (the store refuses them, but): the latest created wins */
    struct oncall_override two[2] = {
        ovr("ovr_1", "primary", NULL, dave, utc(2024, 1, 2, 0, 0), utc(2024, 1, 4, 0, 0), 5),
        ovr("ovr_2", "primary", NULL, carol, utc(2024, 1, 3, 0, 0), utc(2024, 1, 5, 0, 0), 6),
    };
    assert_int_equal(oncall_at(&f.s, NULL, two, 2, utc(2024, 1, 3, 12, 0), &sl), 0);
    assert_string_equal(sl.user, carol);
    assert_int_equal(sl.from, utc(2024, 1, 3, 0, 0));
    assert_int_equal(oncall_at(&f.s, NULL, two, 2, utc(2024, 1, 2, 12, 0), &sl), 0);
    assert_string_equal(sl.user, dave);
    assert_int_equal(sl.until, utc(2024, 1, 3, 0, 0));
}

static void test_override_in_restricted_gap(void **state)
{
    struct fixture f;
    follow_the_sun(&f);
    const char *z = "America/New_York";
    struct oncall_override ov[1] = {ovr("ovr_b", "secondary", "business", dave,
                                        local(z, 2024, 1, 3, 16, 0), local(z, 2024, 1, 3, 19, 0),
                                        1)};
    struct oncall_slot sl;
    /* the override puts dave on the business layer even after 17:00 */
    assert_int_equal(oncall_at(&f.s, "business", ov, 1, local(z, 2024, 1, 3, 18, 0), &sl), 0);
    assert_string_equal(sl.user, dave);
    assert_int_equal(sl.from, local(z, 2024, 1, 3, 16, 0));
    assert_int_equal(sl.until, local(z, 2024, 1, 3, 19, 0));
    /* and the business layer, first in file order, answers for the schedule */
    assert_int_equal(oncall_at(&f.s, NULL, ov, 1, local(z, 2024, 1, 3, 18, 0), &sl), 0);
    assert_string_equal(sl.user, dave);
    assert_string_equal(sl.layer, "business");
    assert_int_equal(oncall_at(&f.s, NULL, ov, 1, local(z, 2024, 1, 3, 19, 0), &sl), 0);
    assert_string_equal(sl.user, alice);
    assert_string_equal(sl.layer, "nights");
    assert_int_equal(sl.from, local(z, 2024, 1, 3, 19, 0));
}

/* ---- oncall_shifts and errors --------------------------------------------------------------- */

struct collected {
    struct oncall_slot slots[64];
    int n, stop_after;
};

static int collect(const struct oncall_slot *s, void *arg)
{
    struct collected *c = arg;
    if (c->n < 64)
        c->slots[c->n++] = *s;
    return c->stop_after && c->n >= c->stop_after;
}

static void test_shifts(void **state)
{
    struct fixture f;
    init(&f, "Europe/Berlin");
    char *u[] = {alice, bob, carol};
    add_layer(&f, "primary", 7 * D, "2024-01-01", "mon 09:00", u, 3, NULL, 0);
    const char *z = "Europe/Berlin";
    struct collected c = {0};
    int64_t from = local(z, 2024, 3, 20, 0, 0), to = local(z, 2024, 4, 10, 0, 0);
    assert_int_equal(oncall_shifts(&f.s, "primary", NULL, 0, from, to, collect, &c), 0);
    assert_int_equal(c.n, 4);
    assert_int_equal(c.slots[0].from, local(z, 2024, 3, 18, 9, 0));
    for (int i = 0; i < c.n; i++) {
        if (i > 0)
            assert_int_equal(c.slots[i].from, c.slots[i - 1].until);
        struct tz_tm tm;
        tz_local(tz_get(z), c.slots[i].until, &tm);
        assert_int_equal(tm.hour, 9);
        assert_int_equal(tm.wday, 0);
    }
    assert_true(c.slots[3].until > to);
    assert_string_equal(c.slots[0].user, carol); /* week 11 */
    assert_string_equal(c.slots[1].user, alice);
    /* restricted gaps come as user NULL; the callback can stop the walk */
    follow_the_sun(&f);
    z = "America/New_York";
    struct collected g = {0};
    from = local(z, 2024, 1, 3, 0, 0);
    to = local(z, 2024, 1, 5, 0, 0);
    assert_int_equal(oncall_shifts(&f.s, "business", NULL, 0, from, to, collect, &g), 0);
    assert_int_equal(g.n, 5); /* off, carol, off, bob, off */
    assert_null(g.slots[0].user);
    assert_string_equal(g.slots[1].user, carol);
    assert_null(g.slots[2].user);
    assert_string_equal(g.slots[3].user, bob);
    assert_int_equal(g.slots[3].until, local(z, 2024, 1, 4, 17, 0));
    struct collected h = {.stop_after = 2};
    assert_int_equal(oncall_shifts(&f.s, NULL, NULL, 0, from, to, collect, &h), 0);
    assert_int_equal(h.n, 2);
    assert_string_equal(h.slots[0].user, alice); /* Tuesday night */
    assert_string_equal(h.slots[1].user, carol);
    /* an empty window reports nothing */
    struct collected e = {0};
    assert_int_equal(oncall_shifts(&f.s, NULL, NULL, 0, to, to, collect, &e), 0);
    assert_int_equal(e.n, 0);
}

static void test_unknown_layer(void **state)
{
    struct fixture f;
    init(&f, "UTC");
    char *u[] = {alice};
    add_layer(&f, "primary", 7 * D, "2024-01-01", "mon 09:00", u, 1, NULL, 0);
    struct oncall_slot sl;
    struct collected c = {0};
    assert_int_equal(oncall_at(&f.s, "nope", NULL, 0, 0, &sl), -1);
    assert_int_equal(oncall_shifts(&f.s, "nope", NULL, 0, 0, D, collect, &c), -1);
    assert_int_equal(c.n, 0);
    /* a zone that cannot be loaded falls back to UTC rather than failing */
    f.s.timezone = "Nowhere/Atlantis";
    expect_slot(&f.s, "primary", utc(2024, 1, 1, 9, 0), alice,
                utc(2024, 1, 1, 9, 0) - ONCALL_HORIZON_MS,
                utc(2024, 1, 1, 9, 0) + ONCALL_HORIZON_MS);
}

static void test_parse_time(void **state)
{
    (void)state;
    const int64_t now = 1795392000000LL; /* 2026-11-23T00:00:00Z */
    int64_t t = 0;
    assert_int_equal(oncall_parse_time("now", now, &t), 0);
    assert_int_equal(t, now);
    assert_int_equal(oncall_parse_time("+2h", now, &t), 0);
    assert_int_equal(t, now + 2 * H);
    assert_int_equal(oncall_parse_time("-30m", now, &t), 0);
    assert_int_equal(t, now - 30 * MS_PER_MIN);
    assert_int_equal(oncall_parse_time("2024-01-01T09:00:00Z", now, &t), 0);
    assert_int_equal(t, 1704099600000LL);
    assert_int_equal(oncall_parse_time("9998-12-31T23:59:59Z", now, &t), 0);
    /* outside the years every answer can be written in (four digits, after the epoch) */
    t = 42;
    assert_int_equal(oncall_parse_time("0001-01-01T00:00:00Z", now, &t), -1);
    assert_int_equal(oncall_parse_time("1970-01-01T00:00:00Z", now, &t), -1);
    assert_int_equal(oncall_parse_time("9999-06-01T00:00:00Z", now, &t), -1);
    assert_int_equal(oncall_parse_time("-99w", 1000, &t), -1);
    assert_int_equal(t, 42);
    assert_int_equal(oncall_parse_time("+2h", ONCALL_TIME_MAX - H, &t), -1);
    assert_int_equal(oncall_parse_time("soon", now, &t), -1);
    assert_int_equal(oncall_parse_time(NULL, now, &t), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_weekly_berlin_dst),
        cmocka_unit_test(test_daily_new_york_dst),
        cmocka_unit_test(test_12h_absolute),
        cmocka_unit_test(test_3day_custom),
        cmocka_unit_test(test_single_user_horizon),
        cmocka_unit_test(test_follow_the_sun),
        cmocka_unit_test(test_restriction_wrap_and_gaps),
        cmocka_unit_test(test_overrides),
        cmocka_unit_test(test_override_in_restricted_gap),
        cmocka_unit_test(test_shifts),
        cmocka_unit_test(test_unknown_layer),
        cmocka_unit_test(test_parse_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
