/*
 * api/ui_actions: the responder UI's state changes, each a form POST (CSRF-checked by
 * ui_post_or_reply) turned into the API call of the same meaning and made through the route
 * table as the session's user (ui_api): the API's role check, validation and store job run
 * unchanged, and the timeline records "user:<id>". Success is a 303 to the page to show next;
 * a refusal is a page with the API's message and its status (400, 403, 404, 409...).
 *   POST /ui/declare                      POST /api/v1/incidents
 *   POST /ui/incidents/ack   (id=...)*    POST /api/v1/incidents/{id}/ack for each (bulk)
 *   POST /ui/incidents/{id}/{action}      the table below
 *   POST /ui/silences                     POST /api/v1/silences
 *   POST /ui/silences/{id}/expire         DELETE /api/v1/silences/{id}
 */
#include "api/ui.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

/* One incident action: the API method and path suffix, and the form fields copied into the
 * JSON body (an empty optional field is left out; "public", a checkbox, becomes true). The
 * suffix may name one form field in braces ({role}), taken from the form. */
struct ui_action {
    const char *name;
    const char *method;
    const char *suffix;
    const char *path_field; /* a form field that completes the path, or NULL */
    const char *fields[5];
};

static const struct ui_action actions[] = {
    {"ack", "POST", "/ack", NULL, {NULL}},
    {"status", "POST", "/status", NULL, {"status", "message", "public", "postmortem_waiver"}},
    {"resolve", "POST", "/resolve", NULL, {"message", NULL}},
    {"severity", "PATCH", "", NULL, {"severity", NULL}},
    {"role", "PUT", "/roles/", "role", {"user", NULL}},
    {"note", "POST", "/notes", NULL, {"text", NULL}},
    {"escalate", "POST", "/escalate", NULL, {"message", NULL}},
    {"page", "POST", "/page", NULL, {"user", "message", NULL}},
};

static json_t *body_of(const struct ui_form *f, const char *const *fields)
{
    json_t *body = json_object();
    for (int i = 0; fields[i]; i++) {
        const char *v = ui_form_get(f, fields[i]);
        if (v && *v && strcmp(fields[i], "public") == 0) /* a checkbox: there or not */
            json_object_set_new(body, fields[i], json_true());
        else if (v && *v)
            json_object_set_new(body, fields[i], json_string(v));
    }
    return body;
}

/* Runs the call; on success a 303 to `next`, else the refusal page. */
static void call_then_redirect(struct request *r, const struct store_session *ses,
                               const char *method, const char *path, json_t *body, const char *next)
{
    json_t *answer = NULL;
    int status = ui_api(r, method, path, body, &answer);
    if (status >= 200 && status < 300)
        ui_redirect(r, next);
    else
        ui_reply_refused(r, status, ui_api_message(answer), next, ses);
    json_decref(answer);
}

static void ui_incident_action(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    const struct ui_action *a = NULL;
    for (size_t i = 0; i < sizeof actions / sizeof actions[0]; i++)
        if (strcmp(actions[i].name, r->params[1]) == 0)
            a = &actions[i];
    char next[300];
    snprintf(next, sizeof next, "/ui/incidents/%s", r->params[0]);
    if (!a || !ui_id_ok(r->params[0])) {
        ui_reply_refused(r, 404, a ? "id: no such incident" : "action: no such incident action",
                         "/ui/", &ses);
        goto out;
    }
    const char *extra = "";
    if (a->path_field) {
        extra = ui_form_get(&f, a->path_field);
        if (!extra || !*extra || strchr(extra, '/') || strchr(extra, '?') || strlen(extra) > 64) {
            ui_reply_refused(r, 400, "role: choose a role", next, &ses);
            goto out;
        }
    }
    char path[400];
    snprintf(path, sizeof path, "/api/v1/incidents/%s%s%s", r->params[0], a->suffix, extra);
    json_t *body = body_of(&f, a->fields);
    call_then_redirect(r, &ses, a->method, path, body, next);
    json_decref(body);
out:
    ui_form_free(&f);
}

