/*
 * test_conformance: the store conformance suite (docs/internals/store.md), part 1: incidents and
 * counters, the timeline, credentials, alerts and silences, each operation through the public
 * store_* API, the same assertions on SQLite and on PostgreSQL (conformance.h runs each test on
 * both). The other resources: test_conformance_work.c, test_conformance_notify.c,
 * test_conformance_followup.c.
 */
#define CONF_FILE "test_conformance"
#include "store/conformance.h"

/* ---- collecting what list calls hand their callbacks ---- */

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

static int got_incident(const struct incident *inc, void *ctx)
{
    return got_push(ctx, inc->id, inc->created_at);
}

static void got_count(const char *key, int64_t n, void *ctx)
{
    got_push(ctx, key, n);
}

/* The number got_count recorded for key (-1: none). */
static int64_t got_num(const struct got *g, const char *key)
{
    for (int i = 0; i < g->n && i < 8; i++)
        if (strcmp(g->id[i], key) == 0)
            return g->num[i];
    return -1;
}

/* ---- incidents and counters ---- */

static void put_incident(struct store_conn *tx, const char *id, enum incident_status st,
                         const char *severity, int64_t at, const char *group)
{
    struct incident inc = {.title = "t",
                           .severity = (char *)severity,
                           .channel = "c",
                           .status = st,
                           .created_at = at,
                           .updated_at = at,
                           .group_key = (char *)group};
    snprintf(inc.id, sizeof inc.id, "%s", id);
    assert_int_equal(OP(incident_insert, tx, &inc), OK);
}

static void test_counters(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    int64_t v = 0;
    assert_int_equal(OP(counter_next, tx, "incident", &v), OK);
    assert_int_equal(v, 1); /* a new key starts at 1 */
    assert_int_equal(OP(counter_next, tx, "incident", &v), OK);
    assert_int_equal(v, 2);
    assert_int_equal(OP(counter_next, tx, "other", &v), OK);
    assert_int_equal(v, 1); /* keys count apart */
    conf_commit(f);
    /* a rolled-back transaction's increments are gone */
    tx = conf_begin(f);
    assert_int_equal(OP(counter_next, tx, "incident", &v), OK);
    assert_int_equal(v, 3);
    conf_rollback(f);
    tx = conf_begin(f);
    assert_int_equal(OP(counter_next, tx, "incident", &v), OK);
    assert_int_equal(v, 3);
    conf_commit(f);
}

static void test_incident_fields(void **state)
{
    struct conf *f = *state;
    struct incident full = {.id = "INC-7",
                            .title = "Checkout down",
                            .summary = "502s",
                            .severity = "sev1",
                            .service = "checkout",
                            .type = "outage",
                            .channel = "#inc-7",
                            .postmortem = "https://pm/7",
                            .status = INC_MONITORING,
                            .drill = true,
                            .created_at = 1000,
                            .acknowledged_at = 1100,
                            .resolved_at = 1200,
                            .closed_at = 1300,
                            .updated_at = 1400,
                            .last_public_update_at = 1500,
                            .roles = {"alice", "bob", "carol", "dave"},
                            .group_key = "g7",
                            .auto_resolve = true,
                            .fields = "{\"cause\":\"billing-bug\"}",
                            .failed_resolutions = 3,
                            .rules_fired = "[\"r1\",\"r2\"]"};
    struct incident bare = {.id = "INC-8", .title = "t", .severity = "sev3", .channel = "c"};
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(incident_insert, tx, &full), OK);
    assert_int_equal(OP(incident_insert, tx, &bare), OK);
    conf_commit(f);

    struct store_conn *rd = conf_reader(f);
    struct incident got;
    assert_int_equal(OP(incident_get, rd, "INC-7", &got), OK);
    assert_string_equal(got.id, "INC-7");
    assert_string_equal(got.title, "Checkout down");
    assert_string_equal(got.summary, "502s");
    assert_string_equal(got.severity, "sev1");
    assert_string_equal(got.service, "checkout");
    assert_string_equal(got.type, "outage");
    assert_string_equal(got.channel, "#inc-7");
    assert_string_equal(got.postmortem, "https://pm/7");
    assert_int_equal(got.status, INC_MONITORING);
    assert_true(got.drill);
    assert_int_equal(got.created_at, 1000);
    assert_int_equal(got.acknowledged_at, 1100);
    assert_int_equal(got.resolved_at, 1200);
    assert_int_equal(got.closed_at, 1300);
    assert_int_equal(got.updated_at, 1400);
    assert_int_equal(got.last_public_update_at, 1500);
    for (int r = 0; r < ROLE_COUNT; r++)
        assert_string_equal(got.roles[r], full.roles[r]);
    assert_string_equal(got.group_key, "g7");
    assert_true(got.auto_resolve);
    assert_string_equal(got.fields, "{\"cause\":\"billing-bug\"}");
    assert_int_equal(got.failed_resolutions, 3);
    assert_string_equal(got.rules_fired, "[\"r1\",\"r2\"]");
    incident_free_fields(&got);

    /* NULL strings stay NULL, 0 times stay 0, false stays false */
    assert_int_equal(OP(incident_get, rd, "INC-8", &got), OK);
    assert_null(got.summary);
    assert_null(got.service);
    assert_null(got.type);
    assert_null(got.postmortem);
    assert_null(got.group_key);
    for (int r = 0; r < ROLE_COUNT; r++)
        assert_null(got.roles[r]);
    assert_int_equal(got.status, INC_TRIGGERED);
    assert_false(got.drill);
    assert_false(got.auto_resolve);
    assert_null(got.fields);
    assert_null(got.rules_fired);
    assert_int_equal(got.failed_resolutions, 0);
    assert_int_equal(got.acknowledged_at, 0);
    assert_int_equal(got.resolved_at, 0);
    assert_int_equal(got.closed_at, 0);
    assert_int_equal(got.last_public_update_at, 0);

    /* update writes every field, including back to NULL / 0 / false */
    tx = conf_begin(f);
    full.summary = NULL;
    full.roles[1] = NULL;
    full.drill = false;
    full.acknowledged_at = 0;
    full.status = INC_CLOSED;
    full.title = "Checkout slow";
    full.fields = NULL;
    full.failed_resolutions = 4;
    full.rules_fired = "[\"r1\",\"r2\",\"r3\"]";
    assert_int_equal(OP(incident_update, tx, &full), OK);
    snprintf(got.id, sizeof got.id, "INC-none");
    assert_int_equal(OP(incident_update, tx, &got), ERR_NOT_FOUND);
    incident_free_fields(&got);
    conf_commit(f);
    assert_int_equal(OP(incident_get, rd, "INC-7", &got), OK);
    assert_string_equal(got.title, "Checkout slow");
    assert_null(got.summary);
    assert_null(got.roles[1]);
    assert_string_equal(got.roles[2], "carol");
    assert_false(got.drill);
    assert_int_equal(got.acknowledged_at, 0);
    assert_int_equal(got.status, INC_CLOSED);
    assert_null(got.fields);
    assert_int_equal(got.failed_resolutions, 4);
    assert_string_equal(got.rules_fired, "[\"r1\",\"r2\",\"r3\"]");
    incident_free_fields(&got);
    assert_int_equal(OP(incident_get, rd, "INC-none", &got), ERR_NOT_FOUND);
}

