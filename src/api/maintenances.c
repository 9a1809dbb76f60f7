/*
 * api/maintenances: scheduled maintenance windows of the public status page (responder to write,
 * viewer to read). POST /api/v1/maintenances declares one (name, components, scheduled_for,
 * scheduled_until, message); PATCH /api/v1/maintenances/{id} moves it (status, forward only),
 * posts an update (message), renames it, moves its window or changes its components; a move to
 * "completed" ends it. Every write is on the timeline (maintenance.created, maintenance.updated)
 * and moves the status page (STORE_OP_PUBLIC). docs/api.md "Scheduled maintenance".
 */
#include "api/api.h"
#include "domain/maintenance.h"
#include "jobs/maintenance_clock.h"
#include "jobs/status_webhooks.h"
#include "jobs/subscribers.h"
#include "jobs/timeline.h"
#include "runtime/notifier.h"
#include "store/maintenances.h"
#include "store/nodes.h"
#include "store/silences.h"
#include "util/crypto.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

enum { LIST_MAX = 200 };

static json_t *api_maintenance_json(const struct maintenance *m, int64_t now)
{
    json_t *comps = json_loads(m->components ? m->components : "[]", 0, NULL);
    json_t *updates = json_loads(m->updates ? m->updates : "[]", 0, NULL);
    json_t *ups = json_array();
    size_t i;
    json_t *u;
    json_array_foreach(updates, i, u)
    {
        json_t *o = json_pack("{s:O?,s:O?,s:O?}", "id", json_object_get(u, "id"), "status",
                              json_object_get(u, "status"), "body", json_object_get(u, "body"));
        json_object_set_new(o, "created_at",
                            api_time(json_integer_value(json_object_get(u, "at"))));
        json_array_append_new(ups, o);
    }
    json_decref(updates);
    enum maint_status eff = maint_effective(m, now);
    struct maintenance s = *m;
    maint_settle(&s, now);
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:s}", "id", m->id, "name", m->name, "status",
                          maint_status_name(eff), "set_status", maint_status_name(m->status),
                          "components", comps ? comps : json_array(), "updates", ups, "created_by",
                          m->created_by ? m->created_by : "");
    json_object_set_new(o, "scheduled_for", api_time(m->scheduled_for));
    json_object_set_new(o, "scheduled_until", api_time(m->scheduled_until));
    json_object_set_new(o, "started_at", api_time(s.started_at));
    json_object_set_new(o, "completed_at", api_time(s.completed_at));
    json_object_set_new(o, "created_at", api_time(m->created_at));
    json_object_set_new(o, "updated_at", api_time(m->updated_at));
    return o;
}

bool api_component_known(const struct config *c, const char *name)
{
    for (size_t k = 0; k < c->service_count; k++)
        if (c->services[k].component && strcmp(c->services[k].component, name) == 0)
            return true;
    return false;
}

enum result api_components_parse(json_t *body, const struct config *cfg, bool absent_is_empty,
                                 char **out, struct error *err)
{
    json_t *a = json_object_get(body, "components");
    if (!a || (absent_is_empty && json_is_null(a))) {
        if (absent_is_empty)
            *out = xstrdup("[]");
        return OK;
    }
    if (!json_is_array(a))
        return error_set(err, ERR_BAD_REQUEST, "components: must be an array of component names");
    if (json_array_size(a) > API_COMPONENTS_MAX)
        return error_set(err, ERR_BAD_REQUEST, "components: at most %d", API_COMPONENTS_MAX);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (!json_is_string(v))
            return error_set(err, ERR_BAD_REQUEST, "components[%zu]: must be a string", i);
        if (!api_component_known(cfg, json_string_value(v)))
            return error_set(err, ERR_UNPROCESSABLE,
                             "components[%zu]: no status page component \"%.64s\" (a service's "
                             "`component` in the config)",
                             i, json_string_value(v));
    }
    *out = json_dumps(a, JSON_COMPACT);
    return OK;
}

