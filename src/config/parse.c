/*
 * config_parse: the schema engine of the config loader (see parse.h for the model).
 *
 * Job: walk a YAML map with a table of fields, decode each value by its type (one decoder per
 * cfg_type, picked from a table), collect every problem as "FILE:LINE: path: problem", record
 * cross-section references for config.c to resolve, and free a decoded struct with the same
 * tables. Also the format checks for single strings that several sections share (ids, e-mail,
 * phone, time zone, URLs, raw alert severities); a format only one section uses (rotation
 * handoffs, restrictions, label names, SMTP URLs...) is checked in that section's file.
 * Invariants: decoders never stop early and never leave a half-owned pointer: whatever they store
 * is freed by config_parse_free through the same field; a NULL member means "not given". Nothing
 * here knows a section. Threads: none; the only I/O is loading a zoneinfo file (util/tz, which
 * caches it).
 */
#include "config/parse.h"
#include "config/config.h"
#include "util/log.h"
#include "util/num.h"
#include "util/timeutil.h"
#include "util/tz.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- errors, paths, quoting ---------------------------------------------------------------- */

void config_parse_error(struct cfg_ctx *ctx, int line, const char *fmt, ...)
{
    if (ctx->error_count >= CFG_MAX_ERRORS) {
        ctx->truncated = true;
        return;
    }
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char full[1400];
    if (line > 0)
        snprintf(full, sizeof full, "%s:%d: %s", ctx->file, line, msg);
    else
        snprintf(full, sizeof full, "%s: %s", ctx->file, msg);
    if (ctx->error_count == ctx->error_alloc) {
        ctx->error_alloc = ctx->error_alloc ? 2 * ctx->error_alloc : 16;
        ctx->errors = xrealloc(ctx->errors, ctx->error_alloc * sizeof *ctx->errors);
    }
    ctx->errors[ctx->error_count] =
        (struct cfg_error_item){.line = line, .seq = ctx->error_count, .msg = xstrdup(full)};
    ctx->error_count++;
}

void config_parse_ctx_free(struct cfg_ctx *ctx)
{
    for (size_t i = 0; i < ctx->error_count; i++)
        free(ctx->errors[i].msg);
    free(ctx->errors);
    for (size_t i = 0; i < ctx->ref_count; i++) {
        free(ctx->refs[i].value);
        free(ctx->refs[i].path);
    }
    free(ctx->refs);
    memset(ctx, 0, sizeof *ctx);
}

/* Records that value (at line) names something of kind, for config.c to resolve. */
static void ref_add_at(struct cfg_ctx *ctx, const struct cfg_section *kind, int line,
                       const char *value, const char *path)
{
    if (ctx->ref_count == ctx->ref_alloc) {
        ctx->ref_alloc = ctx->ref_alloc ? 2 * ctx->ref_alloc : 32;
        ctx->refs = xrealloc(ctx->refs, ctx->ref_alloc * sizeof *ctx->refs);
    }
    ctx->refs[ctx->ref_count++] = (struct cfg_pending_ref){
        .kind = kind, .line = line, .value = xstrdup(value), .path = xstrdup(path)};
}

static void ref_add(struct cfg_ctx *ctx, const struct cfg_section *kind,
                    const struct yaml_tree_node *n, const char *path)
{
    ref_add_at(ctx, kind, n->line, n->value, path);
}

const char *config_parse_quote(const char *s, char *out, size_t n)
{
    enum { MAX_SHOWN = 80 };
    size_t o = 0, shown = 0;
    if (n < 8)
        return "\"...\"";
    out[o++] = '"';
    for (const unsigned char *p = (const unsigned char *)s; *p && o + 8 < n; p++, shown++) {
        if (shown == MAX_SHOWN) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        if (*p == '"' || *p == '\\') {
            out[o++] = '\\';
            out[o++] = (char)*p;
        } else if (*p < 0x20 || *p == 0x7f) {
            o += (size_t)snprintf(out + o, n - o, "\\x%02x", *p);
        } else {
            out[o++] = (char)*p;
        }
    }
    out[o++] = '"';
    out[o] = '\0';
    return out;
}

