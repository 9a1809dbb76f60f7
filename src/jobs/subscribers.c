/* jobs/subscribers: mail to status page subscribers through the outbox; see subscribers.h. */
#include "jobs/subscribers.h"
#include "jobs/status_webhooks.h"
#include "domain/incident.h"
#include "domain/maintenance.h"
#include "store/notifications.h"
#include "store/subscribers.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_link(struct buf *b, const struct config *cfg, const unsigned char *key,
                     const char *purpose, const char *id)
{
    const char *base = cfg->server.public_url ? cfg->server.public_url : "";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    char token[SUB_TOKEN_LEN + 1];
    sub_token(key, purpose, id, token);
    buf_printf(b, "%.*s/status/subscribers/%s/%s/%s", (int)bl, base, id, purpose, token);
}

static enum result queue(struct store_conn *tx, const struct subscriber *s, const char *dkey,
                         const char *subject, const char *body, int64_t now, bool *added,
                         struct error *err)
{
    char user[SUB_ID_MAX + 16], key[300];
    snprintf(user, sizeof user, "subscriber:%s", s->id);
    snprintf(key, sizeof key, "sub:%.280s", dkey);
    struct store_notification row = {.incident_id = "",
                                     .kind = "info",
                                     .dkey = key,
                                     .user_id = user,
                                     .method = "email",
                                     .address = s->address,
                                     .subject = (char *)subject,
                                     .body = (char *)body,
                                     .due_at = now,
                                     .next_attempt_at = now,
                                     .created_at = now,
                                     .reason = "status page subscriber"};
    int64_t id = 0;
    enum result result = store_notification_insert(tx, &row, &id);
    *added = result == OK;
    if (result == ERR_CONFLICT)
        return OK; /* queued before */
    if (result != OK)
        return error_set(err, result, "store: cannot queue the mail to subscriber %s", s->id);
    return OK;
}

enum result subscribers_confirm_mail(struct store_conn *tx, const struct config *cfg,
                                     const unsigned char key[SUB_KEY_LEN],
                                     const struct subscriber *s, const char *dkey, int64_t now,
                                     struct error *err)
{
    const char *title = cfg->status_page.title ? cfg->status_page.title : "Service status";
    struct buf subject, body;
    buf_init(&subject, 512);
    buf_init(&body, 4096);
    buf_printf(&subject, "Confirm your subscription to %s", title);
    buf_printf(&body,
               "Someone (we hope you) asked to be told by email about %s.\n\n"
               "To confirm, open this link and press the button:\n",
               title);
    put_link(&body, cfg, key, "confirm", s->id);
    buf_puts(&body, "\n\nIf it was not you, do nothing: no mail is sent until you confirm.\n"
                    "Unsubscribe: ");
    put_link(&body, cfg, key, "unsubscribe", s->id);
    buf_puts(&body, "\n");
    bool added;
    enum result result = queue(tx, s, dkey, subject.data, body.data, now, &added, err);
    buf_free(&subject);
    buf_free(&body);
    return result;
}

struct wanted {
    const char *component, *components;
    struct subscriber *subs;
    size_t n;
};

static int collect(const struct subscriber *s, void *arg)
{
    struct wanted *w = arg;
    if (strcmp(s->kind, "email") != 0)
        return 0; /* webhooks: jobs/status_webhooks.c */
    bool wants = !w->components && sub_wants(s->components, w->component);
    json_t *a = w->components ? json_loads(w->components, 0, NULL) : NULL;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        wants = wants || sub_wants(s->components, json_string_value(v));
    }
    json_decref(a);
    if (!wants)
        return 0;
    w->subs = xrealloc(w->subs, (w->n + 1) * sizeof *w->subs);
    struct subscriber *c = &w->subs[w->n++];
    *c = *s;
    c->kind = xstrdup(s->kind);
    c->address = xstrdup(s->address);
    c->components = xstrdup(s->components);
    c->last_error = s->last_error ? xstrdup(s->last_error) : NULL;
    return 0;
}

