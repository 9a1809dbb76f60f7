/*
 * api/incidents: declare, list, show, change and annotate incidents.
 *
 * Reads use this thread's reader connection. Every change is one store job (incident_job) that,
 * inside the writer's transaction, loads the incident, applies one pure transition from
 * incident.c, writes it back and appends the timeline entries, so the change and its audit entry
 * land together or not at all. The job reads the clock itself, so timeline times follow the
 * commit order. Input is validated here, before the job, against the request's config.
 */
#include "api/api.h"
#include "api/paging.h"
#include "runtime/engine.h"
#include "jobs/escalate.h"
#include "domain/chat_message.h"
#include "domain/incident.h"
#include "jobs/incident_ops.h"
#include "jobs/incident_rules.h"
#include "jobs/postmortem.h"
#include "jobs/stakeholders.h"
#include "jobs/checklists.h"
#include "jobs/subscribers.h"
#include "domain/status_page.h"
#include "runtime/notifier.h"
#include "jobs/timeline.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/num.h"
#include "util/timeutil.h"
#include "store/incidents.h"
#include "store/timeline.h"

#include <stdlib.h>
#include <string.h>

enum { TITLE_MAX = 200, TEXT_MAX = 10000, POSTMORTEM_MAX = 500, WAIVER_MAX = 1000 };
/* GET /api/v1/incidents: items per page (docs/api.md "Lists"); the timeline's per page. */
enum { LIST_DEFAULT = 100, LIST_MAX = 1000, TIMELINE_DEFAULT = 1000, TIMELINE_MAX = 1000 };

json_t *api_time(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[RFC3339_LEN];
    time_format_rfc3339(ms, s);
    return json_string(s);
}

json_t *api_str_or_null(const char *s)
{
    return s ? json_string(s) : json_null();
}

json_t *api_incident_json(const struct incident *inc, const struct config *cfg, int64_t now)
{
    struct incident_sla sla;
    incident_sla(inc, config_severity_find(cfg, inc->severity), now, &sla);
    json_t *roles = json_object();
    for (int i = 0; i < ROLE_COUNT; i++)
        json_object_set_new(roles, incident_role_name(i), api_str_or_null(inc->roles[i]));
    json_t *jsla =
        json_pack("{s:o,s:o,s:o,s:b,s:b,s:b}", "ack_due", api_time(sla.ack_due), "resolve_due",
                  api_time(sla.resolve_due), "next_update_due", api_time(sla.next_update_due),
                  "ack_breached", sla.ack_breached, "resolve_breached", sla.resolve_breached,
                  "update_overdue", sla.update_overdue);
    json_t *o =
        json_pack("{s:s,s:s,s:o,s:s,s:s,s:o,s:o,s:s,s:b}", "id", inc->id, "title", inc->title,
                  "summary", api_str_or_null(inc->summary), "severity", inc->severity, "status",
                  incident_status_name(inc->status), "service", api_str_or_null(inc->service),
                  "type", api_str_or_null(inc->type), "channel", inc->channel, "drill", inc->drill);
    json_object_set_new(o, "created_at", api_time(inc->created_at));
    json_object_set_new(o, "acknowledged_at", api_time(inc->acknowledged_at));
    json_object_set_new(o, "resolved_at", api_time(inc->resolved_at));
    json_object_set_new(o, "closed_at", api_time(inc->closed_at));
    json_object_set_new(o, "updated_at", api_time(inc->updated_at));
    json_object_set_new(o, "last_public_update_at", api_time(inc->last_public_update_at));
    json_object_set_new(o, "postmortem", api_str_or_null(inc->postmortem));
    json_object_set_new(o, "roles", roles);
    json_object_set_new(o, "sla", jsla);
    json_t *fields = inc->fields ? json_loads(inc->fields, 0, NULL) : NULL;
    json_t *fired = inc->rules_fired ? json_loads(inc->rules_fired, 0, NULL) : NULL;
    json_object_set_new(o, "fields", json_is_object(fields) ? fields : json_object());
    json_object_set_new(o, "failed_resolutions", json_integer(inc->failed_resolutions));
    json_object_set_new(o, "rules_fired", json_is_array(fired) ? fired : json_array());
    if (fields && !json_is_object(fields))
        json_decref(fields);
    if (fired && !json_is_array(fired))
        json_decref(fired);
    char bridge[CHAT_URL_MAX];
    chat_bridge_for(cfg, inc, bridge, sizeof bridge);
    json_object_set_new(o, "bridge", bridge[0] ? json_string(bridge) : json_null());
    return o;
}

