/*
 * test_config: the config loader and its engine (src/config/config.c, parse.c, util/yaml_tree.c).
 *
 * Covers: a full valid config loads with the right values (durations in ms, ranks, defaults, the
 * schedule shorthand); each class of error gives the exact "FILE:LINE: message" (unknown key,
 * bad duration, unknown reference, duplicate id, YAML syntax, missing required key, wrong type);
 * several errors are collected at once, sorted by line; unreadable files; the error cap; every
 * examples/ config loads cleanly (a missing examples/ is a failure). The sections' own rules are
 * in test_paging.c, test_services.c and test_formats.c. Files are found from TOCSIN_ROOT (set by
 * the Makefile), so the test runs from any directory.
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

/* ---- a full valid config --------------------------------------------------------------------- */

static void check_full_server_and_severities(const struct config *c)
{
    assert_string_equal(c->path, FIXTURES "full.yaml");
    assert_string_equal(c->server.listen, "127.0.0.1:9090");
    assert_string_equal(c->server.public_url, "https://status.example.com");
    assert_int_equal(c->server.max_body, 2 * 1024 * 1024);
    assert_string_equal(c->storage.driver, "sqlite");
    assert_string_equal(c->storage.path, "data/tocsin.db");
    assert_null(c->storage.url);

    assert_int_equal(c->severity_count, 3);
    const struct config_severity *s1 = &c->severities[0], *s3 = &c->severities[2];
    assert_string_equal(s1->id, "SEV1");
    assert_string_equal(s1->name, "Critical");
    assert_string_equal(s1->description, "Complete outage, data loss, security breach");
    assert_int_equal(s1->rank, 1);
    assert_int_equal(s1->ack_within, 15 * 60 * 1000);
    assert_int_equal(s1->resolve_within, 60 * 60 * 1000);
    assert_int_equal(s1->update_every, 30 * 60 * 1000);
    assert_list(&s1->notify, 3, "sms", "email", "slack");
    assert_true(s1->postmortem_required);
    assert_int_equal(s1->postmortem_due, 48LL * 3600 * 1000);
    assert_int_equal(s1->line, 9);
    assert_int_equal(c->severities[1].rank, 2);
    assert_int_equal(c->severities[1].line, 17);
    assert_int_equal(s3->rank, 3);
    assert_null(s3->description);
    assert_int_equal(s3->ack_within, -1);
    assert_int_equal(s3->resolve_within, -1);
    assert_int_equal(s3->update_every, -1);
    assert_int_equal(s3->postmortem_due, -1);
    assert_false(s3->postmortem_required);
    assert_int_equal(s3->notify.count, 0);
}

static void check_full_people_and_services(const struct config *c)
{
    assert_int_equal(c->type_count, 2);
    assert_string_equal(c->types[0].escalation, "security");
    assert_string_equal(c->types[0].severity, "SEV1");
    assert_list(&c->types[0].runbooks, 1, "breach");
    assert_list(&c->types[0].checklists, 1, "sev1-triage");
    assert_string_equal(c->types[1].name, "outage"); /* defaults to the id */
    assert_null(c->types[1].escalation);

    assert_int_equal(c->user_count, 5);
    const struct config_user *alice = config_user_find(c, "alice");
    assert_non_null(alice);
    assert_string_equal(alice->email, "alice@example.com");
    assert_string_equal(alice->phone, "+15550101");
    assert_string_equal(alice->timezone, "Europe/Berlin");
    const struct config_user *carol = config_user_find(c, "carol");
    assert_string_equal(carol->name, "carol");
    assert_null(carol->email);
    assert_null(carol->phone);
    assert_null(carol->timezone);
    assert_null(config_user_find(c, "mallory"));

    assert_int_equal(c->team_count, 1);
    assert_list(&c->teams[0].members, 2, "alice", "bob");

    const struct config_service *api = config_service_find(c, "api");
    assert_non_null(api);
    assert_string_equal(api->name, "API Gateway");
    assert_string_equal(api->escalation, "default");
    assert_string_equal(api->component, "API");
    assert_non_null(api->probe);
    assert_string_equal(api->probe->url, "http://127.0.0.1:3000/health");
    assert_int_equal(api->probe->every, 30000);
    assert_int_equal(api->probe->timeout, 2000);
    assert_int_equal(api->probe->expect_status, 200);
    assert_null(api->probe->expect_body);
    assert_int_equal(api->probe->max_latency, -1);
    assert_int_equal(api->probe->fail_after, 5);
    assert_int_equal(api->probe->recover_after, 1);
    const struct config_service *db = config_service_find(c, "db");
    assert_string_equal(db->name, "db");
    assert_null(db->probe);
    assert_null(db->escalation);
}

