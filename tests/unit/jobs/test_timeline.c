/*
 * Unit tests for timeline.c on a real SQLite store in a temp directory: the documented hash
 * encoding, appends through store_write jobs, verification, and tampering done behind the store's
 * back with the sqlite3 API (changed, deleted, swapped and truncated rows; UPDATE and DELETE
 * refused while the append-only triggers are in place). No clock is read: times are fixed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/store.h"
#include "store/timeline.h"
#include "jobs/timeline.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/timeutil.h"

#include "store/store_fixture.h"

/* ---- appends through the writer ---- */

struct append_job {
    int64_t now;
    const char *actor, *kind, *incident_id;
    json_t *data; /* given to timeline_append */
    bool fail_after;
    struct timeline_entry out;
};

static enum result append_fn(struct store_conn *tx, void *arg, struct error *err)
{
    struct append_job *a = arg;
    json_t *data = a->data;
    a->data = NULL;
    enum result result =
        timeline_append(tx, a->now, a->actor, a->kind, a->incident_id, data, &a->out, err);
    if (result == OK && a->fail_after)
        return error_set(err, ERR_UNPROCESSABLE, "test: refused after appending");
    return result;
}

/* Appends one entry; returns its copy (caller frees). */
static struct timeline_entry append(struct store *s, int64_t now, const char *actor,
                                    const char *kind, const char *incident_id, json_t *data)
{
    struct append_job a = {
        .now = now, .actor = actor, .kind = kind, .incident_id = incident_id, .data = data};
    struct error err = {0};
    enum result result = store_write(s, append_fn, &a, &err);
    if (result != OK)
        fail_msg("append: %s", err.message);
    return a.out;
}

/* Appends n entries, alternating incidents; returns the last hash. */
static void append_n(struct store *s, int n, char last_hash[SHA256_HEX_LEN])
{
    for (int i = 0; i < n; i++) {
        char inc[32];
        snprintf(inc, sizeof inc, "INC-2026-11-23-%03d", 1 + i % 2);
        struct timeline_entry e =
            append(s, T1 + i * MS_PER_MIN, "alice", "incident.note", i == 0 ? NULL : inc,
                   json_pack("{s:i,s:s}", "n", i, "text", "note"));
        assert_int_equal(e.seq, i + 1);
        memcpy(last_hash, e.hash, SHA256_HEX_LEN);
        timeline_entry_free(&e);
    }
}

static struct timeline_verify verify(struct store *s)
{
    struct error err = {0};
    struct store_conn *r = reader(s);
    struct timeline_verify v;
    if (timeline_verify(r, &v, &err) != OK)
        fail_msg("timeline_verify: %s", err.message);
    return v;
}

/* Runs SQL on the database file with a connection of our own, as an attacker would. */
static int tamper(const char *path, const char *sql, char *msg, size_t n)
{
    sqlite3 *db = NULL;
    char *m = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, NULL);
    if (rc == SQLITE_OK) {
        sqlite3_busy_timeout(db, 10000);
        rc = sqlite3_exec(db, sql, NULL, NULL, &m);
    }
    if (msg)
        snprintf(msg, n, "%s", m ? m : "");
    sqlite3_free(m);
    sqlite3_close(db);
    return rc;
}

#define DROP_TRIGGERS "DROP TRIGGER timeline_no_update; DROP TRIGGER timeline_no_delete; "

/* ---- timeline_hash ---- */

