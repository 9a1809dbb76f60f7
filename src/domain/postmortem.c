/*
 * postmortem: post-mortem and action item rules, and the Markdown document (postmortem.h).
 * Threads: any; pure.
 */
#include "domain/postmortem.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <assert.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const state_names[PM_STATE_COUNT] = {"draft", "in_review", "published"};
static const char *const field_names[PM_FIELD_COUNT] = {
    "summary",   "impact",     "root_cause", "contributing_factors",
    "went_well", "went_badly", "lessons"};

const char *postmortem_state_name(enum postmortem_state s)
{
    return (unsigned)s < PM_STATE_COUNT ? state_names[s] : "?";
}

int postmortem_state_parse(const char *name)
{
    for (int i = 0; name && i < PM_STATE_COUNT; i++)
        if (strcmp(name, state_names[i]) == 0)
            return i;
    return -1;
}

const char *postmortem_field_name(enum postmortem_field f)
{
    return (unsigned)f < PM_FIELD_COUNT ? field_names[f] : "?";
}

int postmortem_field_parse(const char *name)
{
    for (int i = 0; name && i < PM_FIELD_COUNT; i++)
        if (strcmp(name, field_names[i]) == 0)
            return i;
    return -1;
}

const char *action_status_name(enum action_status s)
{
    return s == ACTION_DONE ? "done" : "open";
}

int action_status_parse(const char *name)
{
    if (name && strcmp(name, "open") == 0)
        return ACTION_OPEN;
    if (name && strcmp(name, "done") == 0)
        return ACTION_DONE;
    return -1;
}

bool action_priority_valid(const char *p)
{
    return p && p[0] == 'p' && p[1] >= '0' && p[1] <= '3' && p[2] == '\0';
}

void postmortem_free_fields(struct postmortem *pm)
{
    free(pm->template_id);
    free(pm->owner);
    free(pm->created_by);
    free(pm->review_attendees);
    for (int i = 0; i < PM_FIELD_COUNT; i++)
        free(pm->fields[i]);
    pm->template_id = pm->owner = pm->created_by = pm->review_attendees = NULL;
    memset(pm->fields, 0, sizeof pm->fields);
}

void action_item_free_fields(struct action_item *a)
{
    free(a->title);
    free(a->owner);
    free(a->priority);
    free(a->incident_id);
    free(a->postmortem_id);
    free(a->created_by);
    a->title = a->owner = a->priority = a->incident_id = a->postmortem_id = a->created_by = NULL;
}

bool postmortem_check(const struct postmortem *pm)
{
    if ((pm->state == PM_PUBLISHED) != (pm->published_at != 0))
        return false;
    if (pm->state == PM_PUBLISHED && pm->remind_at != 0)
        return false;
    return pm->id[0] && pm->incident_id[0] && pm->template_id;
}

static const struct config_postmortem_template builtin = {
    .id = "default", .title = NULL, .require_resolved = true};

