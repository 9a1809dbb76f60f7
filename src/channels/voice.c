/*
 * channels/voice: a phone call through a Twilio-style voice gateway (notify.voice): POST to its
 * url, form-urlencoded, To = the user's phone, From = notify.voice.from, Twiml = the call's
 * script. The script reads the page aloud ("tocsin page. [SEV1] INC-...: title.", each bundled
 * incident in turn, "This is a drill" first for a drill) inside a <Gather numDigits="1"> whose
 * action is the lead row's signed ack link with ?voice=1: pressing 1 acknowledges (POST
 * /ack/{token}?voice=1 with Digits=1, api/ack.c), any other key does not. Auth is HTTP basic
 * (Twilio: account SID and token) or a whole Authorization header. The gateway's answer is
 * classified like an SMS gateway's (2xx sent; 408, 429, 5xx retry; other 4xx fail for good).
 * Threads: the notifier thread.
 */
#include "channels/channel.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { VOICE_ITEMS_READ = 3 }; /* incidents read aloud in a bundle; the rest are counted */

/* The TwiML document: the spoken text inside one Gather, then a goodbye. */
static void voice_twiml(const struct notify_render *r, struct buf *out)
{
    const struct notify_item *lead = &r->items[0];
    buf_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response>");
    bool ack = lead->ack_url[0] != '\0';
    if (ack) {
        buf_puts(out, "<Gather numDigits=\"1\" method=\"POST\" action=\"");
        notify_html_escape(out, lead->ack_url);
        buf_puts(out, "?voice=1\">");
    }
    buf_puts(out, "<Say>tocsin page. ");
    if (lead->inc && lead->inc->drill)
        buf_puts(out, "This is a drill. ");
    if (r->nitems > 1)
        buf_printf(out, "%zu notifications. ", r->nitems);
    for (size_t i = 0; i < r->nitems && i < VOICE_ITEMS_READ; i++) {
        notify_html_escape(out, r->items[i].row.subject);
        buf_puts(out, ". ");
    }
    if (r->nitems > VOICE_ITEMS_READ)
        buf_printf(out, "And %zu more. ", r->nitems - VOICE_ITEMS_READ);
    if (ack) {
        buf_puts(out, "Press 1 to acknowledge ");
        notify_html_escape(out, lead->inc ? lead->inc->id : "it");
        buf_puts(out, ".</Say></Gather><Say>Not acknowledged. Goodbye.</Say>");
    } else {
        buf_puts(out, "</Say>");
    }
    buf_puts(out, "</Response>");
}

static enum result voice_build(const struct notify_render *r, struct notify_request *out,
                               struct error *err)
{
    const struct config *cfg = r->cfg;
    if (!cfg->notify.voice.url)
        return error_set(err, ERR_UNPROCESSABLE,
                         "voice: no voice gateway is configured (notify.voice.url)");
    struct buf twiml, body;
    buf_init(&twiml, 64 * 1024);
    buf_init(&body, NOTIFY_BODY_CAP);
    voice_twiml(r, &twiml);
    buf_puts(&body, "To=");
    notify_form_escape(&body, r->items[0].row.address);
    buf_puts(&body, "&From=");
    notify_form_escape(&body, cfg->notify.voice.from ? cfg->notify.voice.from : "");
    buf_puts(&body, "&Twiml=");
    notify_form_escape(&body, twiml.data ? twiml.data : "");
    buf_free(&twiml);
    out->body_len = body.len;
    out->body = buf_steal(&body);
    out->url = xstrdup(cfg->notify.voice.url);
    out->protocols = "http,https";
    enum result result =
        notify_list_add(&out->headers, "Content-Type: application/x-www-form-urlencoded", err);
    if (result == OK)
        result = notify_idempotency_key(out, r->items[0].row.id, err);
    if (result != OK)
        return result;
    if (cfg->notify.voice.auth_header) {
        char hdr[1200];
        snprintf(hdr, sizeof hdr, "Authorization: %s", cfg->notify.voice.auth_header);
        result = notify_list_add(&out->headers, hdr, err);
    } else if (cfg->notify.voice.username) {
        out->username = xstrdup(cfg->notify.voice.username);
        out->password = xstrdup(cfg->notify.voice.password ? cfg->notify.voice.password : "");
    }
    return result;
}

const struct notify_channel notify_chan_voice = {
    .name = "voice", .build = voice_build, .classify = notify_classify_http};
