/*
 * Unit tests for web/html.c: a <script> title comes out as text; quotes in attribute values
 * cannot end the attribute; invalid UTF-8 bytes become U+FFFD while valid multi-byte characters
 * pass; control characters are dropped; unsafe URLs (javascript:, data:, a scheme split by a
 * tab) become "#"; the cap makes the builder fail once and stay failed; NULL values write
 * nothing; formatted text is escaped as a whole.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "web/html.h"

static void test_script_is_text(void **state)
{
    struct html h;
    html_init(&h, 4096);
    html_markup(&h, "<h1>");
    html_text(&h, "<script>alert(1)</script>");
    html_markup(&h, "</h1>");
    assert_false(html_failed(&h));
    assert_string_equal(html_data(&h), "<h1>&lt;script&gt;alert(1)&lt;/script&gt;</h1>");
    assert_null(strstr(html_data(&h), "<script"));
    html_free(&h);
}

static void test_quotes_in_attributes(void **state)
{
    struct html h;
    html_init(&h, 4096);
    html_markup(&h, "<a");
    html_attr(&h, "title", "x\" onmouseover=\"alert(1)' &");
    html_markup(&h, ">");
    assert_string_equal(html_data(&h),
                        "<a title=\"x&quot; onmouseover=&quot;alert(1)&#39; &amp;\">");
    html_free(&h);
}

static void test_invalid_utf8(void **state)
{
    struct html h;
    html_init(&h, 4096);
    /* a stray continuation byte, an overlong '<' (C0 BC), a surrogate, a cut 3-byte sequence */
    html_text(&h, "a\x80"
                  "b\xC0\xBC"
                  "c\xED\xA0\x80"
                  "d\xE2\x82");
    assert_string_equal(html_data(&h), "a\xEF\xBF\xBD"
                                       "b\xEF\xBF\xBD\xEF\xBF\xBD"
                                       "c\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                                       "d\xEF\xBF\xBD\xEF\xBF\xBD");
    html_free(&h);
    html_init(&h, 4096);
    html_text(&h, "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5"); /* é, euro, fire: kept */
    assert_string_equal(html_data(&h), "caf\xC3\xA9 \xE2\x82\xAC \xF0\x9F\x94\xA5");
    html_free(&h);
}

static void test_control_characters(void **state)
{
    struct html h;
    html_init(&h, 4096);
    html_text(&h, "a\x01"
                  "b\tc\nd\re\x1B"
                  "f\x7F");
    assert_string_equal(html_data(&h), "ab\tc\nd\ref");
    html_free(&h);
}

static void test_urls(void **state)
{
    assert_true(html_url_safe("/status"));
    assert_true(html_url_safe("incidents/INC-1?x=1#y"));
    assert_true(html_url_safe("https://example.org/a:b"));
    assert_true(html_url_safe("HTTP://example.org"));
    assert_true(html_url_safe("mailto:ops@example.org"));
    assert_true(html_url_safe("/a?next=javascript:x")); /* the colon comes after the path */
    assert_false(html_url_safe("javascript:alert(1)"));
    assert_false(html_url_safe("JavaScript:alert(1)"));
    assert_false(html_url_safe("java\tscript:alert(1)"));
    assert_false(html_url_safe(" javascript:alert(1)"));
    assert_false(html_url_safe("data:text/html,<script>"));
    assert_false(html_url_safe("vbscript:x"));
    assert_false(html_url_safe(NULL));

    struct html h;
    html_init(&h, 4096);
    html_markup(&h, "<a");
    html_url_attr(&h, "href", "javascript:alert(1)");
    html_url_attr(&h, "data-x", "/ok?a=1&b=\"2\"");
    html_markup(&h, ">");
    assert_string_equal(html_data(&h), "<a href=\"#\" data-x=\"/ok?a=1&amp;b=&quot;2&quot;\">");
    html_free(&h);
}

static void test_elem_textf_null(void **state)
{
    struct html h;
    html_init(&h, 4096);
    html_elem(&h, "td", "R&D");
    html_elem(&h, "td", NULL);
    html_textf(&h, "%d<%s>", 42, "b");
    html_text(&h, NULL);
    assert_string_equal(html_data(&h), "<td>R&amp;D</td><td></td>42&lt;b&gt;");
    /* longer than textf's stack buffer */
    char big[600];
    memset(big, '<', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    html_free(&h);
    html_init(&h, 8192);
    html_textf(&h, "%s", big);
    assert_int_equal(html_len(&h), 4 * (sizeof big - 1));
    html_free(&h);
}

static void test_cap_is_sticky(void **state)
{
    struct html h;
    html_init(&h, 16);
    html_markup(&h, "<p>");
    html_text(&h, "<<<<<"); /* 25 bytes escaped: past the cap */
    assert_true(html_failed(&h));
    html_markup(&h, "x");
    assert_true(html_failed(&h));
    size_t len = 99;
    assert_null(html_steal(&h, &len));
    html_free(&h);

    struct html a, b;
    html_init(&a, 64);
    html_init(&b, 64);
    html_markup(&a, "<p>");
    html_text(&b, "a&b");
    html_append(&a, &b);
    html_markup(&a, "</p>");
    char *out = html_steal(&a, &len);
    assert_string_equal(out, "<p>a&amp;b</p>");
    assert_int_equal(len, strlen(out));
    free(out);
    html_free(&a);
    html_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_script_is_text), cmocka_unit_test(test_quotes_in_attributes),
        cmocka_unit_test(test_invalid_utf8),   cmocka_unit_test(test_control_characters),
        cmocka_unit_test(test_urls),           cmocka_unit_test(test_elem_textf_null),
        cmocka_unit_test(test_cap_is_sticky),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
