/*
 * api/ui_status: the responder UI's status-page pages: scheduled maintenance.
 *   GET  /ui/maintenance          the windows (GET /api/v1/maintenances) and the forms
 *   POST /ui/maintenance          POST /api/v1/maintenances (name, component*, scheduled_for,
 *                                 scheduled_until, message)
 *   POST /ui/maintenance/{id}     PATCH /api/v1/maintenances/{id} (status, message)
 * As ui_actions.c: CSRF-checked forms turned into the API call of the same meaning, made as the
 * session's user; a 303 back to the page, or the API's refusal with its status.
 * The browser's datetime-local fields ("2026-12-07T10:00") are taken as UTC: ":00Z" is added.
 */
#include "api/ui.h"
#include "web/ui.h"

#include <stdio.h>
#include <string.h>

static void ui_maintenance_page(struct request *r)
{
    ui_list_page(r, "/api/v1/maintenances", "maintenance", ui_render_maintenances);
}

/* A datetime-local value as RFC 3339 UTC; anything else as it came (the API names the field). */
static json_t *utc_time(const char *s)
{
    char out[64];
    size_t n = strlen(s);
    if (n == 16 && s[10] == 'T')
        snprintf(out, sizeof out, "%s:00Z", s);
    else if (n == 19 && s[10] == 'T')
        snprintf(out, sizeof out, "%sZ", s);
    else
        snprintf(out, sizeof out, "%.60s", s);
    return json_string(out);
}

static void call_then_redirect(struct request *r, const struct store_session *ses,
                               const char *method, const char *path, json_t *body)
{
    json_t *answer = NULL;
    int status = ui_api(r, method, path, body, &answer);
    if (status >= 200 && status < 300)
        ui_redirect(r, "/ui/maintenance");
    else
        ui_reply_refused(r, status, ui_api_message(answer), "/ui/maintenance", ses);
    json_decref(answer);
}

static void set_if(json_t *body, const struct ui_form *f, const char *key)
{
    const char *v = ui_form_get(f, key);
    if (v && *v)
        json_object_set_new(body, key, json_string(v));
}

static void ui_maintenance_add(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    json_t *body = json_object();
    set_if(body, &f, "name");
    set_if(body, &f, "message");
    json_t *comps = json_array();
    for (int i = 0; i < f.n; i++)
        if (strcmp(f.key[i], "component") == 0 && *f.val[i])
            json_array_append_new(comps, json_string(f.val[i]));
    json_object_set_new(body, "components", comps);
    static const char *const times[] = {"scheduled_for", "scheduled_until"};
    for (size_t i = 0; i < 2; i++) {
        const char *t = ui_form_get(&f, times[i]);
        if (t && *t)
            json_object_set_new(body, times[i], utc_time(t));
    }
    call_then_redirect(r, &ses, "POST", "/api/v1/maintenances", body);
    json_decref(body);
out:
    ui_form_free(&f);
}

static void ui_maintenance_move(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    if (!ui_id_ok(r->params[0])) {
        ui_reply_refused(r, 404, "id: no such maintenance", "/ui/maintenance", &ses);
        goto out;
    }
    json_t *body = json_object();
    set_if(body, &f, "status");
    set_if(body, &f, "message");
    if (json_object_size(body) == 0) {
        ui_reply_refused(r, 400, "message: choose a state or write a message", "/ui/maintenance",
                         &ses);
        json_decref(body);
        goto out;
    }
    char path[HTTP_PARAM_MAX + 32];
    snprintf(path, sizeof path, "/api/v1/maintenances/%s", r->params[0]);
    call_then_redirect(r, &ses, "PATCH", path, body);
    json_decref(body);
out:
    ui_form_free(&f);
}

static const struct route routes[] = {
    {"GET", "/ui/maintenance", ui_maintenance_page, ACCESS_PUBLIC, "ui_maintenance_page"},
    {"POST", "/ui/maintenance", ui_maintenance_add, ACCESS_PUBLIC, "ui_maintenance_add"},
    {"POST", "/ui/maintenance/{id}", ui_maintenance_move, ACCESS_PUBLIC, "ui_maintenance_move"},
};
HTTP_ROUTES(ui_status, routes);
