/*
 * Unit tests for jobs/credential.c (and the pure part, domain/credential.c) on a real SQLite store
 * in a temp directory: both kinds created, found by their secret, revoked, listed per kind; a
 * secret of one kind never matches the other kind, and a revoked credential is never live. The
 * timeline entries are read back. Times come from the fixture's fake clock; nothing sleeps.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/credential.h"
#include "store/store.h"
#include "store/timeline.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/timeutil.h"

#include "store/store_fixture.h"

/* A token "ci" (responder) and an integration key of service "api", type "generic". */
struct pair {
    struct store_credential tok, key;
    char tok_secret[CREDENTIAL_SECRET_MAX], key_secret[CREDENTIAL_SECRET_MAX];
};

static void create_pair(struct fixture *f, struct pair *p)
{
    struct error err = {0};
    *p = (struct pair){
        .tok = {.kind = CRED_TOKEN, .name = "ci", .role = "responder"},
        .key = {.kind = CRED_INTEGRATION,
                .name = "api-generic",
                .service = "api",
                .type = "generic"},
    };
    credential_new_secret(CRED_TOKEN, p->tok_secret);
    credential_new_secret(CRED_INTEGRATION, p->key_secret);
    int64_t now = clock_now(f->clock);
    assert_int_equal(credential_create(f->store, now, "token:admin", p->tok_secret, &p->tok, &err),
                     OK);
    assert_int_equal(credential_create(f->store, now, "token:admin", p->key_secret, &p->key, &err),
                     OK);
}

