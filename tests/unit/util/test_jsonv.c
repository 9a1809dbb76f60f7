/*
 * Unit tests for util/jsonv.c: strict request bodies (one object, duplicate keys rejected, errors
 * with line and column), unknown fields named with the allowed list, typed string and boolean
 * fields with messages that start with the field's name.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "util/jsonv.h"
#include "util/result.h"

static json_t *parse_ok(const char *body)
{
    json_t *obj = NULL;
    struct error err = {0};
    enum result result = jsonv_parse_object(body, strlen(body), false, &obj, &err);
    if (result != OK)
        fail_msg("parse of %s failed: %s", body, err.message);
    assert_non_null(obj);
    assert_true(json_is_object(obj));
    return obj;
}

/* Parses a body that must be refused; returns the message in err. */
static void parse_bad(const char *body, size_t len, bool allow_empty, struct error *err)
{
    json_t *obj = (json_t *)0x1;
    memset(err, 0, sizeof *err);
    assert_int_equal(jsonv_parse_object(body, len, allow_empty, &obj, err), ERR_BAD_REQUEST);
    assert_null(obj);
    assert_int_equal(err->code, ERR_BAD_REQUEST);
    assert_true(strncmp(err->message, "body: ", 6) == 0);
}

/* ---- jsonv_parse_object ---- */

static void test_parse_object(void **state)
{
    json_t *obj = parse_ok("{}");
    assert_int_equal(json_object_size(obj), 0);
    json_decref(obj);

    obj = parse_ok("  {\"title\": \"db down\", \"n\": 3, \"x\": {\"a\": [1, 2]}}\n");
    assert_int_equal(json_object_size(obj), 3);
    assert_string_equal(json_string_value(json_object_get(obj, "title")), "db down");
    json_decref(obj);

    /* only len bytes are read: the body need not be NUL-terminated */
    const char body[] = "{\"a\":1}garbage";
    struct error err = {0};
    assert_int_equal(jsonv_parse_object(body, 7, false, &obj, &err), OK);
    assert_int_equal(json_integer_value(json_object_get(obj, "a")), 1);
    json_decref(obj);
}

static void test_parse_empty(void **state)
{
    static const char *const empties[] = {"", " ", "\n", " \r\n\t "};
    for (size_t i = 0; i < sizeof empties / sizeof empties[0]; i++) {
        json_t *obj = NULL;
        struct error err = {0};
        assert_int_equal(jsonv_parse_object(empties[i], strlen(empties[i]), true, &obj, &err), OK);
        assert_non_null(obj);
        assert_true(json_is_object(obj));
        assert_int_equal(json_object_size(obj), 0);
        json_decref(obj);

        parse_bad(empties[i], strlen(empties[i]), false, &err);
        assert_string_equal(err.message, "body: a JSON object is required");
    }
    /* NULL body with len 0 */
    json_t *obj = NULL;
    struct error err = {0};
    assert_int_equal(jsonv_parse_object(NULL, 0, true, &obj, &err), OK);
    assert_true(json_is_object(obj));
    json_decref(obj);
}

static void test_parse_not_an_object(void **state)
{
    struct error err;
    parse_bad("[1, 2]", 6, true, &err);
    assert_string_equal(err.message, "body: must be a JSON object, not an array");
    parse_bad("[]", 2, false, &err);
    assert_string_equal(err.message, "body: must be a JSON object, not an array");
}

/* A body that is valid JSON but not an object is not "invalid JSON": the client is told what it
 * sent, as for an array. */