static bool list_has(const struct string_list *l, const char *s)
{
    for (size_t i = 0; s && i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

const struct config_postmortem_template *postmortem_template_for(const struct config *cfg,
                                                                 const struct incident *inc)
{
    for (size_t i = 0; cfg && i < cfg->postmortem_template_count; i++) {
        const struct config_postmortem_template *t = &cfg->postmortem_templates[i];
        if (t->when.severity.count && !list_has(&t->when.severity, inc->severity))
            continue;
        if (t->when.type.count && !list_has(&t->when.type, inc->type))
            continue;
        return t;
    }
    return &builtin;
}

int64_t postmortem_next_remind(int64_t due_at, int64_t now)
{
    if (!due_at)
        return 0;
    return due_at > now ? due_at : now + POSTMORTEM_REMIND_EVERY;
}

enum result postmortem_init(struct postmortem *pm, const struct config *cfg,
                            const struct incident *inc, const char *owner, const char *actor,
                            int64_t now, struct error *err)
{
    const struct config_postmortem_template *t = postmortem_template_for(cfg, inc);
    memset(pm, 0, sizeof *pm);
    if (inc->status == INC_CLOSED)
        return error_set(err, ERR_CONFLICT,
                         "status: %s is closed; a post-mortem is made before closing", inc->id);
    if (t->require_resolved && inc->status != INC_RESOLVED)
        return error_set(err, ERR_CONFLICT,
                         "status: %s is %s; the post-mortem template \"%s\" requires the incident "
                         "resolved first",
                         inc->id, incident_status_name(inc->status), t->id);
    const struct config_severity *sev = config_severity_find(cfg, inc->severity);
    snprintf(pm->id, sizeof pm->id, "PM-%s", inc->id);
    snprintf(pm->incident_id, sizeof pm->incident_id, "%s", inc->id);
    pm->template_id = xstrdup(t->id);
    pm->state = PM_DRAFT;
    owner = owner ? owner : inc->roles[ROLE_COMMANDER];
    pm->owner = owner ? xstrdup(owner) : NULL;
    pm->required = sev && sev->postmortem_required;
    if (sev && sev->postmortem_due > 0)
        pm->due_at = (inc->resolved_at ? inc->resolved_at : now) + sev->postmortem_due;
    pm->remind_at = postmortem_next_remind(pm->due_at, now);
    pm->fields[PM_SUMMARY] = inc->summary ? xstrdup(inc->summary) : NULL;
    pm->created_at = pm->updated_at = now;
    pm->created_by = xstrdup(actor ? actor : "system");
    assert(postmortem_check(pm));
    return OK;
}

enum result postmortem_check_editable(const struct postmortem *pm, struct error *err)
{
    if (pm->state == PM_PUBLISHED)
        return error_set(err, ERR_CONFLICT, "state: %s is published; it can no longer change",
                         pm->id);
    return OK;
}

enum result postmortem_set_field(struct postmortem *pm, enum postmortem_field f, const char *value,
                                 int64_t now, struct error *err)
{
    enum result result = postmortem_check_editable(pm, err);
    if (result != OK)
        return result;
    free(pm->fields[f]);
    pm->fields[f] = value ? xstrdup(value) : NULL;
    pm->updated_at = now;
    return OK;
}

enum result postmortem_move(struct postmortem *pm, enum postmortem_state to, int64_t now,
                            struct error *err)
{
    if (pm->state == PM_PUBLISHED)
        return error_set(err, ERR_CONFLICT,
                         "state: %s is published; a published post-mortem does not move", pm->id);
    enum postmortem_state next = pm->state == PM_DRAFT ? PM_IN_REVIEW : PM_PUBLISHED;
    if (to != next)
        return error_set(err, ERR_CONFLICT,
                         "state: %s is %s; it can only move to %s (draft -> in_review -> "
                         "published)",
                         pm->id, postmortem_state_name(pm->state), postmortem_state_name(next));
    pm->state = to;
    pm->updated_at = now;
    if (to == PM_PUBLISHED) {
        pm->published_at = now;
        pm->remind_at = 0;
    }
    assert(postmortem_check(pm));
    return OK;
}

enum result action_done(struct action_item *a, int64_t now, struct error *err)
{
    if (a->status == ACTION_DONE)
        return error_set(err, ERR_CONFLICT, "status: %s is already done", a->id);
    a->status = ACTION_DONE;
    a->done_at = a->updated_at = now;
    a->remind_at = 0;
    return OK;
}

/* ---- the document ---- */

void postmortem_format_span(int64_t ms, char *out, size_t n)
{
    if (ms < 0)
        ms = 0;
    int64_t s = ms / 1000, d = s / 86400, h = s % 86400 / 3600, m = s % 3600 / 60;
    if (d)
        snprintf(out, n, "%lldd %lldh %02lldm", (long long)d, (long long)h, (long long)m);
    else if (h)
        snprintf(out, n, "%lldh %02lldm", (long long)h, (long long)m);
    else
        snprintf(out, n, "%lldm %02llds", (long long)m, (long long)(s % 60));
}

/* A table cell: '|' escaped, line breaks as spaces, "-" for nothing. */
static void cell(struct buf *b, const char *s)
{
    if (!s || !*s) {
        buf_puts(b, "-");
        return;
    }
    for (; *s; s++) {
        if (*s == '|')
            buf_puts(b, "\\|");
        else if (*s == '\n' || *s == '\r')
            buf_puts(b, " ");
        else
            buf_append(b, s, 1);
    }
}

static void hhmm(int64_t at, char out[RFC3339_LEN])
{
    if (!at) {
        snprintf(out, RFC3339_LEN, "-");
        return;
    }
    char t[RFC3339_LEN];
    time_format_rfc3339(at, t);
    /* "2026-11-23T09:25:32Z" -> "2026-11-23 09:25:32" */
    t[10] = ' ';
    t[19] = '\0';
    snprintf(out, RFC3339_LEN, "%s", t);
}

static void span_since(int64_t from, int64_t to, char *out, size_t n)
{
    if (from && to)
        postmortem_format_span(to - from, out, n);
    else
        snprintf(out, n, "-");
}

static void section_summary(const struct postmortem_doc *d, struct buf *b)
{
    const struct incident *inc = d->inc;
    char created[RFC3339_LEN], dur[32], tta[32], ttr[32];
    hhmm(inc->created_at, created);
    span_since(inc->created_at, inc->resolved_at, dur, sizeof dur);
    span_since(inc->created_at, inc->acknowledged_at, tta, sizeof tta);
    span_since(inc->created_at, inc->resolved_at, ttr, sizeof ttr);
    const struct config_severity *sev = config_severity_find(d->cfg, inc->severity);
    buf_printf(b, "| | |\n|---|---|\n| Incident | %s |\n| Title | ", inc->id);
    cell(b, inc->title);
    buf_printf(b, " |\n| Severity | %s%s%s%s |\n", inc->severity, sev ? " (" : "",
               sev ? sev->name : "", sev ? ")" : "");
    buf_puts(b, "| Service | ");
    cell(b, inc->service);
    buf_printf(b, " |\n| Status | %s |\n| Started (UTC) | %s |\n| Duration | %s |\n",
               incident_status_name(inc->status), created, dur);
    buf_printf(b, "| Time to acknowledge | %s |\n| Time to resolve | %s |\n\n", tta, ttr);
    buf_puts(b, "### Summary\n\n");
    const char *s = d->pm->fields[PM_SUMMARY];
    buf_puts(b, s && *s ? s : "_To be written: what happened, who was affected, how long._");
    buf_puts(b, "\n\n");
}

static void section_roles(const struct postmortem_doc *d, struct buf *b)
{
    buf_puts(b, "### Roles\n\n| Role | Who |\n|---|---|\n");
    for (int r = 0; r < ROLE_COUNT; r++) {
        const char *who = d->inc->roles[r];
        const struct config_user *u = who ? config_user_find(d->cfg, who) : NULL;
        buf_printf(b, "| %s | ", incident_role_name((enum incident_role)r));
        cell(b, u && u->name ? u->name : who);
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n");
}

enum { DETAIL_MAX = 200 };

/* One line of what a timeline entry says: its message/text/note, else its data, shortened. */
static void entry_detail(struct buf *b, const char *data)
{
    json_t *o = data ? json_loads(data, 0, NULL) : NULL;
    static const char *const keys[] = {"message", "text", "reason", "title", NULL};
    const char *s = NULL;
    for (int i = 0; o && keys[i] && !s; i++)
        s = json_string_value(json_object_get(o, keys[i]));
    const char *text = s ? s : (data && strcmp(data, "{}") ? data : "");
    char shortened[DETAIL_MAX + 1];
    size_t n = utf8_cut(text, strlen(text), DETAIL_MAX); /* at a character boundary */
    memcpy(shortened, text, n);
    shortened[n] = '\0';
    cell(b, n ? shortened : NULL);
    json_decref(o);
}

static void section_timeline(const struct postmortem_doc *d, struct buf *b)
{
    buf_puts(b, "### Timeline\n\n| Time (UTC) | Event | By | Detail |\n|---|---|---|---|\n");
    for (size_t i = 0; i < d->timeline_count; i++) {
        const struct postmortem_timeline_row *e = &d->timeline[i];
        char at[RFC3339_LEN];
        hhmm(e->at, at);
        buf_printf(b, "| %s | ", at);
        cell(b, e->kind);
        buf_puts(b, " | ");
        cell(b, e->actor);
        buf_puts(b, " | ");
        entry_detail(b, e->data);
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n");
}

static void section_alerts(const struct postmortem_doc *d, struct buf *b)
{
    buf_puts(b, "### Alerts\n\n");
    if (!d->alert_count) {
        buf_puts(b, "No alerts were attached to this incident.\n\n");
        return;
    }
    buf_puts(b, "| First seen (UTC) | Resolved (UTC) | Service | Status | Summary |\n"
                "|---|---|---|---|---|\n");
    for (size_t i = 0; i < d->alert_count; i++) {
        const struct postmortem_alert_row *a = &d->alerts[i];
        char first[RFC3339_LEN], res[RFC3339_LEN];
        hhmm(a->first_seen, first);
        hhmm(a->resolved_at, res);
        buf_printf(b, "| %s | %s | ", first, res);
        cell(b, a->service);
        buf_puts(b, " | ");
        cell(b, a->status);
        buf_puts(b, " | ");
        cell(b, a->summary);
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n");
}

static void section_notifications(const struct postmortem_doc *d, struct buf *b)
{
    buf_puts(b, "### Notifications\n\n");
    if (!d->notification_count) {
        buf_puts(b, "No notifications were sent for this incident.\n\n");
        return;
    }
    buf_puts(b, "| Queued (UTC) | To | Method | Kind | Status |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < d->notification_count; i++) {
        const struct postmortem_notification_row *n = &d->notifications[i];
        char at[RFC3339_LEN];
        hhmm(n->at, at);
        buf_printf(b, "| %s | ", at);
        cell(b, n->user);
        buf_puts(b, " | ");
        cell(b, n->method);
        buf_puts(b, " | ");
        cell(b, n->kind);
        buf_puts(b, " | ");
        cell(b, n->status);
        buf_puts(b, " |\n");
    }
    buf_puts(b, "\n");
}

static void section_actions(const struct postmortem_doc *d, struct buf *b)
{
    buf_puts(b, "### Action items\n\n");
    if (!d->action_count) {
        buf_puts(b, "None yet (`tocsin action add --incident ID ...`).\n\n");
        return;
    }
    buf_puts(b, "| ID | Action | Owner | Priority | Due (UTC) | Status |\n"
                "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < d->action_count; i++) {
        const struct action_item *a = &d->actions[i];
        char due[RFC3339_LEN];
        hhmm(a->due_at, due);
        buf_printf(b, "| %s | ", a->id);
        cell(b, a->title);
        buf_puts(b, " | ");
        cell(b, a->owner);
        buf_printf(b, " | %s | %s | %s |\n", a->priority, due, action_status_name(a->status));
    }
    buf_puts(b, "\n");
}

static void section_text(const struct postmortem_doc *d, struct buf *b, enum postmortem_field f,
                         const char *heading, const char *hint)
{
    const char *s = d->pm->fields[f];
    buf_printf(b, "### %s\n\n%s\n\n", heading, s && *s ? s : hint);
}

static void render_section(const struct postmortem_doc *d, struct buf *b, const char *name)
{
    if (strcmp(name, "summary") == 0)
        section_summary(d, b);
    else if (strcmp(name, "impact") == 0)
        section_text(d, b, PM_IMPACT, "Impact",
                     "_To be written: users affected, duration, revenue impact._");
    else if (strcmp(name, "roles") == 0)
        section_roles(d, b);
    else if (strcmp(name, "timeline") == 0)
        section_timeline(d, b);
    else if (strcmp(name, "alerts") == 0)
        section_alerts(d, b);
    else if (strcmp(name, "notifications") == 0)
        section_notifications(d, b);
    else if (strcmp(name, "root_cause") == 0)
        section_text(d, b, PM_ROOT_CAUSE, "Root cause",
                     "_To be written: the technical explanation of what went wrong._");
    else if (strcmp(name, "contributing_factors") == 0)
        section_text(d, b, PM_CONTRIBUTING_FACTORS, "Contributing factors", "_To be written._");
    else if (strcmp(name, "went_well") == 0)
        section_text(d, b, PM_WENT_WELL, "What went well", "_To be written._");
    else if (strcmp(name, "went_badly") == 0)
        section_text(d, b, PM_WENT_BADLY, "What went poorly", "_To be written._");
    else if (strcmp(name, "action_items") == 0)
        section_actions(d, b);
    else if (strcmp(name, "lessons") == 0)
        section_text(d, b, PM_LESSONS, "Lessons learned", "_To be written: what we'll change._");
}

static const char *const default_sections[] = {
    "summary",   "impact",        "roles",        "timeline",
    "alerts",    "notifications", "root_cause",   "contributing_factors",
    "went_well", "went_badly",    "action_items", "lessons",
    NULL};

/* The post-mortem's own template (by id: the config may have been reloaded since), else the one
 * that matches now. */
static const struct config_postmortem_template *doc_template(const struct postmortem_doc *d)
{
    for (size_t i = 0; d->cfg && i < d->cfg->postmortem_template_count; i++)
        if (strcmp(d->cfg->postmortem_templates[i].id, d->pm->template_id) == 0)
            return &d->cfg->postmortem_templates[i];
    return postmortem_template_for(d->cfg, d->inc);
}

void postmortem_render_md(const struct postmortem_doc *d, struct buf *out)
{
    const struct config_postmortem_template *t = doc_template(d);
    char due[RFC3339_LEN];
    hhmm(d->pm->due_at, due);
    buf_printf(out, "## %s: %s ", t->title ? t->title : "Post-Mortem", d->inc->id);
    cell(out, d->inc->title);
    buf_printf(out, "\n\n*State:* %s · *Owner:* ", postmortem_state_name(d->pm->state));
    cell(out, d->pm->owner);
    buf_printf(out, " · *Due:* %s (UTC) · *Template:* %s\n\n", due, d->pm->template_id);
    if (t->sections.count) {
        for (size_t i = 0; i < t->sections.count; i++)
            render_section(d, out, t->sections.items[i]);
    } else {
        for (int i = 0; default_sections[i]; i++)
            render_section(d, out, default_sections[i]);
    }
}

void postmortem_render_public_md(const struct postmortem *pm, struct buf *out)
{
    static const struct {
        enum postmortem_field f;
        const char *heading;
    } parts[] = {{PM_SUMMARY, "Summary"},
                 {PM_IMPACT, "Impact"},
                 {PM_ROOT_CAUSE, "Root cause"},
                 {PM_LESSONS, "What we are changing"}};
    bool first = true;
    for (size_t k = 0; k < sizeof parts / sizeof parts[0]; k++) {
        const char *text = pm->fields[parts[k].f];
        if (!text || !*text)
            continue;
        buf_printf(out, "%s## %s\n\n%s\n", first ? "" : "\n", parts[k].heading, text);
        first = false;
    }
}
