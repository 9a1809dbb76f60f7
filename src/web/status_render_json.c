/* status_render_json: Statuspage's public JSON documents and the Atom feed; see status_render.h.
 * The field names and values are Statuspage's (docs/internals/status_page.md lists them). */
#include "web/status_render.h"
#include "web/html.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#define PAGE_ID "tocsin"

static json_t *jtime(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[RFC3339_LEN];
    time_format_rfc3339(ms, s);
    return json_string(s);
}

static json_t *page_json(const struct sp_page *p, const struct status_site *site)
{
    char url[1024];
    snprintf(url, sizeof url, "%s/status", site->base_url);
    return json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", PAGE_ID, "name", site->name, "url", url,
                     "time_zone", "Etc/UTC", "updated_at",
                     jtime(p->updated_at ? p->updated_at : site->now));
}

static json_t *component_json(const struct sp_page *p, const struct sp_component *c, int position,
                              int64_t fallback)
{
    /* created_at: tocsin keeps no creation time for a config entry; the page's last change (or
     * the render time) stands in for it */
    int64_t at = c->updated_at ? c->updated_at : fallback;
    json_t *group = c->group >= 0 ? json_string(p->groups[c->group].id) : json_null();
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:i,s:o,s:b,s:n,s:o,s:s,s:b,s:b}", "id", c->id, "name",
                     c->name, "status", sp_component_status_name(c->status), "created_at",
                     jtime(fallback), "updated_at", jtime(at), "position", position, "description",
                     c->description ? json_string(c->description) : json_null(), "showcase", true,
                     "start_date", "group_id", group, "page_id", PAGE_ID, "group", false,
                     "only_show_if_degraded", false);
}

/* A group as Statuspage lists it: a component with "group": true and its members' ids. */
static json_t *group_json(const struct sp_page *p, size_t g, int position, int64_t at)
{
    json_t *ids = json_array();
    for (size_t k = 0; k < p->component_count; k++)
        if (p->components[k].group == (int)g)
            json_array_append_new(ids, json_string(p->components[k].id));
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:i,s:n,s:b,s:n,s:n,s:s,s:b,s:b,s:o}", "id",
                     p->groups[g].id, "name", p->groups[g].name, "status",
                     sp_component_status_name(p->groups[g].status), "created_at", jtime(at),
                     "updated_at", jtime(at), "position", position, "description", "showcase",
                     false, "start_date", "group_id", "page_id", PAGE_ID, "group", true,
                     "only_show_if_degraded", false, "components", ids);
}

static json_t *components_json(const struct sp_page *p, const struct status_site *site)
{
    int64_t fallback = p->updated_at ? p->updated_at : site->now;
    json_t *a = json_array();
    int position = 0;
    for (size_t k = 0; k < p->component_count; k++) {
        int g = p->components[k].group;
        bool first_of_group = g >= 0;
        for (size_t j = 0; j < k && first_of_group; j++)
            first_of_group = p->components[j].group != g;
        if (first_of_group) /* a group comes before its first member */
            json_array_append_new(a, group_json(p, (size_t)g, ++position, fallback));
        json_array_append_new(a, component_json(p, &p->components[k], ++position, fallback));
    }
    return a;
}

/* What an update did to the incident's component: the first one took it from operational to
 * the incident's status, "resolved" brought it back. */
static json_t *affected_json(const struct sp_page *p, const struct sp_incident *i, size_t k)
{
    json_t *a = json_array();
    if (i->component < 0)
        return a;
    static const enum sp_component_status by_impact[] = {SP_OPERATIONAL, SP_UNDER_MAINTENANCE,
                                                         SP_DEGRADED_PERFORMANCE, SP_PARTIAL_OUTAGE,
                                                         SP_MAJOR_OUTAGE};
    enum sp_component_status hit = by_impact[i->impact];
    bool first = k + 1 == i->update_count;
    bool back = strcmp(i->updates[k].status, "resolved") == 0 ||
                strcmp(i->updates[k].status, "postmortem") == 0;
    const struct sp_component *c = &p->components[i->component];
    json_array_append_new(
        a, json_pack("{s:s,s:s,s:s,s:s}", "code", c->id, "name", c->name, "old_status",
                     sp_component_status_name(first ? SP_OPERATIONAL : hit), "new_status",
                     sp_component_status_name(back ? SP_OPERATIONAL : hit)));
    return a;
}

/* Statuspage's post-mortem fields of an incident (null when none is published) and, when one is,
 * its "postmortem" update first in incident_updates (newest first), carrying the public text. */
