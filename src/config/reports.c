/*
 * config_reports: the `reports:` section (docs/reports.md): the time zone whose calendar months
 * the monthly review counts (default UTC), and the mail on the 1st: `mail_to` (user ids mailed
 * the previous month's review on the first day of each month) at `mail_at` ("HH:MM" local,
 * default 09:00). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

#include <stdio.h>
#include <string.h>

static bool parse_hhmm(const char *s, int *h, int *m)
{
    int n = 0;
    return strlen(s) == 5 && sscanf(s, "%2d:%2d%n", h, m, &n) == 2 && n == 5 && *h >= 0 &&
           *h <= 23 && *m >= 0 && *m <= 59;
}

static const char *check_hhmm(const char *s)
{
    int h, m;
    return parse_hhmm(s, &h, &m) ? NULL : "is not a time of day \"HH:MM\" (00:00 to 23:59)";
}

static void reports_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                         const char *path, size_t index)
{
    (void)ctx, (void)n, (void)path, (void)index;
    struct config *c = obj;
    c->reports.mail_hour = 9;
    c->reports.mail_minute = 0;
    if (c->reports.mail_at)
        parse_hhmm(c->reports.mail_at, &c->reports.mail_hour, &c->reports.mail_minute);
}

static const struct cfg_field reports_fields[] = {
    FLD(struct config, "timezone", reports.timezone, CFG_STR, .check = config_parse_check_timezone),
    FLD(struct config, "mail_to", reports.mail_to, CFG_STRLIST, .unique = true,
        .ref = &config_section_users),
    FLD(struct config, "mail_at", reports.mail_at, CFG_STR, .check = check_hhmm),
};
static const struct cfg_spec reports_spec = {
    .line_off = NO_OFF, FIELDS(reports_fields), .post = reports_post, .uniq_off = NO_OFF};

static void reports_defaults(struct config *c)
{
    c->reports.mail_hour = 9;
}

const struct cfg_section config_section_reports = {
    .field = CFG_SECTION_MAP("reports", reports_spec),
    .defaults = reports_defaults,
};
