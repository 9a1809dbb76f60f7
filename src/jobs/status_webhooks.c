/* jobs/status_webhooks: Statuspage-shaped notifications to webhook subscribers; see
 * status_webhooks.h. */
#include "jobs/status_webhooks.h"
#include "domain/status_page.h"
#include "domain/status_webhook.h"
#include "jobs/timeline.h"
#include "store/incidents.h"
#include "store/maintenances.h"
#include "store/notifications.h"
#include "store/subscribers.h"
#include "store/timeline.h"
#include "util/crypto.h"
#include "util/log.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { MAINT_READ_MAX = 500 };

/* ---- the subscribers ---- */

struct hooks {
    struct subscriber *subs;
    size_t n;
};

static int collect_hook(const struct subscriber *s, void *arg)
{
    struct hooks *h = arg;
    if (strcmp(s->kind, "webhook") != 0)
        return 0;
    h->subs = xrealloc(h->subs, (h->n + 1) * sizeof *h->subs);
    struct subscriber *c = &h->subs[h->n++];
    *c = *s;
    c->kind = xstrdup(s->kind);
    c->address = xstrdup(s->address);
    c->components = xstrdup(s->components);
    c->last_error = s->last_error ? xstrdup(s->last_error) : NULL;
    return 0;
}

static void hooks_free(struct hooks *h)
{
    for (size_t i = 0; i < h->n; i++)
        subscriber_free_fields(&h->subs[i]);
    free(h->subs);
}

/* ---- the page before and after ---- */

struct build {
    struct sp_page *page;
    const struct config *cfg;
    const struct incident *replace; /* skip the stored row of this incident */
};

static int add_open(const struct incident *inc, void *arg)
{
    struct build *b = arg;
    if (inc->drill || !inc->last_public_update_at || !incident_status_is_open(inc->status))
        return 0;
    if (b->replace && strcmp(inc->id, b->replace->id) == 0)
        return 0;
    sp_page_add_incident(b->page, b->cfg, inc);
    return 0;
}

/* A window shown as it was announced rather than as the clock has it now (the page before the
 * clock's move of it: status_webhooks_maintenance). */
struct maint_as {
    const char *id;
    enum maint_status status;
};

struct maint_add {
    struct sp_page *page;
    int64_t now;
    const struct maint_as *as;
};

static bool maint_active(enum maint_status st)
{
    return st == MAINT_IN_PROGRESS || st == MAINT_VERIFYING;
}

static int add_maint(const struct maintenance *m, void *arg)
{
    struct maint_add *a = arg;
    if (a->as && strcmp(m->id, a->as->id) == 0) {
        if (!maint_active(a->as->status))
            return 0;
        struct maintenance held = *m; /* as announced: the clock does not move it on */
        held.status = a->as->status;
        held.scheduled_until = INT64_MAX;
        sp_page_add_maintenance(a->page, &held, a->now);
        return 0;
    }
    if (maint_active(maint_effective(m, a->now)))
        sp_page_add_maintenance(a->page, m, a->now);
    return 0;
}

/* The page of the unresolved public incidents as stored, with `replace` (when not NULL) in place
 * of its stored row (added even when resolved: its notification describes it). Not finished. */
static enum result read_page(struct store_conn *tx, const struct config *cfg,
                             const struct incident *replace, const struct maint_as *as, int64_t now,
                             struct sp_page *page)
{
    sp_page_init(page, cfg);
    struct store_incident_filter open = {0};
    for (int s = 0; s < INC_STATUS_COUNT; s++)
        if (incident_status_is_open((enum incident_status)s))
            open.statuses |= 1 << s;
    struct build b = {.page = page, .cfg = cfg, .replace = replace};
    enum result result = store_incident_list(tx, &open, add_open, &b);
    struct maint_add ma = {.page = page, .now = now, .as = as};
    if (result == OK)
        result = store_maintenance_list(tx, MAINT_READ_MAX, add_maint, &ma);
    if (result == OK && replace && !replace->drill)
        sp_page_add_incident(page, cfg, replace);
    return result;
}

static int add_update(const struct timeline_entry *e, void *arg)
{
    struct sp_incident *i = arg;
    json_t *data = e->data ? json_loads(e->data, 0, NULL) : NULL;
    if (data && json_is_true(json_object_get(data, "public"))) {
        int to = incident_status_parse(json_string_value(json_object_get(data, "to")));
        sp_incident_add_update(
            i, e->seq, e->at,
            sp_update_status(to < 0 ? INC_INVESTIGATING : (enum incident_status)to,
                             json_is_string(json_object_get(data, "postmortem"))),
            json_string_value(json_object_get(data, "message")));
    }
    json_decref(data);
    return 0;
}