static void test_incident_conflict(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    put_incident(tx, "INC-1", INC_TRIGGERED, "sev1", 1, NULL);
    conf_commit(f);
    /* a repeated id is ERR_CONFLICT, and the transaction it failed in stores nothing */
    tx = conf_begin(f);
    put_incident(tx, "INC-2", INC_TRIGGERED, "sev1", 2, NULL);
    struct incident dup = {.id = "INC-1", .title = "t", .severity = "s", .channel = "c"};
    assert_int_equal(OP(incident_insert, tx, &dup), ERR_CONFLICT);
    conf_rollback(f);
    struct incident got;
    assert_int_equal(OP(incident_get, conf_reader(f), "INC-2", &got), ERR_NOT_FOUND);
    assert_int_equal(OP(incident_get, conf_reader(f), "INC-1", &got), OK);
    incident_free_fields(&got);
}

static void test_incident_list_and_counts(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    /* ids sort by length then bytes within one created_at: INC-1-1000 after INC-1-999 */
    put_incident(tx, "INC-1-999", INC_TRIGGERED, "sev1", 5, "g");
    put_incident(tx, "INC-1-1000", INC_RESOLVED, "sev1", 5, "g");
    put_incident(tx, "INC-1-998", INC_ACKNOWLEDGED, "sev2", 4, "g");
    put_incident(tx, "INC-1-997", INC_CLOSED, "sev2", 3, NULL);
    put_incident(tx, "INC-1-996", INC_INVESTIGATING, "sev1", 2, "h");
    conf_commit(f);
    struct store_conn *rd = conf_reader(f);

    struct got g = {0};
    struct store_incident_filter all = {0}; /* statuses 0: all; limit 0: none */
    assert_int_equal(OP(incident_list, rd, &all, got_incident, &g), OK);
    assert_int_equal(g.n, 5);
    const char *order[] = {"INC-1-1000", "INC-1-999", "INC-1-998", "INC-1-997", "INC-1-996"};
    for (int i = 0; i < 5; i++)
        assert_string_equal(g.id[i], order[i]);

    g = (struct got){0};
    struct store_incident_filter open = {
        .statuses = (1 << INC_TRIGGERED) | (1 << INC_ACKNOWLEDGED) | (1 << INC_INVESTIGATING)};
    assert_int_equal(OP(incident_list, rd, &open, got_incident, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "INC-1-999");
    assert_string_equal(g.id[2], "INC-1-996");
    g = (struct got){0};
    struct store_incident_filter closed = {.statuses = 1 << INC_CLOSED};
    assert_int_equal(OP(incident_list, rd, &closed, got_incident, &g), OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.id[0], "INC-1-997");
    g = (struct got){0};
    open.limit = 2;
    assert_int_equal(OP(incident_list, rd, &open, got_incident, &g), OK);
    assert_int_equal(g.n, 2);
    g = (struct got){.stop_after = 1}; /* a callback's non-0 stops the walk */
    assert_int_equal(OP(incident_list, rd, &all, got_incident, &g), OK);
    assert_int_equal(g.n, 1);
    /* keyset paging: after (created_at, id) in the list's order, across a created_at change */
    g = (struct got){0};
    struct store_incident_filter after = {
        .limit = 2, .after_created_at = 5, .after_id = "INC-1-999"};
    assert_int_equal(OP(incident_list, rd, &after, got_incident, &g), OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.id[0], "INC-1-998");
    assert_string_equal(g.id[1], "INC-1-997");
    g = (struct got){0};
    after = (struct store_incident_filter){.after_created_at = 5, .after_id = "INC-1-1000"};
    assert_int_equal(OP(incident_list, rd, &after, got_incident, &g), OK);
    assert_int_equal(g.n, 4); /* a longer id of the same time comes first */
    assert_string_equal(g.id[0], "INC-1-999");
    g = (struct got){0};
    after = (struct store_incident_filter){.after_created_at = 2, .after_id = "INC-1-996"};
    assert_int_equal(OP(incident_list, rd, &after, got_incident, &g), OK);
    assert_int_equal(g.n, 0);

    /* open incidents by severity: resolved and closed ones are not counted (order unspecified) */
    g = (struct got){0};
    assert_int_equal(OP(incident_count_open, rd, got_count, &g), OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(got_num(&g, "sev1"), 2);
    assert_int_equal(got_num(&g, "sev2"), 1);

    /* the newest unresolved incident of a group */
    struct incident got;
    assert_int_equal(OP(incident_find_open_group, rd, "g", &got), OK);
    assert_string_equal(got.id, "INC-1-999");
    incident_free_fields(&got);
    assert_int_equal(OP(incident_find_open_group, rd, "h", &got), OK);
    assert_string_equal(got.id, "INC-1-996");
    got.status = INC_RESOLVED;
    tx = conf_begin(f);
    assert_int_equal(OP(incident_update, tx, &got), OK);
    incident_free_fields(&got);
    /* the writer's transaction sees its own change, the reader not before the commit */
    assert_int_equal(OP(incident_find_open_group, tx, "h", &got), ERR_NOT_FOUND);
    assert_int_equal(OP(incident_find_open_group, rd, "h", &got), OK);
    incident_free_fields(&got);
    conf_commit(f);
    assert_int_equal(OP(incident_find_open_group, rd, "h", &got), ERR_NOT_FOUND);
    assert_int_equal(OP(incident_find_open_group, rd, "none", &got), ERR_NOT_FOUND);
    g = (struct got){0};
    assert_int_equal(OP(incident_count_open, rd, got_count, &g), OK);
    assert_int_equal(got_num(&g, "sev1"), 1);
}

/* ---- the timeline ---- */

static int got_entry(const struct timeline_entry *e, void *ctx)
{
    return got_push(ctx, e->incident_id, e->seq);
}

static void put_entry(struct store_conn *tx, int64_t seq, const char *incident, char h)
{
    struct timeline_entry e = {.seq = seq,
                               .at = 100 * seq,
                               .actor = "alice",
                               .kind = "k",
                               .incident_id = (char *)incident};
    e.data = "{\"a\":1}";
    memset(e.prev_hash, 'a', 64);
    memset(e.hash, h, 64);
    assert_int_equal(OP(timeline_insert, tx, &e), OK);
}

static int check_entry(const struct timeline_entry *e, void *ctx)
{
    (void)ctx;
    assert_int_equal(e->at, 100 * e->seq);
    assert_string_equal(e->actor, "alice");
    assert_string_equal(e->kind, "k");
    assert_string_equal(e->data, "{\"a\":1}");
    assert_int_equal(strlen(e->hash), 64);
    assert_int_equal(strspn(e->prev_hash, "a"), 64);
    return 0;
}

static void test_timeline(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    int64_t seq = -1;
    char hash[SHA256_HEX_LEN];
    assert_int_equal(OP(timeline_last, rd, &seq, hash), OK);
    assert_int_equal(seq, 0); /* empty: 0 and the genesis hash */
    assert_string_equal(hash, timeline_genesis);

    struct store_conn *tx = conf_begin(f);
    put_entry(tx, 1, NULL, 'b');
    put_entry(tx, 2, "INC-1", 'c');
    put_entry(tx, 3, "INC-2", 'd');
    put_entry(tx, 4, "INC-1", 'e');
    conf_commit(f);
    assert_int_equal(OP(timeline_last, rd, &seq, hash), OK);
    assert_int_equal(seq, 4);
    assert_int_equal(strspn(hash, "e"), 64);

    struct got g = {0};
    assert_int_equal(OP(timeline_scan, rd, NULL, got_entry, &g), OK);
    assert_int_equal(g.n, 4);
    for (int i = 0; i < 4; i++)
        assert_int_equal(g.num[i], i + 1);
    assert_string_equal(g.id[0], "(null)"); /* an entry about no incident: NULL */
    g = (struct got){0};
    assert_int_equal(OP(timeline_scan, rd, "INC-1", got_entry, &g), OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.num[0], 2);
    assert_int_equal(g.num[1], 4);
    g = (struct got){0};
    assert_int_equal(OP(timeline_scan, rd, "INC-9", got_entry, &g), OK);
    assert_int_equal(g.n, 0);
    g = (struct got){.stop_after = 2};
    assert_int_equal(OP(timeline_scan, rd, NULL, got_entry, &g), OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(OP(timeline_scan, rd, NULL, check_entry, NULL), OK);

    /* a seq is written once */
    tx = conf_begin(f);
    struct timeline_entry dup = {.seq = 4, .at = 1, .actor = "a", .kind = "k", .data = "{}"};
    memset(dup.prev_hash, '0', 64);
    memset(dup.hash, 'f', 64);
    assert_int_equal(OP(timeline_insert, tx, &dup), ERR_CONFLICT);
    conf_rollback(f);
    assert_int_equal(OP(timeline_last, rd, &seq, hash), OK);
    assert_int_equal(seq, 4);
    assert_int_equal(strspn(hash, "e"), 64);

    /* from a seq on (an incremental audit pass), by seq; past the end: nothing */
    g = (struct got){0};
    assert_int_equal(OP(timeline_scan_from, rd, 3, got_entry, &g), OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.num[0], 3);
    assert_int_equal(g.num[1], 4);
    g = (struct got){0};
    assert_int_equal(OP(timeline_scan_from, rd, 5, got_entry, &g), OK);
    assert_int_equal(g.n, 0);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(timeline_scan_from, rd, 1, got_entry, &g), OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(OP(timeline_scan_from, rd, 2, check_entry, NULL), OK);
}

static void test_audit_checkpoint(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct audit_checkpoint cp = {.seq = 9};
    assert_int_equal(OP(audit_checkpoint_get, rd, &cp), ERR_NOT_FOUND); /* none yet */
    assert_int_equal(cp.seq, 0);

    struct audit_checkpoint put = {.seq = 40, .taken_at = 1000, .full_at = 900};
    memset(put.hash, 'c', 64);
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(audit_checkpoint_set, tx, &put), OK);
    conf_commit(f);
    assert_int_equal(OP(audit_checkpoint_get, rd, &cp), OK);
    assert_int_equal(cp.seq, 40);
    assert_int_equal(cp.taken_at, 1000);
    assert_int_equal(cp.full_at, 900);
    assert_int_equal(strspn(cp.hash, "c"), 64);
    assert_int_equal(strlen(cp.hash), 64);

    /* replaced whole: one checkpoint only */
    put = (struct audit_checkpoint){.seq = 41, .taken_at = 2000, .full_at = 2000};
    memset(put.hash, 'd', 64);
    tx = conf_begin(f);
    assert_int_equal(OP(audit_checkpoint_set, tx, &put), OK);
    conf_commit(f);
    assert_int_equal(OP(audit_checkpoint_get, rd, &cp), OK);
    assert_int_equal(cp.seq, 41);
    assert_int_equal(cp.taken_at, 2000);
    assert_int_equal(cp.full_at, 2000);
    assert_int_equal(strspn(cp.hash, "d"), 64);

    /* rolled back: unchanged */
    put.seq = 99;
    tx = conf_begin(f);
    assert_int_equal(OP(audit_checkpoint_set, tx, &put), OK);
    conf_rollback(f);
    assert_int_equal(OP(audit_checkpoint_get, rd, &cp), OK);
    assert_int_equal(cp.seq, 41);

    /* NULL deletes it; deleting none is OK */
    tx = conf_begin(f);
    assert_int_equal(OP(audit_checkpoint_set, tx, NULL), OK);
    assert_int_equal(OP(audit_checkpoint_set, tx, NULL), OK);
    conf_commit(f);
    assert_int_equal(OP(audit_checkpoint_get, rd, &cp), ERR_NOT_FOUND);
}

/* ---- credentials ---- */

static int got_cred(const struct store_credential *cr, void *ctx)
{
    return got_push(ctx, cr->id, cr->revoked_at);
}

static struct store_credential token(const char *id, const char *name, char h, int64_t at)
{
    struct store_credential t = {
        .kind = CRED_TOKEN, .name = (char *)name, .role = "responder", .created_at = at};
    snprintf(t.id, sizeof t.id, "%s", id);
    memset(t.hash, h, 64);
    return t;
}

static void test_credentials(void **state)
{
    struct conf *f = *state;
    struct store_credential tb = token("tok_b", "ci", 'b', 5);
    struct store_credential ta = token("tok_a", "ops", 'a', 5);
    struct store_credential tc = token("tok_c", "old", 'c', 4);
    struct store_credential tB = token("tok_B", "deploy", 'B', 5);
    struct store_credential k = {.kind = CRED_INTEGRATION,
                                 .id = "int_a",
                                 .name = "prom",
                                 .service = "web",
                                 .type = "alertmanager",
                                 .created_at = 3};
    memset(k.hash, 'k', 64);
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(credential_insert, tx, &tb), OK);
    assert_int_equal(OP(credential_insert, tx, &ta), OK);
    assert_int_equal(OP(credential_insert, tx, &tc), OK);
    assert_int_equal(OP(credential_insert, tx, &tB), OK);
    assert_int_equal(OP(credential_insert, tx, &k), OK);
    conf_commit(f);
    struct store_conn *rd = conf_reader(f);

    struct store_credential got;
    assert_int_equal(OP(credential_get, rd, CRED_TOKEN, "tok_a", &got), OK);
    assert_int_equal(got.kind, CRED_TOKEN);
    assert_string_equal(got.name, "ops");
    assert_string_equal(got.role, "responder");
    assert_null(got.service);
    assert_null(got.type);
    assert_int_equal(strspn(got.hash, "a"), 64);
    assert_int_equal(got.created_at, 5);
    assert_int_equal(got.revoked_at, 0);
    store_credential_free_fields(&got);
    assert_int_equal(OP(credential_find_hash, rd, CRED_INTEGRATION, k.hash, &got), OK);
    assert_string_equal(got.id, "int_a");
    assert_int_equal(got.kind, CRED_INTEGRATION);
    assert_string_equal(got.service, "web");
    assert_string_equal(got.type, "alertmanager");
    assert_null(got.role);
    store_credential_free_fields(&got);
    /* each kind is looked up only among its own */
    assert_int_equal(OP(credential_get, rd, CRED_INTEGRATION, "tok_a", &got), ERR_NOT_FOUND);
    assert_int_equal(OP(credential_get, rd, CRED_TOKEN, "int_a", &got), ERR_NOT_FOUND);
    assert_int_equal(OP(credential_find_hash, rd, CRED_TOKEN, k.hash, &got), ERR_NOT_FOUND);
    assert_int_equal(OP(credential_get, rd, CRED_TOKEN, "tok_none", &got), ERR_NOT_FOUND);

    /* by created_at, then id (bytes: "tok_B" before "tok_a") */
    struct got g = {0};
    assert_int_equal(OP(credential_list, rd, CRED_TOKEN, got_cred, &g), OK);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.id[0], "tok_c");
    assert_string_equal(g.id[1], "tok_B");
    assert_string_equal(g.id[2], "tok_a");
    assert_string_equal(g.id[3], "tok_b");
    g = (struct got){0};
    assert_int_equal(OP(credential_list, rd, CRED_INTEGRATION, got_cred, &g), OK);
    assert_int_equal(g.n, 1);

    /* revoke once; a live token's name is unique, a revoked one's is free again */
    tx = conf_begin(f);
    assert_int_equal(OP(credential_revoke, tx, CRED_TOKEN, "tok_a", 9), OK);
    assert_int_equal(OP(credential_revoke, tx, CRED_TOKEN, "tok_a", 10), ERR_NOT_FOUND);
    assert_int_equal(OP(credential_revoke, tx, CRED_TOKEN, "tok_none", 10), ERR_NOT_FOUND);
    assert_int_equal(OP(credential_revoke, tx, CRED_INTEGRATION, "tok_b", 10), ERR_NOT_FOUND);
    struct store_credential again = token("tok_d", "ops", 'd', 9);
    assert_int_equal(OP(credential_insert, tx, &again), OK);
    conf_commit(f);
    assert_int_equal(OP(credential_get, rd, CRED_TOKEN, "tok_a", &got), OK);
    assert_int_equal(got.revoked_at, 9);
    store_credential_free_fields(&got);
    g = (struct got){0};
    assert_int_equal(OP(credential_list, rd, CRED_TOKEN, got_cred, &g), OK);
    assert_int_equal(g.n, 5); /* revoked ones are listed too */
    assert_int_equal(g.num[2], 9);

    tx = conf_begin(f); /* a live name again: ERR_CONFLICT */
    struct store_credential same_name = token("tok_e", "ci", 'e', 9);
    assert_int_equal(OP(credential_insert, tx, &same_name), ERR_CONFLICT);
    conf_rollback(f);
    tx = conf_begin(f); /* a hash again: ERR_CONFLICT */
    struct store_credential same_hash = token("tok_f", "new", 'b', 9);
    assert_int_equal(OP(credential_insert, tx, &same_hash), ERR_CONFLICT);
    conf_rollback(f);
    tx = conf_begin(f); /* an id again: ERR_CONFLICT */
    struct store_credential same_id = k;
    memset(same_id.hash, 'z', 64);
    assert_int_equal(OP(credential_insert, tx, &same_id), ERR_CONFLICT);
    conf_rollback(f);
}

