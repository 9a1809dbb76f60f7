/*
 * test_conformance_followup: the store conformance suite, part 4: the UI's logins and sessions,
 * post-mortems, checklist items and action items, the same assertions on SQLite and on
 * PostgreSQL (conformance.h). Parts 1 to 3: test_conformance.c, test_conformance_work.c,
 * test_conformance_notify.c. Ids that differ only in case ("Zeta", "alpha") check that ties sort
 * in byte order on both (the PostgreSQL database has a linguistic collation).
 */
#define CONF_FILE "test_conformance_followup"
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

/* ---- logins and sessions ---- */

/* A session id hash: 64 times c. */
static void hash_of(char c, char out[SHA256_HEX_LEN])
{
    memset(out, c, SHA256_HEX_LEN - 1);
    out[SHA256_HEX_LEN - 1] = '\0';
}

static void put_session(struct store_conn *tx, char c, const char *user, int64_t created)
{
    struct store_session s = {.created_at = created, .expires_at = created + 1000};
    hash_of(c, s.id_hash);
    snprintf(s.user, sizeof s.user, "%s", user);
    snprintf(s.role, sizeof s.role, "responder");
    snprintf(s.csrf, sizeof s.csrf, "csrf-%c", c);
    assert_int_equal(OP(session_insert, tx, &s), OK);
}

static void test_logins(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct store_login out;
    assert_int_equal(OP(login_get, rd, "alice", &out), ERR_NOT_FOUND);

    struct store_conn *tx = conf_begin(f);
    struct store_login l = {.updated_at = 10};
    snprintf(l.user, sizeof l.user, "alice");
    snprintf(l.hash, sizeof l.hash, "$argon2id$v=19$first");
    snprintf(l.role, sizeof l.role, "responder");
    assert_int_equal(OP(login_set, tx, &l), OK);
    snprintf(l.user, sizeof l.user, "bob");
    snprintf(l.role, sizeof l.role, "viewer");
    assert_int_equal(OP(login_set, tx, &l), OK);
    conf_commit(f);
    assert_int_equal(OP(login_get, rd, "alice", &out), OK);
    assert_string_equal(out.user, "alice");
    assert_string_equal(out.hash, "$argon2id$v=19$first");
    assert_string_equal(out.role, "responder");
    assert_int_equal(out.updated_at, 10);

    /* setting it again replaces the hash, the role and the time (one row per user) */
    tx = conf_begin(f);
    snprintf(l.user, sizeof l.user, "alice");
    snprintf(l.hash, sizeof l.hash, "$argon2id$v=19$second");
    snprintf(l.role, sizeof l.role, "admin");
    l.updated_at = 20;
    assert_int_equal(OP(login_set, tx, &l), OK);
    assert_int_equal(OP(login_get, tx, "alice", &out), OK); /* read in the transaction */
    assert_string_equal(out.hash, "$argon2id$v=19$second");
    conf_commit(f);
    assert_int_equal(OP(login_get, rd, "alice", &out), OK);
    assert_string_equal(out.hash, "$argon2id$v=19$second");
    assert_string_equal(out.role, "admin");
    assert_int_equal(out.updated_at, 20);
    assert_int_equal(OP(login_get, rd, "bob", &out), OK); /* the other user's untouched */
    assert_string_equal(out.role, "viewer");
    assert_int_equal(out.updated_at, 10);
    assert_int_equal(OP(login_get, rd, "Alice", &out), ERR_NOT_FOUND); /* exact match */

    /* a rolled-back change is not stored */
    tx = conf_begin(f);
    snprintf(l.role, sizeof l.role, "viewer");
    assert_int_equal(OP(login_set, tx, &l), OK);
    conf_rollback(f);
    assert_int_equal(OP(login_get, rd, "alice", &out), OK);
    assert_string_equal(out.role, "admin");
}

static void test_sessions(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct store_session out;
    char a[SHA256_HEX_LEN], b[SHA256_HEX_LEN], c[SHA256_HEX_LEN], z[SHA256_HEX_LEN];
    hash_of('a', a);
    hash_of('b', b);
    hash_of('c', c);
    hash_of('f', z);
    assert_int_equal(OP(session_get, rd, a, &out), ERR_NOT_FOUND);

    struct store_conn *tx = conf_begin(f);
    put_session(tx, 'a', "alice", 100);
    put_session(tx, 'b', "alice", 110);
    put_session(tx, 'c', "bob", 120);
    conf_commit(f);
    assert_int_equal(OP(session_get, rd, a, &out), OK);
    assert_string_equal(out.id_hash, a);
    assert_string_equal(out.user, "alice");
    assert_string_equal(out.role, "responder");
    assert_string_equal(out.csrf, "csrf-a");
    assert_int_equal(out.created_at, 100);
    assert_int_equal(out.expires_at, 1100);
    assert_int_equal(out.revoked_at, 0); /* live: NULL in the table, 0 here */
    assert_int_equal(OP(session_get, rd, z, &out), ERR_NOT_FOUND);

    /* a repeated id hash is a conflict (the transaction is then rolled back, as callers do) */
    tx = conf_begin(f);
    struct store_session dup = {.created_at = 1, .expires_at = 2};
    snprintf(dup.id_hash, sizeof dup.id_hash, "%s", a);
    snprintf(dup.user, sizeof dup.user, "mallory");
    snprintf(dup.role, sizeof dup.role, "admin");
    snprintf(dup.csrf, sizeof dup.csrf, "x");
    assert_int_equal(OP(session_insert, tx, &dup), ERR_CONFLICT);
    conf_rollback(f);
    assert_int_equal(OP(session_get, rd, a, &out), OK);
    assert_string_equal(out.user, "alice");

    /* revoke: once; unknown or already revoked is not found */
    tx = conf_begin(f);
    assert_int_equal(OP(session_revoke, tx, a, 500), OK);
    assert_int_equal(OP(session_revoke, tx, a, 600), ERR_NOT_FOUND);
    assert_int_equal(OP(session_revoke, tx, z, 600), ERR_NOT_FOUND);
    conf_commit(f);
    assert_int_equal(OP(session_get, rd, a, &out), OK);
    assert_int_equal(out.revoked_at, 500);
    assert_int_equal(OP(session_get, rd, b, &out), OK);
    assert_int_equal(out.revoked_at, 0);

    /* a rolled-back revocation is not one */
    tx = conf_begin(f);
    assert_int_equal(OP(session_revoke, tx, c, 650), OK);
    conf_rollback(f);
    assert_int_equal(OP(session_get, rd, c, &out), OK);
    assert_int_equal(out.revoked_at, 0);

    /* revoke_user: every live session of the user; the revoked one keeps its time; none is OK */
    tx = conf_begin(f);
    assert_int_equal(OP(session_revoke_user, tx, "alice", 700), OK);
    assert_int_equal(OP(session_revoke_user, tx, "nobody", 700), OK);
    assert_int_equal(OP(session_revoke_user, tx, "alice", 800), OK); /* none live left */
    conf_commit(f);
    assert_int_equal(OP(session_get, rd, a, &out), OK);
    assert_int_equal(out.revoked_at, 500);
    assert_int_equal(OP(session_get, rd, b, &out), OK);
    assert_int_equal(out.revoked_at, 700);
    assert_int_equal(OP(session_get, rd, c, &out), OK); /* bob's */
    assert_int_equal(out.revoked_at, 0);
    tx = conf_begin(f);
    assert_int_equal(OP(session_revoke, tx, b, 900), ERR_NOT_FOUND); /* revoked by user */
    assert_int_equal(OP(session_revoke, tx, c, 900), OK);
    conf_commit(f);
}

