/*
 * yaml_tree: see yaml_tree.h. libyaml's event API feeds a recursive builder (depth-capped); every
 * event is deleted by the function that fetched it, and a failed parse frees what it built.
 */
#include "util/yaml_tree.h"
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

struct tree_parser {
    yaml_parser_t parser;
    const char *text;
    size_t len;
    struct yaml_tree_error *err;
};

static void set_error(struct tree_parser *tp, int line, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_error(struct tree_parser *tp, int line, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tp->err->line = line;
    vsnprintf(tp->err->message, sizeof tp->err->message, fmt, ap);
    va_end(ap);
}

/* 1-based line of byte offset off (the reader reports offsets, not marks). */
static int line_at(const char *text, size_t len, size_t off)
{
    int line = 1;
    for (size_t i = 0; i < off && i < len; i++)
        line += text[i] == '\n';
    return line;
}

static void parser_error(struct tree_parser *tp)
{
    const yaml_parser_t *p = &tp->parser;
    const char *problem = p->problem ? p->problem : "unknown error";
    if (p->error == YAML_MEMORY_ERROR)
        fatal("out of memory while parsing YAML");
    if (p->error == YAML_READER_ERROR) {
        set_error(tp, line_at(tp->text, tp->len, p->problem_offset),
                  "YAML syntax error: %s (byte offset %zu)", problem, p->problem_offset);
        return;
    }
    int line = (int)p->problem_mark.line + 1;
    if (p->context)
        set_error(tp, line, "YAML syntax error: %s (%s at line %d)", problem, p->context,
                  (int)p->context_mark.line + 1);
    else
        set_error(tp, line, "YAML syntax error: %s", problem);
}

static int next_event(struct tree_parser *tp, yaml_event_t *ev)
{
    if (!yaml_parser_parse(&tp->parser, ev)) {
        parser_error(tp);
        return -1;
    }
    return 0;
}

void yaml_tree_free(struct yaml_tree_node *n)
{
    if (!n)
        return;
    size_t nitems = n->kind == YAML_TREE_MAP ? 2 * n->count : n->count;
    for (size_t i = 0; i < nitems; i++)
        yaml_tree_free(n->items[i]);
    free(n->items);
    free(n->value);
    free(n);
}

static const yaml_char_t *event_anchor(const yaml_event_t *ev)
{
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        return ev->data.scalar.anchor;
    case YAML_SEQUENCE_START_EVENT:
        return ev->data.sequence_start.anchor;
    case YAML_MAPPING_START_EVENT:
        return ev->data.mapping_start.anchor;
    default:
        return NULL;
    }
}

/* Checks that ev may start a node here; reports why not. */
static int check_node_event(struct tree_parser *tp, const yaml_event_t *ev, int depth)
{
    int line = (int)ev->start_mark.line + 1;
    if (ev->type == YAML_ALIAS_EVENT) {
        set_error(tp, line, "YAML aliases (*%s) are not supported; write the value out",
                  (const char *)ev->data.alias.anchor);
        return -1;
    }
    if (ev->type != YAML_SCALAR_EVENT && ev->type != YAML_SEQUENCE_START_EVENT &&
        ev->type != YAML_MAPPING_START_EVENT) {
        set_error(tp, line, "YAML syntax error: unexpected event %d", (int)ev->type);
        return -1;
    }
    const yaml_char_t *anchor = event_anchor(ev);
    if (anchor) {
        set_error(tp, line, "YAML anchors (&%s) are not supported; write the value out",
                  (const char *)anchor);
        return -1;
    }
    if (depth > YAML_TREE_MAX_DEPTH) {
        set_error(tp, line, "YAML nesting deeper than %d levels", YAML_TREE_MAX_DEPTH);
        return -1;
    }
    return 0;
}

static struct yaml_tree_node *scalar_node(struct tree_parser *tp, const yaml_event_t *ev)
{
    const char *v = (const char *)ev->data.scalar.value;
    size_t n = ev->data.scalar.length;
    if (memchr(v, '\0', n)) {
        set_error(tp, (int)ev->start_mark.line + 1, "a string contains a NUL byte");
        return NULL;
    }
    struct yaml_tree_node *node = xcalloc(1, sizeof *node);
    node->kind = YAML_TREE_SCALAR;
    node->line = (int)ev->start_mark.line + 1;
    node->value = xmalloc(n + 1);
    memcpy(node->value, v, n);
    node->value[n] = '\0';
    node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    return node;
}

static int parse_node(struct tree_parser *tp, yaml_event_t *ev, int depth,
                      struct yaml_tree_node **out);

/* A map's key whose value failed to parse is not yet counted in node->count: free it. */
static int drop_unpaired(struct yaml_tree_node *node, size_t n)
{
    if (node->kind == YAML_TREE_MAP && n % 2 == 1)
        yaml_tree_free(node->items[n - 1]);
    return -1;
}

