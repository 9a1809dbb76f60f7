/*
 * Config load is not quadratic (issue 14 item 8: 40,000 severities took 3.7 s, 300,000 entries
 * passed 60 s). Not a timed test: config_parse_key_compares() counts the key comparisons of the
 * duplicate checks, the id lookups of the references and the routing checks; loading ten times
 * the entries may cost at most 25 times the comparisons (n log n gives about 13; the old
 * scans gave 100). Also: duplicates are still found at every size, with the first line.
 */
#include "config_fixture.h"
#include "config/parse.h"

/* n severities, n users, n/10 services on the default policy, a policy per 100 services; each
 * service's owner is a user. The returned text is the caller's. */
static char *big_config(size_t n, bool duplicate)
{
    size_t cap = n * 260 + 4096, used = 0;
    char *t = malloc(cap);
    assert_non_null(t);
#define PUT(...) used += (size_t)snprintf(t + used, cap - used, __VA_ARGS__)
    PUT("severities:\n");
    for (size_t i = 0; i < n; i++)
        PUT("  - {id: S%zu, name: Severity %zu}\n", i, i);
    if (duplicate)
        PUT("  - {id: S%zu, name: Again}\n", n / 2);
    PUT("users:\n");
    for (size_t i = 0; i < n; i++)
        PUT("  - {id: u%zu, name: User %zu, email: u%zu@example.com}\n", i, i, i);
    PUT("escalation_policies:\n  - {id: default, name: D, steps: [{after: 0m, notify: "
        "[\"user:u0\"]}]}\n");
    for (size_t i = 0; i < n / 1000; i++)
        PUT("  - {id: p%zu, name: P, steps: [{after: 0m, notify: [\"user:u%zu\"]}]}\n", i, i);
    PUT("services:\n");
    for (size_t i = 0; i < n / 10; i++)
        PUT("  - {id: svc%zu, name: Service, escalation: %s}\n", i,
            i % 100 == 0 && i / 100 < n / 1000 ? "p0" : "default");
#undef PUT
    assert_true(used < cap);
    return t;
}

static size_t compares_to_load(size_t n)
{
    char *text = big_config(n, false);
    struct config_errors errs = {0};
    size_t before = config_parse_key_compares();
    struct config *c = load_string(text, &errs);
    size_t spent = config_parse_key_compares() - before;
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "%s\n", errs.items[i]);
    assert_int_equal(errs.count, 0);
    assert_non_null(c);
    assert_int_equal(c->severity_count, n);
    assert_non_null(config_severity_find(c, "S1"));
    assert_null(config_severity_find(c, "S-none"));
    assert_non_null(config_user_find(c, "u7"));
    config_unref(c);
    config_errors_free(&errs);
    free(text);
    return spent;
}

static void test_load_is_not_quadratic(void **state)
{
    size_t small = compares_to_load(1500), large = compares_to_load(15000);
    print_message("key comparisons: 1500 -> %zu, 15000 -> %zu (x%.1f)\n", small, large,
                  (double)large / (double)small);
    assert_true(small > 0);
    assert_true(large < 25 * small);
}

static void test_duplicates_found_at_scale(void **state)
{
    char *text = big_config(5000, true);
    char *got = load_errors(text);
    /* the repeat is the 5001st severity, on line 5002; the first S2500 is on line 2502 */
    assert_string_equal(got, "5002: severities[5000].id: duplicate id \"S2500\" (first defined "
                             "at line 2502)\n");
    free(got);
    free(text);
    assert_errors(SEV "users:\n  - {id: a, name: A, email: a@x.io}\n  - {id: b, name: B, email: "
                      "b@x.io}\n  - {id: a, name: A2, email: c@x.io}\n",
                  "5: users[2].id: duplicate id \"a\" (first defined at line 3)\n");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_load_is_not_quadratic),
        cmocka_unit_test(test_duplicates_found_at_scale),
    };
    return cmocka_run_group_tests(tests, config_fixture_setup, config_fixture_teardown);
}