static void test_hash_encoding(void **state)
{
    struct timeline_entry e = {.seq = 1,
                               .at = 1000,
                               .actor = "alice",
                               .kind = "incident.created",
                               .incident_id = "INC-1",
                               .data = "{\"a\":1}"};
    char got[SHA256_HEX_LEN], want[SHA256_HEX_LEN];
    timeline_hash(timeline_genesis, &e, got);
    /* SHA-256( prev_hash_hex || [seq, at, actor, kind, incident_id, data] ) */
    const char *canon = "[1,1000,\"alice\",\"incident.created\",\"INC-1\",\"{\\\"a\\\":1}\"]";
    char *concat = malloc(strlen(timeline_genesis) + strlen(canon) + 1);
    strcpy(concat, timeline_genesis);
    strcat(concat, canon);
    crypto_sha256_hex(concat, strlen(concat), want);
    free(concat);
    assert_string_equal(got, want);
    assert_int_equal(strlen(got), 64);

    /* no incident: null in the array */
    e.incident_id = NULL;
    timeline_hash(timeline_genesis, &e, got);
    crypto_sha256_hex2(timeline_genesis,
                       "[1,1000,\"alice\",\"incident.created\",null,\"{\\\"a\\\":1}\"]", want);
    assert_string_equal(got, want);

    /* the genesis is 64 zeros */
    assert_int_equal(strlen(timeline_genesis), 64);
    assert_int_equal(strspn(timeline_genesis, "0"), 64);
}

