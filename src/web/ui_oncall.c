/*
 * web/ui_oncall: who is on call now and next for every schedule (with the overrides in force and
 * the signed-in user's own shifts, with the calendar feed link), and the alerts page: firing
 * alerts grouped by service, the silences, a form to add one and a button to expire each.
 * See ui.h. Data: GET /api/v1/oncall (now, and at each shift's end: next), /api/v1/overrides,
 * /api/v1/alerts, /api/v1/silences.
 */
#include "web/ui.h"

#include <stdio.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static bool same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* The entry of `list` for schedule/layer (layer NULL: the schedule as a whole). */
static const json_t *entry_for(const json_t *list, const char *schedule, const char *layer)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *e = json_array_get(list, i);
        if (same(jstr(e, "schedule"), schedule) &&
            (layer ? same(jstr(e, "layer"), layer) : !jstr(e, "layer")))
            return e;
    }
    return NULL;
}

static void who(struct html *h, const json_t *e, const struct ui_view *v)
{
    const char *user = e ? jstr(e, "user") : NULL;
    html_markup(h, "<strong");
    if (same(user, v->user))
        html_markup(h, " class=\"me\"");
    html_markup(h, ">");
    html_text(h, user ? user : "nobody");
    html_markup(h, "</strong>");
    if (e && json_is_string(json_object_get(e, "override")))
        html_markup(h, " <span class=\"tag\">override</span>");
}

void ui_render_oncall(struct html *h, const struct ui_view *v, const json_t *now,
                      const json_t *next, const json_t *overrides, const struct config *cfg)
{
    ui_page_begin(h, v, "On call");
    html_markup(h, "<h1>On call</h1>");
    const json_t *cur = json_object_get(now, "oncall");
    if (cfg->schedule_count == 0)
        html_markup(h, "<p class=\"empty\">No schedules in the config.</p>");
    else
        html_markup(h, "<table class=\"grid\" id=\"oncall\"><thead><tr><th>Schedule</th>"
                       "<th>Now</th><th>Until</th><th>Next</th></tr></thead><tbody>");
    for (size_t i = 0; i < json_array_size(cur); i++) {
        const json_t *e = json_array_get(cur, i);
        const char *sched = jstr(e, "schedule"), *layer = jstr(e, "layer");
        html_markup(h, "<tr><td>");
        html_text(h, sched);
        if (layer) {
            html_markup(h, " <small>");
            html_text(h, layer);
            html_markup(h, "</small>");
        }
        html_markup(h, "</td><td>");
        who(h, e, v);
        html_markup(h, "</td><td>");
        ui_time(h, jstr(e, "until"));
        html_markup(h, "</td><td>");
        who(h, entry_for(next, sched, layer), v);
        html_markup(h, "</td></tr>");
    }
    if (cfg->schedule_count)
        html_markup(h, "</tbody></table>");
    html_markup(h,
                "<section class=\"card\" id=\"my-shifts\"><h2>My shifts</h2><ul class=\"plain\">");
    int mine = 0;
    const json_t *shown[32]; /* a layer's shift is also the schedule's: list it once */
    for (size_t i = 0; i < json_array_size(cur); i++) {
        const json_t *e = json_array_get(cur, i);
        const json_t *n = entry_for(next, jstr(e, "schedule"), jstr(e, "layer"));
        for (int k = 0; k < 2; k++) {
            const json_t *x = k == 0 ? e : n;
            if (!x || !same(jstr(x, "user"), v->user) || mine >= 32)
                continue;
            bool dup = false;
            for (int d = 0; d < mine && !dup; d++)
                dup = same(jstr(shown[d], "schedule"), jstr(x, "schedule")) &&
                      same(jstr(shown[d], "from"), jstr(x, "from")) &&
                      same(jstr(shown[d], "until"), jstr(x, "until"));
            if (dup)
                continue;
            shown[mine++] = x;
            html_markup(h, "<li>");
            html_text(h, jstr(x, "schedule"));
            html_markup(h, ": ");
            ui_time(h, jstr(x, "from"));
            html_markup(h, " to ");
            ui_time(h, jstr(x, "until"));
            html_markup(h, "</li>");
        }
    }
    if (!mine)
        html_markup(h, "<li class=\"muted\">You are not on call now or next.</li>");
    html_markup(h, "</ul><p class=\"hint\">Calendar feeds (add <code>?token=</code> and a token "
                   "from <code>tocsin token create --role viewer</code>):</p><ul class=\"plain\">");
    for (size_t i = 0; i < cfg->schedule_count; i++) {
        char href[200];
        snprintf(href, sizeof href, "/api/v1/schedules/%.120s.ics", cfg->schedules[i].id);
        html_markup(h, "<li><a");
        html_url_attr(h, "href", href);
        html_markup(h, ">");
        html_text(h, href);
        html_markup(h, "</a></li>");
    }
    html_markup(h, "</ul></section><section class=\"card\"><h2>Overrides</h2>");
    const json_t *ov = json_object_get(overrides, "overrides");
    if (json_array_size(ov) == 0)
        html_markup(h, "<p class=\"muted\">None.</p>");
    else
        html_markup(h, "<ul class=\"plain\">");
    for (size_t i = 0; i < json_array_size(ov); i++) {
        const json_t *o = json_array_get(ov, i);
        html_markup(h, "<li><strong>");
        html_text(h, jstr(o, "user"));
        html_markup(h, "</strong> on ");
        html_text(h, jstr(o, "schedule"));
        html_markup(h, ", ");
        ui_time(h, jstr(o, "from"));
        html_markup(h, " to ");
        ui_time(h, jstr(o, "to"));
        if (jstr(o, "reason")) {
            html_markup(h, " <small>");
            html_text(h, jstr(o, "reason"));
            html_markup(h, "</small>");
        }
        html_markup(h, "</li>");
    }
    if (json_array_size(ov))
        html_markup(h, "</ul>");
    html_markup(h, "</section>");
    ui_page_end(h, v);
}