/* ---- input checks against the config ---- */

static void list_ids(char *out, size_t n, size_t count,
                     const char *(*id_at)(const struct config *, size_t), const struct config *cfg)
{
    size_t used = 0;
    out[0] = '\0';
    for (size_t i = 0; i < count; i++) {
        int w = snprintf(out + used, n - used, "%s%s", i ? ", " : "", id_at(cfg, i));
        if (w < 0 || (size_t)w >= n - used) {
            snprintf(out + (n > 5 ? n - 5 : 0), n > 5 ? 5 : n, "...");
            return;
        }
        used += (size_t)w;
    }
}

static const char *severity_at(const struct config *c, size_t i)
{
    return c->severities[i].id;
}
static const char *service_at(const struct config *c, size_t i)
{
    return c->services[i].id;
}
static const char *type_at(const struct config *c, size_t i)
{
    return c->types[i].id;
}
static const char *user_at(const struct config *c, size_t i)
{
    return c->users[i].id;
}

static enum result check_severity(const struct config *cfg, const char *sev, struct error *err)
{
    if (config_severity_find(cfg, sev))
        return OK;
    char known[300];
    list_ids(known, sizeof known, cfg->severity_count, severity_at, cfg);
    return error_set(err, ERR_UNPROCESSABLE, "severity: unknown severity \"%.64s\" (known: %s)",
                     sev, known);
}

static enum result check_ref(const struct config *cfg, const char *field, const char *value,
                             bool found, size_t count,
                             const char *(*id_at)(const struct config *, size_t), struct error *err)
{
    if (!value || found)
        return OK;
    char known[300];
    list_ids(known, sizeof known, count, id_at, cfg);
    return error_set(err, ERR_UNPROCESSABLE, "%s: unknown %s \"%.64s\" (known: %s)", field, field,
                     value, count ? known : "none configured");
}

/* ---- the generic change job ---- */

struct incident_op;
typedef enum result (*incident_apply_fn)(struct incident_op *op, struct store_conn *tx,
                                         struct incident *inc, int64_t now, struct error *err);

struct incident_op {
    const char *id;
    const char *actor;
    struct tclock *clock;
    const struct config *cfg;
    incident_apply_fn apply;
    /* inputs, by operation */
    int status;
    const char *message;
    bool public_update;
    const char *postmortem;
    const char *waiver; /* closing: an admin's postmortem_waiver */
    const char *severity, *title, *summary;
    bool summary_present;
    int role;
    const char *user;
    const char *text;
    const unsigned char *link_key; /* status updates: the subscribers' link key */
    /* outputs */
    bool rearmed; /* its escalation must be looked at now: kick the engine after the commit */
    struct incident result;
    struct timeline_entry entry;
    int64_t now;
};

/* The job. Its outputs (op->result, op->entry) are zeroed here, before anything can fail, and
 * belong to run_incident_op, which frees them whatever the outcome (store.h's ownership rule). */
static enum result incident_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct incident_op *op = arg;
    struct incident inc;
    memset(&op->result, 0, sizeof op->result);
    memset(&op->entry, 0, sizeof op->entry);
    op->now = clock_now(op->clock);
    enum result result = store_incident_get(tx, op->id, &inc);
    if (result == ERR_NOT_FOUND)
        return error_set(err, ERR_NOT_FOUND, "id: no incident %s", op->id);
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %s", op->id);
    result = op->apply(op, tx, &inc, op->now, err);
    if (result == OK) {
        result = store_incident_update(tx, &inc);
        if (result != OK)
            error_set(err, result, "store: cannot update incident %s", op->id);
    }
    if (result == OK)
        op->result = inc;
    else
        incident_free_fields(&inc);
    return result;
}

