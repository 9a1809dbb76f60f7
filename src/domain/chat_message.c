/*
 * chat_message: channel names, topics and chat lines (see chat_message.h). Pure.
 */
#include "domain/chat_message.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <stdio.h>
#include <string.h>

static const char *const name_keys[] = {"date",    "id",   "short_name", "severity",
                                        "service", "type", NULL};
static const char *const bridge_keys[] = {"id", "severity", NULL};

/* NULL when every {...} of s is one of keys. */
static const char *check_placeholders(const char *s, const char *const *keys, char *why, size_t n)
{
    for (const char *p = strchr(s, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end) {
            snprintf(why, n, "has a '{' without its '}'");
            return why;
        }
        size_t len = (size_t)(end - p - 1);
        bool known = false;
        for (size_t i = 0; keys[i] && !known; i++)
            known = strlen(keys[i]) == len && strncmp(p + 1, keys[i], len) == 0;
        if (!known) {
            char list[160] = "";
            for (size_t i = 0; keys[i]; i++)
                snprintf(list + strlen(list), sizeof list - strlen(list), "%s{%s}", i ? ", " : "",
                         keys[i]);
            snprintf(why, n, "has an unknown placeholder {%.*s} (known: %s)",
                     (int)(len > 40 ? 40 : len), p + 1, list);
            return why;
        }
    }
    return NULL;
}

const char *chat_format_check(const char *fmt, char *why, size_t n)
{
    if (!fmt[0]) {
        snprintf(why, n, "is empty");
        return why;
    }
    return check_placeholders(fmt, name_keys, why, n);
}

const char *chat_bridge_check(const char *tpl, char *why, size_t n)
{
    if (strncmp(tpl, "https://", 8) != 0 && strncmp(tpl, "http://", 7) != 0) {
        snprintf(why, n, "is not an http(s):// URL");
        return why;
    }
    for (const unsigned char *p = (const unsigned char *)tpl; *p; p++)
        if (*p <= ' ' || *p == 0x7f) {
            snprintf(why, n, "is not a URL (no spaces or control characters allowed)");
            return why;
        }
    return check_placeholders(tpl, bridge_keys, why, n);
}

static void put_lower(struct buf *b, const char *s)
{
    for (const char *p = s ? s : "none"; *p; p++) {
        char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        buf_append(b, &c, 1);
    }
}

/* Expands the placeholders of s (keys: name_keys) for inc into b. */
static void expand(const char *s, const struct incident *inc, struct buf *b)
{
    for (const char *p = s; *p;) {
        const char *end = *p == '{' ? strchr(p, '}') : NULL;
        if (!end) {
            buf_append(b, p, 1);
            p++;
            continue;
        }
        size_t len = (size_t)(end - p - 1);
        const char *k = p + 1;
        if (len == 4 && strncmp(k, "date", 4) == 0) {
            char day[11];
            time_format_day(inc->created_at, day);
            buf_puts(b, day);
        } else if (len == 2 && strncmp(k, "id", 2) == 0) {
            put_lower(b, inc->id);
        } else if (len == 10 && strncmp(k, "short_name", 10) == 0) {
            char slug[INCIDENT_SLUG_MAX + 1];
            incident_slug(inc->title ? inc->title : "", slug);
            buf_puts(b, slug);
        } else if (len == 8 && strncmp(k, "severity", 8) == 0) {
            put_lower(b, inc->severity);
        } else if (len == 7 && strncmp(k, "service", 7) == 0) {
            put_lower(b, inc->service);
        } else if (len == 4 && strncmp(k, "type", 4) == 0) {
            put_lower(b, inc->type);
        } else {
            buf_append(b, p, (size_t)(end - p + 1)); /* checked at load: not reached */
        }
        p = end + 1;
    }
}

