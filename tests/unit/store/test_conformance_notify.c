/*
 * test_conformance_notify: the store conformance suite, part 3: the notification outbox, its
 * attempts and claims, the nodes and the shared cluster counters, and lookups by keys that are not
 * UTF-8 (every resource of parts 1 to 3; part 4, test_conformance_followup.c, tests its own), the
 * same assertions on SQLite and on PostgreSQL (conformance.h). Parts 1 and 2: test_conformance.c,
 * test_conformance_work.c.
 */
#define CONF_FILE "test_conformance_notify"
#include "store/conformance.h"

struct got {
    int64_t id[8];
    char status[8][16];
    int n;
    int stop_after; /* the callback returns 1 after this many (0: never) */
};

static int got_notification(const struct store_notification *n, void *ctx)
{
    struct got *g = ctx;
    if (g->n < 8) {
        g->id[g->n] = n->id;
        snprintf(g->status[g->n], sizeof g->status[0], "%s", n->status);
    }
    g->n++;
    return g->stop_after && g->n >= g->stop_after;
}

static struct store_notification note(const char *incident, const char *user, const char *method,
                                      int64_t next_attempt_at)
{
    return (struct store_notification){.incident_id = (char *)incident,
                                       .kind = "page",
                                       .dkey = "step:0",
                                       .user_id = (char *)user,
                                       .method = (char *)method,
                                       .address = "+15550100",
                                       .subject = "INC-1 sev1",
                                       .body = "Checkout down",
                                       .due_at = next_attempt_at,
                                       .next_attempt_at = next_attempt_at,
                                       .created_at = 90};
}

static int64_t put_note(struct store_conn *tx, struct store_notification n)
{
    int64_t id = 0;
    assert_int_equal(OP(notification_insert, tx, &n, &id), OK);
    assert_true(id > 0);
    return id;
}

/* ---- the outbox ---- */