static void check_full_schedules(const struct config *c)
{
    const struct config_schedule *p = config_schedule_find(c, "primary");
    assert_non_null(p);
    assert_string_equal(p->name, "primary");
    assert_string_equal(p->timezone, "Europe/Berlin");
    assert_int_equal(p->layer_count, 1); /* the shorthand: one layer named primary */
    assert_string_equal(p->layers[0].name, "primary");
    assert_int_equal(p->layers[0].rotation.every, 7LL * 24 * 3600 * 1000);
    assert_string_equal(p->layers[0].rotation.handoff, "mon 09:00");
    assert_string_equal(p->layers[0].rotation.start, "2024-01-01"); /* the default */
    assert_list(&p->layers[0].rotation.users, 2, "alice", "bob");
    assert_int_equal(p->layers[0].restrictions.count, 0);

    const struct config_schedule *s = config_schedule_find(c, "secondary");
    assert_string_equal(s->name, "Secondary on-call");
    assert_int_equal(s->layer_count, 2);
    assert_string_equal(s->layers[0].name, "business");
    assert_int_equal(s->layers[0].rotation.every, 24LL * 3600 * 1000);
    assert_string_equal(s->layers[0].rotation.handoff, "09:00");
    assert_list(&s->layers[0].restrictions, 1, "mon-fri 09:00-17:00");
    assert_string_equal(s->layers[1].name, "nights");
    assert_int_equal(s->layers[1].line, 54);
    assert_int_equal(s->layers[1].rotation.line, 56); /* its first key */
    assert_string_equal(s->layers[1].rotation.handoff, "fri 18:00");
    assert_list(&s->layers[1].restrictions, 2, "mon-fri 17:00-09:00", "sat,sun 00:00-24:00");
}

static void check_full_policies_and_texts(const struct config *c)
{
    const struct config_escalation_policy *d = config_policy_find(c, "default");
    assert_non_null(d);
    assert_string_equal(d->name, "default");
    assert_int_equal(d->repeat, 2);
    assert_int_equal(d->step_count, 4);
    assert_int_equal(d->steps[0].after, 0);
    assert_list(&d->steps[0].notify, 1, "schedule:primary");
    assert_int_equal(d->steps[0].when.severity.count, 0);
    assert_int_equal(d->steps[1].after, 15 * 60 * 1000);
    assert_list(&d->steps[1].notify, 2, "schedule:secondary/nights", "team:sre");
    assert_list(&d->steps[2].when.severity, 2, "SEV1", "SEV2");
    assert_int_equal(d->steps[3].after, 3600 * 1000);
    assert_list(&d->steps[3].when.type, 1, "security");
    assert_int_equal(d->steps[3].line, 68);
    assert_int_equal(config_policy_find(c, "security")->repeat, 0);

    assert_int_equal(c->runbook_count, 1);
    assert_string_equal(c->runbooks[0].url, "https://wiki.example.com/breach");
    assert_list(&c->runbooks[0].steps, 2, "Preserve evidence", "Rotate the keys");
    assert_int_equal(c->checklist_count, 1);
    assert_string_equal(c->checklists[0].phase, "triage");
    assert_list(&c->checklists[0].when.severity, 1, "SEV1");
    assert_list(&c->checklists[0].items, 2, "Open the incident channel",
                "Page the incident commander");
    assert_int_equal(c->status_template_count, 1);
    assert_string_equal(c->status_templates[0].status, "investigating");
    assert_string_equal(c->status_templates[0].title, "Investigating: {{title}}");
    assert_string_equal(c->status_templates[0].body, "We are investigating reports of errors.");

    assert_ptr_equal(config_severity_find(c, "SEV2"), &c->severities[1]);
    assert_ptr_equal(config_type_find(c, "security"), &c->types[0]);
    assert_null(config_severity_find(c, "SEV9"));
    assert_null(config_severity_find(c, NULL));
    assert_null(config_type_find(NULL, "security"));
}