static void alerts_by_service(struct html *h, const json_t *alerts, const struct config *cfg)
{
    const json_t *list = json_object_get(alerts, "alerts");
    html_markup(h, "<section class=\"card\" id=\"firing\"><h2>Firing alerts</h2>");
    if (json_array_size(list) == 0)
        html_markup(h, "<p class=\"muted\">Nothing is firing.</p>");
    for (size_t s = 0; s <= cfg->service_count; s++) {
        const char *svc = s < cfg->service_count ? cfg->services[s].id : NULL;
        bool opened = false;
        for (size_t i = 0; i < json_array_size(list); i++) {
            const json_t *a = json_array_get(list, i);
            const char *as = jstr(a, "service");
            bool known = as && config_service_find(cfg, as);
            if (svc ? !same(as, svc) : known)
                continue;
            if (!opened) {
                html_markup(h, "<h3>");
                html_text(h, svc ? svc : "other");
                html_markup(h, "</h3><ul class=\"plain\">");
                opened = true;
            }
            html_markup(h, "<li>");
            ui_status(h, jstr(a, "status"));
            if (json_is_true(json_object_get(a, "drill")))
                html_markup(h, " <span class=\"tag\">[DRILL]</span>");
            html_markup(h, " ");
            html_text(h, jstr(a, "summary"));
            if (jstr(a, "incident_id")) {
                char href[160];
                snprintf(href, sizeof href, "/ui/incidents/%.100s", jstr(a, "incident_id"));
                html_markup(h, " <a");
                html_url_attr(h, "href", href);
                html_markup(h, ">");
                html_text(h, jstr(a, "incident_id"));
                html_markup(h, "</a>");
            }
            if (jstr(a, "silenced_by"))
                html_markup(h, " <span class=\"tag\">silenced</span>");
            html_markup(h, " <small>");
            ui_time(h, jstr(a, "last_seen"));
            html_markup(h, "</small></li>");
        }
        if (opened)
            html_markup(h, "</ul>");
    }
    html_markup(h, "</section>");
}

static void silence_form(struct html *h, const struct ui_view *v, const struct config *cfg)
{
    html_markup(h, "<section class=\"card\"><h2>Add a silence</h2>");
    ui_form_open(h, v, "/ui/silences", "stack");
    html_markup(h, "<label for=\"sil-service\">Service</label><select id=\"sil-service\" "
                   "name=\"service\"><option value=\"\">any</option>");
    for (size_t i = 0; i < cfg->service_count; i++) {
        html_markup(h, "<option");
        html_attr(h, "value", cfg->services[i].id);
        html_markup(h, ">");
        html_text(h, cfg->services[i].id);
        html_markup(h, "</option>");
    }
    html_markup(h, "</select><label for=\"sil-match\">Only alerts with label=value "
                   "(optional)</label><input id=\"sil-match\" name=\"match\" "
                   "placeholder=\"alertname=DiskFull\"><label for=\"sil-duration\">For</label>"
                   "<select id=\"sil-duration\" name=\"duration\"><option>30m</option>"
                   "<option selected>1h</option><option>2h</option><option>4h</option>"
                   "<option>1d</option></select><label for=\"sil-reason\">Reason</label>"
                   "<input id=\"sil-reason\" name=\"reason\" required>"
                   "<button type=\"submit\" id=\"add-silence\">Silence</button></form></section>");
}

void ui_render_alerts(struct html *h, const struct ui_view *v, const json_t *alerts,
                      const json_t *silences, const struct config *cfg)
{
    ui_page_begin(h, v, "Alerts");
    html_markup(h, "<h1>Alerts</h1>");
    alerts_by_service(h, alerts, cfg);
    const json_t *list = json_object_get(silences, "silences");
    html_markup(h, "<section class=\"card\" id=\"silences\"><h2>Silences</h2>");
    if (json_array_size(list) == 0)
        html_markup(h, "<p class=\"muted\">None in force.</p>");
    else
        html_markup(h, "<ul class=\"plain\">");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *s = json_array_get(list, i);
        html_markup(h, "<li>");
        ui_status(h, jstr(s, "state"));
        html_markup(h, " <strong>");
        html_text(h, jstr(s, "service") ? jstr(s, "service") : "any service");
        html_markup(h, "</strong> ");
        const char *k;
        const json_t *val;
        json_object_foreach(json_object_get(s, "matchers"), k, val)
        {
            html_markup(h, "<code>");
            html_textf(h, "%s=%s", k, json_string_value(val) ? json_string_value(val) : "");
            html_markup(h, "</code> ");
        }
        html_text(h, jstr(s, "reason"));
        html_markup(h, " <small>until ");
        ui_time(h, jstr(s, "ends_at"));
        html_markup(h, "</small>");
        if (ui_can(v, "responder")) {
            char url[160];
            snprintf(url, sizeof url, "/ui/silences/%.100s/expire", jstr(s, "id"));
            ui_form_open(h, v, url, "inline");
            html_markup(h, " <button type=\"submit\">Expire</button></form>");
        }
        html_markup(h, "</li>");
    }
    if (json_array_size(list))
        html_markup(h, "</ul>");
    html_markup(h, "</section>");
    if (ui_can(v, "responder"))
        silence_form(h, v, cfg);
    ui_page_end(h, v);
}