static void test_notification_rows(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    int64_t at = -1;
    assert_int_equal(OP(notification_next_due, rd, &at), ERR_NOT_FOUND); /* none pending */

    struct store_notification n1 = note("INC-1", "alice", "sms", 100);
    n1.reason = "escalation";
    struct store_notification n3 = note(NULL, "bob", "email", 300); /* about no incident */
    struct store_conn *tx = conf_begin(f);
    int64_t id1 = put_note(tx, n1);
    int64_t id2 = put_note(tx, note("INC-1", "alice", "email", 200));
    n3.fallback_of = id1;
    int64_t id3 = put_note(tx, n3);
    int64_t id4 = put_note(tx, note("INC-2", "alice", "sms", 50));
    assert_true(id2 > id1 && id3 > id2 && id4 > id3);
    /* the same (incident, dkey, user, method) again: ERR_CONFLICT, and the transaction goes on
     * (the notifier queues what is not queued yet; on PostgreSQL too: ON CONFLICT DO NOTHING) */
    int64_t dup = 0;
    assert_int_equal(OP(notification_insert, tx, &n1, &dup), ERR_CONFLICT);
    assert_int_equal(OP(notification_insert, tx, &n3, &dup), ERR_CONFLICT); /* "" is a key too */
    int64_t id5 = put_note(tx, note("INC-1", "carol", "sms", 400));
    conf_commit(f);

    struct store_notification got;
    assert_int_equal(OP(notification_get, rd, id1, &got), OK);
    assert_int_equal(got.id, id1);
    assert_string_equal(got.incident_id, "INC-1");
    assert_string_equal(got.kind, "page");
    assert_string_equal(got.dkey, "step:0");
    assert_string_equal(got.user_id, "alice");
    assert_string_equal(got.method, "sms");
    assert_string_equal(got.address, "+15550100");
    assert_string_equal(got.subject, "INC-1 sev1");
    assert_string_equal(got.body, "Checkout down");
    assert_string_equal(got.status, "pending"); /* a new row: pending, no attempt, alone */
    assert_int_equal(got.attempts, 0);
    assert_int_equal(got.bundle_count, 1);
    assert_int_equal(got.due_at, 100);
    assert_int_equal(got.next_attempt_at, 100);
    assert_int_equal(got.created_at, 90);
    assert_int_equal(got.sent_at, 0);
    assert_int_equal(got.bundled_into, 0);
    assert_int_equal(got.fallback_of, 0);
    assert_null(got.last_error);
    assert_string_equal(got.reason, "escalation");
    store_notification_free_fields(&got);
    assert_int_equal(OP(notification_get, rd, id3, &got), OK);
    assert_string_equal(got.incident_id, ""); /* NULL is stored as "" */
    assert_int_equal(got.fallback_of, id1);
    assert_null(got.reason);
    store_notification_free_fields(&got);
    assert_int_equal(OP(notification_get, rd, id5 + 100, &got), ERR_NOT_FOUND);

    /* list: one incident's rows ("" / NULL: about none), by id */
    struct got g = {0};
    assert_int_equal(OP(notification_list, rd, "INC-1", got_notification, &g), OK);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.id[0], id1);
    assert_int_equal(g.id[1], id2);
    assert_int_equal(g.id[2], id5);
    g = (struct got){0};
    assert_int_equal(OP(notification_list, rd, NULL, got_notification, &g), OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.id[0], id3);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(notification_list, rd, "INC-1", got_notification, &g), OK);
    assert_int_equal(g.n, 1);

    /* due: pending, next_attempt_at <= now, oldest first, at most limit (0: no limit) */
    assert_int_equal(OP(notification_next_due, rd, &at), OK);
    assert_int_equal(at, 50);
    g = (struct got){0};
    assert_int_equal(OP(notification_due, rd, 200, 0, 0, got_notification, &g), OK);
    assert_int_equal(g.n, 3);
    assert_int_equal(g.id[0], id4);
    assert_int_equal(g.id[1], id1);
    assert_int_equal(g.id[2], id2);
    g = (struct got){0};
    assert_int_equal(OP(notification_due, rd, 200, 0, 2, got_notification, &g), OK);
    assert_int_equal(g.n, 2);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(notification_due, rd, 1000, 0, 0, got_notification, &g), OK);
    assert_int_equal(g.n, 1);

    /* update: id2 went with id1's message, id1 was sent, id4 failed; unknown: ERR_NOT_FOUND */
    tx = conf_begin(f);
    assert_int_equal(OP(notification_get, tx, id1, &got), OK);
    free(got.status);
    got.status = strdup("sent");
    got.attempts = 1;
    got.sent_at = 150;
    got.bundle_count = 2;
    assert_int_equal(OP(notification_update, tx, &got), OK);
    store_notification_free_fields(&got);
    assert_int_equal(OP(notification_get, tx, id2, &got), OK);
    free(got.status);
    got.status = strdup("bundled");
    got.bundled_into = id1;
    got.bundle_count = 0; /* stored as 1 */
    assert_int_equal(OP(notification_update, tx, &got), OK);
    store_notification_free_fields(&got);
    assert_int_equal(OP(notification_get, tx, id4, &got), OK);
    free(got.status);
    got.status = strdup("failed");
    got.attempts = 3;
    got.next_attempt_at = 70;
    got.last_error = strdup("no route");
    assert_int_equal(OP(notification_update, tx, &got), OK);
    got.id = id5 + 100;
    assert_int_equal(OP(notification_update, tx, &got), ERR_NOT_FOUND);
    store_notification_free_fields(&got);
    conf_commit(f);

    assert_int_equal(OP(notification_get, rd, id1, &got), OK);
    assert_string_equal(got.status, "sent");
    assert_int_equal(got.sent_at, 150);
    assert_int_equal(got.bundle_count, 2);
    store_notification_free_fields(&got);
    assert_int_equal(OP(notification_get, rd, id2, &got), OK);
    assert_int_equal(got.bundle_count, 1);
    assert_int_equal(got.bundled_into, id1);
    store_notification_free_fields(&got);
    assert_int_equal(OP(notification_get, rd, id4, &got), OK);
    assert_int_equal(got.attempts, 3);
    assert_int_equal(got.next_attempt_at, 70);
    assert_string_equal(got.last_error, "no route");
    store_notification_free_fields(&got);
    g = (struct got){0};
    assert_int_equal(OP(notification_members, rd, id1, got_notification, &g), OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.id[0], id2);
    assert_string_equal(g.status[0], "bundled");
    g = (struct got){0};
    assert_int_equal(OP(notification_members, rd, id2, got_notification, &g), OK);
    assert_int_equal(g.n, 0);
    /* only pending rows are due */
    assert_int_equal(OP(notification_next_due, rd, &at), OK);
    assert_int_equal(at, 300);
    g = (struct got){0};
    assert_int_equal(OP(notification_due, rd, 1000, 0, 0, got_notification, &g), OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(OP(notification_last_sent, rd, "alice", "sms", &at), OK);
    assert_int_equal(at, 150);
    assert_int_equal(OP(notification_last_sent, rd, "alice", "email", &at), OK);
    assert_int_equal(at, 0); /* none sent */
    assert_int_equal(OP(notification_last_sent, rd, "nobody", "sms", &at), OK);
    assert_int_equal(at, 0);
}

