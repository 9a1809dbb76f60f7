/*
 * netaddr: IP addresses and CIDR blocks (server.trusted_proxies), and the client address behind
 * trusted proxies from an X-Forwarded-For list (docs/security.md, "Behind a proxy"). Pure: no
 * sockets are read here; the caller hands in the peer's address.
 * IPv4-mapped IPv6 addresses (::ffff:192.0.2.1) are taken as the IPv4 address they carry, so a
 * block written either way matches a dual-stack peer.
 */
#ifndef TOCSIN_UTIL_NETADDR_H
#define TOCSIN_UTIL_NETADDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct net_addr {
    int family; /* AF_INET or AF_INET6 */
    uint8_t bytes[16];
};

struct net_cidr {
    struct net_addr addr; /* bits past the prefix are zero */
    int bits;
};

/* A literal address ("192.0.2.1", "2001:db8::1"); false when it is not one. */
bool net_addr_parse(const char *s, struct net_addr *out);
/* A socket address (AF_INET, AF_INET6); false for any other family. */
bool net_addr_from_sockaddr(const struct sockaddr *sa, struct net_addr *out);
/* "192.0.2.1", "2001:db8::1"; out at least 46 bytes. */
void net_addr_format(const struct net_addr *a, char *out, size_t n);

/* "10.0.0.0/8", "2001:db8::/32", or one address (a /32 or /128). NULL when fine, else why not
 * (for the config's message). */
const char *net_cidr_parse(const char *s, struct net_cidr *out);
bool net_cidr_contains(const struct net_cidr *c, const struct net_addr *a);
/* Whether a is in any of the n blocks written as text (unparsable ones are skipped: the config
 * refused them). */
bool net_cidr_list_contains(char *const *blocks, size_t n, const struct net_addr *a);

/* The client behind trusted proxies: xff is the X-Forwarded-For list (the values of every such
 * header joined by commas, in order), peer the connection's address, already known trusted.
 * Walks the list from the right, skipping trusted hops; the first untrusted hop is the client. A
 * hop that is not an address ends the walk at the hop after it (the nearest one a trusted proxy
 * wrote), so a forged or garbled entry cannot choose the result. All hops trusted: the leftmost.
 * Returns the chosen address in *out (peer when the list is empty). */
void net_forwarded_client(const char *xff, char *const *trusted, size_t ntrusted,
                          const struct net_addr *peer, struct net_addr *out);

#endif
