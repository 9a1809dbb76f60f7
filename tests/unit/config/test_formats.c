/*
 * test_formats: the formats of single keys (ids, e-mail, phone, time zones, listen addresses,
 * URLs, sizes; src/config/parse.c, users.c, server.c) and the storage section's driver rules
 * (src/config/storage.c). Each case is a small file written into a temp dir (config_fixture.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "config/config_fixture.h"

/* ---- storage --------------------------------------------------------------------------------- */

static void test_storage_rules(void **state)
{
    assert_errors(SEV "storage: {driver: sqlite, url: \"postgres://x\"}\n",
                  "2: storage.url: only for driver postgres (sqlite uses path)\n");
    assert_errors(SEV "storage:\n  driver: postgres\n  url: \"postgres://x\"\n  path: a.db\n",
                  "5: storage.path: only for driver sqlite (postgres uses url)\n");
    assert_errors(SEV "storage: {driver: mysql}\n",
                  "2: storage.driver: \"mysql\" is not one of sqlite, postgres\n");
}

/* ---- formats of single keys ------------------------------------------------------------------ */

/* Field formats: each case is one user or server line and the error it gives (or none). */
static void test_formats(void **state)
{
    static const struct {
        const char *line;
        const char *error;
    } cases[] = {
        {"users: [{id: u, email: a@b}]", NULL},
        {"users: [{id: u, email: \"@b\"}]",
         "users[0].email: \"@b\" is not an e-mail address (name@domain)"},
        {"users: [{id: u, email: \"a@\"}]",
         "users[0].email: \"a@\" is not an e-mail address (name@domain)"},
        {"users: [{id: u, email: \"a b@c\"}]", "users[0].email: \"a b@c\" is not an e-mail "
                                               "address (no spaces or control characters allowed)"},
        {"users: [{id: u, phone: \"+4915112345678\"}]", NULL},
        {"users: [{id: u, phone: \"+123456\"}]", "users[0].phone: \"+123456\" is not a phone "
                                                 "number (E.164: + then 7 to 15 digits, e.g. "
                                                 "+15550101)"},
        {"users: [{id: u, phone: \"15550101\"}]", "users[0].phone: \"15550101\" is not a phone "
                                                  "number (E.164: + then 7 to 15 digits, e.g. "
                                                  "+15550101)"},
        {"users: [{id: u, phone: 15550101}]", "users[0].phone: \"15550101\" is not a phone "
                                              "number (E.164: + then 7 to 15 digits, e.g. "
                                              "+15550101)"},
        {"users: [{id: u, timezone: UTC}]", NULL},
        {"users: [{id: u, timezone: America/Argentina/Buenos_Aires}]", NULL},
        {"users: [{id: u, timezone: ../../../etc/passwd}]",
         "users[0].timezone: \"../../../etc/passwd\" is not a known time zone (e.g. UTC, "
         "Europe/Berlin; see /usr/share/zoneinfo)"},
        {"users: [{id: u, timezone: /etc/localtime}]",
         "users[0].timezone: \"/etc/localtime\" is not a known time zone (e.g. UTC, "
         "Europe/Berlin; see /usr/share/zoneinfo)"},
        {"users: [{id: u, timezone: zone.tab}]",
         "users[0].timezone: \"zone.tab\" is not a known time zone (e.g. UTC, Europe/Berlin; see "
         "/usr/share/zoneinfo)"},
        {"users: [{id: u, timezone: Europe}]",
         "users[0].timezone: \"Europe\" is not a known time zone (e.g. UTC, Europe/Berlin; see "
         "/usr/share/zoneinfo)"},
        {"users: [{id: \"\"}]", "users[0].id: must not be empty"},
        {"users: [{id: a.b_c-9}]", NULL},
        {"users: [{id: a/b}]",
         "users[0].id: \"a/b\" is not a valid id (1 to 64 characters of A-Z a-z 0-9 . _ -)"},
        {"server: {listen: \"[::1]:8080\"}", NULL},
        {"server: {listen: \"localhost:0\"}",
         "server.listen: \"localhost:0\" is not HOST:PORT with a port from 1 to 65535"},
        {"server: {listen: \":8080\"}",
         "server.listen: \":8080\" is not HOST:PORT with a port from 1 to 65535"},
        {"server: {listen: \"::1:8080\"}", "server.listen: \"::1:8080\" is not HOST:PORT (write "
                                           "an IPv6 address in brackets: [::1]:8080)"},
        {"server: {public_url: \"127.0.0.1:8080\"}",
         "server.public_url: \"127.0.0.1:8080\" is not an http:// or https:// URL"},
        {"server: {max_body: 0}", "server.max_body: \"0\" is out of range (1 to 1073741824 bytes)"},
        {"server: {max_body: 1GiB}", NULL},
    };
    char yaml[512], want[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(yaml, sizeof yaml, SEV "%s\n", cases[i].line);
        if (cases[i].error)
            snprintf(want, sizeof want, "2: %s\n", cases[i].error);
        else
            want[0] = '\0';
        assert_errors(yaml, want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_storage_rules),
        cmocka_unit_test(test_formats),
    };
    return cmocka_run_group_tests(tests, config_fixture_setup, config_fixture_teardown);
}