void config_parse_path_join(char *out, size_t n, const char *path, const char *key)
{
    if (path[0])
        snprintf(out, n, "%s.%s", path, key);
    else
        snprintf(out, n, "%s", key);
}

const char *config_parse_path_name(const char *path)
{
    return path[0] ? path : "top level";
}

static const char *kind_name(const struct yaml_tree_node *n)
{
    static const char *const names[] = {
        [YAML_TREE_SCALAR] = "a string", [YAML_TREE_MAP] = "a map", [YAML_TREE_SEQ] = "a list"};
    if (yaml_tree_is_null(n))
        return "an empty value";
    return names[n->kind];
}

static bool want_scalar(struct cfg_ctx *ctx, const struct yaml_tree_node *n, const char *path,
                        const char *what)
{
    if (n->kind == YAML_TREE_SCALAR)
        return true;
    config_parse_error(ctx, n->line, "%s: expected %s, got %s", path, what, kind_name(n));
    return false;
}

static void *at(void *base, size_t off)
{
    return (char *)base + off;
}

/* ---- decoders, one per type ---------------------------------------------------------------- */

static bool in_choices(const char *const *choices, const char *s)
{
    for (size_t i = 0; choices[i]; i++)
        if (strcmp(choices[i], s) == 0)
            return true;
    return false;
}

/* Reports what is wrong with string s for field f; true when nothing is. */
static bool check_string(struct cfg_ctx *ctx, const struct cfg_field *f, const char *s, int line,
                         const char *path)
{
    char q[128];
    if (!s[0]) {
        config_parse_error(ctx, line, "%s: must not be empty", path);
        return false;
    }
    if (f->choices && !in_choices(f->choices, s)) {
        char list[256] = "";
        size_t used = 0;
        for (size_t i = 0; f->choices[i] && used < sizeof list; i++) {
            int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", f->choices[i]);
            used += w > 0 ? (size_t)w : 0;
        }
        config_parse_error(ctx, line, "%s: %s is not one of %s", path,
                           config_parse_quote(s, q, sizeof q), list);
        return false;
    }
    const char *reason = f->check ? f->check(s) : NULL;
    if (reason) {
        config_parse_error(ctx, line, "%s: %s %s", path, config_parse_quote(s, q, sizeof q),
                           reason);
        return false;
    }
    return true;
}

static void dec_str(struct cfg_ctx *ctx, const struct cfg_field *f, const struct yaml_tree_node *n,
                    void *base, const char *path)
{
    if (!want_scalar(ctx, n, path, "a string"))
        return;
    bool ok = check_string(ctx, f, n->value, n->line, path);
    char **dst = at(base, f->off);
    free(*dst);
    *dst = xstrdup(n->value);
    if (ok && f->ref)
        ref_add(ctx, f->ref, n, path);
}

static void dec_bool(struct cfg_ctx *ctx, const struct cfg_field *f, const struct yaml_tree_node *n,
                     void *base, const char *path)
{
    char q[128];
    if (!want_scalar(ctx, n, path, "true or false"))
        return;
    bool *dst = at(base, f->off);
    if (strcmp(n->value, "true") == 0)
        *dst = true;
    else if (strcmp(n->value, "false") == 0)
        *dst = false;
    else
        config_parse_error(ctx, n->line,
                           "%s: %s is not a boolean (use true or false; yes/no/on/off are not "
                           "accepted)",
                           path, config_parse_quote(n->value, q, sizeof q));
}

/* An integer in [f->min, f->max] into *out; false (reported) when n is not one. */
static bool parse_int_field(struct cfg_ctx *ctx, const struct cfg_field *f,
                            const struct yaml_tree_node *n, const char *path, int64_t *out)
{
    char q[128];
    int64_t v;
    if (!want_scalar(ctx, n, path, "an integer"))
        return false;
    if (num_parse_i64(n->value, INT64_MIN, INT64_MAX, &v) != 0 ||
        isspace((unsigned char)n->value[0])) {
        config_parse_error(ctx, n->line, "%s: %s is not an integer", path,
                           config_parse_quote(n->value, q, sizeof q));
        return false;
    }
    if (v < f->min || v > f->max) {
        config_parse_error(ctx, n->line, "%s: %lld is out of range (%lld to %lld)", path,
                           (long long)v, (long long)f->min, (long long)f->max);
        return false;
    }
    *out = v;
    return true;
}