static void test_full_config(void **state)
{
    struct config_errors errs = {0};
    struct config *c = config_load(FIXTURES "full.yaml", &errs);
    for (size_t i = 0; i < errs.count; i++)
        print_error("%s\n", errs.items[i]);
    assert_int_equal(errs.count, 0);
    assert_non_null(c);
    check_full_server_and_severities(c);
    check_full_people_and_services(c);
    check_full_schedules(c);
    check_full_policies_and_texts(c);
    assert_ptr_equal(config_ref(c), c);
    config_unref(c); /* back to one reference: still usable */
    assert_string_equal(c->severities[0].id, "SEV1");
    config_unref(c);
    config_errors_free(&errs);
}

static void test_defaults(void **state)
{
    struct config_errors errs = {0};
    struct config *c = load_string(SEV, &errs);
    assert_non_null(c);
    assert_string_equal(c->server.listen, "127.0.0.1:8080");
    assert_string_equal(c->server.public_url, "http://127.0.0.1:8080");
    assert_int_equal(c->server.max_body, 1048576);
    assert_string_equal(c->storage.driver, "sqlite");
    assert_string_equal(c->storage.path, "tocsin.db");
    assert_int_equal(c->user_count, 0);
    assert_null(c->users);
    config_unref(c);

    c = load_string(
        "server: {listen: \"0.0.0.0:9000\", max_body: 512KiB}\n"
        "storage: {driver: postgres, url: \"postgres://tocsin@localhost/tocsin\"}\n" SEV,
        &errs);
    assert_non_null(c);
    assert_string_equal(c->server.public_url, "http://0.0.0.0:9000");
    assert_int_equal(c->server.max_body, 512 * 1024);
    assert_string_equal(c->storage.driver, "postgres");
    assert_null(c->storage.path);
    assert_string_equal(c->storage.url, "postgres://tocsin@localhost/tocsin");
    config_unref(c);
    assert_int_equal(errs.count, 0);
}

/* Block and flow style give the same config. */
static void test_flow_and_block(void **state)
{
    struct config_errors errs = {0};
    struct config *flow =
        load_string("severities: [{id: SEV1, name: C, ack_within: 5m, notify: [email, sms]}]\n"
                    "users: [{id: a}, {id: b}]\n"
                    "schedules: [{id: s, timezone: UTC, layers: [{name: l, rotation: {every: 12h, "
                    "handoff: \"sun 23:30\", users: [a, b]}, restrictions: [\"09:00-17:00\"]}]}]\n",
                    &errs);
    assert_non_null(flow);
    struct config *block = load_string("severities:\n"
                                       "  - id: SEV1\n"
                                       "    name: C\n"
                                       "    ack_within: 5m\n"
                                       "    notify:\n"
                                       "      - email\n"
                                       "      - sms\n"
                                       "users:\n"
                                       "  - id: a\n"
                                       "  - id: b\n"
                                       "schedules:\n"
                                       "  - id: s\n"
                                       "    timezone: UTC\n"
                                       "    layers:\n"
                                       "      - name: l\n"
                                       "        rotation:\n"
                                       "          every: 12h\n"
                                       "          handoff: sun 23:30\n"
                                       "          users:\n"
                                       "            - a\n"
                                       "            - b\n"
                                       "        restrictions:\n"
                                       "          - 09:00-17:00\n",
                                       &errs);
    assert_non_null(block);
    assert_int_equal(errs.count, 0);
    struct config *both[] = {flow, block};
    for (int i = 0; i < 2; i++) {
        const struct config *c = both[i];
        assert_int_equal(c->severities[0].ack_within, 300000);
        assert_list(&c->severities[0].notify, 2, "email", "sms");
        assert_int_equal(c->user_count, 2);
        const struct config_schedule_layer *l = &c->schedules[0].layers[0];
        assert_int_equal(l->rotation.every, 12 * 3600 * 1000);
        assert_string_equal(l->rotation.handoff, "sun 23:30");
        assert_list(&l->rotation.users, 2, "a", "b");
        assert_list(&l->restrictions, 1, "09:00-17:00");
    }
    assert_int_equal(block->schedules[0].layers[0].rotation.line, 17);
    config_unref(flow);
    config_unref(block);
}