static void test_hash_deterministic_and_sensitive(void **state)
{
    struct timeline_entry base = {.seq = 7,
                                  .at = T1,
                                  .actor = "alice",
                                  .kind = "incident.status",
                                  .incident_id = "INC-2026-11-23-001",
                                  .data = "{\"from\":\"triggered\",\"to\":\"acknowledged\"}"};
    char prev[SHA256_HEX_LEN], h0[SHA256_HEX_LEN], h[SHA256_HEX_LEN];
    crypto_sha256_hex("x", 1, prev);
    timeline_hash(prev, &base, h0);
    timeline_hash(prev, &base, h);
    assert_string_equal(h0, h);

    struct timeline_entry e;
#define CHANGED(field, value)                                                                      \
    do {                                                                                           \
        e = base;                                                                                  \
        e.field = value;                                                                           \
        timeline_hash(prev, &e, h);                                                                \
        if (strcmp(h, h0) == 0)                                                                    \
            fail_msg("changing " #field " does not change the hash");                              \
    } while (0)
    CHANGED(seq, 8);
    CHANGED(at, T1 + 1);
    CHANGED(actor, "alicf");
    CHANGED(actor, "");
    CHANGED(kind, "incident.statuS");
    CHANGED(incident_id, "INC-2026-11-23-002");
    CHANGED(incident_id, NULL);
    CHANGED(incident_id, "");
    CHANGED(data, "{\"from\":\"triggered\",\"to\":\"acknowledgeD\"}");
    CHANGED(data, "{}");
#undef CHANGED
    char prev2[SHA256_HEX_LEN];
    memcpy(prev2, prev, SHA256_HEX_LEN);
    prev2[0] = prev2[0] == 'a' ? 'b' : 'a';
    timeline_hash(prev2, &base, h);
    assert_string_not_equal(h, h0);

    /* fields cannot be shifted into one another (no ambiguous concatenation) */
    struct timeline_entry a = base, b = base;
    a.actor = "ab";
    a.kind = "c";
    b.actor = "a";
    b.kind = "bc";
    char ha[SHA256_HEX_LEN], hb[SHA256_HEX_LEN];
    timeline_hash(prev, &a, ha);
    timeline_hash(prev, &b, hb);
    assert_string_not_equal(ha, hb);

    /* invalid UTF-8 (only a tampered row holds it) hashes without crashing, to something else */
    e = base;
    e.actor = "\xff\xfe";
    timeline_hash(prev, &e, h);
    assert_int_equal(strlen(h), 64);
    assert_string_not_equal(h, h0);
}

/* An incremental pass: chained from a verified entry's hash, the prefix not read. */
static void test_verify_begin_after(void **state)
{
    (void)state;
    struct timeline_entry e[3];
    const char *prev = timeline_genesis;
    for (int i = 0; i < 3; i++) {
        e[i] = (struct timeline_entry){
            .seq = i + 1, .at = 1000, .actor = "a", .kind = "k", .data = "{}"};
        memcpy(e[i].prev_hash, prev, SHA256_HEX_LEN);
        timeline_hash(prev, &e[i], e[i].hash);
        prev = e[i].hash;
    }
    struct timeline_verifier tv;
    struct timeline_verify out;
    timeline_verify_begin_after(&tv, &out, 1, e[0].hash);
    assert_string_equal(out.head, e[0].hash); /* nothing after it yet: the head is its hash */
    timeline_verify_step(&tv, &e[1]);
    timeline_verify_step(&tv, &e[2]);
    assert_true(out.valid);
    assert_int_equal(out.entries, 2);
    assert_int_equal(out.first_break_at, -1);
    assert_string_equal(out.head, e[2].hash);

    /* a remembered hash the next entry does not chain from: broken at that entry */
    char other[SHA256_HEX_LEN];
    memset(other, 'f', 64);
    other[64] = '\0';
    timeline_verify_begin_after(&tv, &out, 1, other);
    timeline_verify_step(&tv, &e[1]);
    assert_false(out.valid);
    assert_int_equal(out.first_break_at, 2);

    /* the entry right after the checkpoint missing: broken at the one that follows */
    timeline_verify_begin_after(&tv, &out, 1, e[0].hash);
    timeline_verify_step(&tv, &e[2]);
    assert_false(out.valid);
    assert_int_equal(out.first_break_at, 3);
}

/* ---- append and verify ---- */

static void test_empty_timeline_verifies(void **state)
{
    struct fixture *f = *state;
    struct timeline_verify v = verify(f->store);
    assert_true(v.valid);
    assert_int_equal(v.entries, 0);
    assert_int_equal(v.first_break_at, -1);
    assert_string_equal(v.head, timeline_genesis);
}

static void test_append_chain(void **state)
{
    struct fixture *f = *state;
    char prev[SHA256_HEX_LEN];
    memcpy(prev, timeline_genesis, SHA256_HEX_LEN);
    for (int i = 1; i <= 10; i++) {
        struct timeline_entry e =
            append(f->store, T1 + i, i % 2 ? "alice" : "bob", "incident.note",
                   i % 3 ? "INC-2026-11-23-001" : NULL, json_pack("{s:i}", "i", i));
        assert_int_equal(e.seq, i);
        assert_int_equal(e.at, T1 + i);
        assert_string_equal(e.actor, i % 2 ? "alice" : "bob");
        assert_string_equal(e.prev_hash, prev);
        char want[SHA256_HEX_LEN];
        timeline_hash(prev, &e, want);
        assert_string_equal(e.hash, want);
        memcpy(prev, e.hash, SHA256_HEX_LEN);
        timeline_entry_free(&e);
    }
    struct timeline_verify v = verify(f->store);
    assert_true(v.valid);
    assert_int_equal(v.entries, 10);
    assert_int_equal(v.first_break_at, -1);
    assert_string_equal(v.head, prev);
}

static int collect_cb(const struct timeline_entry *e, void *ctx)
{
    int64_t *seqs = ctx;
    seqs[++seqs[0]] = e->seq;
    return 0;
}

static void test_append_data_canonical(void **state)
{
    struct fixture *f = *state;
    /* data NULL is {}, keys are sorted, the text is compact */
    struct timeline_entry e = append(f->store, T1, "system", "config.reloaded", NULL, NULL);
    assert_string_equal(e.data, "{}");
    assert_null(e.incident_id);
    timeline_entry_free(&e);
    e = append(f->store, T1, "system", "x", "INC-1",
               json_pack("{s:i,s:i,s:{s:i,s:i}}", "b", 1, "a", 2, "c", "z", 1, "y", 2));
    assert_string_equal(e.data, "{\"a\":2,\"b\":1,\"c\":{\"y\":2,\"z\":1}}");
    timeline_entry_free(&e);

    /* the stored entries read back the same, per incident too */
    struct store_conn *r = reader(f->store);
    int64_t seqs[16] = {0};
    assert_int_equal(store_timeline_scan(r, "INC-1", collect_cb, seqs), OK);
    assert_int_equal(seqs[0], 1);
    assert_int_equal(seqs[1], 2);
    struct timeline_verify v = verify(f->store);
    assert_true(v.valid);
    assert_int_equal(v.entries, 2);
}

static void test_append_rolled_back_frees_seq(void **state)
{
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN];
    append_n(f->store, 3, head);

    struct append_job a = {.now = T1, .actor = "mallory", .kind = "x", .fail_after = true};
    struct error err = {0};
    assert_int_equal(store_write(f->store, append_fn, &a, &err), ERR_UNPROCESSABLE);
    assert_string_equal(err.message, "test: refused after appending");
    assert_int_equal(a.out.seq, 4); /* it was appended, then undone */
    timeline_entry_free(&a.out);

    struct timeline_verify v = verify(f->store);
    assert_true(v.valid);
    assert_int_equal(v.entries, 3);
    assert_string_equal(v.head, head);

    struct timeline_entry e = append(f->store, T1, "alice", "incident.note", NULL, NULL);
    assert_int_equal(e.seq, 4);
    assert_string_equal(e.prev_hash, head);
    timeline_entry_free(&e);
    v = verify(f->store);
    assert_true(v.valid);
    assert_int_equal(v.entries, 4);
}

