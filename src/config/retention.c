/*
 * config_retention: the `retention:` section: how many days resolved alerts and delivered
 * notifications are kept (jobs/retention.c prunes older ones; the timeline, the hash chain, is
 * never pruned). Absent or 0: kept forever (the default). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

enum { MAX_RETENTION_DAYS = 36500 }; /* a hundred years */

static const struct cfg_field retention_fields[] = {
    FLD(struct config, "resolved_alerts_days", retention.resolved_alerts_days, CFG_INT64, .min = 0,
        .max = MAX_RETENTION_DAYS),
    FLD(struct config, "sent_notifications_days", retention.sent_notifications_days, CFG_INT64,
        .min = 0, .max = MAX_RETENTION_DAYS),
};
static const struct cfg_spec retention_spec = {
    .line_off = NO_OFF, FIELDS(retention_fields), .uniq_off = NO_OFF};

const struct cfg_section config_section_retention = {
    .field = CFG_SECTION_MAP("retention", retention_spec),
};