static enum result parse_time(json_t *body, const char *key, int64_t *out, struct error *err)
{
    const char *s = NULL;
    enum result result = jsonv_string(body, key, false, 1, 40, &s, err);
    if (result != OK || !s)
        return result;
    if (time_parse_rfc3339(s, out) != 0)
        return error_set(err, ERR_BAD_REQUEST, "%s: must be an RFC 3339 time", key);
    if (*out > TIME_MAX_MS)
        return error_set(err, ERR_UNPROCESSABLE,
                         "%s: after " TIME_MAX_TEXT " (years past 9999 are not supported)", key);
    return OK;
}

struct maint_job {
    struct tclock *clock;
    const struct config *cfg;
    const unsigned char *link_key;
    const char *actor;
    const char *id;
    /* what the request asks (NULL / 0 / -1: unchanged) */
    const char *name, *message;
    char *components;
    int64_t scheduled_for, scheduled_until;
    int status;
    bool create;
    struct maintenance m; /* the result */
    int64_t now;
};

/* ---- the alerts of its services silenced while it runs ----
 * One silence per service whose component the window takes down, named "<id>.<random>.<k>" (k:
 * the service's place in the config; the random part keeps a rewrite from reusing a name). Every
 * write re-syncs: the window's silences still pending or active end now, and new ones cover the
 * rest of the window (from now when people started it early, from scheduled_for otherwise) unless
 * it is completed or past its end. */

struct prefix_ids {
    char prefix[MAINT_ID_MAX + 2];
    char (*ids)[32];
    size_t n;
};

static int collect_prefixed(const struct silence *s, void *arg)
{
    struct prefix_ids *p = arg;
    if (strncmp(s->id, p->prefix, strlen(p->prefix)) == 0) {
        p->ids = xrealloc(p->ids, (p->n + 1) * sizeof *p->ids);
        memcpy(p->ids[p->n++], s->id, sizeof s->id);
    }
    return 0;
}

static bool component_listed(const char *components, const char *name)
{
    json_t *a = json_loads(components ? components : "[]", 0, NULL);
    bool found = false;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v) found =
        found || (json_is_string(v) && !strcmp(json_string_value(v), name));
    json_decref(a);
    return found;
}

static enum result sync_silences(struct store_conn *tx, const struct config *cfg,
                                 const struct maintenance *m, int64_t now, int *count,
                                 struct error *err)
{
    struct prefix_ids old = {0};
    snprintf(old.prefix, sizeof old.prefix, "%s.", m->id);
    enum result result = store_silence_list(tx, false, now, collect_prefixed, &old);
    for (size_t i = 0; result == OK && i < old.n; i++) {
        result = store_silence_expire(tx, old.ids[i], now);
        if (result == ERR_NOT_FOUND)
            result = OK;
    }
    free(old.ids);
    if (result != OK)
        return error_set(err, result, "store: cannot end the maintenance's silences");
    enum maint_status shown = maint_effective(m, now);
    int64_t from = shown == MAINT_SCHEDULED ? m->scheduled_for : now;
    if (shown == MAINT_COMPLETED || m->scheduled_until <= from)
        return OK;
    char gen[9];
    crypto_random_hex(4, gen);
    for (size_t k = 0; k < cfg->service_count; k++) {
        const struct config_service *svc = &cfg->services[k];
        if (!svc->component || !component_listed(m->components, svc->component))
            continue;
        struct silence sil = {.service = svc->id,
                              .matchers = "{}",
                              .starts_at = from,
                              .ends_at = m->scheduled_until,
                              .reason = m->name,
                              .created_by = m->created_by,
                              .created_at = now};
        snprintf(sil.id, sizeof sil.id, "%s.%s.%zu", m->id, gen, k);
        if ((result = store_silence_insert(tx, &sil)) != OK)
            return error_set(err, result, "store: cannot silence the maintenance's services");
        ++*count;
    }
    return OK;
}