struct thread_arg {
    struct store *store;
    int id, n, failures;
};

static void *append_thread(void *p)
{
    struct thread_arg *t = p;
    for (int i = 0; i < t->n; i++) {
        char actor[32];
        snprintf(actor, sizeof actor, "thread-%d", t->id);
        struct append_job a = {.now = T1 + i,
                               .actor = actor,
                               .kind = "incident.note",
                               .data = json_pack("{s:i,s:i}", "t", t->id, "i", i)};
        struct error err = {0};
        if (store_write(t->store, append_fn, &a, &err) != OK)
            t->failures++;
        timeline_entry_free(&a.out);
    }
    return NULL;
}

static void test_concurrent_appends_stay_linear(void **state)
{
    struct fixture *f = *state;
    enum { THREADS = 6, EACH = 20 };
    pthread_t th[THREADS];
    struct thread_arg args[THREADS];
    for (int i = 0; i < THREADS; i++) {
        args[i] = (struct thread_arg){.store = f->store, .id = i, .n = EACH};
        assert_int_equal(pthread_create(&th[i], NULL, append_thread, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        pthread_join(th[i], NULL);
        assert_int_equal(args[i].failures, 0);
    }
    struct timeline_verify v = verify(f->store);
    assert_true(v.valid);
    assert_int_equal(v.entries, THREADS * EACH);
    assert_int_equal(v.first_break_at, -1);
}

/* ---- tampering ---- */

static void tamper_ok(const char *path, const char *sql)
{
    char msg[256];
    int rc = tamper(path, sql, msg, sizeof msg);
    if (rc != SQLITE_OK)
        fail_msg("tamper \"%s\": %d %s", sql, rc, msg);
}

static void test_update_and_delete_refused(void **state)
{
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN], msg[256];
    append_n(f->store, 5, head);

    int rc =
        tamper(f->path, "UPDATE timeline SET data = '{\"n\":99}' WHERE seq = 3", msg, sizeof msg);
    assert_int_not_equal(rc, SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    rc = tamper(f->path, "DELETE FROM timeline WHERE seq = 3", msg, sizeof msg);
    assert_int_not_equal(rc, SQLITE_OK);
    assert_non_null(strstr(msg, "append-only"));
    rc = tamper(f->path, "DELETE FROM timeline", msg, sizeof msg);
    assert_int_not_equal(rc, SQLITE_OK);

    struct timeline_verify v = verify(f->store);
    assert_true(v.valid);
    assert_int_equal(v.entries, 5);
    assert_string_equal(v.head, head);
}

static void test_tamper_data(void **state)
{
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN];
    append_n(f->store, 6, head);
    tamper_ok(f->path, DROP_TRIGGERS "UPDATE timeline SET data = '{\"n\":99,\"text\":\"note\"}' "
                                     "WHERE seq = 4");
    struct timeline_verify v = verify(f->store);
    assert_false(v.valid);
    assert_int_equal(v.first_break_at, 4);
    assert_int_equal(v.entries, 6);
    assert_string_equal(v.head, head); /* the stored head is still the last row's hash */
}

static void test_tamper_each_column(void **state)
{
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN];
    append_n(f->store, 8, head);
    tamper_ok(f->path, DROP_TRIGGERS);
    static const struct {
        const char *set;
        int seq;
    } cases[] = {
        {"actor = 'mallory'", 8},
        {"kind = 'incident.deleted'", 7},
        {"at = at + 1", 6},
        {"incident_id = 'INC-2026-11-23-009'", 5},
        {"incident_id = NULL", 4},
        {"data = 'not json'", 3},
        {"actor = CAST(X'FFFE' AS TEXT)", 2}, /* invalid UTF-8 */
        {"hash = '0000000000000000000000000000000000000000000000000000000000000001'", 1},
    };
    /* each change, made from the last row backwards, moves the first break to its row */
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char sql[256];
        snprintf(sql, sizeof sql, "UPDATE timeline SET %s WHERE seq = %d", cases[i].set,
                 cases[i].seq);
        tamper_ok(f->path, sql);
        struct timeline_verify v = verify(f->store);
        assert_false(v.valid);
        if (v.first_break_at != cases[i].seq)
            fail_msg("after %s: break at %lld, want %d", sql, (long long)v.first_break_at,
                     cases[i].seq);
        assert_int_equal(v.entries, 8);
    }
}

