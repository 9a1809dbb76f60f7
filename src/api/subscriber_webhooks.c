/*
 * api/subscriber_webhooks: the status page's webhook subscribers, admin only (docs/api.md
 * "Webhook subscribers"; the public form takes mail addresses only: a public webhook form would
 * let anyone make tocsin POST to any address it can reach).
 *   POST   /api/v1/subscribers {kind: "webhook", endpoint, components?}: 201 with the subscriber
 *          and its signing secret ("whsec_..."); confirmed at once (an admin asked). 409 when the
 *          endpoint is subscribed already (an unsubscribed or disabled one is subscribed again).
 *   GET    /api/v1/subscribers/{id}: the subscriber, its secret (webhooks), its failures, and its
 *          last deliveries (outbox rows, newest first, each with its attempts).
 *   POST   /api/v1/subscribers/{id}/enable: a disabled webhook subscriber is confirmed again
 *          (failures back to 0).
 *   DELETE /api/v1/subscribers/{id}: unsubscribed (its rows already queued still go).
 * Every change is on the global timeline (subscriber.*).
 */
#include "api/api.h"
#include "jobs/timeline.h"
#include "runtime/notifier.h"
#include "store/notifications.h"
#include "store/subscribers.h"
#include "util/crypto.h"
#include "util/jsonv.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DELIVERIES_SHOWN = 20 };

/* The subscriber as the admin API shows it; key given: with its webhook secret. */
static json_t *subscriber_json(const struct subscriber *s, const unsigned char *key)
{
    json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:i}", "id", s->id, "kind", s->kind, "address",
                          s->address, "state", sub_state_name(s->state), "failures", s->failures);
    json_t *c = json_loads(s->components ? s->components : "[]", 0, NULL);
    json_object_set_new(o, "components", c ? c : json_array());
    json_object_set_new(o, "created_at", api_time(s->created_at));
    json_object_set_new(o, "confirmed_at", api_time(s->confirmed_at));
    json_object_set_new(o, "unsubscribed_at", api_time(s->unsubscribed_at));
    json_object_set_new(o, "disabled_at", api_time(s->disabled_at));
    json_object_set_new(o, "last_error", api_str_or_null(s->last_error));
    if (key && strcmp(s->kind, "webhook") == 0) {
        char secret[SUB_SECRET_MAX];
        sub_webhook_secret(key, s->id, secret);
        json_object_set_new(o, "secret", json_string(secret));
    }
    return o;
}

/* ---- POST /api/v1/subscribers ---- */

struct create_job {
    struct tclock *clock;
    const char *actor;
    struct subscriber s;
    char conflict[SUB_ID_MAX];
    int64_t now;
};

static enum result create_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct create_job *j = arg;
    j->now = clock_now(j->clock);
    struct subscriber old = {0};
    enum result result = store_subscriber_get_by_address(tx, "webhook", j->s.address, &old);
    if (result == OK && (old.state == SUB_CONFIRMED || old.state == SUB_PENDING)) {
        snprintf(j->conflict, sizeof j->conflict, "%s", old.id);
        subscriber_free_fields(&old);
        return error_set(err, ERR_CONFLICT, "endpoint: already subscribed as %s", j->conflict);
    }
    j->s.state = SUB_CONFIRMED;
    j->s.confirmed_at = j->now;
    if (result == OK) { /* unsubscribed or disabled before: subscribed again */
        memcpy(j->s.id, old.id, sizeof j->s.id);
        j->s.created_at = old.created_at;
        result = store_subscriber_update(tx, &j->s);
    } else if (result == ERR_NOT_FOUND) {
        char hex[13];
        crypto_random_hex(6, hex);
        snprintf(j->s.id, sizeof j->s.id, "sub_%s", hex);
        j->s.created_at = j->now;
        result = store_subscriber_insert(tx, &j->s);
    }
    subscriber_free_fields(&old);
    if (result != OK)
        return error_set(err, result, "store: cannot store the subscriber");
    json_t *data =
        json_pack("{s:s,s:s,s:s}", "id", j->s.id, "kind", "webhook", "state", "confirmed");
    return timeline_append(tx, j->now, j->actor, "subscriber.confirmed", NULL, data, NULL, err);
}