/* ---- post-mortems ---- */

static struct postmortem pm_of(const char *id, const char *incident, int64_t remind_at)
{
    struct postmortem pm = {.template_id = "default",
                            .state = PM_DRAFT,
                            .created_at = 10,
                            .updated_at = 10,
                            .created_by = "alice",
                            .remind_at = remind_at};
    snprintf(pm.id, sizeof pm.id, "%s", id);
    snprintf(pm.incident_id, sizeof pm.incident_id, "%s", incident);
    return pm;
}

static int got_pm(const struct postmortem *pm, void *ctx)
{
    return got_push(ctx, pm->id, pm->remind_at);
}

static void test_postmortems(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct postmortem out;
    assert_int_equal(OP(postmortem_get, rd, "PM-INC-1", &out), ERR_NOT_FOUND);
    assert_int_equal(OP(postmortem_get_by_incident, rd, "INC-1", &out), ERR_NOT_FOUND);
    struct got g = {0};
    assert_int_equal(OP(postmortem_remind_due, rd, got_pm, &g), OK);
    assert_int_equal(g.n, 0);

    struct store_conn *tx = conf_begin(f);
    /* PM-INC-1: no owner, no due date, no reminder, only a summary */
    struct postmortem pm = pm_of("PM-INC-1", "INC-1", 0);
    pm.required = true;
    pm.fields[PM_SUMMARY] = "db down";
    assert_int_equal(OP(postmortem_insert, tx, &pm), OK);
    pm = pm_of("PM-INC-2", "INC-2", 300);
    pm.owner = "bob";
    pm.due_at = 500;
    pm.state = PM_IN_REVIEW;
    for (int i = 0; i < PM_FIELD_COUNT; i++)
        pm.fields[i] = (char *)postmortem_field_name((enum postmortem_field)i);
    assert_int_equal(OP(postmortem_insert, tx, &pm), OK);
    pm = pm_of("PM-alpha", "alpha", 200);
    assert_int_equal(OP(postmortem_insert, tx, &pm), OK);
    pm = pm_of("PM-Zeta", "Zeta", 200);
    assert_int_equal(OP(postmortem_insert, tx, &pm), OK);
    conf_commit(f);

    /* one per id, one per incident */
    tx = conf_begin(f);
    pm = pm_of("PM-INC-1", "INC-9", 0);
    assert_int_equal(OP(postmortem_insert, tx, &pm), ERR_CONFLICT);
    conf_rollback(f);
    tx = conf_begin(f);
    pm = pm_of("PM-other", "INC-1", 0);
    assert_int_equal(OP(postmortem_insert, tx, &pm), ERR_CONFLICT);
    conf_rollback(f);
    assert_int_equal(OP(postmortem_get, rd, "PM-other", &out), ERR_NOT_FOUND);

    assert_int_equal(OP(postmortem_get, rd, "PM-INC-1", &out), OK);
    assert_string_equal(out.id, "PM-INC-1");
    assert_string_equal(out.incident_id, "INC-1");
    assert_string_equal(out.template_id, "default");
    assert_int_equal(out.state, PM_DRAFT);
    assert_null(out.owner);
    assert_true(out.required);
    assert_int_equal(out.due_at, 0);
    assert_string_equal(out.fields[PM_SUMMARY], "db down");
    for (int i = 1; i < PM_FIELD_COUNT; i++)
        assert_null(out.fields[i]);
    assert_int_equal(out.created_at, 10);
    assert_int_equal(out.updated_at, 10);
    assert_int_equal(out.published_at, 0);
    assert_string_equal(out.created_by, "alice");
    assert_int_equal(out.remind_at, 0);
    assert_int_equal(out.review_at, 0); /* no review meeting until one is scheduled */
    assert_null(out.review_attendees);
    assert_int_equal(out.review_seq, 0);
    postmortem_free_fields(&out);
    assert_int_equal(OP(postmortem_get_by_incident, rd, "INC-2", &out), OK);
    assert_string_equal(out.id, "PM-INC-2");
    assert_int_equal(out.state, PM_IN_REVIEW);
    assert_string_equal(out.owner, "bob");
    assert_false(out.required);
    assert_int_equal(out.due_at, 500);
    for (int i = 0; i < PM_FIELD_COUNT; i++)
        assert_string_equal(out.fields[i], postmortem_field_name((enum postmortem_field)i));
    assert_int_equal(out.remind_at, 300);
    postmortem_free_fields(&out);
    assert_int_equal(OP(postmortem_get_by_incident, rd, "PM-INC-2", &out), ERR_NOT_FOUND);

    /* remind_due: only those with a reminder, by remind_at then id (bytes); stop on non-0 */
    g = (struct got){0};
    assert_int_equal(OP(postmortem_remind_due, rd, got_pm, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "PM-Zeta");
    assert_string_equal(g.id[1], "PM-alpha");
    assert_string_equal(g.id[2], "PM-INC-2");
    assert_int_equal(g.num[2], 300);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(postmortem_remind_due, rd, got_pm, &g), OK);
    assert_int_equal(g.n, 1);

    /* update writes state, owner, due_at, the fields, updated_at, published_at, remind_at; not
     * the incident, template, required, created_* */
    tx = conf_begin(f);
    assert_int_equal(OP(postmortem_get, tx, "PM-INC-1", &out), OK);
    char *summary = out.fields[PM_SUMMARY];
    out.fields[PM_SUMMARY] = NULL; /* cleared */
    out.fields[PM_ROOT_CAUSE] = "disk full";
    out.state = PM_PUBLISHED;
    out.owner = "carol";
    out.due_at = 700;
    out.updated_at = 50;
    out.published_at = 60;
    out.remind_at = 100;
    out.review_at = 9000; /* the review meeting (migration 012) */
    out.review_minutes = 45;
    out.review_seq = 2;
    out.review_attendees = xstrdup("alice,bob");
    snprintf(out.incident_id, sizeof out.incident_id, "INC-other");
    char *template = out.template_id, *by = out.created_by;
    out.template_id = "other";
    out.created_by = "mallory";
    out.required = false;
    out.created_at = 1;
    assert_int_equal(OP(postmortem_update, tx, &out), OK);
    free(summary);
    free(template);
    free(by);
    out.owner = NULL;
    out.fields[PM_ROOT_CAUSE] = NULL;
    out.template_id = out.created_by = NULL;
    postmortem_free_fields(&out);
    pm = pm_of("PM-none", "INC-none", 0);
    assert_int_equal(OP(postmortem_update, tx, &pm), ERR_NOT_FOUND);
    /* PM-INC-2's reminder ends: 0 is no reminder */
    assert_int_equal(OP(postmortem_get, tx, "PM-INC-2", &out), OK);
    out.remind_at = 0;
    assert_int_equal(OP(postmortem_update, tx, &out), OK);
    postmortem_free_fields(&out);
    conf_commit(f);

    assert_int_equal(OP(postmortem_get_by_incident, rd, "INC-1", &out), OK);
    assert_string_equal(out.id, "PM-INC-1");
    assert_int_equal(out.state, PM_PUBLISHED);
    assert_string_equal(out.owner, "carol");
    assert_int_equal(out.due_at, 700);
    assert_null(out.fields[PM_SUMMARY]);
    assert_string_equal(out.fields[PM_ROOT_CAUSE], "disk full");
    assert_int_equal(out.updated_at, 50);
    assert_int_equal(out.published_at, 60);
    assert_int_equal(out.remind_at, 100);
    assert_int_equal(out.review_at, 9000);
    assert_int_equal(out.review_minutes, 45);
    assert_int_equal(out.review_seq, 2);
    assert_string_equal(out.review_attendees, "alice,bob");
    assert_string_equal(out.template_id, "default");
    assert_string_equal(out.created_by, "alice");
    assert_true(out.required);
    assert_int_equal(out.created_at, 10);
    postmortem_free_fields(&out);
    g = (struct got){0};
    assert_int_equal(OP(postmortem_remind_due, rd, got_pm, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "PM-INC-1");
    assert_string_equal(g.id[1], "PM-Zeta");
    assert_string_equal(g.id[2], "PM-alpha");
}

/* ---- checklist items ---- */

static bool put_item(struct store_conn *tx, const char *incident, const char *checklist, int n,
                     const char *title, const char *phase, enum checklist_auto kind, int64_t at)
{
    struct checklist_item it = {.incident_id = (char *)incident,
                                .checklist_id = (char *)checklist,
                                .n = n,
                                .title = (char *)title,
                                .phase = (char *)phase,
                                .text = "do it",
                                .auto_kind = kind,
                                .attached_at = at};
    bool inserted = false;
    assert_int_equal(OP(checklist_item_insert, tx, &it, &inserted), OK);
    return inserted;
}

struct got_items {
    char key[8][48], title[8][32], phase[8][16], done_by[8][16];
    int64_t attached[8], done[8];
    int auto_kind[8];
    int n, stop_after;
};

static int got_item(const struct checklist_item *it, void *ctx)
{
    struct got_items *g = ctx;
    if (g->n < 8) {
        snprintf(g->key[g->n], sizeof g->key[0], "%s/%s/%d", it->incident_id, it->checklist_id,
                 it->n);
        snprintf(g->title[g->n], sizeof g->title[0], "%s", it->title);
        snprintf(g->phase[g->n], sizeof g->phase[0], "%s", it->phase ? it->phase : "(null)");
        snprintf(g->done_by[g->n], sizeof g->done_by[0], "%s",
                 it->done_by ? it->done_by : "(null)");
        assert_string_equal(it->text, "do it");
        g->attached[g->n] = it->attached_at;
        g->done[g->n] = it->done_at;
        g->auto_kind[g->n] = (int)it->auto_kind;
    }
    g->n++;
    return g->stop_after && g->n >= g->stop_after;
}

static void test_checklists(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct got_items g = {0};
    assert_int_equal(OP(checklist_items, rd, "INC-1", got_item, &g), OK);
    assert_int_equal(g.n, 0);

    struct store_conn *tx = conf_begin(f);
    assert_true(put_item(tx, "INC-1", "triage", 2, "page", NULL, CHECK_AUTO_NONE, 10));
    assert_true(put_item(tx, "INC-1", "triage", 1, "lead", "detect", CHECK_AUTO_COMMANDER, 10));
    assert_true(put_item(tx, "INC-1", "alpha", 1, "a1", NULL, CHECK_AUTO_POSTMORTEM, 10));
    assert_true(put_item(tx, "INC-1", "Zeta", 1, "z1", NULL, CHECK_AUTO_PUBLIC_UPDATE, 10));
    assert_true(put_item(tx, "INC-1", "late", 1, "l1", NULL, CHECK_AUTO_NONE, 5));
    assert_true(put_item(tx, "INC-2", "triage", 1, "lead", NULL, CHECK_AUTO_NONE, 10));
    /* the same (incident, checklist, n) again: not inserted, no error, the transaction goes on
     * and the first one stays */
    assert_false(put_item(tx, "INC-1", "triage", 1, "changed", NULL, CHECK_AUTO_NONE, 99));
    assert_true(put_item(tx, "INC-1", "triage", 3, "after", NULL, CHECK_AUTO_NONE, 10));
    conf_commit(f);

    /* by attached_at, checklist id (bytes), n; only the incident's */
    assert_int_equal(OP(checklist_items, rd, "INC-1", got_item, &g), OK);
    assert_int_equal(g.n, 6);
    assert_string_equal(g.key[0], "INC-1/late/1");
    assert_int_equal(g.attached[0], 5);
    assert_string_equal(g.key[1], "INC-1/Zeta/1");
    assert_int_equal(g.auto_kind[1], CHECK_AUTO_PUBLIC_UPDATE);
    assert_string_equal(g.key[2], "INC-1/alpha/1");
    assert_int_equal(g.auto_kind[2], CHECK_AUTO_POSTMORTEM);
    assert_string_equal(g.key[3], "INC-1/triage/1");
    assert_string_equal(g.title[3], "lead");
    assert_string_equal(g.phase[3], "detect");
    assert_int_equal(g.auto_kind[3], CHECK_AUTO_COMMANDER);
    assert_int_equal(g.attached[3], 10);
    assert_int_equal(g.done[3], 0);
    assert_string_equal(g.done_by[3], "(null)");
    assert_string_equal(g.key[4], "INC-1/triage/2");
    assert_string_equal(g.phase[4], "(null)");
    assert_int_equal(g.auto_kind[4], CHECK_AUTO_NONE);
    assert_string_equal(g.key[5], "INC-1/triage/3");
    g = (struct got_items){.stop_after = 2};
    assert_int_equal(OP(checklist_items, rd, "INC-1", got_item, &g), OK);
    assert_int_equal(g.n, 2);
    g = (struct got_items){0};
    assert_int_equal(OP(checklist_items, rd, "inc-1", got_item, &g), OK); /* exact match */
    assert_int_equal(g.n, 0);

    /* tick: a not-done item, once; no such item is not found */
    tx = conf_begin(f);
    assert_int_equal(OP(checklist_item_tick, tx, "INC-1", "triage", 1, 100, "alice"), OK);
    assert_int_equal(OP(checklist_item_tick, tx, "INC-1", "triage", 1, 200, "bob"), ERR_NOT_FOUND);
    assert_int_equal(OP(checklist_item_tick, tx, "INC-1", "triage", 9, 200, "bob"), ERR_NOT_FOUND);
    assert_int_equal(OP(checklist_item_tick, tx, "INC-9", "triage", 1, 200, "bob"), ERR_NOT_FOUND);
    assert_int_equal(OP(checklist_item_tick, tx, "INC-1", "nope", 1, 200, "bob"), ERR_NOT_FOUND);
    conf_commit(f);
    tx = conf_begin(f); /* rolled back: not done */
    assert_int_equal(OP(checklist_item_tick, tx, "INC-1", "triage", 2, 300, "carol"), OK);
    conf_rollback(f);
    g = (struct got_items){0};
    assert_int_equal(OP(checklist_items, rd, "INC-1", got_item, &g), OK);
    assert_int_equal(g.n, 6);
    assert_int_equal(g.done[3], 100);
    assert_string_equal(g.done_by[3], "alice");
    assert_int_equal(g.done[4], 0);
    assert_string_equal(g.done_by[4], "(null)");
    g = (struct got_items){0};
    assert_int_equal(OP(checklist_items, rd, "INC-2", got_item, &g), OK); /* per incident */
    assert_int_equal(g.n, 1);
    assert_string_equal(g.key[0], "INC-2/triage/1");
    assert_int_equal(g.done[0], 0);
}

/* ---- checklist deadlines (migration 012) ---- */

static void dl_incident(struct store_conn *tx, const char *id, enum incident_status st)
{
    struct incident inc = {.title = "t", .severity = "SEV1", .channel = "c", .status = st};
    snprintf(inc.id, sizeof inc.id, "%s", id);
    assert_int_equal(OP(incident_insert, tx, &inc), OK);
}

static void dl_item(struct store_conn *tx, const char *incident, const char *checklist, int n,
                    const char *from, int64_t within, const char *owner)
{
    struct checklist_item it = {.incident_id = (char *)incident,
                                .checklist_id = (char *)checklist,
                                .n = n,
                                .title = "T",
                                .text = "do it",
                                .attached_at = 1,
                                .due_from = (char *)from,
                                .due_within = within,
                                .owner = (char *)owner};
    bool inserted = false;
    assert_int_equal(OP(checklist_item_insert, tx, &it, &inserted), OK);
    assert_true(inserted);
}

struct got_dl {
    char key[8][64];
    int n;
};

static int got_deadline(const struct checklist_item *it, void *ctx)
{
    struct got_dl *g = ctx;
    if (g->n < 8)
        snprintf(g->key[g->n], sizeof g->key[0], "%s/%s/%d/%s/%lld/%s/%lld", it->incident_id,
                 it->checklist_id, it->n, it->due_from ? it->due_from : "-",
                 (long long)it->due_within, it->owner ? it->owner : "-",
                 (long long)it->reminded_at);
    g->n++;
    return 0;
}

static void test_checklist_deadlines(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    dl_incident(tx, "DL-B", INC_RESOLVED);
    dl_incident(tx, "DL-A", INC_TRIGGERED);
    dl_incident(tx, "DL-C", INC_CLOSED);
    dl_item(tx, "DL-B", "post", 1, "resolved", 3600000, "scribe");
    dl_item(tx, "DL-A", "first", 2, "declared", 300000, NULL);
    dl_item(tx, "DL-A", "first", 1, "declared", 300000, NULL);
    dl_item(tx, "DL-A", "none", 1, NULL, 0, NULL);           /* no deadline */
    dl_item(tx, "DL-C", "first", 1, "declared", 1000, NULL); /* closed incident */
    conf_commit(f);

    /* the deadline fields read back, through both reads */
    struct got_dl g = {0};
    assert_int_equal(OP(checklist_items, conf_reader(f), "DL-B", got_deadline, &g), OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.key[0], "DL-B/post/1/resolved/3600000/scribe/0");
    g = (struct got_dl){0};
    assert_int_equal(OP(checklist_deadline_items, conf_reader(f), got_deadline, &g), OK);
    assert_int_equal(g.n, 3); /* by incident, checklist, n; none without a deadline or closed */
    assert_string_equal(g.key[0], "DL-A/first/1/declared/300000/-/0");
    assert_string_equal(g.key[1], "DL-A/first/2/declared/300000/-/0");
    assert_string_equal(g.key[2], "DL-B/post/1/resolved/3600000/scribe/0");

    /* reminded, or done: no longer listed; no such item: not found */
    tx = conf_begin(f);
    assert_int_equal(OP(checklist_item_reminded, tx, "DL-A", "first", 1, 77), OK);
    assert_int_equal(OP(checklist_item_tick, tx, "DL-B", "post", 1, 78, "bob"), OK);
    assert_int_equal(OP(checklist_item_reminded, tx, "DL-A", "first", 9, 77), ERR_NOT_FOUND);
    assert_int_equal(OP(checklist_item_reminded, tx, "DL-X", "first", 1, 77), ERR_NOT_FOUND);
    conf_commit(f);
    g = (struct got_dl){0};
    assert_int_equal(OP(checklist_deadline_items, conf_reader(f), got_deadline, &g), OK);
    assert_int_equal(g.n, 1);
    assert_string_equal(g.key[0], "DL-A/first/2/declared/300000/-/0");
    g = (struct got_dl){0};
    assert_int_equal(OP(checklist_items, conf_reader(f), "DL-A", got_deadline, &g), OK);
    assert_string_equal(g.key[0], "DL-A/first/1/declared/300000/-/77");
    /* rolled back: not reminded */
    tx = conf_begin(f);
    assert_int_equal(OP(checklist_item_reminded, tx, "DL-A", "first", 2, 79), OK);
    conf_rollback(f);
    g = (struct got_dl){0};
    assert_int_equal(OP(checklist_deadline_items, conf_reader(f), got_deadline, &g), OK);
    assert_int_equal(g.n, 1);
}

/* ---- action items ---- */

static struct action_item act_of(const char *id, const char *owner, int64_t created, int64_t due,
                                 int64_t remind)
{
    struct action_item a = {.title = "fix it",
                            .owner = (char *)owner,
                            .due_at = due,
                            .priority = "p2",
                            .status = ACTION_OPEN,
                            .created_at = created,
                            .created_by = "alice",
                            .updated_at = created,
                            .remind_at = remind};
    snprintf(a.id, sizeof a.id, "%s", id);
    return a;
}

static int got_action(const struct action_item *a, void *ctx)
{
    return got_push(ctx, a->id, a->remind_at);
}

/* action_list with a filter: the ids, joined by spaces. */
static void list_ids(struct store_conn *c, const struct store_action_filter *flt, char *out,
                     size_t n)
{
    struct got g = {0};
    assert_int_equal(OP(action_list, c, flt, got_action, &g), OK);
    out[0] = '\0';
    for (int i = 0; i < g.n && i < 8; i++)
        snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? " " : "", g.id[i]);
}

