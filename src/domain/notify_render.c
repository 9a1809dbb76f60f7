/*
 * notify/render: the words of a message, shared by the channels: subject, plain text (one row or a
 * bundle "N notifications: ..."), the short SMS text, and the escaping each format needs (HTML,
 * form-urlencoded, JSON string). Pure; every output goes to a capped buf.
 */
#include "domain/notify_render.h"

#include "util/utf8.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const char *const kind_names[] = {"page", "reminder", "handoff", "info"};
static const char *const event_types[] = {"incident.page", "incident.reminder", "oncall.handoff",
                                          "notification.info"};

const char *notify_kind_name(enum notify_kind k)
{
    return (unsigned)k < sizeof kind_names / sizeof kind_names[0] ? kind_names[k] : "info";
}

int notify_kind_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof kind_names / sizeof kind_names[0]; i++)
        if (strcmp(name, kind_names[i]) == 0)
            return (int)i;
    return -1;
}

const char *notify_event_type(const char *kind)
{
    int k = notify_kind_parse(kind);
    return event_types[k < 0 ? NOTIFY_INFO : k];
}

/* Up to max bytes of s, cut at a UTF-8 character boundary, "..." when cut. */
static void put_cut(struct buf *out, const char *s, size_t max)
{
    size_t n = strlen(s), cut = utf8_cut(s, n, max);
    buf_append(out, s, cut);
    if (cut < n)
        buf_puts(out, "...");
}

void notify_render_subject(const struct notify_render *r, struct buf *out)
{
    const struct notify_row *lead = &r->items[0].row;
    if (r->nitems == 1) {
        buf_puts(out, lead->subject);
        return;
    }
    size_t drills = 0; /* a bundle of drills says so first, like each of its messages */
    for (size_t i = 0; i < r->nitems; i++)
        drills += r->items[i].inc && r->items[i].inc->drill;
    if (drills == r->nitems)
        buf_puts(out, "[DRILL] ");
    buf_printf(out, "%zu notifications", r->nitems);
    if (drills && drills < r->nitems)
        buf_printf(out, " (%zu of them drills)", drills);
    buf_puts(out, ": ");
    put_cut(out, lead->subject, 120);
    if (r->nitems > 1)
        buf_printf(out, " (+%zu more)", r->nitems - 1);
}

static void item_text(const struct notify_item *it, struct buf *out)
{
    buf_puts(out, it->row.body);
    if (it->row.body[0] && it->row.body[strlen(it->row.body) - 1] != '\n')
        buf_puts(out, "\n");
    if (it->ack_url[0])
        buf_printf(out, "Acknowledge: %s\n", it->ack_url);
    if (it->incident_url[0])
        buf_printf(out, "Incident: %s\n", it->incident_url);
    if (it->bridge_url[0])
        buf_printf(out, "Bridge: %s\n", it->bridge_url);
}

void notify_render_text(const struct notify_render *r, struct buf *out)
{
    if (r->nitems == 1) {
        item_text(&r->items[0], out);
        return;
    }
    buf_printf(out, "%zu notifications:\n", r->nitems);
    for (size_t i = 0; i < r->nitems; i++) {
        buf_printf(out, "\n%zu. %s\n", i + 1, r->items[i].row.subject);
        if (i < NOTIFY_BUNDLE_LISTED) {
            item_text(&r->items[i], out);
        } else if (r->items[i].ack_url[0]) {
            buf_printf(out, "Acknowledge: %s\n", r->items[i].ack_url);
        }
    }
}

void notify_render_sms(const struct notify_render *r, struct buf *out)
{
    struct buf b;
    buf_init(&b, 64 * 1024);
    if (r->nitems == 1) {
        const struct notify_item *it = &r->items[0];
        put_cut(&b, it->row.subject, 160);
        if (it->ack_url[0])
            buf_printf(&b, " - ack: %s or reply ACK %lld", it->ack_url, (long long)it->row.id);
        else if (it->inc)
            buf_printf(&b, " - reply ACK %lld to acknowledge", (long long)it->row.id);
    } else {
        buf_printf(&b, "%zu notifications:", r->nitems);
        for (size_t i = 0; i < r->nitems; i++) {
            const struct notify_item *it = &r->items[i];
            buf_puts(&b, i ? "; " : " ");
            put_cut(&b, it->row.subject, 60);
            if (it->inc)
                buf_printf(&b, " (ACK %lld)", (long long)it->row.id);
        }
    }
    put_cut(out, b.data ? b.data : "", NOTIFY_SMS_MAX);
    buf_free(&b);
}