/* ---- each class of error --------------------------------------------------------------------- */

static void test_unknown_key(void **state)
{
    assert_errors(SEV "colour: blue\n", "2: top level: unknown key \"colour\"\n");
    assert_errors("severities:\n"
                  "  - id: SEV1\n"
                  "    name: Critical\n"
                  "    postmortem:\n"
                  "      required: true\n"
                  "      due: 2d\n"
                  "      owner: alice\n",
                  "7: severities[0].postmortem: unknown key \"owner\"\n");
    assert_errors(SEV "server: {listen: \"127.0.0.1:80\", https: true}\n",
                  "2: server: unknown key \"https\"\n");
    assert_errors(SEV "server: {listen: \"127.0.0.1:80\", tls: true}\n",
                  "2: server.tls: expected a map, got a string\n");
    assert_errors(SEV "services:\n"
                      "  - id: api\n"
                      "    probe:\n"
                      "      url: http://127.0.0.1/\n"
                      "      every: 1m\n"
                      "      timeout: 5s\n"
                      "      retries: 3\n",
                  "8: services[0].probe: unknown key \"retries\"\n");
}

static void test_bad_duration(void **state)
{
    assert_errors(
        "severities:\n"
        "  - {id: SEV1, name: Critical}\n"
        "  - id: SEV2\n"
        "    name: Major\n"
        "    ack_within: 15x\n",
        "5: severities[1].ack_within: \"15x\" is not a duration (use 30s, 15m, 1h, 1d)\n");
    assert_errors(SEV "escalation_policies: [{id: p, steps: [{after: 15, notify: [user:a]}]}]\n"
                      "users: [{id: a}]\n",
                  "2: escalation_policies[0].steps[0].after: \"15\" is not a duration (use 30s, "
                  "15m, 1h, 1d)\n");
    assert_errors(SEV "users: [{id: a}]\n"
                      "schedules: [{id: s, timezone: UTC, rotation: {every: 30m, handoff: "
                      "\"09:00\", users: [a]}}]\n",
                  "3: schedules[0].rotation.every: \"30m\" is too short (at least 1h)\n");
    /* a duration near INT64_MAX ms parses, but now + it would overflow: refused */
    assert_errors(SEV "users: [{id: a, email: a@example.com}]\n"
                      "notify: {ack_link_ttl: 15250284452w}\n",
                  "3: notify.ack_link_ttl: \"15250284452w\" is too long (at most 3650d)\n");
    assert_errors("severities: [{id: SEV1, name: C, ack_within: 3651d}]\n",
                  "1: severities[0].ack_within: \"3651d\" is too long (at most 3650d)\n");
}

