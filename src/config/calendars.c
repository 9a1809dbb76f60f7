/*
 * config_calendars: the `calendars:` list, business hours: id, name (the id by default),
 * timezone (required, an IANA zone), days (mon..sun, default mon..fri), hours ("HH:MM-HH:MM",
 * default 09:00-17:00, opening before closing, 24:00 allowed as the close) and holidays
 * (YYYY-MM-DD, closed all day). A severity names one with `business_hours: ID`; its pages then
 * wait for the next opening (domain/business_hours.c). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"
#include "util/yaml_tree.h"

#include <stdio.h>
#include <string.h>

CFG_ASSERT_ID_NAME(struct config_calendar);

static const char *const day_names[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL};

/* "HH:MM" at s into minutes; -1 when malformed. 24:00 is 1440. */
static int hhmm(const char *s)
{
    int h, m;
    char tail;
    if (strlen(s) != 5 || sscanf(s, "%2d:%2d%c", &h, &m, &tail) != 2 || s[2] != ':')
        return -1;
    if (h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0))
        return -1;
    return h * 60 + m;
}

static const char *check_hours(const char *s)
{
    char a[8], b[8];
    const char *dash = strchr(s, '-');
    if (!dash || dash - s != 5 || strlen(dash + 1) != 5)
        return "is not HH:MM-HH:MM (e.g. 09:00-17:00)";
    memcpy(a, s, 5);
    a[5] = '\0';
    memcpy(b, dash + 1, 6);
    int open = hhmm(a), close = hhmm(b);
    if (open < 0 || close < 0)
        return "is not HH:MM-HH:MM (e.g. 09:00-17:00)";
    return open < close ? NULL : "opens at or after it closes (hours within one day: 09:00-17:00)";
}

static const char *check_date(const char *s)
{
    int y, m, d;
    char tail;
    if (strlen(s) != 10 || sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || s[4] != '-' ||
        s[7] != '-' || m < 1 || m > 12 || d < 1 || d > 31)
        return "is not a date YYYY-MM-DD";
    return NULL;
}

static void calendar_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                          const char *path, size_t index)
{
    struct config_calendar *c = obj;
    config_parse_default_name(ctx, n, obj, path, index);
    if (!c->hours)
        c->hours = xstrdup("09:00-17:00");
    if (check_hours(c->hours) == NULL) {
        char a[6], b[6];
        memcpy(a, c->hours, 5);
        a[5] = '\0';
        memcpy(b, c->hours + 6, 5);
        b[5] = '\0';
        c->open_min = hhmm(a);
        c->close_min = hhmm(b);
    }
    c->day_mask = 0;
    for (size_t i = 0; i < c->days.count; i++)
        for (unsigned d = 0; day_names[d]; d++)
            if (strcmp(c->days.items[i], day_names[d]) == 0)
                c->day_mask |= 1u << d;
    if (!c->days.count)
        c->day_mask = 0x1f; /* mon..fri */
}

static const struct cfg_field calendar_fields[] = {
    ID_FIELD(struct config_calendar),
    FLD(struct config_calendar, "name", name, CFG_STR),
    FLD(struct config_calendar, "timezone", timezone, CFG_STR, .required = true,
        .check = config_parse_check_timezone),
    FLD(struct config_calendar, "days", days, CFG_STRLIST, .min = 1, .unique = true,
        .choices = day_names),
    FLD(struct config_calendar, "hours", hours, CFG_STR, .check = check_hours),
    FLD(struct config_calendar, "holidays", holidays, CFG_STRLIST, .unique = true,
        .check = check_date),
};
static const struct cfg_spec calendar_spec = {.size = sizeof(struct config_calendar),
                                              .line_off = offsetof(struct config_calendar, line),
                                              FIELDS(calendar_fields),
                                              .post = calendar_post,
                                              .uniq_off = offsetof(struct config_calendar, id),
                                              .uniq_key = "id"};

const struct cfg_section config_section_calendars = {
    .field = CFG_SECTION_LIST("calendars", calendars, calendar_count, calendar_spec),
    .noun = "calendar",
    .id_off = offsetof(struct config_calendar, id),
};

const struct config_calendar *config_calendar_find(const struct config *c, const char *id)
{
    return config_section_find(c, &config_section_calendars, id);
}
