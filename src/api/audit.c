/*
 * api/audit: POST /api/v1/audit/verify recomputes the whole hash chain on this thread's reader
 * connection (a consistent WAL snapshot for each statement; the scan is one statement).
 */
#include "api/api.h"
#include "jobs/timeline.h"

static void api_audit_verify(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct timeline_verify v;
    enum result result = c ? timeline_verify(c, &v, &err) : err.code;
    if (result != OK) {
        reply_from_error(r, &err);
        return;
    }
    json_t *brk = v.valid ? json_null() : json_integer(v.first_break_at);
    json_t *body = json_pack("{s:b,s:I,s:o,s:s}", "valid", v.valid, "entries",
                             (json_int_t)v.entries, "first_break_at", brk, "head", v.head);
    if (v.unreadable) /* the damaged store's case (docs/api.md) */
        json_object_set_new(body, "error",
                            json_sprintf("the store could not read the timeline from seq %lld on "
                                         "(the server log has the reason; run tocsin store check)",
                                         (long long)v.first_break_at));
    reply_json(r, 200, body);
}

static const struct route routes[] = {
    {"POST", "/api/v1/audit/verify", api_audit_verify, ACCESS_VIEWER, "audit_verify"},
};
HTTP_ROUTES(audit, routes);
