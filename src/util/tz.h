/*
 * tz: IANA time zones without the process-wide TZ variable. glibc's localtime/mktime read TZ, a
 * global, so they cannot answer for one schedule in Berlin and another in Sydney on two threads
 * at once. This module reads the compiled zone files itself (TZif, RFC 8536, version 2 or later,
 * the 64-bit section) from $TZDIR or /usr/share/zoneinfo, and evaluates the POSIX TZ footer rule
 * ("CET-1CEST,M3.5.0,M10.5.0/3") for instants after the file's last transition.
 *
 * Invariants: a loaded zone is immutable and lives until the process ends (tz_get caches it; the
 * cache only grows, bounded by the zone names that exist). Names are checked before any file is
 * opened: letters, digits, '/', '_', '+', '-'; no leading '/', no "..", at most 128 characters.
 * Leap-second zones ("right/...") are read as if they had no leap seconds.
 *
 * Local wall time -> UTC (tz_to_utc): a wall time that does not exist (the spring-forward gap,
 * 02:30 on the day clocks jump from 02:00 to 03:00) moves forward by the gap (-> 03:30 local, the
 * instant 02:30 would be at the offset in force before the jump); a wall time that happens twice
 * (the fall-back overlap) is its first occurrence (the earlier instant).
 *
 * Threads: tz_get is thread-safe (one mutex around the cache); everything else is pure.
 */
#ifndef TOCSIN_TZ_H
#define TOCSIN_TZ_H

#include <stdint.h>

struct tz;

/* Broken-down local time. */
struct tz_tm {
    int year, month, day; /* month 1..12, day 1..31 */
    int hour, minute, second;
    int wday;       /* 0 = Monday .. 6 = Sunday */
    int32_t offset; /* seconds east of UTC in force */
};

/* The zone named `name` ("Europe/Berlin", "UTC"), loaded once and cached; NULL when the name is
 * malformed or no valid TZif v2+ file of that name exists. */
const struct tz *tz_get(const char *name);
/* UTC, always available (no file needed). */
const struct tz *tz_utc(void);
/* The zone's name as given to tz_get. */
const char *tz_name(const struct tz *tz);
/* NULL when the name is acceptable, else why not (for config messages). Does not open files. */
const char *tz_check_name(const char *name);

/* Seconds east of UTC in force at utc_ms (ms since the epoch). */
int32_t tz_offset(const struct tz *tz, int64_t utc_ms);
/* utc_ms as local wall time. */
void tz_local(const struct tz *tz, int64_t utc_ms, struct tz_tm *out);
/* The instant (ms since the epoch) of local wall time y-mo-d h:mi:00, gap and overlap as above.
 * Out-of-range fields are normalised (day 32 is the next month's first, hour 24 is the next day's
 * 00). */
int64_t tz_to_utc(const struct tz *tz, int y, int mo, int d, int h, int mi);

/* Civil calendar (proleptic Gregorian): days since 1970-01-01 and back; weekday 0 = Monday. */
int64_t tz_days_from_civil(int64_t y, int m, int d);
void tz_civil_from_days(int64_t days, int *y, int *m, int *d);
int tz_weekday(int64_t days);

#endif
