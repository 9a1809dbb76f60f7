/*
 * Unit tests for domain/alert.c: status names both ways, group keys, silence matching (window,
 * service, exact label matchers; there are no regex or negative matchers), and label
 * fingerprints (known SHA-256 values, order independence, unambiguous separators). Pure: every
 * time is passed in as `now`.
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
#include "domain/alert.h"

/* 2026-11-23T09:25:00Z */
#define T0 (1795425900LL * 1000)
#define MIN (60LL * 1000)

static json_t *labels(const char *text)
{
    json_t *j = json_loads(text, 0, NULL);
    assert_non_null(j);
    return j;
}

/* ---- status names ---- */

static void test_status_names(void **state)
{
    (void)state;
    assert_string_equal(alert_status_name(ALERT_FIRING), "firing");
    assert_string_equal(alert_status_name(ALERT_ACKNOWLEDGED), "acknowledged");
    assert_string_equal(alert_status_name(ALERT_RESOLVED), "resolved");
    assert_string_equal(alert_status_name(ALERT_STATUS_COUNT), "unknown");
    assert_string_equal(alert_status_name((enum alert_status) - 1), "unknown");
    for (int s = 0; s < ALERT_STATUS_COUNT; s++)
        assert_int_equal(alert_status_parse(alert_status_name((enum alert_status)s)), s);
    assert_int_equal(alert_status_parse("unknown"), -1);
    assert_int_equal(alert_status_parse("Firing"), -1); /* exact, case-sensitive */
    assert_int_equal(alert_status_parse("firing "), -1);
    assert_int_equal(alert_status_parse(""), -1);
}

/* ---- group keys ---- */

static void assert_group(const char *service, const char *const *by, size_t nby, const char *lab,
                         const char *want)
{
    struct string_list gb = {.items = (char **)by, .count = nby};
    json_t *l = lab ? labels(lab) : NULL;
    char *got = alerts_group_key(service, by ? &gb : NULL, l);
    assert_non_null(got);
    if (strcmp(got, want) != 0)
        fail_msg("alerts_group_key(%s, %s) = \"%s\", want \"%s\"", service, lab ? lab : "NULL", got,
                 want);
    free(got);
    json_decref(l);
}

static void test_group_key(void **state)
{
    (void)state;
    static const char *const by[] = {"alertname", "cluster"};
    static const char *const rev[] = {"cluster", "alertname"};
    /* no group_by: the service alone */
    assert_group("db", NULL, 0, "{\"alertname\": \"Down\"}", "db");
    assert_group("db", by, 0, "{\"alertname\": \"Down\"}", "db");
    /* in group_by order, whatever the labels' order */
    assert_group("db", by, 2, "{\"cluster\": \"eu\", \"alertname\": \"Down\"}",
                 "db|alertname=Down|cluster=eu");
    assert_group("db", rev, 2, "{\"alertname\": \"Down\", \"cluster\": \"eu\"}",
                 "db|cluster=eu|alertname=Down");
    /* labels not in group_by do not split groups */
    assert_group("db", by, 2, "{\"alertname\": \"Down\", \"cluster\": \"eu\", \"pod\": \"x1\"}",
                 "db|alertname=Down|cluster=eu");
    /* a missing label, no labels at all, or a non-string value group as empty */
    assert_group("db", by, 2, "{\"alertname\": \"Down\"}", "db|alertname=Down|cluster=");
    assert_group("db", by, 2, NULL, "db|alertname=|cluster=");
    assert_group("db", by, 2, "{\"alertname\": 5, \"cluster\": null}", "db|alertname=|cluster=");
    /* values are kept as sent */
    assert_group("db", by, 1, "{\"alertname\": \"Disk 95% full\"}", "db|alertname=Disk 95% full");
    /* the separators in a value are escaped, so two label sets never share a key */
    static const char *const ab[] = {"a", "b"};
    assert_group("db", ab, 2, "{\"a\": \"1|b=2\", \"b\": \"\"}", "db|a=1\\|b\\=2|b=");
    assert_group("db", ab, 2, "{\"a\": \"1\", \"b\": \"2|b=\"}", "db|a=1|b=2\\|b\\=");
    assert_group("db", ab, 2, "{\"a\": \"x\\\\\", \"b\": \"y\"}", "db|a=x\\\\|b=y");
}

