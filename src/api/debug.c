/*
 * api/debug: the test controls, admin only and only with `serve --dev-clock` (otherwise these
 * routes answer 404, so a production server has none of them).
 *   GET/POST /api/v1/debug/clock: the dev clock. POST {"advance":"15m"} moves the app clock
 *     forward and answers after an engine pass and a notifier pass, so whatever fell due has
 *     fired and gone out. The clock is shared through the store: this node first takes the
 *     furthest any node's clock was moved, then publishes its own; {"advance":"0s"} on a node
 *     only catches it up (and waits for its passes). {"advance":"2d","down":true}: the time
 *     jumped over counts as time tocsin was not running (a new run begins at the new now: the
 *     status page's uptime bars show "no data" for it).
 *   POST /api/v1/debug/failpoint {"point": "commit" | a store operation, "count": N}: the next N
 *     calls of that store operation (or the next N COMMITs) fail as if the database had failed
 *     (store_failpoint_arm), so tests can drive the failure paths of store jobs; count 0
 *     disarms.
 */
#include "api/api.h"
#include "runtime/notifier.h"
#include "runtime/engine.h"
#include "runtime/cluster.h"
#include "util/log.h"
#include "util/jsonv.h"
#include "util/timeutil.h"

#include <string.h>

static bool dev_clock_or_reply(struct request *r)
{
    if (r->app->dev_clock)
        return true;
    reply_error(r, ERR_NOT_FOUND, "path: the dev clock is off (start with serve --dev-clock)");
    return false;
}

static json_t *clock_json(struct request *r)
{
    int64_t now = clock_now(r->app->clock);
    return json_pack("{s:o,s:I}", "now", api_time(now), "offset_ms",
                     (json_int_t)(now - clock_now(clock_real())));
}

static void api_clock_get(struct request *r)
{
    if (dev_clock_or_reply(r))
        reply_json(r, 200, clock_json(r));
}

static void api_clock_post(struct request *r)
{
    static const char *const fields[] = {"advance", "down", NULL};
    if (!dev_clock_or_reply(r))
        return;
    struct error err = {0};
    json_t *body = NULL;
    const char *adv = NULL;
    int64_t ms = 0;
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "advance", true, 1, 32, &adv, &err);
    if (result == OK && time_parse_duration(adv, &ms) != 0)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "advance: \"%s\" is not a duration (use 30s, 15m, 1h, 2d)", adv);
    bool down = false;
    if (result == OK)
        result = jsonv_bool(body, "down", &down, NULL, &err);
    int64_t to = 0;
    if (result == OK && time_add_in_range(clock_now(r->app->clock), ms, &to) != 0)
        result = error_set(&err, ERR_UNPROCESSABLE,
                           "advance: \"%s\" would move the clock past " TIME_MAX_TEXT
                           " (years past 9999 are not supported)",
                           adv);
    if (result == OK) {
        /* Several nodes: first catch up with the clock the other nodes were moved to, then move,
         * then tell them (they follow within CLUSTER_WATCH_MS; docs/internals/multinode.md). */
        cluster_sync(r->app->cluster);
        if (down) { /* the old run ends now; a heartbeat during the move never stretches it */
            cluster_record_run(r->app);
            atomic_store(&r->app->run_started, clock_now(r->app->clock) + ms);
        }
        clock_advance(r->app->clock, ms);
        if (cluster_publish_dev_clock(r->app, &err) != OK)
            log_error("debug: %s", err.message);
        if (r->app->engine)
            engine_sync(r->app->engine); /* deadlines now due have fired when we answer */
        notifier_sync(r->app->notifier); /* and what they queued (or what became due) went out */
        reply_json(r, 200, clock_json(r));
    } else {
        reply_from_error(r, &err);
    }
    json_decref(body);
}

static void api_failpoint_post(struct request *r)
{
    static const char *const fields[] = {"point", "count", NULL};
    if (!dev_clock_or_reply(r))
        return;
    struct error err = {0};
    json_t *body = NULL;
    const char *point = NULL;
    int64_t count = 1;
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "point", true, 1, 64, &point, &err);
    if (result == OK)
        result = jsonv_int(body, "count", false, 0, 1000000, &count, &err);
    if (result == OK)
        result = store_failpoint_arm(r->app->store, point, (int)count, &err);
    if (result == OK)
        reply_json(r, 200, json_pack("{s:s,s:I}", "point", point, "count", (json_int_t)count));
    else
        reply_from_error(r, &err);
    json_decref(body);
}

static const struct route routes[] = {
    {"GET", "/api/v1/debug/clock", api_clock_get, ACCESS_ADMIN, "debug_clock"},
    {"POST", "/api/v1/debug/clock", api_clock_post, ACCESS_ADMIN, "debug_clock"},
    {"POST", "/api/v1/debug/failpoint", api_failpoint_post, ACCESS_ADMIN, "debug_failpoint"},
};
HTTP_ROUTES(debug, routes);
