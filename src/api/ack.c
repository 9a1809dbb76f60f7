/*
 * api/ack: acknowledge from the page itself. Public routes (no bearer): the signed token in the
 * path is the credential (notify/acklink.h).
 *   GET  /ack/{token}  a small self-contained HTML page (no JavaScript, no external assets) with
 *                      the incident's id, title, severity and status, and a form whose POST
 *                      acknowledges. GET never changes anything: mail scanners and link previews
 *                      follow links.
 *   POST /ack/{token}  acknowledges as the token's user (actor "user:ID (ack link)"), in one store
 *                      job with its timeline entry. Already acknowledged or later: a page saying
 *                      so (200). Expired: 410. Bad signature: 403. Unknown incident: 404.
 *   POST /ack/{token}?voice=1  the voice gateway's callback (channels/voice.c): form field Digits;
 *                      only "1" acknowledges; the answer is TwiML the call speaks.
 * Everything put in the HTML is escaped. Responses are not cached and send no Referer (the token
 * is in the URL).
 */
#include "api/api.h"
#include "api/ui.h"
#include "jobs/incident_ops.h"
#include "domain/ack_link.h"
#include "domain/notify_render.h"
#include "jobs/notify_enqueue.h"
#include "runtime/notifier.h"
#include "util/buf.h"
#include "util/log.h"
#include "store/incidents.h"

#include <stdio.h>
#include <string.h>

enum { PAGE_CAP = 64 * 1024 };

static void page_start(struct buf *b, const char *title)
{
    buf_init(b, PAGE_CAP);
    buf_puts(b, "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
                "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">"
                "<meta name=\"robots\" content=\"noindex\"><title>");
    notify_html_escape(b, title);
    buf_puts(b, " - tocsin</title><style>body{font-family:system-ui,sans-serif;max-width:36em;"
                "margin:2em auto;padding:0 1em;line-height:1.5;color:#222}"
                "th{text-align:left;padding-right:1em;vertical-align:top}"
                "button{font-size:1.2em;padding:.6em 1.4em;cursor:pointer}"
                ".note{color:#555}</style></head><body>\n<h1>");
    notify_html_escape(b, title);
    buf_puts(b, "</h1>\n");
}

static void page_row(struct buf *b, const char *label, const char *value)
{
    buf_printf(b, "<tr><th>%s</th><td>", label);
    notify_html_escape(b, value ? value : "-");
    buf_puts(b, "</td></tr>\n");
}

static void page_incident(struct buf *b, const struct incident *inc)
{
    buf_puts(b, "<table>\n");
    page_row(b, "Incident", inc->id);
    page_row(b, "Title", inc->title);
    page_row(b, "Severity", inc->severity);
    page_row(b, "Status", incident_status_name(inc->status));
    page_row(b, "Service", inc->service);
    buf_puts(b, "</table>\n");
}

static void page_text(struct buf *b, const char *text)
{
    buf_puts(b, "<p>");
    notify_html_escape(b, text);
    buf_puts(b, "</p>\n");
}

static void page_send(struct request *r, int status, struct buf *b)
{
    buf_puts(b, "</body></html>\n");
    reply_header(r, "Cache-Control", "no-store");
    reply_header(r, "Referrer-Policy", "no-referrer");
    reply_header(r, "X-Frame-Options", "DENY");
    reply_header(r, "Content-Security-Policy",
                 "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'");
    size_t len = b->len;
    reply_raw(r, status, "text/html; charset=utf-8", buf_steal(b), len);
}

/* An error page: status, a heading and one sentence. */
static void page_error(struct request *r, int status, const char *title, const char *text)
{
    struct buf b;
    page_start(&b, title);
    page_text(&b, text);
    page_send(r, status, &b);
}

/* Checks the token; answers the 403/410/503 page itself when it is not good. */
static bool token_or_reply(struct request *r, struct acklink *link)
{
    if (!r->app->notifier) {
        page_error(r, 503, "Unavailable", "Notifications are not running on this server.");
        return false;
    }
    char text[200];
    switch (acklink_verify(notifier_ack_key(r->app->notifier), r->params[0],
                           clock_now(r->app->clock), link)) {
    case ACKLINK_OK:
        return true;
    case ACKLINK_EXPIRED:
        snprintf(text, sizeof text,
                 "This acknowledge link for %s has expired. Acknowledge it in tocsin instead "
                 "(tocsin ack %s).",
                 link->incident, link->incident);
        page_error(r, 410, "Link expired", text);
        return false;
    case ACKLINK_BAD:
        break;
    }
    page_error(r, 403, "Link not valid",
               "This acknowledge link is not valid (it was changed, or it was made by another "
               "tocsin server).");
    return false;
}

