/*
 * Unit tests for domain/status_webhook.c and the webhook parts of domain/subscriber.c: the
 * Statuspage-shaped bodies (meta, page, incident with its updates, component_update), the
 * endpoints a webhook subscriber may give, and its derived secret (per id and key, whsec_ shape).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "domain/status_webhook.h"
#include "domain/subscriber.h"

static struct config_severity sevs[] = {{.id = "SEV1", .rank = 1}, {.id = "SEV3", .rank = 3}};
static struct config_service svcs[] = {{.id = "api", .component = "API"}};
static struct config cfg = {
    .severities = sevs, .severity_count = 2, .services = svcs, .service_count = 1};

static void test_url_ok(void **state)
{
    assert_true(sub_webhook_url_ok("https://hooks.example.com/x?y=1"));
    assert_true(sub_webhook_url_ok("http://127.0.0.1:9000/hook"));
    assert_false(sub_webhook_url_ok(NULL));
    assert_false(sub_webhook_url_ok(""));
    assert_false(sub_webhook_url_ok("https://"));
    assert_false(sub_webhook_url_ok("https:///path"));
    assert_false(sub_webhook_url_ok("ftp://example.com/"));
    assert_false(sub_webhook_url_ok("file:///etc/passwd"));
    assert_false(sub_webhook_url_ok("https://a b/"));
    assert_false(sub_webhook_url_ok("https://a/\r\nX: y"));
    char long_url[SUB_URL_MAX + 16];
    memset(long_url, 'a', sizeof long_url - 1);
    long_url[sizeof long_url - 1] = '\0';
    memcpy(long_url, "https://", 8);
    assert_false(sub_webhook_url_ok(long_url));
}

static const char *v4(const char *ip)
{
    unsigned char a[4];
    assert_int_equal(inet_pton(AF_INET, ip, a), 1);
    return sub_address_private(AF_INET, a);
}

static const char *v6(const char *ip)
{
    unsigned char a[16];
    assert_int_equal(inet_pton(AF_INET6, ip, a), 1);
    return sub_address_private(AF_INET6, a);
}

static void test_private_addresses(void **state)
{
    const char *refused4[] = {"127.0.0.1",      "127.255.0.9", "10.1.2.3",        "172.16.0.1",
                              "172.31.255.255", "192.168.1.1", "169.254.169.254", "0.0.0.0",
                              "0.1.2.3",        "100.64.0.1",  "100.127.255.254", "224.0.0.1",
                              "255.255.255.255"};
    for (size_t i = 0; i < sizeof refused4 / sizeof refused4[0]; i++)
        assert_non_null(v4(refused4[i]));
    const char *public4[] = {"8.8.8.8",     "172.15.255.255", "172.32.0.1",  "100.63.255.255",
                             "100.128.0.1", "169.253.1.1",    "192.169.0.1", "1.1.1.1"};
    for (size_t i = 0; i < sizeof public4 / sizeof public4[0]; i++)
        assert_null(v4(public4[i]));
    assert_string_equal(v4("169.254.169.254"), "link-local (169.254.0.0/16)");
    const char *refused6[] = {"::1",     "::",      "fc00::1",          "fd12:3456::1",
                              "fe80::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:169.254.169.254"};
    for (size_t i = 0; i < sizeof refused6 / sizeof refused6[0]; i++)
        assert_non_null(v6(refused6[i]));
    assert_null(v6("2001:4860:4860::8888"));
    assert_null(v6("::ffff:8.8.8.8"));
    assert_non_null(sub_address_private(0, "x"));

    char host[64];
    assert_non_null(sub_webhook_host_private("http://127.0.0.1:9000/hook", host, sizeof host));
    assert_string_equal(host, "127.0.0.1");
    assert_non_null(sub_webhook_host_private("http://169.254.169.254/latest", host, sizeof host));
    assert_non_null(sub_webhook_host_private("https://u:p@[::1]:8443/x", host, sizeof host));
    assert_string_equal(host, "::1");
    assert_non_null(sub_webhook_host_private("http://a@b@10.0.0.1?x", host, sizeof host));
    assert_non_null(sub_webhook_host_private("http://LocalHost:80/", host, sizeof host));
    assert_non_null(sub_webhook_host_private("http://localhost./", host, sizeof host));
    assert_non_null(sub_webhook_host_private("http://2130706433/", host, sizeof host));
    assert_non_null(sub_webhook_host_private("http://0x7f.1/", host, sizeof host));
    assert_null(sub_webhook_host_private("https://hooks.example.com/x", host, sizeof host));
    assert_null(sub_webhook_host_private("https://8.8.8.8/x", host, sizeof host));
    assert_null(sub_webhook_host_private(NULL, host, sizeof host));
}

static void test_secret_per_id_and_key(void **state)
{
    unsigned char k1[SUB_KEY_LEN] = {1}, k2[SUB_KEY_LEN] = {2};
    char a[SUB_SECRET_MAX], a2[SUB_SECRET_MAX], b[SUB_SECRET_MAX], c[SUB_SECRET_MAX];
    sub_webhook_secret(k1, "sub_aaaaaaaaaaaa", a);
    sub_webhook_secret(k1, "sub_aaaaaaaaaaaa", a2);
    sub_webhook_secret(k1, "sub_bbbbbbbbbbbb", b);
    sub_webhook_secret(k2, "sub_aaaaaaaaaaaa", c);
    assert_string_equal(a, a2);
    assert_string_not_equal(a, b);
    assert_string_not_equal(a, c);
    assert_int_equal(strncmp(a, "whsec_", 6), 0);
    assert_int_equal(strlen(a), 6 + 44); /* base64 of 32 bytes */
}

