/*
 * api/subscribers: email subscriptions to the public status page (docs/api.md "Status page
 * subscribers"). Public, no token:
 *   POST /status/subscribe                         form: email, component* (none: every one)
 *   GET|POST /status/subscribers/{id}/confirm/{token}
 *   GET|POST /status/subscribers/{id}/unsubscribe/{token}
 * GET shows a page with a button; only POST changes anything (mail scanners follow links). The
 * unsubscribe POST is RFC 8058's one-click too. Admin: GET /api/v1/subscribers (JSON) and
 * GET /api/v1/subscribers.csv.
 *
 * Double opt-in: a new address is "pending" and gets a confirmation mail through the outbox; no
 * notice goes to it before the confirm link is used. The subscribe form answers the same page
 * whatever the address's state (nobody learns who is subscribed). It is public, so it is rate
 * limited per client address and per mail address (429 with Retry-After); a pending or
 * unsubscribed address asking again gets a new confirmation mail within the same limits.
 */
#include "api/api.h"
#include "api/paging.h"
#include "api/ui.h"
#include "jobs/subscribers.h"
#include "jobs/timeline.h"
#include "runtime/notifier.h"
#include "store/subscribers.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/ratelimit.h"
#include "util/timeutil.h"
#include "web/html.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

enum {
    SUB_ADDR_PER_MIN = 10, /* subscribe forms per client address */
    SUB_ADDR_BURST = 10,
    SUB_MAIL_PER_MIN = 1, /* confirmation mails per mail address */
    SUB_MAIL_BURST = 3,
    SUB_COMPONENTS_MAX = 64,
    SUB_PAGE_CAP = 64 * 1024,
};

static void page(struct request *r, int status, const char *title, const char *text,
                 const char *button_action, const char *button)
{
    struct html h;
    html_init(&h, SUB_PAGE_CAP);
    html_markup(&h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                    "<title>");
    html_text(&h, title);
    html_markup(&h, "</title><link rel=\"stylesheet\" href=\"/status/assets/status.css\"></head>"
                    "<body><main><h1>");
    html_text(&h, title);
    html_markup(&h, "</h1><p>");
    html_text(&h, text);
    html_markup(&h, "</p>");
    if (button_action) {
        html_markup(&h, "<form method=\"post\"");
        html_url_attr(&h, "action", button_action);
        html_markup(&h, "><button type=\"submit\">");
        html_text(&h, button);
        html_markup(&h, "</button></form>");
    }
    html_markup(&h,
                "<p><a href=\"/status\">Back to the status page</a></p></main></body></html>\n");
    size_t len = 0;
    char *body = html_steal(&h, &len);
    if (!body) {
        reply_error(r, ERR_INTERNAL, "internal: the page cannot be rendered");
        return;
    }
    reply_header(r, "Cache-Control", "no-store");
    reply_header(r, "Referrer-Policy", "no-referrer"); /* the token is in the path */
    reply_raw(r, status, "text/html; charset=utf-8", body, len);
}

/* ---- subscribe ---- */

struct sub_job {
    struct tclock *clock;
    const struct config *cfg;
    const unsigned char *key;
    struct subscriber s;
    bool mailed;
    int64_t now;
};

static enum result subscribe_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct sub_job *j = arg;
    j->now = clock_now(j->clock);
    struct subscriber old = {0};
    enum result result = store_subscriber_get_by_address(tx, "email", j->s.address, &old);
    if (result == OK && old.state == SUB_CONFIRMED) {
        subscriber_free_fields(&old);
        return OK; /* already subscribed: nothing to do, and the answer says nothing */
    }
    if (result == OK) { /* pending or unsubscribed: ask again */
        memcpy(j->s.id, old.id, sizeof j->s.id);
        j->s.created_at = old.created_at;
        j->s.state = SUB_PENDING;
        result = store_subscriber_update(tx, &j->s);
    } else if (result == ERR_NOT_FOUND) {
        char hex[13];
        crypto_random_hex(6, hex);
        snprintf(j->s.id, sizeof j->s.id, "sub_%s", hex);
        j->s.created_at = j->now;
        j->s.state = SUB_PENDING;
        result = store_subscriber_insert(tx, &j->s);
    }
    subscriber_free_fields(&old);
    if (result != OK)
        return error_set(err, result, "store: cannot store the subscription");
    char dkey[64];
    snprintf(dkey, sizeof dkey, "confirm:%s:%lld", j->s.id, (long long)j->now);
    if ((result = subscribers_confirm_mail(tx, j->cfg, j->key, &j->s, dkey, j->now, err)) != OK)
        return result;
    j->mailed = true;
    json_t *data = json_pack("{s:s,s:s}", "id", j->s.id, "state", "pending");
    return timeline_append(tx, j->now, "public", "subscriber.pending", NULL, data, NULL, err);
}

