/*
 * config_status_page: the `status_page:` section: the public page's title, how many resolved
 * incidents it keeps, and how many days its uptime bars span (docs/config.md). Every key is
 * optional. Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

enum {
    DEFAULT_HISTORY = 50, /* resolved incidents kept (Statuspage's incidents.json keeps 50) */
    MAX_HISTORY = 500,
    DEFAULT_UPTIME_DAYS = 90,
    MAX_UPTIME_DAYS = 365,
};

static const struct cfg_field status_page_fields[] = {
    FLD(struct config, "title", status_page.title, CFG_STR),
    FLD(struct config, "history", status_page.history, CFG_INT, .min = 0, .max = MAX_HISTORY),
    FLD(struct config, "uptime_days", status_page.uptime_days, CFG_INT, .min = 1,
        .max = MAX_UPTIME_DAYS),
};
static const struct cfg_spec status_page_spec = {
    .line_off = NO_OFF, FIELDS(status_page_fields), .uniq_off = NO_OFF};

static void status_page_defaults(struct config *c)
{
    c->status_page.history = DEFAULT_HISTORY;
    c->status_page.uptime_days = DEFAULT_UPTIME_DAYS;
}

const struct cfg_section config_section_status_page = {
    .field = CFG_SECTION_MAP("status_page", status_page_spec),
    .defaults = status_page_defaults,
};
