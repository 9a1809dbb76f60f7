/*
 * config_parse: the table-driven schema engine behind the config loader. Internal to the config
 * module; nothing outside src/config/ includes this header.
 *
 * Job: a section of the file is described by a `struct cfg_spec` (the C struct it fills, its
 * fields) and each field by a `struct cfg_field` {key, type, required, offset, ...}. One walker,
 * config_parse_decode_map, applies a spec to a YAML map: it rejects unknown and duplicate keys,
 * decodes each value by its type into the struct at its offset, reports missing required keys, then
 * runs the spec's `post` hook for checks that span fields. The same tables free what was decoded
 * (config_parse_free), so decode and free cannot drift apart. The engine knows no section: the
 * schemas live in the section files (src/config/severities.c, users.c, ...; see section.h).
 * Invariants: every message goes through config_parse_error as "path: problem" with the line of the
 * node it is about; decoding never stops at the first problem; a value that fails its check is
 * still stored (so later references to it resolve and do not cascade into more errors), the load
 * fails anyway. References between sections (a service's escalation policy...) are recorded during
 * the walk (ctx->refs) and resolved by config.c once everything is decoded. Naming: functions
 * shared by the files of src/config/ are config_parse_* (engine), config_section_* (sections);
 * the private types and constants are cfg_* / CFG_* and never leave src/config/. Threads: a
 * cfg_ctx belongs to one config_load call.
 */
#ifndef TOCSIN_CONFIG_PARSE_H
#define TOCSIN_CONFIG_PARSE_H

#include "util/yaml_tree.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { CFG_PATH_MAX = 256, CFG_MAX_ERRORS = 200 };
/* The longest duration any key takes (unless its field sets a smaller max): ten years. Deadlines
 * are now + durations (and sums of a few), so this keeps every one far from overflowing. */
#define CFG_DURATION_MAX (3650LL * 24 * 3600 * 1000)
#define CFG_NO_OFFSET ((size_t)-1)

enum cfg_type {
    CFG_NONE,      /* decoded by the field's own decode hook; owns nothing */
    CFG_STR,       /* char *; non-empty scalar; optional check and choices */
    CFG_BOOL,      /* bool; true or false */
    CFG_INT,       /* int in [min, max] */
    CFG_DURATION,  /* int64_t ms, at least min */
    CFG_SIZE,      /* int64_t bytes in [min, max]; "1048576", "512KiB", "1MiB", "1GiB" */
    CFG_STRLIST,   /* struct string_list; at least min items; each checked like CFG_STR */
    CFG_MAP,       /* a struct embedded at off, decoded with sub */
    CFG_PTR,       /* a struct allocated and pointed to at off, decoded with sub */
    CFG_LIST,      /* array of sub->size structs at off, its length at count_off; at least min */
    CFG_INT64,     /* int64_t in [min, max] */
    CFG_STRMAP,    /* a map of string -> string: array of struct config_severity_mapping {from: the
                      key, to: the value, line: the key's} at off, its length at count_off; each key
                      non-empty and passing key_check, each value checked like CFG_STR */
    CFG_STRSETMAP, /* a map of string -> string or list of strings: array of struct
                      config_label_match {name: the key, values, line: the key's} at off, its
                      length at count_off; keys and values checked as for CFG_STRMAP */
    CFG_TYPE_COUNT
};

struct cfg_ctx;
struct cfg_field;
struct cfg_section; /* config/section.h: what a reference names */

/* Decodes node n (never a null scalar) for field f into the struct at base; path names it. */
typedef void (*cfg_decode_fn)(struct cfg_ctx *ctx, const struct cfg_field *f,
                              const struct yaml_tree_node *n, void *base, const char *path);
/* NULL when s is fine, else the reason, e.g. "is not an email address (name@domain)". */
typedef const char *(*cfg_check_fn)(const char *s);
/* Runs after a map was decoded into obj; index is its position when it is a list item. */
typedef void (*cfg_post_fn)(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                            const char *path, size_t index);

struct cfg_spec {
    size_t size;     /* sizeof the struct (CFG_PTR, CFG_LIST) */
    size_t line_off; /* offset of its `int line`, or CFG_NO_OFFSET */
    const struct cfg_field *fields;
    size_t nfields;          /* at most 64 */
    void (*init)(void *obj); /* defaults before decoding, or NULL */
    cfg_post_fn post;        /* or NULL */
    size_t uniq_off;         /* list items: char * that must be unique, or CFG_NO_OFFSET */
    const char *uniq_key;    /* its key, for the message ("id", "name") */
};

