/*
 * config_rules: the `rules:` list (docs/config.md "Conditional rules"): what a playbook states as
 * a condition ("a billing bug is SEV-1", "page Legal for a GDPR breach"), written down. Each rule
 * has an id, a `when:` (severity, type, service: lists, any of which matches; `fields:` incident
 * fields that must all equal the given values; `failed_resolutions:` at least that many failed
 * resolution attempts; `labels:` alert labels, each equal to one of the given values, carried by
 * one alert of the incident; `open_for:` the time since the declaration) and at least one action:
 * `set_severity`, `page` (targets, and contact:ID), `set_fields` (e.g. legal_review: required),
 * `assign` (role -> one person's target, filled when empty), `attach_checklist`, `attach_runbook`,
 * with an optional `note`.
 * jobs/incident_rules.c runs them. The warnings (a page target that can resolve to nobody, a
 * condition no incident can meet) are config_rules_warnings. Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

#include <stdio.h>
#include <string.h>

/* The longest incident field value the API takes (api/incident_fields.c): a condition on a longer
 * one can never match. */
enum { FIELD_VALUE_MAX = 200 };

/* A rule's page target: contact:ID (the contacts directory), else a target (schedule, user, team:
 * escalation_policies.c). */
static void resolve_page_target(struct cfg_ctx *ctx, const struct config *c,
                                const struct cfg_pending_ref *r)
{
    char q[128];
    if (strncmp(r->value, "contact:", 8) != 0) {
        config_target_ref.resolve(ctx, c, r);
        return;
    }
    if (!config_section_find(c, &config_section_contacts, r->value + 8))
        config_parse_error(ctx, r->line, "%s: unknown contact %s", r->path,
                           config_parse_quote(r->value + 8, q, sizeof q));
}

static const struct cfg_section page_target_ref = {.noun = "target",
                                                   .resolve = resolve_page_target};

/* A checklist a rule attaches: one of the config's, not a hand-off's (those go to the incoming
 * on-call at a shift change, never to an incident). */
static void resolve_checklist(struct cfg_ctx *ctx, const struct config *c,
                              const struct cfg_pending_ref *r)
{
    char q[128];
    const struct config_checklist *cl =
        config_section_find(c, &config_section_checklists, r->value);
    if (!cl)
        config_parse_error(ctx, r->line, "%s: unknown checklist %s", r->path,
                           config_parse_quote(r->value, q, sizeof q));
    else if (cl->phase && strcmp(cl->phase, "handoff") == 0)
        config_parse_error(ctx, r->line,
                           "%s: checklist %s is a hand-off checklist (phase: handoff): it goes to "
                           "the incoming on-call, a rule cannot attach it to an incident",
                           r->path, config_parse_quote(r->value, q, sizeof q));
}

static const struct cfg_section checklist_ref = {.noun = "checklist", .resolve = resolve_checklist};

/* A role name, as an `assign:` key. */
static const char *check_role_name(const char *s)
{
    for (size_t i = 0; config_role_names[i]; i++)
        if (strcmp(config_role_names[i], s) == 0)
            return NULL;
    return "is not a role (commander, tech_lead, comms_lead or scribe)";
}

static const struct cfg_field when_fields[] = {
    FLD(struct config_rule_when, "severity", severity, CFG_STRLIST, .unique = true,
        .ref = &config_section_severities),
    FLD(struct config_rule_when, "type", type, CFG_STRLIST, .unique = true,
        .ref = &config_section_incident_types),
    FLD(struct config_rule_when, "service", service, CFG_STRLIST, .unique = true,
        .ref = &config_section_services),
    FLD(struct config_rule_when, "fields", fields, CFG_STRMAP,
        .count_off = offsetof(struct config_rule_when, field_count),
        .key_check = config_parse_check_id),
    FLD(struct config_rule_when, "failed_resolutions", failed_resolutions, CFG_INT, .min = 1,
        .max = 1000),
    FLD(struct config_rule_when, "labels", labels, CFG_STRSETMAP,
        .count_off = offsetof(struct config_rule_when, label_count)),
    FLD(struct config_rule_when, "open_for", open_for, CFG_DURATION, .min = 60 * 1000),
};
static const struct cfg_spec when_spec = {
    .line_off = NO_OFF, FIELDS(when_fields), .uniq_off = NO_OFF};

