/*
 * test_conformance_work: the store conformance suite, part 2: heartbeats, probe results,
 * on-call overrides, escalation state and hand-offs, the same assertions on SQLite and on
 * PostgreSQL (conformance.h). Part 1: test_conformance.c; part 3: test_conformance_notify.c;
 * part 4: test_conformance_followup.c.
 */
#define CONF_FILE "test_conformance_work"
#include "store/conformance.h"

struct got {
    char id[8][40];
    int64_t num[8];
    int n;
    int stop_after; /* the callback returns 1 after this many (0: never) */
};

static int got_push(struct got *g, const char *id, int64_t num)
{
    if (g->n < 8) {
        snprintf(g->id[g->n], sizeof g->id[0], "%s", id ? id : "(null)");
        g->num[g->n] = num;
    }
    g->n++;
    return g->stop_after && g->n >= g->stop_after;
}

/* ---- heartbeats ---- */

static int got_heartbeat(const char *name, int64_t last_seen, void *ctx)
{
    return got_push(ctx, name, last_seen);
}

static void test_heartbeats(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(heartbeat_touch, tx, "nightly", 100), OK); /* creates the row */
    assert_int_equal(OP(heartbeat_touch, tx, "backup", 50), OK);
    assert_int_equal(OP(heartbeat_touch, tx, "Zeta", 70), OK);
    assert_int_equal(OP(heartbeat_touch, tx, "nightly", 200), OK);
    assert_int_equal(OP(heartbeat_touch, tx, "nightly", 150), OK); /* never moves back */
    conf_commit(f);
    struct store_conn *rd = conf_reader(f);
    struct got g = {0};
    assert_int_equal(OP(heartbeat_list, rd, got_heartbeat, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "Zeta"); /* by name, bytes: "Z" before "b" */
    assert_string_equal(g.id[1], "backup");
    assert_int_equal(g.num[1], 50);
    assert_string_equal(g.id[2], "nightly");
    assert_int_equal(g.num[2], 200);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(heartbeat_list, rd, got_heartbeat, &g), OK);
    assert_int_equal(g.n, 1);

    /* the miss of one check-in is claimed once; a later check-in's miss again */
    tx = conf_begin(f);
    assert_int_equal(OP(heartbeat_claim_missed, tx, "nightly", 200), OK);
    assert_int_equal(OP(heartbeat_claim_missed, tx, "nightly", 200), ERR_NOT_FOUND);
    assert_int_equal(OP(heartbeat_claim_missed, tx, "backup", 50), OK); /* per heartbeat */
    assert_int_equal(OP(heartbeat_claim_missed, tx, "unknown", 200), ERR_NOT_FOUND);
    conf_commit(f);
    tx = conf_begin(f); /* committed: still claimed in the next transaction */
    assert_int_equal(OP(heartbeat_claim_missed, tx, "nightly", 200), ERR_NOT_FOUND);
    assert_int_equal(OP(heartbeat_touch, tx, "nightly", 300), OK);
    assert_int_equal(OP(heartbeat_claim_missed, tx, "nightly", 300), OK);
    conf_commit(f);
    /* the miss of a check-in that is no longer the last (a newer one came) is not claimed */
    tx = conf_begin(f);
    assert_int_equal(OP(heartbeat_touch, tx, "backup", 60), OK);
    assert_int_equal(OP(heartbeat_claim_missed, tx, "backup", 55), ERR_NOT_FOUND);
    conf_commit(f);
    /* a rolled-back claim is not a claim */
    tx = conf_begin(f);
    assert_int_equal(OP(heartbeat_claim_missed, tx, "backup", 60), OK);
    conf_rollback(f);
    tx = conf_begin(f);
    assert_int_equal(OP(heartbeat_claim_missed, tx, "backup", 60), OK);
    conf_commit(f);
}

/* ---- probe results ---- */

