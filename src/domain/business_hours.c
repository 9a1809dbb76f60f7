/*
 * business_hours: see business_hours.h. Walks the calendar's local days from today: the first
 * open day (weekday in days, not a holiday) whose closing is after now gives max(now, opening).
 */
#include "domain/business_hours.h"
#include "util/tz.h"

#include <stdio.h>
#include <string.h>

enum { LOOKAHEAD_DAYS = 400 };

static bool holiday(const struct config_calendar *cal, int y, int m, int d)
{
    char date[16];
    snprintf(date, sizeof date, "%04d-%02d-%02d", y, m, d);
    for (size_t i = 0; i < cal->holidays.count; i++)
        if (strcmp(cal->holidays.items[i], date) == 0)
            return true;
    return false;
}

int64_t business_next_open(const struct config_calendar *cal, int64_t now)
{
    const struct tz *tz = cal && cal->timezone ? tz_get(cal->timezone) : NULL;
    if (!tz || !cal->day_mask || cal->open_min >= cal->close_min)
        return now;
    struct tz_tm lt;
    tz_local(tz, now, &lt);
    int64_t today = tz_days_from_civil(lt.year, lt.month, lt.day);
    for (int64_t k = 0; k < LOOKAHEAD_DAYS; k++) {
        int y, m, d;
        tz_civil_from_days(today + k, &y, &m, &d);
        if (!(cal->day_mask & (1u << tz_weekday(today + k))) || holiday(cal, y, m, d))
            continue;
        int64_t open = tz_to_utc(tz, y, m, d, cal->open_min / 60, cal->open_min % 60);
        int64_t close = tz_to_utc(tz, y, m, d, cal->close_min / 60, cal->close_min % 60);
        if (now < close)
            return now > open ? now : open;
    }
    return now;
}
