/* status_render_html: the HTML status page; see status_render.h. */
#include "web/status_render.h"
#include "web/html.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* Room kept for the end of the page (the notes after the history, the subscribe form, the
 * footer). */
enum { TAIL_RESERVE = 4096 }; /* the subscribe form (at most 30 components ticked), the footer */

static const char *component_label(enum sp_component_status s)
{
    static const char *const text[] = {"Operational", "Under maintenance", "Degraded performance",
                                       "Partial outage", "Major outage"};
    return (unsigned)s < sizeof text / sizeof text[0] ? text[s] : text[0];
}

static const char *update_label(const char *status)
{
    static const char *const map[][2] = {
        {"investigating", "Investigating"}, {"identified", "Identified"},
        {"monitoring", "Monitoring"},       {"resolved", "Resolved"},
        {"postmortem", "Postmortem"},
    };
    for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
        if (strcmp(map[i][0], status) == 0)
            return map[i][1];
    return status;
}

/* <time datetime="2026-12-07T03:38:00Z">2026-12-07 03:38 UTC</time> */
static void put_time(struct html *h, int64_t ms)
{
    char iso[RFC3339_LEN];
    time_format_rfc3339(ms, iso);
    char shown[32];
    snprintf(shown, sizeof shown, "%.10s %.5s UTC", iso, iso + 11);
    html_markup(h, "<time");
    html_attr(h, "datetime", iso);
    html_markup(h, ">");
    html_text(h, shown);
    html_markup(h, "</time>");
}

/* The updates of an incident or a maintenance, oldest first, then the end of its article. */
static void put_updates(struct html *h, const struct sp_update *updates, size_t count,
                        const char *(*label)(const char *status))
{
    html_markup(h, "</p><ol class=\"updates\">");
    for (size_t k = 0; k < count; k++) {
        html_markup(h, "<li><strong>");
        html_text(h, label(updates[k].status));
        html_markup(h, "</strong> ");
        put_time(h, updates[k].at);
        html_markup(h, "<p>");
        html_text(h, updates[k].body);
        html_markup(h, "</p></li>");
    }
    html_markup(h, "</ol></article>");
}

/* " · Post-mortem" linking the incident's published post-mortem (status_postmortem.c's page). */
static void put_postmortem_link(struct html *h, const struct sp_incident *i)
{
    if (!i->postmortem)
        return;
    char href[INCIDENT_ID_MAX + 48];
    snprintf(href, sizeof href, "/status/incidents/%s/postmortem", i->id);
    html_markup(h, " &middot; <a class=\"postmortem\"");
    html_attr(h, "href", href);
    html_markup(h, ">Post-mortem</a>");
}

static void put_incident(struct html *h, const struct sp_page *p, const struct sp_incident *i)
{
    html_markup(h, "<article class=\"incident\"");
    html_attr(h, "id", i->id);
    html_markup(h, "><h3><span class=\"impact impact-");
    html_text(h, sp_impact_name(i->impact));
    html_markup(h, "\">");
    html_text(h, i->title);
    html_markup(h, "</span></h3><p class=\"meta\">");
    html_text(h, i->resolved ? "Resolved" : update_label(i->status));
    if (i->impact != SP_IMPACT_NONE) {
        html_markup(h, " &middot; ");
        html_text(h, sp_impact_name(i->impact));
        html_markup(h, " impact");
    }
    if (i->component >= 0) {
        html_markup(h, " &middot; affects ");
        html_text(h, p->components[i->component].name);
    }
    html_markup(h, " &middot; started ");
    put_time(h, i->created_at);
    if (i->resolved && i->resolved_at) {
        html_markup(h, " &middot; resolved ");
        put_time(h, i->resolved_at);
    }
    put_postmortem_link(h, i);
    put_updates(h, i->updates, i->update_count, update_label);
}

static const char *maint_label(enum maint_status s)
{
    static const char *const text[] = {"Scheduled", "In progress", "Verifying", "Completed"};
    return (unsigned)s < sizeof text / sizeof text[0] ? text[s] : text[0];
}

static const char *maint_update_label(const char *status)
{
    int s = maint_status_parse(status);
    return s < 0 ? status : maint_label((enum maint_status)s);
}