static void ui_bulk_ack(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    char failed[600] = "";
    size_t used = 0;
    int count = 0, last_status = 200;
    for (int i = 0; i < f.n; i++) {
        if (strcmp(f.key[i], "id") != 0)
            continue;
        count++;
        char path[300];
        snprintf(path, sizeof path, "/api/v1/incidents/%.100s/ack",
                 ui_id_ok(f.val[i]) ? f.val[i] : "-");
        json_t *answer = NULL;
        int status = ui_api(r, "POST", path, NULL, &answer);
        if (status < 200 || status >= 300) {
            last_status = status;
            int w = snprintf(failed + used, sizeof failed - used, "%s%.100s: %s", used ? "; " : "",
                             f.val[i], ui_api_message(answer));
            if (w > 0 && (size_t)w < sizeof failed - used)
                used += (size_t)w;
        }
        json_decref(answer);
    }
    if (count == 0)
        ui_reply_refused(r, 400, "id: select at least one incident to acknowledge", "/ui/", &ses);
    else if (used)
        ui_reply_refused(r, last_status, failed, "/ui/", &ses);
    else
        ui_redirect(r, "/ui/");
out:
    ui_form_free(&f);
}

static void ui_declare(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    static const char *const fields[] = {"title", "severity", "service", "type", "summary", NULL};
    json_t *body = body_of(&f, fields);
    if (ui_form_get(&f, "drill"))
        json_object_set_new(body, "drill", json_true());
    json_t *answer = NULL;
    int status = ui_api(r, "POST", "/api/v1/incidents", body, &answer);
    const char *id = json_string_value(json_object_get(answer, "id"));
    if (status == 201 && id) {
        char next[160];
        snprintf(next, sizeof next, "/ui/incidents/%s", id);
        ui_redirect(r, next);
    } else {
        ui_reply_refused(r, status, ui_api_message(answer), "/ui/declare", &ses);
    }
    json_decref(answer);
    json_decref(body);
out:
    ui_form_free(&f);
}

/* match "label=value" (optional) becomes the silence's one matcher. */
static void ui_silence_add(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    static const char *const fields[] = {"service", "duration", "reason", NULL};
    json_t *body = body_of(&f, fields);
    const char *match = ui_form_get(&f, "match");
    if (match && *match) {
        const char *eq = strchr(match, '=');
        if (!eq || eq == match) {
            ui_reply_refused(r, 400, "match: write it as label=value", "/ui/alerts", &ses);
            json_decref(body);
            goto out;
        }
        char label[128];
        snprintf(label, sizeof label, "%.*s", (int)(eq - match), match);
        json_object_set_new(body, "matchers", json_pack("{s:s}", label, eq + 1));
    }
    call_then_redirect(r, &ses, "POST", "/api/v1/silences", body, "/ui/alerts");
    json_decref(body);
out:
    ui_form_free(&f);
}

static void ui_silence_expire(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    char path[320];
    snprintf(path, sizeof path, "/api/v1/silences/%s", ui_id_ok(r->params[0]) ? r->params[0] : "-");
    call_then_redirect(r, &ses, "DELETE", path, NULL, "/ui/alerts");
out:
    ui_form_free(&f);
}

static const struct route routes[] = {
    {"POST", "/ui/silences", ui_silence_add, ACCESS_PUBLIC, "ui_silence_add"},
    {"POST", "/ui/silences/{id}/expire", ui_silence_expire, ACCESS_PUBLIC, "ui_silence_expire"},
    {"POST", "/ui/declare", ui_declare, ACCESS_PUBLIC, "ui_declare"},
    {"POST", "/ui/incidents/ack", ui_bulk_ack, ACCESS_PUBLIC, "ui_bulk_ack"},
    {"POST", "/ui/incidents/{id}/{action}", ui_incident_action, ACCESS_PUBLIC,
     "ui_incident_action"},
};
HTTP_ROUTES(ui_actions, routes);
