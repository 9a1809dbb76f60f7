/*
 * store/copy: `tocsin store copy` moves a whole store from one backend to another, offline
 * (docs/internals/store_copy.md). Today: a SQLite file to a PostgreSQL database.
 *
 * The copy is generic: the source says which tables it holds (from its own schema, not a
 * hard-coded list, so tables added by later migrations are copied too; schema_migrations is left
 * out, the target has its own), their columns by name, and which tables each one references
 * (foreign keys, so the referenced ones are copied first); then streams each table's rows as typed
 * values. The target maps each value onto its own column of that name. This file holds the
 * backend-neutral interface and the driver (store_copy); the exporter is src/store/sqlite/copy.c,
 * the importer src/store/pg/copy.c (each backend's library stays in its own folder).
 *
 * The driver's order: open the source (refused if a server holds it, if it is not a tocsin store,
 * or if its migrations are not exactly this binary's), open the target (the server's migrations
 * applied, refused if any of its tables has a row), copy every table in one target transaction,
 * check every table's row count and the timeline's chain head (last seq and hash) in both, reset
 * the target's id sequences past the copied ids, commit. Any failure rolls the target's
 * transaction back: nothing is written (the migrations, applied in their own transactions as at a
 * server's start, stay).
 *
 * Ownership: struct store_copy_report owns its strings (store_copy_report_free). A row's values
 * are borrowed for the duration of the callback. Runs on the caller's thread (a short-lived CLI
 * process); no store_open, no writer thread.
 */
#ifndef TOCSIN_STORE_COPY_H
#define TOCSIN_STORE_COPY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/result.h"

/* One value of a row, typed as the source stored it. TEXT and BLOB point at len bytes (TEXT is not
 * NUL-terminated for the callee's purpose: use len). */
enum copy_type { COPY_NULL, COPY_INT, COPY_REAL, COPY_TEXT, COPY_BLOB };

struct copy_value {
    enum copy_type type;
    int64_t i;
    double r;
    const void *p;
    size_t len;
};

struct copy_table {
    char *name;
    char **cols; /* column names, in the source's order */
    size_t ncols;
    char **refs; /* tables this one references (foreign keys); copied before it */
    size_t nrefs;
};

struct copy_schema {
    struct copy_table *tables;
    size_t n;
};

void copy_schema_free(struct copy_schema *s);

/* The timeline's chain head: its last entry. empty when the timeline has no entry. */
struct copy_head {
    bool empty;
    int64_t seq;
    char hash[72];
};

/* Gets each row's values (n of them, in the table's column order); a non-OK result stops the
 * stream and is returned by rows(). `row` counts from 1. */
typedef enum result (*copy_row_fn)(void *arg, int64_t row, const struct copy_value *v, size_t n,
                                   struct error *err);

/* A backend that a store can be copied from. open refuses a store in use or not current. */
struct store_copy_source {
    const char *name;
    void *(*open)(const char *target, struct error *err);
    enum result (*schema)(void *src, struct copy_schema *out, struct error *err);
    enum result (*rows)(void *src, const struct copy_table *t, copy_row_fn fn, void *arg,
                        struct error *err);
    enum result (*count)(void *src, const char *table, int64_t *n, struct error *err);
    enum result (*head)(void *src, struct copy_head *h, struct error *err);
    void (*close)(void *src);
};

/* A backend that a store can be copied to. open migrates the target, refuses it unless every
 * table is empty, and starts the one transaction everything else runs in; close rolls it back
 * unless commit succeeded. */
struct store_copy_sink {
    const char *name;
    void *(*open)(const char *target, struct error *err);
    enum result (*table_begin)(void *dst, const struct copy_table *t, struct error *err);
    copy_row_fn row; /* arg: dst */
    enum result (*table_end)(void *dst, struct error *err);
    enum result (*count)(void *dst, const char *table, int64_t *n, struct error *err);
    enum result (*head)(void *dst, struct copy_head *h, struct error *err);
    enum result (*reset_ids)(void *dst, struct error *err); /* sequences past the copied ids */
    enum result (*commit)(void *dst, struct error *err);
    void (*close)(void *dst);
};

/* Weak: NULL in a build without that backend. */
extern const struct store_copy_source store_copy_source_sqlite __attribute__((weak));
extern const struct store_copy_sink store_copy_sink_pg __attribute__((weak));

struct store_copy_count {
    char *table;
    int64_t source, target;
};

struct store_copy_report {
    struct store_copy_count *tables; /* in copy order */
    size_t ntables;
    int64_t rows;
    struct copy_head head;
};

void store_copy_report_free(struct store_copy_report *r);

/* Copies the SQLite store at `from` (a file path) into the empty PostgreSQL database at `to` (a
 * libpq URL or connection string). OK and the report filled, or an error naming the problem with
 * nothing copied. */
enum result store_copy(const char *from, const char *to, struct store_copy_report *report,
                       struct error *err);
/* The same between any source and sink (store_copy: SQLite to PostgreSQL; the unit tests: a
 * sink of their own). */
enum result store_copy_between(const struct store_copy_source *source, const char *from,
                               const struct store_copy_sink *sink, const char *to,
                               struct store_copy_report *report, struct error *err);

#endif