struct attempts {
    struct store_notification_attempt a[4];
    int n;
};

static int got_attempt(const struct store_notification_attempt *a, void *ctx)
{
    struct attempts *as = ctx;
    if (as->n < 4) {
        as->a[as->n] = *a;
        as->a[as->n].error = a->error ? "set" : NULL; /* borrowed: only whether there was one */
    }
    as->n++;
    return 0;
}

static void test_notification_attempts(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    int64_t id = put_note(tx, note("INC-1", "alice", "sms", 100));
    int64_t other = put_note(tx, note("INC-1", "bob", "sms", 100));
    struct store_notification_attempt failed = {
        .notification_id = id, .at = 110, .code = 0, .error = "timeout", .duration_ms = 5000};
    struct store_notification_attempt sent = {
        .notification_id = id, .at = 120, .ok = true, .code = 202, .duration_ms = 40};
    assert_int_equal(OP(notification_attempt_insert, tx, &failed), OK);
    assert_int_equal(OP(notification_attempt_insert, tx, &sent), OK);
    conf_commit(f);

    struct attempts as = {0};
    assert_int_equal(OP(notification_attempts, conf_reader(f), id, got_attempt, &as), OK);
    assert_int_equal(as.n, 2); /* in the order they were made */
    assert_int_equal(as.a[0].notification_id, id);
    assert_int_equal(as.a[0].at, 110);
    assert_false(as.a[0].ok);
    assert_int_equal(as.a[0].code, 0); /* none: stored NULL, read 0 */
    assert_non_null(as.a[0].error);
    assert_int_equal(as.a[0].duration_ms, 5000);
    assert_int_equal(as.a[1].at, 120);
    assert_true(as.a[1].ok);
    assert_int_equal(as.a[1].code, 202);
    assert_null(as.a[1].error);
    as = (struct attempts){0};
    assert_int_equal(OP(notification_attempts, conf_reader(f), other, got_attempt, &as), OK);
    assert_int_equal(as.n, 0);

    /* an attempt belongs to a row that exists (a foreign key on both backends) */
    tx = conf_begin(f);
    struct store_notification_attempt orphan = {.notification_id = other + 100, .at = 1};
    assert_int_equal(OP(notification_attempt_insert, tx, &orphan), ERR_CONFLICT);
    conf_rollback(f);
}

/* ---- retention: delivered rows sent (else created) before the cut go, with their attempts ---- */

static void mark(struct store_conn *tx, int64_t id, const char *status, int64_t sent_at,
                 int64_t into)
{
    struct store_notification n;
    assert_int_equal(OP(notification_get, tx, id, &n), OK);
    free(n.status);
    n.status = strdup(status);
    n.sent_at = sent_at;
    n.bundled_into = into;
    assert_int_equal(OP(notification_update, tx, &n), OK);
    store_notification_free_fields(&n);
}