static enum result maint_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct maint_job *j = arg;
    struct maintenance *m = &j->m;
    j->now = clock_now(j->clock);
    enum result result;
    if (j->create) {
        m->created_at = j->now;
    } else if ((result = store_maintenance_get(tx, j->id, m)) != OK) {
        return result == ERR_NOT_FOUND
                   ? error_set(err, result, "id: no maintenance %.64s", j->id)
                   : error_set(err, result, "store: cannot read the maintenance");
    }
    enum maint_status before = maint_effective(m, j->now);
    enum maint_status told = maint_announced(m); /* what subscribers were last told */
    if (!j->create && before == MAINT_COMPLETED)
        return error_set(err, ERR_CONFLICT, "status: maintenance %s is completed", m->id);
    maint_settle(m, j->now);
    if (j->name) {
        free(m->name);
        m->name = xstrdup(j->name);
    }
    if (j->components) {
        free(m->components);
        m->components = j->components;
        j->components = NULL;
    }
    if (j->scheduled_for) {
        if (!j->create && before != MAINT_SCHEDULED)
            return error_set(err, ERR_CONFLICT, "scheduled_for: maintenance %s has already started",
                             m->id);
        m->scheduled_for = j->scheduled_for;
    }
    if (j->scheduled_until)
        m->scheduled_until = j->scheduled_until;
    if (m->scheduled_until <= m->scheduled_for)
        return error_set(err, ERR_BAD_REQUEST, "scheduled_until: must be after scheduled_for");
    if (j->create && m->scheduled_until <= j->now)
        return error_set(err, ERR_BAD_REQUEST, "scheduled_until: is already in the past");
    if (j->create)
        m->status = MAINT_SCHEDULED;
    if (j->status >= 0) {
        if (!maint_move_allowed(m->status, (enum maint_status)j->status))
            return error_set(err, ERR_CONFLICT,
                             "status: a maintenance moves forward only (%s -> %s)",
                             maint_status_name(m->status), maint_status_name(j->status));
        maint_move(m, (enum maint_status)j->status, j->now);
    }
    /* the window the clock would close anew: a status set by people, a window moved */
    enum maint_status shown = maint_effective(m, j->now);
    bool posted = j->create || j->message || j->status >= 0;
    const char *text = j->message ? j->message : maint_default_body(shown);
    if (posted)
        maint_append_update(m, maint_status_name(shown), text, j->now);
    m->updated_at = j->now;
    result = j->create ? store_maintenance_insert(tx, m) : store_maintenance_update(tx, m);
    if (result != OK)
        return error_set(err, result, "store: cannot store the maintenance");
    int silenced = 0;
    if ((result = sync_silences(tx, j->cfg, m, j->now, &silenced, err)) != OK)
        return result;
    if (posted && (shown == MAINT_IN_PROGRESS || shown == MAINT_COMPLETED)) {
        /* this update announces the move: the clock's pass must not (jobs/maintenance_clock.h) */
        char key[MAINT_CLOCK_CLAIM_MAX];
        snprintf(key, sizeof key, MAINT_CLOCK_CLAIM_FMT, m->id, maint_status_name(shown));
        result = store_cluster_claim(tx, key, j->now, INT64_MAX);
        if (result != OK && result != ERR_NOT_FOUND)
            return error_set(err, result, "store: cannot claim %s", key);
    }
    if (posted &&
        (result = subscribers_maintenance_update(
             tx, j->cfg, j->link_key, m, maint_status_name(shown), text, j->now, err)) != OK)
        return result;
    if (posted &&
        (result = status_webhooks_maintenance(tx, j->cfg, j->link_key, m, told, j->now, err)) != OK)
        return result;
    json_t *data = json_pack("{s:s,s:s,s:s,s:i}", "id", m->id, "name", m->name, "status",
                             maint_status_name(shown), "silences", silenced);
    return timeline_append(tx, j->now, j->actor,
                           j->create ? "maintenance.created" : "maintenance.updated", NULL, data,
                           NULL, err);
}

