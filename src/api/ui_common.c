/*
 * api/ui_common: see ui.h. The session check, the CSRF check, the form parser, the calls into
 * the API's own routes, and the replies every UI route uses.
 */
#include "api/ui.h"
#include "jobs/session.h"
#include "store/timeline.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/utf8.h"
#include "web/ui.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Decodes [s, s+n) into out (which has room for n + 1); false on a bad or %00 escape. */
static bool form_decode(const char *s, size_t n, char *out)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '+') {
            out[w++] = ' ';
        } else if (s[i] == '%') {
            int hi = i + 1 < n ? hexval(s[i + 1]) : -1;
            int lo = i + 2 < n ? hexval(s[i + 2]) : -1;
            if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
                return false;
            out[w++] = (char)(hi * 16 + lo);
            i += 2;
        } else {
            out[w++] = s[i];
        }
    }
    out[w] = '\0';
    return utf8_valid(out, w);
}

enum result ui_form_parse(const char *body, size_t len, struct ui_form *f, struct error *err)
{
    memset(f, 0, sizeof *f);
    /* Decoding never grows a string; each field takes its key and value, each with its NUL: at
     * most len + 1 bytes of text and separators, plus one NUL more per field without '='
     * ("a&b" is 3 bytes and needs "a\0\0b\0\0"), so twice len + 2 is always enough. */
    f->mem = xmalloc(2 * len + 2);
    size_t used = 0;
    const char *p = body, *end = body + len;
    while (p < end) {
        const char *amp = memchr(p, '&', (size_t)(end - p));
        const char *stop = amp ? amp : end;
        if (stop > p) {
            if (f->n >= UI_FORM_MAX)
                return error_set(err, ERR_BAD_REQUEST, "form: more than %d fields", UI_FORM_MAX);
            const char *eq = memchr(p, '=', (size_t)(stop - p));
            const char *kend = eq ? eq : stop;
            char *k = f->mem + used;
            if (!form_decode(p, (size_t)(kend - p), k))
                return error_set(err, ERR_BAD_REQUEST, "form: a field name is badly encoded");
            used += strlen(k) + 1;
            char *v = f->mem + used;
            const char *vs = eq ? eq + 1 : stop;
            if (!form_decode(vs, (size_t)(stop - vs), v))
                return error_set(err, ERR_BAD_REQUEST, "%.60s: the value is badly encoded", k);
            used += strlen(v) + 1;
            f->key[f->n] = k;
            f->val[f->n] = v;
            f->n++;
        }
        p = stop + 1;
    }
    return OK;
}

const char *ui_form_get(const struct ui_form *f, const char *key)
{
    for (int i = 0; i < f->n; i++)
        if (strcmp(f->key[i], key) == 0)
            return f->val[i];
    return NULL;
}

void ui_form_free(struct ui_form *f)
{
    free(f->mem);
    memset(f, 0, sizeof *f);
}

/* ---- sessions ---- */

static enum result session_of(struct request *r, struct store_session *ses)
{
    const char *secret = request_cookie(r, UI_COOKIE);
    if (!secret || !*secret)
        return ERR_UNAUTHORIZED;
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    if (!c)
        return err.code;
    return session_lookup(c, secret, clock_now(r->app->clock), ses);
}

bool ui_session_or_redirect(struct request *r, struct store_session *ses)
{
    enum result result = session_of(r, ses);
    if (result == OK) {
        int a = access_parse(ses->role);
        r->who.authenticated = true;
        r->who.access = a < 0 ? ACCESS_VIEWER : (enum access)a;
        snprintf(r->who.name, sizeof r->who.name, "%.64s", ses->user);
        snprintf(r->who.actor, sizeof r->who.actor, "user:%.64s", ses->user);
        return true;
    }
    if (result != ERR_UNAUTHORIZED) {
        ui_reply_refused(r, 503, "The store cannot be read right now; try again.", "/ui/", NULL);
        return false;
    }
    if (strcmp(r->method, "GET") == 0) {
        ui_redirect(r, "/ui/signin");
        return false;
    }
    ui_reply_refused(r, 401, "You are not signed in (or your session ended): sign in again.",
                     "/ui/signin", NULL);
    return false;
}