static void put_probe(struct store_conn *tx, const char *service, int64_t at, bool ok)
{
    struct store_probe_result r = {.at = at,
                                   .ok = ok,
                                   .status = ok ? 200 : 0,
                                   .latency_ms = ok ? 12.5 : 0,
                                   .error = ok ? NULL : "connect: refused"};
    assert_int_equal(OP(probe_result_insert, tx, service, &r), OK);
}

static void test_probes(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct store_probe_result last = {0};
    bool ok = true;
    int length = -1;
    int64_t up = -1, total = -1;
    /* nothing stored: not found, an empty streak, 0 of 0 */
    assert_int_equal(OP(probe_last, rd, "web", &last), ERR_NOT_FOUND);
    assert_int_equal(OP(probe_streak, rd, "web", 5, &ok, &length), OK);
    assert_false(ok);
    assert_int_equal(length, 0);
    assert_int_equal(OP(probe_uptime, rd, "web", 0, &up, &total), OK);
    assert_int_equal(up, 0);
    assert_int_equal(total, 0);

    struct store_conn *tx = conf_begin(f);
    put_probe(tx, "web", 10, true);
    put_probe(tx, "web", 20, false);
    put_probe(tx, "web", 30, true);
    put_probe(tx, "web", 40, true);
    put_probe(tx, "web", 40, true); /* same time: the later row is the newer */
    put_probe(tx, "db", 50, false);
    conf_commit(f);

    assert_int_equal(OP(probe_uptime, rd, "web", 0, &up, &total), OK);
    assert_int_equal(up, 4);
    assert_int_equal(total, 5);
    assert_int_equal(OP(probe_uptime, rd, "web", 20, &up, &total), OK); /* at >= since */
    assert_int_equal(up, 3);
    assert_int_equal(total, 4);
    assert_int_equal(OP(probe_uptime, rd, "web", 41, &up, &total), OK);
    assert_int_equal(total, 0);

    assert_int_equal(OP(probe_last, rd, "web", &last), OK);
    assert_int_equal(last.at, 40);
    assert_true(last.ok);
    assert_int_equal(last.status, 200);
    assert_true(last.latency_ms > 12.4 && last.latency_ms < 12.6);
    assert_null(last.error);
    free(last.error);
    assert_int_equal(OP(probe_last, rd, "db", &last), OK);
    assert_false(last.ok);
    assert_int_equal(last.status, 0); /* none: stored NULL, read 0 */
    assert_string_equal(last.error, "connect: refused");
    free(last.error);

    /* the newest results in a row that agree, at most limit */
    assert_int_equal(OP(probe_streak, rd, "web", 10, &ok, &length), OK);
    assert_true(ok);
    assert_int_equal(length, 3);
    assert_int_equal(OP(probe_streak, rd, "web", 2, &ok, &length), OK);
    assert_true(ok);
    assert_int_equal(length, 2);
    assert_int_equal(OP(probe_streak, rd, "web", 0, &ok, &length), OK);
    assert_int_equal(length, 0);
    assert_int_equal(OP(probe_streak, rd, "db", 10, &ok, &length), OK);
    assert_false(ok);
    assert_int_equal(length, 1);
    /* read inside the write transaction too (the engine's job reads the streak it extends) */
    tx = conf_begin(f);
    put_probe(tx, "web", 60, false);
    assert_int_equal(OP(probe_streak, tx, "web", 10, &ok, &length), OK);
    assert_false(ok);
    assert_int_equal(length, 1);
    conf_commit(f);
}

/* ---- on-call overrides ---- */

static int got_override(const struct oncall_override *o, void *ctx)
{
    return got_push(ctx, o->id, o->from);
}

static struct oncall_override ovr(const char *id, const char *schedule, const char *layer,
                                  int64_t from, int64_t to)
{
    return (struct oncall_override){.id = (char *)id,
                                    .schedule = (char *)schedule,
                                    .layer = (char *)layer,
                                    .user = "bob",
                                    .from = from,
                                    .to = to,
                                    .created_at = 1,
                                    .created_by = "alice"};
}