static void postmortem_json(json_t *o, const struct sp_incident *i)
{
    json_t *at = jtime(i->postmortem ? i->postmortem_at : 0);
    json_object_set_new(o, "postmortem_body",
                        i->postmortem ? json_string(i->postmortem) : json_null());
    json_object_set(o, "postmortem_body_last_updated_at", at);
    json_object_set(o, "postmortem_published_at", at);
    if (i->postmortem) {
        char id[INCIDENT_ID_MAX + 16];
        snprintf(id, sizeof id, "postmortem-%s", i->id);
        json_array_insert_new(
            json_object_get(o, "incident_updates"), 0,
            json_pack("{s:s,s:s,s:s,s:s,s:O,s:O,s:O,s:[],s:b,s:n,s:n}", "id", id, "status",
                      "postmortem", "body", i->postmortem, "incident_id", i->id, "created_at", at,
                      "updated_at", at, "display_at", at, "affected_components",
                      "deliver_notifications", false, "custom_tweet", "tweet_id"));
    }
    json_decref(at);
}

static json_t *incident_json(const struct sp_page *p, const struct sp_incident *i,
                             const struct status_site *site)
{
    json_t *updates = json_array();
    for (size_t k = 0; k < i->update_count; k++) {
        const struct sp_update *u = &i->updates[k];
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)u->seq);
        json_array_append_new(
            updates, json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:n,s:n}", "id", id, "status",
                               u->status, "body", u->body, "incident_id", i->id, "created_at",
                               jtime(u->at), "updated_at", jtime(u->at), "display_at", jtime(u->at),
                               "affected_components", affected_json(p, i, k),
                               "deliver_notifications", true, "custom_tweet", "tweet_id"));
    }
    json_t *comps = json_array();
    if (i->component >= 0)
        json_array_append_new(comps,
                              component_json(p, &p->components[i->component], i->component + 1,
                                             p->updated_at ? p->updated_at : site->now));
    char link[1024];
    snprintf(link, sizeof link, "%s/status#%s", site->base_url, i->id);
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:s,s:s,s:o,s:s,s:o,s:o}", "id", i->id, "name",
                  i->title, "status", i->status, "created_at", jtime(i->created_at), "updated_at",
                  jtime(i->updated_at), "monitoring_at", jtime(i->monitoring_at), "resolved_at",
                  jtime(i->resolved ? i->resolved_at : 0), "impact", sp_impact_name(i->impact),
                  "shortlink", link, "started_at", jtime(i->created_at), "page_id", PAGE_ID,
                  "incident_updates", updates, "components", comps);
    postmortem_json(o, i);
    return o;
}

static json_t *incidents_json(const struct sp_page *p, const struct status_site *site,
                              bool unresolved_only)
{
    json_t *a = json_array();
    for (size_t k = 0; k < p->incident_count; k++)
        if (!unresolved_only || !p->incidents[k].resolved)
            json_array_append_new(a, incident_json(p, &p->incidents[k], site));
    return a;
}

/* A maintenance as Statuspage lists it: an incident with impact "maintenance" and its window. */
static json_t *maintenance_json(const struct sp_page *p, const struct sp_maintenance *m,
                                const struct status_site *site)
{
    int64_t fallback = p->updated_at ? p->updated_at : site->now;
    json_t *comps = json_array();
    for (size_t c = 0; c < m->component_count; c++)
        json_array_append_new(comps, component_json(p, &p->components[m->components[c]],
                                                    m->components[c] + 1, fallback));
    json_t *updates = json_array();
    for (size_t k = 0; k < m->update_count; k++) {
        const struct sp_update *u = &m->updates[k];
        char id[MAINT_ID_MAX + 24];
        snprintf(id, sizeof id, "%s-%lld", m->id, (long long)u->seq);
        json_t *affected = json_array();
        for (size_t c = 0; c < m->component_count; c++) {
            const struct sp_component *comp = &p->components[m->components[c]];
            bool on = strcmp(u->status, "in_progress") == 0 || strcmp(u->status, "verifying") == 0;
            if (on || strcmp(u->status, "completed") == 0)
                json_array_append_new(
                    affected,
                    json_pack(
                        "{s:s,s:s,s:s,s:s}", "code", comp->id, "name", comp->name, "old_status",
                        sp_component_status_name(on ? SP_OPERATIONAL : SP_UNDER_MAINTENANCE),
                        "new_status",
                        sp_component_status_name(on ? SP_UNDER_MAINTENANCE : SP_OPERATIONAL)));
        }
        json_array_append_new(updates,
                              json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:o,s:b,s:n,s:n}", "id", id,
                                        "status", u->status, "body", u->body, "incident_id", m->id,
                                        "created_at", jtime(u->at), "updated_at", jtime(u->at),
                                        "display_at", jtime(u->at), "affected_components", affected,
                                        "deliver_notifications", true, "custom_tweet", "tweet_id"));
    }
    char link[1024];
    snprintf(link, sizeof link, "%s/status#%s", site->base_url, m->id);
    return json_pack("{s:s,s:s,s:s,s:o,s:o,s:n,s:o,s:s,s:s,s:o,s:s,s:o,s:o,s:o,s:o}", "id", m->id,
                     "name", m->name, "status", maint_status_name(m->status), "created_at",
                     jtime(m->created_at), "updated_at", jtime(m->updated_at), "monitoring_at",
                     "resolved_at", jtime(m->completed_at), "impact", "maintenance", "shortlink",
                     link, "started_at", jtime(m->started_at), "page_id", PAGE_ID,
                     "incident_updates", updates, "components", comps, "scheduled_for",
                     jtime(m->scheduled_for), "scheduled_until", jtime(m->scheduled_until));
}

