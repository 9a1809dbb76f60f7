/*
 * Unit tests for domain/notice_template.c: placeholders of customer notices checked (unknown
 * names and unclosed braces named) and rendered (CSV columns, incident fields, spaces inside the
 * braces, empty cells, control characters in a subject).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "domain/notice_template.h"

static const char *const cols[] = {"email", "name", "plan"};

static void test_check(void **state)
{
    char bad[128];
    assert_int_equal(notice_check("plain text", cols, 3, bad, sizeof bad), 0);
    assert_int_equal(notice_check("{{customer.name}} {{ incident.url }}", cols, 3, bad, sizeof bad),
                     0);
    assert_int_equal(notice_check("{{customer.zip}}", cols, 3, bad, sizeof bad), -1);
    assert_string_equal(bad, "{{customer.zip}}");
    assert_int_equal(notice_check("{{incident.owner}}", cols, 3, bad, sizeof bad), -1);
    assert_string_equal(bad, "{{incident.owner}}");
    assert_int_equal(notice_check("Hi {{customer.name", cols, 3, bad, sizeof bad), -1);
    assert_string_equal(bad, "{{customer.name");
    assert_int_equal(notice_check("{{}}", cols, 3, bad, sizeof bad), -1);
    assert_int_equal(notice_check("single { braces } are text", cols, 3, bad, sizeof bad), 0);
}

static void test_render(void **state)
{
    const char *const vals[] = {"a@example.com", "Ada\r\nBcc: x"}; /* short row: no plan */
    struct notice_vars v = {.columns = cols,
                            .ncolumns = 3,
                            .values = vals,
                            .nvalues = 2,
                            .incident = {"INC-1", "Down", "SEV1", "investigating", "api",
                                         "2026-12-07T10:00:00Z", "https://s/status#INC-1"}};
    struct buf b;
    buf_init(&b, 4096);
    notice_render(&b, "{{ customer.name }} [{{customer.plan}}] {{incident.id}} {{incident.url}}",
                  &v, true);
    assert_string_equal(b.data, "Ada  Bcc: x [] INC-1 https://s/status#INC-1");
    buf_reset(&b);
    notice_render(&b, "Hi {{customer.name}}", &v, false);
    assert_string_equal(b.data, "Hi Ada\r\nBcc: x");
    buf_free(&b);
    /* past the cap: refused, whether the value or the literal text after it does not fit */
    buf_init(&b, 16);
    assert_int_equal(notice_render(&b, "Hi {{customer.name}}", &v, true), BUF_OK);
    buf_reset(&b);
    assert_int_equal(notice_render(&b, "Hello {{customer.name}}!", &v, true), BUF_TOO_LARGE);
    buf_reset(&b);
    assert_int_equal(notice_render(&b, "{{customer.name}} and a long tail", &v, true),
                     BUF_TOO_LARGE);
    buf_reset(&b);
    assert_int_equal(notice_render(&b, "A long literal head {{customer.plan}}", &v, true),
                     BUF_TOO_LARGE);
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_check),
        cmocka_unit_test(test_render),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
