/*
 * web/ui_incident: one incident: its header, SLA clocks, the actions a responder may take
 * (acknowledge, the allowed state moves, resolve, severity, roles, escalate now, page someone,
 * a note), the escalation plan, the timeline, its alerts and its notifications with their
 * delivery state. See ui.h. Each action is a POST form to /ui/incidents/ID/<action>, which
 * api/ui_actions.c turns into the API call of the same name.
 */
#include "web/ui.h"
#include "domain/incident.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

static const char *jstr(const json_t *o, const char *k)
{
    return json_string_value(json_object_get(o, k));
}

static void action_url(char *out, size_t n, const char *id, const char *action)
{
    snprintf(out, n, "/ui/incidents/%.100s/%s", id, action);
}

static void kv(struct html *h, const char *label, const char *value)
{
    html_markup(h, "<dt>");
    html_text(h, label);
    html_markup(h, "</dt><dd>");
    if (value)
        html_text(h, value);
    else
        html_markup(h, "<span class=\"muted\">-</span>");
    html_markup(h, "</dd>");
}

static void header(struct html *h, const struct ui_view *v, const json_t *inc,
                   const struct config *cfg)
{
    html_markup(h, "<section class=\"card\"><div class=\"line1\">");
    ui_severity(h, cfg, jstr(inc, "severity"));
    html_markup(h, " ");
    ui_status(h, jstr(inc, "status"));
    if (json_is_true(json_object_get(inc, "drill")))
        html_markup(h, " <span class=\"tag\">drill</span>");
    html_markup(h, "</div><h1 id=\"incident-title\">");
    html_text(h, jstr(inc, "title"));
    html_markup(h, "</h1>");
    if (jstr(inc, "summary")) {
        html_markup(h, "<p class=\"summary\">");
        html_text(h, jstr(inc, "summary"));
        html_markup(h, "</p>");
    }
    html_markup(h, "<dl class=\"facts\">");
    kv(h, "Id", jstr(inc, "id"));
    kv(h, "State", jstr(inc, "status"));
    kv(h, "Service", jstr(inc, "service"));
    kv(h, "Type", jstr(inc, "type"));
    kv(h, "Channel", jstr(inc, "channel"));
    html_markup(h, "<dt>Declared</dt><dd>");
    ui_time(h, jstr(inc, "created_at"));
    html_markup(h, " ");
    ui_ago(h, jstr(inc, "created_at"), v->now);
    html_markup(h, "</dd></dl>");
    const json_t *sla = json_object_get(inc, "sla");
    html_markup(h, "<ul class=\"clocks\" id=\"clocks\">");
    ui_countdown(h, "Ack due", jstr(sla, "ack_due"), v->now, jstr(inc, "acknowledged_at") != NULL);
    ui_countdown(h, "Resolution target", jstr(sla, "resolve_due"), v->now,
                 jstr(inc, "resolved_at") != NULL);
    ui_countdown(h, "Next update due", jstr(sla, "next_update_due"), v->now, false);
    html_markup(h, "</ul></section>");
}

static void button_form(struct html *h, const struct ui_view *v, const char *id, const char *action,
                        const char *field, const char *value, const char *label, const char *cls)
{
    char url[160];
    action_url(url, sizeof url, id, action);
    ui_form_open(h, v, url, "inline");
    if (field) {
        html_markup(h, "<input type=\"hidden\"");
        html_attr(h, "name", field);
        html_attr(h, "value", value);
        html_markup(h, ">");
    }
    html_markup(h, "<button type=\"submit\"");
    html_attr(h, "class", cls);
    html_attr(h, "data-action", action);
    html_markup(h, ">");
    html_text(h, label);
    html_markup(h, "</button></form>");
}

static void user_select(struct html *h, const char *name, const char *id, const struct config *cfg,
                        const char *current)
{
    html_markup(h, "<select");
    html_attr(h, "name", name);
    html_attr(h, "id", id);
    html_attr(h, "aria-label", id);
    html_markup(h, ">");
    for (size_t i = 0; i < cfg->user_count; i++) {
        html_markup(h, "<option");
        html_attr(h, "value", cfg->users[i].id);
        if (current && strcmp(current, cfg->users[i].id) == 0)
            html_markup(h, " selected");
        html_markup(h, ">");
        html_text(h, cfg->users[i].name ? cfg->users[i].name : cfg->users[i].id);
        html_markup(h, "</option>");
    }
    html_markup(h, "</select>");
}

