/*
 * subscriber: people who asked to be told about the public status page by email (docs/api.md
 * "Status page subscribers"). Pure: no I/O, no clock.
 *
 * Double opt-in: a subscription starts "pending" and a confirmation mail goes out; only the
 * link in it ("confirmed") starts the notices. Every notice carries an unsubscribe link
 * ("unsubscribed"). Links carry a token: hex(HMAC-SHA256(key, "v1|PURPOSE|ID")) cut to 32 digits,
 * with the server's link key (DATA/notify.key, the ack links' key): no token is stored, a
 * token for one subscriber or purpose is worthless for another.
 */
#ifndef TOCSIN_DOMAIN_SUBSCRIBER_H
#define TOCSIN_DOMAIN_SUBSCRIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* SUB_DISABLED: a webhook subscriber whose endpoint failed status_page.webhook_failure_limit
 * deliveries in a row (an admin enables it again). */
enum sub_state { SUB_PENDING, SUB_CONFIRMED, SUB_UNSUBSCRIBED, SUB_DISABLED };
enum {
    SUB_ID_MAX = 24,
    SUB_ADDRESS_MAX = 254,
    SUB_URL_MAX = 500, /* a webhook subscriber's endpoint */
    SUB_TOKEN_LEN = 32,
    SUB_KEY_LEN = 32,
    SUB_SECRET_MAX = 64 /* "whsec_" + base64 of 32 bytes + NUL */
};

struct subscriber {
    char id[SUB_ID_MAX]; /* "sub_" + 12 hex */
    char *kind;          /* "email" or "webhook" */
    char *address;       /* the mail address, or the webhook's endpoint URL */
    char *components;    /* JSON array text of component names; "[]" = every component */
    enum sub_state state;
    int64_t created_at, confirmed_at, unsubscribed_at; /* 0: not yet */
    /* webhooks (migration 018): failed deliveries in a row, the last error (NULL: none), when it
     * was disabled (0: not) */
    int failures;
    char *last_error;
    int64_t disabled_at;
};

const char *sub_state_name(enum sub_state s);
int sub_state_parse(const char *name); /* -1 when unknown */
/* A plausible mail address: one '@', a local part and a dotted domain, no spaces, controls,
 * quotes or angle brackets, at most SUB_ADDRESS_MAX bytes. */
bool sub_email_ok(const char *address);
/* The token of (purpose, id): purpose "confirm" or "unsubscribe"; out holds SUB_TOKEN_LEN + 1. */
void sub_token(const unsigned char key[SUB_KEY_LEN], const char *purpose, const char *id,
               char out[SUB_TOKEN_LEN + 1]);
bool sub_token_ok(const unsigned char key[SUB_KEY_LEN], const char *purpose, const char *id,
                  const char *token);
/* A webhook endpoint a subscriber may give: http:// or https://, a host, at most SUB_URL_MAX
 * bytes, no spaces or control characters. */
bool sub_webhook_url_ok(const char *url);
/* Why an IP address (AF_INET: 4 bytes, AF_INET6: 16) is not one a status page webhook may reach
 * unless `status_page.webhook_allow_private`: "loopback (127.0.0.0/8)", "private (RFC 1918)",
 * "link-local (169.254.0.0/16)", ... (also 0.0.0.0/8, 100.64.0.0/10, fc00::/7, fe80::/10, ::1,
 * ::, multicast; an IPv4-mapped IPv6 address as its IPv4); NULL for a public address. */
const char *sub_address_private(int family, const void *addr);
/* The same for the host of a webhook URL when it is a literal IP address (or "localhost"):
 * host (n bytes) gets the host; NULL for a name (judged at connect time) or a public address. */
const char *sub_webhook_host_private(const char *url, char *host, size_t n);
/* The Standard Webhooks secret of webhook subscriber `id`: "whsec_" + base64(HMAC-SHA256(key,
 * "v1|webhook-secret|ID")). Derived, never stored: the same for every node and restart. */
void sub_webhook_secret(const unsigned char key[SUB_KEY_LEN], const char *id,
                        char out[SUB_SECRET_MAX]);
/* Whether a subscriber of `components` (JSON array text) hears about `component` (NULL: a
 * notice about no one component, which every subscriber hears). */
bool sub_wants(const char *components, const char *component);
void subscriber_free_fields(struct subscriber *s);

#endif