/* ---- alerts ---- */

static int got_alert(const struct alert *a, void *ctx)
{
    return got_push(ctx, a->dedup_key, a->id);
}

static struct alert alert_of(const char *service, const char *dkey, const char *incident)
{
    return (struct alert){.scope = "int_a",
                          .integration_id = "int_a",
                          .source_kind = "generic",
                          .service = (char *)service,
                          .dedup_key = (char *)dkey,
                          .status = ALERT_FIRING,
                          .summary = "disk full",
                          .group_key = "g",
                          .incident_id = (char *)incident,
                          .first_seen = 10,
                          .last_seen = 10,
                          .repeat_count = 1};
}

static void test_alerts(void **state)
{
    struct conf *f = *state;
    struct alert a1 = alert_of("web", "d1", "INC-1");
    a1.labels = "{\"host\":\"a\"}";
    a1.details = "{\"x\":1}";
    a1.source = "prom";
    a1.severity = "critical";
    struct alert a2 = alert_of("db", "d2", "INC-1");
    struct alert a3 = alert_of("web", "d3", NULL);
    a3.silenced_by = "sil_a";
    int64_t id1 = 0, id2 = 0, id3 = 0, n = -1;
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(alert_insert, tx, &a1, &id1), OK);
    assert_int_equal(OP(alert_insert, tx, &a2, &id2), OK);
    assert_int_equal(OP(alert_insert, tx, &a3, &id3), OK);
    conf_commit(f);
    assert_true(id1 > 0 && id2 > id1 && id3 > id2); /* ids given by the store, increasing */
    struct store_conn *rd = conf_reader(f);

    struct alert got;
    assert_int_equal(OP(alert_find_open, rd, "int_a", "d1", &got), OK);
    assert_int_equal(got.id, id1);
    assert_string_equal(got.scope, "int_a");
    assert_string_equal(got.integration_id, "int_a");
    assert_string_equal(got.source_kind, "generic");
    assert_string_equal(got.service, "web");
    assert_int_equal(got.status, ALERT_FIRING);
    assert_string_equal(got.summary, "disk full");
    assert_string_equal(got.source, "prom");
    assert_string_equal(got.severity, "critical");
    assert_string_equal(got.labels, "{\"host\":\"a\"}");
    assert_string_equal(got.details, "{\"x\":1}");
    assert_string_equal(got.group_key, "g");
    assert_string_equal(got.incident_id, "INC-1");
    assert_null(got.silenced_by);
    assert_int_equal(got.first_seen, 10);
    assert_int_equal(got.repeat_count, 1);
    assert_int_equal(got.resolved_at, 0);
    alert_free_fields(&got);
    /* NULL labels and details are stored as "{}"; NULL source, severity, incident stay NULL */
    assert_int_equal(OP(alert_find_open, rd, "int_a", "d3", &got), OK);
    assert_string_equal(got.labels, "{}");
    assert_string_equal(got.details, "{}");
    assert_null(got.source);
    assert_null(got.severity);
    assert_null(got.incident_id);
    assert_string_equal(got.silenced_by, "sil_a");
    alert_free_fields(&got);
    assert_int_equal(OP(alert_find_open, rd, "int_b", "d1", &got), ERR_NOT_FOUND);
    assert_int_equal(OP(alert_count_open, rd, "INC-1", &n), OK);
    assert_int_equal(n, 2);
    assert_int_equal(OP(alert_count_open, rd, "INC-9", &n), OK);
    assert_int_equal(n, 0);

    /* update: status and what changes with it; an unknown id is ERR_NOT_FOUND */
    tx = conf_begin(f);
    assert_int_equal(OP(alert_find_open, tx, "int_a", "d2", &got), OK);
    got.status = ALERT_ACKNOWLEDGED;
    got.repeat_count = 3;
    got.last_seen = 20;
    assert_int_equal(OP(alert_update, tx, &got), OK);
    alert_free_fields(&got);
    assert_int_equal(OP(alert_find_open, tx, "int_a", "d1", &got), OK);
    got.status = ALERT_RESOLVED;
    got.resolved_at = 30;
    free(got.incident_id);
    got.incident_id = NULL;
    assert_int_equal(OP(alert_update, tx, &got), OK);
    got.id = id3 + 100;
    assert_int_equal(OP(alert_update, tx, &got), ERR_NOT_FOUND);
    alert_free_fields(&got);
    /* a resolved alert's dedup key is free for a new open one */
    int64_t id4 = 0;
    assert_int_equal(OP(alert_insert, tx, &a1, &id4), OK);
    assert_true(id4 > id3);
    conf_commit(f);
    assert_int_equal(OP(alert_find_open, rd, "int_a", "d1", &got), OK);
    assert_int_equal(got.id, id4);
    alert_free_fields(&got);
    assert_int_equal(OP(alert_find_open, rd, "int_a", "d2", &got), OK);
    assert_int_equal(got.status, ALERT_ACKNOWLEDGED);
    assert_int_equal(got.repeat_count, 3);
    assert_int_equal(got.last_seen, 20);
    alert_free_fields(&got);
    assert_int_equal(OP(alert_count_open, rd, "INC-1", &n), OK);
    assert_int_equal(n, 2); /* d2 (acknowledged) and the new d1 */

    /* list: newest first; filters by status bits, service, incident; limit */
    struct got g = {0};
    struct store_alert_filter all = {0};
    assert_int_equal(OP(alert_list, rd, &all, got_alert, &g), OK);
    assert_int_equal(g.n, 4);
    assert_int_equal(g.num[0], id4);
    assert_int_equal(g.num[3], id1);
    g = (struct got){0};
    struct store_alert_filter resolved = {.statuses = 1 << ALERT_RESOLVED};
    assert_int_equal(OP(alert_list, rd, &resolved, got_alert, &g), OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.num[0], id1);
    g = (struct got){0};
    struct store_alert_filter web = {.statuses = 1 << ALERT_FIRING, .service = "web"};
    assert_int_equal(OP(alert_list, rd, &web, got_alert, &g), OK);
    assert_int_equal(g.n, 2); /* d1 (new) and d3 */
    g = (struct got){0};
    struct store_alert_filter inc = {.incident_id = "INC-1", .limit = 1};
    assert_int_equal(OP(alert_list, rd, &inc, got_alert, &g), OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.num[0], id4);
    g = (struct got){.stop_after = 3};
    assert_int_equal(OP(alert_list, rd, &all, got_alert, &g), OK);
    assert_int_equal(g.n, 3);
    /* keyset paging: only ids below before_id, still newest first */
    g = (struct got){0};
    struct store_alert_filter before = {.before_id = id4, .limit = 2};
    assert_int_equal(OP(alert_list, rd, &before, got_alert, &g), OK);
    assert_int_equal(g.n, 2);
    assert_true(g.num[0] < id4 && g.num[1] < g.num[0]);
    g = (struct got){0};
    before = (struct store_alert_filter){.before_id = id1};
    assert_int_equal(OP(alert_list, rd, &before, got_alert, &g), OK);
    assert_int_equal(g.n, 0);

    /* one open alert per (scope, dedup key) */
    tx = conf_begin(f);
    int64_t id5 = 0;
    assert_int_equal(OP(alert_insert, tx, &a2, &id5), ERR_CONFLICT);
    conf_rollback(f);
}