/* A status update: the next state (any later one, resolved included), a message and whether it
 * goes to the public status page. */
static void update_form(struct html *h, const struct ui_view *v, const char *id, int st)
{
    char url[160];
    action_url(url, sizeof url, id, "status");
    html_markup(h, "<details class=\"card\"><summary>Post an update</summary>");
    ui_form_open(h, v, url, "stack");
    html_markup(h, "<label for=\"update-status\">New state</label>"
                   "<select id=\"update-status\" name=\"status\">");
    for (int s = st + 1; s < INC_STATUS_COUNT; s++) {
        if (!incident_status_is_open(s) && s != INC_RESOLVED)
            continue;
        html_markup(h, "<option");
        html_attr(h, "value", incident_status_name(s));
        html_markup(h, ">");
        html_text(h, incident_status_name(s));
        html_markup(h, "</option>");
    }
    html_markup(h, "</select><label for=\"update-message\">Message</label>"
                   "<textarea id=\"update-message\" name=\"message\" rows=\"2\"></textarea>"
                   "<label class=\"choice\"><input type=\"checkbox\" name=\"public\" "
                   "value=\"1\" id=\"update-public\"> Also on the public status page</label>"
                   "<button type=\"submit\" id=\"post-update\">Post update</button></form>"
                   "</details>");
}

/* Close a resolved incident. A severity that requires a post-mortem refuses the close until it
 * is published (the refusal page says so); an admin may close without one by giving a reason
 * (postmortem_waiver, on the timeline), so nobody is stuck in the UI either. */
static void close_form(struct html *h, const struct ui_view *v, const char *id)
{
    char url[160];
    action_url(url, sizeof url, id, "status");
    ui_form_open(h, v, url, "row");
    html_markup(h, "<input type=\"hidden\" name=\"status\" value=\"closed\">");
    if (v->role && strcmp(v->role, "admin") == 0)
        html_markup(h, "<label for=\"close-waiver\" class=\"sr\">Close without a post-mortem: "
                       "why</label><input id=\"close-waiver\" name=\"postmortem_waiver\" "
                       "maxlength=\"1000\" placeholder=\"Close without a post-mortem: why "
                       "(admins; optional)\">");
    html_markup(h, "<button type=\"submit\" id=\"close\" data-action=\"close\">Close</button>"
                   "</form>");
}

static void state_actions(struct html *h, const struct ui_view *v, const json_t *inc)
{
    const char *id = jstr(inc, "id");
    int st = incident_status_parse(jstr(inc, "status") ? jstr(inc, "status") : "");
    html_markup(h, "<div class=\"actions\" id=\"state-actions\">");
    if (st == INC_TRIGGERED)
        button_form(h, v, id, "ack", NULL, NULL, "Acknowledge", "primary big");
    if (st >= 0 && incident_status_is_open(st)) {
        for (int s = st + 1; s < INC_STATUS_COUNT; s++) {
            if (!incident_status_is_open(s) || s == INC_ACKNOWLEDGED)
                continue;
            char label[48];
            snprintf(label, sizeof label, "Move to %s", incident_status_name(s));
            button_form(h, v, id, "status", "status", incident_status_name(s), label, "");
        }
    }
    if (st == INC_RESOLVED)
        button_form(h, v, id, "status", "status", "acknowledged", "Reopen", "");
    html_markup(h, "</div>");
    if (st == INC_RESOLVED)
        close_form(h, v, id);
    if (st >= 0 && incident_status_is_open(st))
        update_form(h, v, id, st);
    if (st >= 0 && incident_status_is_open(st)) {
        char url[160];
        action_url(url, sizeof url, id, "resolve");
        ui_form_open(h, v, url, "row");
        html_markup(h, "<label for=\"resolve-message\" class=\"sr\">Resolution message</label>"
                       "<input id=\"resolve-message\" name=\"message\" "
                       "placeholder=\"What fixed it (optional)\">"
                       "<button type=\"submit\" class=\"good\" id=\"resolve\" "
                       "data-action=\"resolve\">Resolve</button></form>");
    }
}

