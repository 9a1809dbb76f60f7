/*
 * config_users: the `users:` list: contact details (email, phone, Slack and webhook URLs, the
 * webhook's signing secret), time zone, and the notification rules (`notify:`, tried in order).
 * Rules that span keys: webhook and webhook_secret go together; a rule's method needs the user's
 * matching contact. Other sections name a user by its id ("user:ID" in escalation steps).
 * Threads: none (runs inside one config_load; config_user_find reads a loaded config).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/yaml_tree.h"

#include <sodium.h>
#include <string.h>

CFG_ASSERT_ID_NAME(struct config_user);

/* A user's notification rules (`notify:`) and contact methods (docs/config.md, users). */
static const char *const contact_methods[] = {"email", "sms", "slack", "webhook", "voice", NULL};

static const struct cfg_field rule_fields[] = {
    FLD(struct config_notify_rule, "severity", severity, CFG_STRLIST, .unique = true,
        .ref = &config_section_severities),
    FLD(struct config_notify_rule, "methods", methods, CFG_STRLIST, .required = true, .min = 1,
        .unique = true, .choices = contact_methods),
    FLD(struct config_notify_rule, "after", after, CFG_DURATION),
};
static const struct cfg_spec rule_spec = {.size = sizeof(struct config_notify_rule),
                                          .line_off = offsetof(struct config_notify_rule, line),
                                          FIELDS(rule_fields),
                                          .uniq_off = NO_OFF};

static const char *check_webhook_secret(const char *s)
{
    static const char reason[] = "is not a webhook secret (whsec_ + base64 of 24 to 64 random "
                                 "bytes, e.g. from: echo whsec_$(head -c 32 /dev/urandom | "
                                 "base64))";
    unsigned char key[64];
    size_t len = 0;
    if (strncmp(s, "whsec_", 6) != 0)
        return reason;
    const char *b64 = s + 6;
    size_t n = strlen(b64);
    if (sodium_base642bin(key, sizeof key, b64, n, NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 &&
        sodium_base642bin(key, sizeof key, b64, n, NULL, &len, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
        return reason;
    sodium_memzero(key, sizeof key);
    return len >= 24 && len <= 64 ? NULL : reason;
}

/* Whether user u has the contact method named m (email, sms and voice = phone, slack, webhook). */
static bool user_has_method(const struct config_user *u, const char *m)
{
    const char *have = strcmp(m, "email") == 0     ? u->email
                       : strcmp(m, "sms") == 0     ? u->phone
                       : strcmp(m, "voice") == 0   ? u->phone
                       : strcmp(m, "slack") == 0   ? u->slack
                       : strcmp(m, "webhook") == 0 ? u->webhook
                                                   : NULL;
    return have != NULL;
}

/* name = id; webhook and webhook_secret go together; every rule's methods exist for the user. */
static void user_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                      const char *path, size_t index)
{
    static const char *const needs[] = {"email", "email", "sms",   "phone",   "voice",
                                        "phone", "slack", "slack", "webhook", "webhook"};
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
        .check = check_webhook_secret),
    FLD(struct config_user, "notify", rules, CFG_LIST, .sub = &rule_spec,
        .count_off = offsetof(struct config_user, rule_count)),
};
static const struct cfg_spec user_spec = {.size = sizeof(struct config_user),
                                          .line_off = offsetof(struct config_user, line),
                                          FIELDS(user_fields),
                                          .post = user_post,
                                          .uniq_off = offsetof(struct config_user, id),
                                          .uniq_key = "id"};

const struct cfg_section config_section_users = {
    .field = CFG_SECTION_LIST("users", users, user_count, user_spec),
    .noun = "user",
    .id_off = offsetof(struct config_user, id),
};

const struct config_user *config_user_find(const struct config *c, const char *id)
{
    return config_section_find(c, &config_section_users, id);
}