static void test_actions(void **state)
{
    struct conf *f = *state;
    struct store_conn *rd = conf_reader(f);
    struct action_item out;
    assert_int_equal(OP(action_get, rd, "ACT-1", &out), ERR_NOT_FOUND);

    struct store_conn *tx = conf_begin(f);
    struct action_item a = act_of("ACT-1", "alice", 10, 100, 150);
    a.priority = "p1";
    a.incident_id = "INC-1";
    a.postmortem_id = "PM-INC-1";
    assert_int_equal(OP(action_insert, tx, &a), OK);
    a = act_of("ACT-2", NULL, 20, 0, 0); /* no owner, due date, link or reminder */
    assert_int_equal(OP(action_insert, tx, &a), OK);
    a = act_of("ACT-3", "alice", 20, 50, 0);
    a.status = ACTION_DONE;
    a.done_at = 30;
    a.incident_id = "INC-1";
    assert_int_equal(OP(action_insert, tx, &a), OK);
    a = act_of("ACT-a", "bob", 30, 200, 100);
    assert_int_equal(OP(action_insert, tx, &a), OK);
    a = act_of("ACT-Z", "bob", 30, 150, 100);
    assert_int_equal(OP(action_insert, tx, &a), OK);
    conf_commit(f);

    tx = conf_begin(f); /* a repeated id */
    a = act_of("ACT-1", "mallory", 1, 0, 0);
    assert_int_equal(OP(action_insert, tx, &a), ERR_CONFLICT);
    conf_rollback(f);

    assert_int_equal(OP(action_get, rd, "ACT-1", &out), OK);
    assert_string_equal(out.id, "ACT-1");
    assert_string_equal(out.title, "fix it");
    assert_string_equal(out.owner, "alice");
    assert_int_equal(out.due_at, 100);
    assert_string_equal(out.priority, "p1");
    assert_int_equal(out.status, ACTION_OPEN);
    assert_string_equal(out.incident_id, "INC-1");
    assert_string_equal(out.postmortem_id, "PM-INC-1");
    assert_int_equal(out.created_at, 10);
    assert_string_equal(out.created_by, "alice");
    assert_int_equal(out.updated_at, 10);
    assert_int_equal(out.done_at, 0);
    assert_int_equal(out.remind_at, 150);
    action_item_free_fields(&out);
    assert_int_equal(OP(action_get, rd, "ACT-2", &out), OK);
    assert_null(out.owner);
    assert_null(out.incident_id);
    assert_null(out.postmortem_id);
    assert_int_equal(out.due_at, 0);
    assert_int_equal(out.remind_at, 0);
    action_item_free_fields(&out);
    assert_int_equal(OP(action_get, rd, "ACT-3", &out), OK);
    assert_int_equal(out.status, ACTION_DONE);
    assert_int_equal(out.done_at, 30);
    assert_null(out.postmortem_id);
    action_item_free_fields(&out);
    assert_int_equal(OP(action_get, rd, "act-1", &out), ERR_NOT_FOUND);

    /* list: every filter set must match; by created_at then id (bytes) */
    char ids[256];
    struct store_action_filter flt = {.status = -1};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-1 ACT-2 ACT-3 ACT-Z ACT-a");
    flt = (struct store_action_filter){.owner = "alice", .status = -1};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-1 ACT-3");
    flt = (struct store_action_filter){.incident_id = "INC-1", .status = -1};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-1 ACT-3");
    flt = (struct store_action_filter){.status = ACTION_DONE};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-3");
    flt = (struct store_action_filter){.status = ACTION_OPEN};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-1 ACT-2 ACT-Z ACT-a");
    /* overdue: open, with a due date, before the time (ACT-3 is done, ACT-2 has none, ACT-Z's is
     * not before 150) */
    flt = (struct store_action_filter){.status = -1, .overdue_at = 150};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-1");
    flt = (struct store_action_filter){.status = -1, .overdue_at = 151};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-1 ACT-Z");
    flt = (struct store_action_filter){.owner = "bob", .incident_id = "INC-1", .status = -1};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "");
    flt = (struct store_action_filter){.owner = "alice", .status = ACTION_OPEN};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-1");
    struct got g = {.stop_after = 2};
    flt = (struct store_action_filter){.status = -1};
    assert_int_equal(OP(action_list, rd, &flt, got_action, &g), OK);
    assert_int_equal(g.n, 2);

    /* remind_due: the items with a reminder, by remind_at then id; stop on non-0 */
    g = (struct got){0};
    assert_int_equal(OP(action_remind_due, rd, got_action, &g), OK);
    assert_int_equal(g.n, 3);
    assert_string_equal(g.id[0], "ACT-Z");
    assert_string_equal(g.id[1], "ACT-a");
    assert_string_equal(g.id[2], "ACT-1");
    assert_int_equal(g.num[2], 150);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(action_remind_due, rd, got_action, &g), OK);
    assert_int_equal(g.n, 1);

    /* update writes title, owner, due_at, priority, status, updated_at, done_at, remind_at; not
     * the links or created_* */
    tx = conf_begin(f);
    a = act_of("ACT-1", NULL, 1, 0, 0);
    a.title = "fixed";
    a.priority = "p3";
    a.status = ACTION_DONE;
    a.updated_at = 60;
    a.done_at = 60;
    a.incident_id = "INC-other";
    a.created_by = "mallory";
    assert_int_equal(OP(action_update, tx, &a), OK);
    a.id[0] = 'X';
    assert_int_equal(OP(action_update, tx, &a), ERR_NOT_FOUND);
    conf_commit(f);
    assert_int_equal(OP(action_get, rd, "ACT-1", &out), OK);
    assert_string_equal(out.title, "fixed");
    assert_null(out.owner);
    assert_int_equal(out.due_at, 0);
    assert_string_equal(out.priority, "p3");
    assert_int_equal(out.status, ACTION_DONE);
    assert_int_equal(out.updated_at, 60);
    assert_int_equal(out.done_at, 60);
    assert_int_equal(out.remind_at, 0);
    assert_string_equal(out.incident_id, "INC-1");
    assert_string_equal(out.postmortem_id, "PM-INC-1");
    assert_string_equal(out.created_by, "alice");
    assert_int_equal(out.created_at, 10);
    action_item_free_fields(&out);
    g = (struct got){0};
    assert_int_equal(OP(action_remind_due, rd, got_action, &g), OK);
    assert_int_equal(g.n, 2); /* ACT-1's reminder ended */
    flt = (struct store_action_filter){.status = ACTION_DONE};
    list_ids(rd, &flt, ids, sizeof ids);
    assert_string_equal(ids, "ACT-1 ACT-3");

    /* a rolled-back update is not stored */
    tx = conf_begin(f);
    a = act_of("ACT-2", "dave", 20, 0, 0);
    assert_int_equal(OP(action_update, tx, &a), OK);
    conf_rollback(f);
    assert_int_equal(OP(action_get, rd, "ACT-2", &out), OK);
    assert_null(out.owner);
    action_item_free_fields(&out);
}

