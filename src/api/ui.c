/*
 * api/ui: the responder UI's pages under /ui/ (docs/internals/ui.md): sign in and out, the
 * incidents list, one incident, the declare form, on call, alerts and silences, the live-update
 * stream and the embedded
 * assets (web/ui/). The state-changing forms are in ui_actions.c.
 *
 * The routes are ACCESS_PUBLIC in the table: each handler checks the session cookie itself
 * (ui_session_or_redirect) and then reads through the API's own routes (ui_api), as the session's
 * user and role, so a page shows exactly what the API answers that user.
 *
 * Sign-in: the password is checked against the argon2id hash (on this request thread); failures
 * are limited per user and per client address (util/ratelimit, the app's buckets, keys
 * "ui-user:" and "ui-addr:"), checked before the hash is computed and taken only on a failure.
 * The cookie is HttpOnly, SameSite=Strict, Path=/ui, Max-Age = the session's life, and Secure
 * when server.public_url is https (tocsin behind a TLS proxy).
 */
#include "api/ui.h"
#include "jobs/session.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/ratelimit.h"
#include "web/ui.h"

#include "embedded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    SIGNIN_USER_PER_MIN = 5,
    SIGNIN_USER_BURST = 5,
    SIGNIN_ADDR_PER_MIN = 20,
    SIGNIN_ADDR_BURST = 20,
    SSE_RETRY_MS = 2000
};

static void view_of(struct request *r, const struct store_session *ses, struct ui_view *v,
                    const char *nav)
{
    memset(v, 0, sizeof *v);
    v->now = clock_now(r->app->clock);
    v->version = ui_version(r);
    v->nav = nav;
    if (ses) {
        v->user = ses->user;
        v->role = ses->role;
        v->csrf = ses->csrf;
    }
}

/* ---- sign in, sign out ---- */

static void ui_signin_page(struct request *r)
{
    struct ui_view v;
    view_of(r, NULL, &v, NULL);
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_signin(&h, &v, NULL, NULL);
    ui_reply_html(r, 200, &h);
}

static void signin_refused(struct request *r, int status, const char *user, const char *msg)
{
    struct ui_view v;
    view_of(r, NULL, &v, NULL);
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_signin(&h, &v, user, msg);
    ui_reply_html(r, status, &h);
}

/* The session cookie: the secret for `max_age` seconds, or an expired one to clear it. */
static void set_cookie(struct request *r, const char *secret, long long max_age)
{
    const char *pub = r->config->server.public_url;
    bool tls = pub && strncasecmp(pub, "https://", 8) == 0;
    char cookie[256];
    snprintf(cookie, sizeof cookie, "%s=%s; Path=/ui; HttpOnly; SameSite=Strict; Max-Age=%lld%s",
             UI_COOKIE, secret, max_age, tls ? "; Secure" : "");
    reply_header(r, "Set-Cookie", cookie);
}

/* A cross-site POST (an Origin that is neither this Host nor server.public_url's) is refused
 * before anything is read. No Origin (an old browser, curl): allowed. */
static bool same_origin(struct request *r)
{
    const char *origin = request_header(r, "Origin"), *host = request_header(r, "Host");
    const char *pub = r->config->server.public_url;
    if (!origin)
        return true;
    size_t n = strlen(origin);
    if (pub && n > 0 && strncmp(pub, origin, n) == 0 && (pub[n] == '\0' || pub[n] == '/'))
        return true; /* behind a proxy that rewrites Host */
    const char *p = strstr(origin, "://");
    return p && host && strcmp(p + 3, host) == 0;
}

/* Checks the password; a user with no password (or not in the config) costs the same hash. */
static bool password_ok(struct request *r, const char *user, const char *password,
                        struct store_login *login)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    bool found = c && config_user_find(r->config, user) && store_login_get(c, user, login) == OK;
    if (!found) {
        char scratch[CRYPTO_PWHASH_MAX];
        crypto_password_hash(password, scratch);
        return false;
    }
    return crypto_password_verify(login->hash, password);
}

