/*
 * config: the YAML configuration file -> validated, immutable `struct config` (see config.h).
 *
 * Job: read the file, parse it into a line-numbered tree (util/yaml_tree), apply the top-level
 * table with the engine in parse.c, then resolve every reference between sections (a service's
 * escalation policy, a step's "schedule:ID/LAYER"...). The top-level table is not written here:
 * it is assembled from sections.def, the list of sections, each of which declares its own schema,
 * defaults, checks and references in its own file (severities.c, users.c, notify.c...; see
 * section.h and docs/internals/config.md). Every problem is collected as "FILE:LINE: path:
 * problem"; the messages come back sorted by line. Invariants: the schema is data: one cfg_spec
 * per struct of config.h, one cfg_field per key, and the same tables free what they decoded, so
 * config_unref cannot miss a member. A returned config had no error at all; it is never modified
 * afterwards (only `refs` changes). Ownership: config_load returns a config holding one
 * reference; config_unref frees it all when the last reference goes. Error strings belong to the
 * caller's config_errors. Threads: config_load runs on any one thread (the top-level table is
 * built on its stack); config_ref/config_unref are atomic; a loaded config is read-only and
 * shared freely while referenced.
 */
#include "config/config.h"
#include "config/parse.h"
#include "config/section.h"
#include "util/log.h"
#include "util/yaml_tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CONFIG_MAX_FILE = 16 * 1024 * 1024 };

/* ---- the top-level table, from sections.def ------------------------------------------------ */

static const struct cfg_section *const sections[] = {
#define CONFIG_SECTION(name) &config_section_##name,
#include "config/sections.def"
#undef CONFIG_SECTION
};
enum { SECTION_COUNT = sizeof sections / sizeof sections[0] };
_Static_assert(SECTION_COUNT <= 64, "a cfg_spec holds at most 64 fields");

/* The top-level spec: one field per section, in list order. */
struct top_spec {
    struct cfg_field fields[SECTION_COUNT];
    struct cfg_spec spec;
};

static void index_build(struct config *c);

/* After the top-level map: the id index, then each section's finish hook, in list order. */
static void top_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                     const char *path, size_t index)
{
    index_build(obj);
    for (size_t i = 0; i < SECTION_COUNT; i++)
        if (sections[i]->finish)
            sections[i]->finish(ctx, n, obj);
}

static void top_spec_init(struct top_spec *t)
{
    for (size_t i = 0; i < SECTION_COUNT; i++)
        t->fields[i] = sections[i]->field;
    t->spec = (struct cfg_spec){.line_off = NO_OFF,
                                .fields = t->fields,
                                .nfields = SECTION_COUNT,
                                .post = top_post,
                                .uniq_off = NO_OFF};
}

static void defaults(struct config *c)
{
    for (size_t i = 0; i < SECTION_COUNT; i++)
        if (sections[i]->defaults)
            sections[i]->defaults(c);
}

/* ---- references between sections ---------------------------------------------------------- */

/* Lookups by id in O(log n) (issue 14 item 8: a scan per reference made a large config's load
 * quadratic). A section's items sorted by id; items without an id are left out. */
struct id_entry {
    const char *id;
    const void *item;
};
struct config_index {
    struct id_entry *by_id[SECTION_COUNT];
    size_t count[SECTION_COUNT];
};

static int id_entry_order(const void *a, const void *b)
{
    config_parse_count_compare();
    return strcmp(((const struct id_entry *)a)->id, ((const struct id_entry *)b)->id);
}

static bool is_list_section(const struct cfg_section *s)
{
    return s->field.key && s->field.type == CFG_LIST;
}

static void index_build(struct config *c)
{
    struct config_index *x = xcalloc(1, sizeof *x);
    for (size_t s = 0; s < SECTION_COUNT; s++) {
        const struct cfg_field *f = &sections[s]->field;
        if (!is_list_section(sections[s]))
            continue;
        const char *arr = *(char *const *)((const char *)c + f->off);
        size_t count = *(const size_t *)((const char *)c + f->count_off);
        x->by_id[s] = xmalloc((count ? count : 1) * sizeof *x->by_id[s]);
        for (size_t i = 0; arr && i < count; i++) {
            const char *elem = arr + i * f->sub->size;
            const char *eid = *(char *const *)(elem + sections[s]->id_off);
            if (eid)
                x->by_id[s][x->count[s]++] = (struct id_entry){eid, elem};
        }
        /* stable for equal ids is not needed: a repeated id is an error and the config is
         * refused; until then the first one found answers, as the scan did */
        qsort(x->by_id[s], x->count[s], sizeof *x->by_id[s], id_entry_order);
    }
    c->index = x;
}

static void index_free(struct config_index *x)
{
    if (!x)
        return;
    for (size_t s = 0; s < SECTION_COUNT; s++)
        free(x->by_id[s]);
    free(x);
}

const void *config_section_find(const struct config *c, const struct cfg_section *s, const char *id)
{
    const struct cfg_field *f = &s->field;
    if (!c || !id || !is_list_section(s))
        return NULL;
    for (size_t k = 0; c->index && k < SECTION_COUNT; k++) {
        if (sections[k] != s)
            continue;
        struct id_entry key = {id, NULL};
        const struct id_entry *e =
            bsearch(&key, c->index->by_id[k], c->index->count[k], sizeof key, id_entry_order);
        return e ? e->item : NULL;
    }
    const char *arr = *(char *const *)((const char *)c + f->off);
    size_t count = *(const size_t *)((const char *)c + f->count_off);
    for (size_t i = 0; arr && i < count; i++) {
        const char *elem = arr + i * f->sub->size;
        const char *eid = *(char *const *)(elem + s->id_off);
        config_parse_count_compare();
        if (eid && strcmp(eid, id) == 0)
            return elem;
    }
    return NULL;
}

