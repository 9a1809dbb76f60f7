/*
 * notify/chan_email: e-mail over SMTP through libcurl (notify.email): MAIL FROM notify.email.from,
 * RCPT TO the user's address, and a MIME message (RFC 5322 / 2045-2047): headers From, To,
 * Subject (RFC 2047 encoded-words when not ASCII), Date, Message-ID (stable per row, so a repeat
 * after a crash threads as the same mail), MIME-Version, then multipart/alternative with a
 * text/plain and a text/html part, each UTF-8 in base64 (76-character lines: no line-length or
 * dot-stuffing surprises on the way). smtps:// is TLS from the start; smtp:// with starttls
 * requires STARTTLS (CURLOPT_USE_SSL = all); username/password do SMTP AUTH.
 * Verdict: the final reply 250 (curl OK) is sent; SMTP 4xx and transport failures retry; 5xx, a
 * refused login or a refused STARTTLS fail for good.
 */
#include "channels/channel.h"
#include "util/log.h"
#include "util/utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { B64_LINE = 76, WORD_BYTES = 45 };

static bool is_ascii(const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        if (*p >= 0x80)
            return false;
    return true;
}

/* Subject: as is when ASCII, else RFC 2047 B-encoded words of at most WORD_BYTES bytes each, cut
 * between characters, folded onto continuation lines. */