static void change_actions(struct html *h, const struct ui_view *v, const json_t *inc,
                           const struct config *cfg)
{
    const char *id = jstr(inc, "id");
    char url[160];
    html_markup(h, "<section class=\"card\"><h2>Change</h2>");
    action_url(url, sizeof url, id, "severity");
    ui_form_open(h, v, url, "row");
    html_markup(h, "<label for=\"severity\">Severity</label><select id=\"severity\" "
                   "name=\"severity\">");
    for (size_t i = 0; i < cfg->severity_count; i++) {
        html_markup(h, "<option");
        html_attr(h, "value", cfg->severities[i].id);
        if (jstr(inc, "severity") && strcmp(jstr(inc, "severity"), cfg->severities[i].id) == 0)
            html_markup(h, " selected");
        html_markup(h, ">");
        html_textf(h, "%s %s", cfg->severities[i].id, cfg->severities[i].name);
        html_markup(h, "</option>");
    }
    html_markup(h, "</select><button type=\"submit\">Change severity</button></form>");
    action_url(url, sizeof url, id, "escalate");
    ui_form_open(h, v, url, "row");
    html_markup(h, "<label for=\"escalate-message\" class=\"sr\">Why</label>"
                   "<input id=\"escalate-message\" name=\"message\" placeholder=\"Why (optional)\">"
                   "<button type=\"submit\" class=\"warn\">Escalate now</button></form>");
    action_url(url, sizeof url, id, "page");
    ui_form_open(h, v, url, "row");
    html_markup(h, "<label for=\"page-user\">Page</label>");
    user_select(h, "user", "page-user", cfg, NULL);
    html_markup(h, "<input name=\"message\" aria-label=\"Message\" placeholder=\"Message\">"
                   "<button type=\"submit\">Page</button></form></section>");
}

static void roles(struct html *h, const struct ui_view *v, const json_t *inc,
                  const struct config *cfg, bool can)
{
    const json_t *r = json_object_get(inc, "roles");
    html_markup(h, "<section class=\"card\"><h2>Roles</h2><ul class=\"roles\">");
    for (int i = 0; i < ROLE_COUNT; i++) {
        const char *role = incident_role_name(i), *holder = jstr(r, role);
        html_markup(h, "<li><span class=\"label\">");
        html_text(h, role);
        html_markup(h, "</span> <strong>");
        html_text(h, holder ? holder : "unassigned");
        html_markup(h, "</strong>");
        if (can) {
            char url[200], sel[40];
            snprintf(url, sizeof url, "/ui/incidents/%.100s/role", jstr(inc, "id"));
            ui_form_open(h, v, url, "row");
            html_markup(h, "<input type=\"hidden\" name=\"role\"");
            html_attr(h, "value", role);
            html_markup(h, ">");
            snprintf(sel, sizeof sel, "role-%s", role);
            user_select(h, "user", sel, cfg, holder);
            html_markup(h, "<button type=\"submit\">");
            html_text(h, holder ? "Hand off" : "Assign");
            html_markup(h, "</button></form>");
        }
        html_markup(h, "</li>");
    }
    html_markup(h, "</ul></section>");
}

/* The policy's steps from the config, the next one marked: who each step pages, and after how
 * long. */
static void plan(struct html *h, const struct config *cfg, const char *policy, long long next)
{
    const struct config_escalation_policy *p = config_policy_find(cfg, policy);
    if (!p)
        return;
    html_markup(h, "<ol class=\"plan\" id=\"plan\">");
    for (size_t i = 0; i < p->step_count; i++) {
        const struct config_escalation_step *st = &p->steps[i];
        char after[48];
        time_format_duration(st->after, after, sizeof after);
        html_markup(h, "<li");
        if ((long long)i + 1 == next)
            html_markup(h, " class=\"next\"");
        html_markup(h, "><span class=\"label\">");
        html_textf(h, "after %s", after);
        html_markup(h, "</span> ");
        for (size_t k = 0; k < st->notify.count; k++) {
            const char *t = st->notify.items[k];
            const struct config_contact *ct =
                strncmp(t, "contact:", 8) == 0 ? config_contact_find(cfg, t + 8) : NULL;
            html_markup(h, "<code>");
            html_text(h, t);
            html_markup(h, "</code> ");
            if (ct) /* someone outside the rotations: who, and how they are reached */
                html_textf(h, "(%s, %s%s%s) ", ct->name, ct->phone ? "phone" : "",
                           ct->phone && ct->email ? " and " : "", ct->email ? "email" : "");
        }
        if ((long long)i + 1 == next)
            html_markup(h, "<strong>next</strong>");
        html_markup(h, "</li>");
    }
    html_markup(h, "</ol>");
}

