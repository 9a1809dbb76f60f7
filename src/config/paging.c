/*
 * config_paging: the schema of the paging sections of the config (docs/config.md): users and
 * their notification rules, teams, schedules (layers, rotations, restrictions), escalation
 * policies (steps, conditions) and `notify:` (SMTP, the SMS gateway, retries, throttle, ack
 * links), with the hooks that check what spans keys, and the notify defaults. config.c puts these
 * specs in its top-level table and resolves the references between sections; the engine that
 * applies them is config_parse.c. Same invariants and threading as config.c (one config_load at a
 * time per cfg_ctx; nothing here is mutable).
 */
#include "config/config.h"
#include "config/parse.h"
#include "domain/oncall.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/yaml_tree.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void config_paging_defaults(struct config *c)
{
    c->notify.throttle = MS_PER_MIN;
    c->notify.max_attempts = 8;
    c->notify.backoff = 5 * MS_PER_SEC;
    c->notify.max_backoff = 5 * MS_PER_MIN;
    c->notify.ack_link_ttl = 24 * MS_PER_HOUR;
}

/* ---- hooks: checks that span fields ---------------------------------------------------------- */

static void schedule_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                          const char *path, size_t index)
{
    const struct config_schedule *s = obj;
    const struct yaml_tree_node *layers = yaml_tree_map_get(n, "layers");
    const struct yaml_tree_node *rotation = yaml_tree_map_get(n, "rotation");
    config_parse_default_name(ctx, n, obj, path, index);
    if (!s->layers && (!layers || yaml_tree_is_null(layers)) &&
        (!rotation || yaml_tree_is_null(rotation)))
        config_parse_error(ctx, n->line,
                           "%s: missing required key \"layers\" (or \"rotation\" for one layer)",
                           path);
}

/* rotation.start defaults to 2024-01-01 (docs/config.md: schedules). */
static void rotation_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                          const char *path, size_t index)
{
    struct config_rotation *r = obj;
    if (!r->start)
        r->start = xstrdup("2024-01-01");
}

/* oncall.c evaluates at most ONCALL_MAX_RESTRICTIONS windows per layer. */
static void layer_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                       const char *path, size_t index)
{
    const struct config_schedule_layer *l = obj;
    if (l->restrictions.count > ONCALL_MAX_RESTRICTIONS)
        config_parse_error(ctx, config_parse_key_line(n, "restrictions", n->line),
                           "%s.restrictions: at most %d windows per layer", path,
                           ONCALL_MAX_RESTRICTIONS);
}

static void step_init(void *obj)
{
    ((struct config_escalation_step *)obj)->after = -1;
}

