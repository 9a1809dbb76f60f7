/* playbook: see playbook.h. */
#include "domain/playbook.h"
#include "domain/runbook.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

/* A table cell: one line, '|' escaped, Markdown's inline marks left as written. NULL: "-". */
static void cell(struct buf *out, const char *s)
{
    if (!s || !*s) {
        buf_puts(out, " - |");
        return;
    }
    buf_puts(out, " ");
    for (const char *p = s; *p; p++) {
        if (*p == '|')
            buf_puts(out, "\\|");
        else if (*p == '\n' || *p == '\r')
            buf_puts(out, " ");
        else
            buf_append(out, p, 1);
    }
    buf_puts(out, " |");
}

static void cell_duration(struct buf *out, int64_t ms)
{
    char d[64];
    if (ms < 0) {
        cell(out, NULL);
        return;
    }
    time_format_duration(ms, d, sizeof d);
    cell(out, d);
}

static void cell_list(struct buf *out, const struct string_list *l, const char *sep)
{
    struct buf b;
    buf_init(&b, 1 << 16);
    for (size_t i = 0; i < l->count; i++)
        buf_printf(&b, "%s%s", i ? sep : "", l->items[i]);
    cell(out, b.data);
    buf_free(&b);
}

static void row_end(struct buf *out)
{
    buf_puts(out, "\n");
}

static void severities(const struct config *cfg, struct buf *out)
{
    buf_puts(out, "\n## Severity Levels\n\n| Level | Name | Description | Acknowledge within | "
                  "Resolve within | Update every | Notification | Post-mortem |\n"
                  "|---|---|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < cfg->severity_count; i++) {
        const struct config_severity *s = &cfg->severities[i];
        buf_puts(out, "|");
        cell(out, s->id);
        cell(out, s->name);
        cell(out, s->description);
        cell_duration(out, s->ack_within);
        cell_duration(out, s->resolve_within);
        cell_duration(out, s->update_every);
        cell_list(out, &s->notify, ", ");
        char pm[96] = "optional";
        if (s->postmortem_required && s->postmortem_due >= 0) {
            char d[64];
            time_format_duration(s->postmortem_due, d, sizeof d);
            snprintf(pm, sizeof pm, "required, within %s", d);
        } else if (s->postmortem_required) {
            snprintf(pm, sizeof pm, "required");
        }
        cell(out, pm);
        row_end(out);
    }
}

static void types_and_services(const struct config *cfg, struct buf *out)
{
    if (cfg->type_count) {
        buf_puts(out, "\n## Incident Types\n\n| Type | Name | Default severity | Escalation | "
                      "Runbooks | Checklists |\n|---|---|---|---|---|---|\n");
        for (size_t i = 0; i < cfg->type_count; i++) {
            const struct config_incident_type *t = &cfg->types[i];
            buf_puts(out, "|");
            cell(out, t->id);
            cell(out, t->name);
            cell(out, t->severity);
            cell(out, t->escalation);
            cell_list(out, &t->runbooks, ", ");
            cell_list(out, &t->checklists, ", ");
            row_end(out);
        }
    }
    if (cfg->service_count) {
        buf_puts(out, "\n## Services\n\n| Service | Name | Escalation | Runbooks | Status page "
                      "component |\n|---|---|---|---|---|\n");
        for (size_t i = 0; i < cfg->service_count; i++) {
            const struct config_service *s = &cfg->services[i];
            buf_puts(out, "|");
            cell(out, s->id);
            cell(out, s->name);
            cell(out, s->escalation);
            cell_list(out, &s->runbooks, ", ");
            cell(out, s->component);
            row_end(out);
        }
    }
}

static const char *user_name(const struct config *cfg, const char *id)
{
    const struct config_user *u = config_user_find(cfg, id);
    return u && u->name ? u->name : id;
}

static void rotations(const struct config *cfg, struct buf *out)
{
    if (!cfg->schedule_count)
        return;
    buf_puts(out, "\n## On-Call Rotations\n");
    for (size_t i = 0; i < cfg->schedule_count; i++) {
        const struct config_schedule *s = &cfg->schedules[i];
        buf_printf(out, "\n### %s (`%s`)\n\nTime zone: %s\n\n", s->name ? s->name : s->id, s->id,
                   s->timezone);
        buf_puts(out, "| Layer | Rotation | Hand-off | Starts | People | Only during |\n"
                      "|---|---|---|---|---|---|\n");
        for (size_t l = 0; l < s->layer_count; l++) {
            const struct config_schedule_layer *ly = &s->layers[l];
            struct buf people;
            buf_init(&people, 1 << 16);
            for (size_t u = 0; u < ly->rotation.users.count; u++)
                buf_printf(&people, "%s%s", u ? ", " : "",
                           user_name(cfg, ly->rotation.users.items[u]));
            buf_puts(out, "|");
            cell(out, ly->name);
            cell_duration(out, ly->rotation.every);
            cell(out, ly->rotation.handoff);
            cell(out, ly->rotation.start);
            cell(out, people.data);
            cell_list(out, &ly->restrictions, "; ");
            row_end(out);
            buf_free(&people);
        }
    }
}

