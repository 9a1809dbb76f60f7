/*
 * business_hours: when a business-hours calendar (config `calendars:`) is next open. A page of a
 * severity with `business_hours: ID` that falls outside the calendar's days and hours (in its
 * time zone, holidays closed) waits for the next opening. Pure (the time is passed in); any
 * thread (tz_get is thread-safe).
 */
#ifndef TOCSIN_BUSINESS_HOURS_H
#define TOCSIN_BUSINESS_HOURS_H

#include <stdint.h>

#include "config/config.h"

/* The first instant (ms) at or after `now` when cal is open: `now` itself when open now. A
 * calendar with no opening in the next 400 days (every day a holiday) answers `now`: a page is
 * never held forever. */
int64_t business_next_open(const struct config_calendar *cal, int64_t now);

#endif