static void dec_int(struct cfg_ctx *ctx, const struct cfg_field *f, const struct yaml_tree_node *n,
                    void *base, const char *path)
{
    int64_t v;
    if (parse_int_field(ctx, f, n, path, &v))
        *(int *)at(base, f->off) = (int)v;
}

static void dec_int64(struct cfg_ctx *ctx, const struct cfg_field *f,
                      const struct yaml_tree_node *n, void *base, const char *path)
{
    int64_t v;
    if (parse_int_field(ctx, f, n, path, &v))
        *(int64_t *)at(base, f->off) = v;
}

static void dec_duration(struct cfg_ctx *ctx, const struct cfg_field *f,
                         const struct yaml_tree_node *n, void *base, const char *path)
{
    char q[128], shortest[32];
    int64_t ms;
    if (!want_scalar(ctx, n, path, "a duration"))
        return;
    if (time_parse_duration(n->value, &ms) != 0) {
        config_parse_error(ctx, n->line, "%s: %s is not a duration (use 30s, 15m, 1h, 1d)", path,
                           config_parse_quote(n->value, q, sizeof q));
        return;
    }
    if (ms < f->min) {
        time_format_duration(f->min, shortest, sizeof shortest);
        config_parse_error(ctx, n->line, "%s: %s is too short (at least %s)", path,
                           config_parse_quote(n->value, q, sizeof q), shortest);
        return;
    }
    int64_t max = f->max > 0 ? f->max : CFG_DURATION_MAX;
    if (ms > max) {
        time_format_duration(max, shortest, sizeof shortest);
        config_parse_error(ctx, n->line, "%s: %s is too long (at most %s)", path,
                           config_parse_quote(n->value, q, sizeof q), shortest);
        return;
    }
    *(int64_t *)at(base, f->off) = ms;
}

static int parse_size(const char *s, int64_t *out)
{
    static const struct {
        const char *unit;
        int64_t mult;
    } units[] = {
        {"", 1}, {"B", 1}, {"KiB", 1024}, {"MiB", 1024 * 1024}, {"GiB", 1024 * 1024 * 1024}};
    char digits[24];
    size_t n = strspn(s, "0123456789");
    if (n == 0 || n >= sizeof digits)
        return -1;
    memcpy(digits, s, n);
    digits[n] = '\0';
    int64_t v;
    if (num_parse_i64(digits, 0, INT64_MAX, &v) != 0)
        return -1;
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (strcmp(s + n, units[i].unit) == 0) {
            if (v > INT64_MAX / units[i].mult)
                return -1;
            *out = v * units[i].mult;
            return 0;
        }
    }
    return -1;
}

static void dec_size(struct cfg_ctx *ctx, const struct cfg_field *f, const struct yaml_tree_node *n,
                     void *base, const char *path)
{
    char q[128];
    int64_t v;
    if (!want_scalar(ctx, n, path, "a size"))
        return;
    if (parse_size(n->value, &v) != 0) {
        config_parse_error(ctx, n->line,
                           "%s: %s is not a size (a number of bytes, or with KiB, MiB, GiB)", path,
                           config_parse_quote(n->value, q, sizeof q));
        return;
    }
    if (v < f->min || v > f->max) {
        config_parse_error(ctx, n->line, "%s: %s is out of range (%lld to %lld bytes)", path,
                           config_parse_quote(n->value, q, sizeof q), (long long)f->min,
                           (long long)f->max);
        return;
    }
    *(int64_t *)at(base, f->off) = v;
}

/* ---- repeated keys, in O(n log n) (issue 14 item 8: a linear scan per item was quadratic) ---- */

static size_t key_compares; /* config_parse_key_compares(): the test's operation counter */

size_t config_parse_key_compares(void)
{
    return __atomic_load_n(&key_compares, __ATOMIC_RELAXED);
}

void config_parse_count_compare(void)
{
    __atomic_add_fetch(&key_compares, 1, __ATOMIC_RELAXED);
}

struct keyed {
    const char *key;
    size_t index;
};

