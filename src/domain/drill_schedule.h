/*
 * drill_schedule: when a scheduled fire drill is due (docs/drills.md "Scheduled drills"). Pure:
 * the caller passes the zone and `now`.
 *
 * Occurrence k (k >= 0) of a schedule is its `at` (local wall time in its zone) moved k periods
 * on: k * every_days local calendar days (a drill at 14:00 stays at 14:00 across DST), or
 * k * every_months calendar months (the 31st in a shorter month is its last day: a schedule
 * anchored on Jan 31 runs on Feb 28, Mar 31, ...). A wall time that does not exist or happens
 * twice is resolved as util/tz.h says (forward by the gap; the first of the two).
 */
#ifndef TOCSIN_DRILL_SCHEDULE_H
#define TOCSIN_DRILL_SCHEDULE_H

#include <stdint.h>

#include "config/config.h"
#include "util/tz.h"

/* The instant (ms since the epoch) of occurrence k of s in zone tz. */
int64_t drill_schedule_occurrence(const struct config_drill_schedule *s, const struct tz *tz,
                                  int64_t k);

/* The last occurrence at or before now (*prev, -1 when the first is still to come; *prev_k its
 * index) and the first after now (*next). */
void drill_schedule_around(const struct config_drill_schedule *s, const struct tz *tz, int64_t now,
                           int64_t *prev, int64_t *prev_k, int64_t *next);

#endif