static void ui_signin(struct request *r)
{
    struct ui_form f;
    struct error err = {0};
    if (!same_origin(r)) {
        signin_refused(r, 403, NULL, "origin: this form was sent from another site");
        return;
    }
    if (ui_form_parse(r->body, r->body_len, &f, &err) != OK) {
        signin_refused(r, 400, NULL, err.message);
        goto out;
    }
    const char *user = ui_form_get(&f, "user"), *password = ui_form_get(&f, "password");
    if (!user || !*user || !password || !*password || strlen(user) >= STORE_LOGIN_USER_MAX ||
        strlen(password) > 1024) {
        signin_refused(r, 400, user, "user and password: both are required");
        goto out;
    }
    char addr[64], kuser[STORE_LOGIN_USER_MAX + 16], kaddr[80];
    request_peer(r, addr, sizeof addr);
    snprintf(kuser, sizeof kuser, "ui-user:%s", user);
    snprintf(kaddr, sizeof kaddr, "ui-addr:%s", addr);
    int64_t now = clock_now(r->app->clock), wait_user = 0, wait_addr = 0;
    bool ok_user = ratelimit_check(r->app->ratelimit, kuser, now, SIGNIN_USER_PER_MIN,
                                   SIGNIN_USER_BURST, 1, &wait_user);
    bool ok_addr = ratelimit_check(r->app->ratelimit, kaddr, now, SIGNIN_ADDR_PER_MIN,
                                   SIGNIN_ADDR_BURST, 1, &wait_addr);
    if (!ok_user || !ok_addr) {
        char retry[24], msg[160];
        long long wait = (long long)(wait_user > wait_addr ? wait_user : wait_addr);
        snprintf(retry, sizeof retry, "%lld", wait);
        snprintf(msg, sizeof msg, "Too many failed sign-ins; try again in %lld s.", wait);
        reply_header(r, "Retry-After", retry);
        signin_refused(r, 429, user, msg);
        goto out;
    }
    struct store_login login;
    if (!password_ok(r, user, password, &login)) {
        ratelimit_take(r->app->ratelimit, kuser, now, SIGNIN_USER_PER_MIN, SIGNIN_USER_BURST, 1,
                       NULL);
        ratelimit_take(r->app->ratelimit, kaddr, now, SIGNIN_ADDR_PER_MIN, SIGNIN_ADDR_BURST, 1,
                       NULL);
        log_info("ui: failed sign-in for \"%.64s\" from %s", user, addr);
        signin_refused(r, 401, user, "Wrong user or password.");
        goto out;
    }
    char secret[SESSION_SECRET_MAX];
    struct store_session ses;
    if (session_open(r->app->store, now, UI_SESSION_TTL_MS, login.user, login.role, secret, &ses,
                     &err) != OK) {
        signin_refused(r, 503, user, err.message);
        goto out;
    }
    set_cookie(r, secret, UI_SESSION_TTL_MS / 1000);
    ui_redirect(r, "/ui/");
out:
    ui_form_free(&f);
}

static void ui_signout(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    struct error err = {0};
    enum result result = session_close(r->app->store, clock_now(r->app->clock), &ses, &err);
    if (result != OK && result != ERR_NOT_FOUND) {
        ui_reply_refused(r, 503, err.message, "/ui/", &ses);
        goto out;
    }
    set_cookie(r, "", 0);
    ui_redirect(r, "/ui/signin");
out:
    ui_form_free(&f);
}

/* ---- pages ---- */

static void ui_root(struct request *r)
{
    ui_redirect(r, "/ui/");
}

/* A query value for a filter: NULL unless it is short and plain. */
static const char *filter_value(struct request *r, const char *key)
{
    const char *s = request_query(r, key);
    if (!s || !*s || strlen(s) > 64 || strpbrk(s, "&=%"))
        return NULL;
    return s;
}

static void ui_incidents(struct request *r)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    struct ui_filter f = {filter_value(r, "status"), filter_value(r, "severity"),
                          filter_value(r, "service"), filter_value(r, "type"),
                          filter_value(r, "drill")};
    char path[160];
    snprintf(path, sizeof path, "/api/v1/incidents?limit=1000&status=%s",
             f.status ? f.status : "open");
    json_t *list = NULL;
    int status = ui_api(r, "GET", path, NULL, &list);
    if (status != 200) {
        ui_reply_refused(r, status, ui_api_message(list), "/ui/", &ses);
        json_decref(list);
        return;
    }
    struct ui_view v;
    view_of(r, &ses, &v, "incidents");
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_incidents(&h, &v, list, &f, r->config);
    ui_reply_html(r, 200, &h);
    json_decref(list);
}