/* Two services never share a group. */
static void test_group_key_service_separates(void **state)
{
    (void)state;
    static const char *const by[] = {"alertname"};
    struct string_list gb = {.items = (char **)by, .count = 1};
    json_t *l = labels("{\"alertname\": \"Down\"}");
    char *a = alerts_group_key("db", &gb, l), *b = alerts_group_key("web", &gb, l);
    assert_string_not_equal(a, b);
    free(a);
    free(b);
    json_decref(l);
}

/* A label value too long for the key's cap (64 KiB): the key stays bounded and is the same for
 * the same input (deterministic grouping), keeping the components that fit. */
static void test_group_key_capped(void **state)
{
    (void)state;
    static const char *const by[] = {"alertname", "huge"};
    struct string_list gb = {.items = (char **)by, .count = 2};
    size_t n = 70 * 1024;
    char *big = malloc(n + 1);
    memset(big, 'x', n);
    big[n] = '\0';
    json_t *l = json_pack("{s:s, s:s}", "alertname", "Down", "huge", big);
    char *a = alerts_group_key("db", &gb, l), *b = alerts_group_key("db", &gb, l);
    assert_true(strlen(a) <= 64 * 1024);
    assert_string_equal(a, b);
    assert_int_equal(strncmp(a, "db|alertname=Down", 17), 0);
    free(a);
    free(b);
    free(big);
    json_decref(l);
}

/* ---- silences ---- */

static struct silence silence(const char *service, const char *matchers)
{
    struct silence s = {.starts_at = T0, .ends_at = T0 + 60 * MIN};
    snprintf(s.id, sizeof s.id, "SIL-1");
    s.service = service ? strdup(service) : NULL;
    s.matchers = matchers ? strdup(matchers) : NULL;
    return s;
}

static bool matches(const struct silence *s, const char *service, const char *lab, int64_t now)
{
    json_t *l = lab ? labels(lab) : NULL;
    bool a = alerts_silence_matches(s, service, l, now);
    json_t *m = alerts_silence_parse(s);
    bool b = alerts_silence_matches_parsed(s, m, service, l, now);
    json_decref(m);
    json_decref(l);
    if (a != b)
        fail_msg("alerts_silence_matches (%d) and _parsed (%d) disagree", a, b);
    return a;
}

/* Active in [starts_at, ends_at): from its first millisecond, not at its end. */
static void test_silence_window(void **state)
{
    (void)state;
    struct silence s = silence("db", "{}");
    assert_false(matches(&s, "db", "{}", T0 - 1));
    assert_true(matches(&s, "db", "{}", T0));
    assert_true(matches(&s, "db", "{}", T0 + 30 * MIN));
    assert_true(matches(&s, "db", "{}", T0 + 60 * MIN - 1));
    assert_false(matches(&s, "db", "{}", T0 + 60 * MIN));
    assert_false(matches(&s, "db", "{}", T0 + 600 * MIN));
    silence_free_fields(&s);
}

static void test_silence_service(void **state)
{
    (void)state;
    struct silence s = silence("db", "{}");
    assert_true(matches(&s, "db", "{\"a\": \"1\"}", T0));
    assert_true(matches(&s, "db", NULL, T0)); /* "{}": everything on the service */
    assert_false(matches(&s, "web", "{\"a\": \"1\"}", T0));
    assert_false(matches(&s, "db2", NULL, T0)); /* exact name, not a prefix */
    assert_false(matches(&s, "d", NULL, T0));
    silence_free_fields(&s);
    struct silence any = silence(NULL, "{\"team\": \"ops\"}"); /* any service */
    assert_true(matches(&any, "db", "{\"team\": \"ops\"}", T0));
    assert_true(matches(&any, "web", "{\"team\": \"ops\"}", T0));
    assert_false(matches(&any, "web", "{\"team\": \"dev\"}", T0));
    silence_free_fields(&any);
}

