/*
 * web/ui_incidents: the open incidents list (sorted by severity, then oldest first; filters;
 * bulk acknowledge) and the declare form. See ui.h. The list is the API's
 * GET /api/v1/incidents answer; the filters the API does not take (severity, service, type,
 * drill) are applied here.
 */
#include "web/ui.h"
#include "domain/incident.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct row {
    const json_t *inc;
    int rank;
    const char *created;
};

static int row_cmp(const void *a, const void *b)
{
    const struct row *x = a, *y = b;
    if (x->rank != y->rank)
        return x->rank < y->rank ? -1 : 1;
    return strcmp(x->created, y->created); /* RFC 3339 UTC sorts as text: oldest first */
}

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static bool set(const char *s)
{
    return s && *s;
}

static bool keep(const json_t *inc, const struct ui_filter *f)
{
    if (set(f->severity) && strcmp(f->severity, jstr(inc, "severity") ? jstr(inc, "severity") : ""))
        return false;
    if (set(f->service) && strcmp(f->service, jstr(inc, "service") ? jstr(inc, "service") : ""))
        return false;
    if (set(f->type) && strcmp(f->type, jstr(inc, "type") ? jstr(inc, "type") : ""))
        return false;
    bool drill = json_is_true(json_object_get(inc, "drill"));
    if (set(f->drill) && strcmp(f->drill, "yes") == 0 && !drill)
        return false;
    if (set(f->drill) && strcmp(f->drill, "no") == 0 && drill)
        return false;
    return true;
}

static void option(struct html *h, const char *value, const char *label, const char *current)
{
    html_markup(h, "<option");
    html_attr(h, "value", value);
    if ((current ? current : "")[0] == value[0] && strcmp(current ? current : "", value) == 0)
        html_markup(h, " selected");
    html_markup(h, ">");
    html_text(h, label);
    html_markup(h, "</option>");
}

static void select_open(struct html *h, const char *name, const char *label)
{
    html_markup(h, "<label><span>");
    html_text(h, label);
    html_markup(h, "</span><select");
    html_attr(h, "name", name);
    html_markup(h, ">");
}

static void filters(struct html *h, const struct ui_filter *f, const struct config *cfg)
{
    html_markup(h, "<form method=\"get\" action=\"/ui/\" class=\"filters\" id=\"filters\">");
    select_open(h, "status", "Status");
    option(h, "", "open", f->status);
    option(h, "all", "all", f->status);
    for (int i = 0; i < INC_STATUS_COUNT; i++)
        option(h, incident_status_name(i), incident_status_name(i), f->status);
    html_markup(h, "</select></label>");
    select_open(h, "severity", "Severity");
    option(h, "", "any", f->severity);
    for (size_t i = 0; i < cfg->severity_count; i++)
        option(h, cfg->severities[i].id, cfg->severities[i].id, f->severity);
    html_markup(h, "</select></label>");
    select_open(h, "service", "Service");
    option(h, "", "any", f->service);
    for (size_t i = 0; i < cfg->service_count; i++)
        option(h, cfg->services[i].id, cfg->services[i].id, f->service);
    html_markup(h, "</select></label>");
    select_open(h, "type", "Type");
    option(h, "", "any", f->type);
    for (size_t i = 0; i < cfg->type_count; i++)
        option(h, cfg->types[i].id, cfg->types[i].id, f->type);
    html_markup(h, "</select></label>");
    select_open(h, "drill", "Drill");
    option(h, "", "any", f->drill);
    option(h, "yes", "drills only", f->drill);
    option(h, "no", "no drills", f->drill);
    html_markup(h, "</select></label><button type=\"submit\">Filter</button></form>");
}

static void incident_row(struct html *h, const struct ui_view *v, const json_t *inc,
                         const struct config *cfg, bool bulk)
{
    const char *id = jstr(inc, "id"), *status = jstr(inc, "status");
    const json_t *sla = json_object_get(inc, "sla");
    bool breached = json_is_true(json_object_get(sla, "ack_breached")) ||
                    json_is_true(json_object_get(sla, "resolve_breached"));
    const struct config_severity *sev = config_severity_find(cfg, jstr(inc, "severity"));
    char cls[64];
    snprintf(cls, sizeof cls, "incident sevb-%d%s", sev && sev->rank < 4 ? sev->rank : 4,
             breached ? " breached" : "");
    html_markup(h, "<li");
    html_attr(h, "class", cls);
    html_markup(h, ">");
    if (bulk) {
        html_markup(h, "<input type=\"checkbox\" name=\"id\" class=\"pick\"");
        html_attr(h, "value", id);
        html_attr(h, "aria-label", id);
        if (strcmp(status ? status : "", "triggered") != 0)
            html_markup(h, " disabled");
        html_markup(h, ">");
    }
    html_markup(h, "<div class=\"line1\">");
    ui_severity(h, cfg, jstr(inc, "severity"));
    html_markup(h, " <a class=\"title\"");
    char href[160];
    snprintf(href, sizeof href, "/ui/incidents/%.100s", id ? id : "");
    html_url_attr(h, "href", href);
    html_markup(h, ">");
    html_text(h, jstr(inc, "title"));
    html_markup(h, "</a></div><div class=\"line2\">");
    ui_status(h, status);
    html_markup(h, " <span class=\"id\">");
    html_text(h, id);
    html_markup(h, "</span>");
    if (jstr(inc, "service")) {
        html_markup(h, " <span class=\"service\">");
        html_text(h, jstr(inc, "service"));
        html_markup(h, "</span>");
    }
    if (json_is_true(json_object_get(inc, "drill")))
        html_markup(h, " <span class=\"tag\">drill</span>");
    html_markup(h, " ");
    ui_ago(h, jstr(inc, "created_at"), v->now);
    if (breached)
        html_markup(h, " <span class=\"tag bad\">SLA breached</span>");
    html_markup(h, "</div></li>");
}

