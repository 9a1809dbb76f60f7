/*
 * api/health: GET /healthz: is the store readable (200 ok / 503 unavailable), and the version.
 * Public (load balancers and probes call it without a token).
 */
#include "api/api.h"
#include "runtime/engine.h"
#include "app/metrics.h"
#include "runtime/notifier.h"
#include "util/buf.h"
#include "util/jsonv.h"
#include "util/timeutil.h"
#include "app/version.h"
#include "store/incidents.h"
#include "store/timeline.h"

#include <string.h>

static void api_healthz(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    int64_t seq = 0;
    char head[SHA256_HEX_LEN];
    bool ok = c && store_timeline_last(c, &seq, head) == OK;
    reply_json(r, ok ? 200 : 503,
               json_pack("{s:s,s:s,s:s}", "status", ok ? "ok" : "unavailable", "store",
                         ok ? "ok" : "unavailable", "version", TOCSIN_VERSION));
}

static const struct route routes[] = {
    {"GET", "/healthz", api_healthz, ACCESS_PUBLIC, "healthz"},
};
HTTP_ROUTES(health, routes);