static void test_unknown_reference(void **state)
{
    assert_errors(SEV "incident_types:\n"
                      "  - {id: security, escalation: sec, severity: SEV0}\n"
                      "services:\n"
                      "  - {id: api, escalation: default, runbooks: [restart]}\n"
                      "teams: [{id: t, members: [ghost]}]\n",
                  "3: incident_types[0].escalation: unknown escalation policy \"sec\"\n"
                  "3: incident_types[0].severity: unknown severity \"SEV0\"\n"
                  "5: services[0].escalation: unknown escalation policy \"default\"\n"
                  "5: services[0].runbooks[0]: unknown runbook \"restart\"\n"
                  "6: teams[0].members[0]: unknown user \"ghost\"\n");
    assert_errors(SEV "users: [{id: a}]\n"
                      "schedules: [{id: s, timezone: UTC, rotation: {every: 1w, handoff: "
                      "\"09:00\", users: [a, b]}}]\n"
                      "escalation_policies:\n"
                      "  - id: p\n"
                      "    steps:\n"
                      "      - after: 0m\n"
                      "        notify:\n"
                      "          - schedule:s/primary\n"
                      "          - schedule:s/backup\n"
                      "          - schedule:t\n"
                      "          - team:x\n"
                      "          - pager:a\n"
                      "        when: {type: [outage]}\n"
                      "fallback: user:a\n"
                      "checklists: [{id: c, title: C, when: {severity: [SEV7]}, items: [x]}]\n",
                  "3: schedules[0].rotation.users[1]: unknown user \"b\"\n"
                  "10: escalation_policies[0].steps[0].notify[1]: schedule \"s\" has no layer "
                  "\"backup\"\n"
                  "11: escalation_policies[0].steps[0].notify[2]: unknown schedule \"t\"\n"
                  "12: escalation_policies[0].steps[0].notify[3]: unknown team \"x\"\n"
                  "13: escalation_policies[0].steps[0].notify[4]: \"pager:a\" is not a target "
                  "(use schedule:ID, schedule:ID/LAYER, user:ID, team:ID or contact:ID)\n"
                  "14: escalation_policies[0].steps[0].when.type[0]: unknown incident type "
                  "\"outage\"\n"
                  "16: checklists[0].when.severity[0]: unknown severity \"SEV7\"\n");
}

static void test_duplicates(void **state)
{
    assert_errors(SEV "users:\n"
                      "  - {id: alice}\n"
                      "  - {id: bob}\n"
                      "  - {id: alice, name: Other Alice}\n",
                  "5: users[2].id: duplicate id \"alice\" (first defined at line 3)\n");
    assert_errors(SEV "runbooks:\n"
                      "  - id: r\n"
                      "    title: One\n"
                      "    title: Two\n",
                  "5: runbooks[0]: duplicate key \"title\" (first at line 4)\n");
    assert_errors(SEV
                  "users: [{id: a}]\n"
                  "schedules:\n"
                  "  - id: s\n"
                  "    timezone: UTC\n"
                  "    layers:\n"
                  "      - {name: day, rotation: {every: 1d, handoff: \"09:00\", users: [a]}}\n"
                  "      - {name: day, rotation: {every: 1d, handoff: \"21:00\", users: [a]}}\n",
                  "8: schedules[0].layers[1].name: duplicate name \"day\" (first defined at line "
                  "7)\n");
    assert_errors("severities: [{id: S, name: s, notify: [sms, email, sms]}]\n",
                  "1: severities[0].notify[2]: \"sms\" is listed twice\n");
}

static void test_yaml_syntax_error(void **state)
{
    assert_errors(SEV "users: [{id: a}\n",
                  "3: YAML syntax error: did not find expected ',' or ']' (while parsing a flow "
                  "sequence at line 2)\n");
    assert_errors("severities:\n"
                  "  - id: SEV1\n"
                  "   name: x\n",
                  "3: YAML syntax error: did not find expected '-' indicator (while parsing a "
                  "block collection at line 2)\n");
    assert_errors(SEV "note: a: b\n",
                  "2: YAML syntax error: mapping values are not allowed in this context\n");
    assert_errors(SEV "base: &b {a: 1}\n", "2: YAML anchors (&b) are not supported; write the "
                                           "value out\n");
    assert_errors(SEV "x: *b\n", "2: YAML aliases (*b) are not supported; write the value out\n");
    assert_errors(SEV "---\n" SEV, "2: only one YAML document is allowed (remove the second "
                                   "\"---\")\n");
    assert_errors("", "1: the file is empty (at least \"severities\" is required)\n");
    assert_errors("# nothing\n", "1: the file is empty (at least \"severities\" is required)\n");
    assert_errors("- a\n- b\n", "1: top level: expected a map, got a list\n");
}