/* Matchers are exact equality on every listed label (AND); extra labels on the alert are fine. */
static void test_silence_matchers(void **state)
{
    (void)state;
    struct silence s = silence("db", "{\"alertname\": \"Down\", \"cluster\": \"eu\"}");
    assert_true(matches(&s, "db", "{\"alertname\": \"Down\", \"cluster\": \"eu\"}", T0));
    assert_true(
        matches(&s, "db", "{\"cluster\": \"eu\", \"alertname\": \"Down\", \"pod\": \"a\"}", T0));
    assert_false(matches(&s, "db", "{\"alertname\": \"Down\"}", T0)); /* one missing */
    assert_false(matches(&s, "db", "{\"alertname\": \"Down\", \"cluster\": \"us\"}", T0));
    assert_false(matches(&s, "db", "{\"alertname\": \"down\", \"cluster\": \"eu\"}", T0));
    assert_false(matches(&s, "db", "{\"alertname\": \"Down2\", \"cluster\": \"eu\"}", T0));
    assert_false(matches(&s, "db", "{\"alertname\": \"Dow\", \"cluster\": \"eu\"}", T0));
    assert_false(matches(&s, "db", NULL, T0));
    assert_false(matches(&s, "db", "{}", T0));
    silence_free_fields(&s);
    /* no pattern language: ".*" is the literal value ".*" */
    struct silence re = silence("db", "{\"alertname\": \".*\"}");
    assert_false(matches(&re, "db", "{\"alertname\": \"Down\"}", T0));
    assert_true(matches(&re, "db", "{\"alertname\": \".*\"}", T0));
    silence_free_fields(&re);
    /* an empty value matches only an empty value, not a missing label */
    struct silence empty = silence("db", "{\"cluster\": \"\"}");
    assert_true(matches(&empty, "db", "{\"cluster\": \"\"}", T0));
    assert_false(matches(&empty, "db", "{}", T0));
    silence_free_fields(&empty);
}

/* Non-string values, on either side, never match; matchers that are not a JSON object match
 * nothing (rather than everything). */
static void test_silence_bad_matchers(void **state)
{
    (void)state;
    struct silence num = silence("db", "{\"code\": 500}");
    assert_false(matches(&num, "db", "{\"code\": 500}", T0));
    assert_false(matches(&num, "db", "{\"code\": \"500\"}", T0));
    silence_free_fields(&num);
    struct silence str = silence("db", "{\"code\": \"500\"}");
    assert_false(matches(&str, "db", "{\"code\": 500}", T0));
    silence_free_fields(&str);
    static const char *const bad[] = {"[]", "\"x\"", "null", "{not json", ""};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct silence b = silence("db", bad[i]);
        if (matches(&b, "db", "{}", T0))
            fail_msg("matchers '%s' matched", bad[i]);
        silence_free_fields(&b);
    }
    /* NULL matchers are read as "{}" by alerts_silence_parse */
    struct silence none = silence("db", NULL);
    assert_true(matches(&none, "db", "{\"a\": \"1\"}", T0));
    silence_free_fields(&none);
    /* the parsed form: NULL matchers never match */
    struct silence s = silence("db", "{}");
    assert_false(alerts_silence_matches_parsed(&s, NULL, "db", NULL, T0));
    silence_free_fields(&s);
}

/* ---- fingerprints ---- */

static void assert_fingerprint(const char *lab, const char *want)
{
    json_t *l = lab ? labels(lab) : NULL;
    char out[65];
    memset(out, '?', sizeof out);
    alerts_labels_fingerprint(l, out);
    json_decref(l);
    assert_int_equal(strlen(out), 64);
    if (strcmp(out, want) != 0)
        fail_msg("fingerprint(%s) = %s, want %s", lab ? lab : "NULL", out, want);
}

