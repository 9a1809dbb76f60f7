/*
 * config_storage: the `storage:` section: the driver (sqlite, the default, or postgres) and where
 * its data lives (a file path for sqlite, default "tocsin.db"; a URL for postgres), with the rule
 * that each driver takes only its own key. Threads: none (runs inside one config_load).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"
#include "util/yaml_tree.h"

#include <string.h>

static const char *const drivers[] = {"sqlite", "postgres", NULL};

static const struct cfg_field storage_fields[] = {
    FLD(struct config, "driver", storage.driver, CFG_STR, .choices = drivers),
    FLD(struct config, "path", storage.path, CFG_STR),
    FLD(struct config, "url", storage.url, CFG_STR),
    FLD(struct config, "claim_lease", storage.claim_lease, CFG_DURATION, .min = 1000,
        .max = 3600 * 1000),
    FLD(struct config, "audit_full_every", storage.audit_full_every, CFG_DURATION, .min = 60 * 1000,
        .max = INT64_C(366) * 24 * 3600 * 1000),
};
static const struct cfg_spec storage_spec = {
    .line_off = NO_OFF, FIELDS(storage_fields), .uniq_off = NO_OFF};

/* The driver defaults to sqlite; each driver takes its own key only; sqlite's path defaults. */
static void storage_finish(struct cfg_ctx *ctx, const struct yaml_tree_node *root, struct config *c)
{
    if (!c->storage.driver)
        c->storage.driver = xstrdup("sqlite");
    if (!c->storage.claim_lease)
        c->storage.claim_lease = 60 * 1000;
    if (!c->storage.audit_full_every)
        c->storage.audit_full_every = INT64_C(7) * 24 * 3600 * 1000;
    const struct yaml_tree_node *st = yaml_tree_map_get(root, "storage");
    int line = st ? st->line : 0;
    if (strcmp(c->storage.driver, "postgres") == 0) {
        if (!c->storage.url)
            config_parse_error(ctx, line, "storage.url: required when driver is postgres");
        if (c->storage.path)
            config_parse_error(ctx, config_parse_key_line(st, "path", line),
                               "storage.path: only for driver sqlite (postgres uses url)");
    } else if (strcmp(c->storage.driver, "sqlite") == 0) {
        if (c->storage.url)
            config_parse_error(ctx, config_parse_key_line(st, "url", line),
                               "storage.url: only for driver postgres (sqlite uses path)");
        if (!c->storage.path)
            c->storage.path = xstrdup("tocsin.db");
    }
}

const struct cfg_section config_section_storage = {
    .field = CFG_SECTION_MAP("storage", storage_spec),
    .finish = storage_finish,
};