static void test_parse_scalar_body_named(void **state)
{
    static const struct {
        const char *body, *want;
    } cases[] = {
        {"42", "body: must be a JSON object, not a number"},
        {"\"title\"", "body: must be a JSON object, not a string"},
        {"true", "body: must be a JSON object, not a boolean"},
        {"null", "body: must be a JSON object, not null"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct error err;
        parse_bad(cases[i].body, strlen(cases[i].body), true, &err);
        if (strcmp(err.message, cases[i].want) != 0)
            fail_msg("body %s: \"%s\", want \"%s\"", cases[i].body, err.message, cases[i].want);
    }
}

static void test_parse_invalid_json(void **state)
{
    struct error err;
    const char *b1 = "{\"a\": }";
    parse_bad(b1, strlen(b1), true, &err);
    assert_true(strncmp(err.message, "body: invalid JSON at line 1, column 7: ", 40) == 0);

    const char *b2 = "{\n  \"a\": 1,\n  \"b\": \n}";
    parse_bad(b2, strlen(b2), true, &err);
    assert_true(strncmp(err.message, "body: invalid JSON at line 4, column 1: ", 40) == 0);

    const char *b3 = "{\"a\": 1";
    parse_bad(b3, strlen(b3), true, &err);
    assert_non_null(strstr(err.message, "invalid JSON at line 1"));

    const char *b4 = "{} {}"; /* one object only */
    parse_bad(b4, strlen(b4), true, &err);
    assert_non_null(strstr(err.message, "invalid JSON"));

    const char *b5 = "{'a': 1}";
    parse_bad(b5, strlen(b5), true, &err);
    assert_non_null(strstr(err.message, "invalid JSON"));

    const char *b6 = "{\"a\": \"\xff\"}"; /* not UTF-8 */
    parse_bad(b6, strlen(b6), true, &err);
    assert_non_null(strstr(err.message, "invalid JSON"));

    const char b7[] = "{\"a\": 1}\0"; /* a NUL byte inside len */
    parse_bad(b7, sizeof b7 - 1, true, &err);
}

static void test_parse_duplicate_keys(void **state)
{
    struct error err;
    const char *b = "{\"title\": \"a\", \"title\": \"b\"}";
    parse_bad(b, strlen(b), true, &err);
    assert_non_null(strstr(err.message, "invalid JSON at line 1"));
    assert_non_null(strstr(err.message, "duplicate"));

    /* nested duplicates too */
    const char *n = "{\"x\": {\"k\": 1, \"k\": 2}}";
    parse_bad(n, strlen(n), true, &err);
    assert_non_null(strstr(err.message, "duplicate"));
}

/* ---- jsonv_only ---- */

static void test_only(void **state)
{
    static const char *const allowed[] = {"title", "severity", NULL};
    struct error err = {0};
    json_t *obj = parse_ok("{\"title\": \"t\", \"severity\": \"SEV1\"}");
    assert_int_equal(jsonv_only(obj, allowed, &err), OK);
    json_decref(obj);

    obj = parse_ok("{}");
    assert_int_equal(jsonv_only(obj, allowed, &err), OK);
    json_decref(obj);

    obj = parse_ok("{\"title\": \"t\", \"tags\": []}");
    assert_int_equal(jsonv_only(obj, allowed, &err), ERR_BAD_REQUEST);
    assert_int_equal(err.code, ERR_BAD_REQUEST);
    assert_string_equal(err.message, "tags: unknown field (allowed: title, severity)");
    json_decref(obj);

    /* case matters */
    obj = parse_ok("{\"Title\": \"t\"}");
    assert_int_equal(jsonv_only(obj, allowed, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "Title: unknown field (allowed: title, severity)");
    json_decref(obj);
}

static void test_only_nothing_allowed(void **state)
{
    static const char *const none[] = {NULL};
    struct error err = {0};
    json_t *obj = parse_ok("{}");
    assert_int_equal(jsonv_only(obj, none, &err), OK);
    json_decref(obj);
    obj = parse_ok("{\"x\": 1}");
    assert_int_equal(jsonv_only(obj, none, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "x: unknown field (allowed: none)");
    json_decref(obj);
}

static void test_only_long_names(void **state)
{
    /* a huge unknown key and a long allowed list: the message is cut, never overrun */
    char key[400];
    memset(key, 'k', sizeof key - 1);
    key[sizeof key - 1] = '\0';
    char names[30][32];
    const char *allowed[31];
    for (int i = 0; i < 30; i++) {
        snprintf(names[i], sizeof names[i], "field_number_%02d", i);
        allowed[i] = names[i];
    }
    allowed[30] = NULL;
    json_t *obj = json_object();
    json_object_set_new(obj, key, json_true());
    struct error err = {0};
    assert_int_equal(jsonv_only(obj, allowed, &err), ERR_BAD_REQUEST);
    assert_true(strlen(err.message) < sizeof err.message);
    assert_int_equal(strspn(err.message, "k"), 100); /* the key is cut to 100 bytes */
    assert_non_null(strstr(err.message, ": unknown field (allowed: field_number_00, "));
    assert_null(strstr(err.message, ", )"));
    json_decref(obj);
}

/* ---- jsonv_string ---- */

static void test_string(void **state)
{
    json_t *obj = parse_ok("{\"title\": \"db down\", \"e\": \"\", \"u\": \"caf\\u00e9\"}");
    struct error err = {0};
    const char *s = (const char *)0x1;
    assert_int_equal(jsonv_string(obj, "title", true, 1, 200, &s, &err), OK);
    assert_string_equal(s, "db down");
    assert_ptr_equal(s, json_string_value(json_object_get(obj, "title"))); /* borrowed */

    /* min and max are inclusive */
    assert_int_equal(jsonv_string(obj, "title", true, 7, 7, &s, &err), OK);
    assert_int_equal(jsonv_string(obj, "title", true, 8, 100, &s, &err), ERR_BAD_REQUEST);
    assert_null(s);
    assert_string_equal(err.message, "title: must be at least 8 characters");
    assert_int_equal(jsonv_string(obj, "title", true, 1, 6, &s, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "title: must be at most 6 characters (got 7)");

    /* empty */
    assert_int_equal(jsonv_string(obj, "e", true, 1, 10, &s, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "e: must not be empty");
    assert_int_equal(jsonv_string(obj, "e", true, 0, 10, &s, &err), OK);
    assert_string_equal(s, "");

    /* characters, not bytes: "café" is 4 characters in 5 bytes */
    assert_int_equal(jsonv_string(obj, "u", true, 0, 4, &s, &err), OK);
    assert_string_equal(s, "caf\xc3\xa9");
    assert_int_equal(jsonv_string(obj, "u", true, 0, 3, &s, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "u: must be at most 3 characters (got 4)");
    json_decref(obj);
}

static void test_string_absent_and_null(void **state)
{
    json_t *obj = parse_ok("{\"summary\": null}");
    struct error err = {0};
    const char *s = (const char *)0x1;
    assert_int_equal(jsonv_string(obj, "title", false, 1, 10, &s, &err), OK);
    assert_null(s);
    assert_int_equal(jsonv_string(obj, "title", true, 1, 10, &s, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "title: is required");
    assert_int_equal(jsonv_string(obj, "summary", false, 1, 10, &s, &err), OK);
    assert_null(s);
    assert_int_equal(jsonv_string(obj, "summary", true, 1, 10, &s, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "summary: is required");
    json_decref(obj);
}

static void test_string_wrong_type(void **state)
{
    static const struct {
        const char *body, *want;
    } cases[] = {
        {"{\"title\": 42}", "title: must be a string, not a number"},
        {"{\"title\": 4.2}", "title: must be a string, not a number"},
        {"{\"title\": true}", "title: must be a string, not a boolean"},
        {"{\"title\": false}", "title: must be a string, not a boolean"},
        {"{\"title\": []}", "title: must be a string, not an array"},
        {"{\"title\": {}}", "title: must be a string, not an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        json_t *obj = parse_ok(cases[i].body);
        struct error err = {0};
        const char *s = (const char *)0x1;
        assert_int_equal(jsonv_string(obj, "title", false, 0, 100, &s, &err), ERR_BAD_REQUEST);
        assert_null(s);
        assert_int_equal(err.code, ERR_BAD_REQUEST);
        assert_string_equal(err.message, cases[i].want);
        json_decref(obj);
    }
}

static void test_string_nul(void **state)
{
    json_t *obj = json_object();
    json_object_set_new(obj, "title", json_stringn("a\0b", 3));
    struct error err = {0};
    const char *s;
    assert_int_equal(jsonv_string(obj, "title", true, 0, 100, &s, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "title: must not contain NUL characters");
    json_decref(obj);
}

static void test_string_or_null(void **state)
{
    json_t *obj = parse_ok("{\"a\": null, \"b\": \"x\", \"c\": 1}");
    struct error err = {0};
    const char *s = (const char *)0x1;
    bool present = true;
    assert_int_equal(jsonv_string_or_null(obj, "missing", 0, 10, &s, &present, &err), OK);
    assert_false(present);
    assert_null(s);
    assert_int_equal(jsonv_string_or_null(obj, "a", 0, 10, &s, &present, &err), OK);
    assert_true(present);
    assert_null(s);
    assert_int_equal(jsonv_string_or_null(obj, "b", 0, 10, &s, &present, &err), OK);
    assert_true(present);
    assert_string_equal(s, "x");
    assert_int_equal(jsonv_string_or_null(obj, "b", 2, 10, &s, &present, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "b: must be at least 2 characters");
    assert_int_equal(jsonv_string_or_null(obj, "c", 0, 10, &s, &present, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "c: must be a string, not a number");
    json_decref(obj);
}

/* ---- jsonv_bool ---- */

static void test_bool(void **state)
{
    json_t *obj =
        parse_ok("{\"drill\": true, \"off\": false, \"s\": \"true\", \"n\": 1, \"z\": null}");
    struct error err = {0};
    bool v = false, present = false;
    assert_int_equal(jsonv_bool(obj, "drill", &v, &present, &err), OK);
    assert_true(v);
    assert_true(present);
    assert_int_equal(jsonv_bool(obj, "off", &v, &present, &err), OK);
    assert_false(v);
    assert_true(present);

    /* absent: OK, the default is left alone */
    v = true;
    assert_int_equal(jsonv_bool(obj, "missing", &v, &present, &err), OK);
    assert_false(present);
    assert_true(v);
    assert_int_equal(jsonv_bool(obj, "missing", &v, NULL, &err), OK);
    assert_int_equal(jsonv_bool(obj, "drill", &v, NULL, &err), OK);
    assert_true(v);

    v = false;
    assert_int_equal(jsonv_bool(obj, "s", &v, &present, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "s: must be true or false, not a string");
    assert_false(v);
    assert_int_equal(jsonv_bool(obj, "n", &v, &present, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "n: must be true or false, not a number");
    assert_int_equal(jsonv_bool(obj, "z", &v, &present, &err), ERR_BAD_REQUEST);
    assert_string_equal(err.message, "z: must be true or false, not null");
    json_decref(obj);
}

static void test_type_names(void **state)
{
    json_t *v[] = {json_object(),  json_array(), json_string("x"), json_integer(1),
                   json_real(1.5), json_true(),  json_false(),     json_null()};
    const char *want[] = {"an object", "an array",  "a string",  "a number",
                          "a number",  "a boolean", "a boolean", "null"};
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        assert_string_equal(jsonv_type_name(v[i]), want[i]);
        json_decref(v[i]);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_object),
        cmocka_unit_test(test_parse_empty),
        cmocka_unit_test(test_parse_not_an_object),
        cmocka_unit_test(test_parse_scalar_body_named),
        cmocka_unit_test(test_parse_invalid_json),
        cmocka_unit_test(test_parse_duplicate_keys),
        cmocka_unit_test(test_only),
        cmocka_unit_test(test_only_nothing_allowed),
        cmocka_unit_test(test_only_long_names),
        cmocka_unit_test(test_string),
        cmocka_unit_test(test_string_absent_and_null),
        cmocka_unit_test(test_string_wrong_type),
        cmocka_unit_test(test_string_nul),
        cmocka_unit_test(test_string_or_null),
        cmocka_unit_test(test_bool),
        cmocka_unit_test(test_type_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