static void test_notification_prune(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    int64_t s1 = put_note(tx, note("INC-PR", "alice", "sms", 100));
    int64_t s2 = put_note(tx, note("INC-PR", "bob", "sms", 100));
    int64_t b3 = put_note(tx, note("INC-PR", "carol", "sms", 100));
    int64_t p4 = put_note(tx, note("INC-PR", "dave", "sms", 100));
    int64_t f5 = put_note(tx, note("INC-PR", "erin", "sms", 100));
    mark(tx, s1, "sent", 100, 0);
    mark(tx, s2, "sent", 300, 0);
    mark(tx, b3, "bundled", 0, s1); /* created at 90, carried by s1 */
    mark(tx, f5, "failed", 0, 0);
    struct store_notification_attempt ok = {.notification_id = s1, .at = 100, .ok = true};
    assert_int_equal(OP(notification_attempt_insert, tx, &ok), OK);
    conf_commit(f);

    int64_t n = -1;
    tx = conf_begin(f);
    assert_int_equal(OP(notification_prune, tx, 200, 1, &n), OK);
    assert_int_equal(n, 1); /* at most limit */
    conf_rollback(f);
    tx = conf_begin(f);
    assert_int_equal(OP(notification_prune, tx, 200, 1000, &n), OK);
    assert_true(n >= 2); /* s1 and b3 (and any earlier test's row delivered before 200) */
    assert_int_equal(OP(notification_prune, tx, 200, 1000, &n), OK);
    assert_int_equal(n, 0);
    conf_commit(f);
    struct got g = {0};
    assert_int_equal(OP(notification_list, conf_reader(f), "INC-PR", got_notification, &g), OK);
    assert_int_equal(g.n, 3); /* s2 (sent after the cut), p4 (pending), f5 (failed) */
    assert_int_equal(g.id[0], s2);
    assert_int_equal(g.id[1], p4);
    assert_int_equal(g.id[2], f5);
    struct attempts as = {0};
    assert_int_equal(OP(notification_attempts, conf_reader(f), s1, got_attempt, &as), OK);
    assert_int_equal(as.n, 0);
}

/* ---- claims: one node sends a row at a time ---- */

static void test_notification_claims(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    int64_t id = put_note(tx, note("INC-1", "alice", "sms", 100));
    int64_t sent = put_note(tx, note("INC-1", "bob", "sms", 100));
    assert_int_equal(OP(notification_claim, tx, id, "node-a", 1000, 500), OK);
    /* another node is refused while the claim runs; its holder may renew it */
    assert_int_equal(OP(notification_claim, tx, id, "node-b", 1600, 600), ERR_NOT_FOUND);
    assert_int_equal(OP(notification_claim, tx, id, "node-a", 1200, 700), OK);
    assert_int_equal(OP(notification_claim, tx, id, "node-b", 1800, 1199), ERR_NOT_FOUND);
    conf_commit(f);
    struct store_conn *rd = conf_reader(f);

    /* due leaves out rows whose claim runs past the wall clock */
    struct got g = {0};
    assert_int_equal(OP(notification_due, rd, 200, 1199, 0, got_notification, &g), OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.id[0], sent);
    g = (struct got){0};
    assert_int_equal(OP(notification_due, rd, 200, 1200, 0, got_notification, &g), OK);
    assert_int_equal(g.n, 2);

    tx = conf_begin(f);
    /* once the claim has ended (claim_until <= now) any node takes the row */
    assert_int_equal(OP(notification_claim, tx, id, "node-b", 2000, 1200), OK);
    assert_int_equal(OP(notification_claim, tx, id, "node-a", 2500, 1300), ERR_NOT_FOUND);
    /* an update (the result recorded) ends the claim */
    struct store_notification n;
    assert_int_equal(OP(notification_get, tx, id, &n), OK);
    n.attempts = 1;
    n.next_attempt_at = 150;
    assert_int_equal(OP(notification_update, tx, &n), OK);
    store_notification_free_fields(&n);
    assert_int_equal(OP(notification_claim, tx, id, "node-a", 2500, 1300), OK);
    /* a row that is no longer pending, or none, cannot be claimed */
    assert_int_equal(OP(notification_get, tx, sent, &n), OK);
    free(n.status);
    n.status = strdup("sent");
    assert_int_equal(OP(notification_update, tx, &n), OK);
    store_notification_free_fields(&n);
    assert_int_equal(OP(notification_claim, tx, sent, "node-a", 2500, 1300), ERR_NOT_FOUND);
    assert_int_equal(OP(notification_claim, tx, id + 100, "node-a", 2500, 1300), ERR_NOT_FOUND);
    conf_commit(f);

    /* a rolled-back claim is not a claim */
    tx = conf_begin(f);
    int64_t third = put_note(tx, note("INC-1", "carol", "sms", 100));
    conf_commit(f);
    tx = conf_begin(f);
    assert_int_equal(OP(notification_claim, tx, third, "node-a", 5000, 100), OK);
    conf_rollback(f);
    tx = conf_begin(f);
    assert_int_equal(OP(notification_claim, tx, third, "node-b", 5000, 100), OK);
    conf_commit(f);
}