/* ---- queueing ---- */

static void base_url(const struct config *cfg, char *out, size_t n)
{
    const char *base = cfg->server.public_url ? cfg->server.public_url : "";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    snprintf(out, n, "%.*s", (int)bl, base);
}

static enum result queue(struct store_conn *tx, const struct config *cfg, const unsigned char *key,
                         const struct subscriber *s, const struct sp_page *page, json_t *event,
                         const char *dkey, const char *subject, int64_t now, struct error *err)
{
    char base[600], unsub[800], token[SUB_TOKEN_LEN + 1];
    base_url(cfg, base, sizeof base);
    sub_token(key, "unsubscribe", s->id, token);
    snprintf(unsub, sizeof unsub, "%s/status/subscribers/%s/unsubscribe/%s", base, s->id, token);
    json_t *body = sp_webhook_envelope(page, base, unsub);
    json_object_update(body, event);
    char *text = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!text)
        return error_set(err, ERR_INTERNAL, "internal: cannot encode a status page webhook");
    char user[SUB_ID_MAX + 16], k[300];
    snprintf(user, sizeof user, "subscriber:%s", s->id);
    snprintf(k, sizeof k, "swh:%.280s", dkey);
    struct store_notification row = {.incident_id = "",
                                     .kind = "info",
                                     .dkey = k,
                                     .user_id = user,
                                     .method = STATUS_WEBHOOK_METHOD,
                                     .address = s->address,
                                     .subject = (char *)subject,
                                     .body = text,
                                     .due_at = now,
                                     .next_attempt_at = now,
                                     .created_at = now,
                                     .reason = "status page webhook subscriber"};
    int64_t id = 0;
    enum result result = store_notification_insert(tx, &row, &id);
    free(text);
    if (result == ERR_CONFLICT)
        return OK; /* queued before */
    if (result != OK)
        return error_set(err, result, "store: cannot queue the webhook to subscriber %s", s->id);
    return OK;
}

static struct sp_incident *find_incident(struct sp_page *p, const char *id)
{
    for (size_t k = 0; k < p->incident_count; k++)
        if (strcmp(p->incidents[k].id, id) == 0)
            return &p->incidents[k];
    return NULL;
}

static enum result component_updates(struct store_conn *tx, const struct config *cfg,
                                     const unsigned char *key, const struct hooks *h,
                                     const struct sp_page *before, const struct sp_page *after,
                                     int64_t now, struct error *err)
{
    enum result result = OK;
    for (size_t k = 0; k < after->component_count && result == OK; k++) {
        const struct sp_component *c = &after->components[k];
        enum sp_component_status old = before->components[k].status;
        if (old == c->status)
            continue;
        json_t *event = json_object();
        sp_webhook_component_update(event, after, k, old, now);
        char dkey[300], subject[300];
        snprintf(dkey, sizeof dkey, "component:%s:%lld:%s", c->id, (long long)now,
                 sp_component_status_name(c->status));
        snprintf(subject, sizeof subject, "component_update %.200s: %s", c->name,
                 sp_component_status_name(c->status));
        for (size_t i = 0; i < h->n && result == OK; i++)
            if (sub_wants(h->subs[i].components, c->name))
                result = queue(tx, cfg, key, &h->subs[i], after, event, dkey, subject, now, err);
        json_decref(event);
    }
    return result;
}