/* The policy the incident runs: the stored one once started, else the one the config gives it
 * (its type's, else its service's), which the engine is about to start. */
static const char *policy_of(const json_t *inc, const json_t *e, const struct config *cfg)
{
    if (jstr(e, "policy"))
        return jstr(e, "policy");
    const struct config_incident_type *t =
        jstr(inc, "type") ? config_type_find(cfg, jstr(inc, "type")) : NULL;
    if (t && t->escalation)
        return t->escalation;
    const struct config_service *s =
        jstr(inc, "service") ? config_service_find(cfg, jstr(inc, "service")) : NULL;
    return s ? s->escalation : NULL;
}

static void escalation(struct html *h, const json_t *inc, const struct config *cfg)
{
    const json_t *e = json_object_get(inc, "escalation");
    const char *policy = policy_of(inc, e, cfg);
    html_markup(h, "<section class=\"card\"><h2>Escalation</h2>");
    if (!policy) {
        html_markup(h, "<p class=\"muted\">No escalation policy runs for this incident.</p>");
    } else {
        bool started = jstr(e, "policy") != NULL;
        html_markup(h, "<dl class=\"facts\">");
        kv(h, "Policy", policy);
        kv(h, "State", started ? jstr(e, "state") : "starting");
        if (started) {
            html_markup(h, "<dt>Next step</dt><dd>");
            html_textf(h, "step %lld, round %lld",
                       (long long)json_integer_value(json_object_get(e, "next_step")),
                       (long long)json_integer_value(json_object_get(e, "round")));
            html_markup(h, "</dd><dt>When</dt><dd>");
            ui_time(h, jstr(e, "next_at"));
            html_markup(h, "</dd>");
        }
        html_markup(h, "</dl>");
        long long next = !started ? 1
                         : jstr(e, "next_at")
                             ? (long long)json_integer_value(json_object_get(e, "next_step"))
                             : 0;
        plan(h, cfg, policy, next);
    }
    html_markup(h, "</section>");
}

/* The entry's data, shown briefly: its text or message, else its string fields. */
static void entry_data(struct html *h, const json_t *data)
{
    const char *text = jstr(data, "text") ? jstr(data, "text") : jstr(data, "message");
    if (text) {
        html_markup(h, "<p class=\"text\">");
        html_text(h, text);
        html_markup(h, "</p>");
        return;
    }
    const char *k;
    const json_t *val;
    int shown = 0;
    html_markup(h, "<span class=\"data\">");
    json_object_foreach((json_t *)data, k, val)
    {
        if (!json_is_string(val) && !json_is_integer(val))
            continue;
        if (shown++ >= 6)
            break;
        if (json_is_string(val))
            html_textf(h, "%s=%s ", k, json_string_value(val));
        else
            html_textf(h, "%s=%lld ", k, (long long)json_integer_value(val));
    }
    html_markup(h, "</span>");
}

static void timeline(struct html *h, const json_t *tl)
{
    const json_t *entries = json_object_get(tl, "entries");
    html_markup(h, "<section class=\"card\" id=\"timeline-card\"><h2>Timeline</h2>"
                   "<ol class=\"timeline\" "
                   "id=\"timeline\">");
    for (size_t i = json_array_size(entries); i-- > 0;) {
        const json_t *e = json_array_get(entries, i);
        html_markup(h, "<li><div class=\"meta\">");
        ui_time(h, jstr(e, "at"));
        html_markup(h, " <span class=\"kind\">");
        html_text(h, jstr(e, "kind"));
        html_markup(h, "</span> <span class=\"actor\">");
        html_text(h, jstr(e, "actor"));
        html_markup(h, "</span></div>");
        entry_data(h, json_object_get(e, "data"));
        html_markup(h, "</li>");
    }
    html_markup(h, "</ol></section>");
}

