/*
 * test_services: services and alert ingest settings (src/config/services.c, heartbeats.c,
 * ingest.c): probes, services[].alerts (defaults, a full policy, its errors), heartbeats, ingest
 * limits, and config_alert_severity. Small cases are written into a temp dir; the full ones are
 * tests/unit/fixtures/config/alerts.yaml, found from TOCSIN_ROOT.
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

/* ---- probes ---------------------------------------------------------------------------------- */

static void test_probe_rules(void **state)
{
    assert_errors(SEV "services:\n"
                      "  - id: api\n"
                      "    probe:\n"
                      "      url: ftp://example.com/\n"
                      "      every: 10s\n"
                      "      timeout: 10s\n"
                      "      expect_status: 600\n"
                      "      fail_after: 0\n",
                  "5: services[0].probe.url: \"ftp://example.com/\" is not an http:// or https:// "
                  "URL\n"
                  "7: services[0].probe.timeout: 10s must be shorter than every (10s)\n"
                  "8: services[0].probe.expect_status: 600 is out of range (100 to 599)\n"
                  "9: services[0].probe.fail_after: 0 is out of range (1 to 100)\n");
}

/* ---- alert ingest: services[].alerts, heartbeats, ingest ------------------------------------- */

static void assert_alert_defaults(const struct config_alert_policy *a)
{
    assert_int_equal(a->group_by.count, 0);
    assert_true(a->auto_resolve);
    assert_null(a->severity);
    assert_string_equal(a->severity_label, "severity");
    assert_int_equal(a->severity_map_count, 0);
}

static void test_alerts_defaults(void **state)
{
    struct config_errors errs = {0};
    struct config *c = load_string(SEV "services:\n"
                                       "  - id: api\n"
                                       "  - id: web\n"
                                       "    alerts:\n"
                                       "  - {id: db, alerts: {}}\n",
                                   &errs);
    assert_int_equal(errs.count, 0);
    assert_non_null(c);
    assert_int_equal(c->service_count, 3);
    for (size_t i = 0; i < c->service_count; i++)
        assert_alert_defaults(&c->services[i].alerts);
    assert_null(c->services[0].alerts.severity_map);
    assert_int_equal(c->services[0].alerts.line, 0); /* absent */
    assert_int_equal(c->heartbeat_count, 0);
    assert_null(c->heartbeats);
    assert_null(config_heartbeat_find(c, "x"));
    assert_int_equal(c->ingest.rate_limit, 60000);
    assert_int_equal(c->ingest.burst, 10000);
    config_unref(c);
}

