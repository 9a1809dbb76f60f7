/*
 * jsonfast: a fast path beside jansson for the two JSON jobs on every alert POST, reading the body
 * and writing labels/details as canonical text. Measured (docs/BENCHMARKS.md): jansson's decoder
 * reads about 30 bytes per microsecond here and was the largest single cost of a single-alert
 * ingest, json_dumps the third.
 *
 * It is a fast path, never the authority:
 *   - jsonfast_parse accepts only a strict, common subset of JSON: ASCII text, the escapes
 *     \" \\ \/ \b \f \n \r \t (no \u), integers of at most 18 digits (no fraction, no exponent),
 *     nesting of at most JSONFAST_MAX_DEPTH, no duplicate key. On anything else it returns NULL
 *     and the caller parses with jansson, which accepts the rest or writes the error. Whatever it
 *     accepts, jansson accepts too and builds the same tree (same values, same key order); the unit
 *     test checks this against jansson on a corpus and on random mutations of it.
 *   - jsonfast_dump_sorted writes exactly what json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS)
 *     writes, for values without reals; with a real it returns NULL and the caller uses
 *     json_dumps. jsonfast_append_ascii_string writes a string as JSON_ENSURE_ASCII does, for
 *     ASCII text only (the timeline's hash input, timeline.c).
 * Pure, thread-safe; results are owned by the caller (json_decref / free).
 */
#ifndef TOCSIN_JSONFAST_H
#define TOCSIN_JSONFAST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum { JSONFAST_MAX_DEPTH = 64 };

/* The value in text[0..len), or NULL: not in the subset (or not JSON), ask jansson. */
json_t *jsonfast_parse(const char *text, size_t len);
/* json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS), or NULL when v holds a real. free() it. */
char *jsonfast_dump_sorted(const json_t *v);

struct buf;
/* Appends s[0..n) as a JSON string, exactly as json_dumps writes a string with JSON_ENSURE_ASCII.
 * Returns false (out possibly half-written) when s holds a byte >= 0x80, whose escaping is left
 * to jansson, or when out is full. */
bool jsonfast_append_ascii_string(struct buf *out, const char *s, size_t n);

#endif