static void api_ack_page(struct request *r)
{
    struct acklink link;
    if (!token_or_reply(r, &link))
        return;
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct incident inc;
    enum result result = c ? store_incident_get(c, link.incident, &inc) : ERR_UNAVAILABLE;
    if (result == ERR_NOT_FOUND) {
        page_error(r, 404, "Unknown incident", "This link names an incident tocsin does not have.");
        return;
    }
    if (result != OK) {
        page_error(r, 503, "Unavailable", "tocsin cannot read its store right now; try again.");
        return;
    }
    struct buf b;
    char title[INCIDENT_ID_MAX + 32];
    bool triggered = inc.status == INC_TRIGGERED;
    if (triggered)
        snprintf(title, sizeof title, "Acknowledge %s?", inc.id);
    else
        snprintf(title, sizeof title, "%s is %s", inc.id, incident_status_name(inc.status));
    page_start(&b, title);
    page_incident(&b, &inc);
    if (triggered) {
        buf_puts(&b, "<form method=\"post\" action=\"/ack/");
        notify_html_escape(&b, r->params[0]);
        buf_puts(&b, "\"><p><button type=\"submit\">Acknowledge as ");
        notify_html_escape(&b, link.user);
        buf_puts(&b, "</button></p></form>\n<p class=\"note\">Nothing happens until you press "
                     "the button.</p>\n");
    } else {
        char text[120];
        snprintf(text, sizeof text, "Nothing to do: this incident is already %s.",
                 incident_status_name(inc.status));
        page_text(&b, text);
    }
    page_send(r, 200, &b);
    incident_free_fields(&inc);
}

struct ack_job {
    const struct acklink *link;
    struct tclock *clock;
    struct incident inc;
    bool found, acked;
};

static enum result ack_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct ack_job *j = arg;
    char actor[ACKLINK_USER_MAX + 32];
    snprintf(actor, sizeof actor, "user:%s (ack link)", j->link->user);
    enum result result = incident_ops_ack_triggered(tx, j->link->incident, clock_now(j->clock),
                                                    actor, &j->inc, &j->acked, err);
    j->found = result == OK;
    return result == ERR_NOT_FOUND ? OK : result;
}

/* A TwiML answer to the voice gateway: the call says `text` and hangs up. */
static void twiml_send(struct request *r, const char *text)
{
    struct buf b;
    buf_init(&b, 4096);
    buf_puts(&b, "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Response><Say>");
    notify_html_escape(&b, text);
    buf_puts(&b, "</Say><Hangup/></Response>");
    size_t len = b.len;
    reply_header(r, "Cache-Control", "no-store");
    reply_raw(r, 200, "application/xml", buf_steal(&b), len);
}

/* The voice callback: whether the key pressed (form field Digits) is 1; answered when not. */
static bool voice_pressed_one(struct request *r)
{
    struct ui_form f;
    struct error err = {0};
    bool one = false;
    if (ui_form_parse(r->body ? r->body : "", r->body_len, &f, &err) == OK) {
        const char *d = ui_form_get(&f, "Digits");
        one = d && strcmp(d, "1") == 0;
    }
    ui_form_free(&f);
    if (!one)
        twiml_send(r, "Not acknowledged. Press 1 to acknowledge. Goodbye.");
    return one;
}

static void api_ack_confirm(struct request *r)
{
    struct acklink link;
    if (!token_or_reply(r, &link))
        return;
    bool voice = request_query(r, "voice") != NULL;
    if (voice && !voice_pressed_one(r))
        return;
    struct error err = {0};
    struct ack_job j = {.link = &link, .clock = r->app->clock};
    enum result result = store_write(r->app->store, ack_job, &j, &err);
    if (result == OK && j.found && voice) {
        char text[INCIDENT_ID_MAX + 80];
        snprintf(text, sizeof text, "%s %s. Thank you.",
                 j.acked ? "Acknowledged" : "Nothing changed, already handled:", j.inc.id);
        twiml_send(r, text);
    } else if (result != OK) {
        log_error("ack: %s by %s failed: %s", link.incident, link.user, err.message);
        page_error(r, 503, "Not acknowledged", "tocsin could not record it; please try again.");
    } else if (!j.found) {
        page_error(r, 404, "Unknown incident", "This link names an incident tocsin does not have.");
    } else {
        struct buf b;
        char title[INCIDENT_ID_MAX + 32], text[200];
        snprintf(title, sizeof title, "%s %s",
                 j.acked ? "Acknowledged" : "Already handled:", j.inc.id);
        if (j.acked)
            snprintf(text, sizeof text, "Thank you, %s: %s is acknowledged.", link.user, j.inc.id);
        else
            snprintf(text, sizeof text, "Nothing changed: this incident was already %s.",
                     incident_status_name(j.inc.status));
        page_start(&b, title);
        page_incident(&b, &j.inc);
        page_text(&b, text);
        page_send(r, 200, &b);
    }
    if (j.found)
        incident_free_fields(&j.inc);
}

static const struct route routes[] = {
    {"GET", "/ack/{token}", api_ack_page, ACCESS_PUBLIC, "ack_page"},
    {"POST", "/ack/{token}", api_ack_confirm, ACCESS_PUBLIC, "ack_confirm"},
};
HTTP_ROUTES(ack, routes);
