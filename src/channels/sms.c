/*
 * notify/chan_sms: SMS through a configurable HTTP gateway (notify.sms): POST to its url with the
 * body template filled in ({{to}} = the user's phone, {{from}} = notify.sms.from, {{message}} =
 * the short text), each value escaped for the content type (form-urlencoded or JSON). Auth is
 * HTTP basic (username/password, e.g. Twilio's account SID and token) or a whole Authorization
 * header (auth_header). The text is short: "[SEV1] INC-... title - ack: LINK or reply ACK <id>";
 * the reply code is the row id, which POST /api/v1/sms/inbound understands.
 */
#include "channels/channel.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum result sms_build(const struct notify_render *r, struct notify_request *out,
                             struct error *err)
{
    const struct config *cfg = r->cfg;
    const char *ctype = cfg->notify.sms.content_type ? cfg->notify.sms.content_type
                                                     : "application/x-www-form-urlencoded";
    const char *tmpl =
        cfg->notify.sms.body ? cfg->notify.sms.body : "To={{to}}&From={{from}}&Body={{message}}";
    if (!cfg->notify.sms.url)
        return error_set(err, ERR_UNPROCESSABLE,
                         "sms: no SMS gateway is configured (notify.sms.url)");
    struct buf text, body;
    buf_init(&text, 64 * 1024);
    buf_init(&body, NOTIFY_BODY_CAP);
    notify_render_sms(r, &text);
    notify_template(&body, tmpl, ctype, r->items[0].row.address, cfg->notify.sms.from,
                    text.data ? text.data : "");
    buf_free(&text);
    out->body_len = body.len;
    out->body = buf_steal(&body);
    out->url = xstrdup(cfg->notify.sms.url);
    out->protocols = "http,https";
    char hdr[1200];
    snprintf(hdr, sizeof hdr, "Content-Type: %s", ctype);
    enum result result = notify_list_add(&out->headers, hdr, err);
    if (result == OK)
        result = notify_idempotency_key(out, r->items[0].row.id, err);
    if (result != OK)
        return result;
    if (cfg->notify.sms.auth_header) {
        snprintf(hdr, sizeof hdr, "Authorization: %s", cfg->notify.sms.auth_header);
        result = notify_list_add(&out->headers, hdr, err);
    } else if (cfg->notify.sms.username) {
        out->username = xstrdup(cfg->notify.sms.username);
        out->password = xstrdup(cfg->notify.sms.password ? cfg->notify.sms.password : "");
    }
    return result;
}

const struct notify_channel notify_chan_sms = {
    .name = "sms", .build = sms_build, .classify = notify_classify_http};