enum result subscribers_notify(struct store_conn *tx, const struct config *cfg,
                               const unsigned char key[SUB_KEY_LEN], const struct sub_notice *n,
                               int64_t now, int *queued, struct error *err)
{
    struct wanted w = {.component = n->component, .components = n->components};
    *queued = 0;
    enum result result = store_subscriber_list(tx, "confirmed", collect, &w);
    if (result != OK)
        error_set(err, result, "store: cannot read the status page's subscribers");
    struct buf body;
    buf_init(&body, 64 * 1024);
    char *subject = xstrdup(n->subject);
    utf8_repair(subject);
    for (size_t i = 0; result == OK && i < w.n; i++) {
        buf_reset(&body);
        buf_puts(&body, n->text);
        buf_puts(&body, "\n\n-- \nYou get this because you subscribed to the status page.\n"
                        "Unsubscribe: ");
        put_link(&body, cfg, key, "unsubscribe", w.subs[i].id);
        buf_puts(&body, "\n");
        utf8_repair(body.data);
        bool added = false;
        result =
            queue(tx, &w.subs[i], n->key, subject, body.data ? body.data : "", now, &added, err);
        *queued += added;
    }
    for (size_t i = 0; i < w.n; i++)
        subscriber_free_fields(&w.subs[i]);
    free(w.subs);
    free(subject);
    buf_free(&body);
    return result;
}

/* The page's address, without a trailing slash, into out. */
static void page_url(const struct config *cfg, char *out, size_t n)
{
    const char *base = cfg->server.public_url ? cfg->server.public_url : "";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    snprintf(out, n, "%.*s/status", (int)bl, base);
}

enum result subscribers_incident_update(struct store_conn *tx, const struct config *cfg,
                                        const unsigned char key[SUB_KEY_LEN],
                                        const struct incident *inc, const char *status,
                                        const char *message, int64_t now, struct error *err)
{
    if (inc->drill)
        return OK;
    const struct config_service *svc = inc->service ? config_service_find(cfg, inc->service) : NULL;
    const char *component = svc ? svc->component : NULL;
    const char *title = cfg->status_page.title ? cfg->status_page.title : "Service status";
    char url[600], dkey[INCIDENT_ID_MAX + 64], h[SHA256_HEX_LEN];
    page_url(cfg, url, sizeof url);
    /* one per update: two updates in one millisecond differ by their text */
    crypto_sha256_hex(message ? message : "", message ? strlen(message) : 0, h);
    snprintf(dkey, sizeof dkey, "%s:%lld:%.12s", inc->id, (long long)now, h);
    struct buf subject, text;
    buf_init(&subject, 1024);
    buf_init(&text, 32 * 1024);
    buf_printf(&subject, "[%s] %s: %s", title, inc->title, status);
    buf_printf(&text, "%s - %s\n\n%s\n", inc->title, status, message ? message : "");
    if (component)
        buf_printf(&text, "\nAffects: %s\n", component);
    buf_printf(&text, "Details: %s#%s\n", url, inc->id);
    struct sub_notice n = {.key = dkey,
                           .component = component,
                           .subject = subject.data,
                           .text = text.data ? text.data : ""};
    int queued = 0;
    enum result result = subscribers_notify(tx, cfg, key, &n, now, &queued, err);
    buf_free(&subject);
    buf_free(&text);
    if (result == OK) /* the webhook subscribers: Statuspage's payloads */
        result = status_webhooks_incident(tx, cfg, key, inc, now, err);
    return result;
}

enum result subscribers_maintenance_update(struct store_conn *tx, const struct config *cfg,
                                           const unsigned char key[SUB_KEY_LEN],
                                           const struct maintenance *m, const char *status,
                                           const char *message, int64_t now, struct error *err)
{
    const char *title = cfg->status_page.title ? cfg->status_page.title : "Service status";
    char url[600], dkey[MAINT_ID_MAX + 64], from[RFC3339_LEN], until[RFC3339_LEN],
        h[SHA256_HEX_LEN];
    page_url(cfg, url, sizeof url);
    crypto_sha256_hex(message ? message : "", message ? strlen(message) : 0, h);
    snprintf(dkey, sizeof dkey, "%s:%lld:%.12s", m->id, (long long)now, h);
    time_format_rfc3339(m->scheduled_for, from);
    time_format_rfc3339(m->scheduled_until, until);
    struct buf subject, text;
    buf_init(&subject, 1024);
    buf_init(&text, 32 * 1024);
    buf_printf(&subject, "[%s] Maintenance %s: %s", title, status, m->name);
    buf_printf(&text, "%s - maintenance %s\n\n%s\n\nScheduled: %s to %s\n", m->name, status,
               message ? message : "", from, until);
    json_t *a = json_loads(m->components ? m->components : "[]", 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        buf_printf(&text, "%s%s", i ? ", " : "Affects: ", json_string_value(v));
    }
    json_decref(a);
    buf_printf(&text, "\nDetails: %s#%s\n", url, m->id);
    struct sub_notice n = {.key = dkey,
                           .components = m->components ? m->components : "[]",
                           .subject = subject.data,
                           .text = text.data ? text.data : ""};
    int queued = 0;
    enum result result = subscribers_notify(tx, cfg, key, &n, now, &queued, err);
    buf_free(&subject);
    buf_free(&text);
    return result;
}
