/*
 * jsonv: strict reading of JSON request bodies. Every failure fills `struct error` with a message
 * that starts with the field's name, so the client knows what to fix:
 *   body: invalid JSON at line 1, column 9: ...     (400)
 *   title: must be a string, not a number            (400)
 *   tags: unknown field (allowed: title, severity)   (400)
 * Pure, thread-safe.
 */
#ifndef TOCSIN_JSONV_H
#define TOCSIN_JSONV_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util/result.h"

/* Parses body as one JSON object (duplicate keys rejected). An empty body gives {} when
 * allow_empty. */
enum result jsonv_parse_object(const char *body, size_t len, bool allow_empty, json_t **out,
                               struct error *err);
/* Rejects any key not in the NULL-terminated list. */
enum result jsonv_only(json_t *obj, const char *const *allowed, struct error *err);
/* String field. Absent: OK with *out = NULL when !required, else 400. null is treated as absent
 * unless allow_null is set, in which case *is_null is set. Length counted in characters (code
 * points; jansson guarantees valid UTF-8); min/max inclusive. *out is borrowed from obj. */
enum result jsonv_string(json_t *obj, const char *key, bool required, size_t min, size_t max,
                         const char **out, struct error *err);
enum result jsonv_string_or_null(json_t *obj, const char *key, size_t min, size_t max,
                                 const char **out, bool *present, struct error *err);
enum result jsonv_bool(json_t *obj, const char *key, bool *out, bool *present, struct error *err);
/* Integer field in [min, max]. Absent: OK and *out untouched when !required, else 400. A number
 * with a fraction, a string or out of range: 400 naming the field and the range. */
enum result jsonv_int(json_t *obj, const char *key, bool required, int64_t min, int64_t max,
                      int64_t *out, struct error *err);
const char *jsonv_type_name(const json_t *v);
/* Characters (code points) of a NUL-terminated valid UTF-8 string. */
size_t jsonv_utf8_chars(const char *s);
/* A name made of letters, digits, '.', '_' and '-' only (token and integration names). */
bool jsonv_is_name(const char *s);

#endif