static void put_subject(struct buf *out, const char *s)
{
    buf_puts(out, "Subject: ");
    if (is_ascii(s)) { /* a control character (CR, LF) would end the header: a space instead */
        for (const char *p = s; *p; p++) {
            char c = (unsigned char)*p < 0x20 || *p == 0x7f ? ' ' : *p;
            buf_append(out, &c, 1);
        }
        buf_puts(out, "\r\n");
        return;
    }
    size_t len = strlen(s), i = 0;
    while (i < len) {
        size_t n = utf8_cut(s + i, len - i, WORD_BYTES);
        if (n == 0)
            n = 1; /* not UTF-8 at all: one byte at a time */
        char b64[sodium_base64_ENCODED_LEN(WORD_BYTES, sodium_base64_VARIANT_ORIGINAL)];
        sodium_bin2base64(b64, sizeof b64, (const unsigned char *)s + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_printf(out, "%s=?UTF-8?B?%s?=", i ? "\r\n " : "", b64);
        i += n;
    }
    buf_puts(out, "\r\n");
}

/* The iCalendar text of a post-mortem review invite: only a row its producer made (the dedup key
 * "pm-review:...", never a caller's), and only the calendar that ends the body: the last line
 * "BEGIN:VCALENDAR" (libical escapes line breaks in the values it writes and folds long lines
 * with a leading space, so an incident title inside cannot start such a line). NULL otherwise:
 * text that merely mentions a calendar is never sent as an invite. */
static const char *invite_calendar(const struct notify_row *lead)
{
    static const char mark[] = "\nBEGIN:VCALENDAR\r\n";
    if (!lead->body || !lead->dkey || strncmp(lead->dkey, "pm-review:", 10) != 0)
        return NULL;
    const char *last = NULL;
    for (const char *p = strstr(lead->body, mark); p; p = strstr(p + 1, mark))
        last = p;
    return last ? last + 1 : NULL;
}

/* The iTIP method of such a calendar (its own METHOD line, written by domain/review_invite.c):
 * CANCEL for a cancellation, else REQUEST. */
static const char *calendar_method(const char *cal)
{
    const char *end = strstr(cal, "\r\nBEGIN:VEVENT\r\n"); /* METHOD is a VCALENDAR property */
    const char *m = strstr(cal, "\r\nMETHOD:CANCEL\r\n");
    return m && (!end || m < end) ? "CANCEL" : "REQUEST";
}

/* s as base64 in lines of B64_LINE characters. */
static void put_base64(struct buf *out, const char *s, size_t len)
{
    size_t chunk = B64_LINE / 4 * 3; /* 57 bytes -> 76 characters */
    char line[B64_LINE + 4];
    for (size_t i = 0; i < len; i += chunk) {
        size_t n = len - i < chunk ? len - i : chunk;
        sodium_bin2base64(line, sizeof line, (const unsigned char *)s + i, n,
                          sodium_base64_VARIANT_ORIGINAL);
        buf_puts(out, line);
        buf_puts(out, "\r\n");
    }
}

static void put_html(const struct notify_render *r, struct buf *out)
{
    buf_puts(out, "<!doctype html><html><head><meta charset=\"utf-8\"></head>"
                  "<body style=\"font-family:sans-serif;line-height:1.4\">");
    if (r->nitems > 1)
        buf_printf(out, "<p><b>%zu notifications</b></p>", r->nitems);
    for (size_t i = 0; i < r->nitems && i < NOTIFY_BUNDLE_LISTED; i++) {
        const struct notify_item *it = &r->items[i];
        buf_puts(out, "<h2 style=\"font-size:1.1em\">");
        notify_html_escape(out, it->row.subject);
        buf_puts(out, "</h2><pre style=\"white-space:pre-wrap;font-family:inherit\">");
        notify_html_escape(out, it->row.body);
        buf_puts(out, "</pre><p>");
        if (it->ack_url[0]) {
            buf_puts(out, "<a href=\"");
            notify_html_escape(out, it->ack_url);
            buf_puts(out, "\">Acknowledge</a>");
        }
        if (it->incident_url[0]) {
            buf_puts(out, it->ack_url[0] ? " &middot; <a href=\"" : "<a href=\"");
            notify_html_escape(out, it->incident_url);
            buf_puts(out, "\">Open incident</a>");
        }
        if (it->bridge_url[0]) {
            buf_puts(out, " &middot; <a href=\"");
            notify_html_escape(out, it->bridge_url);
            buf_puts(out, "\">Join the bridge</a>");
        }
        buf_puts(out, "</p>");
    }
    if (r->nitems > NOTIFY_BUNDLE_LISTED)
        buf_printf(out, "<p>... and %zu more (see the text part)</p>",
                   r->nitems - NOTIFY_BUNDLE_LISTED);
    buf_puts(out, "</body></html>\r\n");
}

static void put_date(struct buf *out, int64_t now)
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(now / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n", days[tm.tm_wday], tm.tm_mday,
               months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void put_message(const struct notify_render *r, const char *from, struct buf *out)
{
    const struct notify_row *lead = &r->items[0].row;
    const char *domain = strrchr(from, '@');
    char boundary[64];
    snprintf(boundary, sizeof boundary, "==tocsin-%lld-%lld", (long long)lead->id,
             (long long)r->now);
    struct buf subject, text, html;
    buf_init(&subject, 4096);
    buf_init(&text, NOTIFY_BODY_CAP);
    buf_init(&html, NOTIFY_BODY_CAP);
    notify_render_subject(r, &subject);
    notify_render_text(r, &text);
    put_html(r, &html);
    buf_printf(out, "From: %s\r\nTo: %s\r\n", from, lead->address);
    put_subject(out, subject.data ? subject.data : "tocsin");
    put_date(out, r->now);
    buf_printf(out, "Message-ID: <tocsin-notification-%lld%s>\r\n", (long long)lead->id,
               domain ? domain : "@tocsin.invalid");
    buf_printf(out,
               "MIME-Version: 1.0\r\nAuto-Submitted: auto-generated\r\n"
               "X-Tocsin-Notification: %lld\r\n"
               "Content-Type: multipart/alternative; boundary=\"%s\"\r\n\r\n",
               (long long)lead->id, boundary);
    buf_printf(out,
               "--%s\r\nContent-Type: text/plain; charset=utf-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n",
               boundary);
    put_base64(out, text.data ? text.data : "", text.len);
    buf_printf(out,
               "--%s\r\nContent-Type: text/html; charset=utf-8\r\n"
               "Content-Transfer-Encoding: base64\r\n\r\n",
               boundary);
    put_base64(out, html.data ? html.data : "", html.len);
    /* An invite (jobs/postmortem_review.c): the iCalendar text that ends the lead row's body
     * also goes as a text/calendar part (RFC 6047, iMIP), which mail clients show as an invite. */
    const char *cal = invite_calendar(lead);
    if (cal && r->nitems == 1) {
        buf_printf(out,
                   "--%s\r\nContent-Type: text/calendar; charset=utf-8; method=%s\r\n"
                   "Content-Transfer-Encoding: base64\r\n\r\n",
                   boundary, calendar_method(cal));
        put_base64(out, cal, strlen(cal));
    }
    buf_printf(out, "--%s--\r\n", boundary);
    buf_free(&subject);
    buf_free(&text);
    buf_free(&html);
}

static enum result email_build(const struct notify_render *r, struct notify_request *out,
                               struct error *err)
{
    const struct config *cfg = r->cfg;
    if (!cfg->notify.email.url || !cfg->notify.email.from)
        return error_set(err, ERR_UNPROCESSABLE,
                         "email: no SMTP server is configured (notify.email.url)");
    struct buf msg;
    buf_init(&msg, 4 * NOTIFY_BODY_CAP);
    put_message(r, cfg->notify.email.from, &msg);
    char addr[600];
    out->smtp = true;
    out->url = xstrdup(cfg->notify.email.url);
    out->protocols = "smtp,smtps";
    out->require_tls = cfg->notify.email.starttls;
    snprintf(addr, sizeof addr, "<%s>", cfg->notify.email.from);
    out->mail_from = xstrdup(addr);
    snprintf(addr, sizeof addr, "<%s>", r->items[0].row.address);
    if (cfg->notify.email.username) {
        out->username = xstrdup(cfg->notify.email.username);
        out->password = xstrdup(cfg->notify.email.password ? cfg->notify.email.password : "");
    }
    out->body_len = msg.len;
    out->body = buf_steal(&msg);
    return notify_list_add(&out->rcpt, addr, err);
}

static enum notify_verdict email_classify(const struct notify_response *resp, char *why, size_t n)
{
    long c = resp->code;
    if (resp->curl == CURLE_OK) {
        why[0] = '\0';
        return NOTIFY_SENT;
    }
    const char *what = resp->errbuf[0] ? resp->errbuf : curl_easy_strerror(resp->curl);
    if (c)
        snprintf(why, n, "SMTP %ld: %s", c, what);
    else
        snprintf(why, n, "SMTP: %s", what);
    utf8_repair(why); /* the server's reply text, possibly cut */
    if (c >= 500 || resp->curl == CURLE_LOGIN_DENIED || resp->curl == CURLE_USE_SSL_FAILED)
        return NOTIFY_FAILED;
    if (c >= 400)
        return NOTIFY_RETRY;
    return notify_curl_transient(resp->curl) ? NOTIFY_RETRY : NOTIFY_FAILED;
}

const struct notify_channel notify_chan_email = {
    .name = "email", .build = email_build, .classify = email_classify};
