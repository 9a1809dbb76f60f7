/*
 * config_heartbeats: the `heartbeats:` list: jobs that must check in (POST
 * /api/v1/heartbeat/NAME) at least every interval + grace, on a service (a reference). Defaults:
 * grace 0, severity "critical", summary "Heartbeat NAME missed". Items are named by `name`, not
 * `id`. Threads: none (runs inside one config_load; config_heartbeat_find reads a loaded config).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

static void heartbeat_init(void *obj)
{
    struct config_heartbeat *h = obj;
    h->interval = -1;
    h->grace = 0;
}

static void heartbeat_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                           const char *path, size_t index)
{
    struct config_heartbeat *h = obj;
    if (!h->severity)
        h->severity = xstrdup("critical");
    if (!h->summary && h->name) {
        size_t len = strlen(h->name) + sizeof "Heartbeat  missed";
        h->summary = xmalloc(len);
        snprintf(h->summary, len, "Heartbeat %s missed", h->name);
    }
}

static const struct cfg_field heartbeat_fields[] = {
    FLD(struct config_heartbeat, "name", name, CFG_STR, .required = true,
        .check = config_parse_check_id),
    FLD(struct config_heartbeat, "service", service, CFG_STR, .required = true,
        .ref = &config_section_services),
    FLD(struct config_heartbeat, "interval", interval, CFG_DURATION, .required = true,
        .min = MS_PER_SEC),
    FLD(struct config_heartbeat, "grace", grace, CFG_DURATION, .min = 0),
    FLD(struct config_heartbeat, "severity", severity, CFG_STR,
        .check = config_parse_check_alert_severity),
    FLD(struct config_heartbeat, "summary", summary, CFG_STR),
};
static const struct cfg_spec heartbeat_spec = {.size = sizeof(struct config_heartbeat),
                                               .line_off = offsetof(struct config_heartbeat, line),
                                               FIELDS(heartbeat_fields),
                                               .init = heartbeat_init,
                                               .post = heartbeat_post,
                                               .uniq_off = offsetof(struct config_heartbeat, name),
                                               .uniq_key = "name"};

const struct cfg_section config_section_heartbeats = {
    .field = CFG_SECTION_LIST("heartbeats", heartbeats, heartbeat_count, heartbeat_spec),
    .id_off = offsetof(struct config_heartbeat, name),
};

const struct config_heartbeat *config_heartbeat_find(const struct config *c, const char *name)
{
    return config_section_find(c, &config_section_heartbeats, name);
}