static void test_missing_required(void **state)
{
    assert_errors("users: [{id: a}]\n", "1: top level: missing required key \"severities\"\n");
    assert_errors("severities: []\n", "1: severities: needs at least 1 entry\n");
    assert_errors("severities:\n"
                  "  - name: Critical\n"
                  "  - id: SEV2\n"
                  "    name:\n",
                  "2: severities[0]: missing required key \"id\"\n"
                  "4: severities[1].name: a value is required\n");
    assert_errors(SEV "services: [{id: api, probe: {url: \"http://127.0.0.1/\"}}]\n",
                  "2: services[0].probe: missing required key \"every\"\n"
                  "2: services[0].probe: missing required key \"timeout\"\n");
    assert_errors(SEV "schedules: [{id: s, timezone: UTC}]\n",
                  "2: schedules[0]: missing required key \"layers\" (or \"rotation\" for one "
                  "layer)\n");
    assert_errors(SEV "storage: {driver: postgres}\n",
                  "2: storage.url: required when driver is postgres\n");
    assert_errors(SEV "status_templates: [{id: t, status: resolved, title: T}]\n"
                      "escalation_policies: [{id: p, steps: [{after: 0m}]}]\n",
                  "2: status_templates[0]: missing required key \"body\"\n"
                  "3: escalation_policies[0].steps[0]: missing required key \"notify\"\n");
}

static void test_wrong_type(void **state)
{
    assert_errors("severities:\n"
                  "  - id: SEV1\n"
                  "    name: {first: Crit}\n"
                  "    notify: email\n"
                  "    postmortem: {required: yes}\n"
                  "  - [SEV2]\n",
                  "3: severities[0].name: expected a string, got a map\n"
                  "4: severities[0].notify: expected a list, got a string\n"
                  "5: severities[0].postmortem.required: \"yes\" is not a boolean (use true or "
                  "false; yes/no/on/off are not accepted)\n"
                  "6: severities[1]: expected a map, got a list\n");
    assert_errors(SEV "users: {id: a}\n"
                      "escalation_policies: [{id: p, repeat: twice, steps: [{after: 0m, notify: "
                      "[[user:a]]}]}]\n"
                      "services: [{id: s, probe: [http://x/]}]\n"
                      "server: {max_body: 1MB}\n",
                  "2: users: expected a list, got a map\n"
                  "3: escalation_policies[0].repeat: \"twice\" is not an integer\n"
                  "3: escalation_policies[0].steps[0].notify[0]: expected a string, got a list\n"
                  "4: services[0].probe: expected a map, got a list\n"
                  "5: server.max_body: \"1MB\" is not a size (a number of bytes, or with KiB, MiB, "
                  "GiB)\n");
}