static bool rate_ok(struct request *r, const char *key, int64_t per_min, int64_t burst)
{
    int64_t wait = 0;
    if (ratelimit_take(r->app->ratelimit, key, clock_now(r->app->clock), per_min, burst, 1, &wait))
        return true;
    char retry[24];
    snprintf(retry, sizeof retry, "%lld", (long long)(wait > 0 ? wait : 1));
    reply_header(r, "Retry-After", retry);
    page(r, 429, "Too many requests", "Too many subscription requests; try again in a minute.",
         NULL, NULL);
    return false;
}

static void status_subscribe(struct request *r)
{
    char peer[64], key[SUB_ADDRESS_MAX + 32];
    request_peer(r, peer, sizeof peer);
    snprintf(key, sizeof key, "sub-addr:%s", peer);
    if (!rate_ok(r, key, SUB_ADDR_PER_MIN, SUB_ADDR_BURST))
        return;
    struct ui_form f;
    struct error err = {0};
    if (ui_form_parse(r->body, r->body_len, &f, &err) != OK) {
        page(r, 400, "Not subscribed", err.message, NULL, NULL);
        ui_form_free(&f);
        return;
    }
    const char *email = ui_form_get(&f, "email");
    json_t *comps = json_array();
    const char *bad = NULL;
    for (int i = 0; i < f.n; i++)
        if (strcmp(f.key[i], "component") == 0 && *f.val[i]) {
            if (!api_component_known(r->config, f.val[i]) ||
                json_array_size(comps) >= SUB_COMPONENTS_MAX)
                bad = f.val[i];
            json_array_append_new(comps, json_string(f.val[i]));
        }
    if (!email || !sub_email_ok(email)) {
        page(r, 400, "Not subscribed", "email: write a mail address like name@example.com.", NULL,
             NULL);
    } else if (bad) {
        page(r, 400, "Not subscribed", "component: not a component of this page.", NULL, NULL);
    } else {
        char lower[SUB_ADDRESS_MAX + 1];
        snprintf(lower, sizeof lower, "%s", email);
        for (char *p = lower; *p; p++)
            if (*p >= 'A' && *p <= 'Z')
                *p = (char)(*p - 'A' + 'a');
        snprintf(key, sizeof key, "sub-mail:%s", lower);
        if (rate_ok(r, key, SUB_MAIL_PER_MIN, SUB_MAIL_BURST)) {
            struct sub_job j = {.clock = r->app->clock,
                                .cfg = r->config,
                                .key = notifier_ack_key(r->app->notifier),
                                .s = {.kind = "email", .address = lower}};
            j.s.components = json_dumps(comps, JSON_COMPACT);
            enum result result = store_write(r->app->store, subscribe_job, &j, &err);
            free(j.s.components);
            if (result != OK) {
                reply_from_error(r, &err);
            } else {
                if (j.mailed)
                    notifier_kick(r->app->notifier);
                page(r, 200, "Check your mail",
                     "If this address is not subscribed yet, a mail with a confirmation link is "
                     "on its way. Nothing is sent to it until the link is used.",
                     NULL, NULL);
            }
        }
    }
    json_decref(comps);
    ui_form_free(&f);
}

/* ---- confirm, unsubscribe ---- */

struct state_job {
    struct tclock *clock;
    const char *id;
    enum sub_state to;
    int64_t now;
};