/* retention: only resolved alerts resolved before the cut go, oldest first, at most limit */
static void test_alert_prune(void **state)
{
    struct conf *f = *state;
    struct alert p1 = alert_of("pr", "p1", NULL), p2 = alert_of("pr", "p2", NULL);
    struct alert p3 = alert_of("pr", "p3", NULL);
    p1.scope = p2.scope = p3.scope = "int_p";
    p1.status = p2.status = ALERT_RESOLVED;
    p1.resolved_at = 100;
    p2.resolved_at = 200;
    int64_t id = 0, n = -1;
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(alert_insert, tx, &p1, &id), OK);
    assert_int_equal(OP(alert_insert, tx, &p2, &id), OK);
    assert_int_equal(OP(alert_insert, tx, &p3, &id), OK); /* open, first seen at 10 */
    conf_commit(f);
    tx = conf_begin(f);
    assert_int_equal(OP(alert_prune, tx, 150, 1000, &n), OK);
    assert_true(n >= 1); /* p1 (and any earlier test's alert resolved before 150) */
    conf_commit(f);
    struct got g = {0};
    struct store_alert_filter pr = {.service = "pr"};
    assert_int_equal(OP(alert_list, conf_reader(f), &pr, got_alert, &g), OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.id[0], "p3");
    assert_string_equal(g.id[1], "p2");
    /* limit: the oldest id first; a rolled-back prune removed nothing */
    struct alert p4 = p1, p5 = p1;
    p4.dedup_key = "p4";
    p5.dedup_key = "p5";
    tx = conf_begin(f);
    assert_int_equal(OP(alert_insert, tx, &p4, &id), OK);
    assert_int_equal(OP(alert_insert, tx, &p5, &id), OK);
    conf_commit(f);
    tx = conf_begin(f);
    assert_int_equal(OP(alert_prune, tx, 150, 2, &n), OK);
    assert_int_equal(n, 2);
    conf_rollback(f);
    tx = conf_begin(f);
    assert_int_equal(OP(alert_prune, tx, 150, 1, &n), OK);
    assert_int_equal(n, 1);
    conf_commit(f);
    g = (struct got){0};
    assert_int_equal(OP(alert_list, conf_reader(f), &pr, got_alert, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "p5");
    tx = conf_begin(f);
    assert_int_equal(OP(alert_prune, tx, 150, 10, &n), OK);
    assert_int_equal(n, 1);
    assert_int_equal(OP(alert_prune, tx, 150, 10, &n), OK);
    assert_int_equal(n, 0);
    assert_int_equal(OP(alert_prune, tx, 201, 10, &n), OK);
    assert_int_equal(n, 1); /* p2; p3 is open and stays */
    conf_commit(f);
    g = (struct got){0};
    assert_int_equal(OP(alert_list, conf_reader(f), &pr, got_alert, &g), OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.id[0], "p3");
}