struct cfg_field {
    const char *key;
    enum cfg_type type;
    bool required;
    bool unique;                /* CFG_STRLIST: an item may not repeat */
    size_t off;                 /* of the member in the struct the spec describes */
    size_t count_off;           /* CFG_LIST, CFG_STRMAP: offset of its size_t count */
    const struct cfg_spec *sub; /* CFG_MAP, CFG_PTR, CFG_LIST */
    const char *const *choices; /* CFG_STR, CFG_STRLIST, CFG_STRMAP values: allowed, NULL-ended */
    cfg_check_fn check;         /* CFG_STR, CFG_STRLIST, CFG_STRMAP values: extra check */
    /* CFG_INT/CFG_INT64 range; CFG_DURATION/CFG_SIZE minimum (and CFG_DURATION maximum, 0 =
     * CFG_DURATION_MAX); list length */
    int64_t min, max;
    /* CFG_STR, CFG_STRLIST, CFG_STRMAP values: the section (or reference kind) the string(s)
     * name, resolved after the whole file is decoded; NULL: not a reference */
    const struct cfg_section *ref;
    cfg_decode_fn decode;   /* overrides the type's decoder */
    cfg_check_fn key_check; /* CFG_STRMAP: check of each key */
};

struct cfg_error_item {
    int line;
    size_t seq;
    char *msg; /* "FILE:LINE: message" */
};

struct cfg_pending_ref {
    const struct cfg_section *kind;
    int line;
    char *value;
    char *path;
};

struct cfg_ctx {
    const char *file;
    struct cfg_error_item *errors;
    size_t error_count, error_alloc;
    bool truncated; /* more than CFG_MAX_ERRORS */
    struct cfg_pending_ref *refs;
    size_t ref_count, ref_alloc;
};

void config_parse_error(struct cfg_ctx *ctx, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void config_parse_ctx_free(struct cfg_ctx *ctx);
/* Key comparisons made so far by the duplicate checks and reference lookups of every load in
 * this process (a counter for tests that prove the load is not quadratic, issue 14 item 8). */
size_t config_parse_key_compares(void);
/* Counts one key comparison made outside parse.c (config.c's reference index). */
void config_parse_count_compare(void);

/* Applies spec to map n, filling obj (which the caller has initialised). */
void config_parse_decode_map(struct cfg_ctx *ctx, const struct cfg_spec *spec,
                             const struct yaml_tree_node *n, void *obj, const char *path);
/* The type's own decoder, ignoring f->decode (for hooks that wrap it). */
void config_parse_decode_typed(struct cfg_ctx *ctx, const struct cfg_field *f,
                               const struct yaml_tree_node *n, void *base, const char *path);
/* Frees every member spec owns in obj (not obj itself). */
void config_parse_free(const struct cfg_spec *spec, void *obj);

/* Writing the tables (the section files): a field of struct st at key k, the fields of
 * a spec, the `id` of a section item, no offset. */
#define NO_OFF CFG_NO_OFFSET
#define FIELDS(a) .fields = (a), .nfields = sizeof(a) / sizeof((a)[0])
#define FLD(st, k, member, t, ...)                                                                 \
    {                                                                                              \
        .key = (k), .type = (t), .off = offsetof(st, member), __VA_ARGS__                          \
    }
#define ID_FIELD(st) FLD(st, "id", id, CFG_STR, .required = true, .check = config_parse_check_id)
/* The line of key in map n, or fallback. */
int config_parse_key_line(const struct yaml_tree_node *n, const char *key, int fallback);
/* A post hook: name defaults to id (for the structs that start with `char *id, *name`). */
void config_parse_default_name(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                               const char *path, size_t index);

/* Copies s into out as a quoted, escaped, length-capped string for a message. */
const char *config_parse_quote(const char *s, char *out, size_t n);
/* "path" + "." + key, or key alone at the top level. */
void config_parse_path_join(char *out, size_t n, const char *path, const char *key);
/* "top level" for the empty path. */
const char *config_parse_path_name(const char *path);

/* Checks for scalar formats that several sections use (see cfg_check_fn); a format only one
 * section uses is a static check in that section's file. */
const char *config_parse_check_id(const char *s);
const char *config_parse_check_email(const char *s);
const char *config_parse_check_phone(const char *s);
const char *config_parse_check_timezone(const char *s); /* util/tz can load it */
const char *config_parse_check_http_url(const char *s);
const char *config_parse_check_alert_severity(const char *s); /* 1..64 chars, no controls */

/* Every struct whose name defaults to its id (config_parse_default_name) starts with these. */
struct cfg_id_name {
    char *id, *name;
};
#define CFG_ASSERT_ID_NAME(st)                                                                     \
    _Static_assert(offsetof(st, id) == offsetof(struct cfg_id_name, id) &&                         \
                       offsetof(st, name) == offsetof(struct cfg_id_name, name),                   \
                   #st " must start with id, name")

#endif
