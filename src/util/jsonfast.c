/* jsonfast: see jsonfast.h for the subset and the promise it keeps with jansson. */
#include "util/jsonfast.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SCRATCH_CAP = 64 * 1024 * 1024, MAX_INT_DIGITS = 18 };

struct parser {
    const char *p, *end;
    int depth;
    struct buf scratch; /* decoded text of the last string that had escapes */
};

static json_t *parse_value(struct parser *ps);

static void skip_ws(struct parser *ps)
{
    while (ps->p < ps->end && (*ps->p == ' ' || *ps->p == '\t' || *ps->p == '\n' || *ps->p == '\r'))
        ps->p++;
}

static int unescape(char c)
{
    switch (c) {
    case '"':
    case '\\':
    case '/':
        return c;
    case 'b':
        return '\b';
    case 'f':
        return '\f';
    case 'n':
        return '\n';
    case 'r':
        return '\r';
    case 't':
        return '\t';
    default:
        return -1; /* \u and anything else: not in the subset */
    }
}

/* A string token, ps->p at its opening quote. *out points into the text when the string has no
 * escape, else into ps->scratch (valid until the next string token). */
static bool string_token(struct parser *ps, const char **out, size_t *len)
{
    const char *p = ps->p + 1, *seg = p;
    bool copied = false;
    buf_reset(&ps->scratch);
    for (;;) {
        if (p >= ps->end)
            return false;
        unsigned char c = (unsigned char)*p;
        if (c == '"')
            break;
        if (c < 0x20 || c >= 0x80)
            return false;
        if (c != '\\') {
            p++;
            continue;
        }
        int e = p + 1 < ps->end ? unescape(p[1]) : -1;
        char ch = (char)e;
        if (e < 0 || buf_append(&ps->scratch, seg, (size_t)(p - seg)) != BUF_OK ||
            buf_append(&ps->scratch, &ch, 1) != BUF_OK)
            return false;
        copied = true;
        p += 2;
        seg = p;
    }
    if (copied) {
        if (buf_append(&ps->scratch, seg, (size_t)(p - seg)) != BUF_OK)
            return false;
        *out = ps->scratch.data;
        *len = ps->scratch.len;
    } else {
        *out = seg;
        *len = (size_t)(p - seg);
    }
    ps->p = p + 1;
    return true;
}

/* -?(0|[1-9][0-9]*) of at most MAX_INT_DIGITS digits, not followed by a fraction or exponent. */
static json_t *integer_token(struct parser *ps)
{
    const char *p = ps->p;
    bool neg = p < ps->end && *p == '-';
    if (neg)
        p++;
    const char *digits = p;
    long long v = 0;
    while (p < ps->end && *p >= '0' && *p <= '9') {
        if (p - digits < MAX_INT_DIGITS) /* longer is refused below; no overflow meanwhile */
            v = v * 10 + (*p - '0');
        p++;
    }
    size_t n = (size_t)(p - digits);
    if (n == 0 || n > MAX_INT_DIGITS || (n > 1 && *digits == '0'))
        return NULL;
    if (p < ps->end && (*p == '.' || *p == 'e' || *p == 'E'))
        return NULL;
    ps->p = p;
    return json_integer(neg ? -v : v);
}

static json_t *literal(struct parser *ps, const char *word, json_t *value)
{
    size_t n = strlen(word);
    if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, word, n) != 0)
        return NULL;
    ps->p += n;
    return value;
}

static json_t *parse_object(struct parser *ps)
{
    json_t *obj = json_object();
    ps->p++; /* { */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == '}') {
        ps->p++;
        return obj;
    }
    for (;;) {
        const char *key;
        size_t klen;
        char *owned = NULL;
        if (ps->p >= ps->end || *ps->p != '"' || !string_token(ps, &key, &klen))
            goto fail;
        if (key == ps->scratch.data) { /* the value's strings reuse the scratch buffer */
            owned = xmalloc(klen + 1);
            memcpy(owned, key, klen + 1);
            key = owned;
        }
        skip_ws(ps);
        json_t *v = NULL;
        if (ps->p < ps->end && *ps->p == ':') {
            ps->p++;
            v = parse_value(ps);
        }
        bool ok = v != NULL;
        if (ok && json_object_getn(obj, key, klen)) { /* jansson's to refuse (REJECT_DUPLICATES) */
            json_decref(v);
            ok = false;
        } else if (ok) {
            ok = json_object_setn_new_nocheck(obj, key, klen, v) == 0; /* takes v, even failing */
        }
        free(owned);
        if (!ok)
            goto fail;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            skip_ws(ps);
            continue;
        }
        if (ps->p < ps->end && *ps->p == '}') {
            ps->p++;
            return obj;
        }
        goto fail;
    }
fail:
    json_decref(obj);
    return NULL;
}

static json_t *parse_array(struct parser *ps)
{
    json_t *arr = json_array();
    ps->p++; /* [ */
    skip_ws(ps);
    if (ps->p < ps->end && *ps->p == ']') {
        ps->p++;
        return arr;
    }
    for (;;) {
        json_t *v = parse_value(ps);
        if (!v || json_array_append_new(arr, v) != 0)
            break;
        skip_ws(ps);
        if (ps->p < ps->end && *ps->p == ',') {
            ps->p++;
            continue;
        }
        if (ps->p < ps->end && *ps->p == ']') {
            ps->p++;
            return arr;
        }
        break;
    }
    json_decref(arr);
    return NULL;
}