void ui_render_incidents(struct html *h, const struct ui_view *v, const json_t *incidents,
                         const struct ui_filter *f, const struct config *cfg)
{
    ui_page_begin(h, v, "Incidents");
    html_markup(h, "<div class=\"head\"><h1>Incidents</h1>");
    if (ui_can(v, "responder"))
        html_markup(h, "<a class=\"button primary\" href=\"/ui/declare\">Declare</a>");
    html_markup(h, "</div>");
    filters(h, f, cfg);
    const json_t *list = json_object_get(incidents, "incidents");
    size_t n = json_array_size(list), kept = 0;
    struct row *rows = calloc(n ? n : 1, sizeof *rows);
    for (size_t i = 0; rows && i < n; i++) {
        const json_t *inc = json_array_get(list, i);
        if (!keep(inc, f))
            continue;
        const struct config_severity *s = config_severity_find(cfg, jstr(inc, "severity"));
        const char *created = jstr(inc, "created_at");
        rows[kept++] = (struct row){inc, s ? s->rank : 99, created ? created : ""};
    }
    qsort(rows, kept, sizeof *rows, row_cmp);
    bool bulk = ui_can(v, "responder");
    if (kept == 0) {
        html_markup(h, "<p class=\"empty\" id=\"no-incidents\">No incidents match.</p>");
    } else {
        if (bulk)
            ui_form_open(h, v, "/ui/incidents/ack", "bulk");
        html_markup(h, "<ul class=\"incidents\" id=\"incidents\">");
        for (size_t i = 0; i < kept; i++)
            incident_row(h, v, rows[i].inc, cfg, bulk);
        html_markup(h, "</ul>");
        if (bulk)
            html_markup(h, "<button type=\"submit\" id=\"bulk-ack\">Acknowledge selected</button>"
                           "</form>");
    }
    free(rows);
    ui_page_end(h, v);
}

void ui_render_declare(struct html *h, const struct ui_view *v, const struct config *cfg)
{
    ui_page_begin(h, v, "Declare an incident");
    html_markup(h, "<section class=\"card\"><h1>Declare an incident</h1>");
    ui_form_open(h, v, "/ui/declare", "stack");
    html_markup(h, "<label for=\"title\">Title</label>"
                   "<input id=\"title\" name=\"title\" required maxlength=\"200\">"
                   "<fieldset><legend>Severity</legend>");
    for (size_t i = 0; i < cfg->severity_count; i++) {
        const struct config_severity *s = &cfg->severities[i];
        html_markup(h, "<label class=\"choice\"><input type=\"radio\" name=\"severity\"");
        html_attr(h, "value", s->id);
        if (i + 1 == cfg->severity_count)
            html_markup(h, " checked");
        html_markup(h, "> ");
        ui_severity(h, cfg, s->id);
        html_markup(h, " <strong>");
        html_text(h, s->name);
        html_markup(h, "</strong> <span class=\"policy\">");
        html_text(h, s->description);
        html_markup(h, "</span></label>");
    }
    html_markup(h, "</fieldset><label for=\"service\">Service</label>"
                   "<select id=\"service\" name=\"service\"><option value=\"\">none</option>");
    for (size_t i = 0; i < cfg->service_count; i++)
        option(h, cfg->services[i].id,
               cfg->services[i].name ? cfg->services[i].name : cfg->services[i].id, NULL);
    html_markup(h, "</select><label for=\"type\">Type</label>"
                   "<select id=\"type\" name=\"type\"><option value=\"\">none</option>");
    for (size_t i = 0; i < cfg->type_count; i++)
        option(h, cfg->types[i].id, cfg->types[i].name ? cfg->types[i].name : cfg->types[i].id,
               NULL);
    html_markup(h, "</select><label for=\"summary\">Summary</label>"
                   "<textarea id=\"summary\" name=\"summary\" rows=\"3\"></textarea>"
                   "<label class=\"choice\"><input type=\"checkbox\" name=\"drill\" value=\"1\"> "
                   "This is a drill</label>"
                   "<button type=\"submit\" class=\"primary\" id=\"declare\">Declare</button>"
                   "</form></section>");
    ui_page_end(h, v);
}
