/* drill_schedule: see drill_schedule.h. */
#include "domain/drill_schedule.h"

static int days_in_month(int y, int m)
{
    static const int d[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return m == 2 && leap ? 29 : d[m - 1];
}

int64_t drill_schedule_occurrence(const struct config_drill_schedule *s, const struct tz *tz,
                                  int64_t k)
{
    if (s->every_months > 0) {
        int64_t months = (int64_t)s->y * 12 + (s->mo - 1) + k * s->every_months;
        int y = (int)(months / 12), m = (int)(months % 12) + 1;
        int d = s->d > days_in_month(y, m) ? days_in_month(y, m) : s->d;
        return tz_to_utc(tz, y, m, d, s->h, s->mi);
    }
    int y, m, d;
    tz_civil_from_days(tz_days_from_civil(s->y, s->mo, s->d) + k * s->every_days, &y, &m, &d);
    return tz_to_utc(tz, y, m, d, s->h, s->mi);
}

void drill_schedule_around(const struct config_drill_schedule *s, const struct tz *tz, int64_t now,
                           int64_t *prev, int64_t *prev_k, int64_t *next)
{
    int64_t first = drill_schedule_occurrence(s, tz, 0);
    if (now < first || (s->every_months <= 0 && s->every_days <= 0)) {
        *prev = -1;
        *prev_k = -1;
        *next = now < first ? first : INT64_MAX;
        return;
    }
    /* An estimate from the average period, then corrected by a step or two either way. */
    double period_ms =
        s->every_months > 0 ? s->every_months * 30.436875 * 86400000.0 : s->every_days * 86400000.0;
    int64_t k = (int64_t)((double)(now - first) / period_ms);
    while (k > 0 && drill_schedule_occurrence(s, tz, k) > now)
        k--;
    while (drill_schedule_occurrence(s, tz, k + 1) <= now)
        k++;
    *prev = drill_schedule_occurrence(s, tz, k);
    *prev_k = k;
    *next = drill_schedule_occurrence(s, tz, k + 1);
}