static json_t *parse_value(struct parser *ps)
{
    skip_ws(ps);
    if (ps->p >= ps->end)
        return NULL;
    const char *s;
    size_t n;
    json_t *v = NULL;
    switch (*ps->p) {
    case '{':
    case '[':
        if (++ps->depth > JSONFAST_MAX_DEPTH)
            return NULL;
        v = *ps->p == '{' ? parse_object(ps) : parse_array(ps);
        ps->depth--;
        return v;
    case '"':
        return string_token(ps, &s, &n) ? json_stringn_nocheck(s, n) : NULL;
    case 't':
        return literal(ps, "true", json_true());
    case 'f':
        return literal(ps, "false", json_false());
    case 'n':
        return literal(ps, "null", json_null());
    default:
        return integer_token(ps);
    }
}

json_t *jsonfast_parse(const char *text, size_t len)
{
    struct parser ps = {.p = text, .end = text + len};
    buf_init(&ps.scratch, SCRATCH_CAP);
    json_t *v = parse_value(&ps);
    skip_ws(&ps);
    if (v && ps.p != ps.end) { /* trailing bytes: jansson's "end of file expected" */
        json_decref(v);
        v = NULL;
    }
    buf_free(&ps.scratch);
    return v;
}

/* ---- writing ---- */

static bool dump(const json_t *v, struct buf *out);

static bool dump_string(const char *s, size_t n, struct buf *out);

bool jsonfast_append_ascii_string(struct buf *out, const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] >= 0x80)
            return false;
    return dump_string(s, n, out); /* for ASCII, ENSURE_ASCII changes nothing */
}

static bool dump_string(const char *s, size_t n, struct buf *out)
{
    static const char hex[] = "0123456789ABCDEF";
    bool ok = buf_append(out, "\"", 1) == BUF_OK;
    size_t run = 0; /* bytes copied as they are, pending */
    for (size_t i = 0; ok && i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x20 && c != '"' && c != '\\') {
            run++;
            continue;
        }
        ok = buf_append(out, s + i - run, run) == BUF_OK;
        run = 0;
        char esc[7] = {'\\', 0};
        size_t elen = 2;
        switch (c) {
        case '"':
        case '\\':
            esc[1] = (char)c;
            break;
        case '\b':
            esc[1] = 'b';
            break;
        case '\f':
            esc[1] = 'f';
            break;
        case '\n':
            esc[1] = 'n';
            break;
        case '\r':
            esc[1] = 'r';
            break;
        case '\t':
            esc[1] = 't';
            break;
        default: /* jansson: "\\u%04X" */
            memcpy(esc + 1, "u00", 3);
            esc[4] = hex[c >> 4];
            esc[5] = hex[c & 15];
            elen = 6;
        }
        if (ok)
            ok = buf_append(out, esc, elen) == BUF_OK;
    }
    return ok && buf_append(out, s + n - run, run) == BUF_OK && buf_append(out, "\"", 1) == BUF_OK;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static bool dump_object(const json_t *v, struct buf *out)
{
    size_t n = json_object_size(v), i = 0;
    const char *stack[16];
    const char **keys = n <= 16 ? stack : xmalloc(n * sizeof *keys);
    const char *k;
    size_t klen;
    json_t *x;
    json_object_keylen_foreach((json_t *)v, k, klen, x)
    {
        if (strlen(k) != klen)
            i = n + 1; /* a key with a NUL: leave it to jansson */
        else if (i < n)
            keys[i++] = k;
    }
    bool ok = i == n;
    if (ok)
        qsort(keys, n, sizeof *keys, cmp_keys);
    ok = ok && buf_append(out, "{", 1) == BUF_OK;
    for (i = 0; ok && i < n; i++)
        ok = (i == 0 || buf_append(out, ",", 1) == BUF_OK) &&
             dump_string(keys[i], strlen(keys[i]), out) && buf_append(out, ":", 1) == BUF_OK &&
             dump(json_object_get(v, keys[i]), out);
    if (keys != stack)
        free(keys);
    return ok && buf_append(out, "}", 1) == BUF_OK;
}

static bool dump(const json_t *v, struct buf *out)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT:
        return dump_object(v, out);
    case JSON_ARRAY: {
        bool ok = buf_append(out, "[", 1) == BUF_OK;
        for (size_t i = 0; ok && i < json_array_size(v); i++)
            ok = (i == 0 || buf_append(out, ",", 1) == BUF_OK) && dump(json_array_get(v, i), out);
        return ok && buf_append(out, "]", 1) == BUF_OK;
    }
    case JSON_STRING:
        return dump_string(json_string_value(v), json_string_length(v), out);
    case JSON_INTEGER:
        return buf_printf(out, "%" JSON_INTEGER_FORMAT, json_integer_value(v)) == BUF_OK;
    case JSON_TRUE:
        return buf_append(out, "true", 4) == BUF_OK;
    case JSON_FALSE:
        return buf_append(out, "false", 5) == BUF_OK;
    case JSON_NULL:
        return buf_append(out, "null", 4) == BUF_OK;
    default: /* JSON_REAL: jansson's own number formatting */
        return false;
    }
}

char *jsonfast_dump_sorted(const json_t *v)
{
    if (!v)
        return NULL;
    struct buf out;
    buf_init(&out, SCRATCH_CAP);
    if (!dump(v, &out)) {
        buf_free(&out);
        return NULL;
    }
    return buf_steal(&out);
}