enum result status_webhooks_incident(struct store_conn *tx, const struct config *cfg,
                                     const unsigned char key[SUB_KEY_LEN],
                                     const struct incident *inc, int64_t now, struct error *err)
{
    if (inc->drill)
        return OK;
    struct hooks h = {0};
    enum result result = store_subscriber_list(tx, "confirmed", collect_hook, &h);
    if (result != OK) {
        hooks_free(&h);
        return error_set(err, result, "store: cannot read the status page's subscribers");
    }
    if (h.n == 0)
        return OK;
    struct sp_page before, after;
    enum result rb = read_page(tx, cfg, NULL, NULL, now, &before); /* each one inits its page */
    enum result ra = read_page(tx, cfg, inc, NULL, now, &after);
    result = rb != OK ? rb : ra;
    struct sp_incident *si = find_incident(&after, inc->id);
    if (result == OK && si)
        result = store_timeline_scan(tx, inc->id, add_update, si);
    sp_page_finish(&before);
    sp_page_finish(&after);
    if (result != OK)
        error_set(err, result, "store: cannot read the status page for its webhooks");
    si = find_incident(&after, inc->id); /* finish sorts */
    if (result == OK && si) {
        char base[600], dkey[300], subject[300], h16[SHA256_HEX_LEN];
        base_url(cfg, base, sizeof base);
        json_t *event = json_pack("{s:o}", "incident", sp_webhook_incident(&after, si, base));
        const char *last = si->update_count ? si->updates[0].body : "";
        crypto_sha256_hex(last, strlen(last), h16);
        snprintf(dkey, sizeof dkey, "incident:%s:%lld:%.12s", inc->id, (long long)now, h16);
        snprintf(subject, sizeof subject, "incident %s: %s", inc->id, si->status);
        const char *component = si->component >= 0 ? after.components[si->component].name : NULL;
        for (size_t i = 0; i < h.n && result == OK; i++)
            if (sub_wants(h.subs[i].components, component))
                result = queue(tx, cfg, key, &h.subs[i], &after, event, dkey, subject, now, err);
        json_decref(event);
    }
    if (result == OK)
        result = component_updates(tx, cfg, key, &h, &before, &after, now, err);
    sp_page_free(&before);
    sp_page_free(&after);
    hooks_free(&h);
    return result;
}

enum result status_webhooks_maintenance(struct store_conn *tx, const struct config *cfg,
                                        const unsigned char key[SUB_KEY_LEN],
                                        const struct maintenance *m, enum maint_status from,
                                        int64_t now, struct error *err)
{
    struct hooks h = {0};
    enum result result = store_subscriber_list(tx, "confirmed", collect_hook, &h);
    if (result != OK) {
        hooks_free(&h);
        return error_set(err, result, "store: cannot read the status page's subscribers");
    }
    if (h.n == 0)
        return OK;
    struct maint_as as = {.id = m->id, .status = from};
    struct sp_page before, after;
    enum result rb = read_page(tx, cfg, NULL, &as, now, &before); /* each one inits its page */
    enum result ra = read_page(tx, cfg, NULL, NULL, now, &after);
    result = rb != OK ? rb : ra;
    sp_page_finish(&before);
    sp_page_finish(&after);
    if (result != OK)
        error_set(err, result, "store: cannot read the status page for its webhooks");
    else
        result = component_updates(tx, cfg, key, &h, &before, &after, now, err);
    sp_page_free(&before);
    sp_page_free(&after);
    hooks_free(&h);
    return result;
}

/* ---- delivery attempts ---- */

enum result status_webhooks_attempt(struct store_conn *tx, const struct config *cfg,
                                    const char *user, bool ok, const char *why, int64_t now,
                                    bool *disabled, struct error *err)
{
    *disabled = false;
    if (strncmp(user, "subscriber:", 11) != 0)
        return OK;
    const char *id = user + 11;
    struct subscriber s = {0};
    enum result result = store_subscriber_get(tx, id, &s);
    if (result == ERR_NOT_FOUND)
        return OK; /* deleted meanwhile: nothing to count */
    if (result != OK)
        return error_set(err, result, "store: cannot read subscriber %s", id);
    if (ok && s.failures == 0) {
        subscriber_free_fields(&s);
        return OK;
    }
    if (ok) {
        s.failures = 0;
    } else {
        s.failures++;
        free(s.last_error);
        s.last_error = xstrdup(why ? why : "failed");
    }
    bool disable =
        !ok && s.state == SUB_CONFIRMED && s.failures >= cfg->status_page.webhook_failure_limit;
    if (disable) {
        s.state = SUB_DISABLED;
        s.disabled_at = now;
    }
    result = store_subscriber_update(tx, &s);
    if (result != OK)
        error_set(err, result, "store: cannot update subscriber %s", id);
    if (result == OK && disable) {
        *disabled = true;
        log_error("status page: webhook subscriber %s disabled after %d failed deliveries in a "
                  "row; last: %s",
                  s.id, s.failures, s.last_error);
        json_t *data = json_pack("{s:s,s:s,s:i,s:s}", "id", s.id, "state", "disabled", "failures",
                                 s.failures, "error", s.last_error);
        result = timeline_append(tx, now, "notifier", "subscriber.disabled", NULL, data, NULL, err);
    }
    subscriber_free_fields(&s);
    return result;
}
