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
#include <stdint.h>

enum sub_state { SUB_PENDING, SUB_CONFIRMED, SUB_UNSUBSCRIBED };
enum { SUB_ID_MAX = 24, SUB_ADDRESS_MAX = 254, SUB_TOKEN_LEN = 32, SUB_KEY_LEN = 32 };

struct subscriber {
    char id[SUB_ID_MAX]; /* "sub_" + 12 hex */
    char *kind;          /* "email" */
    char *address;
    char *components; /* JSON array text of component names; "[]" = every component */
    enum sub_state state;
    int64_t created_at, confirmed_at, unsubscribed_at; /* 0: not yet */
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
/* Whether a subscriber of `components` (JSON array text) hears about `component` (NULL: a
 * notice about no one component, which every subscriber hears). */
bool sub_wants(const char *components, const char *component);
void subscriber_free_fields(struct subscriber *s);

#endif