static void api_maintenance_write(struct request *r, bool create)
{
    static const char *const fields[] = {
        "name", "components", "scheduled_for", "scheduled_until", "message", "status", NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *status = NULL;
    struct maint_job j = {.clock = r->app->clock,
                          .cfg = r->config,
                          .link_key = notifier_ack_key(r->app->notifier),
                          .actor = r->who.actor,
                          .status = -1,
                          .create = create,
                          .id = create ? NULL : r->params[0]};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "name", create, 1, MAINT_NAME_MAX, &j.name, &err);
    if (result == OK)
        result = jsonv_string(body, "message", false, 1, MAINT_BODY_MAX, &j.message, &err);
    if (result == OK)
        result = jsonv_string(body, "status", false, 1, 32, &status, &err);
    if (result == OK && status && (j.status = maint_status_parse(status)) < 0)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "status: \"%.32s\" is not one of scheduled, in_progress, verifying, "
                           "completed",
                           status);
    if (result == OK && create && j.status >= 0)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "status: a new maintenance is scheduled (move it with PATCH)");
    if (result == OK)
        result = api_components_parse(body, r->config, false, &j.components, &err);
    if (result == OK && create && (!j.components || strcmp(j.components, "[]") == 0))
        result =
            error_set(&err, ERR_BAD_REQUEST, "components: name at least one status page component");
    if (result == OK)
        result = parse_time(body, "scheduled_for", &j.scheduled_for, &err);
    if (result == OK)
        result = parse_time(body, "scheduled_until", &j.scheduled_until, &err);
    if (result == OK && create && (!j.scheduled_for || !j.scheduled_until))
        result = error_set(&err, ERR_BAD_REQUEST, "%s: required (RFC 3339)",
                           j.scheduled_for ? "scheduled_until" : "scheduled_for");
    if (result == OK && create) {
        char hex[13];
        crypto_random_hex(6, hex);
        snprintf(j.m.id, sizeof j.m.id, "mnt_%s", hex);
        j.m.created_by = xstrdup(r->who.actor);
        j.m.components = xstrdup("[]");
        j.m.updates = xstrdup("[]");
        j.m.name = xstrdup("");
    }
    if (result == OK)
        result = store_write(r->app->store, maint_job, &j, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, create ? 201 : 200, api_maintenance_json(&j.m, j.now));
    if (result == OK)
        notifier_kick(r->app->notifier); /* subscribers' mail */
    free(j.components);
    maintenance_free_fields(&j.m);
    json_decref(body);
}

static void api_maintenance_create(struct request *r)
{
    api_maintenance_write(r, true);
}

static void api_maintenance_patch(struct request *r)
{
    api_maintenance_write(r, false);
}

struct list_ctx {
    json_t *arr;
    int64_t now;
};

static int list_one(const struct maintenance *m, void *arg)
{
    struct list_ctx *l = arg;
    json_array_append_new(l->arr, api_maintenance_json(m, l->now));
    return 0;
}

static void api_maintenance_list(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct list_ctx l = {json_array(), clock_now(r->app->clock)};
    enum result result = c ? store_maintenance_list(c, LIST_MAX, list_one, &l) : err.code;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list maintenances");
        return;
    }
    reply_json(r, 200, json_pack("{s:o}", "maintenances", l.arr));
}

static void api_maintenance_get(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct maintenance m = {0};
    enum result result = c ? store_maintenance_get(c, r->params[0], &m) : err.code;
    if (result == ERR_NOT_FOUND)
        reply_error(r, result, "id: no maintenance %.64s", r->params[0]);
    else if (result != OK)
        reply_error(r, result, "store: cannot read the maintenance");
    else
        reply_json(r, 200, api_maintenance_json(&m, clock_now(r->app->clock)));
    maintenance_free_fields(&m);
}

static const struct route routes[] = {
    {"POST", "/api/v1/maintenances", api_maintenance_create, ACCESS_RESPONDER,
     "maintenances_create"},
    {"GET", "/api/v1/maintenances", api_maintenance_list, ACCESS_VIEWER, "maintenances_list"},
    {"GET", "/api/v1/maintenances/{id}", api_maintenance_get, ACCESS_VIEWER, "maintenance_get"},
    {"PATCH", "/api/v1/maintenances/{id}", api_maintenance_patch, ACCESS_RESPONDER,
     "maintenance_update"},
};
HTTP_ROUTES(maintenances, routes);
