/*
 * web/ui_followup: what happens around the fire, on the incident page and on /ui/actions
 * (web/ui.h). Each panel is drawn from the API's JSON (checklists, runbooks, the post-mortem,
 * action items) and its forms POST to /ui/... routes (api/ui_followup.c) that make the API call of
 * the same meaning. Pure.
 */
#include "web/ui.h"

#include <stdio.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void checklists(struct html *h, const struct ui_view *v, const char *iid, const json_t *d)
{
    const json_t *lists = json_object_get(d, "checklists");
    if (!json_array_size(lists))
        return;
    bool can = ui_can(v, "responder");
    html_markup(h, "<section class=\"card\" id=\"checklists\"><h2>Checklists</h2>");
    for (size_t i = 0; i < json_array_size(lists); i++) {
        const json_t *cl = json_array_get(lists, i);
        const char *cid = jstr(cl, "id");
        html_markup(h, "<h3>");
        html_text(h, jstr(cl, "title") ? jstr(cl, "title") : cid);
        html_markup(h, "</h3><ul class=\"plain checklist\">");
        const json_t *items = json_object_get(cl, "items");
        for (size_t k = 0; k < json_array_size(items); k++) {
            const json_t *it = json_array_get(items, k);
            bool done = json_is_true(json_object_get(it, "done"));
            long long n = (long long)json_integer_value(json_object_get(it, "n"));
            char hid[200];
            snprintf(hid, sizeof hid, "check-%.100s-%lld", cid ? cid : "-", n);
            html_markup(h, "<li");
            html_attr(h, "id", hid);
            if (done)
                html_markup(h, " class=\"done\">&#10003; ");
            else
                html_markup(h, ">");
            html_text(h, jstr(it, "text"));
            if (done) {
                html_markup(h, " <small>");
                html_text(h, jstr(it, "done_by") ? jstr(it, "done_by") : "");
                html_markup(h, " ");
                ui_time(h, jstr(it, "done_at"));
                html_markup(h, "</small>");
            } else if (jstr(it, "auto")) {
                html_markup(h, " <small class=\"muted\">(ticks itself)</small>");
            }
            if (!done && can && cid) {
                char url[400];
                snprintf(url, sizeof url, "/ui/incidents/%.100s/checklists/%.100s/items/%lld/tick",
                         iid, cid, n);
                ui_form_open(h, v, url, "inline");
                html_markup(h, " <button type=\"submit\" class=\"tick\">Done</button></form>");
            }
            html_markup(h, "</li>");
        }
        html_markup(h, "</ul>");
    }
    html_markup(h, "</section>");
}

static void runbooks(struct html *h, const struct ui_view *v, const char *iid, const json_t *d)
{
    const json_t *list = json_object_get(d, "runbooks");
    if (!json_array_size(list))
        return;
    bool can = ui_can(v, "responder");
    html_markup(h, "<section class=\"card\" id=\"runbooks\"><h2>Runbooks</h2>");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *rb = json_array_get(list, i);
        const char *rid = jstr(rb, "id");
        html_markup(h, "<h3>");
        html_text(h, rid);
        html_markup(h, " &middot; ");
        html_text(h, jstr(rb, "title"));
        html_markup(h, "</h3><ol class=\"steps\">");
        const json_t *steps = json_object_get(rb, "steps");
        for (size_t k = 0; k < json_array_size(steps); k++) {
            const json_t *st = json_array_get(steps, k);
            bool done = json_is_true(json_object_get(st, "done"));
            long long n = (long long)json_integer_value(json_object_get(st, "n"));
            if (done)
                html_markup(h, "<li class=\"done\">");
            else
                html_markup(h, "<li>");
            html_text(h, jstr(st, "text"));
            if (!done && can && rid) {
                char url[400];
                snprintf(url, sizeof url, "/ui/incidents/%.100s/runbooks/%.100s/steps/%lld/done",
                         iid, rid, n);
                ui_form_open(h, v, url, "inline");
                html_markup(h, " <button type=\"submit\">Done</button></form>");
            } else if (done) {
                html_markup(h, " <small>&#10003; done</small>");
            }
            html_markup(h, "</li>");
        }
        html_markup(h, "</ol>");
    }
    html_markup(h, "</section>");
}

static void postmortem(struct html *h, const struct ui_view *v, const char *iid, const json_t *pm)
{
    html_markup(h, "<section class=\"card\" id=\"postmortem\"><h2>Post-mortem</h2>");
    if (pm && jstr(pm, "id")) {
        html_markup(h, "<p><strong>");
        html_text(h, jstr(pm, "id"));
        html_markup(h, "</strong> ");
        ui_status(h, jstr(pm, "state"));
        if (jstr(pm, "due_at")) {
            html_markup(h, " <small>due ");
            ui_time(h, jstr(pm, "due_at"));
            if (json_is_true(json_object_get(pm, "overdue")))
                html_markup(h, " <span class=\"tag overdue\">overdue</span>");
            html_markup(h, "</small>");
        }
        html_markup(h, "</p><p><a");
        char url[200];
        snprintf(url, sizeof url, "/api/v1/postmortems/%.100s/export?format=md", jstr(pm, "id"));
        html_url_attr(h, "href", url);
        html_markup(h, ">Markdown</a> (API)</p>");
    } else {
        html_markup(h, "<p class=\"muted\">None yet.</p>");
        if (ui_can(v, "responder")) {
            char url[200];
            snprintf(url, sizeof url, "/ui/incidents/%.100s/postmortem", iid);
            ui_form_open(h, v, url, "inline");
            html_markup(h, "<button type=\"submit\" id=\"start-postmortem\">Start the "
                           "post-mortem</button></form>");
        }
    }
    html_markup(h, "</section>");
}