static void test_alerts_full(void **state)
{
    struct config_errors errs = {0};
    struct config *c = config_load(FIXTURES "alerts.yaml", &errs);
    for (size_t i = 0; i < errs.count; i++)
        print_error("%s\n", errs.items[i]);
    assert_int_equal(errs.count, 0);
    assert_non_null(c);

    const struct config_alert_policy *a = &config_service_find(c, "api")->alerts;
    assert_list(&a->group_by, 2, "alertname", "cluster");
    assert_false(a->auto_resolve);
    assert_string_equal(a->severity, "SEV3");
    assert_string_equal(a->severity_label, "priority");
    assert_int_equal(a->line, 10);
    assert_int_equal(a->severity_map_count, 5);
    static const char *const from[] = {"critical", "page", "P1", "error", "warning"};
    static const char *const to[] = {"SEV1", "SEV1", "SEV1", "SEV2", "SEV3"};
    for (size_t i = 0; i < 5; i++) {
        assert_string_equal(a->severity_map[i].from, from[i]);
        assert_string_equal(a->severity_map[i].to, to[i]);
        assert_int_equal(a->severity_map[i].line, 15 + (int)i);
    }
    assert_alert_defaults(&config_service_find(c, "db")->alerts);
    const struct config_alert_policy *b = &config_service_find(c, "batch")->alerts;
    assert_string_equal(b->severity, "SEV1");
    assert_true(b->auto_resolve);
    assert_string_equal(b->severity_label, "severity");

    assert_int_equal(c->heartbeat_count, 2);
    const struct config_heartbeat *h = config_heartbeat_find(c, "nightly-backup");
    assert_ptr_equal(h, &c->heartbeats[0]);
    assert_string_equal(h->service, "db");
    assert_int_equal(h->interval, 24LL * 3600 * 1000);
    assert_int_equal(h->grace, 30 * 60 * 1000);
    assert_string_equal(h->severity, "error");
    assert_string_equal(h->summary, "The nightly backup did not check in");
    assert_int_equal(h->line, 25);
    h = config_heartbeat_find(c, "cron.sync");
    assert_non_null(h);
    assert_string_equal(h->service, "api");
    assert_int_equal(h->interval, 5 * 60 * 1000);
    assert_int_equal(h->grace, 0);
    assert_string_equal(h->severity, "critical");
    assert_string_equal(h->summary, "Heartbeat cron.sync missed");
    assert_int_equal(h->line, 31);
    assert_null(config_heartbeat_find(c, "nightly"));
    assert_null(config_heartbeat_find(c, NULL));
    assert_null(config_heartbeat_find(NULL, "cron.sync"));

    assert_int_equal(c->ingest.rate_limit, 1200);
    assert_int_equal(c->ingest.burst, 50);
    config_unref(c);
}

static void test_alerts_errors(void **state)
{
    /* the exact message, FILE included, for an unknown severity_map target */
    struct config_errors errs = {0};
    char want[512];
    assert_null(load_string("severities: [{id: SEV1, name: C}, {id: SEV2, name: M}]\n"
                            "services:\n"
                            "  - id: api\n"
                            "    alerts:\n"
                            "      severity_map:\n"
                            "        critical: SEV9\n"
                            "        warning: SEV2\n",
                            &errs));
    assert_int_equal(errs.count, 1);
    snprintf(want, sizeof want,
             "%s:6: services[0].alerts.severity_map.critical: unknown severity \"SEV9\"", tmp_file);
    assert_string_equal(errs.items[0], want);
    config_errors_free(&errs);

    assert_errors(SEV "services:\n"
                      "  - id: api\n"
                      "    alerts:\n"
                      "      group_by: [alertname, 1zone, team-name, alertname]\n"
                      "      severity: SEV2\n"
                      "      severity_label: \"sev.level\"\n"
                      "      auto_resolve: yes\n"
                      "      colour: red\n",
                  "5: services[0].alerts.group_by[1]: \"1zone\" is not a label name (a letter or "
                  "_, then letters, digits or _)\n"
                  "5: services[0].alerts.group_by[2]: \"team-name\" is not a label name (a letter "
                  "or _, then letters, digits or _)\n"
                  "5: services[0].alerts.group_by[3]: \"alertname\" is listed twice\n"
                  "6: services[0].alerts.severity: unknown severity \"SEV2\"\n"
                  "7: services[0].alerts.severity_label: \"sev.level\" is not a label name (a "
                  "letter or _, then letters, digits or _)\n"
                  "8: services[0].alerts.auto_resolve: \"yes\" is not a boolean (use true or "
                  "false; yes/no/on/off are not accepted)\n"
                  "9: services[0].alerts: unknown key \"colour\"\n");
    assert_errors(SEV "services:\n"
                      "  - id: api\n"
                      "    alerts:\n"
                      "      severity_map:\n"
                      "        critical: SEV1\n"
                      "        Critical: SEV1\n"
                      "        critical: SEV1\n"
                      "        \"\": SEV1\n"
                      "        "
                      "a-very-long-severity-name-that-goes-on-and-on-and-on-for-more-than-64-"
                      "chars: SEV1\n"
                      "        warning:\n"
                      "        info: [SEV1]\n",
                  "7: services[0].alerts.severity_map.Critical: duplicate key \"Critical\" (first "
                  "at line 6; keys are matched ignoring case)\n"
                  "8: services[0].alerts.severity_map: duplicate key \"critical\" (first at line "
                  "6)\n"
                  "9: services[0].alerts.severity_map: key \"\" must not be empty\n"
                  "10: services[0].alerts.severity_map: key "
                  "\"a-very-long-severity-name-that-goes-on-and-on-and-on-for-more-than-64-chars\" "
                  "is not an alert severity (1 to 64 characters)\n"
                  "11: services[0].alerts.severity_map.warning: a value is required\n"
                  "12: services[0].alerts.severity_map.info: expected a string, got a list\n");
    assert_errors(SEV
                  "services:\n"
                  "  - {id: a, alerts: [group_by]}\n"
                  "  - {id: b, alerts: {severity_map: [critical, SEV1], group_by: alertname}}\n",
                  "3: services[0].alerts: expected a map, got a list\n"
                  "4: services[1].alerts.severity_map: expected a map, got a list\n"
                  "4: services[1].alerts.group_by: expected a list, got a string\n");
}

