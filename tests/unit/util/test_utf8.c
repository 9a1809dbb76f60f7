/*
 * Unit tests for util/utf8.c: sequence lengths of 1-4 byte characters at the edges of each range;
 * overlongs, surrogates, code points past U+10FFFF, stray continuation bytes and sequences cut
 * short are refused; repair turns exactly the bad bytes into '?'; counting characters; cutting by
 * bytes (down and up to a boundary) and by characters, including a cut that falls inside a 2-,
 * 3- or 4-byte sequence.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/utf8.h"

static size_t seq(const char *s)
{
    return utf8_seq_len(s, strlen(s));
}

static void test_seq_len_valid_edges(void **state)
{
    static const struct {
        const char *s;
        size_t n;
    } cases[] = {
        {"A", 1},
        {"\x7F", 1},
        {"\xC2\x80", 2},         /* U+0080 */
        {"\xDF\xBF", 2},         /* U+07FF */
        {"\xE0\xA0\x80", 3},     /* U+0800 */
        {"\xED\x9F\xBF", 3},     /* U+D7FF, last before the surrogates */
        {"\xEE\x80\x80", 3},     /* U+E000, first after them */
        {"\xEF\xBF\xBF", 3},     /* U+FFFF */
        {"\xF0\x90\x80\x80", 4}, /* U+10000 */
        {"\xF4\x8F\xBF\xBF", 4}, /* U+10FFFF */
        {"\xE2\x82\xAC", 3},     /* euro sign */
        {"\xF0\x9F\x94\xA5", 4}, /* fire */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_int_equal(seq(cases[i].s), cases[i].n);
    assert_int_equal(utf8_seq_len("", 1), 1); /* NUL is a character when inside len */
}

static void test_seq_len_invalid(void **state)
{
    static const char *const bad[] = {
        "\x80",             /* stray continuation */
        "\xBF",             /* stray continuation */
        "\xC0\x80",         /* overlong NUL */
        "\xC1\xBF",         /* overlong */
        "\xE0\x80\x80",     /* overlong 3-byte */
        "\xE0\x9F\xBF",     /* overlong U+07FF */
        "\xED\xA0\x80",     /* U+D800 surrogate */
        "\xED\xBF\xBF",     /* U+DFFF surrogate */
        "\xF0\x80\x80\x80", /* overlong 4-byte */
        "\xF0\x8F\xBF\xBF", /* overlong U+FFFF */
        "\xF4\x90\x80\x80", /* U+110000 */
        "\xF5\x80\x80\x80", /* lead past F4 */
        "\xFF",
        "\xFE",
        "\xC3",             /* cut short */
        "\xE2\x82",         /* cut short */
        "\xF0\x9F\x94",     /* cut short */
        "\xC3(",            /* not a continuation */
        "\xE2\x28\xA1",     /* second byte not a continuation */
        "\xE2\x82\x28",     /* third byte not a continuation */
        "\xF0\x9F\x94\x28", /* fourth byte not a continuation */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(seq(bad[i]), 0);
    /* avail limits the read: a whole sequence that does not fit is refused */
    assert_int_equal(utf8_seq_len("\xE2\x82\xAC", 2), 0);
    assert_int_equal(utf8_seq_len("\xE2\x82\xAC", 3), 3);
    assert_int_equal(utf8_seq_len("A", 0), 0);
}

static void test_valid(void **state)
{
    assert_true(utf8_valid("", 0));
    assert_true(utf8_valid("caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5", 14));
    assert_false(utf8_valid("caf\xC3", 4));
    assert_false(utf8_valid("a\xED\xA0\x80z", 5));
    assert_false(utf8_valid("a\x80", 2));
    assert_true(utf8_valid("a\0b", 3));
}

static void test_repair(void **state)
{
    static const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"caf\xC3\xA9", "caf\xC3\xA9"},
        {"caf\xC3", "caf?"},                        /* cut in the middle of a character */
        {"\xE2\x82", "??"},                         /* each byte of a truncated sequence */
        {"a\x80z", "a?z"},                          /* stray continuation */
        {"\xC0\x80", "??"},                         /* overlong */
        {"\xED\xA0\x80", "???"},                    /* surrogate */
        {"\xF4\x90\x80\x80", "????"},               /* past U+10FFFF */
        {"Gr\xFC\xDF", "Gr??"},                     /* Latin-1 */
        {"\xE2\x82\xAC\xE2\x82", "\xE2\x82\xAC??"}, /* valid then cut */
        {"\xC3\xC3\xA9", "?\xC3\xA9"},              /* a lead followed by a whole character */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char b[32];
        snprintf(b, sizeof b, "%s", cases[i].in);
        utf8_repair(b);
        assert_string_equal(b, cases[i].out);
        assert_true(utf8_valid(b, strlen(b)));
    }
    utf8_repair(NULL);
}

static void test_chars(void **state)
{
    assert_int_equal(utf8_chars(""), 0);
    assert_int_equal(utf8_chars(NULL), 0);
    assert_int_equal(utf8_chars("abc"), 3);
    assert_int_equal(utf8_chars("\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\xA5"), 3);
    assert_int_equal(utf8_chars("a\xC3\xA9z"), 3);
}

/* "a" + e-acute (2) + euro (3) + fire (4) + "z": boundaries at 0 1 3 6 10 11. */
#define MIX "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x94\xA5z"

static void test_cut_bytes(void **state)
{
    static const size_t down[] = {0, 1, 1, 3, 3, 3, 6, 6, 6, 6, 10, 11, 11};
    static const size_t up[] = {0, 1, 3, 3, 6, 6, 6, 10, 10, 10, 10, 11, 11};
    size_t len = strlen(MIX);
    assert_int_equal(len, 11);
    for (size_t max = 0; max < sizeof down / sizeof down[0]; max++) {
        assert_int_equal(utf8_cut(MIX, len, max), down[max]);
        assert_int_equal(utf8_cut_after(MIX, len, max), up[max]);
        assert_true(utf8_valid(MIX, utf8_cut(MIX, len, max)));
        assert_true(utf8_valid(MIX, utf8_cut_after(MIX, len, max)));
    }
    assert_int_equal(utf8_cut("abc", 3, 100), 3);
    assert_int_equal(utf8_cut("", 0, 0), 0);
    assert_int_equal(utf8_cut_after("", 0, 5), 0);
    /* stray continuation bytes never loop forever: the cut stops at 0 / the end */
    assert_int_equal(utf8_cut("\x80\x80\x80", 3, 2), 0);
    assert_int_equal(utf8_cut_after("\x80\x80\x80", 3, 1), 3);
}

static void test_cut_chars(void **state)
{
    static const size_t bytes[] = {0, 1, 3, 6, 10, 11, 11};
    for (size_t n = 0; n < sizeof bytes / sizeof bytes[0]; n++)
        assert_int_equal(utf8_cut_chars(MIX, n), bytes[n]);
    assert_int_equal(utf8_cut_chars("", 3), 0);
    assert_int_equal(utf8_cut_chars("abcdef", 4), 4);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_seq_len_valid_edges),
        cmocka_unit_test(test_seq_len_invalid),
        cmocka_unit_test(test_valid),
        cmocka_unit_test(test_repair),
        cmocka_unit_test(test_chars),
        cmocka_unit_test(test_cut_bytes),
        cmocka_unit_test(test_cut_chars),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