/* GET of an API path under the incident (suffix may be ""); NULL unless it answered 200. */
static json_t *incident_part(struct request *r, const char *suffix, int *status)
{
    char path[320];
    snprintf(path, sizeof path, "/api/v1/incidents/%s%s", r->params[0], suffix);
    json_t *out = NULL;
    int st = ui_api(r, "GET", path, NULL, &out);
    if (status)
        *status = st;
    if (st != 200 && !status) {
        json_decref(out);
        return NULL;
    }
    return out;
}

static void ui_incident(struct request *r)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    if (!ui_id_ok(r->params[0])) {
        ui_reply_refused(r, 404, "id: no such incident", "/ui/", &ses);
        return;
    }
    int status;
    json_t *inc = incident_part(r, "", &status);
    if (status != 200) {
        ui_reply_refused(r, status, ui_api_message(inc), "/ui/", &ses);
        json_decref(inc);
        return;
    }
    char apath[HTTP_PARAM_MAX + 64];
    snprintf(apath, sizeof apath, "/api/v1/actions?incident=%s&status=all", r->params[0]);
    json_t *acts = NULL;
    if (ui_api(r, "GET", apath, NULL, &acts) != 200) {
        json_decref(acts);
        acts = NULL;
    }
    struct ui_incident_data d = {.incident = inc,
                                 .timeline = incident_part(r, "/timeline", NULL),
                                 .alerts = incident_part(r, "/alerts", NULL),
                                 .notifications = incident_part(r, "/notifications", NULL),
                                 .checklists = incident_part(r, "/checklists", NULL),
                                 .runbooks = incident_part(r, "/runbooks", NULL),
                                 .postmortem = incident_part(r, "/postmortem", NULL),
                                 .actions = acts};
    struct ui_view v;
    view_of(r, &ses, &v, "incidents");
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_incident(&h, &v, &d, r->config);
    ui_reply_html(r, 200, &h);
    json_decref(inc);
    json_decref((json_t *)d.timeline);
    json_decref((json_t *)d.alerts);
    json_decref((json_t *)d.notifications);
    json_decref((json_t *)d.checklists);
    json_decref((json_t *)d.runbooks);
    json_decref((json_t *)d.postmortem);
    json_decref(acts);
}

static void ui_declare_page(struct request *r)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    struct ui_view v;
    view_of(r, &ses, &v, "declare");
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_declare(&h, &v, r->config);
    ui_reply_html(r, 200, &h);
}

/* GET path as the session's user: the JSON, or NULL after answering the refusal page. */
static json_t *read_or_reply(struct request *r, const struct store_session *ses, const char *path)
{
    json_t *out = NULL;
    int status = ui_api(r, "GET", path, NULL, &out);
    if (status == 200 && out)
        return out;
    ui_reply_refused(r, status == 200 ? 500 : status, ui_api_message(out), "/ui/", ses);
    json_decref(out);
    return NULL;
}

/* Who is on call when each current shift ends: one entry per current entry, same shape. */
static json_t *oncall_next(struct request *r, const json_t *now)
{
    json_t *next = json_array();
    const json_t *cur = json_object_get(now, "oncall");
    for (size_t i = 0; i < json_array_size(cur); i++) {
        const json_t *e = json_array_get(cur, i);
        const char *sched = json_string_value(json_object_get(e, "schedule"));
        const char *until = json_string_value(json_object_get(e, "until"));
        const json_t *layer = json_object_get(e, "layer");
        if (!sched || !until)
            continue;
        char path[400];
        snprintf(path, sizeof path, "/api/v1/oncall?schedule=%.120s&at=%.40s", sched, until);
        json_t *then = NULL;
        if (ui_api(r, "GET", path, NULL, &then) == 200) {
            const json_t *list = json_object_get(then, "oncall");
            for (size_t k = 0; k < json_array_size(list); k++) {
                json_t *x = json_array_get(list, k);
                if (json_equal(json_object_get(x, "layer"), (json_t *)layer))
                    json_array_append(next, x);
            }
        }
        json_decref(then);
    }
    return next;
}

