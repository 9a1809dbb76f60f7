/*
 * api/notifications: the outbox as seen from an incident, paging a person by hand, and SMS
 * replies.
 *   GET  /api/v1/incidents/{id}/notifications (viewer): every row about the incident with its
 *        attempts. Slack and webhook URLs are secrets (whoever has one can post), so only their
 *        scheme and host are shown.
 *   POST /api/v1/incidents/{id}/page {user, message?} (responder): pages a user about the incident
 *        now ("add responder"), key "manual:<n>"; 422 unknown user or a user with no method, 409 a
 *        closed incident. One store job: the rows and notify.queued land together; then the
 *        notifier is kicked so the first message leaves at once.
 *   POST /api/v1/sms/inbound (public; notify.sms.inbound_secret as bearer or ?secret=, compared in
 *        constant time; 404 when not configured): a gateway's inbound SMS webhook, form-encoded
 *        (Twilio: From, Body) or JSON {from, body}. "ACK <code>" (any case; code = the row id the
 *        SMS carried) acknowledges that row's incident when From is the number the row was sent
 *        to. Answers JSON {"result": "acknowledged" | "already <status>", ...}.
 */
#include "api/api.h"
#include "api/paging.h"
#include "jobs/incident_ops.h"
#include "domain/notify_render.h"
#include "jobs/notify_enqueue.h"
#include "runtime/notifier.h"
#include "jobs/timeline.h"
#include "util/crypto.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/num.h"
#include "store/incidents.h"
#include "store/notifications.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* GET .../notifications: rows per page (docs/api.md "Lists"); all of an incident's by default */
enum { LIST_DEFAULT = 1000, LIST_MAX = 1000 };
#include <strings.h>

enum { MESSAGE_MAX = 2000, FORM_VALUE_MAX = 1600 };

/* ---- listing ---- */

/* "https://hooks.slack.com/..." for a URL; the address as is for the other methods. */
static json_t *shown_address(const struct store_notification *n)
{
    if (strcmp(n->method, "slack") != 0 && strcmp(n->method, "webhook") != 0)
        return json_string(n->address);
    const char *host = strstr(n->address, "://");
    host = host ? host + 3 : n->address;
    size_t hl = strcspn(host, "/?#");
    char out[300];
    snprintf(out, sizeof out, "%.*s%.*s/...", (int)(host - n->address), n->address,
             (int)(hl < 200 ? hl : 200), host);
    return json_string(out);
}

static int attempt_json(const struct store_notification_attempt *a, void *arg)
{
    json_t *o = json_pack("{s:o,s:b,s:o,s:o,s:I}", "at", api_time(a->at), "ok", a->ok, "code",
                          a->code ? json_integer(a->code) : json_null(), "error",
                          a->error ? json_string(a->error) : json_null(), "duration_ms",
                          (json_int_t)a->duration_ms);
    json_array_append_new(arg, o);
    return 0;
}

static json_t *id_or_null(int64_t id)
{
    return id ? json_integer(id) : json_null();
}

struct list_ctx {
    struct store_conn *c;
    json_t *arr;
    const char *key;   /* only this key, or NULL */
    struct page *page; /* only this page (api/paging.h), or NULL: all */
    enum result result;
};

static int row_json(const struct store_notification *n, void *arg)
{
    struct list_ctx *l = arg;
    if (l->key && strcmp(n->dkey, l->key) != 0)
        return 0;
    enum page_step step = l->page ? page_take(l->page, n->id, NULL) : PAGE_TAKE;
    if (step != PAGE_TAKE)
        return step == PAGE_STOP;
    json_t *attempts = json_array();
    enum result result = store_notification_attempts(l->c, n->id, attempt_json, attempts);
    if (result != OK) {
        json_decref(attempts);
        l->result = result;
        return 1;
    }
    json_t *o = json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:s,s:o,s:o,s:s?,s:s?}", "id",
                          (json_int_t)n->id, "kind", n->kind, "key", n->dkey, "user", n->user_id,
                          "method", n->method, "address", shown_address(n), "status", n->status,
                          "attempts", attempts, "bundled_into", id_or_null(n->bundled_into),
                          "last_error", n->last_error, "reason", n->reason);
    json_object_set_new(o, "bundle_count", json_integer(n->bundle_count));
    json_object_set_new(o, "fallback_of", id_or_null(n->fallback_of));
    json_object_set_new(o, "created_at", api_time(n->created_at));
    json_object_set_new(o, "due_at", api_time(n->due_at));
    json_object_set_new(o, "next_attempt_at",
                        strcmp(n->status, "pending") == 0 ? api_time(n->next_attempt_at)
                                                          : json_null());
    json_object_set_new(o, "sent_at", api_time(n->sent_at));
    json_array_append_new(l->arr, o);
    return 0;
}