static void test_overrides(void **state)
{
    struct conf *f = *state;
    struct oncall_override o1 = ovr("ovr_1", "primary", NULL, 100, 200);
    o1.reason = "swap";
    struct oncall_override o2 = ovr("ovr_2", "primary", "nights", 150, 250);
    struct oncall_override o3 = ovr("ovr_3", "primary", NULL, 50, 100);
    struct oncall_override o4 = ovr("ovr_4", "Zulu", NULL, 120, 130);
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(override_insert, tx, &o1), OK);
    assert_int_equal(OP(override_insert, tx, &o2), OK);
    assert_int_equal(OP(override_insert, tx, &o3), OK);
    assert_int_equal(OP(override_insert, tx, &o4), OK);
    conf_commit(f);
    struct store_conn *rd = conf_reader(f);

    struct oncall_override got;
    assert_int_equal(OP(override_get, rd, "ovr_1", &got), OK);
    assert_string_equal(got.schedule, "primary");
    assert_null(got.layer);
    assert_string_equal(got.user, "bob");
    assert_int_equal(got.from, 100);
    assert_int_equal(got.to, 200);
    assert_string_equal(got.reason, "swap");
    assert_int_equal(got.created_at, 1);
    assert_string_equal(got.created_by, "alice");
    assert_int_equal(got.removed_at, 0);
    oncall_override_free_fields(&got);
    assert_int_equal(OP(override_get, rd, "ovr_2", &got), OK);
    assert_string_equal(got.layer, "nights");
    assert_null(got.reason);
    oncall_override_free_fields(&got);
    assert_int_equal(OP(override_get, rd, "ovr_none", &got), ERR_NOT_FOUND);

    /* list: those overlapping [from, to) (half-open: touching is not overlapping), by start */
    struct got g = {0};
    assert_int_equal(OP(override_list, rd, "primary", 100, 160, got_override, &g), OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.id[0], "ovr_1");
    assert_string_equal(g.id[1], "ovr_2");
    g = (struct got){0};
    assert_int_equal(OP(override_list, rd, "primary", 0, 1000, got_override, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "ovr_3");
    g = (struct got){0}; /* every schedule: by schedule (bytes: "Zulu" first), then start */
    assert_int_equal(OP(override_list, rd, NULL, 0, 1000, got_override, &g), OK);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.id[0], "ovr_4");
    assert_string_equal(g.id[1], "ovr_3");
    g = (struct got){0};
    assert_int_equal(OP(override_list, rd, "primary", 250, 300, got_override, &g), OK);
    assert_int_equal(g.n, 0);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(override_list, rd, NULL, 0, 1000, got_override, &g), OK);
    assert_int_equal(g.n, 1);

    /* find_overlap: same schedule and layer (NULL: the schedule's own layer) */
    assert_int_equal(OP(override_find_overlap, rd, "primary", NULL, 90, 300, &got), OK);
    assert_string_equal(got.id, "ovr_3"); /* the earliest */
    oncall_override_free_fields(&got);
    assert_int_equal(OP(override_find_overlap, rd, "primary", "nights", 0, 160, &got), OK);
    assert_string_equal(got.id, "ovr_2");
    oncall_override_free_fields(&got);
    assert_int_equal(OP(override_find_overlap, rd, "primary", "nights", 0, 150, &got),
                     ERR_NOT_FOUND);
    assert_int_equal(OP(override_find_overlap, rd, "primary", "days", 0, 1000, &got),
                     ERR_NOT_FOUND);
    assert_int_equal(OP(override_find_overlap, rd, "Zulu", NULL, 200, 300, &got), ERR_NOT_FOUND);

    /* remove: once; removed ones are left out of list and overlap, get still finds them */
    tx = conf_begin(f);
    assert_int_equal(OP(override_remove, tx, "ovr_3", 500), OK);
    assert_int_equal(OP(override_remove, tx, "ovr_3", 600), ERR_NOT_FOUND);
    assert_int_equal(OP(override_remove, tx, "ovr_none", 600), ERR_NOT_FOUND);
    conf_commit(f);
    assert_int_equal(OP(override_get, rd, "ovr_3", &got), OK);
    assert_int_equal(got.removed_at, 500);
    oncall_override_free_fields(&got);
    assert_int_equal(OP(override_find_overlap, rd, "primary", NULL, 0, 100, &got), ERR_NOT_FOUND);
    g = (struct got){0};
    assert_int_equal(OP(override_list, rd, "primary", 0, 1000, got_override, &g), OK);
    assert_int_equal(g.n, 2);

    tx = conf_begin(f); /* an id again */
    assert_int_equal(OP(override_insert, tx, &o1), ERR_CONFLICT);
    conf_rollback(f);
    tx = conf_begin(f); /* an empty span: the schema's CHECK */
    struct oncall_override empty = ovr("ovr_5", "primary", NULL, 300, 300);
    assert_int_equal(OP(override_insert, tx, &empty), ERR_CONFLICT);
    conf_rollback(f);
}

