/*
 * api/audit: POST /api/v1/audit/verify recomputes the whole hash chain, on the auditor thread
 * (runtime/auditor.h), not on this one: the connection is suspended meanwhile (http/defer.h), so a
 * long chain holds no HTTP thread and the other connections of this pool thread (a /healthz)
 * are served at once; viewers asking together share one pass.
 */
#include "api/api.h"
#include "http/defer.h"
#include "runtime/auditor.h"
#include "util/log.h"

#include <stdlib.h>

struct audit_request {
    struct auditor *auditor;
    struct auditor_request q;
};

static void audit_submit(void *state, http_done_fn done, void *done_arg)
{
    struct audit_request *a = state;
    auditor_submit(a->auditor, &a->q, done, done_arg);
}

static void audit_finish(struct request *r, void *state)
{
    struct audit_request *a = state;
    const struct timeline_verify *v = &a->q.v;
    if (a->q.result != OK) {
        reply_from_error(r, &a->q.err);
        free(a);
        return;
    }
    json_t *brk = v->valid ? json_null() : json_integer(v->first_break_at);
    json_t *body = json_pack("{s:b,s:I,s:o,s:s}", "valid", v->valid, "entries",
                             (json_int_t)v->entries, "first_break_at", brk, "head", v->head);
    if (v->unreadable) /* the damaged store's case (docs/api.md) */
        json_object_set_new(body, "error",
                            json_sprintf("the store could not read the timeline from seq %lld on "
                                         "(the server log has the reason; run tocsin store check)",
                                         (long long)v->first_break_at));
    reply_json(r, 200, body);
    free(a);
}

static void api_audit_verify(struct request *r)
{
    struct audit_request *a = xcalloc(1, sizeof *a);
    a->auditor = r->app->auditor;
    http_defer(r, audit_submit, audit_finish, a);
}

/* GET: the auditor's progress (never waits for a pass): running, checked of total, and the last
 * pass's result when there was one. */
static void api_audit_progress(struct request *r)
{
    struct auditor_progress p;
    auditor_progress(r->app->auditor, &p);
    json_t *last = json_null();
    if (p.passes > 0)
        last = json_pack("{s:b,s:I,s:o,s:s}", "valid", p.last.valid, "entries",
                         (json_int_t)p.last.entries, "first_break_at",
                         p.last.valid ? json_null() : json_integer(p.last.first_break_at), "head",
                         p.last.head);
    reply_json(r, 200,
               json_pack("{s:b,s:I,s:I,s:I,s:o}", "running", p.running, "checked",
                         (json_int_t)p.checked, "total", (json_int_t)p.total, "passes",
                         (json_int_t)p.passes, "last", last));
}

static const struct route routes[] = {
    {"GET", "/api/v1/audit/verify", api_audit_progress, ACCESS_VIEWER, "audit_progress"},
    {"POST", "/api/v1/audit/verify", api_audit_verify, ACCESS_VIEWER, "audit_verify"},
};
HTTP_ROUTES(audit, routes);