static int keyed_order(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    __atomic_add_fetch(&key_compares, 1, __ATOMIC_RELAXED);
    int c = strcmp(x->key, y->key);
    if (c != 0)
        return c;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* For each of keys[0..n), the index of the first earlier equal key, or SIZE_MAX (also for a
 * NULL key): a sort of (key, index) pairs, then one pass over each run of equal keys. NULL when
 * no key repeats (the common case). The caller frees the array. */
static size_t *first_equal(const char *const *keys, size_t n)
{
    if (n < 2)
        return NULL;
    struct keyed *k = xmalloc(n * sizeof *k);
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (keys[i])
            k[m++] = (struct keyed){keys[i], i};
    qsort(k, m, sizeof *k, keyed_order);
    size_t *first = NULL;
    for (size_t i = 1; i < m; i++) {
        __atomic_add_fetch(&key_compares, 1, __ATOMIC_RELAXED);
        if (strcmp(k[i].key, k[i - 1].key) != 0)
            continue;
        if (!first) {
            first = xmalloc(n * sizeof *first);
            for (size_t j = 0; j < n; j++)
                first[j] = SIZE_MAX;
        }
        /* k[i - 1] is either the run's first or already points at it */
        first[k[i].index] =
            first[k[i - 1].index] == SIZE_MAX ? k[i - 1].index : first[k[i - 1].index];
    }
    free(k);
    return first;
}

enum { SMALL_MAP = 8 }; /* up to this many keys, a linear scan (no allocation) */

/* The earlier pair of a small map n with the same key as pair i, or NULL. */
static const struct yaml_tree_node *earlier_key(const struct yaml_tree_node *n, size_t i)
{
    for (size_t j = 0; j < i; j++)
        if (strcmp(n->items[2 * j]->value, n->items[2 * i]->value) == 0)
            return n->items[2 * j];
    return NULL;
}

/* first_equal over the keys of map n; NULL for a small map (earlier_key answers). */
static size_t *map_first_equal(const struct yaml_tree_node *n)
{
    if (n->count <= SMALL_MAP)
        return NULL;
    const char **keys = xmalloc(n->count * sizeof *keys);
    for (size_t i = 0; i < n->count; i++)
        keys[i] = n->items[2 * i]->value;
    size_t *first = first_equal(keys, n->count);
    free(keys);
    return first;
}

/* The earlier pair of map n with the same key as pair i, or NULL; first from map_first_equal. */
static const struct yaml_tree_node *map_earlier(const struct yaml_tree_node *n, size_t i,
                                                const size_t *first)
{
    if (n->count <= SMALL_MAP)
        return earlier_key(n, i);
    return first && first[i] != SIZE_MAX ? n->items[2 * first[i]] : NULL;
}

/* first_equal over the scalar items of list n. */
static size_t *seq_first_equal(const struct yaml_tree_node *n)
{
    if (n->count < 2)
        return NULL;
    const char **keys = xmalloc(n->count * sizeof *keys);
    for (size_t i = 0; i < n->count; i++)
        keys[i] = n->items[i]->kind == YAML_TREE_SCALAR ? n->items[i]->value : NULL;
    size_t *first = first_equal(keys, n->count);
    free(keys);
    return first;
}

static void dec_strlist(struct cfg_ctx *ctx, const struct cfg_field *f,
                        const struct yaml_tree_node *n, void *base, const char *path)
{
    char q[128], ipath[CFG_PATH_MAX];
    if (n->kind != YAML_TREE_SEQ) {
        config_parse_error(ctx, n->line, "%s: expected a list, got %s", path, kind_name(n));
        return;
    }
    struct string_list *l = at(base, f->off);
    if (l->items)
        return; /* set twice: the duplicate key was reported */
    l->items = xcalloc(n->count, sizeof *l->items);
    size_t *first = f->unique ? seq_first_equal(n) : NULL;
    for (size_t i = 0; i < n->count; i++) {
        const struct yaml_tree_node *item = n->items[i];
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        if (!want_scalar(ctx, item, ipath, "a string"))
            continue;
        bool ok = check_string(ctx, f, item->value, item->line, ipath);
        if (first && first[i] != SIZE_MAX) {
            config_parse_error(ctx, item->line, "%s: %s is listed twice", ipath,
                               config_parse_quote(item->value, q, sizeof q));
            continue;
        }
        l->items[l->count++] = xstrdup(item->value);
        if (ok && f->ref)
            ref_add(ctx, f->ref, item, ipath);
    }
    free(first);
    if ((int64_t)n->count < f->min)
        config_parse_error(ctx, n->line, "%s: needs at least %lld item%s", path, (long long)f->min,
                           f->min == 1 ? "" : "s");
}

static void decode_map_at(struct cfg_ctx *ctx, const struct cfg_spec *spec,
                          const struct yaml_tree_node *n, void *obj, const char *path,
                          size_t index);

/* One value of a CFG_STRSETMAP entry (a list item or the lone string), appended to l. */
static bool strset_value(struct cfg_ctx *ctx, const struct cfg_field *f,
                         const struct yaml_tree_node *v, const char *path, struct string_list *l)
{
    if (!want_scalar(ctx, v, path, "a string"))
        return false;
    bool ok = check_string(ctx, f, v->value, v->line, path);
    l->items = xrealloc(l->items, (l->count + 1) * sizeof *l->items);
    l->items[l->count++] = xstrdup(v->value);
    return ok;
}

/* The value of a CFG_STRSETMAP key: one string or a non-empty list of strings. */
static bool strset_values(struct cfg_ctx *ctx, const struct cfg_field *f,
                          const struct yaml_tree_node *v, const char *path, struct string_list *l)
{
    char ipath[CFG_PATH_MAX + 24];
    if (v->kind != YAML_TREE_SEQ)
        return strset_value(ctx, f, v, path, l);
    bool ok = v->count > 0;
    if (!ok)
        config_parse_error(ctx, v->line, "%s: needs at least 1 value", path);
    for (size_t i = 0; i < v->count; i++) {
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        ok = strset_value(ctx, f, v->items[i], ipath, l) && ok;
    }
    return ok;
}

/* A map of free-form keys to strings (an alert policy's severity_map), or, for CFG_STRSETMAP, to
 * a string or a list of strings (a rule's alert labels). Each entry is stored unless its key
 * repeats or its value is missing; a value reference is reported at the line of its key. */
static void dec_strmap(struct cfg_ctx *ctx, const struct cfg_field *f,
                       const struct yaml_tree_node *n, void *base, const char *path)
{
    char q[128], kpath[CFG_PATH_MAX];
    bool multi = f->type == CFG_STRSETMAP;
    if (n->kind != YAML_TREE_MAP) {
        config_parse_error(ctx, n->line, "%s: expected a map, got %s", path, kind_name(n));
        return;
    }
    void **arr = at(base, f->off);
    size_t *count = at(base, f->count_off);
    if (*arr)
        return; /* set twice: the duplicate key was reported */
    *arr = xcalloc(n->count, multi ? sizeof(struct config_label_match)
                                   : sizeof(struct config_severity_mapping));
    size_t *first = map_first_equal(n);
    for (size_t i = 0; i < n->count; i++) {
        const struct yaml_tree_node *k = n->items[2 * i], *v = n->items[2 * i + 1];
        const struct yaml_tree_node *prev = map_earlier(n, i, first);
        if (prev) {
            config_parse_error(ctx, k->line, "%s: duplicate key %s (first at line %d)", path,
                               config_parse_quote(k->value, q, sizeof q), prev->line);
            continue;
        }
        const char *reason = !k->value[0]   ? "must not be empty"
                             : f->key_check ? f->key_check(k->value)
                                            : NULL;
        bool ok = true;
        if (reason) {
            config_parse_error(ctx, k->line, "%s: key %s %s", path,
                               config_parse_quote(k->value, q, sizeof q), reason);
            ok = false;
        }
        config_parse_path_join(kpath, sizeof kpath, path, k->value);
        if (yaml_tree_is_null(v)) {
            config_parse_error(ctx, k->line, "%s: a value is required", kpath);
            continue;
        }
        if (multi) {
            struct config_label_match *m = (struct config_label_match *)*arr + (*count)++;
            m->name = xstrdup(k->value);
            m->line = k->line;
            strset_values(ctx, f, v, kpath, &m->values);
            continue;
        }
        if (!want_scalar(ctx, v, kpath, "a string"))
            continue;
        ok = check_string(ctx, f, v->value, v->line, kpath) && ok;
        struct config_severity_mapping *m = (struct config_severity_mapping *)*arr + (*count)++;
        m->from = xstrdup(k->value);
        m->to = xstrdup(v->value);
        m->line = k->line;
        if (ok && f->ref)
            ref_add_at(ctx, f->ref, k->line, v->value, kpath);
    }
    free(first);
}

static void dec_map(struct cfg_ctx *ctx, const struct cfg_field *f, const struct yaml_tree_node *n,
                    void *base, const char *path)
{
    decode_map_at(ctx, f->sub, n, at(base, f->off), path, 0);
}

static void dec_ptr(struct cfg_ctx *ctx, const struct cfg_field *f, const struct yaml_tree_node *n,
                    void *base, const char *path)
{
    void **dst = at(base, f->off);
    if (n->kind != YAML_TREE_MAP) {
        config_parse_error(ctx, n->line, "%s: expected a map, got %s", path, kind_name(n));
        return;
    }
    if (*dst)
        return;
    *dst = xcalloc(1, f->sub->size);
    if (f->sub->init)
        f->sub->init(*dst);
    decode_map_at(ctx, f->sub, n, *dst, path, 0);
}

/* Items whose unique key (id, name) repeats an earlier one: reported at the later item. */
static void check_unique(struct cfg_ctx *ctx, const struct cfg_spec *spec, char *arr, size_t count,
                         const char *path)
{
    char q[128];
    if (count < 2)
        return;
    const char **keys = xmalloc(count * sizeof *keys);
    for (size_t i = 0; i < count; i++)
        keys[i] = *(char **)(arr + i * spec->size + spec->uniq_off);
    size_t *first = first_equal(keys, count);
    for (size_t i = 1; first && i < count; i++) {
        if (first[i] == SIZE_MAX)
            continue;
        int line = *(int *)(arr + i * spec->size + spec->line_off);
        int line0 = *(int *)(arr + first[i] * spec->size + spec->line_off);
        config_parse_error(ctx, line, "%s[%zu].%s: duplicate %s %s (first defined at line %d)",
                           path, i, spec->uniq_key, spec->uniq_key,
                           config_parse_quote(keys[i], q, sizeof q), line0);
    }
    free(first);
    free(keys);
}

static void dec_list(struct cfg_ctx *ctx, const struct cfg_field *f, const struct yaml_tree_node *n,
                     void *base, const char *path)
{
    char ipath[CFG_PATH_MAX];
    const struct cfg_spec *spec = f->sub;
    if (n->kind != YAML_TREE_SEQ) {
        config_parse_error(ctx, n->line, "%s: expected a list, got %s", path, kind_name(n));
        return;
    }
    char **arr = at(base, f->off);
    size_t *count = at(base, f->count_off);
    if (*arr)
        return;
    *arr = xcalloc(n->count, spec->size);
    *count = n->count;
    for (size_t i = 0; i < n->count; i++) {
        void *elem = *arr + i * spec->size;
        if (spec->init)
            spec->init(elem);
        snprintf(ipath, sizeof ipath, "%s[%zu]", path, i);
        decode_map_at(ctx, spec, n->items[i], elem, ipath, i);
    }
    if ((int64_t)n->count < f->min)
        config_parse_error(ctx, n->line, "%s: needs at least %lld entr%s", path, (long long)f->min,
                           f->min == 1 ? "y" : "ies");
    if (spec->uniq_off != CFG_NO_OFFSET)
        check_unique(ctx, spec, *arr, *count, path);
}

static const cfg_decode_fn decoders[CFG_TYPE_COUNT] = {
    [CFG_STR] = dec_str,           [CFG_BOOL] = dec_bool,     [CFG_INT] = dec_int,
    [CFG_DURATION] = dec_duration, [CFG_SIZE] = dec_size,     [CFG_STRLIST] = dec_strlist,
    [CFG_MAP] = dec_map,           [CFG_PTR] = dec_ptr,       [CFG_LIST] = dec_list,
    [CFG_INT64] = dec_int64,       [CFG_STRMAP] = dec_strmap, [CFG_STRSETMAP] = dec_strmap,
};

void config_parse_decode_typed(struct cfg_ctx *ctx, const struct cfg_field *f,
                               const struct yaml_tree_node *n, void *base, const char *path)
{
    if (decoders[f->type])
        decoders[f->type](ctx, f, n, base, path);
}

/* ---- the map walker ------------------------------------------------------------------------ */

static const struct cfg_field *find_field(const struct cfg_spec *spec, const char *key,
                                          size_t *index)
{
    for (size_t i = 0; i < spec->nfields; i++) {
        if (strcmp(spec->fields[i].key, key) == 0) {
            *index = i;
            return &spec->fields[i];
        }
    }
    return NULL;
}

/* Decodes one key/value pair; returns the field's index, or -1 when the key was refused. */
static int decode_pair(struct cfg_ctx *ctx, const struct cfg_spec *spec,
                       const struct yaml_tree_node *n, size_t i, const size_t *first, void *obj,
                       const char *path)
{
    char q[128], kpath[CFG_PATH_MAX];
    const struct yaml_tree_node *k = n->items[2 * i], *v = n->items[2 * i + 1];
    const struct yaml_tree_node *prev = map_earlier(n, i, first);
    if (prev) {
        config_parse_error(ctx, k->line, "%s: duplicate key %s (first at line %d)",
                           config_parse_path_name(path), config_parse_quote(k->value, q, sizeof q),
                           prev->line);
        return -1;
    }
    size_t index;
    const struct cfg_field *f = find_field(spec, k->value, &index);
    if (!f) {
        config_parse_error(ctx, k->line, "%s: unknown key %s", config_parse_path_name(path),
                           config_parse_quote(k->value, q, sizeof q));
        return -1;
    }
    config_parse_path_join(kpath, sizeof kpath, path, k->value);
    if (yaml_tree_is_null(v)) {
        if (f->required)
            config_parse_error(ctx, k->line, "%s: a value is required", kpath);
        return (int)index;
    }
    cfg_decode_fn decode = f->decode ? f->decode : decoders[f->type];
    if (decode)
        decode(ctx, f, v, obj, kpath);
    return (int)index;
}

static void decode_map_at(struct cfg_ctx *ctx, const struct cfg_spec *spec,
                          const struct yaml_tree_node *n, void *obj, const char *path, size_t index)
{
    if (spec->line_off != CFG_NO_OFFSET)
        *(int *)at(obj, spec->line_off) = n->line;
    if (n->kind != YAML_TREE_MAP) {
        config_parse_error(ctx, n->line, "%s: expected a map, got %s", config_parse_path_name(path),
                           kind_name(n));
        return;
    }
    uint64_t seen = 0;
    size_t *first = map_first_equal(n);
    for (size_t i = 0; i < n->count; i++) {
        int f = decode_pair(ctx, spec, n, i, first, obj, path);
        if (f >= 0)
            seen |= UINT64_C(1) << f;
    }
    free(first);
    for (size_t i = 0; i < spec->nfields; i++)
        if (spec->fields[i].required && !(seen & (UINT64_C(1) << i)))
            config_parse_error(ctx, n->line, "%s: missing required key \"%s\"",
                               config_parse_path_name(path), spec->fields[i].key);
    if (spec->post)
        spec->post(ctx, n, obj, path, index);
}

void config_parse_decode_map(struct cfg_ctx *ctx, const struct cfg_spec *spec,
                             const struct yaml_tree_node *n, void *obj, const char *path)
{
    decode_map_at(ctx, spec, n, obj, path, 0);
}

int config_parse_key_line(const struct yaml_tree_node *n, const char *key, int fallback)
{
    const struct yaml_tree_node *v = yaml_tree_map_get(n, key);
    return v ? v->line : fallback;
}

void config_parse_default_name(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                               const char *path, size_t index)
{
    struct cfg_id_name *in = obj;
    if (!in->name && in->id)
        in->name = xstrdup(in->id);
}

/* ---- freeing by the same tables ------------------------------------------------------------ */

typedef void (*free_fn)(const struct cfg_field *f, void *base);

static void free_str(const struct cfg_field *f, void *base)
{
    char **p = at(base, f->off);
    free(*p);
    *p = NULL;
}

static void free_strlist(const struct cfg_field *f, void *base)
{
    struct string_list *l = at(base, f->off);
    for (size_t i = 0; i < l->count; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->count = 0;
}

static void free_map(const struct cfg_field *f, void *base)
{
    config_parse_free(f->sub, at(base, f->off));
}

static void free_ptr(const struct cfg_field *f, void *base)
{
    void **p = at(base, f->off);
    if (*p) {
        config_parse_free(f->sub, *p);
        free(*p);
        *p = NULL;
    }
}

static void free_list(const struct cfg_field *f, void *base)
{
    char **arr = at(base, f->off);
    size_t *count = at(base, f->count_off);
    for (size_t i = 0; *arr && i < *count; i++)
        config_parse_free(f->sub, *arr + i * f->sub->size);
    free(*arr);
    *arr = NULL;
    *count = 0;
}

static void free_strmap(const struct cfg_field *f, void *base)
{
    struct config_severity_mapping **arr = at(base, f->off);
    size_t *count = at(base, f->count_off);
    for (size_t i = 0; *arr && i < *count; i++) {
        free((*arr)[i].from);
        free((*arr)[i].to);
    }
    free(*arr);
    *arr = NULL;
    *count = 0;
}

static void free_strsetmap(const struct cfg_field *f, void *base)
{
    struct config_label_match **arr = at(base, f->off);
    size_t *count = at(base, f->count_off);
    for (size_t i = 0; *arr && i < *count; i++) {
        free((*arr)[i].name);
        for (size_t k = 0; k < (*arr)[i].values.count; k++)
            free((*arr)[i].values.items[k]);
        free((*arr)[i].values.items);
    }
    free(*arr);
    *arr = NULL;
    *count = 0;
}

static const free_fn freers[CFG_TYPE_COUNT] = {
    [CFG_STR] = free_str,
    [CFG_STRLIST] = free_strlist,
    [CFG_MAP] = free_map,
    [CFG_PTR] = free_ptr,
    [CFG_LIST] = free_list,
    [CFG_STRMAP] = free_strmap,
    [CFG_STRSETMAP] = free_strsetmap,
};

void config_parse_free(const struct cfg_spec *spec, void *obj)
{
    for (size_t i = 0; i < spec->nfields; i++)
        if (freers[spec->fields[i].type])
            freers[spec->fields[i].type](&spec->fields[i], obj);
}

/* ---- format checks ------------------------------------------------------------------------- */

const char *config_parse_check_id(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64 ||
        strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
                  "0123456789._-") != n)
        return "is not a valid id (1 to 64 characters of A-Z a-z 0-9 . _ -)";
    return NULL;
}