/* ---- escalation state and hand-offs ---- */

static int got_id(const char *id, void *ctx)
{
    return got_push(ctx, id, 0);
}

static void test_escalations(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    int64_t at = 0;
    struct escalation_state st;
    assert_int_equal(OP(escalation_next_due, rd, &at), OK);
    assert_int_equal(at, -1); /* nothing pending */
    assert_int_equal(OP(escalation_get, rd, "INC-1", &st), ERR_NOT_FOUND);

    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(escalation_arm, tx, "INC-1", 10, 100), OK); /* created: round 0 */
    assert_int_equal(OP(escalation_arm, tx, "INC-2", 20, 300), OK);
    assert_int_equal(OP(escalation_arm, tx, "INC-3", 30, 200), OK);
    assert_int_equal(OP(escalation_arm, tx, "INC-2", 99, 250), OK); /* earlier: moves it */
    assert_int_equal(OP(escalation_arm, tx, "INC-3", 99, 400), OK); /* later: keeps 200 */
    struct escalation_state none = {0};
    assert_int_equal(OP(escalation_put, tx, "INC-none", &none, 1), ERR_NOT_FOUND);
    conf_commit(f);

    assert_int_equal(OP(escalation_get, rd, "INC-2", &st), OK);
    assert_false(st.started);
    assert_string_equal(st.policy, "");
    assert_int_equal(st.round, 0);
    assert_int_equal(st.next_step, 0);
    assert_int_equal(st.round_start, 20); /* round_start only when the state is created */
    assert_int_equal(st.due_at, 250);
    assert_int_equal(OP(escalation_get, rd, "INC-3", &st), OK);
    assert_int_equal(st.due_at, 200);
    assert_int_equal(OP(escalation_next_due, rd, &at), OK);
    assert_int_equal(at, 100);

    /* due: due_at <= now, earliest first, at most limit (negative: no limit) */
    struct got g = {0};
    assert_int_equal(OP(escalation_due, rd, 250, 10, got_id, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "INC-1");
    assert_string_equal(g.id[1], "INC-3");
    assert_string_equal(g.id[2], "INC-2");
    g = (struct got){0};
    assert_int_equal(OP(escalation_due, rd, 250, 1, got_id, &g), OK);
    assert_int_equal(g.n, 1);
    g = (struct got){0};
    assert_int_equal(OP(escalation_due, rd, 250, -1, got_id, &g), OK);
    assert_int_equal(g.n, 3);
    g = (struct got){0};
    assert_int_equal(OP(escalation_due, rd, 250, 0, got_id, &g), OK);
    assert_int_equal(g.n, 0);
    g = (struct got){0};
    assert_int_equal(OP(escalation_due, rd, 99, 10, got_id, &g), OK);
    assert_int_equal(g.n, 0);
    g = (struct got){.stop_after = 2};
    assert_int_equal(OP(escalation_due, rd, 250, 10, got_id, &g), OK);
    assert_int_equal(g.n, 2);

    /* put writes every field; due_at 0: nothing pending (not due, not next) */
    struct escalation_state put = {.started = true,
                                   .round = 2,
                                   .next_step = 3,
                                   .round_start = 77,
                                   .ack_breach_done = true,
                                   .resolve_breach_done = true,
                                   .reminded_for = 88,
                                   .manual_count = 4,
                                   .due_at = 0};
    snprintf(put.policy, sizeof put.policy, "default");
    tx = conf_begin(f);
    assert_int_equal(OP(escalation_put, tx, "INC-1", &put, 260), OK);
    conf_commit(f);
    assert_int_equal(OP(escalation_get, rd, "INC-1", &st), OK);
    assert_true(st.started);
    assert_string_equal(st.policy, "default");
    assert_int_equal(st.round, 2);
    assert_int_equal(st.next_step, 3);
    assert_int_equal(st.round_start, 77);
    assert_true(st.ack_breach_done);
    assert_true(st.resolve_breach_done);
    assert_int_equal(st.reminded_for, 88);
    assert_int_equal(st.manual_count, 4);
    assert_int_equal(st.due_at, 0);
    assert_int_equal(OP(escalation_next_due, rd, &at), OK);
    assert_int_equal(at, 200);
    g = (struct got){0};
    assert_int_equal(OP(escalation_due, rd, 1000, -1, got_id, &g), OK);
    assert_int_equal(g.n, 2);
    /* arming a state with nothing pending makes it due at now, and keeps the rest */
    tx = conf_begin(f);
    assert_int_equal(OP(escalation_arm, tx, "INC-1", 5, 500), OK);
    conf_commit(f);
    assert_int_equal(OP(escalation_get, rd, "INC-1", &st), OK);
    assert_int_equal(st.due_at, 500);
    assert_int_equal(st.round, 2);
    assert_int_equal(st.round_start, 77);
}