static void policy_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                        const char *path, size_t index)
{
    const struct config_escalation_policy *p = obj;
    const struct yaml_tree_node *steps = yaml_tree_map_get(n, "steps");
    char cur[32], prev[32];
    config_parse_default_name(ctx, n, obj, path, index);
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

/* A schedule given `rotation:` directly has one layer named "primary". */
static void schedule_rotation(struct cfg_ctx *ctx, const struct cfg_field *f,
                              const struct yaml_tree_node *n, void *base, const char *path);
static void schedule_layers(struct cfg_ctx *ctx, const struct cfg_field *f,
                            const struct yaml_tree_node *n, void *base, const char *path);

/* ---- users and teams ------------------------------------------------------------------------ */

/* A user's notification rules (`notify:`) and contact methods (docs/config.md, users). */
static const char *const contact_methods[] = {"email", "sms", "slack", "webhook", NULL};

static const struct cfg_field rule_fields[] = {
    FLD(struct config_notify_rule, "severity", severity, CFG_STRLIST, .unique = true,
        .ref = CFG_REF_SEVERITY),
    FLD(struct config_notify_rule, "methods", methods, CFG_STRLIST, .required = true, .min = 1,
        .unique = true, .choices = contact_methods),
    FLD(struct config_notify_rule, "after", after, CFG_DURATION),
};
static const struct cfg_spec rule_spec = {.size = sizeof(struct config_notify_rule),
                                          .line_off = offsetof(struct config_notify_rule, line),
                                          FIELDS(rule_fields),
                                          .uniq_off = NO_OFF};

/* Whether user u has the contact method named m (email, sms = phone, slack, webhook). */
static bool user_has_method(const struct config_user *u, const char *m)
{
    const char *have = strcmp(m, "email") == 0     ? u->email
                       : strcmp(m, "sms") == 0     ? u->phone
                       : strcmp(m, "slack") == 0   ? u->slack
                       : strcmp(m, "webhook") == 0 ? u->webhook
                                                   : NULL;
    return have != NULL;
}

/* name = id; webhook and webhook_secret go together; every rule's methods exist for the user. */
static void user_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                      const char *path, size_t index)
{
    static const char *const needs[] = {"email", "email", "sms",     "phone",
                                        "slack", "slack", "webhook", "webhook"};
    const struct config_user *u = obj;
    config_parse_default_name(ctx, n, obj, path, index);
    if (u->webhook && !u->webhook_secret)
        config_parse_error(ctx, config_parse_key_line(n, "webhook", n->line),
                           "%s.webhook_secret: required with webhook (whsec_ + base64 of 24 to 64 "
                           "random bytes)",
                           path);
    if (u->webhook_secret && !u->webhook)
        config_parse_error(ctx, config_parse_key_line(n, "webhook_secret", n->line),
                           "%s.webhook_secret: only with webhook", path);
    const struct yaml_tree_node *rules = yaml_tree_map_get(n, "notify");
    for (size_t i = 0; i < u->rule_count; i++) {
        const struct config_notify_rule *r = &u->rules[i];
        const struct yaml_tree_node *rn =
            rules && rules->kind == YAML_TREE_SEQ && i < rules->count ? rules->items[i] : NULL;
        const struct yaml_tree_node *ms = rn ? yaml_tree_map_get(rn, "methods") : NULL;
        for (size_t j = 0; j < r->methods.count; j++) {
            const char *m = r->methods.items[j], *key = NULL;
            for (size_t k = 0; k + 1 < sizeof needs / sizeof needs[0]; k += 2)
                if (strcmp(needs[k], m) == 0)
                    key = needs[k + 1];
            if (!key || user_has_method(u, m))
                continue; /* an unknown method was reported by its field */
            int line =
                ms && ms->kind == YAML_TREE_SEQ && j < ms->count ? ms->items[j]->line : r->line;
            config_parse_error(ctx, line,
                               "%s.notify[%zu].methods[%zu]: %s needs the user's %s, which is not "
                               "set",
                               path, i, j, m, key);
        }
    }
}

static const struct cfg_field user_fields[] = {
    ID_FIELD(struct config_user),
    FLD(struct config_user, "name", name, CFG_STR),
    FLD(struct config_user, "email", email, CFG_STR, .check = config_parse_check_email),
    FLD(struct config_user, "phone", phone, CFG_STR, .check = config_parse_check_phone),
    FLD(struct config_user, "timezone", timezone, CFG_STR, .check = config_parse_check_timezone),
    FLD(struct config_user, "slack", slack, CFG_STR, .check = config_parse_check_http_url),
    FLD(struct config_user, "webhook", webhook, CFG_STR, .check = config_parse_check_http_url),
    FLD(struct config_user, "webhook_secret", webhook_secret, CFG_STR,
        .check = config_parse_check_webhook_secret),
    FLD(struct config_user, "notify", rules, CFG_LIST, .sub = &rule_spec,
        .count_off = offsetof(struct config_user, rule_count)),
};
const struct cfg_spec config_user_spec = {.size = sizeof(struct config_user),
                                          .line_off = offsetof(struct config_user, line),
                                          FIELDS(user_fields),
                                          .post = user_post,
                                          .uniq_off = offsetof(struct config_user, id),
                                          .uniq_key = "id"};

static const struct cfg_field team_fields[] = {
    ID_FIELD(struct config_team),
    FLD(struct config_team, "name", name, CFG_STR),
    FLD(struct config_team, "members", members, CFG_STRLIST, .required = true, .min = 1,
        .unique = true, .ref = CFG_REF_USER),
};
const struct cfg_spec config_team_spec = {.size = sizeof(struct config_team),
                                          .line_off = offsetof(struct config_team, line),
                                          FIELDS(team_fields),
                                          .post = config_parse_default_name,
                                          .uniq_off = offsetof(struct config_team, id),
                                          .uniq_key = "id"};

/* ---- schedules and escalation policies ------------------------------------------------------ */

