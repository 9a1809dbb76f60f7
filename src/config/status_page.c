/*
 * config_status_page: the `status_page:` section: the public page's title, how many resolved
 * incidents it keeps, how many days its uptime bars span, after how many failed deliveries in a
 * row a webhook subscriber is disabled (docs/config.md). Every key is
 * optional. Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

#include <string.h>

enum {
    DEFAULT_HISTORY = 50, /* resolved incidents kept (Statuspage's incidents.json keeps 50) */
    MAX_HISTORY = 500,
    DEFAULT_UPTIME_DAYS = 90,
    MAX_UPTIME_DAYS = 365,
    DEFAULT_WEBHOOK_FAILURE_LIMIT = 5,
    MAX_WEBHOOK_FAILURE_LIMIT = 1000,
};

static const struct cfg_field group_fields[] = {
    FLD(struct config_status_group, "name", name, CFG_STR, .required = true),
    FLD(struct config_status_group, "components", components, CFG_STRLIST, .required = true,
        .min = 1, .unique = true),
};
static const struct cfg_spec group_spec = {.size = sizeof(struct config_status_group),
                                           .line_off = offsetof(struct config_status_group, line),
                                           FIELDS(group_fields),
                                           .uniq_off = offsetof(struct config_status_group, name),
                                           .uniq_key = "name"};

static const struct cfg_field status_page_fields[] = {
    FLD(struct config, "title", status_page.title, CFG_STR),
    FLD(struct config, "history", status_page.history, CFG_INT, .min = 0, .max = MAX_HISTORY),
    FLD(struct config, "uptime_days", status_page.uptime_days, CFG_INT, .min = 1,
        .max = MAX_UPTIME_DAYS),
    FLD(struct config, "webhook_failure_limit", status_page.webhook_failure_limit, CFG_INT,
        .min = 1, .max = MAX_WEBHOOK_FAILURE_LIMIT),
    FLD(struct config, "webhook_allow_private", status_page.webhook_allow_private, CFG_BOOL),
    FLD(struct config, "groups", status_page.groups, CFG_LIST, .sub = &group_spec,
        .count_off = offsetof(struct config, status_page.group_count)),
};
static const struct cfg_spec status_page_spec = {
    .line_off = NO_OFF, FIELDS(status_page_fields), .uniq_off = NO_OFF};

static void status_page_defaults(struct config *c)
{
    c->status_page.history = DEFAULT_HISTORY;
    c->status_page.uptime_days = DEFAULT_UPTIME_DAYS;
    c->status_page.webhook_failure_limit = DEFAULT_WEBHOOK_FAILURE_LIMIT;
}

/* Each group member must be a services' component name, in one group only. */
static void status_page_finish(struct cfg_ctx *ctx, const struct yaml_tree_node *root,
                               struct config *c)
{
    for (size_t g = 0; g < c->status_page.group_count; g++) {
        const struct config_status_group *grp = &c->status_page.groups[g];
        for (size_t m = 0; m < grp->components.count; m++) {
            const char *name = grp->components.items[m];
            bool known = false;
            for (size_t s = 0; s < c->service_count && !known; s++)
                known = c->services[s].component && strcmp(c->services[s].component, name) == 0;
            if (!known)
                config_parse_error(ctx, grp->line,
                                   "status_page.groups: \"%s\" is not the component of any "
                                   "service",
                                   name);
            for (size_t h = 0; h < g; h++)
                for (size_t k = 0; k < c->status_page.groups[h].components.count; k++)
                    if (strcmp(c->status_page.groups[h].components.items[k], name) == 0)
                        config_parse_error(ctx, grp->line,
                                           "status_page.groups: \"%s\" is already in group "
                                           "\"%s\"",
                                           name, c->status_page.groups[h].name);
        }
    }
}

const struct cfg_section config_section_status_page = {
    .field = CFG_SECTION_MAP("status_page", status_page_spec),
    .defaults = status_page_defaults,
    .finish = status_page_finish,
};