static void action_row(struct html *h, const struct ui_view *v, const json_t *a, const char *back)
{
    bool open = jstr(a, "status") && strcmp(jstr(a, "status"), "open") == 0;
    html_markup(h, "<li");
    html_attr(h, "id", jstr(a, "id"));
    if (open)
        html_markup(h, ">");
    else
        html_markup(h, " class=\"done\">");
    html_markup(h, "<span class=\"tag\">");
    html_text(h, jstr(a, "priority"));
    html_markup(h, "</span> ");
    html_text(h, jstr(a, "title"));
    html_markup(h, " <small>");
    html_text(h, jstr(a, "owner") ? jstr(a, "owner") : "no owner");
    if (jstr(a, "due_at")) {
        html_markup(h, ", due ");
        ui_time(h, jstr(a, "due_at"));
    }
    if (json_is_true(json_object_get(a, "overdue")))
        html_markup(h, " <span class=\"tag overdue\">overdue</span>");
    if (back && jstr(a, "incident_id")) {
        html_markup(h, " &middot; <a");
        char url[200];
        snprintf(url, sizeof url, "/ui/incidents/%.100s", jstr(a, "incident_id"));
        html_url_attr(h, "href", url);
        html_markup(h, ">");
        html_text(h, jstr(a, "incident_id"));
        html_markup(h, "</a>");
    }
    html_markup(h, "</small>");
    if (open && ui_can(v, "responder")) {
        char url[200];
        snprintf(url, sizeof url, "/ui/actions/%.100s/done", jstr(a, "id"));
        ui_form_open(h, v, url, "inline");
        if (!back && jstr(a, "incident_id")) {
            html_markup(h, "<input type=\"hidden\" name=\"incident\"");
            html_attr(h, "value", jstr(a, "incident_id"));
            html_markup(h, ">");
        }
        html_markup(h, " <button type=\"submit\">Done</button></form>");
    } else if (!open) {
        html_markup(h, " <small>&#10003; done</small>");
    }
    html_markup(h, "</li>");
}

static void add_action_form(struct html *h, const struct ui_view *v, const char *iid)
{
    ui_form_open(h, v, "/ui/actions", "stack");
    if (iid) {
        html_markup(h, "<input type=\"hidden\" name=\"incident\"");
        html_attr(h, "value", iid);
        html_markup(h, ">");
    }
    html_markup(h, "<label for=\"act-title\">New action item</label><input id=\"act-title\" "
                   "name=\"title\" required maxlength=\"500\"><label for=\"act-owner\">Owner "
                   "(user id)</label><input id=\"act-owner\" name=\"owner\"><label "
                   "for=\"act-priority\">Priority</label><select id=\"act-priority\" "
                   "name=\"priority\"><option>p0</option><option>p1</option><option "
                   "selected>p2</option><option>p3</option></select><label for=\"act-due\">Due "
                   "in</label><select id=\"act-due\" name=\"due_in\"><option value=\"\">no "
                   "date</option><option>1d</option><option>7d</option><option>14d</option>"
                   "<option>30d</option></select><button type=\"submit\" id=\"add-action\">Add"
                   "</button></form>");
}

static void actions(struct html *h, const struct ui_view *v, const char *iid, const json_t *d)
{
    const json_t *list = json_object_get(d, "actions");
    html_markup(h, "<section class=\"card\" id=\"actions\"><h2>Action items</h2>");
    if (!json_array_size(list))
        html_markup(h, "<p class=\"muted\">None.</p>");
    else
        html_markup(h, "<ul class=\"plain\">");
    for (size_t i = 0; i < json_array_size(list); i++)
        action_row(h, v, json_array_get(list, i), NULL);
    if (json_array_size(list))
        html_markup(h, "</ul>");
    if (ui_can(v, "responder"))
        add_action_form(h, v, iid);
    html_markup(h, "</section>");
}

void ui_render_followup(struct html *h, const struct ui_view *v, const struct ui_incident_data *d)
{
    const char *iid = jstr(d->incident, "id");
    if (!iid)
        return;
    checklists(h, v, iid, d->checklists);
    runbooks(h, v, iid, d->runbooks);
    postmortem(h, v, iid, d->postmortem);
    actions(h, v, iid, d->actions);
}

void ui_render_actions(struct html *h, const struct ui_view *v, const json_t *list,
                       const struct config *cfg)
{
    (void)cfg;
    ui_page_begin(h, v, "Action items");
    html_markup(h, "<h1>Action items</h1><p class=\"muted\">Open items across incidents.</p>"
                   "<section class=\"card\">");
    const json_t *arr = json_object_get(list, "actions");
    if (!json_array_size(arr))
        html_markup(h, "<p class=\"muted\">None open.</p>");
    else
        html_markup(h, "<ul class=\"plain\" id=\"action-list\">");
    for (size_t i = 0; i < json_array_size(arr); i++)
        action_row(h, v, json_array_get(arr, i), "/ui/actions");
    if (json_array_size(arr))
        html_markup(h, "</ul>");
    html_markup(h, "</section>");
    if (ui_can(v, "responder")) {
        html_markup(h, "<section class=\"card\">");
        add_action_form(h, v, NULL);
        html_markup(h, "</section>");
    }
    ui_page_end(h, v);
}