static void api_subscriber_create(struct request *r)
{
    static const char *const fields[] = {"kind", "endpoint", "components", NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *kind = NULL, *endpoint = NULL;
    struct create_job j = {.clock = r->app->clock, .actor = r->who.actor};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "kind", true, 1, 16, &kind, &err);
    if (result == OK && strcmp(kind, "webhook") != 0)
        result = error_set(&err, ERR_UNPROCESSABLE,
                           "kind: only \"webhook\" here (mail addresses subscribe on the status "
                           "page, with double opt-in)");
    if (result == OK)
        result = jsonv_string(body, "endpoint", true, 1, SUB_URL_MAX, &endpoint, &err);
    if (result == OK && !sub_webhook_url_ok(endpoint))
        result = error_set(&err, ERR_BAD_REQUEST,
                           "endpoint: an http:// or https:// URL of at most %d bytes, without "
                           "spaces",
                           SUB_URL_MAX);
    char host[SUB_URL_MAX + 1];
    const char *rule = result == OK && !r->config->status_page.webhook_allow_private
                           ? sub_webhook_host_private(endpoint, host, sizeof host)
                           : NULL;
    if (rule)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "endpoint: %.100s is a %s address; status page webhooks reach only "
                           "public addresses (status_page.webhook_allow_private: true allows "
                           "them)",
                           host, rule);
    if (result == OK)
        result = api_components_parse(body, r->config, true, &j.s.components, &err);
    if (result == OK) {
        j.s.kind = "webhook";
        j.s.address = (char *)endpoint;
        result = store_write(r->app->store, create_job, &j, &err);
    }
    if (result != OK) {
        reply_from_error(r, &err);
    } else {
        reply_json(r, 201, subscriber_json(&j.s, notifier_ack_key(r->app->notifier)));
    }
    free(j.s.components);
    json_decref(body);
}

/* ---- GET /api/v1/subscribers/{id} ---- */

struct deliveries {
    const char *user;
    json_t *rows; /* newest last while reading */
};

static int collect_attempt(const struct store_notification_attempt *a, void *arg)
{
    json_array_append_new(arg, json_pack("{s:o,s:b,s:i,s:o,s:I}", "at", api_time(a->at), "ok",
                                         a->ok, "code", a->code, "error", api_str_or_null(a->error),
                                         "duration_ms", (json_int_t)a->duration_ms));
    return 0;
}

static int collect_delivery(const struct store_notification *n, void *arg)
{
    struct deliveries *d = arg;
    if (strcmp(n->user_id, d->user) != 0)
        return 0;
    json_array_append_new(
        d->rows,
        json_pack("{s:I,s:s,s:s,s:s,s:i,s:o,s:o,s:o,s:o}", "id", (json_int_t)n->id, "method",
                  n->method, "subject", n->subject ? n->subject : "", "status", n->status,
                  "attempts", n->attempts, "created_at", api_time(n->created_at), "sent_at",
                  api_time(n->sent_at), "next_attempt_at", api_time(n->next_attempt_at),
                  "last_error", api_str_or_null(n->last_error)));
    while (json_array_size(d->rows) > DELIVERIES_SHOWN)
        json_array_remove(d->rows, 0);
    return 0;
}