static void ui_oncall(struct request *r)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    json_t *now = read_or_reply(r, &ses, "/api/v1/oncall");
    if (!now)
        return;
    json_t *overrides = read_or_reply(r, &ses, "/api/v1/overrides");
    if (!overrides) {
        json_decref(now);
        return;
    }
    json_t *next = oncall_next(r, now);
    struct ui_view v;
    view_of(r, &ses, &v, "oncall");
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_oncall(&h, &v, now, next, overrides, r->config);
    ui_reply_html(r, 200, &h);
    json_decref(now);
    json_decref(next);
    json_decref(overrides);
}

static void ui_alerts(struct request *r)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    json_t *alerts = read_or_reply(r, &ses, "/api/v1/alerts?limit=1000");
    if (!alerts)
        return;
    json_t *silences = read_or_reply(r, &ses, "/api/v1/silences");
    if (!silences) {
        json_decref(alerts);
        return;
    }
    struct ui_view v;
    view_of(r, &ses, &v, "alerts");
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_alerts(&h, &v, alerts, silences, r->config);
    ui_reply_html(r, 200, &h);
    json_decref(alerts);
    json_decref(silences);
}

/* ---- live updates ---- */

/* Server-sent events: one event carrying the timeline's last seq (every incident change appends
 * to the timeline), then the response ends and EventSource reconnects after `retry`. So no pool
 * thread is held by an open tab; web/ui/ui.js re-reads the page's <main> when the number moves,
 * and polls this route with fetch where EventSource is missing. */
static void ui_events(struct request *r)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    char body[96];
    int n = snprintf(body, sizeof body, "retry: %d\ndata: %lld\n\n", SSE_RETRY_MS,
                     (long long)ui_version(r));
    reply_header(r, "Cache-Control", "no-store");
    reply_raw(r, 200, "text/event-stream; charset=utf-8", xstrdup(body), (size_t)n);
}

/* ---- assets ---- */

static const char *content_type_of(const char *name)
{
    const char *dot = strrchr(name, '.');
    if (dot && strcmp(dot, ".css") == 0)
        return "text/css; charset=utf-8";
    if (dot && strcmp(dot, ".js") == 0)
        return "text/javascript; charset=utf-8";
    if (dot && strcmp(dot, ".svg") == 0)
        return "image/svg+xml";
    return "application/octet-stream";
}

static void ui_static(struct request *r)
{
    char name[HTTP_PARAM_MAX + 8];
    snprintf(name, sizeof name, "ui/%s", r->params[0]);
    for (size_t i = 0; i < embedded_web_count; i++) {
        const struct embedded_file *w = &embedded_web[i];
        if (strcmp(w->name, name) != 0)
            continue;
        char *copy = xmalloc(w->len + 1);
        memcpy(copy, w->data, w->len);
        reply_header(r, "Cache-Control", "no-cache");
        reply_raw(r, 200, content_type_of(name), copy, w->len);
        return;
    }
    reply_raw(r, 404, "text/plain; charset=utf-8", xstrdup("not found\n"), 10);
}

static const struct route routes[] = {
    {"GET", "/ui", ui_root, ACCESS_PUBLIC, "ui_root"},
    {"GET", "/ui/", ui_incidents, ACCESS_PUBLIC, "ui_incidents"},
    {"GET", "/ui/signin", ui_signin_page, ACCESS_PUBLIC, "ui_signin_page"},
    {"POST", "/ui/signin", ui_signin, ACCESS_PUBLIC, "ui_signin"},
    {"POST", "/ui/signout", ui_signout, ACCESS_PUBLIC, "ui_signout"},
    {"GET", "/ui/incidents/{id}", ui_incident, ACCESS_PUBLIC, "ui_incident"},
    {"GET", "/ui/declare", ui_declare_page, ACCESS_PUBLIC, "ui_declare_page"},
    {"GET", "/ui/oncall", ui_oncall, ACCESS_PUBLIC, "ui_oncall"},
    {"GET", "/ui/alerts", ui_alerts, ACCESS_PUBLIC, "ui_alerts"},
    {"GET", "/ui/events", ui_events, ACCESS_PUBLIC, "ui_events"},
    {"GET", "/ui/static/{name}", ui_static, ACCESS_PUBLIC, "ui_static"},
};
HTTP_ROUTES(ui, routes);
