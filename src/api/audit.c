/*
 * api/audit: POST /api/v1/audit/verify checks the hash chain, on the auditor thread
 * (runtime/auditor.h), not on this one: the connection is suspended meanwhile (http/defer.h), so a
 * long chain holds no HTTP thread and the other connections of this pool thread (a /healthz)
 * are served at once; viewers asking together share one pass. Body (optional): {"full": true}
 * recomputes the whole chain instead of the entries after the audit checkpoint (docs/api.md
 * "Audit", docs/security.md "Audit verification").
 */
#include "api/api.h"
#include "http/defer.h"
#include "runtime/auditor.h"
#include "util/jsonv.h"
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

/* The fields a pass's result shows, in the POST's answer and as the GET's "last". */
static json_t *verify_json(const struct timeline_verify *v)
{
    json_t *brk = v->valid ? json_null() : json_integer(v->first_break_at);
    return json_pack("{s:b,s:I,s:o,s:s,s:s,s:I,s:I,s:b}", "valid", v->valid, "entries",
                     (json_int_t)v->entries, "first_break_at", brk, "head", v->head, "mode",
                     v->incremental ? "incremental" : "full", "from_seq", (json_int_t)v->from_seq,
                     "checked", (json_int_t)v->checked, "checkpoint_mismatch",
                     v->checkpoint_mismatch);
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
    json_t *body = verify_json(v);
    if (v->unreadable) /* the damaged store's case (docs/api.md) */
        json_object_set_new(body, "error",
                            json_sprintf("the store could not read the timeline from seq %lld on "
                                         "(the server log has the reason; run tocsin store check)",
                                         (long long)v->first_break_at));
    else if (v->checkpoint_mismatch)
        json_object_set_new(
            body, "error",
            json_sprintf("the entry at seq %lld no longer carries the hash it had when a pass "
                         "verified it: an entry at or before it was changed and the later hashes "
                         "recomputed, or the chain was cut there (docs/security.md \"Audit "
                         "verification\")",
                         (long long)v->first_break_at));
    reply_json(r, 200, body);
    free(a);
}

static void api_audit_verify(struct request *r)
{
    static const char *const fields[] = {"full", NULL};
    struct error err = {0};
    json_t *body = NULL;
    bool full = false;
    enum result result = jsonv_parse_object(r->body, r->body_len, true, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_bool(body, "full", &full, NULL, &err);
    json_decref(body);
    if (result != OK) {
        reply_from_error(r, &err);
        return;
    }
    struct audit_request *a = xcalloc(1, sizeof *a);
    a->q.full = full;
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
        last = verify_json(&p.last);
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
