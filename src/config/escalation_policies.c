/*
 * config_escalation_policies: the `escalation_policies:` list: id, name, repeat, and the steps
 * (after, whom to notify, an optional `when:` condition, `until:`), the round length and what an
 * ack or resolve breach does (on_ack_breach, on_resolve_breach). Rules that span keys: steps are
 * in order of `after` and, with `round:`, before it. Owns the step targets, a reference kind of its
 * own: "schedule:ID", "schedule:ID/LAYER", "user:ID", "team:ID", resolved against the schedules
 * (and their layers), users and teams once the whole file is read. Threads: none (runs inside one
 * config_load; config_policy_find reads a loaded config).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/timeutil.h"
#include "util/yaml_tree.h"

#include <stdbool.h>
#include <string.h>

CFG_ASSERT_ID_NAME(struct config_escalation_policy);

static bool layer_exists(const struct config_schedule *s, const char *name)
{
    for (size_t i = 0; i < s->layer_count; i++)
        if (s->layers[i].name && strcmp(s->layers[i].name, name) == 0)
            return true;
    return false;
}

/* "schedule:ID", "schedule:ID/LAYER", "user:ID", "team:ID", "contact:ID" (a contacts directory
 * entry: it must have a phone or an email to be paged). */
static void resolve_target(struct cfg_ctx *ctx, const struct config *c,
                           const struct cfg_pending_ref *r)
{
    static const struct {
        const char *prefix;
        const struct cfg_section *kind;
        bool layers;
    } kinds[] = {{"schedule:", &config_section_schedules, true},
                 {"user:", &config_section_users, false},
                 {"team:", &config_section_teams, false},
                 {"contact:", &config_section_contacts, false}};
    char q[128], q2[128], id[128];
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t plen = strlen(kinds[i].prefix);
        if (strncmp(r->value, kinds[i].prefix, plen) != 0)
            continue;
        const char *rest = r->value + plen;
        const char *slash = kinds[i].layers ? strchr(rest, '/') : NULL;
        size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
        if (idlen >= sizeof id)
            idlen = sizeof id - 1;
        memcpy(id, rest, idlen);
        id[idlen] = '\0';
        const void *found = config_section_find(c, kinds[i].kind, id);
        if (!found)
            config_parse_error(ctx, r->line, "%s: unknown %s %s", r->path, kinds[i].kind->noun,
                               config_parse_quote(id, q, sizeof q));
        else if (kinds[i].kind == &config_section_contacts &&
                 !((const struct config_contact *)found)->phone &&
                 !((const struct config_contact *)found)->email)
            config_parse_error(
                ctx, r->line, "%s: contact %s has neither a phone nor an email: it cannot be paged",
                r->path, config_parse_quote(id, q, sizeof q));
        else if (slash && !layer_exists(found, slash + 1))
            config_parse_error(ctx, r->line, "%s: schedule %s has no layer %s", r->path,
                               config_parse_quote(id, q, sizeof q),
                               config_parse_quote(slash + 1, q2, sizeof q2));
        return;
    }
    config_parse_error(ctx, r->line,
                       "%s: %s is not a target (use schedule:ID, schedule:ID/LAYER, user:ID, "
                       "team:ID or contact:ID)",
                       r->path, config_parse_quote(r->value, q, sizeof q));
}

const struct cfg_section config_target_ref = {.noun = "target", .resolve = resolve_target};

/* on_ack_breach / on_resolve_breach: "repage", "next", "flag", or a target. */
static void resolve_breach_action(struct cfg_ctx *ctx, const struct config *c,
                                  const struct cfg_pending_ref *r)
{
    static const char *const words[] = {"repage", "next", "flag"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strcmp(r->value, words[i]) == 0)
            return;
    if (!strchr(r->value, ':')) {
        char q[128];
        config_parse_error(ctx, r->line,
                           "%s: %s is not a breach action (use repage, next, flag, or a target: "
                           "schedule:ID, schedule:ID/LAYER, user:ID, team:ID or contact:ID)",
                           r->path, config_parse_quote(r->value, q, sizeof q));
        return;
    }
    resolve_target(ctx, c, r);
}

const struct cfg_section config_breach_action_ref = {.noun = "breach action",
                                                     .resolve = resolve_breach_action};