static void test_handoffs(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(handoff_claim, tx, "primary", "main", 1000, "bob", 1), OK);
    /* once per (schedule, layer, start); the job goes on after the refusal (no aborted
     * transaction on PostgreSQL: the insert does nothing on conflict) */
    assert_int_equal(OP(handoff_claim, tx, "primary", "main", 1000, "carol", 2), ERR_CONFLICT);
    assert_int_equal(OP(handoff_claim, tx, "primary", "main", 2000, "bob", 2), OK);
    assert_int_equal(OP(handoff_claim, tx, "primary", "nights", 1000, "bob", 2), OK);
    assert_int_equal(OP(handoff_claim, tx, "backup", "main", 1000, "bob", 2), OK);
    conf_commit(f);
    tx = conf_begin(f); /* committed: refused in a later transaction too */
    assert_int_equal(OP(handoff_claim, tx, "primary", "main", 2000, "bob", 3), ERR_CONFLICT);
    assert_int_equal(OP(heartbeat_touch, tx, "after-refusal", 1), OK);
    conf_commit(f);
    tx = conf_begin(f); /* a rolled-back claim is not a claim */
    assert_int_equal(OP(handoff_claim, tx, "primary", "main", 3000, "bob", 3), OK);
    conf_rollback(f);
    tx = conf_begin(f);
    assert_int_equal(OP(handoff_claim, tx, "primary", "main", 3000, "bob", 4), OK);
    conf_commit(f);
}

/* ---- maintenance windows ---- */

static int got_maintenance(const struct maintenance *m, void *ctx)
{
    return got_push(ctx, m->id, m->scheduled_for);
}

