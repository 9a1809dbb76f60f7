/*
 * api/heartbeats: POST /api/v1/heartbeat/{name} (a monitored job checks in, with a heartbeat
 * integration key of the heartbeat's service) and GET /api/v1/heartbeats. The check-in is stored
 * and, in the same transaction, resolves the heartbeat's open alert if there is one. Detecting a
 * missed check-in is the engine's job (engine.c).
 */
#include "api/ingest_common.h"
#include "runtime/engine.h"

#include "util/log.h"
#include "util/timeutil.h"
#include "store/credentials.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *heartbeat_json(const struct config_heartbeat *hb, int64_t last_seen, int64_t now)
{
    int64_t due = last_seen ? last_seen + hb->interval + hb->grace : 0;
    const char *status = !last_seen ? "pending" : now < due ? "up" : "down";
    char interval[48], grace[48];
    time_format_duration(hb->interval, interval, sizeof interval);
    time_format_duration(hb->grace, grace, sizeof grace);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "name", hb->name, "service", hb->service,
                          "interval", interval, "grace", grace, "status", status);
    json_object_set_new(o, "last_seen", api_time(last_seen));
    json_object_set_new(o, "next_due", api_time(due));
    return o;
}

static void api_heartbeat_checkin(struct request *r)
{
    struct error err = {0};
    const struct config_heartbeat *hb = config_heartbeat_find(r->config, r->params[0]);
    struct store_credential integ;
    int64_t retry = 0;
    enum result result = api_ingest_admit(r, auth_bearer(r), "heartbeat", 1, &integ, &retry, &err);
    if (result != OK) {
        if (result == ERR_RATE_LIMITED)
            api_ingest_retry_after(r, retry);
        reply_from_error(r, &err);
        return;
    }
    if (!hb) {
        reply_error(r, ERR_NOT_FOUND, "name: no heartbeat %.64s in the config", r->params[0]);
    } else if (strcmp(hb->service, integ.service) != 0) {
        reply_error(r, ERR_FORBIDDEN,
                    "authorization: this key belongs to service %s, heartbeat %s to %s",
                    integ.service, hb->name, hb->service);
    } else {
        char scope[160];
        snprintf(scope, sizeof scope, "heartbeat:%s", hb->name);
        struct ingest_source src = {.scope = scope,
                                    .source_kind = "heartbeat",
                                    .service = hb->service,
                                    .actor = r->who.actor,
                                    .touch_heartbeat = hb->name};
        struct ingest_event ev = {.action = ALERT_RESOLVE, .dedup_key = scope};
        result = ingest_run(r->app, r->config, &src, &ev, 1, &err);
        if (result != OK) {
            reply_from_error(r, &err);
        } else {
            if (r->app->engine)
                engine_kick(r->app->engine);
            reply_json(r, 200, heartbeat_json(hb, src.touched_at, src.touched_at));
        }
    }
    store_credential_free_fields(&integ);
}

static void api_heartbeat_list(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    int64_t *last = xcalloc(r->config->heartbeat_count + 1, sizeof *last);
    enum result result = c ? engine_heartbeats_seen(c, r->config, last) : err.code;
    if (result != OK) {
        free(last);
        reply_error(r, result, "store: cannot read heartbeats");
        return;
    }
    int64_t now = clock_now(r->app->clock);
    json_t *arr = json_array();
    for (size_t i = 0; i < r->config->heartbeat_count; i++)
        json_array_append_new(arr, heartbeat_json(&r->config->heartbeats[i], last[i], now));
    free(last);
    reply_json(r, 200, json_pack("{s:o}", "heartbeats", arr));
}

static const struct route routes[] = {
    {"POST", "/api/v1/heartbeat/{name}", api_heartbeat_checkin, ACCESS_PUBLIC, "heartbeat"},
    {"GET", "/api/v1/heartbeats", api_heartbeat_list, ACCESS_VIEWER, "heartbeats"},
};
HTTP_ROUTES(heartbeats, routes);
