/*
 * notify/chan_webhook: generic webhooks signed per the Standard Webhooks scheme
 * (https://www.standardwebhooks.com): headers webhook-id ("msg_" + the row id: stable across
 * retries, so a receiver can drop a repeat), webhook-timestamp (unix seconds of the attempt, on
 * the app clock) and webhook-signature ("v1," + base64(HMAC-SHA256(key, id "." timestamp "."
 * body)), key = the base64 after "whsec_" in the user's webhook_secret). Body:
 *   {"type":"incident.page","timestamp":"...","data":{"notification_id":..,"user":..,
 *    "subject":..,"message":..,"incident":{..}|null,"ack_url":..|null,"bundle":[..]?}}
 */
#include "channels/channel.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *str_or_null(const char *s)
{
    return s && s[0] ? json_string(s) : json_null();
}

static json_t *payload(const struct notify_render *r)
{
    const struct notify_item *lead = &r->items[0];
    struct buf subject, text;
    buf_init(&subject, 4096);
    buf_init(&text, NOTIFY_BODY_CAP);
    notify_render_subject(r, &subject);
    notify_render_text(r, &text);
    char ts[RFC3339_LEN];
    time_format_rfc3339(r->now, ts);
    json_t *data =
        json_pack("{s:I,s:s,s:s,s:s,s:s,s:o,s:o}", "notification_id", (json_int_t)lead->row.id,
                  "key", lead->row.dkey, "user", lead->row.user_id, "subject",
                  subject.data ? subject.data : "", "message", text.data ? text.data : "",
                  "incident", notify_incident_json(lead), "ack_url", str_or_null(lead->ack_url));
    if (r->nitems > 1) {
        json_t *bundle = json_array();
        for (size_t i = 0; i < r->nitems; i++) {
            const struct notify_item *it = &r->items[i];
            json_array_append_new(bundle,
                                  json_pack("{s:I,s:s,s:s,s:o,s:o}", "notification_id",
                                            (json_int_t)it->row.id, "key", it->row.dkey, "subject",
                                            it->row.subject, "incident", notify_incident_json(it),
                                            "ack_url", str_or_null(it->ack_url)));
        }
        json_object_set_new(data, "bundle", bundle);
    }
    buf_free(&subject);
    buf_free(&text);
    return json_pack("{s:s,s:s,s:o}", "type", notify_event_type(lead->row.kind), "timestamp", ts,
                     "data", data);
}

static enum result webhook_build(const struct notify_render *r, struct notify_request *out,
                                 struct error *err)
{
    const struct notify_row *lead = &r->items[0].row;
    const char *secret = r->user ? r->user->webhook_secret : NULL;
    if (!secret)
        return error_set(err, ERR_UNPROCESSABLE,
                         "webhook: user %s has no webhook_secret in the config any more",
                         lead->user_id);
    json_t *body = payload(r);
    out->body = json_dumps(body, JSON_COMPACT);
    json_decref(body);
    if (!out->body)
        return error_set(err, ERR_INTERNAL, "webhook: cannot encode the payload");
    out->body_len = strlen(out->body);
    out->url = xstrdup(lead->address);
    out->protocols = "http,https";
    bool bad_secret = false;
    enum result result =
        notify_signed_json_headers(out, secret, lead->id, r->now, &bad_secret, err);
    if (bad_secret)
        return error_set(err, ERR_UNPROCESSABLE, "webhook: user %s's webhook_secret is malformed",
                         lead->user_id);
    return result;
}

const struct notify_channel notify_chan_webhook = {
    .name = "webhook", .build = webhook_build, .classify = notify_classify_http};