static void test_bodies(void **state)
{
    struct sp_page p;
    sp_page_init(&p, &cfg);
    struct incident inc = {.severity = "SEV1", .service = "api", .status = INC_IDENTIFIED};
    snprintf(inc.id, sizeof inc.id, "INC-1");
    inc.title = "API <down>";
    inc.created_at = inc.updated_at = 1000;
    inc.last_public_update_at = 2000;
    struct sp_incident *i = sp_page_add_incident(&p, &cfg, &inc);
    sp_incident_add_update(i, 7, 2000, "identified", "found it");
    sp_incident_add_update(i, 5, 1000, "investigating", "looking");
    sp_page_finish(&p);
    json_t *body = sp_webhook_envelope(&p, "https://s.example", "https://s.example/unsub");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(body, "meta"), "unsubscribe")),
        "https://s.example/unsub");
    json_t *page = json_object_get(body, "page");
    assert_string_equal(json_string_value(json_object_get(page, "status_indicator")), "critical");
    assert_string_equal(json_string_value(json_object_get(page, "status_description")),
                        "Major System Outage");
    json_t *o = sp_webhook_incident(&p, &p.incidents[0], "https://s.example");
    assert_string_equal(json_string_value(json_object_get(o, "name")), "API <down>");
    assert_string_equal(json_string_value(json_object_get(o, "status")), "identified");
    assert_string_equal(json_string_value(json_object_get(o, "shortlink")),
                        "https://s.example/status#INC-1");
    json_t *ups = json_object_get(o, "incident_updates");
    assert_int_equal(json_array_size(ups), 2);
    assert_string_equal(json_string_value(json_object_get(json_array_get(ups, 0), "id")), "7");
    assert_string_equal(json_string_value(json_object_get(
                            json_array_get(json_object_get(o, "components"), 0), "status")),
                        "major_outage");
    json_decref(o);
    sp_webhook_component_update(body, &p, 0, SP_OPERATIONAL, 3000);
    json_t *cu = json_object_get(body, "component_update");
    assert_string_equal(json_string_value(json_object_get(cu, "old_status")), "operational");
    assert_string_equal(json_string_value(json_object_get(cu, "new_status")), "major_outage");
    assert_string_equal(json_string_value(json_object_get(cu, "component_id")), "api");
    assert_string_equal(
        json_string_value(json_object_get(json_object_get(body, "component"), "name")), "API");
    json_decref(body);
    sp_page_free(&p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_url_ok),
        cmocka_unit_test(test_private_addresses),
        cmocka_unit_test(test_secret_per_id_and_key),
        cmocka_unit_test(test_bodies),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