static void test_heartbeats(void **state)
{
    const char *svc = SEV "services: [{id: db}]\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "%sheartbeats:\n"
             "  - {name: backup, service: db, interval: 1h, grace: 0}\n"
             "  - {name: no-service, interval: 1h}\n"
             "  - {name: ghost, service: cache, interval: 1h}\n"
             "  - {name: fast, service: db, interval: 500ms}\n"
             "  - {name: vague, service: db, interval: 60}\n"
             "  - {name: never, service: db}\n"
             "  - {name: backup, service: db, interval: 1m, grace: soon}\n"
             "  - {name: \"bad name\", service: db, interval: 1m, severity: \"\"}\n",
             svc);
    assert_errors(yaml, "5: heartbeats[1]: missing required key \"service\"\n"
                        "6: heartbeats[2].service: unknown service \"cache\"\n"
                        "7: heartbeats[3].interval: \"500ms\" is too short (at least 1s)\n"
                        "8: heartbeats[4].interval: \"60\" is not a duration (use 30s, 15m, 1h, "
                        "1d)\n"
                        "9: heartbeats[5]: missing required key \"interval\"\n"
                        "10: heartbeats[6].grace: \"soon\" is not a duration (use 30s, 15m, 1h, "
                        "1d)\n"
                        "10: heartbeats[6].name: duplicate name \"backup\" (first defined at line "
                        "4)\n"
                        "11: heartbeats[7].name: \"bad name\" is not a valid id (1 to 64 "
                        "characters of A-Z a-z 0-9 . _ -)\n"
                        "11: heartbeats[7].severity: must not be empty\n");
    assert_errors(SEV "heartbeats: {name: x}\n", "2: heartbeats: expected a list, got a map\n");

    struct config_errors errs = {0};
    snprintf(yaml, sizeof yaml,
             "%sheartbeats:\n"
             "  - name: backup\n"
             "    service: db\n"
             "    interval: 1s\n"
             "    severity: P1\n",
             svc);
    struct config *c = load_string(yaml, &errs);
    assert_int_equal(errs.count, 0);
    assert_non_null(c);
    const struct config_heartbeat *h = config_heartbeat_find(c, "backup");
    assert_non_null(h);
    assert_int_equal(h->interval, 1000);
    assert_int_equal(h->grace, 0);
    assert_string_equal(h->severity, "P1");
    assert_string_equal(h->summary, "Heartbeat backup missed");
    assert_int_equal(h->line, 4);
    config_unref(c);
}