static const struct cfg_field rotation_fields[] = {
    FLD(struct config_rotation, "every", every, CFG_DURATION, .required = true, .min = MS_PER_HOUR),
    FLD(struct config_rotation, "start", start, CFG_STR, .check = config_parse_check_date),
    FLD(struct config_rotation, "handoff", handoff, CFG_STR, .required = true,
        .check = config_parse_check_handoff),
    FLD(struct config_rotation, "users", users, CFG_STRLIST, .required = true, .min = 1,
        .ref = CFG_REF_USER),
};
static const struct cfg_spec rotation_spec = {.line_off = offsetof(struct config_rotation, line),
                                              FIELDS(rotation_fields),
                                              .post = rotation_post,
                                              .uniq_off = NO_OFF};

static const struct cfg_field layer_fields[] = {
    FLD(struct config_schedule_layer, "name", name, CFG_STR, .required = true,
        .check = config_parse_check_id),
    FLD(struct config_schedule_layer, "rotation", rotation, CFG_MAP, .required = true,
        .sub = &rotation_spec),
    FLD(struct config_schedule_layer, "restrictions", restrictions, CFG_STRLIST, .unique = true,
        .check = config_parse_check_restriction),
};
static const struct cfg_spec layer_spec = {.size = sizeof(struct config_schedule_layer),
                                           .line_off = offsetof(struct config_schedule_layer, line),
                                           FIELDS(layer_fields),
                                           .post = layer_post,
                                           .uniq_off = offsetof(struct config_schedule_layer, name),
                                           .uniq_key = "name"};

static const struct cfg_field schedule_fields[] = {
    ID_FIELD(struct config_schedule),
    FLD(struct config_schedule, "name", name, CFG_STR),
    FLD(struct config_schedule, "timezone", timezone, CFG_STR, .required = true,
        .check = config_parse_check_timezone),
    FLD(struct config_schedule, "layers", layers, CFG_LIST, .min = 1, .sub = &layer_spec,
        .count_off = offsetof(struct config_schedule, layer_count), .decode = schedule_layers),
    /* the shorthand: decoded into layers[0]; owns nothing itself (layers frees it) */
    FLD(struct config_schedule, "rotation", layers, CFG_NONE, .decode = schedule_rotation),
};
const struct cfg_spec config_schedule_spec = {.size = sizeof(struct config_schedule),
                                              .line_off = offsetof(struct config_schedule, line),
                                              FIELDS(schedule_fields),
                                              .post = schedule_post,
                                              .uniq_off = offsetof(struct config_schedule, id),
                                              .uniq_key = "id"};

static const struct cfg_field step_fields[] = {
    FLD(struct config_escalation_step, "after", after, CFG_DURATION, .required = true),
    FLD(struct config_escalation_step, "notify", notify, CFG_STRLIST, .required = true, .min = 1,
        .unique = true, .ref = CFG_REF_TARGET),
    FLD(struct config_escalation_step, "when", when, CFG_MAP, .sub = &config_condition_spec),
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
    FLD(struct config_escalation_policy, "steps", steps, CFG_LIST, .required = true, .min = 1,
        .sub = &step_spec, .count_off = offsetof(struct config_escalation_policy, step_count)),
};
const struct cfg_spec config_policy_spec = {
    .size = sizeof(struct config_escalation_policy),
    .line_off = offsetof(struct config_escalation_policy, line),
    FIELDS(policy_fields),
    .post = policy_post,
    .uniq_off = offsetof(struct config_escalation_policy, id),
    .uniq_key = "id"};

static void schedule_rotation(struct cfg_ctx *ctx, const struct cfg_field *f,
                              const struct yaml_tree_node *n, void *base, const char *path)
{
    struct config_schedule *s = base;
    if (s->layers) {
        config_parse_error(ctx, n->line,
                           "%s: use either \"rotation\" (one layer) or \"layers\", not both", path);
        return;
    }
    s->layers = xcalloc(1, sizeof *s->layers);
    s->layer_count = 1;
    s->layers[0].name = xstrdup("primary");
    s->layers[0].line = n->line;
    config_parse_decode_map(ctx, &rotation_spec, n, &s->layers[0].rotation, path);
}

static void schedule_layers(struct cfg_ctx *ctx, const struct cfg_field *f,
                            const struct yaml_tree_node *n, void *base, const char *path)
{
    const struct config_schedule *s = base;
    if (s->layers) {
        config_parse_error(ctx, n->line,
                           "%s: use either \"rotation\" (one layer) or \"layers\", not both", path);
        return;
    }
    config_parse_decode_typed(ctx, f, n, base, path);
}

/* ---- notify ------------------------------------------------------------------------------- */

/* `notify:` how notifications leave (docs/config.md, notify). */
static const char *const sms_types[] = {"application/x-www-form-urlencoded", "application/json",
                                        NULL};