/* The incident's rows (only `key`'s when set) as JSON, or NULL (err filled). */
static json_t *rows_json(struct request *r, const char *incident, const char *key,
                         struct page *page, struct error *err)
{
    struct store_conn *c = store_reader(r->app->store, err);
    if (!c)
        return NULL;
    struct list_ctx l = {.c = c, .arr = json_array(), .key = key, .page = page};
    enum result result = store_notification_list(c, incident, row_json, &l);
    if (result == OK)
        result = l.result;
    if (result != OK) {
        json_decref(l.arr);
        error_set(err, result, "store: cannot read the notifications of %.64s", incident);
        return NULL;
    }
    return l.arr;
}

static void api_incident_notifications(struct request *r)
{
    struct error err = {0};
    struct incident inc;
    if (!api_incident_load_or_reply(r, &inc))
        return;
    incident_free_fields(&inc);
    struct page page;
    if (!page_parse_or_reply(r, &page, "nt", PAGE_ASC, LIST_DEFAULT, LIST_MAX))
        return;
    json_t *arr = rows_json(r, r->params[0], NULL, &page, &err);
    if (!arr) {
        reply_from_error(r, &err);
        return;
    }
    json_t *body = json_pack("{s:o}", "notifications", arr);
    page_finish(r, &page, body, NULL);
    reply_json(r, 200, body);
}

/* ---- paging by hand ---- */

struct page_job {
    const char *id, *user, *message, *actor;
    struct tclock *clock;
    const struct config *cfg;
    char key[48];
    int queued;
};

static enum result page_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct page_job *j = arg;
    int64_t now = clock_now(j->clock), n = 0;
    struct incident inc;
    enum result result = store_incident_get(tx, j->id, &inc);
    if (result == ERR_NOT_FOUND)
        return error_set(err, result, "id: no incident %.64s", j->id);
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %.64s", j->id);
    char counter[64], reason[160], note[4 * MESSAGE_MAX + 200]; /* MESSAGE_MAX characters */
    if (inc.status == INC_CLOSED) {
        result =
            error_set(err, ERR_CONFLICT, "status: %s is closed; nobody is paged about it", inc.id);
        goto out;
    }
    snprintf(counter, sizeof counter, "page:%s", inc.id);
    result = store_counter_next(tx, counter, &n);
    if (result != OK) {
        error_set(err, result, "store: cannot number the page");
        goto out;
    }
    snprintf(j->key, sizeof j->key, "manual:%lld", (long long)n);
    snprintf(reason, sizeof reason, "paged by %s", j->actor);
    if (j->message)
        snprintf(note, sizeof note, "Message from %s: %s", j->actor, j->message);
    struct notify_message m = {.kind = NOTIFY_PAGE,
                               .key = j->key,
                               .user = j->user,
                               .inc = &inc,
                               .reason = reason,
                               .actor = j->actor,
                               .note = j->message ? note : NULL};
    result = notify_enqueue(tx, j->cfg, &m, now, &j->queued, err);
out:
    incident_free_fields(&inc);
    return result;
}

static const char *user_at(const struct config *c, size_t i)
{
    return c->users[i].id;
}

static enum result check_user(const struct config *cfg, const char *user, struct error *err)
{
    if (config_user_find(cfg, user))
        return OK;
    if (strncmp(user, "contact:", 8) == 0) { /* the contacts directory (config contacts:) */
        const struct config_contact *ct = config_contact_find(cfg, user + 8);
        if (ct && (ct->email || ct->phone))
            return OK;
        return error_set(err, ERR_UNPROCESSABLE,
                         ct ? "user: contact %.64s has no email or phone"
                            : "user: no contact \"%.64s\" in the contacts directory",
                         user + 8);
    }
    char known[300] = "";
    size_t used = 0;
    for (size_t i = 0; i < cfg->user_count && used + 70 < sizeof known; i++)
        used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                 user_at(cfg, i));
    return error_set(err, ERR_UNPROCESSABLE, "user: unknown user \"%.64s\" (known: %s)", user,
                     cfg->user_count ? known : "none configured");
}