/* ---- keys that are not UTF-8 ---- */

/* An id from a URL ("%ff%fe") matches nothing on both backends and the transaction goes on (as in
 * test_conformance_notify.c; writes of such text differ and are not tested). */
static void test_keys_not_utf8(void **state)
{
    struct conf *f = *state;
    const char *bad = "\xff\xfe";
    char bad_hash[SHA256_HEX_LEN];
    hash_of('a', bad_hash);
    bad_hash[0] = '\xff';
    struct store_conn *tx = conf_begin(f);
    put_session(tx, 'a', "alice", 1);
    struct store_login l;
    struct store_session s;
    assert_int_equal(OP(login_get, tx, bad, &l), ERR_NOT_FOUND);
    assert_int_equal(OP(session_get, tx, bad_hash, &s), ERR_NOT_FOUND);
    assert_int_equal(OP(session_revoke, tx, bad_hash, 5), ERR_NOT_FOUND);
    assert_int_equal(OP(session_revoke_user, tx, bad, 5), OK);
    struct postmortem pm = pm_of(bad, bad, 0);
    assert_int_equal(OP(postmortem_get, tx, bad, &pm), ERR_NOT_FOUND);
    assert_int_equal(OP(postmortem_get_by_incident, tx, bad, &pm), ERR_NOT_FOUND);
    pm = pm_of(bad, bad, 0);
    assert_int_equal(OP(postmortem_update, tx, &pm), ERR_NOT_FOUND);
    struct got_items g = {0};
    assert_int_equal(OP(checklist_items, tx, bad, got_item, &g), OK);
    assert_int_equal(g.n, 0);
    assert_int_equal(OP(checklist_item_tick, tx, bad, "c", 1, 5, "alice"), ERR_NOT_FOUND);
    assert_int_equal(OP(checklist_item_tick, tx, "INC-1", bad, 1, 5, "alice"), ERR_NOT_FOUND);
    struct action_item a = act_of(bad, NULL, 1, 0, 0);
    assert_int_equal(OP(action_get, tx, bad, &a), ERR_NOT_FOUND);
    a = act_of(bad, NULL, 1, 0, 0);
    assert_int_equal(OP(action_update, tx, &a), ERR_NOT_FOUND);
    char ids[64];
    struct store_action_filter flt = {.owner = bad, .status = -1};
    list_ids(tx, &flt, ids, sizeof ids);
    assert_string_equal(ids, "");
    flt = (struct store_action_filter){.incident_id = bad, .status = -1};
    list_ids(tx, &flt, ids, sizeof ids);
    assert_string_equal(ids, "");
    /* the transaction is still good: it commits, with the session written before */
    conf_commit(f);
    char h[SHA256_HEX_LEN];
    hash_of('a', h);
    assert_int_equal(OP(session_get, conf_reader(f), h, &s), OK);
    assert_int_equal(s.revoked_at, 0);
}

