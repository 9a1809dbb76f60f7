/*
 * channels/status_webhook: the status page's webhook subscribers (jobs/status_webhooks.h). The
 * row's body is the Statuspage-shaped JSON queued with the news; this POSTs it to the row's
 * address, signed like every tocsin webhook (Standard Webhooks, channels/webhook.c): webhook-id
 * "msg_" + the row id, webhook-timestamp, webhook-signature with the subscriber's secret (handed
 * in by the notifier as r->secret). One row, one POST: never bundled.
 */
#include "channels/channel.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

static enum result status_webhook_build(const struct notify_render *r, struct notify_request *out,
                                        struct error *err)
{
    const struct notify_row *row = &r->items[0].row;
    if (!r->secret)
        return error_set(err, ERR_UNPROCESSABLE, "status webhook: %s is not a webhook subscriber",
                         row->user_id);
    out->body = xstrdup(row->body ? row->body : "{}");
    out->body_len = strlen(out->body);
    out->url = xstrdup(row->address);
    out->protocols = "http,https";
    out->public_only = !(r->cfg && r->cfg->status_page.webhook_allow_private);
    bool bad_secret = false;
    enum result result =
        notify_signed_json_headers(out, r->secret, row->id, r->now, &bad_secret, err);
    if (bad_secret)
        return error_set(err, ERR_INTERNAL, "status webhook: the signing secret is malformed");
    return result;
}

/* As notify_classify_http, but the reason never quotes the answer: the subscriber's address is
 * an admin's input and its reply is shown back (GET /api/v1/subscribers/{id}), so an internal
 * service's answer must not leak through it. A refused destination fails for good. */
static enum notify_verdict status_webhook_classify(const struct notify_response *resp, char *why,
                                                   size_t n)
{
    if (resp->refused[0]) {
        snprintf(why, n, "%s", resp->refused);
        return NOTIFY_FAILED;
    }
    enum notify_verdict v = notify_classify_http(resp, why, n);
    if (resp->curl == CURLE_OK && v != NOTIFY_SENT)
        snprintf(why, n, "HTTP %ld", resp->code);
    return v;
}

const struct notify_channel notify_chan_status_webhook = {.name = "status_webhook",
                                                          .build = status_webhook_build,
                                                          .classify = status_webhook_classify,
                                                          .single = true};