/* In the order they were recorded (file order); a kind with its own resolver resolves itself. */
static void resolve_refs(struct cfg_ctx *ctx, const struct config *c)
{
    char q[128];
    for (size_t i = 0; i < ctx->ref_count; i++) {
        const struct cfg_pending_ref *r = &ctx->refs[i];
        if (r->kind->resolve)
            r->kind->resolve(ctx, c, r);
        else if (!config_section_find(c, r->kind, r->value))
            config_parse_error(ctx, r->line, "%s: unknown %s %s", r->path, r->kind->noun,
                               config_parse_quote(r->value, q, sizeof q));
    }
}

/* ---- loading ------------------------------------------------------------------------------- */

static int read_file(struct cfg_ctx *ctx, const char *path, char **text, size_t *len)
{
    char ebuf[128];
    FILE *fp = fopen(path, "rb");
    size_t n = 0, alloc = 0;
    char *data = NULL;
    if (!fp) {
        config_parse_error(ctx, 0, "cannot read: %s", strerror_r(errno, ebuf, sizeof ebuf));
        return -1;
    }
    for (;;) {
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 64 * 1024;
            data = xrealloc(data, alloc + 1);
        }
        size_t got = fread(data + n, 1, alloc - n, fp);
        n += got;
        if (got == 0 || n > CONFIG_MAX_FILE)
            break;
    }
    int err = ferror(fp) ? errno : 0;
    fclose(fp);
    if (err || n > CONFIG_MAX_FILE) {
        if (err)
            config_parse_error(ctx, 0, "cannot read: %s", strerror_r(err, ebuf, sizeof ebuf));
        else
            config_parse_error(ctx, 0, "cannot read: larger than %d MiB",
                               CONFIG_MAX_FILE / (1024 * 1024));
        free(data);
        return -1;
    }
    data[n] = '\0';
    *text = data;
    *len = n;
    return 0;
}

static int error_order(const void *a, const void *b)
{
    const struct cfg_error_item *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Moves ctx's messages, sorted by line, to the end of errs. */
static void hand_over_errors(struct cfg_ctx *ctx, struct config_errors *errs)
{
    qsort(ctx->errors, ctx->error_count, sizeof *ctx->errors, error_order);
    size_t extra = ctx->error_count + (ctx->truncated ? 1 : 0);
    errs->items = xrealloc(errs->items, (errs->count + extra) * sizeof *errs->items);
    for (size_t i = 0; i < ctx->error_count; i++) {
        errs->items[errs->count++] = ctx->errors[i].msg;
        ctx->errors[i].msg = NULL;
    }
    if (ctx->truncated) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s: too many errors; only the first %d are shown", ctx->file,
                 CFG_MAX_ERRORS);
        errs->items[errs->count++] = xstrdup(msg);
    }
}

static void config_free(struct config *c)
{
    if (!c)
        return;
    struct top_spec top;
    top_spec_init(&top);
    config_parse_free(&top.spec, c);
    index_free(c->index);
    free(c->path);
    free(c);
}

/* Parses and decodes text; NULL when anything was wrong (ctx holds why). */
static struct config *load_text(struct cfg_ctx *ctx, const char *path, const char *text, size_t len)
{
    struct yaml_tree_node *root = NULL;
    struct yaml_tree_error yerr;
    if (yaml_tree_parse(text, len, &root, &yerr) != 0) {
        config_parse_error(ctx, yerr.line, "%s", yerr.message);
        return NULL;
    }
    if (!root || yaml_tree_is_null(root)) {
        config_parse_error(ctx, root ? root->line : 1,
                           "the file is empty (at least \"severities\" is required)");
        yaml_tree_free(root);
        return NULL;
    }
    struct config *c = xcalloc(1, sizeof *c);
    c->path = xstrdup(path);
    c->refs = 1;
    defaults(c);
    struct top_spec top;
    top_spec_init(&top);
    config_parse_decode_map(ctx, &top.spec, root, c, "");
    if (root->kind == YAML_TREE_MAP)
        resolve_refs(ctx, c);
    yaml_tree_free(root);
    if (ctx->error_count > 0 || ctx->truncated) {
        config_free(c);
        return NULL;
    }
    return c;
}

struct config *config_load(const char *path, struct config_errors *errs)
{
    struct cfg_ctx ctx = {.file = path};
    struct config *c = NULL;
    char *text = NULL;
    size_t len = 0;
    if (read_file(&ctx, path, &text, &len) == 0)
        c = load_text(&ctx, path, text, len);
    if (!c && errs)
        hand_over_errors(&ctx, errs);
    config_parse_ctx_free(&ctx);
    free(text);
    return c;
}

struct config *config_load_reporting(const char *path)
{
    struct config_errors errs = {0};
    struct config *c = config_load(path, &errs);
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "%s\n", errs.items[i]);
    config_errors_free(&errs);
    return c;
}

void config_errors_free(struct config_errors *errs)
{
    if (!errs)
        return;
    for (size_t i = 0; i < errs->count; i++)
        free(errs->items[i]);
    free(errs->items);
    errs->items = NULL;
    errs->count = 0;
}

struct config *config_ref(struct config *c)
{
    if (c)
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
    return c;
}

void config_unref(struct config *c)
{
    if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
        config_free(c);
}