/* which: 0 every one (the 50 newest), 1 upcoming (scheduled), 2 active (in progress, verifying),
 * 3 upcoming and active (summary.json). */
static json_t *maintenances_json(const struct sp_page *p, const struct status_site *site, int which)
{
    json_t *a = json_array();
    for (size_t k = 0; k < p->maintenance_count; k++) {
        const struct sp_maintenance *m = &p->maintenances[k];
        bool active = sp_maintenance_active(m), upcoming = m->status == MAINT_SCHEDULED;
        bool take = which == 0   ? json_array_size(a) < 50
                    : which == 1 ? upcoming
                    : which == 2 ? active
                                 : upcoming || active;
        if (take)
            json_array_append_new(a, maintenance_json(p, m, site));
    }
    return a;
}

static json_t *status_json(const struct sp_page *p)
{
    return json_pack("{s:s,s:s}", "indicator", sp_impact_name(p->indicator), "description",
                     sp_indicator_description(p->indicator));
}

char *status_render_json(enum status_doc d, const struct sp_page *p, const struct status_site *site,
                         size_t *len)
{
    json_t *o = json_pack("{s:o}", "page", page_json(p, site));
    switch (d) {
    case STATUS_DOC_SUMMARY:
        json_object_set_new(o, "components", components_json(p, site));
        json_object_set_new(o, "incidents", incidents_json(p, site, true));
        json_object_set_new(o, "scheduled_maintenances", maintenances_json(p, site, 3));
        json_object_set_new(o, "status", status_json(p));
        break;
    case STATUS_DOC_STATUS:
        json_object_set_new(o, "status", status_json(p));
        break;
    case STATUS_DOC_COMPONENTS:
        json_object_set_new(o, "components", components_json(p, site));
        break;
    case STATUS_DOC_INCIDENTS:
    case STATUS_DOC_UNRESOLVED:
        json_object_set_new(o, "incidents", incidents_json(p, site, d == STATUS_DOC_UNRESOLVED));
        break;
    case STATUS_DOC_MAINT_UPCOMING:
        json_object_set_new(o, "scheduled_maintenances", maintenances_json(p, site, 1));
        break;
    case STATUS_DOC_MAINT_ACTIVE:
        json_object_set_new(o, "scheduled_maintenances", maintenances_json(p, site, 2));
        break;
    default: /* scheduled-maintenances.json */
        json_object_set_new(o, "scheduled_maintenances", maintenances_json(p, site, 0));
        break;
    }
    char *text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(o);
    if (!text) {
        log_error("status page: cannot encode a JSON document");
        return NULL;
    }
    *len = strlen(text);
    return text;
}

/* ---- Atom (RFC 4287), built with the HTML builder: XML text needs the same escaping ---- */

static void atom_time(struct html *h, int64_t ms)
{
    char iso[RFC3339_LEN];
    time_format_rfc3339(ms, iso);
    html_text(h, iso);
}

static void atom_link(struct html *h, const struct status_site *site, const char *id)
{
    html_text(h, site->base_url);
    html_markup(h, "/status#");
    html_text(h, id);
}

/* The entry's content: its updates as HTML (escaped by the builder), then escaped again as the
 * text of a type="html" element. */
