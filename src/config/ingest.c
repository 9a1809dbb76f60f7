/*
 * config_ingest: the `ingest:` section: the per-integration-key rate limit (events per minute,
 * default 60000) and burst (default 10000). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

enum {
    DEFAULT_INGEST_RATE = 60000, /* events per minute per integration key */
    DEFAULT_INGEST_BURST = 10000,
    MAX_INGEST = 1000000000,
};

static const struct cfg_field ingest_fields[] = {
    FLD(struct config, "rate_limit", ingest.rate_limit, CFG_INT64, .min = 1, .max = MAX_INGEST),
    FLD(struct config, "burst", ingest.burst, CFG_INT64, .min = 1, .max = MAX_INGEST),
};
static const struct cfg_spec ingest_spec = {
    .line_off = NO_OFF, FIELDS(ingest_fields), .uniq_off = NO_OFF};

static void ingest_defaults(struct config *c)
{
    c->ingest.rate_limit = DEFAULT_INGEST_RATE;
    c->ingest.burst = DEFAULT_INGEST_BURST;
}

const struct cfg_section config_section_ingest = {
    .field = CFG_SECTION_MAP("ingest", ingest_spec),
    .defaults = ingest_defaults,
};