static void api_incident_page(struct request *r)
{
    static const char *const fields[] = {"user", "message", NULL};
    struct error err = {0};
    json_t *body = NULL;
    struct page_job j = {
        .id = r->params[0], .actor = r->who.actor, .clock = r->app->clock, .cfg = r->config};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "user", true, 1, 64, &j.user, &err);
    if (result == OK)
        result = jsonv_string(body, "message", false, 1, MESSAGE_MAX, &j.message, &err);
    if (result == OK)
        result = check_user(r->config, j.user, &err);
    if (result == OK)
        result = store_write(r->app->store, page_job, &j, &err);
    if (result == OK)
        notifier_kick(r->app->notifier);
    json_t *rows = result == OK ? rows_json(r, r->params[0], j.key, NULL, &err) : NULL;
    if (!rows) {
        reply_from_error(r, &err);
    } else {
        reply_json(r, 201,
                   json_pack("{s:s,s:s,s:s,s:i,s:o}", "incident", r->params[0], "user", j.user,
                             "key", j.key, "queued", j.queued, "notifications", rows));
    }
    json_decref(body);
}

/* ---- SMS replies ---- */

static int hexval(char c)
{
    return c >= '0' && c <= '9'   ? c - '0'
           : c >= 'a' && c <= 'f' ? c - 'a' + 10
           : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                  : -1;
}

/* Decodes application/x-www-form-urlencoded text s[0..len) into out (capped, NUL-ended). */
static void form_decode(const char *s, size_t len, char *out, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < len && o + 1 < n; i++) {
        int hi = i + 2 < len ? hexval(s[i + 1]) : -1, lo = i + 2 < len ? hexval(s[i + 2]) : -1;
        if (s[i] == '+') {
            out[o++] = ' ';
        } else if (s[i] == '%' && hi >= 0 && lo >= 0) {
            out[o++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
}

/* The decoded value of the first field named key (or its lowercase twin), or false. */
static bool form_value(const char *body, size_t len, const char *key, char *out, size_t n)
{
    size_t i = 0;
    while (i < len) {
        size_t end = i;
        while (end < len && body[end] != '&')
            end++;
        const char *eq = memchr(body + i, '=', end - i);
        char name[64];
        form_decode(body + i, (size_t)((eq ? eq : body + end) - (body + i)), name, sizeof name);
        if (strcasecmp(name, key) == 0) {
            form_decode(eq ? eq + 1 : body + end, eq ? (size_t)(body + end - eq - 1) : 0, out, n);
            return true;
        }
        i = end + 1;
    }
    return false;
}

/* from and body out of a JSON ({from, body}) or form (From, Body) request. */
static enum result parse_sms(struct request *r, char *from, size_t fn, char *text, size_t tn,
                             struct error *err)
{
    const char *ctype = request_header(r, "Content-Type");
    if (ctype && strncasecmp(ctype, "application/json", 16) == 0) {
        static const char *const fields[] = {"from", "body", NULL};
        json_t *body = NULL;
        const char *f = NULL, *t = NULL;
        enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, err);
        if (result == OK)
            result = jsonv_only(body, fields, err);
        if (result == OK)
            result = jsonv_string(body, "from", true, 1, 64, &f, err);
        if (result == OK)
            result = jsonv_string(body, "body", true, 0, FORM_VALUE_MAX, &t, err);
        if (result == OK) {
            snprintf(from, fn, "%s", f);
            snprintf(text, tn, "%s", t);
        }
        json_decref(body);
        return result;
    }
    if (!form_value(r->body, r->body_len, "From", from, fn) || !from[0])
        return error_set(err, ERR_BAD_REQUEST, "From: required (the sender's number)");
    if (!form_value(r->body, r->body_len, "Body", text, tn))
        return error_set(err, ERR_BAD_REQUEST, "Body: required (the message text)");
    return OK;
}

/* "ACK 123" (any case, spaces around) -> 123; -1 when the text is not that. */
static int64_t ack_code(const char *text)
{
    while (isspace((unsigned char)*text))
        text++;
    if (strncasecmp(text, "ack", 3) != 0 || !isspace((unsigned char)text[3]))
        return -1;
    const char *p = text + 3;
    while (isspace((unsigned char)*p))
        p++;
    char digits[24];
    size_t n = strspn(p, "0123456789");
    const char *rest = p + n;
    while (isspace((unsigned char)*rest))
        rest++;
    int64_t code;
    if (n == 0 || n >= sizeof digits || *rest)
        return -1;
    memcpy(digits, p, n);
    digits[n] = '\0';
    return num_parse_i64(digits, 1, INT64_MAX, &code) == 0 ? code : -1;
}

static bool sms_secret_or_reply(struct request *r)
{
    const char *want = r->config->notify.sms.inbound_secret;
    if (!want) {
        reply_error(r, ERR_NOT_FOUND,
                    "path: SMS replies are off (set notify.sms.inbound_secret to turn them on)");
        return false;
    }
    const char *got = auth_bearer(r);
    if (!got)
        got = request_query(r, "secret");
    if (!got || !crypto_str_eq(got, want)) {
        reply_error(r, ERR_UNAUTHORIZED,
                    "authorization: the SMS inbound secret is missing or wrong (bearer, or "
                    "?secret=)");
        return false;
    }
    snprintf(r->who.actor, sizeof r->who.actor, "sms-gateway");
    r->who.authenticated = true;
    return true;
}

struct sms_ack_job {
    const struct store_notification *row;
    struct tclock *clock;
    struct incident inc;
    bool found, acked;
};

static enum result sms_ack_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct sms_ack_job *j = arg;
    char actor[128];
    snprintf(actor, sizeof actor, "user:%s (sms)", j->row->user_id);
    enum result result = incident_ops_ack_triggered(tx, j->row->incident_id, clock_now(j->clock),
                                                    actor, &j->inc, &j->acked, err);
    j->found = result == OK;
    if (result == ERR_NOT_FOUND)
        return error_set(err, ERR_UNPROCESSABLE, "body: incident %s is gone", j->row->incident_id);
    return result;
}