static void put_maintenance(struct html *h, const struct sp_page *p, const struct sp_maintenance *m)
{
    html_markup(h, "<article class=\"incident maintenance maint-");
    html_text(h, maint_status_name(m->status));
    html_markup(h, "\"");
    html_attr(h, "id", m->id);
    html_markup(h, "><h3>");
    html_text(h, m->name);
    html_markup(h, "</h3><p class=\"meta\"><strong>");
    html_text(h, maint_label(m->status));
    html_markup(h, "</strong> &middot; scheduled ");
    put_time(h, m->scheduled_for);
    html_markup(h, " to ");
    put_time(h, m->scheduled_until);
    if (m->component_count) {
        html_markup(h, " &middot; affects ");
        for (size_t c = 0; c < m->component_count; c++) {
            if (c)
                html_markup(h, ", ");
            html_text(h, p->components[m->components[c]].name);
        }
    }
    put_updates(h, m->updates, m->update_count, maint_update_label);
}

/* Appends the maintenances of one kind (0 active, 1 upcoming, 2 completed) within the budget;
 * returns how many were left out. */
static size_t put_maintenances(struct html *h, const struct sp_page *p, int kind)
{
    size_t left = 0;
    for (size_t k = 0; k < p->maintenance_count; k++) {
        const struct sp_maintenance *m = &p->maintenances[k];
        int mk = sp_maintenance_active(m) ? 0 : m->status == MAINT_SCHEDULED ? 1 : 2;
        if (mk != kind)
            continue;
        struct html one;
        html_init(&one, STATUS_HTML_BUDGET);
        put_maintenance(&one, p, m);
        if (!left && !html_failed(&one) &&
            html_len(h) + html_len(&one) + TAIL_RESERVE <= STATUS_HTML_BUDGET)
            html_append(h, &one);
        else
            left++;
        html_free(&one);
    }
    return left;
}

static void put_head(struct html *h, const struct sp_page *p, const struct status_site *site)
{
    html_markup(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
                   "<title>");
    html_text(h, site->name);
    html_markup(h, "</title><link rel=\"stylesheet\" href=\"/status/assets/status.css\">"
                   "<link rel=\"icon\" href=\"/status/assets/favicon.svg\" type=\"image/svg+xml\">"
                   "<link rel=\"alternate\" type=\"application/atom+xml\" "
                   "title=\"Incident history\" href=\"/history.atom\"></head>\n<body><header><h1>");
    html_text(h, site->name);
    html_markup(h, "</h1></header>\n<main><section class=\"overall indicator-");
    html_text(h, sp_impact_name(p->indicator));
    html_markup(h, "\" aria-label=\"Overall status\"><p class=\"description\">");
    html_text(h, sp_indicator_description(p->indicator));
    html_markup(h, "</p>");
    if (p->updated_at) {
        html_markup(h, "<p class=\"updated\">Last change ");
        put_time(h, p->updated_at);
        html_markup(h, "</p>");
    }
    html_markup(h, "</section>\n");
}

/* The class of a day's bar (short: 90 of them per component): no data, up (>= 99.95%), minor
 * (>= 99%), major (>= 95%), down. */
static const char *bar_class(double up)
{
    return up < 0 ? "n" : up >= 99.95 ? "u" : up >= 99.0 ? "m" : up >= 95.0 ? "j" : "d";
}

/* Whether something public touched component k on day d (from, to): an incident or a
 * maintenance window that ran. */
static bool day_has_news(const struct sp_page *p, size_t k, int64_t from, int64_t to)
{
    for (size_t o = 0; o < p->outage_count; o++) {
        const struct sp_outage *x = &p->outages[o];
        if (x->component == (int)k && x->start < to && (!x->end || x->end > from))
            return true;
    }
    for (size_t m = 0; m < p->maintenance_count; m++) {
        const struct sp_maintenance *w = &p->maintenances[m];
        int64_t start = w->started_at, end = w->completed_at;
        if (!start || start >= to || (end && end <= from))
            continue;
        for (size_t c = 0; c < w->component_count; c++)
            if (w->components[c] == (int)k)
                return true;
    }
    return false;
}

/* Day d's bar of component k: its title says the day, its uptime and the day's public incidents;
 * a day something happened on links to its detail page (/status/history/DAY, api/status_history.c),
 * so the detail is one click away without JavaScript. */
