/*
 * Unit tests for the web UI's form parser (api/ui_common.c, ui_form_parse): '+' and %XX decode,
 * repeated keys keep every value in order, a key without '=' has an empty value, empty pairs are
 * skipped; %00, a bad or cut escape, invalid UTF-8 and more than UI_FORM_MAX fields are refused
 * with a message naming the problem; a refused form is still safe to free.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "api/ui.h"

static enum result parse(const char *body, struct ui_form *f, struct error *err)
{
    return ui_form_parse(body, strlen(body), f, err);
}

static void test_decodes(void **state)
{
    struct ui_form f;
    struct error err = {0};
    assert_int_equal(parse("title=%3Cscript%3E+x&csrf=ab&&id=1&id=2&flag", &f, &err), OK);
    assert_int_equal(f.n, 5);
    assert_string_equal(ui_form_get(&f, "title"), "<script> x");
    assert_string_equal(ui_form_get(&f, "csrf"), "ab");
    assert_string_equal(ui_form_get(&f, "id"), "1");
    assert_string_equal(f.key[3], "id");
    assert_string_equal(f.val[3], "2");
    assert_string_equal(ui_form_get(&f, "flag"), "");
    assert_null(ui_form_get(&f, "missing"));
    ui_form_free(&f);
    assert_int_equal(parse("", &f, &err), OK);
    assert_int_equal(f.n, 0);
    ui_form_free(&f);
    /* keys without '=' and nothing between them: each needs its empty value (ASan caught a
     * one-byte overflow here) */
    assert_int_equal(parse("{", &f, &err), OK);
    assert_int_equal(f.n, 1);
    assert_string_equal(f.key[0], "{");
    assert_string_equal(f.val[0], "");
    ui_form_free(&f);
    assert_int_equal(parse("a&b&c", &f, &err), OK);
    assert_int_equal(f.n, 3);
    assert_string_equal(f.key[2], "c");
    assert_string_equal(f.val[2], "");
    ui_form_free(&f);
    assert_int_equal(parse("name=%C3%A9t%C3%A9", &f, &err), OK);
    assert_string_equal(ui_form_get(&f, "name"), "\xc3\xa9t\xc3\xa9");
    ui_form_free(&f);
}

static void test_refuses(void **state)
{
    static const struct {
        const char *body, *says;
    } bad[] = {
        {"text=a%00b", "text"}, {"text=%zz", "text"},    {"text=%4", "text"},
        {"text=%", "text"},     {"%ff=1", "field name"}, {"text=%ff%fe", "text"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ui_form f;
        struct error err = {0};
        assert_int_equal(parse(bad[i].body, &f, &err), ERR_BAD_REQUEST);
        if (!strstr(err.message, bad[i].says))
            fail_msg("%s: message \"%s\" does not name %s", bad[i].body, err.message, bad[i].says);
        ui_form_free(&f);
    }
}

static void test_field_cap(void **state)
{
    char body[UI_FORM_MAX * 8 + 16] = "";
    size_t used = 0;
    for (int i = 0; i < UI_FORM_MAX; i++)
        used += (size_t)snprintf(body + used, sizeof body - used, "%sf%d=1", i ? "&" : "", i);
    struct ui_form f;
    struct error err = {0};
    assert_int_equal(parse(body, &f, &err), OK);
    assert_int_equal(f.n, UI_FORM_MAX);
    ui_form_free(&f);
    snprintf(body + used, sizeof body - used, "&one=more");
    assert_int_equal(parse(body, &f, &err), ERR_BAD_REQUEST);
    assert_non_null(strstr(err.message, "fields"));
    ui_form_free(&f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_decodes),
        cmocka_unit_test(test_refuses),
        cmocka_unit_test(test_field_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
