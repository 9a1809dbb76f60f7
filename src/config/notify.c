/*
 * config_notify: the `notify:` section, how notifications leave: SMTP (`email:`), the SMS gateway
 * (`sms:`: URL, auth, body template, inbound secret), the voice gateway (`voice:`, a Twilio-style
 * Calls API), the ticket webhook (`ticket:`), the throttle window, retries and backoff,
 * and how long ack links work. Owns the formats only it uses (SMTP URLs, header values, SMS body
 * templates, shared secrets). Defaults: throttle 1m, max_attempts 8, backoff 5s, max_backoff 5m,
 * ack_link_ttl 24h, the SMS content type and body by type. Rules that span keys: see notify_post.
 * Threads: none (runs inside one config_load).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/yaml_tree.h"

#include <string.h>

static void notify_defaults(struct config *c)
{
    c->notify.throttle = MS_PER_MIN;
    c->notify.max_attempts = 8;
    c->notify.backoff = 5 * MS_PER_SEC;
    c->notify.max_backoff = 5 * MS_PER_MIN;
    c->notify.ack_link_ttl = 24 * MS_PER_HOUR;
}

/* `notify:` how notifications leave (docs/config.md, notify). */
static const char *const sms_types[] = {"application/x-www-form-urlencoded", "application/json",
                                        NULL};

static const char *check_smtp_url(const char *s)
{
    size_t skip = strncmp(s, "smtp://", 7) == 0 ? 7 : strncmp(s, "smtps://", 8) == 0 ? 8 : 0;
    if (skip == 0 || s[skip] == '\0' || s[skip] == '/')
        return "is not an smtp:// or smtps:// URL (e.g. smtp://mail.example.com:587)";
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "is not a URL (no spaces or control characters allowed)";
    return NULL;
}

static const char *check_header_value(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p < ' ' || *p == 0x7f)
            return "is not an HTTP header value (no control characters or line breaks)";
    return NULL;
}

static const char *check_sms_body(const char *s)
{
    static const char *const known[] = {"{{to}}", "{{from}}", "{{message}}"};
    bool message = false;
    for (const char *p = strstr(s, "{{"); p; p = strstr(p + 2, "{{")) {
        size_t i = 0;
        while (i < 3 && strncmp(p, known[i], strlen(known[i])) != 0)
            i++;
        if (i == 3)
            return "has an unknown placeholder (only {{to}}, {{from}} and {{message}})";
        message = message || i == 2;
    }
    return message ? NULL : "lacks {{message}}";
}

static const char *check_secret(const char *s)
{
    size_t n = strlen(s);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p <= ' ' || *p == 0x7f)
            return "is not a secret (printable characters only, no spaces)";
    return n >= 16 && n <= 256 ? NULL : "is not a secret (16 to 256 characters)";
}

static const struct cfg_field email_fields[] = {
    FLD(struct config, "url", notify.email.url, CFG_STR, .required = true, .check = check_smtp_url),
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
    FLD(struct config, "auth_header", notify.sms.auth_header, CFG_STR, .check = check_header_value),
    FLD(struct config, "content_type", notify.sms.content_type, CFG_STR, .choices = sms_types),
    FLD(struct config, "body", notify.sms.body, CFG_STR, .check = check_sms_body),
    FLD(struct config, "inbound_secret", notify.sms.inbound_secret, CFG_STR, .check = check_secret),
};
static const struct cfg_spec sms_spec = {
    .line_off = NO_OFF, FIELDS(sms_fields), .uniq_off = NO_OFF};

static const struct cfg_field voice_fields[] = {
    FLD(struct config, "url", notify.voice.url, CFG_STR, .required = true,
        .check = config_parse_check_http_url),
    FLD(struct config, "from", notify.voice.from, CFG_STR, .required = true),
    FLD(struct config, "username", notify.voice.username, CFG_STR),
    FLD(struct config, "password", notify.voice.password, CFG_STR),
    FLD(struct config, "auth_header", notify.voice.auth_header, CFG_STR,
        .check = check_header_value),
};
static const struct cfg_spec voice_spec = {
    .line_off = NO_OFF, FIELDS(voice_fields), .uniq_off = NO_OFF};

static const struct cfg_field ticket_fields[] = {
    FLD(struct config, "url", notify.ticket.url, CFG_STR, .required = true,
        .check = config_parse_check_http_url),
    FLD(struct config, "auth_header", notify.ticket.auth_header, CFG_STR,
        .check = check_header_value),
};
static const struct cfg_spec ticket_spec = {
    .line_off = NO_OFF, FIELDS(ticket_fields), .uniq_off = NO_OFF};

static void notify_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                        const char *path, size_t index);

static const struct cfg_field notify_fields[] = {
    {.key = "email", .type = CFG_MAP, .off = 0, .sub = &email_spec},
    {.key = "sms", .type = CFG_MAP, .off = 0, .sub = &sms_spec},
    {.key = "voice", .type = CFG_MAP, .off = 0, .sub = &voice_spec},
    {.key = "ticket", .type = CFG_MAP, .off = 0, .sub = &ticket_spec},
    FLD(struct config, "throttle", notify.throttle, CFG_DURATION, .min = 0),
    FLD(struct config, "max_attempts", notify.max_attempts, CFG_INT, .min = 1, .max = 100),
    FLD(struct config, "backoff", notify.backoff, CFG_DURATION, .min = 100),
    FLD(struct config, "max_backoff", notify.max_backoff, CFG_DURATION, .min = 100),
    FLD(struct config, "ack_link_ttl", notify.ack_link_ttl, CFG_DURATION, .min = MS_PER_MIN),
};
static const struct cfg_spec notify_spec = {
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
    const struct yaml_tree_node *voice = yaml_tree_map_get(n, "voice");
    int vline = voice ? voice->line : n->line;
    if (!c->notify.voice.username != !c->notify.voice.password)
        config_parse_error(ctx, vline, "notify.voice: username and password go together");
    if (c->notify.voice.username && c->notify.voice.auth_header)
        config_parse_error(ctx, config_parse_key_line(voice, "auth_header", vline),
                           "notify.voice.auth_header: use either username/password (basic auth) "
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

const struct cfg_section config_section_notify = {
    .field = CFG_SECTION_MAP("notify", notify_spec),
    .defaults = notify_defaults,
};
