/* jsonv: see jsonv.h. */
#include "util/jsonv.h"
#include "util/utf8.h"

#include <string.h>

const char *jsonv_type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return "an object";
    case JSON_ARRAY:
        return "an array";
    case JSON_STRING:
        return "a string";
    case JSON_INTEGER:
    case JSON_REAL:
        return "a number";
    case JSON_TRUE:
    case JSON_FALSE:
        return "a boolean";
    default:
        return "null";
    }
}

enum result jsonv_parse_object(const char *body, size_t len, bool allow_empty, json_t **out,
                               struct error *err)
{
    *out = NULL;
    size_t i = 0;
    while (i < len && (body[i] == ' ' || body[i] == '\n' || body[i] == '\r' || body[i] == '\t'))
        i++;
    if (i == len) {
        if (!allow_empty)
            return error_set(err, ERR_BAD_REQUEST, "body: a JSON object is required");
        *out = json_object();
        return OK;
    }
    json_error_t je;
    json_t *v = json_loadb(body, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, "body: invalid JSON at line %d, column %d: %s",
                         je.line, je.column, je.text);
    if (!json_is_object(v)) {
        enum result result = error_set(err, ERR_BAD_REQUEST, "body: must be a JSON object, not %s",
                                       jsonv_type_name(v));
        json_decref(v);
        return result;
    }
    *out = v;
    return OK;
}

enum result jsonv_only(json_t *obj, const char *const *allowed, struct error *err)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v)
    {
        bool ok = false;
        for (const char *const *a = allowed; *a; a++)
            if (strcmp(*a, key) == 0)
                ok = true;
        if (ok)
            continue;
        char list[256] = "";
        size_t used = 0;
        for (const char *const *a = allowed; *a && used < sizeof list; a++) {
            size_t n = strlen(*a) + 2;
            if (used + n >= sizeof list)
                break;
            memcpy(list + used, *a, n - 2);
            memcpy(list + used + n - 2, ", ", 2);
            used += n;
        }
        if (used >= 2)
            list[used - 2] = '\0';
        return error_set(err, ERR_BAD_REQUEST, "%.100s: unknown field (allowed: %s)", key,
                         used ? list : "none");
    }
    return OK;
}

size_t jsonv_utf8_chars(const char *s)
{
    return utf8_chars(s);
}

bool jsonv_is_name(const char *s)
{
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '.' || *s == '_' || *s == '-'))
            return false;
    return true;
}

static enum result check_string(json_t *v, const char *key, size_t min, size_t max,
                                const char **out, struct error *err)
{
    if (!json_is_string(v))
        return error_set(err, ERR_BAD_REQUEST, "%s: must be a string, not %s", key,
                         jsonv_type_name(v));
    size_t bytes = json_string_length(v);
    const char *s = json_string_value(v);
    if (strlen(s) != bytes)
        return error_set(err, ERR_BAD_REQUEST, "%s: must not contain NUL characters", key);
    size_t n = jsonv_utf8_chars(s); /* jansson only hands out valid UTF-8 */
    if (n < min)
        return error_set(err, ERR_BAD_REQUEST,
                         min == 1 ? "%s: must not be empty" : "%s: must be at least %zu characters",
                         key, min);
    if (n > max)
        return error_set(err, ERR_BAD_REQUEST, "%s: must be at most %zu characters (got %zu)", key,
                         max, n);
    *out = s;
    return OK;
}

enum result jsonv_string(json_t *obj, const char *key, bool required, size_t min, size_t max,
                         const char **out, struct error *err)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    if (!v || json_is_null(v)) {
        if (required)
            return error_set(err, ERR_BAD_REQUEST, "%s: is required", key);
        return OK;
    }
    return check_string(v, key, min, max, out, err);
}

enum result jsonv_string_or_null(json_t *obj, const char *key, size_t min, size_t max,
                                 const char **out, bool *present, struct error *err)
{
    *out = NULL;
    json_t *v = json_object_get(obj, key);
    *present = v != NULL;
    if (!v || json_is_null(v))
        return OK;
    return check_string(v, key, min, max, out, err);
}

enum result jsonv_bool(json_t *obj, const char *key, bool *out, bool *present, struct error *err)
{
    json_t *v = json_object_get(obj, key);
    if (present)
        *present = v != NULL;
    if (!v)
        return OK;
    if (!json_is_boolean(v))
        return error_set(err, ERR_BAD_REQUEST, "%s: must be true or false, not %s", key,
                         jsonv_type_name(v));
    *out = json_is_true(v);
    return OK;
}

enum result jsonv_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                      int64_t *out, struct error *err)
{
    json_t *v = json_object_get(obj, key);
    if (!v && !required)
        return OK;
    if (!v)
        return error_set(err, ERR_BAD_REQUEST, "%s: is required", key);
    if (!json_is_integer(v))
        return error_set(err, ERR_BAD_REQUEST, "%s: must be a whole number, not %s", key,
                         jsonv_type_name(v));
    json_int_t n = json_integer_value(v);
    if (n < min || n > max)
        return error_set(err, ERR_BAD_REQUEST, "%s: must be between %lld and %lld", key,
                         (long long)min, (long long)max);
    *out = n;
    return OK;
}
