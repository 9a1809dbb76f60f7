/*
 * Unit tests for util/netaddr.c: CIDR parsing (refusals with their reasons), matching across
 * IPv4, IPv6 and IPv4-mapped addresses, and the X-Forwarded-For walk: the rightmost untrusted
 * hop, trusted hops skipped, a garbled hop ending the walk, ports and brackets, several headers.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "util/netaddr.h"

static bool in(const char *block, const char *addr)
{
    struct net_cidr c;
    struct net_addr a;
    assert_null(net_cidr_parse(block, &c));
    assert_true(net_addr_parse(addr, &a));
    return net_cidr_contains(&c, &a);
}

static void test_cidr_matching(void **state)
{
    (void)state;
    assert_true(in("10.0.0.0/8", "10.200.3.4"));
    assert_false(in("10.0.0.0/8", "11.0.0.1"));
    assert_true(in("192.0.2.0/25", "192.0.2.127"));
    assert_false(in("192.0.2.0/25", "192.0.2.128"));
    assert_true(in("192.0.2.7", "192.0.2.7"));
    assert_false(in("192.0.2.7", "192.0.2.8"));
    assert_true(in("0.0.0.0/0", "203.0.113.9"));
    assert_false(in("0.0.0.0/0", "2001:db8::1")); /* families kept apart */
    assert_true(in("2001:db8::/32", "2001:db8:ffff::1"));
    assert_false(in("2001:db8::/32", "2001:db9::1"));
    assert_true(in("10.0.0.0/8", "::ffff:10.1.2.3"));   /* a mapped peer */
    assert_true(in("::ffff:10.0.0.0/104", "10.9.9.9")); /* a mapped block */
    assert_false(in("::ffff:10.0.0.0/104", "11.9.9.9"));
}

static void test_cidr_refusals(void **state)
{
    (void)state;
    struct net_cidr c;
    assert_non_null(net_cidr_parse("", &c));
    assert_non_null(net_cidr_parse("10.0.0.0/33", &c));
    assert_non_null(net_cidr_parse("10.0.0.0/", &c));
    assert_non_null(net_cidr_parse("10.0.0.0/-1", &c));
    assert_non_null(net_cidr_parse("10.0.0.1/8", &c)); /* host bits set */
    assert_non_null(net_cidr_parse("example.com", &c));
    assert_non_null(net_cidr_parse("2001:db8::/129", &c));
    assert_non_null(net_cidr_parse("::ffff:10.0.0.0/8", &c));
    assert_null(net_cidr_parse("2001:db8::/128", &c));
}

static char *trusted[] = {"10.0.0.0/8", "192.0.2.1"};

static const char *client(const char *xff, const char *peer_text)
{
    static char out[64];
    struct net_addr peer, got;
    assert_true(net_addr_parse(peer_text, &peer));
    net_forwarded_client(xff, trusted, 2, &peer, &got);
    net_addr_format(&got, out, sizeof out);
    return out;
}

static void test_forwarded_walk(void **state)
{
    (void)state;
    /* the client's own claim on the left is ignored: the rightmost untrusted hop wins */
    assert_string_equal(client("1.1.1.1, 203.0.113.5", "10.0.0.2"), "203.0.113.5");
    assert_string_equal(client("203.0.113.5, 10.1.1.1, 192.0.2.1", "10.0.0.2"), "203.0.113.5");
    assert_string_equal(client("203.0.113.5:4711", "10.0.0.2"), "203.0.113.5");
    assert_string_equal(client("[2001:db8::5]:443", "10.0.0.2"), "2001:db8::5");
    assert_string_equal(client("2001:db8::5", "10.0.0.2"), "2001:db8::5");
    /* all trusted: the leftmost */
    assert_string_equal(client("10.3.3.3, 10.2.2.2", "10.0.0.2"), "10.3.3.3");
    /* garbled hop: the walk stops at the nearest hop a trusted proxy wrote */
    assert_string_equal(client("1.1.1.1, nonsense, 10.2.2.2", "10.0.0.2"), "10.2.2.2");
    assert_string_equal(client("unknown", "10.0.0.2"), "10.0.0.2");
    assert_string_equal(client("", "10.0.0.2"), "10.0.0.2");
    assert_string_equal(client(" , 203.0.113.5 ,", "10.0.0.2"), "203.0.113.5");
    assert_string_equal(client("203.0.113.5,198.51.100.7", "10.0.0.2"), "198.51.100.7");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cidr_matching),
        cmocka_unit_test(test_cidr_refusals),
        cmocka_unit_test(test_forwarded_walk),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