/* Reads children until the matching end event; node is a fresh map or list. */
static int parse_children(struct tree_parser *tp, struct yaml_tree_node *node, int depth)
{
    size_t n = 0, alloc = 0;
    for (;;) {
        yaml_event_t ev;
        if (next_event(tp, &ev) != 0)
            return drop_unpaired(node, n);
        if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        struct yaml_tree_node *child;
        if (parse_node(tp, &ev, depth + 1, &child) != 0)
            return drop_unpaired(node, n);
        if (node->kind == YAML_TREE_MAP && n % 2 == 0 && child->kind != YAML_TREE_SCALAR) {
            set_error(tp, child->line, "map keys must be plain strings, not a %s",
                      child->kind == YAML_TREE_MAP ? "map" : "list");
            yaml_tree_free(child);
            return -1;
        }
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 8;
            node->items = xrealloc(node->items, alloc * sizeof *node->items);
        }
        node->items[n++] = child;
        node->count = node->kind == YAML_TREE_MAP ? n / 2 : n;
    }
    return 0;
}

/* Builds the node that ev starts; always deletes ev. */
static int parse_node(struct tree_parser *tp, yaml_event_t *ev, int depth,
                      struct yaml_tree_node **out)
{
    int result = -1;
    struct yaml_tree_node *node = NULL;
    *out = NULL;
    if (check_node_event(tp, ev, depth) != 0)
        goto out;
    if (ev->type == YAML_SCALAR_EVENT) {
        node = scalar_node(tp, ev);
        result = node ? 0 : -1;
        goto out;
    }
    node = xcalloc(1, sizeof *node);
    node->kind = ev->type == YAML_MAPPING_START_EVENT ? YAML_TREE_MAP : YAML_TREE_SEQ;
    node->line = (int)ev->start_mark.line + 1;
    yaml_event_delete(ev);
    result = parse_children(tp, node, depth);
    if (result != 0) {
        yaml_tree_free(node);
        return -1;
    }
    *out = node;
    return 0;
out:
    yaml_event_delete(ev);
    *out = result == 0 ? node : NULL;
    return result;
}

/* Expects an event of type want; deletes it. */
static int expect_event(struct tree_parser *tp, yaml_event_type_t want)
{
    yaml_event_t ev;
    if (next_event(tp, &ev) != 0)
        return -1;
    int ok = ev.type == want;
    int line = (int)ev.start_mark.line + 1;
    yaml_event_delete(&ev);
    if (!ok) {
        set_error(tp, line, "only one YAML document is allowed (remove the second \"---\")");
        return -1;
    }
    return 0;
}

/* After STREAM_START: an empty stream, or one document. */
static int parse_stream(struct tree_parser *tp, struct yaml_tree_node **out)
{
    yaml_event_t ev;
    if (next_event(tp, &ev) != 0)
        return -1;
    if (ev.type == YAML_STREAM_END_EVENT) {
        yaml_event_delete(&ev);
        return 0;
    }
    yaml_event_delete(&ev); /* DOCUMENT_START: the parser accepts nothing else here */
    if (next_event(tp, &ev) != 0)
        return -1;
    if (parse_node(tp, &ev, 1, out) != 0)
        return -1;
    if (expect_event(tp, YAML_DOCUMENT_END_EVENT) != 0 ||
        expect_event(tp, YAML_STREAM_END_EVENT) != 0) {
        yaml_tree_free(*out);
        *out = NULL;
        return -1;
    }
    return 0;
}

int yaml_tree_parse(const char *text, size_t len, struct yaml_tree_node **out,
                    struct yaml_tree_error *err)
{
    struct tree_parser tp = {.text = text, .len = len, .err = err};
    *out = NULL;
    err->line = 0;
    err->message[0] = '\0';
    if (!yaml_parser_initialize(&tp.parser))
        fatal("out of memory initialising the YAML parser");
    yaml_parser_set_input_string(&tp.parser, (const unsigned char *)text, len);
    int result = expect_event(&tp, YAML_STREAM_START_EVENT);
    if (result == 0)
        result = parse_stream(&tp, out);
    yaml_parser_delete(&tp.parser);
    return result;
}

bool yaml_tree_is_null(const struct yaml_tree_node *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (!n || n->kind != YAML_TREE_SCALAR || !n->plain)
        return false;
    for (size_t i = 0; i < sizeof nulls / sizeof nulls[0]; i++)
        if (strcmp(n->value, nulls[i]) == 0)
            return true;
    return false;
}

const struct yaml_tree_node *yaml_tree_map_get(const struct yaml_tree_node *n, const char *key)
{
    if (!n || n->kind != YAML_TREE_MAP)
        return NULL;
    for (size_t i = 0; i < n->count; i++)
        if (strcmp(n->items[2 * i]->value, key) == 0)
            return n->items[2 * i + 1];
    return NULL;
}
