/*
 * api/ui_followup: the responder UI's forms for what happens around the fire (web/ui_followup.c
 * draws them). As ui_actions.c: each CSRF-checked form is the API call of the same meaning, made
 * as the session's user; a 303 back, or the API's refusal with its status.
 *   POST /ui/incidents/{id}/checklists/{checklist}/items/{n}/tick  POST .../tick
 *   POST /ui/incidents/{id}/runbooks/{runbook}/steps/{n}/done      POST .../done
 *   POST /ui/incidents/{id}/postmortem                             POST
 * /api/v1/incidents/{id}/postmortem POST /ui/actions   (title, owner, priority, due_in, incident)
 * POST /api/v1/actions POST /ui/actions/{id}/done  (incident: where to go back)       POST
 * /api/v1/actions/{id}/done GET  /ui/actions                                               GET
 * /api/v1/actions?status=open
 */
#include "api/ui.h"
#include "web/ui.h"

#include <stdio.h>
#include <string.h>

static bool number_ok(const char *s)
{
    size_t n = strlen(s);
    return n > 0 && n < 6 && strspn(s, "0123456789") == n;
}

/* Runs the call; on success a 303 to `next`, else the refusal page with a link to `next`. */
static void call_then_redirect(struct request *r, const struct store_session *ses, const char *path,
                               json_t *body, const char *next)
{
    json_t *answer = NULL;
    int status = ui_api(r, "POST", path, body, &answer);
    if (status >= 200 && status < 300)
        ui_redirect(r, next);
    else
        ui_reply_refused(r, status, ui_api_message(answer), next, ses);
    json_decref(answer);
}

/* The incident's tick / done routes: params id, list id, step number. */
static void incident_step(struct request *r, const char *what, const char *verb)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    if (!ui_id_ok(r->params[0]) || !ui_id_ok(r->params[1]) || !number_ok(r->params[2])) {
        ui_reply_refused(r, 404, "path: no such incident, list or item", "/ui/", &ses);
        goto out;
    }
    char path[3 * HTTP_PARAM_MAX + 64], next[HTTP_PARAM_MAX + 32];
    snprintf(path, sizeof path, "/api/v1/incidents/%s/%s/%s/%s/%s/%s", r->params[0], what,
             r->params[1], strcmp(what, "checklists") == 0 ? "items" : "steps", r->params[2], verb);
    snprintf(next, sizeof next, "/ui/incidents/%s", r->params[0]);
    call_then_redirect(r, &ses, path, NULL, next);
out:
    ui_form_free(&f);
}

static void ui_checklist_tick(struct request *r)
{
    incident_step(r, "checklists", "tick");
}

static void ui_runbook_step_done(struct request *r)
{
    incident_step(r, "runbooks", "done");
}

static void ui_postmortem_start(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    if (!ui_id_ok(r->params[0])) {
        ui_reply_refused(r, 404, "id: no such incident", "/ui/", &ses);
        goto out;
    }
    char path[HTTP_PARAM_MAX + 48], next[HTTP_PARAM_MAX + 32];
    snprintf(path, sizeof path, "/api/v1/incidents/%s/postmortem", r->params[0]);
    snprintf(next, sizeof next, "/ui/incidents/%s", r->params[0]);
    json_t *body = json_object();
    call_then_redirect(r, &ses, path, body, next);
    json_decref(body);
out:
    ui_form_free(&f);
}

/* Back to the incident the form came from (a plain id), or to the list. */
static void next_of(const struct ui_form *f, char *out, size_t n)
{
    const char *inc = ui_form_get(f, "incident");
    if (inc && *inc && ui_id_ok(inc))
        snprintf(out, n, "/ui/incidents/%s", inc);
    else
        snprintf(out, n, "/ui/actions");
}

static void ui_action_add(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    static const char *const fields[] = {"title", "owner", "priority", "due_in", "incident"};
    json_t *body = json_object();
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const char *v = ui_form_get(&f, fields[i]);
        if (v && *v)
            json_object_set_new(body, fields[i], json_string(v));
    }
    char next[200];
    next_of(&f, next, sizeof next);
    call_then_redirect(r, &ses, "/api/v1/actions", body, next);
    json_decref(body);
out:
    ui_form_free(&f);
}

static void ui_action_done(struct request *r)
{
    struct store_session ses;
    struct ui_form f;
    if (!ui_post_or_reply(r, &ses, &f))
        goto out;
    char path[HTTP_PARAM_MAX + 32], next[200];
    snprintf(path, sizeof path, "/api/v1/actions/%s/done",
             ui_id_ok(r->params[0]) ? r->params[0] : "-");
    next_of(&f, next, sizeof next);
    call_then_redirect(r, &ses, path, NULL, next);
out:
    ui_form_free(&f);
}

static void ui_actions_page(struct request *r)
{
    ui_list_page(r, "/api/v1/actions?status=open", "actions", ui_render_actions);
}

static const struct route routes[] = {
    {"POST", "/ui/incidents/{id}/checklists/{checklist}/items/{n}/tick", ui_checklist_tick,
     ACCESS_PUBLIC, "ui_checklist_tick"},
    {"POST", "/ui/incidents/{id}/runbooks/{runbook}/steps/{n}/done", ui_runbook_step_done,
     ACCESS_PUBLIC, "ui_runbook_step_done"},
    {"POST", "/ui/incidents/{id}/postmortem", ui_postmortem_start, ACCESS_PUBLIC,
     "ui_postmortem_start"},
    {"GET", "/ui/actions", ui_actions_page, ACCESS_PUBLIC, "ui_actions_page"},
    {"POST", "/ui/actions", ui_action_add, ACCESS_PUBLIC, "ui_action_add"},
    {"POST", "/ui/actions/{id}/done", ui_action_done, ACCESS_PUBLIC, "ui_action_done"},
};
HTTP_ROUTES(ui_followup, routes);
