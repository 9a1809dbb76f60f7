/*
 * config_roles: the `roles:` list (docs/config.md "Roles filled on declare"): which incident roles
 * are filled when an incident is declared, and from where. Each entry names a role, a primary
 * ("schedule:ID", "schedule:ID/LAYER" or "user:ID": whoever it resolves to at that moment) and an
 * optional backup (the same kinds), used when the primary resolves to nobody, and, with
 * `backup_after`, when the incident is still unacknowledged that long after (role_backup.c).
 * `when:` (severity, type; see conditions.c) picks the incidents; the first entry of a role that
 * matches applies. Teams are refused: a role goes to one person. The warnings (a schedule with gaps
 * and no backup, an entry that an earlier one hides) are config_roles_warnings. Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

#include <stdio.h>
#include <string.h>

const char *const config_role_names[] = {"commander", "tech_lead", "comms_lead", "scribe", NULL};

/* A role goes to one person: a schedule (its on-call user) or a user, never a team. */
const char *config_role_target_check(const char *s)
{
    if (strncmp(s, "schedule:", 9) == 0 || strncmp(s, "user:", 5) == 0)
        return NULL;
    return "is not schedule:ID, schedule:ID/LAYER or user:ID (a role goes to one person)";
}

static const struct cfg_field role_fields[] = {
    FLD(struct config_role_fill, "role", role, CFG_STR, .required = true,
        .choices = config_role_names),
    FLD(struct config_role_fill, "when", when, CFG_MAP, .sub = &config_condition_spec),
    FLD(struct config_role_fill, "primary", primary, CFG_STR, .required = true,
        .check = config_role_target_check, .ref = &config_target_ref),
    FLD(struct config_role_fill, "backup", backup, CFG_STR, .check = config_role_target_check,
        .ref = &config_target_ref),
    FLD(struct config_role_fill, "backup_after", backup_after, CFG_DURATION, .min = 1000),
};
static const struct cfg_spec role_spec = {.size = sizeof(struct config_role_fill),
                                          .line_off = offsetof(struct config_role_fill, line),
                                          FIELDS(role_fields),
                                          .uniq_off = NO_OFF};

const struct cfg_section config_section_roles = {
    .field = CFG_SECTION_LIST("roles", roles, role_count, role_spec),
};

/* The schedule a target names ("schedule:ID" or "schedule:ID/LAYER"), or NULL. */
static const struct config_schedule *target_schedule(const struct config *c, const char *t)
{
    if (!t || strncmp(t, "schedule:", 9) != 0)
        return NULL;
    char id[128];
    snprintf(id, sizeof id, "%s", t + 9);
    char *slash = strchr(id, '/');
    if (slash)
        *slash = '\0';
    return config_schedule_find(c, id);
}

/* Whether the schedule can have nobody on call: a layer restricted to some hours (outside them
 * the layer is off), or no layer with a user. */
static bool schedule_has_gaps(const struct config_schedule *s)
{
    bool someone = false;
    for (size_t i = 0; i < s->layer_count; i++) {
        if (s->layers[i].restrictions.count)
            return true;
        someone = someone || s->layers[i].rotation.users.count;
    }
    return !someone;
}

static bool list_within(const struct string_list *narrow, const struct string_list *wide)
{
    if (!wide->count)
        return true;
    if (!narrow->count)
        return false;
    for (size_t i = 0; i < narrow->count; i++) {
        bool found = false;
        for (size_t k = 0; k < wide->count && !found; k++)
            found = strcmp(narrow->items[i], wide->items[k]) == 0;
        if (!found)
            return false;
    }
    return true;
}

void config_roles_warnings(const struct config *c, struct config_errors *out)
{
    for (size_t i = 0; c && i < c->role_count; i++) {
        const struct config_role_fill *r = &c->roles[i];
        const struct config_schedule *p = target_schedule(c, r->primary);
        const struct config_schedule *b = target_schedule(c, r->backup);
        if (p && schedule_has_gaps(p) && (!r->backup || (b && schedule_has_gaps(b))))
            config_warning_add(out, c, r->line,
                               "roles: %s from %s can resolve to nobody (the schedule has hours "
                               "with no one on call) and %s: such incidents are declared without "
                               "a %s (role.unfilled on the timeline)",
                               r->role, r->primary,
                               r->backup ? "its backup can too" : "there is no backup", r->role);
        for (size_t k = 0; k < i; k++) {
            const struct config_role_fill *e = &c->roles[k];
            if (strcmp(e->role, r->role) == 0 &&
                list_within(&r->when.severity, &e->when.severity) &&
                list_within(&r->when.type, &e->when.type)) {
                config_warning_add(out, c, r->line,
                                   "roles: this %s entry never applies: the entry at line %d "
                                   "matches every incident it does and comes first",
                                   r->role, e->line);
                break;
            }
        }
    }
}
