/*
 * config_drills: the `drills:` list: fire-drill scenarios (docs/drills.md). Each names the drill
 * incident it declares (title, severity, service, type, summary) and what the drill expects of
 * the responders: the runbook they should open (`runbook`). `tocsin drill start ID` runs one; a
 * scenario with a `schedule` also runs by itself (jobs/drills.c): `every` (a period: "90d", "2w",
 * "1mo", or monthly, quarterly, semiannual, annual), `at` (the first occurrence, local wall time
 * "YYYY-MM-DD HH:MM"), `timezone` (default UTC), `notice` (announce it this long before) and
 * `announce_to` (the users told). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DRILL_EVERY_MAX_DAYS = 3660, DRILL_EVERY_MAX_MONTHS = 120 };

static const struct {
    const char *name;
    int months, days;
} named_periods[] = {
    {"daily", 0, 1},      {"weekly", 0, 7},      {"monthly", 1, 0}, {"quarterly", 3, 0},
    {"semiannual", 6, 0}, {"semi-annual", 6, 0}, {"annual", 12, 0}, {"yearly", 12, 0},
};

/* "90d", "2w", "1mo" or a name -> months or days; false when malformed or out of range. */
static bool parse_every(const char *s, int *months, int *days)
{
    *months = *days = 0;
    for (size_t i = 0; i < sizeof named_periods / sizeof named_periods[0]; i++)
        if (strcmp(s, named_periods[i].name) == 0) {
            *months = named_periods[i].months;
            *days = named_periods[i].days;
            return true;
        }
    char *end = NULL;
    if (*s < '1' || *s > '9')
        return false;
    long n = strtol(s, &end, 10); /* LONG_MAX when too long: refused by the bounds below */
    if (strcmp(end, "d") == 0 && n <= DRILL_EVERY_MAX_DAYS)
        *days = (int)n;
    else if (strcmp(end, "w") == 0 && n <= DRILL_EVERY_MAX_DAYS / 7) /* bounded: no overflow */
        *days = (int)n * 7;
    else if (strcmp(end, "mo") == 0 && n <= DRILL_EVERY_MAX_MONTHS)
        *months = (int)n;
    else
        return false;
    return true;
}

static const char *check_every(const char *s)
{
    int m, d;
    return parse_every(s, &m, &d) ? NULL
                                  : "is not a period: Nd, Nw, Nmo (N >= 1, at most ten years), "
                                    "daily, weekly, monthly, quarterly, semiannual or annual";
}

static bool feb29_of_common_year(int y, int mo, int d)
{
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    return mo == 2 && d == 29 && !leap;
}

static bool parse_at(const char *s, struct config_drill_schedule *out)
{
    int n = 0;
    char sep = 0;
    if (strlen(s) != 16 ||
        sscanf(s, "%4d-%2d-%2d%c%2d:%2d%n", &out->y, &out->mo, &out->d, &sep, &out->h, &out->mi,
               &n) != 6 ||
        n != 16)
        return false;
    if (sep != ' ' && sep != 'T')
        return false;
    static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return out->y >= 1970 && out->y <= 9999 && out->mo >= 1 && out->mo <= 12 && out->d >= 1 &&
           out->d <= mdays[out->mo - 1] && !feb29_of_common_year(out->y, out->mo, out->d) &&
           out->h >= 0 && out->h <= 23 && out->mi >= 0 && out->mi <= 59;
}

static const char *check_at(const char *s)
{
    struct config_drill_schedule t;
    if (parse_at(s, &t))
        return NULL;
    if (feb29_of_common_year(t.y, t.mo, t.d))
        return "is not a date: February 29 of a year that is not a leap year";
    return "is not a local date and time \"YYYY-MM-DD HH:MM\"";
}

static void schedule_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                          const char *path, size_t index)
{
    (void)ctx, (void)n, (void)path, (void)index;
    struct config_drill_schedule *s = obj;
    if (s->every)
        parse_every(s->every, &s->every_months, &s->every_days);
    if (s->at && !parse_at(s->at, s))
        s->y = 0; /* reported by check_at; the load fails */
}