/* The updates of an incident or a maintenance as the HTML of an entry's content. */
static void atom_updates(struct html *body, const struct sp_update *u, size_t n)
{
    for (size_t k = 0; k < n; k++) {
        html_markup(body, "<p><small>");
        atom_time(body, u[k].at);
        html_markup(body, "</small><br><strong>");
        html_text(body, u[k].status);
        html_markup(body, "</strong> - ");
        html_text(body, u[k].body);
        html_markup(body, "</p>");
    }
}

/* One <entry>: its id and link (the page's anchor for id), title (prefix + title), times and the
 * content built in body (escaped as text: the feed's content type is html). */
static void atom_write_entry(struct html *h, const struct status_site *site, const char *id,
                             const char *prefix, const char *title, int64_t created,
                             int64_t updated, struct html *body)
{
    html_markup(h, "<entry><id>");
    atom_link(h, site, id);
    html_markup(h, "</id><title>");
    html_text(h, prefix);
    html_text(h, title);
    html_markup(h, "</title><published>");
    atom_time(h, created);
    html_markup(h, "</published><updated>");
    atom_time(h, updated ? updated : created);
    html_markup(h, "</updated><link rel=\"alternate\" type=\"text/html\" href=\"");
    atom_link(h, site, id);
    html_markup(h, "\"/><content type=\"html\">");
    if (html_failed(body))
        html_markup(h, "(too long to show)");
    else
        html_textn(h, html_data(body), html_len(body));
    html_markup(h, "</content></entry>\n");
}

static void atom_entry(struct html *h, const struct sp_incident *i, const struct status_site *site)
{
    struct html body;
    html_init(&body, STATUS_FEED_CAP);
    atom_updates(&body, i->updates, i->update_count);
    atom_write_entry(h, site, i->id, "", i->title, i->created_at, i->updated_at, &body);
    html_free(&body);
}

/* A maintenance window: "Scheduled maintenance: NAME", its window and updates in the content. */
static void atom_maintenance(struct html *h, const struct sp_maintenance *m,
                             const struct status_site *site)
{
    struct html body;
    html_init(&body, STATUS_FEED_CAP);
    html_markup(&body, "<p>Scheduled for ");
    atom_time(&body, m->scheduled_for);
    html_markup(&body, " until ");
    atom_time(&body, m->scheduled_until);
    html_markup(&body, "</p>");
    atom_updates(&body, m->updates, m->update_count);
    atom_write_entry(h, site, m->id, "Scheduled maintenance: ", m->name, m->created_at,
                     m->updated_at, &body);
    html_free(&body);
}

char *status_render_atom(const struct sp_page *p, const struct status_site *site, size_t *len)
{
    struct html h;
    html_init(&h, STATUS_FEED_CAP);
    html_markup(&h, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                    "<feed xmlns=\"http://www.w3.org/2005/Atom\" xml:lang=\"en\"><id>");
    html_text(&h, site->base_url);
    html_markup(&h, "/history.atom</id><title>");
    html_text(&h, site->name);
    html_markup(&h, " - incident history</title><updated>");
    atom_time(&h, p->updated_at ? p->updated_at : site->now);
    html_markup(&h, "</updated><author><name>");
    html_text(&h, site->name);
    html_markup(&h, "</name></author><link rel=\"self\" type=\"application/atom+xml\" href=\"");
    html_text(&h, site->base_url);
    html_markup(&h, "/history.atom\"/><link rel=\"alternate\" type=\"text/html\" href=\"");
    html_text(&h, site->base_url);
    html_markup(&h, "/status\"/>\n");
    for (size_t k = 0; k < p->incident_count; k++)
        atom_entry(&h, &p->incidents[k], site);
    for (size_t k = 0; k < p->maintenance_count; k++)
        atom_maintenance(&h, &p->maintenances[k], site);
    html_markup(&h, "</feed>\n");
    char *out = html_steal(&h, len);
    if (!out)
        log_error("status page: the Atom feed passed its %d-byte cap", STATUS_FEED_CAP);
    return out;
}

const char *status_doc_type(enum status_doc d)
{
    switch (d) {
    case STATUS_DOC_HTML:
        return "text/html; charset=utf-8";
    case STATUS_DOC_ATOM:
        return "application/atom+xml; charset=utf-8";
    default:
        return "application/json";
    }
}

char *status_render(enum status_doc d, const struct sp_page *p, const struct status_site *site,
                    size_t *len)
{
    if (d == STATUS_DOC_HTML)
        return status_render_html(p, site, len);
    if (d == STATUS_DOC_ATOM)
        return status_render_atom(p, site, len);
    return status_render_json(d, p, site, len);
}