static const struct cfg_field rule_fields[] = {
    ID_FIELD(struct config_rule),
    FLD(struct config_rule, "name", name, CFG_STR),
    FLD(struct config_rule, "when", when, CFG_MAP, .sub = &when_spec),
    FLD(struct config_rule, "set_severity", set_severity, CFG_STR,
        .ref = &config_section_severities),
    FLD(struct config_rule, "page", page, CFG_STRLIST, .unique = true, .ref = &page_target_ref),
    FLD(struct config_rule, "set_fields", set_fields, CFG_STRMAP,
        .count_off = offsetof(struct config_rule, set_field_count),
        .key_check = config_parse_check_id),
    FLD(struct config_rule, "assign", assign, CFG_STRMAP,
        .count_off = offsetof(struct config_rule, assign_count), .key_check = check_role_name,
        .check = config_role_target_check, .ref = &config_target_ref),
    FLD(struct config_rule, "attach_checklist", attach_checklist, CFG_STRLIST, .unique = true,
        .ref = &checklist_ref),
    FLD(struct config_rule, "attach_runbook", attach_runbook, CFG_STRLIST, .unique = true,
        .ref = &config_section_runbooks),
    FLD(struct config_rule, "note", note, CFG_STR),
};

/* A rule does something. */
static void rule_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                      const char *path, size_t index)
{
    (void)n;
    (void)index;
    const struct config_rule *r = obj;
    if (!r->set_severity && !r->page.count && !r->set_field_count && !r->assign_count &&
        !r->attach_checklist.count && !r->attach_runbook.count)
        config_parse_error(ctx, r->line,
                           "%s: rule %s does nothing: give set_severity, page, set_fields, "
                           "assign, attach_checklist or attach_runbook",
                           config_parse_path_name(path), r->id ? r->id : "?");
}

static const struct cfg_spec rule_spec = {.size = sizeof(struct config_rule),
                                          .line_off = offsetof(struct config_rule, line),
                                          FIELDS(rule_fields),
                                          .post = rule_post,
                                          .uniq_off = offsetof(struct config_rule, id),
                                          .uniq_key = "id"};

const struct cfg_section config_section_rules = {
    .field = CFG_SECTION_LIST("rules", rules, rule_count, rule_spec),
    .noun = "rule",
    .id_off = offsetof(struct config_rule, id),
};

/* Why target t can reach nobody (statically), or NULL. */
static const char *reaches_nobody(const struct config *c, const char *t)
{
    if (strncmp(t, "contact:", 8) == 0) {
        const struct config_contact *ct = config_contact_find(c, t + 8);
        return ct && !ct->phone && !ct->email ? "the contact has no phone and no email" : NULL;
    }
    if (strncmp(t, "team:", 5) == 0) {
        const struct config_team *tm = config_section_find(c, &config_section_teams, t + 5);
        return tm && !tm->members.count ? "the team has no members" : NULL;
    }
    if (strncmp(t, "schedule:", 9) == 0) {
        char id[128];
        snprintf(id, sizeof id, "%s", t + 9);
        char *slash = strchr(id, '/');
        if (slash)
            *slash = '\0';
        const struct config_schedule *s = config_schedule_find(c, id);
        bool someone = false;
        for (size_t i = 0; s && i < s->layer_count; i++)
            someone = someone || s->layers[i].rotation.users.count;
        return s && !someone ? "the schedule has no one in its rotations" : NULL;
    }
    return NULL;
}

void config_rules_warnings(const struct config *c, struct config_errors *out)
{
    for (size_t i = 0; c && i < c->rule_count; i++) {
        const struct config_rule *r = &c->rules[i];
        for (size_t k = 0; k < r->page.count; k++) {
            const char *why = reaches_nobody(c, r->page.items[k]);
            if (why)
                config_warning_add(out, c, r->line, "rules: %s pages %s, which reaches nobody (%s)",
                                   r->id, r->page.items[k], why);
        }
        for (size_t k = 0; k < r->assign_count; k++) {
            const char *why = reaches_nobody(c, r->assign[k].to);
            if (why)
                config_warning_add(out, c, r->assign[k].line,
                                   "rules: %s gives %s to %s, which reaches nobody (%s)", r->id,
                                   r->assign[k].from, r->assign[k].to, why);
        }
        for (size_t k = 0; k < r->when.field_count; k++)
            if (strlen(r->when.fields[k].to) > FIELD_VALUE_MAX)
                config_warning_add(out, c, r->when.fields[k].line,
                                   "rules: %s can never match: field %s's value is longer than "
                                   "the %d characters an incident field holds",
                                   r->id, r->when.fields[k].from, FIELD_VALUE_MAX);
        /* A severity condition that only the rule's own set_severity meets, and nothing else the
         * incident could start at: the rule raises to X "when X", which nothing declares. */
        if (r->set_severity && r->when.severity.count == 1 &&
            strcmp(r->when.severity.items[0], r->set_severity) == 0)
            config_warning_add(out, c, r->line,
                               "rules: %s sets severity %s only when the incident is %s already: "
                               "its set_severity never changes anything",
                               r->id, r->set_severity, r->set_severity);
    }
}