static const struct cfg_field schedule_fields[] = {
    FLD(struct config_drill_schedule, "every", every, CFG_STR, .required = true,
        .check = check_every),
    FLD(struct config_drill_schedule, "at", at, CFG_STR, .required = true, .check = check_at),
    FLD(struct config_drill_schedule, "timezone", timezone, CFG_STR,
        .check = config_parse_check_timezone),
    FLD(struct config_drill_schedule, "notice", notice, CFG_DURATION, .min = 60 * 1000,
        .max = 90LL * 24 * 3600 * 1000),
    FLD(struct config_drill_schedule, "announce_to", announce_to, CFG_STRLIST, .unique = true,
        .ref = &config_section_users),
};
static const struct cfg_spec schedule_spec = {.size = sizeof(struct config_drill_schedule),
                                              .line_off =
                                                  offsetof(struct config_drill_schedule, line),
                                              FIELDS(schedule_fields),
                                              .post = schedule_post,
                                              .uniq_off = NO_OFF};

/* ---- drills[].alerts (docs/drills.md "Injected alerts") ---- */

enum { DRILL_ALERT_AFTER_MAX_MS = 24 * 3600 * 1000 };

static void drill_alert_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                             const char *path, size_t index)
{
    (void)index;
    const struct config_drill_alert *a = obj;
    for (size_t i = 0; i < a->label_count; i++)
        if (a->labels[i].from && strcmp(a->labels[i].from, "alertname") == 0 && a->labels[i].to &&
            a->labels[i].to[0])
            return;
    int line = config_parse_key_line(n, "labels", 0);
    if (line) /* absent: reported as a required key */
        config_parse_error(ctx, line,
                           "%s.labels: needs a non-empty alertname (a map of label "
                           "names to values)",
                           path);
}

static const struct cfg_field drill_alert_fields[] = {
    FLD(struct config_drill_alert, "labels", labels, CFG_STRMAP, .required = true,
        .count_off = offsetof(struct config_drill_alert, label_count)),
    FLD(struct config_drill_alert, "annotations", annotations, CFG_STRMAP,
        .count_off = offsetof(struct config_drill_alert, annotation_count)),
    FLD(struct config_drill_alert, "after", after, CFG_DURATION, .max = DRILL_ALERT_AFTER_MAX_MS),
};
static const struct cfg_spec drill_alert_spec = {.size = sizeof(struct config_drill_alert),
                                                 .line_off =
                                                     offsetof(struct config_drill_alert, line),
                                                 FIELDS(drill_alert_fields),
                                                 .post = drill_alert_post,
                                                 .uniq_off = NO_OFF};

/* expect_severity defaults to severity. */
static void drill_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                       const char *path, size_t index)
{
    (void)ctx, (void)n, (void)path, (void)index;
    struct config_drill *d = obj;
    if (!d->expect_severity && d->severity)
        d->expect_severity = xstrdup(d->severity);
}

static const struct cfg_field drill_fields[] = {
    ID_FIELD(struct config_drill),
    FLD(struct config_drill, "title", title, CFG_STR, .required = true),
    FLD(struct config_drill, "severity", severity, CFG_STR, .required = true,
        .ref = &config_section_severities),
    FLD(struct config_drill, "service", service, CFG_STR, .ref = &config_section_services),
    FLD(struct config_drill, "type", type, CFG_STR, .ref = &config_section_incident_types),
    FLD(struct config_drill, "summary", summary, CFG_STR),
    FLD(struct config_drill, "runbook", runbook, CFG_STR, .ref = &config_section_runbooks),
    FLD(struct config_drill, "schedule", schedule, CFG_PTR, .sub = &schedule_spec),
    FLD(struct config_drill, "expect_severity", expect_severity, CFG_STR,
        .ref = &config_section_severities),
    FLD(struct config_drill, "alerts", alerts, CFG_LIST, .sub = &drill_alert_spec,
        .count_off = offsetof(struct config_drill, alert_count)),
};
static const struct cfg_spec drill_spec = {.size = sizeof(struct config_drill),
                                           .line_off = offsetof(struct config_drill, line),
                                           FIELDS(drill_fields),
                                           .post = drill_post,
                                           .uniq_off = offsetof(struct config_drill, id),
                                           .uniq_key = "id"};

const struct cfg_section config_section_drills = {
    .field = CFG_SECTION_LIST("drills", drills, drill_count, drill_spec),
    .noun = "drill",
    .id_off = offsetof(struct config_drill, id),
};

const struct config_drill *config_drill_find(const struct config *c, const char *id)
{
    return id ? config_section_find(c, &config_section_drills, id) : NULL;
}