/* ---- nodes ---- */

struct nodes {
    char id[4][16], version[4][16];
    int64_t pid[4], started_at[4], heartbeat_at[4], claims[4];
    int n;
};

static int got_node(const struct store_node *node, void *ctx)
{
    struct nodes *ns = ctx;
    if (ns->n < 4) {
        snprintf(ns->id[ns->n], sizeof ns->id[0], "%s", node->id);
        snprintf(ns->version[ns->n], sizeof ns->version[0], "%s", node->version);
        ns->pid[ns->n] = node->pid;
        ns->started_at[ns->n] = node->started_at;
        ns->heartbeat_at[ns->n] = node->heartbeat_at;
        ns->claims[ns->n] = node->claims;
    }
    ns->n++;
    return 0;
}

static struct nodes list_nodes(struct conf *f, int64_t now)
{
    struct nodes ns = {0};
    assert_int_equal(OP(node_list, conf_reader(f), now, got_node, &ns), OK);
    return ns;
}

static void test_nodes(void **state)
{
    struct conf *f = *state;
    struct nodes ns = list_nodes(f, 0);
    assert_int_equal(ns.n, 0);
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(node_beat, tx, "node-b", 20, "1.0", 100, 1000), OK);
    assert_int_equal(OP(node_beat, tx, "node-a", 10, "1.0", 100, 1000), OK);
    assert_int_equal(OP(node_beat, tx, "Node-c", 30, "1.0", 100, 1000), OK);
    /* a restart under the same name takes the row over; the heartbeat never moves back */
    assert_int_equal(OP(node_beat, tx, "node-a", 11, "1.1", 200, 900), OK);
    assert_int_equal(OP(node_beat, tx, "node-b", 20, "1.0", 100, 1100), OK);
    int64_t ids[5];
    const char *users[] = {"u1", "u2", "u3", "u4", "u5"};
    for (int i = 0; i < 5; i++)
        ids[i] = put_note(tx, note("INC-1", users[i], "sms", 100));
    assert_int_equal(OP(notification_claim, tx, ids[0], "node-a", 5000, 0), OK);
    assert_int_equal(OP(notification_claim, tx, ids[1], "node-a", 5000, 0), OK);
    assert_int_equal(OP(notification_claim, tx, ids[2], "node-a", 300, 0), OK); /* ends at 300 */
    assert_int_equal(OP(notification_claim, tx, ids[3], "node-b", 5000, 0), OK);
    conf_commit(f);

    /* by id, bytes: "Node-c" first; claims: the rows a node holds a live claim on at `now` */
    enum { C = 0, A = 1, B = 2 };
    ns = list_nodes(f, 1000);
    assert_int_equal(ns.n, 3);
    assert_string_equal(ns.id[C], "Node-c");
    assert_int_equal(ns.claims[C], 0);
    assert_string_equal(ns.id[A], "node-a");
    assert_int_equal(ns.pid[A], 11);
    assert_string_equal(ns.version[A], "1.1");
    assert_int_equal(ns.started_at[A], 200);
    assert_int_equal(ns.heartbeat_at[A], 1000);
    assert_int_equal(ns.claims[A], 2);
    assert_string_equal(ns.id[B], "node-b");
    assert_int_equal(ns.heartbeat_at[B], 1100);
    assert_int_equal(ns.claims[B], 1);
    ns = list_nodes(f, 200);
    assert_int_equal(ns.claims[A], 3);
    ns = list_nodes(f, 5000);
    assert_int_equal(ns.claims[A], 0);

    /* release by id: only that node's claims; the rows are free for another node at once */
    tx = conf_begin(f);
    assert_int_equal(OP(node_release, tx, "node-a"), OK);
    assert_int_equal(OP(node_release, tx, "node-none"), OK);
    assert_int_equal(OP(notification_claim, tx, ids[0], "node-b", 5000, 10), OK);
    assert_int_equal(OP(notification_claim, tx, ids[4], "Node-c", 5000, 10), OK);
    conf_commit(f);
    ns = list_nodes(f, 1000);
    assert_int_equal(ns.claims[A], 0);
    assert_int_equal(ns.claims[B], 2);
    assert_int_equal(ns.claims[C], 1);
    /* release(NULL): every node's claims (SQLite: one process per file) */
    tx = conf_begin(f);
    assert_int_equal(OP(node_release, tx, NULL), OK);
    assert_int_equal(OP(notification_claim, tx, ids[4], "node-a", 5000, 10), OK);
    conf_commit(f);
    ns = list_nodes(f, 1000);
    assert_int_equal(ns.claims[A], 1);
    assert_int_equal(ns.claims[B], 0);
    assert_int_equal(ns.claims[C], 0);
}

