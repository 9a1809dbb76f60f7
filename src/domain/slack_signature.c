/*
 * slack_signature: v0 request signatures (see slack_signature.h), with libsodium's HMAC-SHA256.
 */
#include "domain/slack_signature.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void slack_signature_make(const char *secret, const char *timestamp, const char *body,
                          size_t body_len, char out[3 + SLACK_SIG_HEX + 1])
{
    crypto_auth_hmacsha256_state st;
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_init(&st, (const unsigned char *)secret, strlen(secret));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"v0:", 3);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)timestamp, strlen(timestamp));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)":", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)body, body_len);
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "v0=", 3);
    sodium_bin2hex(out + 3, SLACK_SIG_HEX + 1, mac, sizeof mac);
    sodium_memzero(&st, sizeof st);
}

enum slack_sig slack_signature_check(const char *secret, const char *timestamp,
                                     const char *signature, const char *body, size_t body_len,
                                     int64_t now_ms)
{
    if (!secret || !secret[0] || !timestamp || !signature)
        return SLACK_SIG_MISSING;
    char *end = NULL;
    long long ts = strtoll(timestamp, &end, 10);
    if (!timestamp[0] || *end || ts <= 0)
        return SLACK_SIG_STALE;
    long long now_s = now_ms / 1000, age = now_s - ts;
    if (age > SLACK_SIG_WINDOW_S || age < -SLACK_SIG_WINDOW_S)
        return SLACK_SIG_STALE;
    char want[3 + SLACK_SIG_HEX + 1];
    slack_signature_make(secret, timestamp, body ? body : "", body_len, want);
    if (strlen(signature) != sizeof want - 1)
        return SLACK_SIG_BAD;
    return sodium_memcmp(want, signature, sizeof want - 1) == 0 ? SLACK_SIG_OK : SLACK_SIG_BAD;
}

const char *slack_sig_name(enum slack_sig s)
{
    switch (s) {
    case SLACK_SIG_OK:
        return "ok";
    case SLACK_SIG_MISSING:
        return "missing X-Slack-Signature or X-Slack-Request-Timestamp";
    case SLACK_SIG_STALE:
        return "X-Slack-Request-Timestamp outside the 5-minute window (a replay?)";
    case SLACK_SIG_BAD:
        return "X-Slack-Signature does not match";
    }
    return "?";
}

bool chat_secret_equal(const char *a, const char *b)
{
    if (!a || !b || !a[0] || strlen(a) != strlen(b))
        return false;
    return sodium_memcmp(a, b, strlen(a)) == 0;
}

void chat_action_sig(const char *secret, const char *action, const char *incident_id,
                     int64_t issued, char out[3 + SLACK_SIG_HEX + 1])
{
    char body[256];
    snprintf(body, sizeof body, "%.64s:%.128s:%lld", action, incident_id, (long long)issued);
    slack_signature_make(secret, "mattermost-action", body, strlen(body), out);
}
