/*
 * Unit tests for util/jsonfast.c, differential against jansson (the authority):
 *   - whatever jsonfast_parse accepts, jansson (JSON_REJECT_DUPLICATES | JSON_DECODE_ANY) accepts
 *     too and builds an equal tree with the same key order; checked on a corpus and on 200,000
 *     seeded random mutations of it (bytes replaced, inserted, deleted, cut);
 *   - the bodies tocsin receives every day take the fast path (it is not just always NULL);
 *   - jsonfast_dump_sorted writes byte for byte what json_dumps(COMPACT | SORT_KEYS) writes, and
 *     declines (NULL) values holding a real.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jobs/timeline.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/jsonfast.h"

static const char *const fast_ok[] = {
    /* an Alertmanager webhook, as the bench and Alertmanager send it */
    "{\"version\":\"4\",\"groupKey\":\"{}:{alertname=\\\"BenchAlert\\\"}\",\"truncatedAlerts\":0,"
    "\"status\":\"firing\",\"receiver\":\"tocsin\",\"groupLabels\":{\"alertname\":\"BenchAlert\"},"
    "\"commonLabels\":{\"alertname\":\"BenchAlert\",\"job\":\"bench\",\"severity\":\"warning\"},"
    "\"commonAnnotations\":{},\"externalURL\":\"http://127.0.0.1:9093\",\"alerts\":[{\"status\":"
    "\"firing\",\"labels\":{\"alertname\":\"BenchAlert\",\"instance\":\"7-1-1\",\"job\":\"bench\","
    "\"severity\":\"warning\"},\"annotations\":{\"summary\":\"bench alert 7-1-1\"},\"startsAt\":"
    "\"2026-01-01T00:00:00Z\",\"endsAt\":\"0001-01-01T00:00:00Z\",\"generatorURL\":"
    "\"http://127.0.0.1/bench\",\"fingerprint\":\"0701000000000001\"}]}",
    /* PagerDuty Events v2 */
    "{\"routing_key\":\"0123456789abcdef0123456789abcdef\",\"event_action\":\"trigger\","
    "\"dedup_key\":\"k\",\"payload\":{\"summary\":\"disk full\",\"source\":\"db1\",\"severity\":"
    "\"critical\",\"custom_details\":{\"free\":0,\"mounts\":[\"/\",\"/var\"],\"ok\":false}}}",
    " { \"a\" : [ 1 , -2 , 0 , -0 , true , false , null , \"x\" , { } , [ ] ] } \r\n\t",
    "{\"esc\":\"q\\\"b\\\\s\\/n\\nt\\tr\\rb\\bf\\f\",\"\":\"empty key\"}",
    "{\"big\":123456789012345678,\"neg\":-123456789012345678}",
    "[[[[[[[[[[\"deep\"]]]]]]]]]]",
    "\"just a string\"",
    "42",
    "null",
    "{\"del\":\"\x7f\"}",
};

static const char *const other[] = {
    /* valid JSON outside the subset, or not JSON: jansson decides */
    "{\"u\":\"\\u00e9\"}",
    "{\"nul\":\"\\u0000\"}",
    "{\"utf8\":\"caf\xc3\xa9\"}",
    "{\"bad utf8\":\"\xc3\x28\"}",
    "{\"f\":1.5}",
    "{\"e\":1e3}",
    "{\"E\":-2E-3}",
    "{\"long\":1234567890123456789}",
    "{\"huge\":123456789012345678901234567890}",
    "{\"lead\":01}",
    "{\"dup\":1,\"dup\":2}",
    "{\"a\":{\"dup\":1,\"dup\":1}}",
    "{\"ctl\":\"a\tb\"}",
    "{\"a\":1,}",
    "[1,]",
    "{\"a\" 1}",
    "{a:1}",
    "{\"a\":1} x",
    "{\"a\":1}{}",
    "{\"a\":tru}",
    "{\"a\":truex}",
    "{\"a\":-}",
    "{\"a\":\"\\x\"}",
    "{\"a\":\"unterminated}",
    "{\"a\":\"\\",
    "[",
    "",
    "   ",
    "{'a':1}",
    "[\"a\" \"b\"]",
    "\xef\xbb\xbf{}",
};