/* ---- silences ---- */

static int got_silence(const struct silence *s, void *ctx)
{
    return got_push(ctx, s->id, s->ends_at);
}

static int check_silence(const struct silence *s, void *ctx)
{
    (void)ctx;
    if (strcmp(s->id, "sil_a") == 0) {
        assert_null(s->service);
        assert_string_equal(s->matchers, "{}"); /* NULL matchers: everything */
    } else {
        assert_string_equal(s->service, "web");
        assert_string_equal(s->matchers, "{\"env\":\"prod\"}");
    }
    assert_string_equal(s->reason, "deploy");
    assert_string_equal(s->created_by, "alice");
    assert_int_equal(s->created_at, 1);
    return 0;
}

static void test_silences(void **state)
{
    struct conf *f = *state;
    struct silence a = {.id = "sil_a",
                        .starts_at = 10,
                        .ends_at = 100,
                        .reason = "deploy",
                        .created_by = "alice",
                        .created_at = 1};
    struct silence b = a, c = a, z;
    snprintf(b.id, sizeof b.id, "sil_b");
    b.service = "web";
    b.matchers = "{\"env\":\"prod\"}";
    b.starts_at = 5;
    snprintf(c.id, sizeof c.id, "sil_c");
    c.service = "web";
    c.matchers = b.matchers;
    c.ends_at = 50;
    z = c;
    snprintf(z.id, sizeof z.id, "sil_Z"); /* same start as sil_a: bytes put "sil_Z" first */
    z.ends_at = 100;
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(silence_insert, tx, &a), OK);
    assert_int_equal(OP(silence_insert, tx, &b), OK);
    assert_int_equal(OP(silence_insert, tx, &c), OK);
    assert_int_equal(OP(silence_insert, tx, &z), OK);
    conf_commit(f);
    struct store_conn *rd = conf_reader(f);

    /* by starts_at, then id; without expired ones: those whose end is after now */
    struct got g = {0};
    assert_int_equal(OP(silence_list, rd, false, 50, got_silence, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "sil_b");
    assert_string_equal(g.id[1], "sil_Z");
    assert_string_equal(g.id[2], "sil_a");
    g = (struct got){0};
    assert_int_equal(OP(silence_list, rd, true, 50, got_silence, &g), OK);
    assert_int_equal(g.n, 4);
    assert_string_equal(g.id[0], "sil_b");
    assert_string_equal(g.id[1], "sil_Z");
    assert_string_equal(g.id[2], "sil_a");
    assert_string_equal(g.id[3], "sil_c");
    assert_int_equal(OP(silence_list, rd, true, 0, check_silence, NULL), OK);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(silence_list, rd, true, 0, got_silence, &g), OK);
    assert_int_equal(g.n, 1);

    /* expire: ends it at now; ERR_NOT_FOUND when unknown or already ended by then */
    tx = conf_begin(f);
    assert_int_equal(OP(silence_expire, tx, "sil_a", 60), OK);
    assert_int_equal(OP(silence_expire, tx, "sil_a", 70), ERR_NOT_FOUND);
    assert_int_equal(OP(silence_expire, tx, "sil_c", 60), ERR_NOT_FOUND); /* ended at 50 */
    assert_int_equal(OP(silence_expire, tx, "sil_none", 60), ERR_NOT_FOUND);
    conf_commit(f);
    g = (struct got){0};
    assert_int_equal(OP(silence_list, rd, true, 0, got_silence, &g), OK);
    assert_int_equal(g.num[2], 60); /* sil_a ends at 60 now */
    g = (struct got){0};
    assert_int_equal(OP(silence_list, rd, false, 60, got_silence, &g), OK);
    assert_int_equal(g.n, 2);
    assert_string_equal(g.id[0], "sil_b");
    assert_string_equal(g.id[1], "sil_Z");

    tx = conf_begin(f);
    assert_int_equal(OP(silence_insert, tx, &a), ERR_CONFLICT);
    conf_rollback(f);
}

#define TESTS(X)                                                                                   \
    X(test_counters)                                                                               \
    X(test_incident_fields)                                                                        \
    X(test_incident_conflict)                                                                      \
    X(test_incident_list_and_counts)                                                               \
    X(test_timeline)                                                                               \
    X(test_audit_checkpoint)                                                                       \
    X(test_credentials)                                                                            \
    X(test_alerts)                                                                                 \
    X(test_alert_prune)                                                                            \
    X(test_silences)

CONF_MAIN(TESTS);