static void test_maintenances(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct maintenance out = {0};
    assert_int_equal(OP(maintenance_get, rd, "mnt_a", &out), ERR_NOT_FOUND);
    struct maintenance m = {.id = "mnt_a",
                            .name = "DB upgrade \xc3\xa9",
                            .status = MAINT_SCHEDULED,
                            .components = "[\"Database\"]",
                            .updates = "[]",
                            .scheduled_for = 1000,
                            .scheduled_until = 5000,
                            .created_by = "token:admin",
                            .created_at = 10,
                            .updated_at = 10};
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(maintenance_insert, tx, &m), OK);
    assert_int_equal(OP(maintenance_insert, tx, &m), ERR_CONFLICT);
    conf_rollback(f);
    tx = conf_begin(f);
    assert_int_equal(OP(maintenance_insert, tx, &m), OK);
    struct maintenance b = m;
    memcpy(b.id, "mnt_b", 6);
    b.scheduled_for = 3000;
    assert_int_equal(OP(maintenance_insert, tx, &b), OK);
    memcpy(b.id, "mnt_c", 6);
    b.scheduled_for = 3000; /* a tie: id order */
    assert_int_equal(OP(maintenance_insert, tx, &b), OK);
    conf_commit(f);
    assert_int_equal(OP(maintenance_get, rd, "mnt_a", &out), OK);
    assert_string_equal(out.name, "DB upgrade \xc3\xa9");
    assert_string_equal(out.components, "[\"Database\"]");
    assert_int_equal(out.status, MAINT_SCHEDULED);
    assert_int_equal(out.scheduled_until, 5000);
    assert_int_equal(out.started_at, 0);
    assert_string_equal(out.created_by, "token:admin");
    maintenance_free_fields(&out);
    struct got g = {0};
    assert_int_equal(OP(maintenance_list, rd, 10, got_maintenance, &g), OK);
    assert_int_equal(g.n, 3); /* latest scheduled_for first, ties by id */
    assert_string_equal(g.id[0], "mnt_b");
    assert_string_equal(g.id[1], "mnt_c");
    assert_string_equal(g.id[2], "mnt_a");
    struct got lim = {0}, stop = {.stop_after = 1};
    assert_int_equal(OP(maintenance_list, rd, 2, got_maintenance, &lim), OK);
    assert_int_equal(lim.n, 2);
    assert_int_equal(OP(maintenance_list, rd, 10, got_maintenance, &stop), OK);
    assert_int_equal(stop.n, 1);
    /* update writes the fields people change; created_* stay */
    m.status = MAINT_COMPLETED;
    m.name = "Renamed";
    m.updates = "[{\"status\":\"completed\"}]";
    m.started_at = 1100;
    m.completed_at = 2000;
    m.updated_at = 2000;
    m.created_by = "someone else";
    m.created_at = 99;
    tx = conf_begin(f);
    assert_int_equal(OP(maintenance_update, tx, &m), OK);
    struct maintenance ghost = m;
    memcpy(ghost.id, "mnt_x", 6);
    assert_int_equal(OP(maintenance_update, tx, &ghost), ERR_NOT_FOUND);
    conf_commit(f);
    assert_int_equal(OP(maintenance_get, rd, "mnt_a", &out), OK);
    assert_int_equal(out.status, MAINT_COMPLETED);
    assert_string_equal(out.name, "Renamed");
    assert_string_equal(out.updates, "[{\"status\":\"completed\"}]");
    assert_int_equal(out.started_at, 1100);
    assert_int_equal(out.completed_at, 2000);
    assert_int_equal(out.updated_at, 2000);
    assert_string_equal(out.created_by, "token:admin");
    assert_int_equal(out.created_at, 10);
    maintenance_free_fields(&out);
}

/* ---- status page subscribers ---- */

static int got_subscriber(const struct subscriber *s, void *ctx)
{
    return got_push(ctx, s->id, s->created_at);
}

