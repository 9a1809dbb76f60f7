/*
 * Unit tests for util/buf.c: the cap is exact (cap bytes fit, one more does not), a refused append
 * changes nothing, the content stays NUL-terminated, printf, reset, steal, free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "util/buf.h"

static void test_init_empty(void **state)
{
    struct buf b;
    buf_init(&b, 100);
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.alloc, 0);
    assert_int_equal(b.cap, 100);
    buf_free(&b);
    assert_null(b.data);
    assert_int_equal(b.cap, 100);
}

static void test_cap_exact_one_shot(void **state)
{
    char src[300];
    memset(src, 'a', sizeof src);
    for (size_t cap = 0; cap < 300; cap += 37) {
        struct buf b;
        buf_init(&b, cap);
        assert_int_equal(buf_append(&b, src, cap + 1), BUF_TOO_LARGE);
        assert_int_equal(b.len, 0);
        assert_int_equal(buf_append(&b, src, cap), BUF_OK);
        assert_int_equal(b.len, cap);
        assert_non_null(b.data);
        assert_int_equal(b.data[cap], '\0');
        assert_memory_equal(b.data, src, cap);
        assert_true(b.alloc <= cap + 1);
        /* full: one more byte is refused, even zero bytes are fine */
        assert_int_equal(buf_append(&b, "x", 1), BUF_TOO_LARGE);
        assert_int_equal(buf_append(&b, "", 0), BUF_OK);
        assert_int_equal(b.len, cap);
        assert_int_equal(b.data[cap], '\0');
        buf_free(&b);
    }
}

static void test_cap_exact_byte_by_byte(void **state)
{
    enum { CAP = 1000 }; /* crosses several growth steps */
    struct buf b;
    buf_init(&b, CAP);
    for (size_t i = 0; i < CAP; i++) {
        char c = (char)('a' + i % 26);
        assert_int_equal(buf_append(&b, &c, 1), BUF_OK);
        assert_int_equal(b.len, i + 1);
        assert_int_equal(b.data[b.len], '\0');
        assert_true(b.alloc >= b.len + 1);
        assert_true(b.alloc <= CAP + 1);
    }
    assert_int_equal(buf_append(&b, "z", 1), BUF_TOO_LARGE);
    assert_int_equal(buf_puts(&b, "z"), BUF_TOO_LARGE);
    assert_int_equal(buf_printf(&b, "%c", 'z'), BUF_TOO_LARGE);
    assert_int_equal(b.len, CAP);
    assert_int_equal(b.data[CAP], '\0');
    for (size_t i = 0; i < CAP; i++)
        assert_int_equal(b.data[i], (char)('a' + i % 26));
    buf_free(&b);
}

static void test_refused_append_changes_nothing(void **state)
{
    struct buf b;
    buf_init(&b, 10);
    assert_int_equal(buf_puts(&b, "hello"), BUF_OK);
    assert_int_equal(buf_puts(&b, "world!"), BUF_TOO_LARGE); /* 11 > 10 */
    assert_string_equal(b.data, "hello");
    assert_int_equal(b.len, 5);
    assert_int_equal(buf_puts(&b, "world"), BUF_OK); /* exactly 10 */
    assert_string_equal(b.data, "helloworld");
    buf_free(&b);
}

static void test_cap_zero(void **state)
{
    struct buf b;
    buf_init(&b, 0);
    assert_int_equal(buf_append(&b, "a", 1), BUF_TOO_LARGE);
    assert_int_equal(buf_puts(&b, ""), BUF_OK);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    assert_int_equal(buf_printf(&b, "%s", ""), BUF_OK);
    assert_int_equal(buf_printf(&b, "%d", 1), BUF_TOO_LARGE);
    assert_string_equal(b.data, "");
    buf_free(&b);
}

static void test_binary_content(void **state)
{
    struct buf b;
    buf_init(&b, 16);
    assert_int_equal(buf_append(&b, "a\0b", 3), BUF_OK);
    assert_int_equal(b.len, 3);
    assert_memory_equal(b.data, "a\0b\0", 4);
    buf_free(&b);
}

static void test_printf(void **state)
{
    struct buf b;
    buf_init(&b, 64);
    assert_int_equal(buf_printf(&b, "%s=%d", "n", 42), BUF_OK);
    assert_int_equal(buf_printf(&b, ", %.2f", 1.5), BUF_OK);
    assert_int_equal(buf_puts(&b, "!"), BUF_OK);
    assert_string_equal(b.data, "n=42, 1.50!");
    assert_int_equal(b.len, strlen("n=42, 1.50!"));
    buf_free(&b);

    /* exactly to the cap, then one past */
    buf_init(&b, 12);
    assert_int_equal(buf_printf(&b, "%s", "0123456789"), BUF_OK);
    assert_int_equal(buf_printf(&b, "%d", 123), BUF_TOO_LARGE);
    assert_string_equal(b.data, "0123456789");
    assert_int_equal(buf_printf(&b, "%d", 12), BUF_OK);
    assert_string_equal(b.data, "012345678912");
    assert_int_equal(b.len, 12);
    buf_free(&b);

    /* long output grows the buffer */
    buf_init(&b, 10000);
    for (int i = 0; i < 1000; i++)
        assert_int_equal(buf_printf(&b, "%03d|", i % 1000), BUF_OK);
    assert_int_equal(b.len, 4000);
    assert_memory_equal(b.data + 3996, "999|", 4);
    assert_int_equal(b.data[4000], '\0');
    buf_free(&b);
}

static void test_reset(void **state)
{
    struct buf b;
    buf_init(&b, 8);
    buf_reset(&b); /* on an empty buffer: harmless */
    assert_int_equal(b.len, 0);
    assert_int_equal(buf_puts(&b, "12345678"), BUF_OK);
    buf_reset(&b);
    assert_int_equal(b.len, 0);
    assert_string_equal(b.data, "");
    /* the cap applies afresh */
    assert_int_equal(buf_puts(&b, "abcdefgh"), BUF_OK);
    assert_int_equal(buf_puts(&b, "i"), BUF_TOO_LARGE);
    assert_string_equal(b.data, "abcdefgh");
    buf_free(&b);
}

static void test_steal(void **state)
{
    struct buf b;
    buf_init(&b, 32);
    assert_int_equal(buf_printf(&b, "id=%d", 7), BUF_OK);
    char *s = buf_steal(&b);
    assert_string_equal(s, "id=7");
    assert_null(b.data);
    assert_int_equal(b.len, 0);
    assert_int_equal(b.alloc, 0);
    assert_int_equal(b.cap, 32);
    free(s);

    /* stealing an empty buffer still gives a string to free */
    s = buf_steal(&b);
    assert_non_null(s);
    assert_string_equal(s, "");
    free(s);

    /* the buffer is reusable after a steal, with its cap */
    assert_int_equal(buf_puts(&b, "again"), BUF_OK);
    s = buf_steal(&b);
    assert_string_equal(s, "again");
    free(s);
    char big[40];
    memset(big, 'x', sizeof big);
    assert_int_equal(buf_append(&b, big, sizeof big), BUF_TOO_LARGE);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_init_empty),
        cmocka_unit_test(test_cap_exact_one_shot),
        cmocka_unit_test(test_cap_exact_byte_by_byte),
        cmocka_unit_test(test_refused_append_changes_nothing),
        cmocka_unit_test(test_cap_zero),
        cmocka_unit_test(test_binary_content),
        cmocka_unit_test(test_printf),
        cmocka_unit_test(test_reset),
        cmocka_unit_test(test_steal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