static void test_many_errors(void **state)
{
    struct config_errors errs = {0};
    assert_null(config_load(FIXTURES "many_errors.yaml", &errs));
    static const char *const want[] = {
        FIXTURES "many_errors.yaml:2: server.listen: \"localhost\" is not HOST:PORT with a port "
                 "from 1 to 65535",
        FIXTURES "many_errors.yaml:2: server: unknown key \"colour\"",
        FIXTURES "many_errors.yaml:6: severities[0].ack_within: \"15x\" is not a duration (use "
                 "30s, 15m, 1h, 1d)",
        FIXTURES "many_errors.yaml:7: severities[1].id: duplicate id \"SEV1\" (first defined at "
                 "line 4)",
        FIXTURES "many_errors.yaml:9: users[0].email: \"alice.example.com\" is not an e-mail "
                 "address (name@domain)",
        FIXTURES "many_errors.yaml:11: services[0].escalation: unknown escalation policy "
                 "\"missing\"",
    };
    assert_int_equal(errs.count, sizeof want / sizeof want[0]);
    for (size_t i = 0; i < errs.count; i++)
        assert_string_equal(errs.items[i], want[i]);
    config_errors_free(&errs);
    assert_int_equal(errs.count, 0);
    assert_null(errs.items);
}

static void test_cannot_read(void **state)
{
    struct config_errors errs = {0};
    char want[1024];
    assert_null(config_load(FIXTURES "no-such-file.yaml", &errs));
    assert_int_equal(errs.count, 1);
    snprintf(want, sizeof want, FIXTURES "no-such-file.yaml: cannot read: %s", strerror(ENOENT));
    assert_string_equal(errs.items[0], want);
    config_errors_free(&errs);
    assert_null(config_load(FIXTURES, &errs)); /* a directory */
    assert_int_equal(errs.count, 1);
    snprintf(want, sizeof want, FIXTURES ": cannot read: %s", strerror(EISDIR));
    assert_string_equal(errs.items[0], want);
    config_errors_free(&errs);
    assert_null(config_load(FIXTURES "no-such-file.yaml", NULL)); /* errs is optional */
}

/* A file full of mistakes stops collecting at 200 and says so. */
static void test_error_cap(void **state)
{
    size_t n = 300, len = 0, cap = 64 + n * 32;
    char *yaml = malloc(cap);
    assert_non_null(yaml);
    len += (size_t)snprintf(yaml + len, cap - len, SEV "users:\n");
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(yaml + len, cap - len, "  - {id: \"bad %zu\"}\n", i);
    struct config_errors errs = {0};
    assert_null(load_string(yaml, &errs));
    assert_int_equal(errs.count, 201);
    assert_non_null(strstr(errs.items[200], ": too many errors; only the first 200 are shown"));
    config_errors_free(&errs);
    free(yaml);
}

/* ---- the examples ---------------------------------------------------------------------------- */

static void load_examples(const char *pattern, size_t *found)
{
    glob_t g;
    if (glob(pattern, 0, NULL, &g) != 0)
        return;
    for (size_t i = 0; i < g.gl_pathc; i++) {
        struct config_errors errs = {0};
        struct config *c = config_load(g.gl_pathv[i], &errs);
        for (size_t j = 0; j < errs.count; j++)
            print_error("%s\n", errs.items[j]);
        assert_int_equal(errs.count, 0);
        assert_non_null(c);
        assert_true(c->severity_count >= 1);
        config_unref(c);
        (*found)++;
    }
    globfree(&g);
}

static void test_examples_load(void **state)
{
    size_t found = 0;
    load_examples(EXAMPLES "*.yaml", &found);
    load_examples(EXAMPLES "*.yml", &found);
    if (found == 0)
        print_error("no config found in %s\n", EXAMPLES);
    assert_true(found > 0);
    print_message("loaded %zu example config(s) with no errors\n", found);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_full_config),      cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_flow_and_block),   cmocka_unit_test(test_unknown_key),
        cmocka_unit_test(test_bad_duration),     cmocka_unit_test(test_unknown_reference),
        cmocka_unit_test(test_duplicates),       cmocka_unit_test(test_yaml_syntax_error),
        cmocka_unit_test(test_missing_required), cmocka_unit_test(test_wrong_type),
        cmocka_unit_test(test_many_errors),      cmocka_unit_test(test_cannot_read),
        cmocka_unit_test(test_error_cap),        cmocka_unit_test(test_examples_load),
    };
    return cmocka_run_group_tests(tests, config_fixture_setup, config_fixture_teardown);
}