void notify_html_escape(struct buf *out, const char *s)
{
    for (const char *p = s; p && *p; p++) {
        switch (*p) {
        case '&':
            buf_puts(out, "&amp;");
            break;
        case '<':
            buf_puts(out, "&lt;");
            break;
        case '>':
            buf_puts(out, "&gt;");
            break;
        case '"':
            buf_puts(out, "&quot;");
            break;
        case '\'':
            buf_puts(out, "&#39;");
            break;
        default:
            buf_append(out, p, 1);
        }
    }
}

void notify_form_escape(struct buf *out, const char *s)
{
    static const char hex[] = "0123456789ABCDEF";
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '.' || *p == '_' || *p == '*') {
            buf_append(out, p, 1);
        } else if (*p == ' ') {
            buf_puts(out, "+");
        } else {
            char e[3] = {'%', hex[*p >> 4], hex[*p & 15]};
            buf_append(out, e, 3);
        }
    }
}

void notify_json_escape(struct buf *out, const char *s)
{
    for (const unsigned char *p = (const unsigned char *)s; p && *p; p++) {
        if (*p == '"' || *p == '\\') {
            char e[2] = {'\\', (char)*p};
            buf_append(out, e, 2);
        } else if (*p == '\n') {
            buf_puts(out, "\\n");
        } else if (*p < 0x20 || *p == 0x7f) {
            buf_printf(out, "\\u%04x", *p);
        } else {
            buf_append(out, p, 1);
        }
    }
}

void notify_template(struct buf *out, const char *tmpl, const char *content_type, const char *to,
                     const char *from, const char *message)
{
    static const char *const names[] = {"{{to}}", "{{from}}", "{{message}}"};
    const char *values[] = {to ? to : "", from ? from : "", message ? message : ""};
    bool json = content_type && strcmp(content_type, "application/json") == 0;
    const char *p = tmpl;
    while (*p) {
        size_t i = 0;
        while (i < 3 && strncmp(p, names[i], strlen(names[i])) != 0)
            i++;
        if (i == 3) {
            buf_append(out, p++, 1);
            continue;
        }
        if (json)
            notify_json_escape(out, values[i]);
        else
            notify_form_escape(out, values[i]);
        p += strlen(names[i]);
    }
}

json_t *notify_incident_json(const struct notify_item *it)
{
    const struct incident *inc = it->inc;
    if (!inc)
        return json_null();
    return json_pack("{s:s,s:s,s:s,s:s,s:s?,s:s,s:b}", "id", inc->id, "title", inc->title,
                     "severity", inc->severity, "status", incident_status_name(inc->status),
                     "service", inc->service, "url", it->incident_url, "drill", inc->drill);
}

enum { SECRET_KEY_MAX = 64 };

int notify_webhook_signature(const char *secret, const char *id, int64_t timestamp,
                             const char *body, size_t body_len, char *out, size_t n)
{
    unsigned char key[SECRET_KEY_MAX], mac[crypto_auth_hmacsha256_BYTES];
    size_t klen = 0;
    if (!secret || strncmp(secret, "whsec_", 6) != 0)
        return -1;
    const char *b64 = secret + 6;
    if (sodium_base642bin(key, sizeof key, b64, strlen(b64), NULL, &klen, NULL,
                          sodium_base64_VARIANT_ORIGINAL) != 0 &&
        sodium_base642bin(key, sizeof key, b64, strlen(b64), NULL, &klen, NULL,
                          sodium_base64_VARIANT_ORIGINAL_NO_PADDING) != 0)
        return -1;
    char ts[24];
    snprintf(ts, sizeof ts, "%lld", (long long)timestamp);
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, klen);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)ts, strlen(ts));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)".", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_memzero(key, sizeof key);
    char sig[sodium_base64_ENCODED_LEN(crypto_auth_hmacsha256_BYTES,
                                       sodium_base64_VARIANT_ORIGINAL)];
    sodium_bin2base64(sig, sizeof sig, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
    int w = snprintf(out, n, "v1,%s", sig);
    return w > 0 && (size_t)w < n ? 0 : -1;
}