/* ---- tocsin's own running record ---- */

struct runs {
    int n;
    char node[4][16];
    int64_t started_at[4], seen_at[4];
};

static int got_run(const char *node, int64_t started_at, int64_t seen_at, void *ctx)
{
    struct runs *rs = ctx;
    if (rs->n < 4) {
        snprintf(rs->node[rs->n], sizeof rs->node[0], "%s", node);
        rs->started_at[rs->n] = started_at;
        rs->seen_at[rs->n] = seen_at;
    }
    rs->n++;
    return 0;
}

static struct runs list_runs(struct conf *f, int64_t from, int64_t to)
{
    struct runs rs = {0};
    assert_int_equal(OP(run_list, conf_reader(f), from, to, got_run, &rs), OK);
    return rs;
}

static void test_runs(void **state)
{
    struct conf *f = *state;
    assert_int_equal(list_runs(f, 0, 1000000).n, 0);
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(run_touch, tx, "node-b", 500, 500), OK);
    assert_int_equal(OP(run_touch, tx, "node-a", 100, 100), OK);
    assert_int_equal(OP(run_touch, tx, "node-a", 100, 300), OK);
    assert_int_equal(OP(run_touch, tx, "node-a", 100, 200), OK);   /* never moves back */
    assert_int_equal(OP(run_touch, tx, "node-a", 1000, 1500), OK); /* a second run */
    assert_int_equal(OP(run_touch, tx, "node-b", 500, 900), OK);
    conf_commit(f);
    /* by started_at; the runs that overlap [from, to] only */
    struct runs rs = list_runs(f, 0, 1000000);
    assert_int_equal(rs.n, 3);
    assert_string_equal(rs.node[0], "node-a");
    assert_int_equal(rs.started_at[0], 100);
    assert_int_equal(rs.seen_at[0], 300);
    assert_string_equal(rs.node[1], "node-b");
    assert_int_equal(rs.seen_at[1], 900);
    assert_int_equal(rs.started_at[2], 1000);
    assert_int_equal(rs.seen_at[2], 1500);
    rs = list_runs(f, 301, 999);
    assert_int_equal(rs.n, 1);
    assert_string_equal(rs.node[0], "node-b");
    rs = list_runs(f, 300, 1000);
    assert_int_equal(rs.n, 3);
    assert_int_equal(list_runs(f, 1501, 2000).n, 0);
    assert_int_equal(list_runs(f, 0, 99).n, 0);
}

/* ---- the cluster counters and claims ---- */