static void put_bar(struct html *h, const struct sp_page *p, size_t k, int d, double up)
{
    const struct sp_component *c = &p->components[k];
    int64_t from = p->first_day + (int64_t)d * MS_PER_DAY, to = from + MS_PER_DAY;
    char day[11];
    time_format_day(from, day);
    struct buf title;
    buf_init(&title, 4096);
    if (up < 0)
        buf_printf(&title, "%s: no data", day);
    else if (up >= 100.0)
        buf_printf(&title, "%s: 100%% up", day);
    else
        buf_printf(&title, "%s: %.2f%% up", day, up);
    for (size_t o = 0; o < p->outage_count; o++) {
        const struct sp_outage *x = &p->outages[o];
        if (x->component == (int)k && x->start < to && (!x->end || x->end > from))
            buf_printf(&title, "; %s", x->title);
    }
    html_markup(h, "<li");
    html_attr(h, "class", bar_class(up));
    html_attr(h, "title", title.data ? title.data : day);
    if (day_has_news(p, k, from, to)) {
        char href[200], label[64];
        snprintf(href, sizeof href, "/status/history/%s#component-%s", day, c->id);
        snprintf(label, sizeof label, "%s: what happened", day);
        html_markup(h, "><a");
        html_url_attr(h, "href", href);
        html_attr(h, "aria-label", label);
        html_markup(h, "></a></li>");
    } else {
        html_markup(h, "></li>");
    }
    buf_free(&title);
}

/* One bar per day, oldest first; its tooltip says the day, its uptime and the public incidents
 * on the component that day. */
static void put_bars(struct html *h, const struct sp_page *p, size_t k)
{
    const struct sp_component *c = &p->components[k];
    double sum = 0;
    int with_data = 0;
    html_markup(h, "<ol class=\"bars\">");
    for (int d = 0; d < p->day_count; d++) {
        double up = c->days[d];
        put_bar(h, p, k, d, up);
        if (up >= 0) {
            sum += up;
            with_data++;
        }
    }
    html_markup(h, "</ol><p class=\"span\"><span>");
    html_textf(h, "%d days ago", p->day_count);
    html_markup(h, "</span><span>");
    if (with_data)
        html_textf(h, "%.2f%% uptime", sum / with_data);
    else
        html_markup(h, "no data yet");
    html_markup(h, "</span><span>today</span></p>");
}

static void put_component(struct html *h, const struct sp_page *p, size_t k)
{
    const struct sp_component *c = &p->components[k];
    html_markup(h, "<li class=\"component status-");
    html_text(h, sp_component_status_name(c->status));
    html_markup(h, "\" id=\"component-");
    html_text(h, c->id);
    html_markup(h, "\"><span class=\"name\">");
    html_text(h, c->name);
    html_markup(h, "</span> <span class=\"state\">");
    html_text(h, component_label(c->status));
    html_markup(h, "</span>");
    if (c->description) {
        html_markup(h, "<p class=\"about\">");
        html_text(h, c->description);
        html_markup(h, "</p>");
    }
    if (p->day_count && c->days) {
        struct html bars;
        html_init(&bars, STATUS_HTML_BUDGET);
        put_bars(&bars, p, k);
        /* the bars may take half the page; past that they are left out, with a word */
        if (!html_failed(&bars) && html_len(h) + html_len(&bars) <= STATUS_HTML_BUDGET / 2)
            html_append(h, &bars);
        else
            html_markup(h, "<p class=\"span\">Uptime bars left out to keep the page small.</p>");
        html_free(&bars);
    }
    html_markup(h, "</li>");
}

/* A group: its heading with the worst state of its members, then the members. */
static void put_group(struct html *h, const struct sp_page *p, int g)
{
    const struct sp_group *grp = &p->groups[g];
    html_markup(h, "<li class=\"group status-");
    html_text(h, sp_component_status_name(grp->status));
    html_markup(h, "\" id=\"");
    html_text(h, grp->id);
    html_markup(h, "\"><span class=\"name\">");
    html_text(h, grp->name);
    html_markup(h, "</span> <span class=\"state\">");
    html_text(h, component_label(grp->status));
    html_markup(h, "</span><ul class=\"members\">");
    for (size_t k = 0; k < p->component_count; k++)
        if (p->components[k].group == g)
            put_component(h, p, k);
    html_markup(h, "</ul></li>");
}

static void put_components(struct html *h, const struct sp_page *p)
{
    html_markup(h, "<section aria-labelledby=\"components\"><h2 id=\"components\">Components</h2>");
    if (!p->component_count)
        html_markup(h, "<p>No components are listed.</p>");
    else
        html_markup(h, "<ul class=\"components\">");
    for (size_t k = 0; k < p->component_count; k++) {
        int g = p->components[k].group;
        if (g < 0) {
            put_component(h, p, k);
            continue;
        }
        bool first = true; /* a group is shown where its first member would be */
        for (size_t j = 0; j < k && first; j++)
            first = p->components[j].group != g;
        if (first)
            put_group(h, p, g);
    }
    if (p->component_count)
        html_markup(h, "</ul>");
    html_markup(h, "</section>\n");
}

/* Appends each incident of one kind (active or past) while the page stays within the budget;
 * returns how many were left out. */