/* Copies the entry with seq == want out of a scan. */
struct grab {
    int64_t want;
    struct timeline_entry e;
    char actor[32], kind[32], inc[32], data[128];
};

static int grab_cb(const struct timeline_entry *e, void *ctx)
{
    struct grab *g = ctx;
    if (e->seq != g->want)
        return 0;
    g->e = *e;
    snprintf(g->actor, sizeof g->actor, "%s", e->actor);
    snprintf(g->kind, sizeof g->kind, "%s", e->kind);
    snprintf(g->data, sizeof g->data, "%s", e->data);
    g->e.actor = g->actor;
    g->e.kind = g->kind;
    g->e.data = g->data;
    if (e->incident_id) {
        snprintf(g->inc, sizeof g->inc, "%s", e->incident_id);
        g->e.incident_id = g->inc;
    }
    return 1;
}

static void test_tamper_rehash_one_row(void **state)
{
    /* an attacker who recomputes the changed row's own hash still breaks the next row */
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN];
    append_n(f->store, 5, head);

    struct store_conn *r = reader(f->store);
    struct grab g = {.want = 3};
    assert_int_equal(store_timeline_scan(r, NULL, grab_cb, &g), OK);
    assert_int_equal(g.e.seq, 3);
    char check[SHA256_HEX_LEN];
    timeline_hash(g.e.prev_hash, &g.e, check);
    assert_string_equal(check, g.e.hash);

    snprintf(g.data, sizeof g.data, "{\"n\":2,\"text\":\"forged\"}");
    char forged[SHA256_HEX_LEN];
    timeline_hash(g.e.prev_hash, &g.e, forged);
    char sql[512];
    snprintf(sql, sizeof sql,
             DROP_TRIGGERS "UPDATE timeline SET data = '%s', hash = '%s' WHERE seq = 3", g.data,
             forged);
    tamper_ok(f->path, sql);
    struct timeline_verify v = verify(f->store);
    assert_false(v.valid);
    assert_int_equal(v.first_break_at, 4);
}

static void test_tamper_delete_middle(void **state)
{
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN];
    append_n(f->store, 6, head);
    tamper_ok(f->path, DROP_TRIGGERS "DELETE FROM timeline WHERE seq = 3");
    struct timeline_verify v = verify(f->store);
    assert_false(v.valid);
    assert_int_equal(v.first_break_at, 4);
    assert_int_equal(v.entries, 5);
}

static void test_tamper_delete_first(void **state)
{
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN];
    append_n(f->store, 4, head);
    tamper_ok(f->path, DROP_TRIGGERS "DELETE FROM timeline WHERE seq = 1");
    struct timeline_verify v = verify(f->store);
    assert_false(v.valid);
    assert_int_equal(v.first_break_at, 2);
    assert_int_equal(v.entries, 3);
}