static void run_incident_op(struct request *r, struct incident_op *op, int status)
{
    struct error err = {0};
    op->id = r->params[0];
    op->actor = r->who.actor;
    op->clock = r->app->clock;
    op->cfg = r->config;
    enum result result = store_write(r->app->store, incident_job, op, &err);
    if (result != OK) {
        reply_from_error(r, &err); /* also a COMMIT that failed after the job: free below */
        goto out;
    }
    if (op->rearmed)
        engine_kick(r->app->engine);
    if (op->entry.kind)
        reply_json(r, status, timeline_entry_json(&op->entry));
    else
        reply_json(r, status, api_incident_json(&op->result, r->config, op->now));
out:
    incident_free_fields(&op->result);
    timeline_entry_free(&op->entry);
}

/* ---- declare ---- */

struct declare_job {
    struct tclock *clock;
    const struct config *cfg;
    const char *actor;
    const char *title, *severity, *service, *type, *summary;
    bool drill;
    struct incident result;
    int64_t now;
};

/* Its output d->result is zeroed by incident_ops_declare before anything can fail, and freed by
 * api_incident_create whatever the outcome (store.h's ownership rule). */
static enum result declare_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct declare_job *d = arg;
    d->now = clock_now(d->clock);
    struct incident_new n = {.title = d->title,
                             .severity = d->severity,
                             .service = d->service,
                             .type = d->type,
                             .summary = d->summary,
                             .drill = d->drill,
                             .cfg = d->cfg};
    return incident_ops_declare(tx, d->now, d->actor, &n, &d->result, err);
}

static const char *const create_fields[] = {"title",   "severity", "service", "type",
                                            "summary", "drill",    NULL};

static enum result parse_declare(struct request *r, json_t *body, struct declare_job *d,
                                 struct error *err)
{
    const struct config *cfg = r->config;
    enum result result = jsonv_only(body, create_fields, err);
    if (result == OK)
        result = jsonv_string(body, "title", true, 1, TITLE_MAX, &d->title, err);
    if (result == OK)
        result = jsonv_string(body, "severity", false, 1, 64, &d->severity, err);
    if (result == OK)
        result = jsonv_string(body, "service", false, 1, 64, &d->service, err);
    if (result == OK)
        result = jsonv_string(body, "type", false, 1, 64, &d->type, err);
    if (result == OK)
        result = jsonv_string(body, "summary", false, 0, TEXT_MAX, &d->summary, err);
    if (result == OK)
        result = jsonv_bool(body, "drill", &d->drill, NULL, err);
    if (result != OK)
        return result;
    const struct config_incident_type *type = d->type ? config_type_find(cfg, d->type) : NULL;
    result = check_ref(cfg, "type", d->type, type != NULL, cfg->type_count, type_at, err);
    if (result == OK)
        result = check_ref(cfg, "service", d->service, config_service_find(cfg, d->service) != NULL,
                           cfg->service_count, service_at, err);
    if (result != OK)
        return result;
    if (!d->severity && type && type->severity)
        d->severity = type->severity;
    if (!d->severity)
        return error_set(err, ERR_BAD_REQUEST, "severity: is required");
    return check_severity(cfg, d->severity, err);
}

static void api_incident_create(struct request *r)
{
    struct error err = {0};
    json_t *body = NULL;
    struct declare_job d = {.clock = r->app->clock, .cfg = r->config, .actor = r->who.actor};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = parse_declare(r, body, &d, &err);
    if (result == OK)
        result = store_write(r->app->store, declare_job, &d, &err);
    if (result != OK) {
        reply_from_error(r, &err);
        goto out;
    }
    engine_kick(r->app->engine); /* paging starts */
    char location[128];
    snprintf(location, sizeof location, "/api/v1/incidents/%s", d.result.id);
    reply_header(r, "Location", location);
    reply_json(r, 201, api_incident_json(&d.result, r->config, d.now));
out:
    incident_free_fields(&d.result); /* zeroed unless the job ran; filled even if COMMIT failed */
    json_decref(body);
}

/* ---- reads ---- */

struct list_ctx {
    json_t *arr;
    const struct config *cfg;
    int64_t now;
    struct store_conn *c;
    struct page *page;
};

/* The incident's JSON with its escalation state (read on c). */
static json_t *incident_full_json(struct store_conn *c, const struct incident *inc,
                                  const struct config *cfg, int64_t now)
{
    json_t *j = api_incident_json(inc, cfg, now);
    json_t *esc = c ? escalate_state_json(c, inc) : NULL;
    json_object_set_new(j, "escalation", esc ? esc : json_null());
    return j;
}