void chat_channel_name(const char *fmt, const struct incident *inc, int suffix,
                       char out[CHAT_NAME_MAX + 1])
{
    struct buf b;
    buf_init(&b, 256);
    expand(fmt && fmt[0] ? fmt : "inc-{date}-{short_name}", inc, &b);
    char tail[16] = "";
    if (suffix > 1)
        snprintf(tail, sizeof tail, "-%d", suffix);
    size_t room = CHAT_NAME_MAX - strlen(tail), n = 0;
    bool dash = false;
    for (size_t i = 0; b.data && i < b.len && n < room; i++) {
        char c = b.data[i];
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
        if (!ok) { /* '#', spaces, punctuation: one '-' for a run, none leading */
            dash = n > 0;
            continue;
        }
        if (dash && n + 1 < room)
            out[n++] = '-';
        dash = false;
        out[n++] = c;
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    if (n == 0)
        n = (size_t)snprintf(out, CHAT_NAME_MAX + 1, "incident");
    snprintf(out + n, CHAT_NAME_MAX + 1 - n, "%s", tail);
    buf_free(&b);
}

void chat_bridge_url(const char *tpl, const struct incident *inc, char *out, size_t n)
{
    if (!tpl || !tpl[0]) {
        out[0] = '\0';
        return;
    }
    struct buf b;
    buf_init(&b, 256);
    expand(tpl, inc, &b);
    snprintf(out, n, "%s", b.data ? b.data : "");
    buf_free(&b);
}

void chat_bridge_for(const struct config *cfg, const struct incident *inc, char *out, size_t n)
{
    for (size_t i = 0; i < cfg->chatops.bridge_count; i++)
        if (strcmp(cfg->chatops.bridges[i].from, inc->severity) == 0) {
            snprintf(out, n, "%s", cfg->chatops.bridges[i].to);
            return;
        }
    chat_bridge_url(cfg->chatops.bridge, inc, out, n);
}

void chat_escape(struct buf *out, const char *s, size_t max)
{
    size_t n = s ? utf8_cut_after(s, strlen(s), max) : 0;
    for (const char *p = s; p && p < s + n; p++) {
        if (*p == '&')
            buf_puts(out, "&amp;");
        else if (*p == '<')
            buf_puts(out, "&lt;");
        else if (*p == '>')
            buf_puts(out, "&gt;");
        else
            buf_append(out, p, 1);
    }
}

void chat_topic(const struct incident *inc, const char *bridge, const char *status_url,
                struct buf *out)
{
    struct buf t;
    buf_init(&t, 512);
    buf_printf(&t, "%s | %s", inc->severity, incident_status_name(inc->status));
    if (inc->roles[ROLE_COMMANDER])
        buf_printf(&t, " | Commander: %s", inc->roles[ROLE_COMMANDER]);
    if (bridge && bridge[0])
        buf_printf(&t, " | Bridge: %s", bridge);
    if (status_url && status_url[0])
        buf_printf(&t, " | Status: %s", status_url);
    chat_escape(out, t.data, 250);
    buf_free(&t);
}

void chat_summary(const struct incident *inc, const char *bridge, const char *incident_url,
                  struct buf *out)
{
    buf_printf(out, "*%s* - ", inc->id);
    chat_escape(out, inc->title, 300);
    buf_printf(out, "\n*Severity:* %s   *State:* %s", inc->severity,
               incident_status_name(inc->status));
    if (inc->service) {
        buf_puts(out, "   *Service:* ");
        chat_escape(out, inc->service, 100);
    }
    if (inc->summary) {
        buf_puts(out, "\n");
        chat_escape(out, inc->summary, 2000);
    }
    if (bridge && bridge[0])
        buf_printf(out, "\n*Bridge:* %s", bridge);
    if (incident_url && incident_url[0])
        buf_printf(out, "\n*Incident:* %s", incident_url);
}

void chat_announce(const struct incident *inc, const char *where, const char *bridge,
                   struct buf *out)
{
    buf_printf(out, ":rotating_light: %s opened - %s - ", inc->id, inc->severity);
    chat_escape(out, inc->title, 300);
    if (where && where[0])
        buf_printf(out, " - #%s", where);
    if (bridge && bridge[0])
        buf_printf(out, " - bridge: %s", bridge);
}

static const char *str(const json_t *data, const char *key)
{
    const char *s = json_string_value(json_object_get(data, key));
    return s ? s : "?";
}

bool chat_change(const char *kind, const json_t *data, const char *actor,
                 const struct incident *inc, const char *postmortem_url, struct buf *out)
{
    const char *by = actor && actor[0] ? actor : "tocsin";
    if (strncmp(by, "user:", 5) == 0 && by[5]) /* a person (UI, chat): their id */
        by += 5;
    if (strcmp(kind, "incident.acknowledged") == 0) {
        buf_printf(out, ":eyes: %s acknowledged by %s", inc->id, by);
    } else if (strcmp(kind, "incident.resolved") == 0) {
        buf_printf(out, ":white_check_mark: %s resolved by %s", inc->id, by);
    } else if (strcmp(kind, "incident.reopened") == 0) {
        buf_printf(out, ":warning: %s reopened by %s", inc->id, by);
    } else if (strcmp(kind, "incident.status_changed") == 0) {
        buf_printf(out, ":arrows_counterclockwise: %s is now %s (was %s), by %s", inc->id,
                   str(data, "to"), str(data, "from"), by);
    } else if (strcmp(kind, "incident.closed") == 0) {
        buf_printf(out, ":lock: %s closed by %s", inc->id, by);
        if (postmortem_url && postmortem_url[0])
            buf_printf(out, "\n*Post-mortem:* %s", postmortem_url);
    } else if (strcmp(kind, "incident.severity_changed") == 0) {
        buf_printf(out, ":rotating_light: %s severity %s -> %s, by %s", inc->id, str(data, "from"),
                   str(data, "to"), by);
    } else if (strcmp(kind, "incident.role_assigned") == 0) {
        buf_printf(out, ":bust_in_silhouette: %s: %s is now %s, by %s", inc->id, str(data, "user"),
                   str(data, "role"), by);
    } else if (strcmp(kind, "incident.note_added") == 0) {
        buf_printf(out, ":memo: %s note by %s: ", inc->id, by);
        chat_escape(out, str(data, "text"), 2000);
    } else if (strcmp(kind, "escalation.step") == 0) {
        buf_printf(out, ":loudspeaker: %s escalated (step %lld", inc->id,
                   (long long)json_integer_value(json_object_get(data, "step")));
        const json_t *users = json_object_get(data, "users");
        size_t i;
        const json_t *u;
        json_array_foreach(users, i, u)
        {
            buf_printf(out, "%s%s", i == 0 ? "): paged " : ", ", json_string_value(u));
        }
        if (!json_array_size(users))
            buf_puts(out, "): nobody reachable");
    } else {
        return false;
    }
    const char *msg = json_string_value(json_object_get(data, "message"));
    if (msg && msg[0] && strncmp(kind, "incident.", 9) == 0) {
        buf_puts(out, json_is_true(json_object_get(data, "public")) ? "\n:mega: *Public update:* "
                                                                    : "\n> ");
        chat_escape(out, msg, 2000);
    }
    return true;
}

json_t *chat_page_blocks(const char *text, const char *incident_id)
{
    json_t *buttons = json_array();
    static const char *const labels[][3] = {{"Acknowledge", "tocsin_ack", "primary"},
                                            {"Escalate", "tocsin_escalate", NULL},
                                            {"Resolve", "tocsin_resolve", "danger"}};
    for (size_t i = 0; i < 3; i++) {
        json_t *b =
            json_pack("{s:s,s:{s:s,s:s},s:s,s:s}", "type", "button", "text", "type", "plain_text",
                      "text", labels[i][0], "action_id", labels[i][1], "value", incident_id);
        if (labels[i][2])
            json_object_set_new(b, "style", json_string(labels[i][2]));
        json_array_append_new(buttons, b);
    }
    return json_pack("[{s:s,s:{s:s,s:s}},{s:s,s:o}]", "type", "section", "text", "type", "mrkdwn",
                     "text", text, "type", "actions", "elements", buttons);
}

/* Teams shows Slack's and Mattermost's emoji codes as typed: the ones tocsin writes become the
 * characters (anything else is left as it is). */
static const char *const emoji[][2] = {{":rotating_light:", "\U0001F6A8"},
                                       {":eyes:", "\U0001F440"},
                                       {":white_check_mark:", "\u2705"},
                                       {":warning:", "\u26A0\uFE0F"},
                                       {":arrows_counterclockwise:", "\U0001F504"},
                                       {":lock:", "\U0001F512"},
                                       {":bust_in_silhouette:", "\U0001F464"},
                                       {":memo:", "\U0001F4DD"},
                                       {":loudspeaker:", "\U0001F4E2"},
                                       {":mega:", "\U0001F4E3"}};

void chat_emoji_chars(const char *text, struct buf *out)
{
    for (const char *p = text; *p;) {
        size_t i = 0, n = 0;
        while (*p == ':' && i < sizeof emoji / sizeof *emoji &&
               strncmp(p, emoji[i][0], n = strlen(emoji[i][0])) != 0)
            i++;
        if (*p == ':' && i < sizeof emoji / sizeof *emoji) {
            buf_puts(out, emoji[i][1]);
            p += n;
        } else
            buf_append(out, p++, 1);
    }
}

json_t *chat_teams_message(const struct incident *inc, const char *text, const char *ack_url,
                           const char *incident_url, const char *bridge)
{
    struct buf shown;
    buf_init(&shown, strlen(text) + 64);
    chat_emoji_chars(text, &shown);
    text = shown.data ? shown.data : text;
    json_t *facts = json_pack("[{s:s,s:s},{s:s,s:s}]", "title", "Severity", "value", inc->severity,
                              "title", "State", "value", incident_status_name(inc->status));
    if (inc->roles[ROLE_COMMANDER])
        json_array_append_new(facts, json_pack("{s:s,s:s}", "title", "Commander", "value",
                                               inc->roles[ROLE_COMMANDER]));
    json_t *actions = json_array();
    if (ack_url && ack_url[0])
        json_array_append_new(actions, json_pack("{s:s,s:s,s:s}", "type", "Action.OpenUrl", "title",
                                                 "Acknowledge", "url", ack_url));
    json_array_append_new(actions, json_pack("{s:s,s:s,s:s}", "type", "Action.OpenUrl", "title",
                                             "Open incident", "url", incident_url));
    if (bridge && bridge[0])
        json_array_append_new(actions, json_pack("{s:s,s:s,s:s}", "type", "Action.OpenUrl", "title",
                                                 "Join bridge", "url", bridge));
    json_t *card = json_pack("{s:s,s:s,s:s,s:[{s:s,s:s,s:s,s:b,s:s},{s:s,s:o}],s:o}", "$schema",
                             "http://adaptivecards.io/schemas/adaptive-card.json", "type",
                             "AdaptiveCard", "version", "1.4", "body", "type", "TextBlock", "text",
                             text, "weight", "Bolder", "wrap", 1, "size", "Medium", "type",
                             "FactSet", "facts", facts, "actions", actions);
    json_t *msg = json_pack("{s:s,s:[{s:s,s:o}]}", "type", "message", "attachments", "contentType",
                            "application/vnd.microsoft.card.adaptive", "content", card);
    buf_free(&shown);
    return msg;
}

const char *chat_mode_of(const struct config *cfg, const char *severity)
{
    const struct config_chatops *c = &cfg->chatops;
    for (size_t i = 0; severity && i < c->mode_count; i++)
        if (strcmp(c->modes[i].from, severity) == 0)
            return c->modes[i].to;
    return c->default_mode ? c->default_mode : "channel";
}
