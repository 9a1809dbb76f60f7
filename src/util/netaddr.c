/*
 * netaddr: addresses, CIDR blocks and the X-Forwarded-For walk. See netaddr.h.
 */
#include "util/netaddr.h"
#include "util/num.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>

enum { HOP_MAX = 64 }; /* longer hops than this are not addresses */

static const uint8_t v4_mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* An IPv4-mapped IPv6 address becomes the IPv4 one. */
static void unmap(struct net_addr *a)
{
    if (a->family == AF_INET6 && memcmp(a->bytes, v4_mapped, sizeof v4_mapped) == 0) {
        a->family = AF_INET;
        memmove(a->bytes, a->bytes + 12, 4);
        memset(a->bytes + 4, 0, 12);
    }
}

bool net_addr_parse(const char *s, struct net_addr *out)
{
    memset(out, 0, sizeof *out);
    if (inet_pton(AF_INET, s, out->bytes) == 1) {
        out->family = AF_INET;
        return true;
    }
    if (inet_pton(AF_INET6, s, out->bytes) == 1) {
        out->family = AF_INET6;
        unmap(out);
        return true;
    }
    return false;
}

bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out)
{
    memset(out, 0, sizeof *out);
    if (sa && sa->sa_family == AF_INET) {
        out->family = AF_INET;
        memcpy(out->bytes, &((const struct sockaddr_in *)(const void *)sa)->sin_addr, 4);
        return true;
    }
    if (sa && sa->sa_family == AF_INET6) {
        out->family = AF_INET6;
        memcpy(out->bytes, &((const struct sockaddr_in6 *)(const void *)sa)->sin6_addr, 16);
        unmap(out);
        return true;
    }
    return false;
}

void net_addr_format(const struct net_addr *a, char *out, size_t n)
{
    if (!inet_ntop(a->family, a->bytes, out, (socklen_t)n))
        snprintf(out, n, "unknown");
}

const char *net_cidr_parse(const char *s, struct net_cidr *out)
{
    char host[HOP_MAX];
    const char *slash = strchr(s, '/');
    size_t hl = slash ? (size_t)(slash - s) : strlen(s);
    if (hl == 0 || hl >= sizeof host)
        return "is not an address or a block (10.0.0.0/8, 2001:db8::/32)";
    memcpy(host, s, hl);
    host[hl] = '\0';
    memset(out, 0, sizeof *out);
    if (!net_addr_parse(host, &out->addr))
        return "is not an address or a block (10.0.0.0/8, 2001:db8::/32)";
    bool was_v6 = strchr(host, ':') != NULL; /* a mapped v4 block counts its bits in v6 */
    int max = was_v6 ? 128 : 32;
    int64_t bits = max;
    if (slash && (num_parse_i64(slash + 1, 0, max, &bits) != 0 || slash[1] < '0' || slash[1] > '9'))
        return was_v6 ? "has a prefix length that is not 0 to 128"
                      : "has a prefix length that is not 0 to 32";
    if (was_v6 && out->addr.family == AF_INET) { /* ::ffff:a.b.c.d/N: N counts 96 mapped bits */
        if (bits < 96)
            return "is an IPv4-mapped block shorter than /96";
        bits -= 96;
    }
    out->bits = (int)bits;
    int len = out->addr.family == AF_INET ? 4 : 16;
    for (int i = 0; i < len; i++) {
        int keep = out->bits - i * 8;
        uint8_t mask = keep >= 8 ? 0xff : keep <= 0 ? 0 : (uint8_t)(0xff << (8 - keep));
        if (out->addr.bytes[i] & (uint8_t)~mask)
            return "has bits set past its prefix length (write the network: 10.0.0.0/8)";
    }
    return NULL;
}

bool net_cidr_contains(const struct net_cidr *c, const struct net_addr *a)
{
    if (c->addr.family != a->family)
        return false;
    int full = c->bits / 8, rest = c->bits % 8;
    if (memcmp(c->addr.bytes, a->bytes, (size_t)full) != 0)
        return false;
    if (!rest)
        return true;
    uint8_t mask = (uint8_t)(0xff << (8 - rest));
    return (c->addr.bytes[full] & mask) == (a->bytes[full] & mask);
}

bool net_cidr_list_contains(char *const *blocks, size_t n, const struct net_addr *a)
{
    for (size_t i = 0; i < n; i++) {
        struct net_cidr c;
        if (!net_cidr_parse(blocks[i], &c) && net_cidr_contains(&c, a))
            return true;
    }
    return false;
}

/* One hop of the list, trimmed: "192.0.2.1", "[2001:db8::1]:443", "192.0.2.1:8080" (some proxies
 * add the port). */
static bool hop_addr(const char *s, size_t len, struct net_addr *out)
{
    while (len && (*s == ' ' || *s == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;
    char hop[HOP_MAX];
    if (len == 0 || len >= sizeof hop)
        return false;
    memcpy(hop, s, len);
    hop[len] = '\0';
    if (hop[0] == '[') {
        char *close = strchr(hop, ']');
        if (!close)
            return false;
        *close = '\0';
        return net_addr_parse(hop + 1, out);
    }
    char *colon = strchr(hop, ':');
    if (colon && !strchr(colon + 1, ':')) /* one colon: IPv4 with a port */
        *colon = '\0';
    return net_addr_parse(hop, out);
}

void net_forwarded_client(const char *xff, char *const *trusted, size_t ntrusted,
                          const struct net_addr *peer, struct net_addr *out)
{
    *out = *peer;
    if (!xff)
        return;
    const char *end = xff + strlen(xff);
    while (end > xff) {
        const char *start = end;
        while (start > xff && start[-1] != ',')
            start--;
        struct net_addr hop;
        if (!hop_addr(start, (size_t)(end - start), &hop)) {
            bool blank = true; /* an empty element ("a,,b") is skipped */
            for (const char *p = start; p < end; p++)
                blank &= *p == ' ' || *p == '\t';
            if (!blank)
                return; /* garbled: the nearest hop a trusted proxy wrote (out) */
        } else {
            *out = hop;
            if (!net_cidr_list_contains(trusted, ntrusted, &hop))
                return; /* the first untrusted hop from the right: the client */
        }
        end = start > xff ? start - 1 : xff;
    }
}