const char *config_parse_check_email(const char *s)
{
    const char *at_sign = strrchr(s, '@');
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "is not an e-mail address (no spaces or control characters allowed)";
    if (!at_sign || at_sign == s || at_sign[1] == '\0')
        return "is not an e-mail address (name@domain)";
    return NULL;
}

const char *config_parse_check_phone(const char *s)
{
    size_t digits = strspn(s + (s[0] == '+'), "0123456789");
    if (s[0] != '+' || s[1 + digits] != '\0' || digits < 7 || digits > 15)
        return "is not a phone number (E.164: + then 7 to 15 digits, e.g. +15550101)";
    return NULL;
}

const char *config_parse_check_timezone(const char *s)
{
    /* the same lookup the schedules use at run time (util/tz), so config and runtime agree */
    if (!tz_get(s))
        return "is not a known time zone (e.g. UTC, Europe/Berlin; see /usr/share/zoneinfo)";
    return NULL;
}

const char *config_parse_check_http_url(const char *s)
{
    size_t skip = strncmp(s, "http://", 7) == 0 ? 7 : strncmp(s, "https://", 8) == 0 ? 8 : 0;
    if (skip == 0 || s[skip] == '\0' || s[skip] == '/')
        return "is not an http:// or https:// URL";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "is not a URL (no spaces or control characters allowed)";
    return NULL;
}

const char *config_parse_check_alert_severity(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return "is not an alert severity (1 to 64 characters)";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < 0x20 || *p == 0x7f)
            return "is not an alert severity (no control characters allowed)";
    return NULL;
}
