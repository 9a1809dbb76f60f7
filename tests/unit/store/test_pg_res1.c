/*
 * test_pg_res1: the PostgreSQL backend's incidents, timeline, credentials, alerts and silences
 * (src/store/pg/) against a real server, called through their backend tables: the cases where
 * SQL translation could drift from SQLite's (list order of ids by length then bytes, status bit
 * filters, "no limit", RETURNING ids, ERR_NOT_FOUND on updates that match nothing, NULL columns).
 * Runs when TOCSIN_TEST_PG names the socket directory of a running cluster
 * (scripts/pg_cluster.sh); skipped with a message otherwise. Each test gets a fresh database.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "store/alerts.h"
#include "store/credentials.h"
#include "store/incidents.h"
#include "store/pg/pg.h"
#include "store/silences.h"
#include "store/store.h"
#include "store/timeline.h"

#include "store/pg_fixture.h"

struct ids {
    char got[8][32];
    int n;
};

static int collect_incident(const struct incident *inc, void *ctx)
{
    struct ids *ids = ctx;
    snprintf(ids->got[ids->n++], sizeof ids->got[0], "%s", inc->id);
    return ids->n == 8;
}

static void put_incident(struct pg_conn *w, const char *id, enum incident_status st, int64_t at)
{
    struct incident inc = {.title = "t",
                           .severity = "sev1",
                           .channel = "c",
                           .status = st,
                           .created_at = at,
                           .updated_at = at};
    snprintf(inc.id, sizeof inc.id, "%s", id);
    assert_int_equal(store_pg_incident_ops.incident_insert(w, &inc), OK);
}

static void test_incidents(void **state)
{
    struct pg_conn *w = ((struct fixture *)*state)->w;
    int64_t v = 0;
    assert_int_equal(store_pg_incident_ops.counter_next(w, "k", &v), OK);
    assert_int_equal(v, 1);
    assert_int_equal(store_pg_incident_ops.counter_next(w, "k", &v), OK);
    assert_int_equal(v, 2);
    put_incident(w, "INC-1-999", INC_TRIGGERED, 5);
    put_incident(w, "INC-1-1000", INC_RESOLVED, 5);
    put_incident(w, "INC-1-998", INC_ACKNOWLEDGED, 4);
    assert_int_equal(
        store_pg_incident_ops.incident_insert(
            w,
            &(struct incident){.id = "INC-1-998", .title = "t", .severity = "s", .channel = "c"}),
        ERR_CONFLICT);
    struct ids ids = {0};
    struct store_incident_filter all = {0};
    assert_int_equal(store_pg_incident_ops.incident_list(w, &all, collect_incident, &ids), OK);
    assert_int_equal(ids.n, 3);
    assert_string_equal(ids.got[0], "INC-1-1000");
    assert_string_equal(ids.got[1], "INC-1-999");
    assert_string_equal(ids.got[2], "INC-1-998");
    ids.n = 0;
    struct store_incident_filter some = {.statuses = (1 << INC_TRIGGERED) | (1 << INC_ACKNOWLEDGED),
                                         .limit = 1};
    assert_int_equal(store_pg_incident_ops.incident_list(w, &some, collect_incident, &ids), OK);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.got[0], "INC-1-999");

    struct incident got;
    assert_int_equal(store_pg_incident_ops.incident_get(w, "INC-1-999", &got), OK);
    assert_int_equal(got.status, INC_TRIGGERED);
    assert_null(got.summary);
    assert_int_equal(got.acknowledged_at, 0);
    got.drill = true;
    got.acknowledged_at = 7;
    got.group_key = strdup("g");
    assert_int_equal(store_pg_incident_ops.incident_update(w, &got), OK);
    incident_free_fields(&got);
    assert_int_equal(store_pg_incident_ops.incident_find_open_group(w, "g", &got), OK);
    assert_string_equal(got.id, "INC-1-999");
    assert_true(got.drill);
    assert_int_equal(got.acknowledged_at, 7);
    snprintf(got.id, sizeof got.id, "INC-none");
    assert_int_equal(store_pg_incident_ops.incident_update(w, &got), ERR_NOT_FOUND);
    incident_free_fields(&got);
    assert_int_equal(store_pg_incident_ops.incident_get(w, "INC-none", &got), ERR_NOT_FOUND);
    assert_int_equal(store_pg_incident_ops.incident_find_open_group(w, "h", &got), ERR_NOT_FOUND);
    /* an id that is not UTF-8 (from a URL) is not found, as in SQLite, not a failed query */
    assert_int_equal(store_pg_incident_ops.incident_get(w, "\xff\xfe", &got), ERR_NOT_FOUND);
    int n = -1;
    assert_int_equal(store_pg_timeline_ops.timeline_scan(w, "\xff", NULL, &n), OK);
    assert_int_equal(n, -1);
}