static char *dump_plain(const json_t *v)
{
    return json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
}

/* The promise: fast accepts => jansson accepts the same tree, in the same order. Returns whether
 * the fast path took it. */
static bool check_parse(const char *text, size_t len)
{
    json_t *fast = jsonfast_parse(text, len);
    json_error_t je;
    json_t *ref = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (fast) {
        if (!ref)
            fail_msg("fast accepted what jansson refuses (%s): %.*s", je.text, (int)len, text);
        assert_true(json_equal(fast, ref));
        char *a = dump_plain(fast), *b = dump_plain(ref);
        assert_non_null(a);
        assert_non_null(b);
        assert_string_equal(a, b); /* same key order */
        free(a);
        free(b);
    }
    json_decref(fast);
    json_decref(ref);
    return fast != NULL;
}

static void test_corpus(void **state)
{
    for (size_t i = 0; i < sizeof fast_ok / sizeof *fast_ok; i++)
        if (!check_parse(fast_ok[i], strlen(fast_ok[i])))
            fail_msg("should take the fast path: %s", fast_ok[i]);
    for (size_t i = 0; i < sizeof other / sizeof *other; i++)
        check_parse(other[i], strlen(other[i]));
}

static void test_depth(void **state)
{
    char text[2 * (JSONFAST_MAX_DEPTH + 10) + 1];
    for (int depth = JSONFAST_MAX_DEPTH - 1; depth <= JSONFAST_MAX_DEPTH + 2; depth++) {
        memset(text, '[', (size_t)depth);
        memset(text + depth, ']', (size_t)depth);
        bool fast = check_parse(text, 2 * (size_t)depth);
        assert_true(fast == (depth <= JSONFAST_MAX_DEPTH));
    }
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static unsigned next(unsigned n)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (unsigned)(rng % n);
}

static void test_mutations(void **state)
{
    static const char alphabet[] = "{}[]\":,\\ \t\n-0123456789.eEtrufalsn/bu\x01\x7f\xc3\xa9x";
    char buf[4096];
    size_t took = 0;
    for (int round = 0; round < 200000; round++) {
        const char *src = fast_ok[next(sizeof fast_ok / sizeof *fast_ok)];
        size_t len = strlen(src);
        memcpy(buf, src, len);
        for (unsigned edits = 1 + next(3); edits > 0; edits--) {
            unsigned at = len ? next((unsigned)len) : 0;
            char ch = alphabet[next(sizeof alphabet - 1)];
            switch (next(4)) {
            case 0:
                if (len)
                    buf[at] = ch;
                break;
            case 1:
                if (len + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, len - at);
                    buf[at] = ch;
                    len++;
                }
                break;
            case 2:
                if (len) {
                    memmove(buf + at, buf + at + 1, len - at - 1);
                    len--;
                }
                break;
            default:
                len = at;
            }
        }
        took += check_parse(buf, len);
    }
    assert_true(took > 1000); /* mutations that stay valid are still checked on the fast path */
}

static bool has_real(const json_t *v)
{
    const char *k;
    json_t *x;
    size_t i;
    if (json_is_real(v))
        return true;
    if (json_is_object(v))
        json_object_foreach((json_t *)v, k, x) if (has_real(x)) return true;
    if (json_is_array(v))
        json_array_foreach(v, i, x) if (has_real(x)) return true;
    return false;
}

static void check_dump(const char *text)
{
    json_error_t je;
    json_t *v = json_loads(text, JSON_DECODE_ANY, &je);
    if (!v)
        fail_msg("corpus entry is not JSON (%s): %s", je.text, text);
    char *fast = jsonfast_dump_sorted(v);
    char *ref = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
    assert_non_null(ref);
    if (has_real(v)) {
        assert_null(fast); /* a real: jansson's formatting */
    } else {
        assert_non_null(fast);
        assert_string_equal(fast, ref);
    }
    free(fast);
    free(ref);
    json_decref(v);
}