static void test_subscribers(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct subscriber out = {0};
    assert_int_equal(OP(subscriber_get, rd, "sub_a", &out), ERR_NOT_FOUND);
    assert_int_equal(OP(subscriber_get_by_address, rd, "email", "a@example.com", &out),
                     ERR_NOT_FOUND);
    struct subscriber a = {.id = "sub_a",
                           .kind = "email",
                           .address = "a@example.com",
                           .components = "[]",
                           .state = SUB_PENDING,
                           .created_at = 20};
    struct subscriber b = a;
    memcpy(b.id, "sub_b", 6);
    b.address = "b@example.com";
    b.components = "[\"API\"]";
    b.created_at = 10;
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(subscriber_insert, tx, &a), OK);
    assert_int_equal(OP(subscriber_insert, tx, &b), OK);
    conf_commit(f);
    struct subscriber dup = a; /* another id, the same address */
    memcpy(dup.id, "sub_c", 6);
    tx = conf_begin(f);
    assert_int_equal(OP(subscriber_insert, tx, &dup), ERR_CONFLICT);
    conf_rollback(f);
    assert_int_equal(OP(subscriber_get_by_address, rd, "email", "b@example.com", &out), OK);
    assert_string_equal(out.id, "sub_b");
    assert_string_equal(out.components, "[\"API\"]");
    assert_int_equal(out.state, SUB_PENDING);
    assert_int_equal(out.confirmed_at, 0);
    subscriber_free_fields(&out);
    a.state = SUB_CONFIRMED;
    a.confirmed_at = 30;
    a.components = "[\"Database\"]";
    tx = conf_begin(f);
    assert_int_equal(OP(subscriber_update, tx, &a), OK);
    assert_int_equal(OP(subscriber_update, tx, &dup), ERR_NOT_FOUND);
    conf_commit(f);
    assert_int_equal(OP(subscriber_get, rd, "sub_a", &out), OK);
    assert_int_equal(out.state, SUB_CONFIRMED);
    assert_int_equal(out.confirmed_at, 30);
    assert_string_equal(out.components, "[\"Database\"]");
    assert_string_equal(out.address, "a@example.com");
    assert_int_equal(out.failures, 0); /* migration 018: a webhook's failures */
    assert_null(out.last_error);
    assert_int_equal(out.disabled_at, 0);
    subscriber_free_fields(&out);
    a.state = SUB_DISABLED;
    a.failures = 3;
    a.last_error = "HTTP 500";
    a.disabled_at = 40;
    tx = conf_begin(f);
    assert_int_equal(OP(subscriber_update, tx, &a), OK);
    conf_commit(f);
    assert_int_equal(OP(subscriber_get, rd, "sub_a", &out), OK);
    assert_int_equal(out.state, SUB_DISABLED);
    assert_int_equal(out.failures, 3);
    assert_string_equal(out.last_error, "HTTP 500");
    assert_int_equal(out.disabled_at, 40);
    subscriber_free_fields(&out);
    a.state = SUB_CONFIRMED;
    a.failures = 0;
    a.last_error = NULL;
    a.disabled_at = 0;
    tx = conf_begin(f);
    assert_int_equal(OP(subscriber_update, tx, &a), OK);
    conf_commit(f);
    struct got all = {0}, confirmed = {0}, none = {0}, stop = {.stop_after = 1};
    assert_int_equal(OP(subscriber_list, rd, NULL, got_subscriber, &all), OK);
    assert_int_equal(all.n, 2); /* oldest first */
    assert_string_equal(all.id[0], "sub_b");
    assert_string_equal(all.id[1], "sub_a");
    assert_int_equal(OP(subscriber_list, rd, "confirmed", got_subscriber, &confirmed), OK);
    assert_int_equal(confirmed.n, 1);
    assert_string_equal(confirmed.id[0], "sub_a");
    assert_int_equal(OP(subscriber_list, rd, "unsubscribed", got_subscriber, &none), OK);
    assert_int_equal(none.n, 0);
    assert_int_equal(OP(subscriber_list, rd, NULL, got_subscriber, &stop), OK);
    assert_int_equal(stop.n, 1);
}

#define TESTS(X)                                                                                   \
    X(test_heartbeats)                                                                             \
    X(test_probes)                                                                                 \
    X(test_overrides)                                                                              \
    X(test_escalations)                                                                            \
    X(test_handoffs)                                                                               \
    X(test_maintenances)                                                                           \
    X(test_subscribers)

CONF_MAIN(TESTS);
