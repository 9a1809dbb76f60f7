/*
 * timeutil: time values are int64 milliseconds since the Unix epoch, UTC, everywhere in tocsin.
 * Parsing and formatting of durations ("15m", "1h30m", "2d", "1w") and RFC 3339 timestamps.
 * Pure functions; no clock reads here (see clock.h).
 */
#ifndef TOCSIN_TIMEUTIL_H
#define TOCSIN_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

#define MS_PER_SEC 1000LL
#define MS_PER_MIN (60 * MS_PER_SEC)
#define MS_PER_HOUR (60 * MS_PER_MIN)
#define MS_PER_DAY (24 * MS_PER_HOUR)

enum { RFC3339_LEN = 32 };

/* The times tocsin accepts and formats: years 0000 to 9999 (RFC 3339 has four-digit years).
 * Inputs past TIME_MAX_MS (a silence's end, the dev clock) are refused with 422 by their routes;
 * the formatters clamp into this range, so no value, however large, overruns their buffers. */
#define TIME_MIN_MS (-62167219200000LL) /* 0000-01-01T00:00:00.000Z */
#define TIME_MAX_MS 253402300799999LL   /* 9999-12-31T23:59:59.999Z */
#define TIME_MAX_TEXT "9999-12-31T23:59:59Z"
/* Whether a + b stays within [TIME_MIN_MS, TIME_MAX_MS] (b >= 0; no int64 overflow). */
int time_add_in_range(int64_t a, int64_t b, int64_t *out);

/* "90s", "15m", "1h30m", "2d", "1w", "500ms", "0" or "0m". 0 on success, -1 on bad input
 * (empty, unknown unit, overflow, negative). */
int time_parse_duration(const char *s, int64_t *out_ms);
/* The shortest exact form: "1h30m", "15m", "0s". */
void time_format_duration(int64_t ms, char *out, size_t n);
/* "2026-11-23T09:25:32Z" (seconds precision, always UTC). */
void time_format_rfc3339(int64_t ms, char out[RFC3339_LEN]);
/* Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+hh:mm|-hh:mm)". 0 on success, -1 otherwise. */
int time_parse_rfc3339(const char *s, int64_t *out_ms);
/* "YYYY-MM-DD" of the UTC day containing ms. */
void time_format_day(int64_t ms, char out[11]);

#endif