static void test_tamper_swap_rows(void **state)
{
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN];
    append_n(f->store, 5, head);
    /* swap the contents of rows 2 and 3, hashes included */
    tamper_ok(f->path, DROP_TRIGGERS "UPDATE timeline SET seq = -2 WHERE seq = 2; "
                                     "UPDATE timeline SET seq = 2 WHERE seq = 3; "
                                     "UPDATE timeline SET seq = 3 WHERE seq = -2;");
    struct timeline_verify v = verify(f->store);
    assert_false(v.valid);
    assert_int_equal(v.first_break_at, 2);
}

static void test_tamper_truncate_caught_by_head(void **state)
{
    /* dropping the newest rows leaves a valid chain: a kept copy of the head catches it */
    struct fixture *f = *state;
    char head[SHA256_HEX_LEN];
    append_n(f->store, 5, head);
    struct timeline_verify v = verify(f->store);
    assert_string_equal(v.head, head);
    tamper_ok(f->path, DROP_TRIGGERS "DELETE FROM timeline WHERE seq >= 4");
    v = verify(f->store);
    assert_true(v.valid);
    assert_int_equal(v.entries, 3);
    assert_string_not_equal(v.head, head);
}

/* ---- API JSON ---- */

static void test_entry_json(void **state)
{
    struct timeline_entry e = {.seq = 12,
                               .at = T1 + 250,
                               .actor = "alice",
                               .kind = "incident.status",
                               .incident_id = "INC-2026-11-23-001",
                               .data = "{\"from\":\"triggered\",\"to\":\"resolved\"}"};
    memcpy(e.prev_hash, timeline_genesis, SHA256_HEX_LEN);
    timeline_hash(e.prev_hash, &e, e.hash);
    json_t *j = timeline_entry_json(&e);
    assert_non_null(j);
    assert_int_equal(json_integer_value(json_object_get(j, "seq")), 12);
    assert_string_equal(json_string_value(json_object_get(j, "at")), "2026-11-23T09:25:32Z");
    assert_string_equal(json_string_value(json_object_get(j, "actor")), "alice");
    assert_string_equal(json_string_value(json_object_get(j, "kind")), "incident.status");
    assert_string_equal(json_string_value(json_object_get(j, "incident_id")), "INC-2026-11-23-001");
    json_t *data = json_object_get(j, "data");
    assert_true(json_is_object(data));
    assert_string_equal(json_string_value(json_object_get(data, "to")), "resolved");
    assert_string_equal(json_string_value(json_object_get(j, "prev_hash")), timeline_genesis);
    assert_string_equal(json_string_value(json_object_get(j, "hash")), e.hash);
    json_decref(j);

    /* no incident: null; unparsable data (a tampered row) comes back as a string */
    e.incident_id = NULL;
    e.data = "not json";
    j = timeline_entry_json(&e);
    assert_non_null(j);
    assert_true(json_is_null(json_object_get(j, "incident_id")));
    assert_string_equal(json_string_value(json_object_get(j, "data")), "not json");
    json_decref(j);
}

int main(void)
{
    crypto_init();
    log_set_level(LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_hash_encoding),
        cmocka_unit_test(test_hash_deterministic_and_sensitive),
        cmocka_unit_test(test_entry_json),
        cmocka_unit_test(test_verify_begin_after),
        cmocka_unit_test_setup_teardown(test_empty_timeline_verifies, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_chain, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_data_canonical, setup, teardown),
        cmocka_unit_test_setup_teardown(test_append_rolled_back_frees_seq, setup, teardown),
        cmocka_unit_test_setup_teardown(test_concurrent_appends_stay_linear, setup, teardown),
        cmocka_unit_test_setup_teardown(test_update_and_delete_refused, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_data, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_each_column, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_rehash_one_row, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete_middle, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_delete_first, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_swap_rows, setup, teardown),
        cmocka_unit_test_setup_teardown(test_tamper_truncate_caught_by_head, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
