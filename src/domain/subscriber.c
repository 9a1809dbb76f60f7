/* subscriber: the rules of status page subscriptions; see subscriber.h. */
#include "domain/subscriber.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static const char *const names[] = {"pending", "confirmed", "unsubscribed", "disabled"};

const char *sub_state_name(enum sub_state s)
{
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "pending";
}

int sub_state_parse(const char *name)
{
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcmp(name, names[i]) == 0)
            return (int)i;
    return -1;
}

bool sub_email_ok(const char *a)
{
    size_t n = a ? strlen(a) : 0;
    const char *at = a ? strchr(a, '@') : NULL;
    if (!n || n > SUB_ADDRESS_MAX || !at || at == a || strchr(at + 1, '@'))
        return false;
    const char *dot = strrchr(at + 1, '.');
    if (!dot || dot == at + 1 || !dot[1])
        return false;
    for (const unsigned char *p = (const unsigned char *)a; *p; p++)
        if (*p <= ' ' || *p == 0x7f || strchr("\"<>(),;:\\[]", *p))
            return false;
    return true;
}

void sub_token(const unsigned char key[SUB_KEY_LEN], const char *purpose, const char *id,
               char out[SUB_TOKEN_LEN + 1])
{
    /* "v1|purpose|id", fed in parts: an id of any length is signed whole */
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, SUB_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"v1|", 3);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)purpose, strlen(purpose));
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"|", 1);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_final(&st, mac);
    char hex[crypto_auth_hmacsha256_BYTES * 2 + 1];
    sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
    memcpy(out, hex, SUB_TOKEN_LEN);
    out[SUB_TOKEN_LEN] = '\0';
}

bool sub_token_ok(const unsigned char key[SUB_KEY_LEN], const char *purpose, const char *id,
                  const char *token)
{
    if (!token || strlen(token) != SUB_TOKEN_LEN)
        return false;
    char want[SUB_TOKEN_LEN + 1];
    sub_token(key, purpose, id, want);
    return sodium_memcmp(want, token, SUB_TOKEN_LEN) == 0;
}

bool sub_wants(const char *components, const char *component)
{
    json_t *a = json_loads(components ? components : "[]", 0, NULL);
    bool all = !json_is_array(a) || json_array_size(a) == 0, found = false;
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        if (component && json_is_string(v) && strcmp(json_string_value(v), component) == 0)
            found = true;
    }
    json_decref(a);
    return all || !component || found;
}

bool sub_webhook_url_ok(const char *url)
{
    size_t n = url ? strlen(url) : 0;
    size_t scheme = 0;
    if (n > 7 && strncmp(url, "http://", 7) == 0)
        scheme = 7;
    else if (n > 8 && strncmp(url, "https://", 8) == 0)
        scheme = 8;
    if (!scheme || n > SUB_URL_MAX || url[scheme] == '/' || url[scheme] == ':' ||
        url[scheme] == '?' || url[scheme] == '#')
        return false;
    for (const unsigned char *p = (const unsigned char *)url; *p; p++)
        if (*p <= ' ' || *p >= 0x7f || *p == '"' || *p == '<' || *p == '>' || *p == '\\')
            return false;
    return true;
}

static const char *private_v4(const unsigned char a[4])
{
    if (a[0] == 0)
        return "0.0.0.0/8 (this network)";
    if (a[0] == 127)
        return "loopback (127.0.0.0/8)";
    if (a[0] == 10 || (a[0] == 172 && (a[1] & 0xf0) == 16) || (a[0] == 192 && a[1] == 168))
        return "private (RFC 1918)";
    if (a[0] == 169 && a[1] == 254)
        return "link-local (169.254.0.0/16)";
    if (a[0] == 100 && (a[1] & 0xc0) == 64)
        return "shared (100.64.0.0/10)";
    if (a[0] >= 224)
        return "multicast or reserved (224.0.0.0/3)";
    return NULL;
}

const char *sub_address_private(int family, const void *addr)
{
    const unsigned char *a = addr;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    static const unsigned char zero[16] = {0};
    if (family == AF_INET)
        return private_v4(a);
    if (family != AF_INET6)
        return "not an IP address";
    if (memcmp(a, mapped, 12) == 0)
        return private_v4(a + 12);
    if (memcmp(a, zero, 15) == 0 && (a[15] == 0 || a[15] == 1))
        return a[15] ? "loopback (::1)" : "unspecified (::)";
    if ((a[0] & 0xfe) == 0xfc)
        return "private (fc00::/7)";
    if (a[0] == 0xfe && (a[1] & 0xc0) == 0x80)
        return "link-local (fe80::/10)";
    if (a[0] == 0xff)
        return "multicast (ff00::/8)";
    return NULL;
}

const char *sub_webhook_host_private(const char *url, char *host, size_t n)
{
    const char *p = url ? strstr(url, "://") : NULL;
    if (!p || n == 0)
        return NULL;
    p += 3;
    size_t len = strcspn(p, "/?#");
    const char *at = memchr(p, '@', len);
    while (at) { /* the user info ends at the last '@' before the path */
        len -= (size_t)(at + 1 - p);
        p = at + 1;
        at = memchr(p, '@', len);
    }
    if (len && p[0] == '[') {
        const char *end = memchr(p, ']', len);
        len = end ? (size_t)(end - p - 1) : 0;
        p++;
    } else {
        const char *colon = memchr(p, ':', len);
        if (colon)
            len = (size_t)(colon - p);
    }
    if (len >= n)
        return NULL;
    memcpy(host, p, len);
    host[len] = '\0';
    unsigned char a[16];
    struct in_addr v4; /* inet_aton: also the forms curl accepts, 2130706433, 127.1, 0x7f.1 */
    if (inet_aton(host, &v4) == 1)
        return sub_address_private(AF_INET, &v4.s_addr);
    if (inet_pton(AF_INET6, host, a) == 1)
        return sub_address_private(AF_INET6, a);
    if (len && host[len - 1] == '.')
        host[--len] = '\0';
    if (strcasecmp(host, "localhost") == 0 ||
        (len > 10 && strcasecmp(host + len - 10, ".localhost") == 0))
        return "loopback (localhost)";
    return NULL;
}

void sub_webhook_secret(const unsigned char key[SUB_KEY_LEN], const char *id,
                        char out[SUB_SECRET_MAX])
{
    unsigned char mac[crypto_auth_hmacsha256_BYTES];
    crypto_auth_hmacsha256_state st;
    crypto_auth_hmacsha256_init(&st, key, SUB_KEY_LEN);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)"v1|webhook-secret|", 18);
    crypto_auth_hmacsha256_update(&st, (const unsigned char *)id, strlen(id));
    crypto_auth_hmacsha256_final(&st, mac);
    memcpy(out, "whsec_", 6);
    sodium_bin2base64(out + 6, SUB_SECRET_MAX - 6, mac, sizeof mac, sodium_base64_VARIANT_ORIGINAL);
}

void subscriber_free_fields(struct subscriber *s)
{
    free(s->kind);
    free(s->address);
    free(s->components);
    free(s->last_error);
    s->kind = s->address = s->components = s->last_error = NULL;
}
