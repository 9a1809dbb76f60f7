/* api/ingest_common: see ingest_common.h. */
#include "api/ingest_common.h"
#include "ratelimit.h"

#include <stdio.h>

enum result api_ingest_admit(struct request *r, const char *key, const char *type, int64_t cost,
                             struct store_integration *out, int64_t *retry_after_s,
                             struct error *err)
{
    enum result result = auth_integration(r, key, type, out, err);
    if (result != OK)
        return result;
    const struct config *cfg = r->config;
    if (!ratelimit_take(r->app->ratelimit, out->id, clock_now(r->app->clock),
                        cfg->ingest.rate_limit, cfg->ingest.burst, cost, retry_after_s)) {
        store_integration_free_fields(out);
        return error_set(err, ERR_RATE_LIMITED,
                         "rate: this key sent more than %lld events per minute; retry after %llds",
                         (long long)cfg->ingest.rate_limit, (long long)*retry_after_s);
    }
    return OK;
}

void api_ingest_source(const struct request *r, const struct store_integration *i, const char *kind,
                       struct ingest_source *out)
{
    *out = (struct ingest_source){.scope = i->id,
                                  .integration_id = i->id,
                                  .source_kind = kind,
                                  .service = i->service,
                                  .actor = r->who.actor};
}

void api_ingest_retry_after(struct request *r, int64_t seconds)
{
    char v[32];
    snprintf(v, sizeof v, "%lld", (long long)(seconds > 0 ? seconds : 1));
    reply_header(r, "Retry-After", v);
}
