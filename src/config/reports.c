/*
 * config_reports: the `reports:` section (docs/reports.md): the time zone whose calendar months
 * the monthly review counts (default UTC). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

static const struct cfg_field reports_fields[] = {
    FLD(struct config, "timezone", reports.timezone, CFG_STR, .check = config_parse_check_timezone),
};
static const struct cfg_spec reports_spec = {
    .line_off = NO_OFF, FIELDS(reports_fields), .uniq_off = NO_OFF};

const struct cfg_section config_section_reports = {
    .field = CFG_SECTION_MAP("reports", reports_spec),
};