static size_t put_incidents(struct html *h, const struct sp_page *p, bool resolved)
{
    size_t left = 0;
    for (size_t k = 0; k < p->incident_count; k++) {
        const struct sp_incident *i = &p->incidents[k];
        if (i->resolved != resolved)
            continue;
        struct html one;
        html_init(&one, STATUS_HTML_BUDGET);
        put_incident(&one, p, i);
        if (!left && !html_failed(&one) &&
            html_len(h) + html_len(&one) + TAIL_RESERVE <= STATUS_HTML_BUDGET)
            html_append(h, &one);
        else
            left++;
        html_free(&one);
    }
    return left;
}

/* The subscribe form (POST /status/subscribe, api/subscribers.c): an address and, optionally,
 * the components to hear about (none ticked: every one). */
static void put_subscribe(struct html *h, const struct sp_page *p)
{
    html_markup(h, "<section aria-labelledby=\"subscribe\"><h2 id=\"subscribe\">Get updates by "
                   "email</h2><form method=\"post\" action=\"/status/subscribe\" "
                   "class=\"subscribe\"><label for=\"sub-email\">Email address</label> "
                   "<input id=\"sub-email\" type=\"email\" name=\"email\" required "
                   "autocomplete=\"email\"> <button type=\"submit\">Subscribe</button>");
    if (p->component_count > 1 && p->component_count <= 30) {
        html_markup(h, "<details><summary>Only some components</summary>");
        for (size_t k = 0; k < p->component_count; k++) {
            html_markup(h, "<label><input type=\"checkbox\" name=\"component\"");
            html_attr(h, "value", p->components[k].name);
            html_markup(h, "> ");
            html_text(h, p->components[k].name);
            html_markup(h, "</label> ");
        }
        html_markup(h, "</details>");
    }
    html_markup(h, "<p class=\"note\">We send a confirmation link first; every mail has an "
                   "unsubscribe link.</p></form></section>\n");
}

char *status_render_html(const struct sp_page *p, const struct status_site *site, size_t *len)
{
    struct html h;
    html_init(&h, STATUS_HTML_BUDGET);
    put_head(&h, p, site);
    size_t left = 0;
    int kinds[3] = {0};
    for (size_t k = 0; k < p->maintenance_count; k++) {
        const struct sp_maintenance *m = &p->maintenances[k];
        kinds[sp_maintenance_active(m) ? 0 : m->status == MAINT_SCHEDULED ? 1 : 2]++;
    }
    if (kinds[0]) {
        html_markup(&h, "<section aria-labelledby=\"maint-active\"><h2 id=\"maint-active\">"
                        "Maintenance in progress</h2>");
        left += put_maintenances(&h, p, 0);
        html_markup(&h, "</section>\n");
    }
    put_components(&h, p);
    bool any_active = false, any_past = false;
    for (size_t k = 0; k < p->incident_count; k++) {
        any_active = any_active || !p->incidents[k].resolved;
        any_past = any_past || p->incidents[k].resolved;
    }
    html_markup(&h, "<section aria-labelledby=\"active\"><h2 id=\"active\">Active incidents</h2>");
    if (!any_active)
        html_markup(&h, "<p>No incidents are open.</p>");
    left += put_incidents(&h, p, false);
    html_markup(&h, "</section>\n");
    if (kinds[1]) {
        html_markup(&h, "<section aria-labelledby=\"maint-upcoming\"><h2 id=\"maint-upcoming\">"
                        "Scheduled maintenance</h2>");
        left += put_maintenances(&h, p, 1);
        html_markup(&h, "</section>\n");
    }
    html_markup(&h, "<section aria-labelledby=\"past\"><h2 id=\"past\">Past "
                    "incidents</h2>");
    if (!any_past)
        html_markup(&h, "<p>No past incidents.</p>");
    left += put_incidents(&h, p, true);
    if (kinds[2]) {
        html_markup(&h, "<h3 class=\"sub\">Completed maintenance</h3>");
        left += put_maintenances(&h, p, 2);
    }
    if (left) {
        html_markup(&h, "<p class=\"note\">");
        html_textf(&h, "%zu more incident%s in the feed and the JSON.", left, left == 1 ? "" : "s");
        html_markup(&h, "</p>");
    }
    html_markup(&h, "</section>\n");
    put_subscribe(&h, p);
    html_markup(&h, "</main>\n<footer><a href=\"/history.atom\">Incident history "
                    "(Atom)</a> &middot; <a href=\"/api/v2/summary.json\">JSON</a></footer>"
                    "</body></html>\n");
    char *out = html_steal(&h, len);
    if (!out)
        log_error("status page: the HTML page passed its %d-byte budget", STATUS_HTML_BUDGET);
    return out;
}