static void escalations(const struct config *cfg, struct buf *out)
{
    if (!cfg->policy_count)
        return;
    buf_puts(out, "\n## Escalation Paths\n");
    for (size_t i = 0; i < cfg->policy_count; i++) {
        const struct config_escalation_policy *p = &cfg->policies[i];
        buf_printf(out, "\n### %s (`%s`)\n\n", p->name ? p->name : p->id, p->id);
        if (p->repeat)
            buf_printf(out, "Repeats %d more time%s after the last step.\n\n", p->repeat,
                       p->repeat == 1 ? "" : "s");
        buf_puts(out, "| Step | After | Notify | Severity | Type | Until |\n"
                      "|---|---|---|---|---|---|\n");
        for (size_t s = 0; s < p->step_count; s++) {
            const struct config_escalation_step *st = &p->steps[s];
            buf_printf(out, "| %zu |", s + 1);
            if (st->after == 0)
                cell(out, "at once");
            else
                cell_duration(out, st->after);
            cell_list(out, &st->notify, ", ");
            if (st->when.severity.count)
                cell_list(out, &st->when.severity, ", ");
            else
                cell(out, "any");
            if (st->when.type.count)
                cell_list(out, &st->when.type, ", ");
            else
                cell(out, "any");
            cell(out, st->until ? st->until : "acknowledged");
            row_end(out);
        }
    }
}

static void templates(const struct config *cfg, struct buf *out)
{
    if (!cfg->status_template_count)
        return;
    buf_puts(out, "\n## Status Update Templates\n");
    for (size_t i = 0; i < cfg->status_template_count; i++) {
        const struct config_status_template *t = &cfg->status_templates[i];
        buf_printf(out, "\n### %s (`%s`, %s)\n\n", t->title ? t->title : t->id, t->id,
                   t->status ? t->status : "any status");
        if (t->body) {
            buf_puts(out, "```\n");
            buf_puts(out, t->body);
            buf_puts(out, t->body[strlen(t->body) - 1] == '\n' ? "```\n" : "\n```\n");
        }
    }
}

static void condition_text(const struct config_condition *w, struct buf *out)
{
    if (!w->severity.count && !w->type.count) {
        buf_puts(out, "every incident");
        return;
    }
    for (size_t i = 0; i < w->severity.count; i++)
        buf_printf(out, "%s%s", i ? ", " : "severity ", w->severity.items[i]);
    for (size_t i = 0; i < w->type.count; i++)
        buf_printf(out, "%s%s", i ? ", " : (w->severity.count ? "; type " : "type "),
                   w->type.items[i]);
}

static void roles(const struct config *cfg, struct buf *out)
{
    if (!cfg->role_count)
        return;
    buf_puts(out, "\n## Roles Filled on Declare\n\n| Role | For | From | Backup | Backup after "
                  "(unacknowledged) |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < cfg->role_count; i++) {
        const struct config_role_fill *f = &cfg->roles[i];
        struct buf w;
        buf_init(&w, 1 << 12);
        condition_text(&f->when, &w);
        buf_puts(out, "|");
        cell(out, f->role);
        cell(out, w.data);
        cell(out, f->primary);
        cell(out, f->backup);
        cell_duration(out, f->backup_after > 0 ? f->backup_after : -1);
        row_end(out);
        buf_free(&w);
    }
}

/* The pairs of a map as "WHATk = v; k = v", after "; " when out has text already. */
static void pairs_text(const struct config_severity_mapping *m, size_t n, const char *what,
                       struct buf *out)
{
    for (size_t i = 0; i < n; i++)
        buf_printf(out, "%s%s%s = %s", out->len ? "; " : "", i ? "" : what, m[i].from, m[i].to);
}