static int count_tl(const struct timeline_entry *e, void *ctx)
{
    int *n = ctx;
    assert_int_equal(e->seq, *n + 1);
    if (e->seq == 1)
        assert_null(e->incident_id);
    else
        assert_string_equal(e->incident_id, "INC-1");
    (*n)++;
    return 0;
}

static void test_timeline(void **state)
{
    struct pg_conn *w = ((struct fixture *)*state)->w;
    int64_t seq = -1;
    char hash[SHA256_HEX_LEN];
    assert_int_equal(store_pg_timeline_ops.timeline_last(w, &seq, hash), OK);
    assert_int_equal(seq, 0);
    assert_memory_equal(hash, timeline_genesis, SHA256_HEX_LEN);
    struct timeline_entry e = {.seq = 1, .at = 1, .actor = "a", .kind = "k", .data = "{}"};
    memset(e.prev_hash, '0', 64);
    memset(e.hash, 'a', 64);
    assert_int_equal(store_pg_timeline_ops.timeline_insert(w, &e), OK);
    e.seq = 2;
    e.incident_id = "INC-1";
    memset(e.hash, 'b', 64);
    assert_int_equal(store_pg_timeline_ops.timeline_insert(w, &e), OK);
    assert_int_equal(store_pg_timeline_ops.timeline_insert(w, &e), ERR_CONFLICT);
    assert_int_equal(store_pg_timeline_ops.timeline_last(w, &seq, hash), OK);
    assert_int_equal(seq, 2);
    assert_string_equal(hash, e.hash);
    int n = 0;
    assert_int_equal(store_pg_timeline_ops.timeline_scan(w, NULL, count_tl, &n), OK);
    assert_int_equal(n, 2);
    n = 1;
    assert_int_equal(store_pg_timeline_ops.timeline_scan(w, "INC-1", count_tl, &n), OK);
    assert_int_equal(n, 2);
}

static int collect_cred(const struct store_credential *cr, void *ctx)
{
    struct ids *ids = ctx;
    snprintf(ids->got[ids->n++], sizeof ids->got[0], "%s", cr->id);
    return 0;
}

static void test_credentials(void **state)
{
    struct pg_conn *w = ((struct fixture *)*state)->w;
    struct store_credential t = {
        .kind = CRED_TOKEN, .id = "tok_b", .name = "n", .role = "admin", .created_at = 3};
    memset(t.hash, 'c', 64);
    assert_int_equal(store_pg_credential_ops.credential_insert(w, &t), OK);
    struct store_credential k = {.kind = CRED_INTEGRATION,
                                 .id = "int_a",
                                 .name = "n",
                                 .service = "web",
                                 .type = "generic",
                                 .created_at = 3};
    memset(k.hash, 'd', 64);
    assert_int_equal(store_pg_credential_ops.credential_insert(w, &k), OK);
    snprintf(t.id, sizeof t.id, "tok_a");
    assert_int_equal(store_pg_credential_ops.credential_insert(w, &t), ERR_CONFLICT); /* hash */
    memset(t.hash, 'e', 64);
    t.name = "m";
    assert_int_equal(store_pg_credential_ops.credential_insert(w, &t), OK);
    struct store_credential got;
    assert_int_equal(
        store_pg_credential_ops.credential_find_hash(w, CRED_INTEGRATION, k.hash, &got), OK);
    assert_string_equal(got.id, "int_a");
    assert_string_equal(got.service, "web");
    assert_null(got.role);
    assert_int_equal(got.revoked_at, 0);
    store_credential_free_fields(&got);
    assert_int_equal(store_pg_credential_ops.credential_get(w, CRED_TOKEN, "int_a", &got),
                     ERR_NOT_FOUND);
    struct ids ids = {0};
    assert_int_equal(store_pg_credential_ops.credential_list(w, CRED_TOKEN, collect_cred, &ids),
                     OK);
    assert_int_equal(ids.n, 2);
    assert_string_equal(ids.got[0], "tok_a");
    assert_int_equal(store_pg_credential_ops.credential_revoke(w, CRED_TOKEN, "tok_a", 9), OK);
    assert_int_equal(store_pg_credential_ops.credential_revoke(w, CRED_TOKEN, "tok_a", 9),
                     ERR_NOT_FOUND);
    assert_int_equal(store_pg_credential_ops.credential_revoke(w, CRED_TOKEN, "\xff\xfe", 9),
                     ERR_NOT_FOUND);
    assert_int_equal(store_pg_credential_ops.credential_get(w, CRED_TOKEN, "tok_a", &got), OK);
    assert_int_equal(got.revoked_at, 9);
    store_credential_free_fields(&got);
}

static int collect_alert(const struct alert *a, void *ctx)
{
    struct ids *ids = ctx;
    snprintf(ids->got[ids->n++], sizeof ids->got[0], "%lld", (long long)a->id);
    return 0;
}