static void test_cluster_state(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    int64_t v = -1;
    assert_int_equal(OP(cluster_value, rd, CLUSTER_KEY_CACHES, &v), OK);
    assert_int_equal(v, 0); /* never set: 0 */

    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(cluster_bump, tx, CLUSTER_KEY_CACHES), OK);
    assert_int_equal(OP(cluster_bump, tx, CLUSTER_KEY_CACHES), OK);
    assert_int_equal(OP(cluster_raise, tx, CLUSTER_KEY_DEV_CLOCK, 7), OK); /* creates it */
    assert_int_equal(OP(cluster_raise, tx, CLUSTER_KEY_DEV_CLOCK, 10), OK);
    assert_int_equal(OP(cluster_raise, tx, CLUSTER_KEY_DEV_CLOCK, 5), OK); /* only raises */
    assert_int_equal(OP(cluster_value, tx, CLUSTER_KEY_CACHES, &v), OK);
    assert_int_equal(v, 2);
    assert_int_equal(OP(cluster_value, rd, CLUSTER_KEY_CACHES, &v), OK);
    assert_int_equal(v, 0); /* not committed yet */
    conf_commit(f);
    assert_int_equal(OP(cluster_value, rd, CLUSTER_KEY_CACHES, &v), OK);
    assert_int_equal(v, 2);
    assert_int_equal(OP(cluster_value, rd, CLUSTER_KEY_DEV_CLOCK, &v), OK);
    assert_int_equal(v, 10);
    tx = conf_begin(f); /* a bump rolled back is no bump */
    assert_int_equal(OP(cluster_bump, tx, CLUSTER_KEY_CACHES), OK);
    conf_rollback(f);
    assert_int_equal(OP(cluster_value, rd, CLUSTER_KEY_CACHES, &v), OK);
    assert_int_equal(v, 2);

    /* claim: taken when unset or ended (<= now), refused while it runs */
    tx = conf_begin(f);
    assert_int_equal(OP(cluster_claim, tx, "probe:web", 100, 160), OK);
    assert_int_equal(OP(cluster_claim, tx, "probe:web", 159, 220), ERR_NOT_FOUND);
    assert_int_equal(OP(cluster_claim, tx, "probe:db", 150, 210), OK); /* keys apart */
    conf_commit(f);
    assert_int_equal(OP(cluster_value, rd, "probe:web", &v), OK);
    assert_int_equal(v, 160);
    tx = conf_begin(f);
    assert_int_equal(OP(cluster_claim, tx, "probe:web", 159, 220), ERR_NOT_FOUND);
    assert_int_equal(OP(cluster_claim, tx, "probe:web", 160, 220), OK);
    conf_commit(f);
    assert_int_equal(OP(cluster_value, rd, "probe:web", &v), OK);
    assert_int_equal(v, 220);
    tx = conf_begin(f); /* a rolled-back claim is not a claim */
    assert_int_equal(OP(cluster_claim, tx, "probe:db", 210, 270), OK);
    conf_rollback(f);
    tx = conf_begin(f);
    assert_int_equal(OP(cluster_claim, tx, "probe:db", 210, 280), OK);
    conf_commit(f);
    assert_int_equal(OP(cluster_value, rd, "probe:db", &v), OK);
    assert_int_equal(v, 280);
}

/* ---- keys that are not UTF-8 ---- */

static int count_any(const void *row, void *ctx)
{
    (void)row;
    ++*(int *)ctx;
    return 0;
}

static int count_tl(const struct timeline_entry *e, void *ctx)
{
    return count_any(e, ctx);
}

static int count_ovr(const struct oncall_override *o, void *ctx)
{
    return count_any(o, ctx);
}

static int count_alert(const struct alert *a, void *ctx)
{
    return count_any(a, ctx);
}

static int count_note(const struct store_notification *n, void *ctx)
{
    return count_any(n, ctx);
}

/* An id taken from a URL ("%ff%fe") matches nothing on both backends, and the transaction it was
 * looked up in goes on (PostgreSQL would reject the parameter and abort the writer's whole
 * batch: its core answers such a lookup as empty without asking the server; store_pg.md). Writes
 * of such text differ (SQLite stores it, PostgreSQL refuses): the API validates what it stores,
 * so they are not tested here. */