/* ---- the chat outbox (migration 011) ---- */

static int chat_push(const struct store_chat_op *op, void *ctx)
{
    return got_push(ctx, op->kind, op->id);
}

static void test_chat_ops(void **state)
{
    struct conf *f = *state;
    struct store_conn *tx = conf_begin(f);
    int64_t id1 = 0, id2 = 0, id3 = 0, at = 0;
    assert_int_equal(OP(chat_op_next_due, tx, &at), ERR_NOT_FOUND);
    struct store_chat_op op = {.incident_id = "INC-1",
                               .kind = "incident.declared",
                               .data = "{\"a\":1}",
                               .next_attempt_at = 100,
                               .created_at = 90};
    assert_int_equal(OP(chat_op_insert, tx, &op, &id1), OK);
    op.kind = "incident.acknowledged";
    op.next_attempt_at = 50; /* due earlier, but waits behind INC-1's first op */
    assert_int_equal(OP(chat_op_insert, tx, &op, &id2), OK);
    op = (struct store_chat_op){.incident_id = "INC-2",
                                .kind = "incident.declared",
                                .next_attempt_at = 200,
                                .created_at = 95};
    assert_int_equal(OP(chat_op_insert, tx, &op, &id3), OK);
    assert_true(id1 < id2 && id2 < id3);
    assert_int_equal(OP(chat_op_next_due, tx, &at), OK);
    assert_int_equal(at, 50);
    struct got g = {0};
    assert_int_equal(OP(chat_op_due, tx, 1000, 10, chat_push, &g), OK);
    assert_int_equal(g.n, 2); /* INC-1's oldest and INC-2's; INC-1's second waits */
    assert_string_equal(g.id[0], "incident.declared");
    assert_int_equal(g.num[0], id1);
    assert_int_equal(g.num[1], id3);
    g = (struct got){0};
    assert_int_equal(OP(chat_op_due, tx, 150, 10, chat_push, &g), OK);
    assert_int_equal(g.n, 1);
    /* the first done: the second is next */
    struct store_chat_op up = {.id = id1,
                               .status = "done",
                               .step = 5,
                               .tries = 1,
                               .next_attempt_at = 100,
                               .done_at = 120,
                               .last_error = NULL};
    assert_int_equal(OP(chat_op_update, tx, &up), OK);
    g = (struct got){0};
    assert_int_equal(OP(chat_op_due, tx, 150, 10, chat_push, &g), OK);
    assert_int_equal(g.n, 1);
    assert_int_equal(g.num[0], id2);
    up = (struct store_chat_op){.id = 999999, .status = "done"};
    assert_int_equal(OP(chat_op_update, tx, &up), ERR_NOT_FOUND);
    conf_commit(f);

    struct store_conn *rd = conf_reader(f);
    g = (struct got){0};
    assert_int_equal(OP(chat_op_list, rd, "INC-1", chat_push, &g), OK);
    assert_int_equal(g.n, 2);
    assert_int_equal(g.num[0], id1);
    assert_int_equal(g.num[1], id2);
    g = (struct got){.stop_after = 1};
    assert_int_equal(OP(chat_op_list, rd, "INC-1", chat_push, &g), OK);
    assert_int_equal(g.n, 1);

    struct store_chat_channel ch = {0};
    assert_int_equal(OP(chat_channel_get, rd, "INC-1", &ch), ERR_NOT_FOUND);
    tx = conf_begin(f);
    struct store_chat_channel in = {.incident_id = "INC-1",
                                    .provider = "slack",
                                    .mode = "channel",
                                    .name = "inc-1",
                                    .created_at = 7};
    assert_int_equal(OP(chat_channel_put, tx, &in), OK);
    in.channel_id = "C123";
    in.archived_at = 9;
    assert_int_equal(OP(chat_channel_put, tx, &in), OK); /* replaces */
    conf_commit(f);
    assert_int_equal(OP(chat_channel_get, rd, "INC-1", &ch), OK);
    assert_string_equal(ch.name, "inc-1");
    assert_string_equal(ch.channel_id, "C123");
    assert_null(ch.thread_ts);
    assert_int_equal(ch.created_at, 7);
    assert_int_equal(ch.archived_at, 9);
    store_chat_channel_free_fields(&ch);
    assert_int_equal(OP(chat_channel_by_id, rd, "C123", &ch), OK);
    assert_string_equal(ch.incident_id, "INC-1");
    store_chat_channel_free_fields(&ch);
    assert_int_equal(OP(chat_channel_by_id, rd, "C999", &ch), ERR_NOT_FOUND);
    tx = conf_begin(f); /* a thread row shares its channel id: not an incident's channel */
    in = (struct store_chat_channel){.incident_id = "INC-2",
                                     .provider = "slack",
                                     .mode = "thread",
                                     .name = "incidents",
                                     .channel_id = "C123",
                                     .thread_ts = "1.2",
                                     .created_at = 8};
    assert_int_equal(OP(chat_channel_put, tx, &in), OK);
    conf_commit(f);
    assert_int_equal(OP(chat_channel_by_id, rd, "C123", &ch), OK);
    assert_string_equal(ch.incident_id, "INC-1");
    assert_string_equal(ch.mode, "channel");
    store_chat_channel_free_fields(&ch);
}