static void test_ingest(void **state)
{
    struct config_errors errs = {0};
    struct config *c = load_string(SEV "ingest: {rate_limit: 1}\n", &errs);
    assert_non_null(c);
    assert_int_equal(c->ingest.rate_limit, 1);
    assert_int_equal(c->ingest.burst, 10000);
    config_unref(c);
    c = load_string(SEV "ingest:\n  burst: 1000000000\n  rate_limit: 6000000\n", &errs);
    assert_non_null(c);
    assert_int_equal(c->ingest.rate_limit, 6000000);
    assert_int_equal(c->ingest.burst, 1000000000);
    config_unref(c);
    c = load_string(SEV "ingest:\n", &errs);
    assert_non_null(c);
    assert_int_equal(c->ingest.rate_limit, 60000);
    assert_int_equal(c->ingest.burst, 10000);
    config_unref(c);
    assert_int_equal(errs.count, 0);

    assert_errors(SEV "ingest:\n"
                      "  rate_limit: 0\n"
                      "  burst: lots\n"
                      "  per: key\n",
                  "3: ingest.rate_limit: 0 is out of range (1 to 1000000000)\n"
                  "4: ingest.burst: \"lots\" is not an integer\n"
                  "5: ingest: unknown key \"per\"\n");
    assert_errors(SEV "ingest: {burst: 1000000001}\n",
                  "2: ingest.burst: 1000000001 is out of range (1 to 1000000000)\n");
    assert_errors(SEV "ingest: [rate_limit]\n", "2: ingest: expected a map, got a list\n");
}

/* config_alert_severity: severity_map (ignoring case), then alerts.severity, then rank 2, then the
 * only severity. */
static void test_alert_severity_rules(void **state)
{
    struct config_errors errs = {0};
    struct config *c = config_load(FIXTURES "alerts.yaml", &errs);
    assert_non_null(c);
    const struct config_service *api = config_service_find(c, "api");
    const struct config_service *db = config_service_find(c, "db");
    const struct config_service *batch = config_service_find(c, "batch");

    /* 1. the service's severity_map, ignoring case */
    assert_string_equal(config_alert_severity(c, api, "critical"), "SEV1");
    assert_string_equal(config_alert_severity(c, api, "CRITICAL"), "SEV1");
    assert_string_equal(config_alert_severity(c, api, "p1"), "SEV1");
    assert_string_equal(config_alert_severity(c, api, "Error"), "SEV2");
    /* 2. else the service's alerts.severity */
    assert_string_equal(config_alert_severity(c, api, "info"), "SEV3");
    assert_string_equal(config_alert_severity(c, api, NULL), "SEV3");
    assert_string_equal(config_alert_severity(c, api, ""), "SEV3");
    assert_string_equal(config_alert_severity(c, batch, "critical"), "SEV1");
    /* 3. else rank 2 */
    assert_string_equal(config_alert_severity(c, db, "critical"), "SEV2");
    assert_string_equal(config_alert_severity(c, NULL, "critical"), "SEV2");
    assert_string_equal(config_alert_severity(c, NULL, NULL), "SEV2");
    assert_null(config_alert_severity(NULL, NULL, "critical"));
    config_unref(c);

    /* 4. else the first, when it is the only one */
    c = load_string(SEV "services: [{id: api, alerts: {severity_map: {warning: SEV1}}}]\n", &errs);
    assert_non_null(c);
    assert_int_equal(errs.count, 0);
    assert_string_equal(config_alert_severity(c, &c->services[0], "info"), "SEV1");
    assert_string_equal(config_alert_severity(c, &c->services[0], "Warning"), "SEV1");
    assert_string_equal(config_alert_severity(c, NULL, "warning"), "SEV1");
    config_unref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_probe_rules),          cmocka_unit_test(test_alerts_defaults),
        cmocka_unit_test(test_alerts_full),          cmocka_unit_test(test_alerts_errors),
        cmocka_unit_test(test_heartbeats),           cmocka_unit_test(test_ingest),
        cmocka_unit_test(test_alert_severity_rules),
    };
    return cmocka_run_group_tests(tests, config_fixture_setup, config_fixture_teardown);
}