static void step_init(void *obj)
{
    ((struct config_escalation_step *)obj)->after = -1;
}

static void policy_init(void *obj)
{
    ((struct config_escalation_policy *)obj)->round = -1;
}

static void policy_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                        const char *path, size_t index)
{
    const struct config_escalation_policy *p = obj;
    const struct yaml_tree_node *steps = yaml_tree_map_get(n, "steps");
    char cur[32], prev[32];
    config_parse_default_name(ctx, n, obj, path, index);
    for (size_t i = 0; p->round > 0 && i < p->step_count; i++) {
        if (p->steps[i].after < p->round)
            continue;
        int line = p->steps[i].line;
        if (steps && steps->kind == YAML_TREE_SEQ && i < steps->count)
            line = config_parse_key_line(steps->items[i], "after", line);
        time_format_duration(p->steps[i].after, cur, sizeof cur);
        time_format_duration(p->round, prev, sizeof prev);
        config_parse_error(ctx, line,
                           "%s.steps[%zu].after: %s is beyond the round (round: %s); a step must "
                           "come before the round ends",
                           path, i, cur, prev);
    }
    for (size_t i = 1; i < p->step_count; i++) {
        int64_t a = p->steps[i].after, b = p->steps[i - 1].after;
        if (a < 0 || b < 0 || a >= b)
            continue;
        int line = p->steps[i].line;
        if (steps && steps->kind == YAML_TREE_SEQ && i < steps->count)
            line = config_parse_key_line(steps->items[i], "after", line);
        time_format_duration(a, cur, sizeof cur);
        time_format_duration(b, prev, sizeof prev);
        config_parse_error(ctx, line,
                           "%s.steps[%zu].after: %s is earlier than the step before it (%s); "
                           "steps must be in order",
                           path, i, cur, prev);
    }
}

static const char *const until_choices[] = {"acknowledged", "resolved", NULL};

static const struct cfg_field step_fields[] = {
    FLD(struct config_escalation_step, "after", after, CFG_DURATION, .required = true),
    FLD(struct config_escalation_step, "notify", notify, CFG_STRLIST, .required = true, .min = 1,
        .unique = true, .ref = &config_target_ref),
    FLD(struct config_escalation_step, "when", when, CFG_MAP, .sub = &config_condition_spec),
    FLD(struct config_escalation_step, "until", until, CFG_STR, .choices = until_choices),
};
static const struct cfg_spec step_spec = {.size = sizeof(struct config_escalation_step),
                                          .line_off = offsetof(struct config_escalation_step, line),
                                          FIELDS(step_fields),
                                          .init = step_init,
                                          .uniq_off = NO_OFF};

static const struct cfg_field policy_fields[] = {
    ID_FIELD(struct config_escalation_policy),
    FLD(struct config_escalation_policy, "name", name, CFG_STR),
    FLD(struct config_escalation_policy, "repeat", repeat, CFG_INT, .min = 0, .max = 100),
    FLD(struct config_escalation_policy, "round", round, CFG_DURATION, .min = 60000),
    FLD(struct config_escalation_policy, "on_ack_breach", on_ack_breach, CFG_STR,
        .ref = &config_breach_action_ref),
    FLD(struct config_escalation_policy, "on_resolve_breach", on_resolve_breach, CFG_STR,
        .ref = &config_breach_action_ref),
    FLD(struct config_escalation_policy, "steps", steps, CFG_LIST, .required = true, .min = 1,
        .sub = &step_spec, .count_off = offsetof(struct config_escalation_policy, step_count)),
};
static const struct cfg_spec policy_spec = {
    .size = sizeof(struct config_escalation_policy),
    .line_off = offsetof(struct config_escalation_policy, line),
    FIELDS(policy_fields),
    .init = policy_init,
    .post = policy_post,
    .uniq_off = offsetof(struct config_escalation_policy, id),
    .uniq_key = "id"};

const struct cfg_section config_section_escalation_policies = {
    .field = CFG_SECTION_LIST("escalation_policies", policies, policy_count, policy_spec),
    .noun = "escalation policy",
    .id_off = offsetof(struct config_escalation_policy, id),
};

const struct config_escalation_policy *config_policy_find(const struct config *c, const char *id)
{
    return config_section_find(c, &config_section_escalation_policies, id);
}
