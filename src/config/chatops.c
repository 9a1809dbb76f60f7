/*
 * config_chatops: the `chatops:` section (docs/chatops.md, docs/config.md): the incident channel's
 * name format, the mode per severity (a channel of its own, a thread in the announce channel, or
 * nothing), the archive delay, the bridge (a URL per severity or a template), and the providers:
 * Slack (Web API URL, the environment variables holding the bot token and the signing secret,
 * the announce channel) and Microsoft Teams (the variable holding the workflow/webhook URL).
 * Secrets never sit in the file: the *_env keys name environment variables, read here at load;
 * an unset or empty variable turns that provider off with a warning naming the line (so
 * `make run` starts without them), a missing *_env key is an error.
 * Threads: none (runs inside one config_load).
 */
#include "config/config.h"
#include "config/section.h"
#include "domain/chat_message.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/yaml_tree.h"

#include <stdlib.h>
#include <string.h>

static const char *const modes[] = {"channel", "thread", "none", NULL};

static void chatops_defaults(struct config *c)
{
    c->chatops.archive_after = 24 * MS_PER_HOUR;
}

static const char *check_env_name(const char *s)
{
    for (const char *p = s; *p; p++)
        if (!((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || *p == '_' ||
              (p > s && *p >= '0' && *p <= '9')))
            return "is not an environment variable name (letters, digits, '_')";
    return NULL;
}

static const char *check_format(const char *s)
{
    static _Thread_local char why[256];
    return chat_format_check(s, why, sizeof why);
}

static const char *check_bridge(const char *s)
{
    static _Thread_local char why[256];
    return chat_bridge_check(s, why, sizeof why);
}

static const char *check_sev_key(const char *s)
{
    return s[0] ? NULL : "is empty";
}

static const struct cfg_field slack_fields[] = {
    FLD(struct config, "api_url", chatops.slack.api_url, CFG_STR,
        .check = config_parse_check_http_url),
    FLD(struct config, "bot_token_env", chatops.slack.token_env, CFG_STR, .required = true,
        .check = check_env_name),
    FLD(struct config, "signing_secret_env", chatops.slack.secret_env, CFG_STR, .required = true,
        .check = check_env_name),
    FLD(struct config, "announce_channel", chatops.slack.announce, CFG_STR, .required = true),
    FLD(struct config, "note_reaction", chatops.slack.note_reaction, CFG_STR,
        .check = check_sev_key),
};
static const struct cfg_spec slack_spec = {
    .line_off = NO_OFF, FIELDS(slack_fields), .uniq_off = NO_OFF};

static const struct cfg_field mattermost_fields[] = {
    FLD(struct config, "url", chatops.mattermost.url, CFG_STR, .required = true,
        .check = config_parse_check_http_url),
    FLD(struct config, "team_id", chatops.mattermost.team_id, CFG_STR, .required = true),
    FLD(struct config, "announce_channel_id", chatops.mattermost.announce, CFG_STR,
        .required = true),
    FLD(struct config, "bot_token_env", chatops.mattermost.token_env, CFG_STR, .required = true,
        .check = check_env_name),
    FLD(struct config, "command_token_env", chatops.mattermost.command_token_env, CFG_STR,
        .required = true, .check = check_env_name),
    FLD(struct config, "incoming_webhook_url_env", chatops.mattermost.webhook_env, CFG_STR,
        .check = check_env_name),
};
static const struct cfg_spec mattermost_spec = {
    .line_off = NO_OFF, FIELDS(mattermost_fields), .uniq_off = NO_OFF};

static const struct cfg_field teams_fields[] = {
    FLD(struct config, "webhook_url_env", chatops.teams.url_env, CFG_STR, .required = true,
        .check = check_env_name),
};
static const struct cfg_spec teams_spec = {
    .line_off = NO_OFF, FIELDS(teams_fields), .uniq_off = NO_OFF};

static const struct cfg_field chatops_fields[] = {
    FLD(struct config, "channel_format", chatops.channel_format, CFG_STR, .check = check_format),
    FLD(struct config, "modes", chatops.modes, CFG_STRMAP,
        .count_off = offsetof(struct config, chatops.mode_count), .key_check = check_sev_key,
        .choices = modes),
    FLD(struct config, "default_mode", chatops.default_mode, CFG_STR, .choices = modes),
    FLD(struct config, "archive_after", chatops.archive_after, CFG_DURATION, .min = 0),
    FLD(struct config, "bridge", chatops.bridge, CFG_STR, .check = check_bridge),
    FLD(struct config, "bridges", chatops.bridges, CFG_STRMAP,
        .count_off = offsetof(struct config, chatops.bridge_count), .key_check = check_sev_key,
        .check = check_bridge),
    {.key = "slack", .type = CFG_MAP, .off = 0, .sub = &slack_spec},
    {.key = "mattermost", .type = CFG_MAP, .off = 0, .sub = &mattermost_spec},
    {.key = "teams", .type = CFG_MAP, .off = 0, .sub = &teams_spec},
};
static const struct cfg_spec chatops_spec = {
    .line_off = NO_OFF, FIELDS(chatops_fields), .uniq_off = NO_OFF};

/* Copies the variable `name` into out; false (with a warning naming the line) when unset. */
static bool read_env(const char *path, int line, const char *what, const char *name, char *out,
                     size_t n)
{
    const char *v = name ? getenv(name) : NULL;
    if (!v || !v[0]) {
        log_warn("%s:%d: chatops.%s: the environment variable %s is not set: %s is off", path, line,
                 what, name, what);
        return false;
    }
    if (strlen(v) >= n) {
        log_warn("%s:%d: chatops.%s: the environment variable %s is too long (%zu bytes at most): "
                 "%s is off",
                 path, line, what, name, n - 1, what);
        return false;
    }
    snprintf(out, n, "%s", v);
    return true;
}

static void check_severity_keys(struct cfg_ctx *ctx, const struct config *c,
                                const struct config_severity_mapping *m, size_t n, const char *what)
{
    for (size_t i = 0; i < n; i++)
        if (!config_severity_find(c, m[i].from))
            config_parse_error(ctx, m[i].line, "chatops.%s: \"%s\" is not a severity", what,
                               m[i].from);
}

static void chatops_finish(struct cfg_ctx *ctx, const struct yaml_tree_node *root, struct config *c)
{
    struct config_chatops *ch = &c->chatops;
    const struct yaml_tree_node *n = yaml_tree_map_get(root, "chatops");
    ch->line = n ? n->line : 0;
    if (!ch->channel_format)
        ch->channel_format = xstrdup("inc-{date}-{short_name}");
    if (!ch->default_mode)
        ch->default_mode = xstrdup("channel");
    if (!ch->slack.note_reaction)
        ch->slack.note_reaction = xstrdup("pushpin");
    if (!ch->slack.api_url)
        ch->slack.api_url = xstrdup("https://slack.com/api");
    check_severity_keys(ctx, c, ch->modes, ch->mode_count, "modes");
    check_severity_keys(ctx, c, ch->bridges, ch->bridge_count, "bridges");
    const char *path = c->path ? c->path : "config";
    const struct yaml_tree_node *s = n ? yaml_tree_map_get(n, "slack") : NULL;
    ch->slack.line = s ? s->line : 0;
    if (ch->slack.token_env && ch->slack.secret_env)
        ch->slack.on =
            read_env(path, config_parse_key_line(s, "bot_token_env", ch->slack.line), "slack",
                     ch->slack.token_env, ch->slack.token, sizeof ch->slack.token) &&
            read_env(path, config_parse_key_line(s, "signing_secret_env", ch->slack.line), "slack",
                     ch->slack.secret_env, ch->slack.secret, sizeof ch->slack.secret);
    const struct yaml_tree_node *m = n ? yaml_tree_map_get(n, "mattermost") : NULL;
    struct config_chatops *mc = ch;
    mc->mattermost.line = m ? m->line : 0;
    if (s && m)
        config_parse_error(ctx, m->line,
                           "chatops: slack and mattermost are both configured; an incident's "
                           "channel lives on one of them (keep one)");
    else if (mc->mattermost.token_env && mc->mattermost.command_token_env) {
        mc->mattermost.on =
            read_env(path, config_parse_key_line(m, "bot_token_env", mc->mattermost.line),
                     "mattermost", mc->mattermost.token_env, mc->mattermost.token,
                     sizeof mc->mattermost.token) &&
            read_env(path, config_parse_key_line(m, "command_token_env", mc->mattermost.line),
                     "mattermost", mc->mattermost.command_token_env, mc->mattermost.command_token,
                     sizeof mc->mattermost.command_token);
        if (mc->mattermost.on && mc->mattermost.webhook_env &&
            (!read_env(path,
                       config_parse_key_line(m, "incoming_webhook_url_env", mc->mattermost.line),
                       "mattermost incoming webhook", mc->mattermost.webhook_env,
                       mc->mattermost.webhook, sizeof mc->mattermost.webhook) ||
             config_parse_check_http_url(mc->mattermost.webhook) != NULL))
            mc->mattermost.webhook[0] = '\0'; /* announcements through the REST API then */
    }
    const struct yaml_tree_node *t = n ? yaml_tree_map_get(n, "teams") : NULL;
    ch->teams.line = t ? t->line : 0;
    if (ch->teams.url_env)
        ch->teams.on = read_env(path, config_parse_key_line(t, "webhook_url_env", ch->teams.line),
                                "teams", ch->teams.url_env, ch->teams.url, sizeof ch->teams.url) &&
                       config_parse_check_http_url(ch->teams.url) == NULL;
}

const struct cfg_section config_section_chatops = {
    .field = CFG_SECTION_MAP("chatops", chatops_spec),
    .defaults = chatops_defaults,
    .finish = chatops_finish,
};