static void test_dump(void **state)
{
    for (size_t i = 0; i < sizeof fast_ok / sizeof *fast_ok; i++)
        check_dump(fast_ok[i]);
    check_dump("{\"z\":1,\"a\":{\"y\":[3,2,{\"c\":null,\"b\":true}],\"x\":\"\"},\"m\":false}");
    check_dump("{\"ctl\":\"\\u0001\\u001f\\b\\f\\n\\r\\t\\\"\\\\/\",\"utf8\":\"caf\\u00e9 "
               "\\ud83d\\ude00\"}");
    check_dump("{\"B\":1,\"a\":2,\"_\":3,\"aa\":4,\"\":5}");
    check_dump("{}");
    check_dump("[]");
    check_dump("{\"r\":1.5}");
    check_dump("[1e300]");
    check_dump("-9223372036854775808");
}

static void random_text(char *out, size_t n)
{
    static const char chars[] = "aZ09 \"\\/\b\f\n\r\t\x01\x1f\x7f{}[]:,-_.u";
    for (size_t i = 0; i < n; i++)
        out[i] = chars[next(sizeof chars - 1)];
    out[n] = '\0';
}

static void test_ascii_strings(void **state)
{
    char s[64];
    for (int round = 0; round < 20000; round++) {
        random_text(s, next(sizeof s - 1));
        json_t *v = json_string(s);
        char *ref = json_dumps(v, JSON_COMPACT | JSON_ENSURE_ASCII | JSON_ENCODE_ANY);
        struct buf b;
        buf_init(&b, 4096);
        assert_true(jsonfast_append_ascii_string(&b, s, strlen(s)));
        assert_string_equal(b.data, ref);
        buf_free(&b);
        free(ref);
        json_decref(v);
    }
    struct buf b;
    buf_init(&b, 4096);
    assert_false(jsonfast_append_ascii_string(&b, "caf\xc3\xa9", 5)); /* left to jansson */
    buf_free(&b);
}

/* timeline_hash (which now writes ASCII entries itself) against the hash as it was computed
 * before, with json_pack and json_dumps: entries already stored must still verify. */
static void test_timeline_hash_unchanged(void **state)
{
    char actor[40], kind[40], inc[40], data[200], prev[SHA256_HEX_LEN];
    memcpy(prev, timeline_genesis, SHA256_HEX_LEN);
    for (int round = 0; round < 5000; round++) {
        random_text(actor, next(30));
        random_text(kind, next(30));
        random_text(inc, next(30));
        random_text(data, next(190));
        if (round % 7 == 0) /* some non-ASCII: the jansson path */
            memcpy(data, "caf\xc3\xa9", 6);
        struct timeline_entry e = {.seq = round + 1,
                                   .at = 1700000000000LL + round,
                                   .actor = actor,
                                   .kind = kind,
                                   .incident_id = round % 3 ? inc : NULL,
                                   .data = data};
        json_t *arr = json_pack("[I,I,s,s,s?,s]", (json_int_t)e.seq, (json_int_t)e.at, e.actor,
                                e.kind, e.incident_id, e.data);
        char *canonical = json_dumps(arr, JSON_COMPACT | JSON_ENSURE_ASCII);
        char want[SHA256_HEX_LEN], got[SHA256_HEX_LEN];
        crypto_sha256_hex2(prev, canonical, want);
        timeline_hash(prev, &e, got);
        assert_string_equal(got, want);
        memcpy(prev, got, SHA256_HEX_LEN);
        free(canonical);
        json_decref(arr);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_corpus),        cmocka_unit_test(test_depth),
        cmocka_unit_test(test_mutations),     cmocka_unit_test(test_dump),
        cmocka_unit_test(test_ascii_strings), cmocka_unit_test(test_timeline_hash_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