static enum result state_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct state_job *j = arg;
    j->now = clock_now(j->clock);
    struct subscriber s = {0};
    enum result result = store_subscriber_get(tx, j->id, &s);
    if (result != OK)
        return error_set(err, result, "id: no subscriber %.64s", j->id);
    if (s.state == j->to) {
        subscriber_free_fields(&s);
        return OK; /* twice is once */
    }
    if (j->to == SUB_CONFIRMED && s.state == SUB_UNSUBSCRIBED) {
        subscriber_free_fields(&s);
        return error_set(err, ERR_CONFLICT,
                         "state: this address unsubscribed; subscribe again from the page");
    }
    s.state = j->to;
    if (j->to == SUB_CONFIRMED)
        s.confirmed_at = j->now;
    else
        s.unsubscribed_at = j->now;
    result = store_subscriber_update(tx, &s);
    subscriber_free_fields(&s);
    if (result != OK)
        return error_set(err, result, "store: cannot store the subscription");
    json_t *data = json_pack("{s:s,s:s}", "id", j->id, "state", sub_state_name(j->to));
    return timeline_append(tx, j->now, "public",
                           j->to == SUB_CONFIRMED ? "subscriber.confirmed"
                                                  : "subscriber.unsubscribed",
                           NULL, data, NULL, err);
}

static void link_action(struct request *r, const char *purpose, enum sub_state to)
{
    const char *id = r->params[0], *token = r->params[1];
    bool post = strcmp(r->method, "POST") == 0;
    if (!sub_token_ok(notifier_ack_key(r->app->notifier), purpose, id, token)) {
        page(r, 403, "This link is not valid",
             "The link is incomplete or was not made by this server. Copy the whole link from "
             "the mail.",
             NULL, NULL);
        return;
    }
    bool confirm = to == SUB_CONFIRMED;
    if (!post) {
        char action[HTTP_PARAM_MAX * 2 + 64];
        snprintf(action, sizeof action, "/status/subscribers/%s/%s/%s", id, purpose, token);
        page(r, 200, confirm ? "Confirm your subscription" : "Unsubscribe",
             confirm ? "Press the button to start getting mail about this status page."
                     : "Press the button to stop getting mail about this status page.",
             action, confirm ? "Confirm" : "Unsubscribe");
        return;
    }
    struct error err = {0};
    struct state_job j = {.clock = r->app->clock, .id = id, .to = to};
    if (store_write(r->app->store, state_job, &j, &err) != OK) {
        if (err.code == ERR_NOT_FOUND || err.code == ERR_CONFLICT)
            page(r, err.code == ERR_NOT_FOUND ? 404 : 409, "Nothing changed", err.message, NULL,
                 NULL);
        else
            reply_from_error(r, &err);
        return;
    }
    page(r, 200, confirm ? "Subscribed" : "Unsubscribed",
         confirm ? "You will get a mail when the status page is updated."
                 : "You will get no more mail from this status page.",
         NULL, NULL);
}

static void status_confirm(struct request *r)
{
    link_action(r, "confirm", SUB_CONFIRMED);
}

static void status_unsubscribe(struct request *r)
{
    link_action(r, "unsubscribe", SUB_UNSUBSCRIBED);
}

/* ---- admin ---- */

/* Subscribers per page of GET /api/v1/subscribers (docs/api.md "Lists"); the CSV export is
 * the whole list on purpose (a file, streamed to an admin). */
enum { SUB_PAGE_DEFAULT = 500, SUB_PAGE_MAX = 1000 };

struct sub_list {
    struct page *page;
    json_t *arr;
};

static int list_json(const struct subscriber *s, void *arg)
{
    struct sub_list *l = arg;
    enum page_step step = page_take(l->page, s->created_at, s->id);
    if (step == PAGE_SKIP)
        return 0;
    if (step == PAGE_STOP)
        return 1;
    json_t *o = json_pack("{s:s,s:s,s:s,s:s}", "id", s->id, "kind", s->kind, "address", s->address,
                          "state", sub_state_name(s->state));
    json_t *c = json_loads(s->components ? s->components : "[]", 0, NULL);
    json_object_set_new(o, "components", c ? c : json_array());
    json_object_set_new(o, "created_at", api_time(s->created_at));
    json_object_set_new(o, "confirmed_at", api_time(s->confirmed_at));
    json_object_set_new(o, "unsubscribed_at", api_time(s->unsubscribed_at));
    json_object_set_new(o, "failures", json_integer(s->failures));
    json_object_set_new(o, "disabled_at", api_time(s->disabled_at));
    json_object_set_new(o, "last_error", api_str_or_null(s->last_error));
    json_array_append_new(l->arr, o);
    return 0;
}