static void rule_when(const struct config_rule_when *w, struct buf *out)
{
    const struct string_list *lists[] = {&w->severity, &w->type, &w->service};
    const char *names[] = {"severity ", "type ", "service "};
    for (int k = 0; k < 3; k++)
        for (size_t i = 0; i < lists[k]->count; i++)
            buf_printf(out, "%s%s%s", i ? " or " : (out->len ? "; " : ""), i ? "" : names[k],
                       lists[k]->items[i]);
    pairs_text(w->fields, w->field_count, "field ", out);
    for (size_t i = 0; i < w->label_count; i++) {
        buf_printf(out, "%salert label %s = ", out->len ? "; " : "", w->labels[i].name);
        for (size_t k = 0; k < w->labels[i].values.count; k++)
            buf_printf(out, "%s%s", k ? " or " : "", w->labels[i].values.items[k]);
    }
    if (w->failed_resolutions)
        buf_printf(out, "%s%d failed resolution attempts", out->len ? "; " : "",
                   w->failed_resolutions);
    if (w->open_for > 0) {
        char d[64];
        time_format_duration(w->open_for, d, sizeof d);
        buf_printf(out, "%sopen for %s", out->len ? "; " : "", d);
    }
    if (!out->len)
        buf_puts(out, "every incident");
}

static void rule_then(const struct config_rule *r, struct buf *out)
{
    if (r->set_severity)
        buf_printf(out, "severity -> %s", r->set_severity);
    for (size_t i = 0; i < r->page.count; i++)
        buf_printf(out, "%s%s", i ? ", " : (out->len ? "; page " : "page "), r->page.items[i]);
    pairs_text(r->set_fields, r->set_field_count, "set field ", out);
    for (size_t i = 0; i < r->assign_count; i++)
        buf_printf(out, "%s%s -> %s (if empty)", out->len ? "; " : "", r->assign[i].from,
                   r->assign[i].to);
    for (size_t i = 0; i < r->attach_checklist.count; i++)
        buf_printf(out, "%schecklist %s", out->len ? "; " : "", r->attach_checklist.items[i]);
    for (size_t i = 0; i < r->attach_runbook.count; i++)
        buf_printf(out, "%srunbook %s", out->len ? "; " : "", r->attach_runbook.items[i]);
    if (r->note)
        buf_printf(out, "%s\"%s\"", out->len ? "; " : "", r->note);
}

static void rules(const struct config *cfg, struct buf *out)
{
    if (!cfg->rule_count)
        return;
    buf_puts(out, "\n## Conditional Rules\n\nEach fires once per incident, the first time the "
                  "incident matches.\n\n| Rule | When | Then |\n|---|---|---|\n");
    for (size_t i = 0; i < cfg->rule_count; i++) {
        const struct config_rule *r = &cfg->rules[i];
        struct buf w, t;
        buf_init(&w, 1 << 14);
        buf_init(&t, 1 << 14);
        rule_when(&r->when, &w);
        rule_then(r, &t);
        buf_puts(out, "|");
        cell(out, r->name ? r->name : r->id);
        cell(out, w.data);
        cell(out, t.data);
        row_end(out);
        buf_free(&w);
        buf_free(&t);
    }
}

static void checklists(const struct config *cfg, struct buf *out)
{
    if (!cfg->checklist_count)
        return;
    buf_puts(out, "\n## Checklists\n");
    for (size_t i = 0; i < cfg->checklist_count; i++) {
        const struct config_checklist *c = &cfg->checklists[i];
        buf_printf(out, "\n### %s (`%s`)\n\n", c->title, c->id);
        if (c->phase && strcmp(c->phase, "handoff") == 0) {
            buf_puts(out, "At every shift hand-off.\n\n");
        } else {
            buf_puts(out, "Applies to ");
            condition_text(&c->when, out);
            if (c->phase)
                buf_printf(out, ", phase %s", c->phase);
            buf_puts(out, ".\n\n");
        }
        for (size_t k = 0; k < c->items.count; k++)
            buf_printf(out, "- [ ] %s\n", c->items.items[k]);
    }
}

static void runbooks(const struct config *cfg, struct buf *out)
{
    if (!cfg->runbook_count)
        return;
    buf_puts(out, "\n## Runbooks\n\n| Runbook | Title | Owner | Estimate | Services | Alerts |\n"
                  "|---|---|---|---|---|---|\n");
    for (size_t i = 0; i < cfg->runbook_count; i++) {
        const struct config_runbook *rb = &cfg->runbooks[i];
        buf_puts(out, "|");
        cell(out, rb->id);
        cell(out, rb->title);
        cell(out, rb->owner ? user_name(cfg, rb->owner) : NULL);
        cell(out, rb->estimate);
        cell_list(out, &rb->services, ", ");
        cell_list(out, &rb->alert_labels, ", ");
        row_end(out);
    }
    for (size_t i = 0; i < cfg->runbook_count; i++) {
        struct buf rb;
        buf_init(&rb, 1 << 20);
        runbook_render_md(cfg, &cfg->runbooks[i], &rb);
        buf_puts(out, "\n");
        /* runbook_render_md starts at "# "; one level down here (under "## Runbooks"). */
        for (const char *p = rb.data ? rb.data : ""; *p;) {
            const char *nl = strchr(p, '\n');
            size_t n = nl ? (size_t)(nl - p) + 1 : strlen(p);
            if (*p == '#')
                buf_puts(out, "##");
            buf_printf(out, "%.*s", (int)n, p);
            p += n;
        }
        buf_free(&rb);
    }
}

