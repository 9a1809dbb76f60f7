/*
 * slack_signature: Slack's request signing (v0), as a receiver checks it: the signature header
 * "v0=" + hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + raw body)); the timestamp
 * header (Unix seconds) within SLACK_SIG_WINDOW_S of now either way (older: a replay). The
 * comparison takes the same time whatever the bytes (sodium_memcmp). Pure: now comes in.
 */
#ifndef TOCSIN_SLACK_SIGNATURE_H
#define TOCSIN_SLACK_SIGNATURE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum { SLACK_SIG_WINDOW_S = 300, SLACK_SIG_HEX = 64 };

enum slack_sig {
    SLACK_SIG_OK,
    SLACK_SIG_MISSING, /* a header is absent or the secret empty */
    SLACK_SIG_STALE,   /* the timestamp is not a number or is outside the window */
    SLACK_SIG_BAD,     /* the signature does not match */
};

/* Checks a request. now_ms: the server's clock. */
enum slack_sig slack_signature_check(const char *secret, const char *timestamp,
                                     const char *signature, const char *body, size_t body_len,
                                     int64_t now_ms);
/* "v0=<hex>" for (secret, timestamp, body) into out (3 + 64 + 1 bytes): what Slack sends. */
void slack_signature_make(const char *secret, const char *timestamp, const char *body,
                          size_t body_len, char out[3 + SLACK_SIG_HEX + 1]);
const char *slack_sig_name(enum slack_sig s);
/* a == b in a time that does not depend on where they differ (NULL or different lengths: false).
 * Mattermost's slash command token is checked with it. */
bool chat_secret_equal(const char *a, const char *b);
/* The signature of a Mattermost button (its integration context carries it back): "v0=" +
 * hex(HMAC-SHA256(secret, "v0:mattermost-action:" + action + ":" + incident_id + ":" + issued)),
 * issued the button's time in ms: a context is honoured for CHAT_ACTION_TTL_MS after it. */
enum { CHAT_ACTION_TTL_DAYS = 7 };
#define CHAT_ACTION_TTL_MS ((int64_t)CHAT_ACTION_TTL_DAYS * 24 * 3600 * 1000)
void chat_action_sig(const char *secret, const char *action, const char *incident_id,
                     int64_t issued, char out[3 + SLACK_SIG_HEX + 1]);

#endif
