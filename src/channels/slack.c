/*
 * notify/chan_slack: Slack-compatible incoming webhooks (Slack, Mattermost, Rocket.Chat accept the
 * same JSON): {"text": fallback, "blocks": [header, section with severity/service/status fields,
 * actions with the Acknowledge and Open incident buttons]}, one section + actions per row of a
 * bundle (at most NOTIFY_BUNDLE_LISTED; Slack allows 50 blocks). Text is escaped for mrkdwn (&, <,
 * >), the header cut to Slack's 150 characters. The webhook URL is the user's `slack`.
 */
#include "channels/channel.h"
#include "domain/chat_message.h"
#include "util/log.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>

enum { HEADER_MAX = 140, SECTION_MAX = 2900 };

/* mrkdwn: &, < and > are control characters in Slack text (domain/chat_message.c escapes them
 * and cuts only between characters). */
static void mrkdwn_escape(struct buf *out, const char *s, size_t max)
{
    chat_escape(out, s, max);
}

static json_t *plain(const char *s)
{
    return json_pack("{s:s,s:s,s:b}", "type", "plain_text", "text", s, "emoji", 1);
}

static json_t *mrkdwn(const char *s)
{
    return json_pack("{s:s,s:s}", "type", "mrkdwn", "text", s);
}

static json_t *field(const char *label, const char *value)
{
    struct buf b;
    buf_init(&b, 1024);
    buf_printf(&b, "*%s*\n", label);
    mrkdwn_escape(&b, value ? value : "-", 200);
    json_t *f = mrkdwn(b.data);
    buf_free(&b);
    return f;
}

static json_t *button(const char *label, const char *url, const char *action, bool primary)
{
    json_t *b = json_pack("{s:s,s:o,s:s,s:s}", "type", "button", "text", plain(label), "url", url,
                          "action_id", action);
    if (primary)
        json_object_set_new(b, "style", json_string("primary"));
    return b;
}

/* The section (text + fields) and the actions of one row. */
static void add_item(json_t *blocks, const struct notify_item *it, size_t index)
{
    struct buf text;
    buf_init(&text, 8192);
    mrkdwn_escape(&text, it->row.body, SECTION_MAX);
    json_t *section =
        json_pack("{s:s,s:o}", "type", "section", "text", mrkdwn(text.data ? text.data : " "));
    if (it->inc) {
        json_t *fields = json_array();
        json_array_append_new(fields, field("Severity", it->inc->severity));
        json_array_append_new(fields, field("Service", it->inc->service));
        json_array_append_new(fields, field("Status", incident_status_name(it->inc->status)));
        json_object_set_new(section, "fields", fields);
    }
    json_array_append_new(blocks, section);
    json_t *elements = json_array();
    char id[48];
    if (it->ack_url[0]) {
        snprintf(id, sizeof id, "ack_%zu", index);
        json_array_append_new(elements, button("Acknowledge", it->ack_url, id, true));
    }
    if (it->incident_url[0]) {
        snprintf(id, sizeof id, "open_%zu", index);
        json_array_append_new(elements, button("Open incident", it->incident_url, id, false));
    }
    if (it->bridge_url[0]) {
        snprintf(id, sizeof id, "bridge_%zu", index);
        json_array_append_new(elements, button("Join bridge", it->bridge_url, id, false));
    }
    if (json_array_size(elements))
        json_array_append_new(blocks,
                              json_pack("{s:s,s:o}", "type", "actions", "elements", elements));
    else
        json_decref(elements);
    buf_free(&text);
}

static enum result slack_build(const struct notify_render *r, struct notify_request *out,
                               struct error *err)
{
    struct buf subject, header, fallback;
    buf_init(&subject, 4096);
    buf_init(&header, 1024);
    buf_init(&fallback, 8192);
    notify_render_subject(r, &subject);
    const char *subj = subject.data ? subject.data : "tocsin";
    mrkdwn_escape(&header, subj, HEADER_MAX);
    mrkdwn_escape(&fallback, subj, 1000);
    if (r->items[0].ack_url[0] && r->nitems == 1)
        buf_printf(&fallback, " - acknowledge: %s", r->items[0].ack_url);
    json_t *blocks = json_array();
    json_array_append_new(blocks, json_pack("{s:s,s:o}", "type", "header", "text",
                                            plain(header.data ? header.data : "tocsin")));
    for (size_t i = 0; i < r->nitems && i < NOTIFY_BUNDLE_LISTED; i++) {
        if (i > 0)
            json_array_append_new(blocks, json_pack("{s:s}", "type", "divider"));
        add_item(blocks, &r->items[i], i);
    }
    if (r->nitems > NOTIFY_BUNDLE_LISTED) {
        char more[80];
        snprintf(more, sizeof more, "... and %zu more", r->nitems - NOTIFY_BUNDLE_LISTED);
        json_array_append_new(blocks,
                              json_pack("{s:s,s:o}", "type", "section", "text", mrkdwn(more)));
    }
    json_t *body =
        json_pack("{s:s,s:o}", "text", fallback.data ? fallback.data : "tocsin", "blocks", blocks);
    buf_free(&subject);
    buf_free(&header);
    buf_free(&fallback);
    out->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!out->body)
        return error_set(err, ERR_INTERNAL, "slack: cannot encode the message");
    out->body_len = strlen(out->body);
    out->url = xstrdup(r->items[0].row.address);
    out->protocols = "http,https";
    enum result result = notify_list_add(&out->headers, "Content-Type: application/json", err);
    return result == OK ? notify_idempotency_key(out, r->items[0].row.id, err) : result;
}

const struct notify_channel notify_chan_slack = {
    .name = "slack", .build = slack_build, .classify = notify_classify_http};
