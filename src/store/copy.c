/*
 * store/copy: the driver of `tocsin store copy` (copy.h, docs/internals/store_copy.md): orders the
 * source's tables so that a referenced table comes before the tables that reference it, streams
 * each one from the source's exporter into the target's importer, then checks row counts and the
 * chain head before the target commits. Backend-neutral: the libraries stay in
 * src/store/sqlite/copy.c and src/store/pg/copy.c.
 */
#include "store/copy.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

void copy_schema_free(struct copy_schema *s)
{
    for (size_t i = 0; i < s->n; i++) {
        struct copy_table *t = &s->tables[i];
        for (size_t c = 0; c < t->ncols; c++)
            free(t->cols[c]);
        for (size_t r = 0; r < t->nrefs; r++)
            free(t->refs[r]);
        free(t->cols);
        free(t->refs);
        free(t->name);
    }
    free(s->tables);
    s->tables = NULL;
    s->n = 0;
}

void store_copy_report_free(struct store_copy_report *r)
{
    for (size_t i = 0; i < r->ntables; i++)
        free(r->tables[i].table);
    free(r->tables);
    memset(r, 0, sizeof *r);
}

static ptrdiff_t table_index(const struct copy_schema *s, const char *name)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->tables[i].name, name) == 0)
            return (ptrdiff_t)i;
    return -1;
}

/* The tables in an order where each comes after the tables it references (a table referencing
 * itself, or one outside the copy, does not hold it back). A cycle of references cannot be ordered:
 * its tables keep the source's order, and a row that breaks a reference is reported by the target
 * (the copy is then rolled back). order[] gets the indexes. */
static void order_tables(const struct copy_schema *s, size_t *order)
{
    bool *placed = xcalloc(s->n ? s->n : 1, sizeof *placed);
    size_t done = 0;
    while (done < s->n) {
        bool progress = false;
        for (size_t i = 0; i < s->n; i++) {
            if (placed[i])
                continue;
            bool ready = true;
            for (size_t r = 0; r < s->tables[i].nrefs && ready; r++) {
                ptrdiff_t j = table_index(s, s->tables[i].refs[r]);
                ready = j < 0 || (size_t)j == i || placed[j];
            }
            if (ready) {
                placed[i] = true;
                order[done++] = i;
                progress = true;
            }
        }
        for (size_t i = 0; !progress && i < s->n; i++)
            if (!placed[i]) { /* a cycle: take the first one left */
                placed[i] = true;
                order[done++] = i;
                progress = true;
            }
    }
    free(placed);
}

struct pump {
    const struct store_copy_sink *sink;
    void *dst;
    int64_t rows;
};

static enum result pump_row(void *arg, int64_t row, const struct copy_value *v, size_t n,
                            struct error *err)
{
    struct pump *p = arg;
    p->rows++;
    return p->sink->row(p->dst, row, v, n, err);
}

static enum result copy_tables(const struct store_copy_source *source, void *src,
                               const struct store_copy_sink *sink, void *dst,
                               const struct copy_schema *schema, struct store_copy_report *report,
                               struct error *err)
{
    size_t *order = xcalloc(schema->n ? schema->n : 1, sizeof *order);
    order_tables(schema, order);
    report->tables = xcalloc(schema->n ? schema->n : 1, sizeof *report->tables);
    enum result result = OK;
    for (size_t k = 0; k < schema->n && result == OK; k++) {
        const struct copy_table *t = &schema->tables[order[k]];
        struct store_copy_count *cnt = &report->tables[report->ntables++];
        cnt->table = xstrdup(t->name);
        struct pump p = {sink, dst, 0};
        result = sink->table_begin(dst, t, err);
        if (result == OK)
            result = source->rows(src, t, pump_row, &p, err);
        /* table_end also ends a stream that failed: the target's error is the one to report */
        enum result end = sink->table_end(dst, result == OK ? err : NULL);
        if (result == OK)
            result = end;
        report->rows += p.rows;
    }
    free(order);
    return result;
}

/* Every copied table's row count, and the chain head, in both. */
static enum result check_copy(const struct store_copy_source *source, void *src,
                              const struct store_copy_sink *sink, void *dst,
                              struct store_copy_report *report, struct error *err)
{
    enum result result = OK;
    for (size_t i = 0; i < report->ntables && result == OK; i++) {
        struct store_copy_count *c = &report->tables[i];
        result = source->count(src, c->table, &c->source, err);
        if (result == OK)
            result = sink->count(dst, c->table, &c->target, err);
        if (result == OK && c->source != c->target)
            result = error_set(err, ERR_CONFLICT,
                               "storage: table %s has %lld rows in the source but %lld in the "
                               "target after the copy; nothing was written",
                               c->table, (long long)c->source, (long long)c->target);
    }
    struct copy_head th = {0};
    if (result == OK)
        result = source->head(src, &report->head, err);
    if (result == OK)
        result = sink->head(dst, &th, err);
    if (result == OK && (th.empty != report->head.empty || th.seq != report->head.seq ||
                         strcmp(th.hash, report->head.hash) != 0))
        result =
            error_set(err, ERR_CONFLICT,
                      "storage: the timeline's chain head differs after the copy (source seq "
                      "%lld hash %s, target seq %lld hash %s); nothing was written",
                      (long long)report->head.seq, report->head.hash, (long long)th.seq, th.hash);
    return result;
}

enum result store_copy(const char *from, const char *to, struct store_copy_report *report,
                       struct error *err)
{
    const struct store_copy_source *source = &store_copy_source_sqlite;
    const struct store_copy_sink *sink = &store_copy_sink_pg;
    if (!source || !sink) {
        memset(report, 0, sizeof *report);
        return error_set(err, ERR_UNAVAILABLE,
                         "storage: this tocsin was built without the SQLite or the PostgreSQL "
                         "backend; it cannot copy between them");
    }
    return store_copy_between(source, from, sink, to, report, err);
}

enum result store_copy_between(const struct store_copy_source *source, const char *from,
                               const struct store_copy_sink *sink, const char *to,
                               struct store_copy_report *report, struct error *err)
{
    memset(report, 0, sizeof *report);
    struct copy_schema schema = {0};
    void *dst = NULL;
    enum result result = OK;
    void *src = source->open(from, err);
    if (!src)
        return err ? err->code : ERR_UNAVAILABLE;
    result = source->schema(src, &schema, err);
    if (result != OK)
        goto out;
    dst = sink->open(to, err);
    if (!dst) {
        result = err ? err->code : ERR_UNAVAILABLE;
        goto out;
    }
    result = copy_tables(source, src, sink, dst, &schema, report, err);
    if (result == OK)
        result = check_copy(source, src, sink, dst, report, err);
    if (result == OK)
        result = sink->reset_ids(dst, err);
    if (result == OK)
        result = sink->commit(dst, err);
out:
    if (dst)
        sink->close(dst);
    source->close(src);
    copy_schema_free(&schema);
    if (result != OK)
        store_copy_report_free(report);
    return result;
}