static int list_one(const struct incident *inc, void *arg)
{
    struct list_ctx *l = arg;
    enum page_step step = page_take(l->page, inc->created_at, inc->id);
    if (step == PAGE_TAKE)
        json_array_append_new(l->arr, incident_full_json(l->c, inc, l->cfg, l->now));
    return step == PAGE_STOP;
}

static bool parse_status_filter(struct request *r, int *mask)
{
    const char *s = request_query(r, "status");
    if (!s || strcmp(s, "open") == 0) {
        *mask = 0;
        for (int i = 0; i < INC_STATUS_COUNT; i++)
            if (incident_status_is_open(i))
                *mask |= 1 << i;
        return true;
    }
    if (strcmp(s, "all") == 0) {
        *mask = 0;
        return true;
    }
    int st = incident_status_parse(s);
    if (st < 0) {
        reply_error(r, ERR_UNPROCESSABLE,
                    "status: unknown status \"%.64s\" (use open, all, or one of triggered, "
                    "acknowledged, investigating, identified, monitoring, resolved, closed)",
                    s);
        return false;
    }
    *mask = 1 << st;
    return true;
}

static void api_incident_list(struct request *r)
{
    struct error err = {0};
    struct store_incident_filter f = {0};
    struct page page;
    if (!parse_status_filter(r, &f.statuses) ||
        !page_parse_or_reply(r, &page, "inc", PAGE_DESC_BY_LEN, LIST_DEFAULT, LIST_MAX))
        return;
    f.limit = page.limit + 1; /* one more: whether there is a next page */
    f.after_created_at = page.after_num;
    f.after_id = page.has_cursor ? page.after_id : NULL;
    struct store_conn *c = store_reader(r->app->store, &err);
    if (!c) {
        reply_from_error(r, &err);
        return;
    }
    struct list_ctx l = {json_array(), r->config, clock_now(r->app->clock), c, &page};
    enum result result = store_incident_list(c, &f, list_one, &l);
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list incidents");
        return;
    }
    json_t *body = json_pack("{s:o}", "incidents", l.arr);
    static const char *const keep[] = {"status", NULL};
    page_finish(r, &page, body, keep);
    reply_json(r, 200, body);
}

/* Loads the incident named by the path or answers 404/503. */
bool api_incident_load_or_reply(struct request *r, struct incident *inc)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    if (!c) {
        reply_from_error(r, &err);
        return false;
    }
    enum result result = store_incident_get(c, r->params[0], inc);
    if (result == ERR_NOT_FOUND) {
        reply_error(r, ERR_NOT_FOUND, "id: no incident %.64s", r->params[0]);
        return false;
    }
    if (result != OK) {
        reply_error(r, result, "store: cannot read incident %.64s", r->params[0]);
        return false;
    }
    return true;
}

static void api_incident_get(struct request *r)
{
    struct incident inc;
    if (!api_incident_load_or_reply(r, &inc))
        return;
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    reply_json(r, 200, incident_full_json(c, &inc, r->config, clock_now(r->app->clock)));
    incident_free_fields(&inc);
}

struct timeline_page {
    json_t *arr;
    struct page *page;
};

static int timeline_one(const struct timeline_entry *e, void *arg)
{
    struct timeline_page *t = arg;
    enum page_step step = page_take(t->page, e->seq, NULL);
    if (step == PAGE_TAKE)
        json_array_append_new(t->arr, timeline_entry_json(e));
    return step == PAGE_STOP;
}

static void api_incident_timeline(struct request *r)
{
    struct incident inc;
    if (!api_incident_load_or_reply(r, &inc))
        return;
    incident_free_fields(&inc);
    struct page page;
    if (!page_parse_or_reply(r, &page, "tl", PAGE_ASC, TIMELINE_DEFAULT, TIMELINE_MAX))
        return;
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct timeline_page t = {json_array(), &page};
    enum result result = c ? store_timeline_scan(c, r->params[0], timeline_one, &t) : err.code;
    if (result != OK) {
        json_decref(t.arr);
        reply_error(r, result, "store: cannot read the timeline");
        return;
    }
    json_t *body = json_pack("{s:o}", "entries", t.arr);
    page_finish(r, &page, body, NULL);
    reply_json(r, 200, body);
}