static const struct cfg_field email_fields[] = {
    FLD(struct config, "url", notify.email.url, CFG_STR, .required = true,
        .check = config_parse_check_smtp_url),
    FLD(struct config, "from", notify.email.from, CFG_STR, .required = true,
        .check = config_parse_check_email),
    FLD(struct config, "username", notify.email.username, CFG_STR),
    FLD(struct config, "password", notify.email.password, CFG_STR),
    FLD(struct config, "starttls", notify.email.starttls, CFG_BOOL),
};
static const struct cfg_spec email_spec = {
    .line_off = NO_OFF, FIELDS(email_fields), .uniq_off = NO_OFF};

static const struct cfg_field sms_fields[] = {
    FLD(struct config, "url", notify.sms.url, CFG_STR, .required = true,
        .check = config_parse_check_http_url),
    FLD(struct config, "from", notify.sms.from, CFG_STR),
    FLD(struct config, "username", notify.sms.username, CFG_STR),
    FLD(struct config, "password", notify.sms.password, CFG_STR),
    FLD(struct config, "auth_header", notify.sms.auth_header, CFG_STR,
        .check = config_parse_check_header_value),
    FLD(struct config, "content_type", notify.sms.content_type, CFG_STR, .choices = sms_types),
    FLD(struct config, "body", notify.sms.body, CFG_STR, .check = config_parse_check_sms_body),
    FLD(struct config, "inbound_secret", notify.sms.inbound_secret, CFG_STR,
        .check = config_parse_check_secret),
};
static const struct cfg_spec sms_spec = {
    .line_off = NO_OFF, FIELDS(sms_fields), .uniq_off = NO_OFF};

static void notify_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                        const char *path, size_t index);

static const struct cfg_field notify_fields[] = {
    {.key = "email", .type = CFG_MAP, .off = 0, .sub = &email_spec},
    {.key = "sms", .type = CFG_MAP, .off = 0, .sub = &sms_spec},
    FLD(struct config, "throttle", notify.throttle, CFG_DURATION, .min = 0),
    FLD(struct config, "max_attempts", notify.max_attempts, CFG_INT, .min = 1, .max = 100),
    FLD(struct config, "backoff", notify.backoff, CFG_DURATION, .min = 100),
    FLD(struct config, "max_backoff", notify.max_backoff, CFG_DURATION, .min = 100),
    FLD(struct config, "ack_link_ttl", notify.ack_link_ttl, CFG_DURATION, .min = MS_PER_MIN),
};
const struct cfg_spec config_notify_spec = {
    .line_off = NO_OFF, FIELDS(notify_fields), .post = notify_post, .uniq_off = NO_OFF};

/* Fields that span keys: SMTP AUTH and HTTP basic auth need both halves; the SMS auth is basic or
 * a header, not both; the SMS body template defaults by content type; backoff <= max_backoff. */
static void notify_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                        const char *path, size_t index)
{
    struct config *c = obj;
    const struct yaml_tree_node *em = yaml_tree_map_get(n, "email");
    const struct yaml_tree_node *sms = yaml_tree_map_get(n, "sms");
    int eline = em ? em->line : n->line, sline = sms ? sms->line : n->line;
    if (!c->notify.email.username != !c->notify.email.password)
        config_parse_error(ctx, eline, "notify.email: username and password go together");
    if (!c->notify.sms.username != !c->notify.sms.password)
        config_parse_error(ctx, sline, "notify.sms: username and password go together");
    if (c->notify.sms.username && c->notify.sms.auth_header)
        config_parse_error(ctx, config_parse_key_line(sms, "auth_header", sline),
                           "notify.sms.auth_header: use either username/password (basic auth) "
                           "or auth_header, not both");
    if (c->notify.sms.url && !c->notify.sms.content_type)
        c->notify.sms.content_type = xstrdup(sms_types[0]);
    if (c->notify.sms.url && !c->notify.sms.body)
        c->notify.sms.body = xstrdup(strcmp(c->notify.sms.content_type, sms_types[0]) == 0
                                         ? "To={{to}}&From={{from}}&Body={{message}}"
                                         : "{\"to\":\"{{to}}\",\"from\":\"{{from}}\","
                                           "\"body\":\"{{message}}\"}");
    if (c->notify.backoff > c->notify.max_backoff)
        config_parse_error(ctx, config_parse_key_line(n, "backoff", n->line),
                           "notify.backoff: longer than max_backoff");
}