static void api_subscriber_get(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    if (!c) {
        reply_from_error(r, &err);
        return;
    }
    struct subscriber s = {0};
    enum result result = store_subscriber_get(c, r->params[0], &s);
    if (result != OK) {
        reply_error(r, result,
                    result == ERR_NOT_FOUND ? "id: no subscriber %.64s"
                                            : "store: cannot read subscriber %.64s",
                    r->params[0]);
        return;
    }
    char user[SUB_ID_MAX + 16];
    snprintf(user, sizeof user, "subscriber:%s", s.id);
    struct deliveries d = {.user = user, .rows = json_array()};
    result = store_notification_list(c, "", collect_delivery, &d);
    json_t *newest = json_array();
    for (size_t i = json_array_size(d.rows); i-- > 0;) {
        json_t *row = json_array_get(d.rows, i);
        json_t *attempts = json_array();
        if (result == OK)
            result = store_notification_attempts(c, json_integer_value(json_object_get(row, "id")),
                                                 collect_attempt, attempts);
        json_object_set_new(row, "attempts_made", attempts);
        json_array_append(newest, row);
    }
    json_decref(d.rows);
    if (result != OK) {
        json_decref(newest);
        subscriber_free_fields(&s);
        reply_error(r, result, "store: cannot read the deliveries of %.64s", r->params[0]);
        return;
    }
    json_t *o = subscriber_json(&s, notifier_ack_key(r->app->notifier));
    json_object_set_new(o, "deliveries", newest);
    subscriber_free_fields(&s);
    reply_json(r, 200, o);
}

/* ---- enable, unsubscribe ---- */

struct state_job {
    struct tclock *clock;
    const char *id, *actor;
    enum sub_state to;
    struct subscriber s;
};

static enum result state_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct state_job *j = arg;
    int64_t now = clock_now(j->clock);
    enum result result = store_subscriber_get(tx, j->id, &j->s);
    if (result != OK)
        return error_set(err, result, "id: no subscriber %.64s", j->id);
    if (j->to == SUB_CONFIRMED && j->s.state != SUB_DISABLED && j->s.state != SUB_CONFIRMED)
        return error_set(err, ERR_CONFLICT,
                         "state: %s is %s; only a disabled subscriber can be enabled", j->id,
                         sub_state_name(j->s.state));
    if (j->s.state == j->to)
        return OK; /* twice is once */
    j->s.state = j->to;
    if (j->to == SUB_CONFIRMED) {
        j->s.failures = 0;
        j->s.disabled_at = 0;
        j->s.confirmed_at = now;
    } else {
        j->s.unsubscribed_at = now;
    }
    result = store_subscriber_update(tx, &j->s);
    if (result != OK)
        return error_set(err, result, "store: cannot update subscriber %.64s", j->id);
    json_t *data = json_pack("{s:s,s:s}", "id", j->id, "state", sub_state_name(j->to));
    return timeline_append(tx, now, j->actor,
                           j->to == SUB_CONFIRMED ? "subscriber.enabled"
                                                  : "subscriber.unsubscribed",
                           NULL, data, NULL, err);
}

static void change_state(struct request *r, enum sub_state to)
{
    struct error err = {0};
    struct state_job j = {
        .clock = r->app->clock, .id = r->params[0], .actor = r->who.actor, .to = to};
    if (store_write(r->app->store, state_job, &j, &err) != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200, subscriber_json(&j.s, NULL));
    subscriber_free_fields(&j.s);
}

static void api_subscriber_enable(struct request *r)
{
    change_state(r, SUB_CONFIRMED);
}

static void api_subscriber_delete(struct request *r)
{
    change_state(r, SUB_UNSUBSCRIBED);
}

static const struct route routes[] = {
    {"POST", "/api/v1/subscribers", api_subscriber_create, ACCESS_ADMIN, "subscriber_create"},
    {"GET", "/api/v1/subscribers/{id}", api_subscriber_get, ACCESS_ADMIN, "subscriber_get"},
    {"POST", "/api/v1/subscribers/{id}/enable", api_subscriber_enable, ACCESS_ADMIN,
     "subscriber_enable"},
    {"DELETE", "/api/v1/subscribers/{id}", api_subscriber_delete, ACCESS_ADMIN,
     "subscriber_delete"},
};
HTTP_ROUTES(subscriber_webhooks, routes);
