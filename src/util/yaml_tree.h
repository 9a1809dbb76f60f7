/*
 * yaml_tree: one YAML document, parsed with libyaml's event API into a small tree of scalars,
 * maps and lists that remembers the line (1-based) each node starts on.
 *
 * Job: give config.c something it can walk twice (decode, then cross-check) with exact lines for
 * every message, and turn libyaml's errors into "YAML syntax error: ..." with a line.
 * Invariants: scalars are NUL-terminated and contain no NUL byte; map keys are scalars (a complex
 * key is a parse error); anchors and aliases are rejected (the config is small; a repeated value is
 * clearer than a reference); nesting is at most YAML_TREE_MAX_DEPTH levels; exactly one document.
 * Ownership: yaml_tree_parse hands the caller the root; yaml_tree_free frees the whole tree.
 * Threads: none of its own; a tree belongs to the thread that parsed it.
 */
#ifndef TOCSIN_YAML_TREE_H
#define TOCSIN_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>

enum { YAML_TREE_MAX_DEPTH = 64 };

enum yaml_tree_kind { YAML_TREE_SCALAR, YAML_TREE_MAP, YAML_TREE_SEQ };

struct yaml_tree_node {
    enum yaml_tree_kind kind;
    int line;     /* 1-based line where the node starts */
    char *value;  /* scalar text (never NULL for a scalar); NULL for maps and lists */
    bool plain;   /* scalar written without quotes (so "null", "~" and "" may mean null) */
    size_t count; /* list: items; map: pairs */
    struct yaml_tree_node **items; /* list: count items; map: 2 * count, key then value */
};

struct yaml_tree_error {
    int line; /* 1-based; 0 when no line applies */
    char message[320];
};

/* Parses text[0..len). Returns 0 and sets *out (NULL for an empty stream), or -1 with err filled
 * and nothing to free. */
int yaml_tree_parse(const char *text, size_t len, struct yaml_tree_node **out,
                    struct yaml_tree_error *err);
void yaml_tree_free(struct yaml_tree_node *n);

/* A plain (unquoted) scalar that YAML reads as null: empty, "~", "null", "Null", "NULL". */
bool yaml_tree_is_null(const struct yaml_tree_node *n);
/* The value of key in map n, or NULL (n not a map, or no such key). */
const struct yaml_tree_node *yaml_tree_map_get(const struct yaml_tree_node *n, const char *key);

#endif