/* The row an "ACK <code>" names, checked against the sender; false when answered. */
static bool sms_row_or_reply(struct request *r, int64_t code, const char *from,
                             struct store_notification *row)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    enum result result = c ? store_notification_get(c, code, row) : err.code;
    if (result == ERR_NOT_FOUND) {
        reply_error(r, ERR_UNPROCESSABLE, "body: unknown code %lld", (long long)code);
        return false;
    }
    if (result != OK) {
        reply_error(r, ERR_UNAVAILABLE, "store: cannot read notification %lld", (long long)code);
        return false;
    }
    bool wrong_number = strcmp(row->method, "sms") != 0 || strcmp(row->address, from) != 0;
    if (wrong_number)
        reply_error(r, ERR_UNPROCESSABLE, "from: code %lld was not sent to this number",
                    (long long)code);
    else if (!row->incident_id[0])
        reply_error(r, ERR_UNPROCESSABLE, "body: code %lld is not about an incident",
                    (long long)code);
    else
        return true;
    store_notification_free_fields(row);
    return false;
}

static void api_sms_inbound(struct request *r)
{
    char from[80], text[FORM_VALUE_MAX + 1];
    struct error err = {0};
    if (!sms_secret_or_reply(r))
        return;
    if (parse_sms(r, from, sizeof from, text, sizeof text, &err) != OK) {
        reply_from_error(r, &err);
        return;
    }
    int64_t code = ack_code(text);
    if (code < 0) {
        reply_error(r, ERR_UNPROCESSABLE,
                    "body: not understood (reply ACK and the code from the message, e.g. ACK 12)");
        return;
    }
    struct store_notification row;
    if (!sms_row_or_reply(r, code, from, &row))
        return;
    struct sms_ack_job j = {.row = &row, .clock = r->app->clock};
    if (store_write(r->app->store, sms_ack_job, &j, &err) != OK) {
        reply_from_error(r, &err);
    } else {
        char result[64];
        snprintf(result, sizeof result, "%s%s", j.acked ? "" : "already ",
                 j.acked ? "acknowledged" : incident_status_name(j.inc.status));
        reply_json(r, 200,
                   json_pack("{s:s,s:s,s:s,s:s}", "result", result, "incident", j.inc.id, "status",
                             incident_status_name(j.inc.status), "user", row.user_id));
    }
    if (j.found)
        incident_free_fields(&j.inc);
    store_notification_free_fields(&row);
}

static const struct route routes[] = {
    {"GET", "/api/v1/incidents/{id}/notifications", api_incident_notifications, ACCESS_VIEWER,
     "incident_notifications"},
    {"POST", "/api/v1/incidents/{id}/page", api_incident_page, ACCESS_RESPONDER, "incident_page"},
    {"POST", "/api/v1/sms/inbound", api_sms_inbound, ACCESS_PUBLIC, "sms_inbound"},
};
HTTP_ROUTES(notifications, routes);