bool ui_post_or_reply(struct request *r, struct store_session *ses, struct ui_form *f)
{
    memset(f, 0, sizeof *f);
    if (!ui_session_or_redirect(r, ses))
        return false;
    const char *ct = request_header(r, "Content-Type");
    if (!ct || strncasecmp(ct, "application/x-www-form-urlencoded", 33) != 0) {
        ui_reply_refused(r, 400, "content-type: send the form as application/x-www-form-urlencoded",
                         "/ui/", ses);
        return false;
    }
    struct error err = {0};
    if (ui_form_parse(r->body, r->body_len, f, &err) != OK) {
        ui_reply_refused(r, 400, err.message, "/ui/", ses);
        return false;
    }
    const char *csrf = ui_form_get(f, "csrf");
    if (!csrf || !crypto_str_eq(csrf, ses->csrf)) {
        ui_reply_refused(r, 403,
                         "csrf: the form's token does not match your session (reload the page "
                         "and try again)",
                         "/ui/", ses);
        return false;
    }
    return true;
}

/* ---- calls into the API ---- */

int ui_api(struct request *r, const char *method, const char *path, json_t *body, json_t **out)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    const char *q = strchr(path, '?');
    char route_path[512];
    snprintf(route_path, sizeof route_path, "%.*s", q ? (int)(q - path) : (int)strlen(path), path);
    struct request sub = {.app = r->app,
                          .conn = NULL,
                          .query = q ? q + 1 : "",
                          .method = method,
                          .path = route_path,
                          .body = text ? text : "",
                          .body_len = text ? strlen(text) : 0,
                          .route = -1,
                          .who = r->who,
                          .config = r->config};
    router_call(&sub);
    *out = NULL;
    if (sub.resp && sub.content_type && strcmp(sub.content_type, "application/json") == 0)
        *out = json_loadb(sub.resp, sub.resp_len, 0, NULL);
    free(sub.resp);
    for (int i = 0; i < sub.nheaders; i++)
        free(sub.headers[i].value);
    free(text);
    return sub.status;
}

const char *ui_api_message(const json_t *answer)
{
    const char *m = json_string_value(json_object_get(json_object_get(answer, "error"), "message"));
    return m ? m : "the server refused this";
}

bool ui_id_ok(const char *id)
{
    size_t n = strlen(id);
    return n > 0 && n <= 128 &&
           strspn(id, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:-") == n;
}

int64_t ui_version(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    int64_t seq = 0;
    char hash[SHA256_HEX_LEN];
    if (!c || store_timeline_last(c, &seq, hash) != OK)
        return 0;
    return seq;
}

/* ---- replies ---- */

void ui_redirect(struct request *r, const char *location)
{
    reply_header(r, "Location", location);
    reply_header(r, "Cache-Control", "no-store");
    reply_raw(r, 303, "text/plain; charset=utf-8", xstrdup("See Other\n"), 10);
}

void ui_reply_html(struct request *r, int status, struct html *h)
{
    size_t len = 0;
    char *page = html_steal(h, &len);
    if (!page) {
        log_error("ui: the page for %s passed its size cap", r->path);
        reply_raw(r, 500, "text/plain; charset=utf-8", xstrdup("page too large\n"), 15);
        return;
    }
    reply_header(r, "Cache-Control", "no-store");
    reply_raw(r, status, "text/html; charset=utf-8", page, len);
}

void ui_reply_refused(struct request *r, int status, const char *message, const char *back,
                      const struct store_session *ses)
{
    struct ui_view v = {.now = clock_now(r->app->clock)};
    if (ses) {
        v.user = ses->user;
        v.role = ses->role;
        v.csrf = ses->csrf;
    }
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    ui_render_message(&h, &v, status >= 500 ? "Unavailable" : "Refused", message, back);
    ui_reply_html(r, status, &h);
}

void ui_list_page(struct request *r, const char *api_path, const char *nav, ui_list_render render)
{
    struct store_session ses;
    if (!ui_session_or_redirect(r, &ses))
        return;
    json_t *list = NULL;
    int status = ui_api(r, "GET", api_path, NULL, &list);
    if (status != 200 || !list) {
        ui_reply_refused(r, status == 200 ? 500 : status, ui_api_message(list), "/ui/", &ses);
        json_decref(list);
        return;
    }
    struct ui_view v = {.now = clock_now(r->app->clock),
                        .version = ui_version(r),
                        .nav = nav,
                        .user = ses.user,
                        .role = ses.role,
                        .csrf = ses.csrf};
    struct html h;
    html_init(&h, UI_PAGE_CAP);
    render(&h, &v, list, r->config);
    ui_reply_html(r, 200, &h);
    json_decref(list);
}