static void test_secret_shapes(void **state)
{
    char tok[CREDENTIAL_SECRET_MAX], key[CREDENTIAL_SECRET_MAX];
    credential_new_secret(CRED_TOKEN, tok);
    credential_new_secret(CRED_INTEGRATION, key);
    assert_int_equal(strlen(tok), 47);
    assert_memory_equal(tok, "tcn_", 4);
    assert_int_equal(strlen(key), 32);
    assert_true(credential_secret_valid(CRED_TOKEN, tok));
    assert_true(credential_secret_valid(CRED_INTEGRATION, key));
    assert_false(credential_secret_valid(CRED_TOKEN, key));
    assert_false(credential_secret_valid(CRED_INTEGRATION, tok));
    assert_false(credential_secret_valid(CRED_INTEGRATION, "F0000000000000000000000000000000"));
    assert_false(credential_secret_valid(CRED_INTEGRATION, "0000000000000000000000000000000"));
    assert_false(
        credential_secret_valid(CRED_TOKEN, "tcn_0000000000000000000000000000000000000000"));
    assert_false(credential_secret_valid(CRED_TOKEN, NULL));
    assert_string_equal(credential_kind_name(CRED_TOKEN), "token");
    assert_string_equal(credential_kind_name(CRED_INTEGRATION), "integration");
    char h[SHA256_HEX_LEN];
    credential_hash("abc", h); /* FIPS 180-2 test vector */
    assert_string_equal(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_create_and_find_both_kinds(void **state)
{
    struct fixture *f = *state;
    struct pair p;
    create_pair(f, &p);
    assert_memory_equal(p.tok.id, "tok_", 4);
    assert_memory_equal(p.key.id, "int_", 4);
    char h[SHA256_HEX_LEN];
    credential_hash(p.tok_secret, h);
    assert_string_equal(p.tok.hash, h); /* only the hash is kept */

    struct store_credential got;
    assert_int_equal(credential_lookup(reader(f->store), CRED_TOKEN, p.tok_secret, &got), OK);
    assert_int_equal(got.kind, CRED_TOKEN);
    assert_string_equal(got.id, p.tok.id);
    assert_string_equal(got.name, "ci");
    assert_string_equal(got.role, "responder");
    assert_null(got.service);
    assert_int_equal(got.created_at, T1);
    store_credential_free_fields(&got);

    assert_int_equal(credential_lookup(reader(f->store), CRED_INTEGRATION, p.key_secret, &got), OK);
    assert_int_equal(got.kind, CRED_INTEGRATION);
    assert_string_equal(got.id, p.key.id);
    assert_string_equal(got.service, "api");
    assert_string_equal(got.type, "generic");
    assert_null(got.role);
    store_credential_free_fields(&got);

    char other[CREDENTIAL_SECRET_MAX];
    credential_new_secret(CRED_TOKEN, other);
    assert_int_equal(credential_lookup(reader(f->store), CRED_TOKEN, other, &got), ERR_NOT_FOUND);
}

static void test_wrong_kind_never_matches(void **state)
{
    struct fixture *f = *state;
    struct pair p;
    create_pair(f, &p);
    struct store_credential got;
    /* by secret: the shapes differ, so the store is not even asked */
    assert_int_equal(credential_lookup(reader(f->store), CRED_INTEGRATION, p.tok_secret, &got),
                     ERR_NOT_FOUND);
    assert_int_equal(credential_lookup(reader(f->store), CRED_TOKEN, p.key_secret, &got),
                     ERR_NOT_FOUND);
    /* by hash and by id, in the store itself: each kind is its own table */
    assert_int_equal(
        store_credential_find_hash(reader(f->store), CRED_INTEGRATION, p.tok.hash, &got),
        ERR_NOT_FOUND);
    assert_int_equal(store_credential_find_hash(reader(f->store), CRED_TOKEN, p.key.hash, &got),
                     ERR_NOT_FOUND);
    assert_int_equal(store_credential_get(reader(f->store), CRED_TOKEN, p.key.id, &got),
                     ERR_NOT_FOUND);
    /* and revoking with the wrong kind finds nothing and leaves the key live */
    struct error err = {0};
    assert_int_equal(
        credential_revoke(f->store, T1, "token:admin", CRED_TOKEN, p.key.id, &got, &err),
        ERR_NOT_FOUND);
    assert_non_null(strstr(err.message, "no token"));
    assert_int_equal(credential_lookup(reader(f->store), CRED_INTEGRATION, p.key_secret, &got), OK);
    store_credential_free_fields(&got);
}

static void test_revoke(void **state)
{
    struct fixture *f = *state;
    struct pair p;
    create_pair(f, &p);
    struct error err = {0};
    struct store_credential got;
    uint64_t before = store_revocations(f->store);
    clock_advance(f->clock, MS_PER_MIN);
    int64_t now = clock_now(f->clock);
    assert_int_equal(
        credential_revoke(f->store, now, "token:admin", CRED_INTEGRATION, p.key.id, &got, &err),
        OK);
    assert_int_equal(got.revoked_at, now);
    assert_string_equal(got.name, "api-generic");
    store_credential_free_fields(&got);
    assert_true(store_revocations(f->store) > before);

    /* revoked: never live again; the token is untouched */
    assert_int_equal(credential_lookup(reader(f->store), CRED_INTEGRATION, p.key_secret, &got),
                     ERR_UNAUTHORIZED);
    assert_null(got.name);
    assert_int_equal(credential_lookup(reader(f->store), CRED_TOKEN, p.tok_secret, &got), OK);
    store_credential_free_fields(&got);

    /* twice: a conflict naming it; an unknown id: not found */
    assert_int_equal(
        credential_revoke(f->store, now, "token:admin", CRED_INTEGRATION, p.key.id, &got, &err),
        ERR_CONFLICT);
    char want[96];
    snprintf(want, sizeof want, "id: integration %s is already revoked", p.key.id);
    assert_string_equal(err.message, want);
    assert_null(got.name); /* nothing left to free on failure */
    assert_int_equal(
        credential_revoke(f->store, now, "token:admin", CRED_TOKEN, "tok_nope", &got, &err),
        ERR_NOT_FOUND);
    assert_string_equal(err.message, "id: no token tok_nope");
}

static void test_token_name_conflict(void **state)
{
    struct fixture *f = *state;
    struct pair p;
    create_pair(f, &p);
    struct error err = {0};
    char secret[CREDENTIAL_SECRET_MAX];
    credential_new_secret(CRED_TOKEN, secret);
    struct store_credential again = {.kind = CRED_TOKEN, .name = "ci", .role = "viewer"};
    assert_int_equal(credential_create(f->store, T1, "token:admin", secret, &again, &err),
                     ERR_CONFLICT);
    assert_string_equal(err.message, "name: a live token named \"ci\" already exists");
}

struct names {
    int n;
    char seen[4][64];
};

static int collect(const struct store_credential *cr, void *ctx)
{
    struct names *ns = ctx;
    if (ns->n < 4)
        snprintf(ns->seen[ns->n], sizeof ns->seen[0], "%s", cr->name);
    ns->n++;
    return 0;
}

static void test_list_per_kind(void **state)
{
    struct fixture *f = *state;
    struct pair p;
    create_pair(f, &p);
    struct names tokens = {0}, keys = {0};
    assert_int_equal(credential_list(reader(f->store), CRED_TOKEN, collect, &tokens), OK);
    assert_int_equal(credential_list(reader(f->store), CRED_INTEGRATION, collect, &keys), OK);
    assert_int_equal(tokens.n, 1);
    assert_string_equal(tokens.seen[0], "ci");
    assert_int_equal(keys.n, 1);
    assert_string_equal(keys.seen[0], "api-generic");
}

/* The timeline entries, as "kind data" lines. */
struct lines {
    int n;
    char line[8][256];
};

static int timeline_line(const struct timeline_entry *e, void *ctx)
{
    struct lines *l = ctx;
    if (l->n < 8)
        snprintf(l->line[l->n], sizeof l->line[0], "%s %s %s", e->actor, e->kind, e->data);
    l->n++;
    return 0;
}

static void test_timeline_entries(void **state)
{
    struct fixture *f = *state;
    struct pair p;
    create_pair(f, &p);
    struct error err = {0};
    struct store_credential got;
    assert_int_equal(
        credential_revoke(f->store, T1, "token:root", CRED_TOKEN, p.tok.id, &got, &err), OK);
    store_credential_free_fields(&got);
    struct lines l = {0};
    assert_int_equal(store_timeline_scan(reader(f->store), NULL, timeline_line, &l), OK);
    assert_int_equal(l.n, 3);
    char want[256];
    snprintf(want, sizeof want,
             "token:admin token.created {\"id\":\"%s\",\"name\":\"ci\",\"role\":\"responder\"}",
             p.tok.id);
    assert_string_equal(l.line[0], want);
    snprintf(want, sizeof want,
             "token:admin integration.created {\"id\":\"%s\",\"name\":\"api-generic\","
             "\"service\":\"api\",\"type\":\"generic\"}",
             p.key.id);
    assert_string_equal(l.line[1], want);
    snprintf(want, sizeof want, "token:root token.revoked {\"id\":\"%s\",\"name\":\"ci\"}",
             p.tok.id);
    assert_string_equal(l.line[2], want);
}

int main(void)
{
    crypto_init();
    log_set_level(LOG_WARN);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_secret_shapes),
        cmocka_unit_test_setup_teardown(test_create_and_find_both_kinds, setup, teardown),
        cmocka_unit_test_setup_teardown(test_wrong_kind_never_matches, setup, teardown),
        cmocka_unit_test_setup_teardown(test_revoke, setup, teardown),
        cmocka_unit_test_setup_teardown(test_token_name_conflict, setup, teardown),
        cmocka_unit_test_setup_teardown(test_list_per_kind, setup, teardown),
        cmocka_unit_test_setup_teardown(test_timeline_entries, setup, teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
