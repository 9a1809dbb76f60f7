/*
 * acklink: signed, expiring links that acknowledge an incident from the page itself.
 *
 * token = base64url(payload) "." base64url(HMAC-SHA256(key, payload)), payload =
 * "v1|INCIDENT|USER|EXPIRES" (expires in ms since the epoch; ids never contain '|'). The link is
 * public_url + "/ack/" + token. The key is 32 random bytes kept in DATA/notify.key (hex, mode
 * 0600), created on the first start like admin.token; losing it only invalidates the links already
 * sent. A link proves "this user was paged about this incident"; it carries no other power (GET
 * shows a confirmation page, only POST acknowledges: mail scanners follow links). Pure: the key
 * is loaded by runtime/ack_key.c (file I/O at start-up). Thread-safe.
 */
#ifndef TOCSIN_ACKLINK_H
#define TOCSIN_ACKLINK_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"
#include "util/result.h"

enum {
    ACKLINK_KEY_LEN = 32,
    ACKLINK_USER_MAX = 65,   /* user ids are 1..64 characters */
    ACKLINK_TOKEN_MAX = 256, /* the longest token, NUL included (fits a route parameter) */
};

enum acklink_check { ACKLINK_OK, ACKLINK_BAD, ACKLINK_EXPIRED };

struct acklink {
    char incident[INCIDENT_ID_MAX];
    char user[ACKLINK_USER_MAX];
    int64_t expires;
};

/* The token for (incident, user, expires) into out (ACKLINK_TOKEN_MAX); "" when an id is too
 * long or holds a '|'. */
void acklink_sign(const unsigned char key[ACKLINK_KEY_LEN], const char *incident, const char *user,
                  int64_t expires, char out[ACKLINK_TOKEN_MAX]);
/* Checks the signature first (ACKLINK_BAD), then the expiry against now (ACKLINK_EXPIRED; *out
 * is filled all the same). */
enum acklink_check acklink_verify(const unsigned char key[ACKLINK_KEY_LEN], const char *token,
                                  int64_t now, struct acklink *out);
/* public_url + "/ack/" + token, into out. */
void acklink_url(const struct config *cfg, const unsigned char key[ACKLINK_KEY_LEN],
                 const char *incident, const char *user, int64_t expires, char *out, size_t n);

#endif
