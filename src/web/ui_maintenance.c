/*
 * web/ui_maintenance: the responder UI's scheduled-maintenance page (/ui/maintenance): every
 * window with its state, its planned times, the components it takes down and its updates; for
 * responders a form per open window to post an update or move it on (in progress, verifying,
 * completed) and a form to schedule a new one. Data: GET /api/v1/maintenances. Pure (web/ui.h).
 */
#include "web/ui.h"

#include <stdio.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static const char *const states[] = {"scheduled", "in_progress", "verifying", "completed"};

static void move_form(struct html *h, const struct ui_view *v, const json_t *m)
{
    const char *id = jstr(m, "id");
    char url[160];
    snprintf(url, sizeof url, "/ui/maintenance/%.100s", id ? id : "-");
    ui_form_open(h, v, url, "stack maint-move");
    char fid[160];
    snprintf(fid, sizeof fid, "mstatus-%.100s", id ? id : "-");
    html_markup(h, "<label");
    html_attr(h, "for", fid);
    html_markup(h, ">Move to</label><select name=\"status\"");
    html_attr(h, "id", fid);
    html_markup(h, "><option value=\"\">(no change: post an update)</option>");
    const char *cur = jstr(m, "status");
    bool past = true; /* only the states after the current one */
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        if (!past) {
            html_markup(h, "<option");
            html_attr(h, "value", states[i]);
            html_markup(h, ">");
            html_text(h, states[i]);
            html_markup(h, "</option>");
        }
        if (cur && strcmp(cur, states[i]) == 0)
            past = false;
    }
    snprintf(fid, sizeof fid, "mmsg-%.100s", id ? id : "-");
    html_markup(h, "</select><label");
    html_attr(h, "for", fid);
    html_markup(h, ">Public message</label><textarea name=\"message\" rows=\"2\"");
    html_attr(h, "id", fid);
    html_markup(h, "></textarea><button type=\"submit\">Post</button></form>");
}

static void one(struct html *h, const struct ui_view *v, const json_t *m)
{
    html_markup(h, "<li class=\"maint\"");
    html_attr(h, "id", jstr(m, "id"));
    html_markup(h, "><strong>");
    html_text(h, jstr(m, "name"));
    html_markup(h, "</strong> ");
    ui_status(h, jstr(m, "status"));
    html_markup(h, "<br><small>");
    ui_time(h, jstr(m, "scheduled_for"));
    html_markup(h, " to ");
    ui_time(h, jstr(m, "scheduled_until"));
    html_markup(h, " &middot; ");
    const json_t *comps = json_object_get(m, "components");
    for (size_t i = 0; i < json_array_size(comps); i++) {
        if (i)
            html_markup(h, ", ");
        html_text(h, json_string_value(json_array_get(comps, i)));
    }
    html_markup(h, "</small><ol class=\"plain updates\">");
    const json_t *ups = json_object_get(m, "updates");
    for (size_t i = json_array_size(ups); i-- > 0;) {
        const json_t *u = json_array_get(ups, i);
        html_markup(h, "<li><small>");
        ui_time(h, jstr(u, "created_at"));
        html_markup(h, " ");
        html_text(h, jstr(u, "status"));
        html_markup(h, "</small> ");
        html_text(h, jstr(u, "body"));
        html_markup(h, "</li>");
    }
    html_markup(h, "</ol>");
    if (ui_can(v, "responder") && !(jstr(m, "status") && !strcmp(jstr(m, "status"), "completed")))
        move_form(h, v, m);
    html_markup(h, "</li>");
}

static void new_form(struct html *h, const struct ui_view *v, const struct config *cfg)
{
    html_markup(h, "<section class=\"card\"><h2>Schedule maintenance</h2>");
    ui_form_open(h, v, "/ui/maintenance", "stack");
    html_markup(h, "<label for=\"m-name\">Name (public)</label><input id=\"m-name\" name=\"name\" "
                   "required maxlength=\"200\"><fieldset><legend>Components</legend>");
    for (size_t i = 0; i < cfg->service_count; i++) {
        const char *c = cfg->services[i].component;
        bool seen = !c;
        for (size_t j = 0; j < i && !seen; j++)
            seen = cfg->services[j].component && strcmp(cfg->services[j].component, c) == 0;
        if (seen)
            continue;
        char fid[32];
        snprintf(fid, sizeof fid, "m-comp-%zu", i);
        html_markup(h, "<label class=\"check\"><input type=\"checkbox\" name=\"component\"");
        html_attr(h, "id", fid);
        html_attr(h, "value", c);
        html_markup(h, "> ");
        html_text(h, c);
        html_markup(h, "</label>");
    }
    html_markup(h, "</fieldset><label for=\"m-for\">Starts (UTC)</label><input id=\"m-for\" "
                   "name=\"scheduled_for\" type=\"datetime-local\" required>"
                   "<label for=\"m-until\">Ends (UTC)</label><input id=\"m-until\" "
                   "name=\"scheduled_until\" type=\"datetime-local\" required>"
                   "<label for=\"m-message\">Public message</label><textarea id=\"m-message\" "
                   "name=\"message\" rows=\"3\"></textarea>"
                   "<button type=\"submit\" id=\"add-maintenance\">Schedule</button></form>"
                   "</section>");
}

void ui_render_maintenances(struct html *h, const struct ui_view *v, const json_t *list,
                            const struct config *cfg)
{
    ui_page_begin(h, v, "Maintenance");
    html_markup(h, "<h1>Scheduled maintenance</h1><p class=\"muted\">Shown on the public "
                   "<a href=\"/status\">status page</a>; a window starts and ends by the clock "
                   "unless moved here first.</p><section class=\"card\" id=\"maintenances\">");
    const json_t *arr = json_object_get(list, "maintenances");
    if (json_array_size(arr) == 0)
        html_markup(h, "<p class=\"muted\">None scheduled.</p>");
    else
        html_markup(h, "<ul class=\"plain\">");
    for (size_t i = 0; i < json_array_size(arr); i++)
        one(h, v, json_array_get(arr, i));
    if (json_array_size(arr))
        html_markup(h, "</ul>");
    html_markup(h, "</section>");
    if (ui_can(v, "responder"))
        new_form(h, v, cfg);
    ui_page_end(h, v);
}
