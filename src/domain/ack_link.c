/* ack_link: see ack_link.h. Pure: signing and checking with a key the caller holds. */
#include "domain/ack_link.h"
#include "util/log.h"
#include "util/num.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAYLOAD_MAX = 128, B64_MAX = 176, MAC_B64 = 44 }; /* 175 + 1 + 43 < 256 */

static void mac_b64(const unsigned char key[ACKLINK_KEY_LEN], const char *payload, size_t len,
                    char out[MAC_B64])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, ACKLINK_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)payload, len);
    crypto_auth_hmacsha256_final(&st, mac);
    sodium_bin2base64(out, MAC_B64, mac, sizeof mac, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

void acklink_sign(const unsigned char key[ACKLINK_KEY_LEN], const char *incident, const char *user,
                  int64_t expires, char out[ACKLINK_TOKEN_MAX])
{
    char payload[PAYLOAD_MAX], b64[B64_MAX], mac[MAC_B64];
    out[0] = '\0';
    if (strlen(incident) >= INCIDENT_ID_MAX || strlen(user) >= ACKLINK_USER_MAX ||
        strchr(incident, '|') || strchr(user, '|'))
        return;
    int len =
        snprintf(payload, sizeof payload, "v1|%s|%s|%lld", incident, user, (long long)expires);
    if (len < 0 || (size_t)len >= sizeof payload)
        return;
    sodium_bin2base64(b64, sizeof b64, (const unsigned char *)payload, (size_t)len,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    mac_b64(key, payload, (size_t)len, mac);
    snprintf(out, ACKLINK_TOKEN_MAX, "%s.%s", b64, mac);
}

/* Splits "v1|INCIDENT|USER|EXPIRES" into out; false when malformed. */
static bool parse_payload(const char *p, struct acklink *out)
{
    const char *a = strchr(p, '|'), *b = a ? strchr(a + 1, '|') : NULL;
    const char *c = b ? strchr(b + 1, '|') : NULL;
    if (!c || strncmp(p, "v1|", 3) != 0 || a != p + 2)
        return false;
    size_t il = (size_t)(b - a - 1), ul = (size_t)(c - b - 1);
    if (il == 0 || il >= sizeof out->incident || ul == 0 || ul >= sizeof out->user)
        return false;
    memcpy(out->incident, a + 1, il);
    out->incident[il] = '\0';
    memcpy(out->user, b + 1, ul);
    out->user[ul] = '\0';
    return num_parse_i64(c + 1, 0, INT64_MAX, &out->expires) == 0;
}

enum acklink_check acklink_verify(const unsigned char key[ACKLINK_KEY_LEN], const char *token,
                                  int64_t now, struct acklink *out)
{
    char payload[PAYLOAD_MAX], mac[MAC_B64];
    memset(out, 0, sizeof *out);
    const char *dot = token ? strchr(token, '.') : NULL;
    size_t len = 0;
    if (!dot || strlen(token) >= ACKLINK_TOKEN_MAX ||
        sodium_base642bin((unsigned char *)payload, sizeof payload - 1, token,
                          (size_t)(dot - token), NULL, &len, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return ACKLINK_BAD;
    payload[len] = '\0';
    if (memchr(payload, '\0', len))
        return ACKLINK_BAD;
    mac_b64(key, payload, len, mac);
    if (strlen(dot + 1) != strlen(mac) || sodium_memcmp(dot + 1, mac, strlen(mac)) != 0)
        return ACKLINK_BAD;
    if (!parse_payload(payload, out))
        return ACKLINK_BAD;
    return now >= out->expires ? ACKLINK_EXPIRED : ACKLINK_OK;
}

void acklink_url(const struct config *cfg, const unsigned char key[ACKLINK_KEY_LEN],
                 const char *incident, const char *user, int64_t expires, char *out, size_t n)
{
    char token[ACKLINK_TOKEN_MAX];
    acklink_sign(key, incident, user, expires, token);
    const char *base = cfg->server.public_url ? cfg->server.public_url : "";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    if (!token[0])
        snprintf(out, n, "%s", "");
    else
        snprintf(out, n, "%.*s/ack/%s", (int)bl, base, token);
}