/* ---- changes ---- */

static enum result apply_status(struct incident_op *op, struct store_conn *tx, struct incident *inc,
                                int64_t now, struct error *err)
{
    enum incident_status from = inc->status, to = (enum incident_status)op->status;
    enum result result;
    char pm_id[POSTMORTEM_ID_MAX];
    struct incident_close_pm pm = {.waiver = op->waiver};
    if (to == INC_CLOSED && inc->status == INC_RESOLVED &&
        (result = postmortem_close_read(tx, inc->id, &pm, pm_id, err)) != OK)
        return result;
    if (to == INC_CLOSED)
        result = incident_close(inc, config_severity_find(op->cfg, inc->severity), &pm,
                                op->postmortem, now, err);
    else if (to == INC_ACKNOWLEDGED && from == INC_TRIGGERED)
        result = incident_ack(inc, now, err);
    else
        result = incident_set_status(inc, to, now, err);
    if (result != OK)
        return result;
    if (op->public_update && incident_status_is_open(from))
        inc->last_public_update_at = now;
    bool reopened = from == INC_RESOLVED && incident_status_is_open(to);
    if (reopened) { /* paging re-planned; the fix did not hold: a failed resolution attempt */
        if ((result = incident_ops_arm(tx, inc, now, err)) != OK)
            return result;
        op->rearmed = true;
        inc->failed_resolutions++;
    }
    json_t *data =
        json_pack("{s:s,s:s,s:s?,s:b,s:s?,s:s?}", "from", incident_status_name(from), "to",
                  incident_status_name(to), "message", op->message, "public", op->public_update,
                  "postmortem", to == INC_CLOSED ? inc->postmortem : op->postmortem,
                  "postmortem_waiver", to == INC_CLOSED ? op->waiver : NULL);
    if (reopened)
        json_object_set_new(data, "failed_resolutions", json_integer(inc->failed_resolutions));
    result = timeline_append(tx, now, op->actor, incident_ops_status_kind(from, to), inc->id, data,
                             NULL, err);
    if (result == OK && to == INC_CLOSED && op->waiver) /* its own entry: easy to find */
        result = timeline_append(tx, now, op->actor, "incident.postmortem_waived", inc->id,
                                 json_pack("{s:s,s:s,s:s?,s:b}", "reason", op->waiver, "severity",
                                           inc->severity, "postmortem", pm.id, "published",
                                           pm.published),
                                 NULL, err);
    if (result == OK && op->public_update && incident_status_is_open(from))
        result = checklist_observe(tx, inc->id, CHECK_AUTO_PUBLIC_UPDATE, now, err);
    if (result == OK && op->public_update && incident_status_is_open(from)) /* status page mail */
        result = subscribers_incident_update(tx, op->cfg, op->link_key, inc,
                                             sp_update_status(to, op->postmortem != NULL),
                                             op->message, now, err);
    if (result == OK && op->public_update &&
        incident_status_is_open(from)) /* executive briefings */
        result = stakeholders_brief(tx, op->cfg, inc, op->message, op->actor, now, err);
    if (result == OK && reopened) /* a rule may match the new count */
        result = incident_rules_run(tx, op->cfg, inc, now, err);
    return result;
}

static enum result apply_ack(struct incident_op *op, struct store_conn *tx, struct incident *inc,
                             int64_t now, struct error *err)
{
    enum result result = incident_ack(inc, now, err);
    if (result != OK)
        return result;
    json_t *data = json_pack("{s:s,s:s}", "from", "triggered", "to", "acknowledged");
    return timeline_append(tx, now, op->actor, "incident.acknowledged", inc->id, data, NULL, err);
}