static void test_alerts(void **state)
{
    struct pg_conn *w = ((struct fixture *)*state)->w;
    struct alert a = {.scope = "s",
                      .source_kind = "generic",
                      .service = "web",
                      .dedup_key = "d",
                      .status = ALERT_FIRING,
                      .summary = "x",
                      .group_key = "g",
                      .incident_id = "INC-1",
                      .first_seen = 1,
                      .last_seen = 1,
                      .repeat_count = 1};
    int64_t id1 = 0, id2 = 0, n = -1;
    assert_int_equal(store_pg_alert_ops.alert_insert(w, &a, &id1), OK);
    assert_int_equal(store_pg_alert_ops.alert_insert(w, &a, &id2), ERR_CONFLICT); /* open dedup */
    a.dedup_key = "e";
    a.service = "db";
    assert_int_equal(store_pg_alert_ops.alert_insert(w, &a, &id2), OK);
    assert_true(id2 > id1 && id1 > 0);
    assert_int_equal(store_pg_alert_ops.alert_count_open(w, "INC-1", &n), OK);
    assert_int_equal(n, 2);
    struct alert got;
    assert_int_equal(store_pg_alert_ops.alert_find_open(w, "s", "e", &got), OK);
    assert_int_equal(got.id, id2);
    assert_string_equal(got.labels, "{}");
    assert_null(got.silenced_by);
    got.status = ALERT_RESOLVED;
    got.resolved_at = 4;
    got.repeat_count = 3;
    assert_int_equal(store_pg_alert_ops.alert_update(w, &got), OK);
    got.id = 999;
    assert_int_equal(store_pg_alert_ops.alert_update(w, &got), ERR_NOT_FOUND);
    alert_free_fields(&got);
    assert_int_equal(store_pg_alert_ops.alert_find_open(w, "s", "e", &got), ERR_NOT_FOUND);
    assert_int_equal(store_pg_alert_ops.alert_count_open(w, "INC-1", &n), OK);
    assert_int_equal(n, 1);
    struct ids ids = {0};
    struct store_alert_filter all = {0};
    assert_int_equal(store_pg_alert_ops.alert_list(w, &all, collect_alert, &ids), OK);
    assert_int_equal(ids.n, 2);
    assert_int_equal(atoll(ids.got[0]), id2); /* newest first */
    ids.n = 0;
    struct store_alert_filter firing = {.statuses = 1 << ALERT_FIRING, .service = "web"};
    assert_int_equal(store_pg_alert_ops.alert_list(w, &firing, collect_alert, &ids), OK);
    assert_int_equal(ids.n, 1);
    ids.n = 0;
    struct store_alert_filter none = {.service = "db", .incident_id = "INC-2", .limit = 1};
    assert_int_equal(store_pg_alert_ops.alert_list(w, &none, collect_alert, &ids), OK);
    assert_int_equal(ids.n, 0);
}

static int collect_silence(const struct silence *s, void *ctx)
{
    struct ids *ids = ctx;
    snprintf(ids->got[ids->n++], sizeof ids->got[0], "%s", s->id);
    return 0;
}

static void test_silences(void **state)
{
    struct pg_conn *w = ((struct fixture *)*state)->w;
    struct silence s = {.id = "sil_b",
                        .starts_at = 1,
                        .ends_at = 100,
                        .reason = "r",
                        .created_by = "u",
                        .created_at = 1};
    assert_int_equal(store_pg_silence_ops.silence_insert(w, &s), OK);
    snprintf(s.id, sizeof s.id, "sil_a");
    s.service = "web";
    assert_int_equal(store_pg_silence_ops.silence_insert(w, &s), OK);
    assert_int_equal(store_pg_silence_ops.silence_insert(w, &s), ERR_CONFLICT);
    assert_int_equal(store_pg_silence_ops.silence_expire(w, "sil_b", 50), OK);
    assert_int_equal(store_pg_silence_ops.silence_expire(w, "sil_b", 60), ERR_NOT_FOUND);
    assert_int_equal(store_pg_silence_ops.silence_expire(w, "sil_none", 60), ERR_NOT_FOUND);
    assert_int_equal(store_pg_silence_ops.silence_expire(w, "\xc3\x28", 60), ERR_NOT_FOUND);
    struct ids ids = {0};
    assert_int_equal(store_pg_silence_ops.silence_list(w, false, 60, collect_silence, &ids), OK);
    assert_int_equal(ids.n, 1);
    assert_string_equal(ids.got[0], "sil_a");
    ids.n = 0;
    assert_int_equal(store_pg_silence_ops.silence_list(w, true, 60, collect_silence, &ids), OK);
    assert_int_equal(ids.n, 2);
    assert_string_equal(ids.got[0], "sil_a");
}

int main(void)
{
    if (pg_fixture_skip("test_pg_res1"))
        return 0;
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_incidents, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeline, setup, teardown),
        cmocka_unit_test_setup_teardown(test_credentials, setup, teardown),
        cmocka_unit_test_setup_teardown(test_alerts, setup, teardown),
        cmocka_unit_test_setup_teardown(test_silences, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