static void api_subscribers(struct request *r)
{
    struct error err = {0};
    const char *state = request_query(r, "state");
    if (state && sub_state_parse(state) < 0) {
        reply_error(r, ERR_BAD_REQUEST, "state: one of pending, confirmed, unsubscribed, disabled");
        return;
    }
    struct page p;
    if (!page_parse_or_reply(r, &p, "sub", PAGE_ASC, SUB_PAGE_DEFAULT, SUB_PAGE_MAX))
        return;
    struct store_conn *c = store_reader(r->app->store, &err);
    struct sub_list l = {&p, json_array()};
    enum result result = c ? store_subscriber_list(c, state, list_json, &l) : err.code;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list subscribers");
        return;
    }
    static const char *const keep[] = {"state", NULL};
    json_t *out = json_pack("{s:o}", "subscribers", l.arr);
    page_finish(r, &p, out, keep);
    reply_json(r, 200, out);
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled. A field that
 * starts with = + - @ gets a leading ' (a spreadsheet would run it as a formula). */
static void csv_field(struct buf *b, const char *s, bool last)
{
    s = s ? s : "";
    bool formula = strchr("=+-@", s[0]) && s[0];
    if (strpbrk(s, ",\"\r\n") || formula) {
        buf_puts(b, formula ? "\"'" : "\"");
        for (const char *p = s; *p; p++)
            buf_puts(b, *p == '"' ? "\"\"" : (char[2]){*p, '\0'});
        buf_puts(b, "\"");
    } else {
        buf_puts(b, s);
    }
    buf_puts(b, last ? "\r\n" : ",");
}

static int list_csv(const struct subscriber *s, void *arg)
{
    struct buf *b = arg;
    char t[3][RFC3339_LEN];
    const int64_t times[3] = {s->created_at, s->confirmed_at, s->unsubscribed_at};
    for (int i = 0; i < 3; i++) {
        t[i][0] = '\0';
        if (times[i])
            time_format_rfc3339(times[i], t[i]);
    }
    csv_field(b, s->id, false);
    csv_field(b, s->kind, false);
    csv_field(b, s->address, false);
    csv_field(b, sub_state_name(s->state), false);
    csv_field(b, s->components, false);
    csv_field(b, t[0], false);
    csv_field(b, t[1], false);
    csv_field(b, t[2], true);
    return 0;
}

static void api_subscribers_csv(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct buf b;
    buf_init(&b, 64 << 20);
    buf_puts(&b, "id,kind,address,state,components,created_at,confirmed_at,unsubscribed_at\r\n");
    enum result result = c ? store_subscriber_list(c, NULL, list_csv, &b) : err.code;
    if (result != OK) {
        buf_free(&b);
        reply_error(r, result, "store: cannot list subscribers");
        return;
    }
    size_t len = b.len;
    reply_header(r, "Content-Disposition", "attachment; filename=\"subscribers.csv\"");
    reply_raw(r, 200, "text/csv; charset=utf-8", buf_steal(&b), len);
}

static const struct route routes[] = {
    {"POST", "/status/subscribe", status_subscribe, ACCESS_PUBLIC, "status_subscribe"},
    {"GET", "/status/subscribers/{id}/confirm/{token}", status_confirm, ACCESS_PUBLIC,
     "status_confirm_page"},
    {"POST", "/status/subscribers/{id}/confirm/{token}", status_confirm, ACCESS_PUBLIC,
     "status_confirm"},
    {"GET", "/status/subscribers/{id}/unsubscribe/{token}", status_unsubscribe, ACCESS_PUBLIC,
     "status_unsubscribe_page"},
    {"POST", "/status/subscribers/{id}/unsubscribe/{token}", status_unsubscribe, ACCESS_PUBLIC,
     "status_unsubscribe"},
    {"GET", "/api/v1/subscribers", api_subscribers, ACCESS_ADMIN, "subscribers_list"},
    {"GET", "/api/v1/subscribers.csv", api_subscribers_csv, ACCESS_ADMIN, "subscribers_csv"},
};
HTTP_ROUTES(subscribers, routes);