static void test_fingerprint_known_values(void **state)
{
    (void)state;
    /* sha256("alertname\0HighLatency\0instance\0db1:9100\0") */
    const char *want = "b78f703bdc509178e739072b05f30a6d4b8a1793016198c246800f77ef7d55f0";
    assert_fingerprint("{\"alertname\": \"HighLatency\", \"instance\": \"db1:9100\"}", want);
    assert_fingerprint("{\"instance\": \"db1:9100\", \"alertname\": \"HighLatency\"}", want);
    /* no labels: sha256("") */
    const char *empty = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
    assert_fingerprint("{}", empty);
    assert_fingerprint(NULL, empty);
    /* a non-string value hashes as "" : sha256("a\0\0") */
    const char *a_empty = "ea6fde9e840d240a4f5df3d85b5ad6183060057bd18dff9c453ba4061117f83b";
    assert_fingerprint("{\"a\": \"\"}", a_empty);
    assert_fingerprint("{\"a\": 7}", a_empty);
}

static void fingerprint(const char *lab, char out[65])
{
    json_t *l = labels(lab);
    alerts_labels_fingerprint(l, out);
    json_decref(l);
}

/* The separators make the key unambiguous: moving a character across a key/value or pair
 * boundary changes the fingerprint; so does any change of a key or value. */
static void test_fingerprint_distinguishes(void **state)
{
    (void)state;
    static const char *const sets[] = {
        "{\"a\": \"bc\"}",  "{\"ab\": \"c\"}",  "{\"a\": \"b\", \"c\": \"\"}",
        "{\"a\": \"b=c\"}", "{\"a=b\": \"c\"}", "{\"a\": \"bc\", \"d\": \"e\"}",
        "{\"a\": \"bc \"}", "{\"A\": \"bc\"}",
    };
    size_t n = sizeof sets / sizeof *sets;
    char fp[sizeof sets / sizeof *sets][65];
    for (size_t i = 0; i < n; i++)
        fingerprint(sets[i], fp[i]);
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++)
            if (strcmp(fp[i], fp[j]) == 0)
                fail_msg("%s and %s share the fingerprint %s", sets[i], sets[j], fp[i]);
}

/* Many labels, given in opposite orders: the same fingerprint. */
static void test_fingerprint_order_independent(void **state)
{
    (void)state;
    json_t *fwd = json_object(), *back = json_object();
    char key[16], val[16];
    for (int i = 0; i < 40; i++) {
        snprintf(key, sizeof key, "k%02d", i);
        snprintf(val, sizeof val, "v%d", i * 7);
        json_object_set_new(fwd, key, json_string(val));
        snprintf(key, sizeof key, "k%02d", 39 - i);
        snprintf(val, sizeof val, "v%d", (39 - i) * 7);
        json_object_set_new(back, key, json_string(val));
    }
    char a[65], b[65];
    alerts_labels_fingerprint(fwd, a);
    alerts_labels_fingerprint(back, b);
    assert_string_equal(a, b);
    json_object_set_new(back, "k00", json_string("changed"));
    alerts_labels_fingerprint(back, b);
    assert_string_not_equal(a, b);
    json_decref(fwd);
    json_decref(back);
}

/* ---- ownership ---- */

static void test_free_fields_zeroes(void **state)
{
    (void)state;
    struct alert a = {.id = 7,
                      .scope = strdup("int-1"),
                      .service = strdup("db"),
                      .labels = strdup("{}"),
                      .repeat_count = 3};
    alert_free_fields(&a);
    assert_null(a.scope);
    assert_null(a.service);
    assert_int_equal(a.id, 0);
    alert_free_fields(&a); /* twice is harmless */
    struct silence s = silence("db", "{}");
    silence_free_fields(&s);
    assert_null(s.service);
    assert_null(s.matchers);
    silence_free_fields(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_status_names),
        cmocka_unit_test(test_group_key),
        cmocka_unit_test(test_group_key_service_separates),
        cmocka_unit_test(test_group_key_capped),
        cmocka_unit_test(test_silence_window),
        cmocka_unit_test(test_silence_service),
        cmocka_unit_test(test_silence_matchers),
        cmocka_unit_test(test_silence_bad_matchers),
        cmocka_unit_test(test_fingerprint_known_values),
        cmocka_unit_test(test_fingerprint_distinguishes),
        cmocka_unit_test(test_fingerprint_order_independent),
        cmocka_unit_test(test_free_fields_zeroes),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