static void test_keys_not_utf8(void **state)
{
    struct conf *f = *state;
    const char *bad = "\xff\xfe";
    struct store_conn *tx = conf_begin(f);
    struct incident inc = {.title = "t", .severity = "s", .channel = "c"};
    snprintf(inc.id, sizeof inc.id, "%s", bad);
    assert_int_equal(OP(incident_get, tx, bad, &inc), ERR_NOT_FOUND);
    assert_int_equal(OP(incident_update, tx, &inc), ERR_NOT_FOUND);
    assert_int_equal(OP(incident_find_open_group, tx, bad, &inc), ERR_NOT_FOUND);
    struct store_credential cr;
    assert_int_equal(OP(credential_get, tx, CRED_TOKEN, bad, &cr), ERR_NOT_FOUND);
    assert_int_equal(OP(credential_find_hash, tx, CRED_INTEGRATION, bad, &cr), ERR_NOT_FOUND);
    assert_int_equal(OP(credential_revoke, tx, CRED_TOKEN, bad, 1), ERR_NOT_FOUND);
    struct alert a;
    int64_t n = -1;
    assert_int_equal(OP(alert_find_open, tx, bad, "d", &a), ERR_NOT_FOUND);
    assert_int_equal(OP(alert_count_open, tx, bad, &n), OK);
    assert_int_equal(n, 0);
    assert_int_equal(OP(silence_expire, tx, bad, 1), ERR_NOT_FOUND);
    int rows = 0;
    assert_int_equal(OP(timeline_scan, tx, bad, count_tl, &rows), OK);
    struct oncall_override o;
    assert_int_equal(OP(override_get, tx, bad, &o), ERR_NOT_FOUND);
    assert_int_equal(OP(override_remove, tx, bad, 1), ERR_NOT_FOUND);
    assert_int_equal(OP(override_find_overlap, tx, bad, NULL, 0, 10, &o), ERR_NOT_FOUND);
    assert_int_equal(OP(override_list, tx, bad, 0, 10, count_ovr, &rows), OK);
    struct escalation_state st = {0};
    assert_int_equal(OP(escalation_get, tx, bad, &st), ERR_NOT_FOUND);
    assert_int_equal(OP(escalation_put, tx, bad, &st, 1), ERR_NOT_FOUND);
    assert_int_equal(OP(heartbeat_claim_missed, tx, bad, 1), ERR_NOT_FOUND);
    assert_int_equal(OP(notification_list, tx, bad, count_note, &rows), OK);
    assert_int_equal(OP(notification_last_sent, tx, bad, "sms", &n), OK);
    assert_int_equal(n, 0);
    int64_t up = -1;
    assert_int_equal(OP(probe_uptime, tx, bad, 0, &up, &n), OK);
    assert_int_equal(up + n, 0);
    struct store_probe_result last;
    assert_int_equal(OP(probe_last, tx, bad, &last), ERR_NOT_FOUND);
    bool ok = true;
    int length = -1;
    assert_int_equal(OP(probe_streak, tx, bad, 5, &ok, &length), OK);
    assert_int_equal(length, 0);
    struct store_alert_filter by_service = {.service = bad};
    assert_int_equal(OP(alert_list, tx, &by_service, count_alert, &rows), OK);
    assert_int_equal(OP(cluster_value, tx, bad, &n), OK);
    assert_int_equal(n, 0);
    assert_int_equal(OP(node_release, tx, bad), OK);
    assert_int_equal(rows, 0);
    /* the transaction is still good: a write in it commits */
    assert_int_equal(OP(heartbeat_touch, tx, "after", 1), OK);
    conf_commit(f);
    assert_int_equal(OP(heartbeat_claim_missed, conf_begin(f), "after", 1), OK);
    conf_commit(f);
}

#define TESTS(X)                                                                                   \
    X(test_notification_rows)                                                                      \
    X(test_notification_attempts)                                                                  \
    X(test_notification_claims)                                                                    \
    X(test_notification_prune)                                                                     \
    X(test_nodes)                                                                                  \
    X(test_runs)                                                                                   \
    X(test_cluster_state)                                                                          \
    X(test_keys_not_utf8)

CONF_MAIN(TESTS);