static void api_incident_ack(struct request *r)
{
    static const char *const fields[] = {NULL};
    struct error err = {0};
    json_t *body = NULL;
    struct incident_op op = {.apply = apply_ack};
    enum result result = jsonv_parse_object(r->body, r->body_len, true, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        run_incident_op(r, &op, 200);
    json_decref(body);
}

static const char *const status_fields[] = {"status",     "message",           "public",
                                            "postmortem", "postmortem_waiver", NULL};

static enum result parse_status_body(struct request *r, json_t *body, struct incident_op *op,
                                     bool status_required, struct error *err)
{
    const char *status = NULL;
    enum result result = jsonv_only(body, status_required ? status_fields : status_fields + 1, err);
    if (result == OK && status_required)
        result = jsonv_string(body, "status", true, 1, 64, &status, err);
    if (result == OK)
        result = jsonv_string(body, "message", false, 0, TEXT_MAX, &op->message, err);
    if (result == OK)
        result = jsonv_bool(body, "public", &op->public_update, NULL, err);
    if (result == OK)
        result = jsonv_string(body, "postmortem", false, 1, POSTMORTEM_MAX, &op->postmortem, err);
    if (result == OK)
        result = jsonv_string(body, "postmortem_waiver", false, 1, WAIVER_MAX, &op->waiver, err);
    if (result != OK)
        return result;
    if (op->public_update && (!op->message || !*op->message))
        return error_set(err, ERR_BAD_REQUEST,
                         "message: is required when public is true (it is what the status page "
                         "shows)");
    if (status_required) {
        int st = incident_status_parse(status);
        if (st < 0)
            return error_set(err, ERR_UNPROCESSABLE,
                             "status: unknown status \"%.64s\" (one of triggered, acknowledged, "
                             "investigating, identified, monitoring, resolved, closed)",
                             status);
        op->status = st;
    }
    if (op->waiver && op->status != INC_CLOSED)
        return error_set(err, ERR_UNPROCESSABLE,
                         "postmortem_waiver: only when closing (status closed)");
    if (op->waiver && r->who.access < ACCESS_ADMIN)
        return error_set(err, ERR_FORBIDDEN,
                         "postmortem_waiver: only an admin may close without the post-mortem");
    return OK;
}

static void status_common(struct request *r, bool status_required, int fixed_status)
{
    struct error err = {0};
    json_t *body = NULL;
    struct incident_op op = {.apply = apply_status,
                             .status = fixed_status,
                             .link_key = notifier_ack_key(r->app->notifier)};
    enum result result = jsonv_parse_object(r->body, r->body_len, !status_required, &body, &err);
    if (result == OK)
        result = parse_status_body(r, body, &op, status_required, &err);
    if (result != OK) {
        reply_from_error(r, &err);
    } else {
        run_incident_op(r, &op, 200);
        if (op.public_update)
            notifier_kick(r->app->notifier); /* subscribers' mail (jobs/subscribers.h) */
    }
    json_decref(body);
}

static void api_incident_status(struct request *r)
{
    status_common(r, true, 0);
}

static void api_incident_resolve(struct request *r)
{
    status_common(r, false, INC_RESOLVED);
}

static enum result apply_patch(struct incident_op *op, struct store_conn *tx, struct incident *inc,
                               int64_t now, struct error *err)
{
    enum result result = incident_check_mutable(inc, err);
    if (result != OK)
        return result;
    if (op->severity && strcmp(op->severity, inc->severity) != 0) {
        result =
            incident_ops_set_severity(tx, op->cfg, inc, op->severity, now, op->actor, NULL, err);
        if (result != OK)
            return result;
        op->rearmed = true;
    }
    json_t *changes = json_object();
    if (op->title && strcmp(op->title, inc->title) != 0) {
        json_object_set_new(changes, "title",
                            json_pack("{s:s,s:s}", "from", inc->title, "to", op->title));
        free(inc->title);
        inc->title = xstrdup(op->title);
    }
    if (op->summary_present &&
        !(op->summary && inc->summary && strcmp(op->summary, inc->summary) == 0) &&
        (op->summary || inc->summary)) {
        json_object_set_new(changes, "summary",
                            json_pack("{s:s?,s:s?}", "from", inc->summary, "to", op->summary));
        free(inc->summary);
        inc->summary = op->summary ? xstrdup(op->summary) : NULL;
    }
    if (json_object_size(changes) == 0) {
        json_decref(changes);
        return OK;
    }
    inc->updated_at = now;
    return timeline_append(tx, now, op->actor, "incident.updated", inc->id, changes, NULL, err);
}

static void api_incident_patch(struct request *r)
{
    static const char *const fields[] = {"severity", "title", "summary", NULL};
    struct error err = {0};
    json_t *body = NULL;
    struct incident_op op = {.apply = apply_patch};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK && json_object_size(body) == 0)
        result =
            error_set(&err, ERR_BAD_REQUEST, "body: give at least one of severity, title, summary");
    if (result == OK)
        result = jsonv_string(body, "severity", false, 1, 64, &op.severity, &err);
    if (result == OK)
        result = jsonv_string(body, "title", false, 1, TITLE_MAX, &op.title, &err);
    if (result == OK)
        result = jsonv_string_or_null(body, "summary", 0, TEXT_MAX, &op.summary,
                                      &op.summary_present, &err);
    if (result == OK && op.severity)
        result = check_severity(r->config, op.severity, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        run_incident_op(r, &op, 200);
    json_decref(body);
}

static enum result apply_role(struct incident_op *op, struct store_conn *tx, struct incident *inc,
                              int64_t now, struct error *err)
{
    return incident_ops_assign_role(tx, inc, op->role, op->user, now, op->actor, NULL, err);
}

static void api_incident_role(struct request *r)
{
    static const char *const fields[] = {"user", NULL};
    struct error err = {0};
    json_t *body = NULL;
    bool present = false;
    struct incident_op op = {.apply = apply_role, .role = incident_role_parse(r->params[1])};
    enum result result = OK;
    if (op.role < 0)
        result = error_set(&err, ERR_UNPROCESSABLE,
                           "role: unknown role \"%.64s\" (one of commander, tech_lead, "
                           "comms_lead, scribe)",
                           r->params[1]);
    if (result == OK)
        result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string_or_null(body, "user", 1, 64, &op.user, &present, &err);
    if (result == OK && !present)
        result = error_set(&err, ERR_BAD_REQUEST, "user: is required (a user id, or null)");
    if (result == OK)
        result = check_ref(r->config, "user", op.user, config_user_find(r->config, op.user) != NULL,
                           r->config->user_count, user_at, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        run_incident_op(r, &op, 200);
    json_decref(body);
}

static enum result apply_note(struct incident_op *op, struct store_conn *tx, struct incident *inc,
                              int64_t now, struct error *err)
{
    enum result result = incident_check_mutable(inc, err);
    if (result != OK)
        return result;
    inc->updated_at = now;
    json_t *data = json_pack("{s:s}", "text", op->text);
    return timeline_append(tx, now, op->actor, "incident.note_added", inc->id, data, &op->entry,
                           err);
}

static void api_incident_note(struct request *r)
{
    static const char *const fields[] = {"text", NULL};
    struct error err = {0};
    json_t *body = NULL;
    struct incident_op op = {.apply = apply_note};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "text", true, 1, TEXT_MAX, &op.text, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        run_incident_op(r, &op, 201);
    json_decref(body);
}

static const struct route routes[] = {
    {"POST", "/api/v1/incidents", api_incident_create, ACCESS_RESPONDER, "incidents_create"},
    {"GET", "/api/v1/incidents", api_incident_list, ACCESS_VIEWER, "incidents_list"},
    {"GET", "/api/v1/incidents/{id}", api_incident_get, ACCESS_VIEWER, "incident_get"},
    {"PATCH", "/api/v1/incidents/{id}", api_incident_patch, ACCESS_RESPONDER, "incident_patch"},
    {"POST", "/api/v1/incidents/{id}/ack", api_incident_ack, ACCESS_RESPONDER, "incident_ack"},
    {"POST", "/api/v1/incidents/{id}/status", api_incident_status, ACCESS_RESPONDER,
     "incident_status"},
    {"POST", "/api/v1/incidents/{id}/resolve", api_incident_resolve, ACCESS_RESPONDER,
     "incident_resolve"},
    {"PUT", "/api/v1/incidents/{id}/roles/{role}", api_incident_role, ACCESS_RESPONDER,
     "incident_role"},
    {"POST", "/api/v1/incidents/{id}/notes", api_incident_note, ACCESS_RESPONDER, "incident_note"},
    {"GET", "/api/v1/incidents/{id}/timeline", api_incident_timeline, ACCESS_VIEWER,
     "incident_timeline"},
};
HTTP_ROUTES(incidents, routes);