/* ---- chat events taken in (migration 017) ---- */

static bool last_running; /* the last claim's *running */

static bool claim(struct conf *f, const char *id, int64_t now, int64_t stale_before)
{
    struct store_conn *tx = conf_begin(f);
    bool claimed = true;
    last_running = true;
    assert_int_equal(OP(chat_event_claim, tx, id, now, stale_before, &claimed, &last_running), OK);
    conf_commit(f);
    if (claimed)
        assert_false(last_running);
    return claimed;
}

static void test_chat_events(void **state)
{
    struct conf *f = *state;
    assert_true(claim(f, "Ev1", 100, 0));   /* new */
    assert_false(claim(f, "Ev1", 110, 50)); /* running, claimed at 100: fresh */
    assert_true(last_running);              /* held by another request */
    assert_true(claim(f, "Ev1", 200, 150)); /* running, claimed at 100: stale, taken again */
    assert_true(claim(f, "ev1", 200, 150)); /* ids differ by case: another event */
    struct store_conn *tx = conf_begin(f);
    assert_int_equal(OP(chat_event_done, tx, "Ev1", 210), OK);
    assert_int_equal(OP(chat_event_done, tx, "Ev-none", 210), ERR_NOT_FOUND);
    assert_int_equal(OP(chat_event_release, tx, "Ev1"), OK); /* done: kept */
    assert_int_equal(OP(chat_event_release, tx, "ev1"), OK); /* running: forgotten */
    assert_int_equal(OP(chat_event_release, tx, "Ev-none"), OK);
    conf_commit(f);
    assert_false(claim(f, "Ev1", 300, 1000)); /* done: never again, however old the claim */
    assert_false(last_running);               /* done, not held */
    assert_true(claim(f, "ev1", 300, 0));     /* released: a retry runs it */
    tx = conf_begin(f);
    assert_int_equal(OP(chat_event_purge, tx, 100), OK); /* received at 100: kept */
    conf_commit(f);
    assert_false(claim(f, "Ev1", 310, 1000));
    tx = conf_begin(f);
    assert_int_equal(OP(chat_event_purge, tx, 101), OK); /* Ev1 (received 100) goes */
    conf_commit(f);
    assert_true(claim(f, "Ev1", 400, 0));  /* purged: known no more */
    assert_false(claim(f, "ev1", 400, 0)); /* received at 300: kept, running */
}

#define TESTS(X)                                                                                   \
    X(test_logins)                                                                                 \
    X(test_sessions)                                                                               \
    X(test_postmortems)                                                                            \
    X(test_checklists)                                                                             \
    X(test_checklist_deadlines)                                                                    \
    X(test_actions)                                                                                \
    X(test_keys_not_utf8)                                                                          \
    X(test_chat_ops)                                                                               \
    X(test_chat_events)

CONF_MAIN(TESTS);