static void postmortems(const struct config *cfg, struct buf *out)
{
    if (!cfg->postmortem_template_count)
        return;
    buf_puts(out, "\n## Post-Mortem Templates\n\n| Template | Title | Applies to | Requires "
                  "resolved | Sections |\n|---|---|---|---|---|\n");
    for (size_t i = 0; i < cfg->postmortem_template_count; i++) {
        const struct config_postmortem_template *t = &cfg->postmortem_templates[i];
        struct buf w;
        buf_init(&w, 4096);
        condition_text(&t->when, &w);
        buf_puts(out, "|");
        cell(out, t->id);
        cell(out, t->title ? t->title : "Post-Mortem");
        cell(out, w.data);
        cell(out, t->require_resolved ? "yes" : "no");
        if (t->sections.count)
            cell_list(out, &t->sections, ", ");
        else
            cell(out, "all");
        row_end(out);
        buf_free(&w);
    }
}

static void drills(const struct config *cfg, struct buf *out)
{
    if (!cfg->drill_count)
        return;
    buf_puts(out, "\n## Fire Drills\n\nRun with `tocsin drill start SCENARIO`; every page says "
                  "[DRILL]; scored against the severity's targets.\n\n"
                  "| Scenario | Title | Severity | Service | Expected runbook |\n"
                  "|---|---|---|---|---|\n");
    for (size_t i = 0; i < cfg->drill_count; i++) {
        const struct config_drill *d = &cfg->drills[i];
        buf_puts(out, "|");
        cell(out, d->id);
        cell(out, d->title);
        cell(out, d->severity);
        cell(out, d->service);
        cell(out, d->runbook);
        row_end(out);
    }
}

static void contacts(const struct config *cfg, struct buf *out)
{
    if (cfg->contact_count) {
        buf_puts(out, "\n## Contacts\n\n| Contact | Name | Kind | Role | Phone | Email |\n"
                      "|---|---|---|---|---|---|\n");
        for (size_t i = 0; i < cfg->contact_count; i++) {
            const struct config_contact *c = &cfg->contacts[i];
            buf_puts(out, "|");
            cell(out, c->id);
            cell(out, c->name);
            cell(out, c->kind);
            cell(out, c->role);
            cell(out, c->phone);
            cell(out, c->email);
            row_end(out);
        }
    }
    if (cfg->user_count) {
        buf_puts(out, "\n## People\n\n| Person | Name | Email | Phone | Time zone |\n"
                      "|---|---|---|---|---|\n");
        for (size_t i = 0; i < cfg->user_count; i++) {
            const struct config_user *u = &cfg->users[i];
            buf_puts(out, "|");
            cell(out, u->id);
            cell(out, u->name);
            cell(out, u->email);
            cell(out, u->phone);
            cell(out, u->timezone);
            row_end(out);
        }
    }
}

void playbook_render_md(const struct config *cfg, int64_t generated_at, struct buf *out)
{
    buf_puts(out, "# Incident Response Playbook\n\n");
    if (generated_at) {
        char at[RFC3339_LEN];
        time_format_rfc3339(generated_at, at);
        buf_printf(out,
                   "Generated by tocsin from the running configuration at %s. Do not edit: "
                   "change the configuration and render it again.\n",
                   at);
    } else {
        buf_puts(out, "Generated by tocsin from its configuration. Do not edit: change the "
                      "configuration and render it again.\n");
    }
    severities(cfg, out);
    types_and_services(cfg, out);
    rotations(cfg, out);
    escalations(cfg, out);
    roles(cfg, out);
    rules(cfg, out);
    templates(cfg, out);
    checklists(cfg, out);
    runbooks(cfg, out);
    postmortems(cfg, out);
    drills(cfg, out);
    contacts(cfg, out);
}

void playbook_html_page(const char *title, const char *body_html, struct buf *out)
{
    buf_puts(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>");
    for (const char *p = title; *p; p++) {
        if (*p == '<')
            buf_puts(out, "&lt;");
        else if (*p == '>')
            buf_puts(out, "&gt;");
        else if (*p == '&')
            buf_puts(out, "&amp;");
        else
            buf_append(out, p, 1);
    }
    buf_puts(out, "</title></head>\n<body>\n");
    buf_puts(out, body_html);
    buf_puts(out, "</body></html>\n");
}