static void alerts(struct html *h, const json_t *al)
{
    const json_t *list = json_object_get(al, "alerts");
    html_markup(h, "<section class=\"card\"><h2>Alerts</h2>");
    if (json_array_size(list) == 0)
        html_markup(h, "<p class=\"muted\">No alerts.</p>");
    else
        html_markup(h, "<ul class=\"plain\">");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *a = json_array_get(list, i);
        html_markup(h, "<li>");
        ui_status(h, jstr(a, "status"));
        html_markup(h, " ");
        html_text(h, jstr(a, "summary"));
        html_markup(h, " <small>");
        html_text(h, jstr(a, "service"));
        html_markup(h, " · ");
        ui_time(h, jstr(a, "last_seen"));
        html_markup(h, "</small></li>");
    }
    if (json_array_size(list))
        html_markup(h, "</ul>");
    html_markup(h, "</section>");
}

static void notifications(struct html *h, const json_t *nl)
{
    const json_t *list = json_object_get(nl, "notifications");
    html_markup(h, "<section class=\"card\"><h2>Notifications</h2>");
    if (json_array_size(list) == 0)
        html_markup(h, "<p class=\"muted\">None sent.</p>");
    else
        html_markup(h, "<table class=\"grid\"><thead><tr><th>User</th><th>Method</th>"
                       "<th>State</th><th>Attempts</th><th>Sent</th></tr></thead><tbody>");
    for (size_t i = 0; i < json_array_size(list); i++) {
        const json_t *n = json_array_get(list, i);
        html_markup(h, "<tr><td>");
        html_text(h, jstr(n, "user"));
        html_markup(h, "</td><td>");
        html_text(h, jstr(n, "method"));
        html_markup(h, "</td><td>");
        ui_status(h, jstr(n, "status"));
        if (jstr(n, "last_error")) {
            html_markup(h, " <small>");
            html_text(h, jstr(n, "last_error"));
            html_markup(h, "</small>");
        }
        html_markup(h, "</td><td>");
        html_textf(h, "%zu", json_array_size(json_object_get(n, "attempts")));
        html_markup(h, "</td><td>");
        ui_time(h, jstr(n, "sent_at"));
        html_markup(h, "</td></tr>");
    }
    if (json_array_size(list))
        html_markup(h, "</tbody></table>");
    html_markup(h, "</section>");
}

void ui_render_incident(struct html *h, const struct ui_view *v, const struct ui_incident_data *d,
                        const struct config *cfg)
{
    const json_t *inc = d->incident;
    bool can = ui_can(v, "responder");
    ui_page_begin(h, v, jstr(inc, "id") ? jstr(inc, "id") : "Incident");
    html_markup(h, "<p class=\"crumbs\"><a href=\"/ui/\">Incidents</a></p>");
    header(h, v, inc, cfg);
    if (can)
        state_actions(h, v, inc);
    html_markup(h, "<div class=\"cols\"><div>");
    if (can) {
        char url[160];
        action_url(url, sizeof url, jstr(inc, "id"), "note");
        html_markup(h, "<section class=\"card\" id=\"note-card\"><h2>Add a note</h2>");
        ui_form_open(h, v, url, "stack");
        html_markup(h, "<label for=\"note\" class=\"sr\">Note</label>"
                       "<textarea id=\"note\" name=\"text\" rows=\"2\" required></textarea>"
                       "<button type=\"submit\" id=\"add-note\">Add note</button></form>"
                       "</section>");
    }
    ui_render_followup(h, v, d);
    timeline(h, d->timeline);
    html_markup(h, "</div><div>");
    roles(h, v, inc, cfg, can);
    escalation(h, inc, cfg);
    if (can)
        change_actions(h, v, inc, cfg);
    alerts(h, d->alerts);
    notifications(h, d->notifications);
    html_markup(h, "</div></div>");
    ui_page_end(h, v);
}
