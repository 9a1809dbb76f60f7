/*
 * test_config: the YAML config loader (src/config.c, src/config_parse.c, src/util/yaml_tree.c).
 *
 * Covers: a full valid config loads with the right values (durations in ms, ranks, defaults, the
 * schedule shorthand); each class of error gives the exact "FILE:LINE: message" (unknown key,
 * bad duration, unknown reference, duplicate id, YAML syntax, missing required key, wrong type);
 * several errors are collected at once, sorted by line; every examples/ config loads cleanly;
 * alert ingest settings (services[].alerts, heartbeats, ingest) and config_alert_severity.
 * Small cases are written from string literals into a temp dir; the big ones are fixture files
 * under tests/unit/fixtures/config/. Tests run from the repo root.
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

#define FIXTURES "tests/unit/fixtures/config/"
#define SEV "severities: [{id: SEV1, name: Critical}]\n" /* one line, makes a file valid */

static char tmp_dir[64];
static char tmp_file[128];

static int group_setup(void **state)
{
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/tocsin-test-config-XXXXXX");
    if (!mkdtemp(tmp_dir))
        return -1;
    snprintf(tmp_file, sizeof tmp_file, "%s/t.yaml", tmp_dir);
    return 0;
}

static int group_teardown(void **state)
{
    unlink(tmp_file);
    rmdir(tmp_dir);
    return 0;
}

static struct config *load_string(const char *yaml, struct config_errors *errs)
{
    FILE *fp = fopen(tmp_file, "w");
    assert_non_null(fp);
    assert_int_equal(fwrite(yaml, 1, strlen(yaml), fp), strlen(yaml));
    assert_int_equal(fclose(fp), 0);
    return config_load(tmp_file, errs);
}

/* The errors for yaml, each without its "FILE:" prefix, one per line ("" when it loaded). */
static char *load_errors(const char *yaml)
{
    struct config_errors errs = {0};
    struct config *c = load_string(yaml, &errs);
    size_t plen = strlen(tmp_file), total = 1;
    for (size_t i = 0; i < errs.count; i++)
        total += strlen(errs.items[i]) + 1;
    char *out = calloc(1, total);
    assert_non_null(out);
    size_t used = 0;
    for (size_t i = 0; i < errs.count; i++) {
        const char *e = errs.items[i];
        assert_memory_equal(e, tmp_file, plen);
        assert_int_equal(e[plen], ':');
        size_t n = strlen(e + plen + 1);
        memcpy(out + used, e + plen + 1, n);
        used += n;
        out[used++] = '\n';
    }
    if (errs.count == 0)
        assert_non_null(c);
    else
        assert_null(c);
    config_unref(c);
    config_errors_free(&errs);
    return out;
}

#define assert_errors(yaml, expected)                                                              \
    do {                                                                                           \
        char *got_ = load_errors(yaml);                                                            \
        assert_string_equal(got_, expected);                                                       \
        free(got_);                                                                                \
    } while (0)

static void assert_list(const struct string_list *l, size_t n, ...)
{
    va_list ap;
    assert_int_equal(l->count, n);
    va_start(ap, n);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(l->items[i], va_arg(ap, const char *));
    va_end(ap);
}

/* ---- a full valid config ------------------------------------------------------------------- */

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

/* ---- one test per class of error ----------------------------------------------------------- */

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
    assert_errors(SEV "server: {listen: \"127.0.0.1:80\", tls: true}\n",
                  "2: server: unknown key \"tls\"\n");
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

static void test_rotation_start(void **state)
{
    static const struct {
        const char *start, *error;
    } cases[] = {
        {"2025-06-30", NULL},
        {"1970-01-01", NULL},
        {"2024-02-29", NULL},
        {"2025-02-29", "\"2025-02-29\" is not a date in the calendar (that month is shorter)"},
        {"2024-04-31", "\"2024-04-31\" is not a date in the calendar (that month is shorter)"},
        {"2024-1-1", "\"2024-1-1\" is not a date (YYYY-MM-DD, e.g. 2024-01-01)"},
        {"2024-13-01", "\"2024-13-01\" is not a date (YYYY-MM-DD, e.g. 2024-01-01)"},
        {"1969-12-31", "\"1969-12-31\" is not a date (YYYY-MM-DD, e.g. 2024-01-01)"},
        {"monday", "\"monday\" is not a date (YYYY-MM-DD, e.g. 2024-01-01)"},
    };
    char yaml[512], want[512];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        snprintf(yaml, sizeof yaml,
                 SEV "users: [{id: a}]\n"
                     "schedules:\n"
                     "  - id: s\n"
                     "    timezone: Europe/Berlin\n"
                     "    rotation: {every: 1w, handoff: \"mon 09:00\", users: [a],\n"
                     "               start: \"%s\"}\n",
                 cases[i].start);
        if (cases[i].error)
            snprintf(want, sizeof want, "7: schedules[0].rotation.start: %s\n", cases[i].error);
        else
            want[0] = '\0';
        assert_errors(yaml, want);
    }
    /* at most 32 restriction windows per layer */
    char many[2048] = "";
    for (int i = 0; i < 33; i++) {
        size_t used = strlen(many);
        snprintf(many + used, sizeof many - used, "%s\"%02d:%02d-%02d:50\"", i ? ", " : "", i % 24,
                 i / 24 * 10, i % 24);
    }
    char big[4096];
    snprintf(big, sizeof big,
             SEV "users: [{id: a}]\n"
                 "schedules:\n"
                 "  - {id: s, timezone: UTC, layers: [{name: l, rotation: {every: 1d, handoff: "
                 "\"09:00\", users: [a]},\n"
                 "     restrictions: [%s]}]}\n",
             many);
    assert_errors(big, "5: schedules[0].layers[0].restrictions: at most 32 windows per layer\n");
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
                      "checklists: [{id: c, title: C, when: {severity: [SEV7]}, items: [x]}]\n",
                  "3: schedules[0].rotation.users[1]: unknown user \"b\"\n"
                  "10: escalation_policies[0].steps[0].notify[1]: schedule \"s\" has no layer "
                  "\"backup\"\n"
                  "11: escalation_policies[0].steps[0].notify[2]: unknown schedule \"t\"\n"
                  "12: escalation_policies[0].steps[0].notify[3]: unknown team \"x\"\n"
                  "13: escalation_policies[0].steps[0].notify[4]: \"pager:a\" is not a target "
                  "(use schedule:ID, schedule:ID/LAYER, user:ID or team:ID)\n"
                  "14: escalation_policies[0].steps[0].when.type[0]: unknown incident type "
                  "\"outage\"\n"
                  "15: checklists[0].when.severity[0]: unknown severity \"SEV7\"\n");
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

static void test_storage_rules(void **state)
{
    assert_errors(SEV "storage: {driver: sqlite, url: \"postgres://x\"}\n",
                  "2: storage.url: only for driver postgres (sqlite uses path)\n");
    assert_errors(SEV "storage:\n  driver: postgres\n  url: \"postgres://x\"\n  path: a.db\n",
                  "5: storage.path: only for driver sqlite (postgres uses url)\n");
    assert_errors(SEV "storage: {driver: mysql}\n",
                  "2: storage.driver: \"mysql\" is not one of sqlite, postgres\n");
}

static void test_schedule_rules(void **state)
{
    const char *users = SEV "users: [{id: a}]\n";
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             "%sschedules:\n"
             "  - id: s\n"
             "    timezone: UTC\n"
             "    rotation: {every: 1w, handoff: \"mon 09:00\", users: [a]}\n"
             "    layers: [{name: x, rotation: {every: 1w, handoff: \"09:00\", users: [a]}}]\n",
             users);
    assert_errors(yaml, "7: schedules[0].layers: use either \"rotation\" (one layer) or "
                        "\"layers\", not both\n");
    snprintf(yaml, sizeof yaml,
             "%sschedules:\n"
             "  - id: s\n"
             "    timezone: Mars/Olympus_Mons\n"
             "    layers:\n"
             "      - name: \"bad name\"\n"
             "        rotation: {every: 1w, handoff: \"someday 09:00\", users: [a]}\n"
             "        restrictions: [\"mon-fri 09:00-17:00\", \"weekdays 9-5\", \"12:00-12:00\"]\n",
             users);
    assert_errors(yaml,
                  "5: schedules[0].timezone: \"Mars/Olympus_Mons\" is not a known time zone (e.g. "
                  "UTC, Europe/Berlin; see /usr/share/zoneinfo)\n"
                  "7: schedules[0].layers[0].name: \"bad name\" is not a valid id (1 to 64 "
                  "characters of A-Z a-z 0-9 . _ -)\n"
                  "8: schedules[0].layers[0].rotation.handoff: \"someday 09:00\" is not a handoff "
                  "time (HH:MM, or DAY HH:MM with DAY one of mon tue wed thu fri sat sun)\n"
                  "9: schedules[0].layers[0].restrictions[1]: \"weekdays 9-5\" is not a "
                  "restriction (e.g. \"mon-fri 09:00-17:00\", \"sat,sun 10:00-16:00\", "
                  "\"18:00-09:00\")\n"
                  "9: schedules[0].layers[0].restrictions[2]: \"12:00-12:00\" is an empty time "
                  "window (start and end are equal)\n");
}

static void test_escalation_rules(void **state)
{
    assert_errors(SEV "users: [{id: a}]\n"
                      "escalation_policies:\n"
                      "  - id: p\n"
                      "    repeat: -1\n"
                      "    steps:\n"
                      "      - {after: 30m, notify: [user:a]}\n"
                      "      - notify: [user:a]\n"
                      "        after: 10m\n"
                      "      - {after: 30m, notify: [user:a, user:a]}\n",
                  "5: escalation_policies[0].repeat: -1 is out of range (0 to 100)\n"
                  "9: escalation_policies[0].steps[1].after: 10m is earlier than the step before "
                  "it (30m); steps must be in order\n"
                  "10: escalation_policies[0].steps[2].notify[1]: \"user:a\" is listed twice\n");
}

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
    char want[256];
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

/* ---- alert ingest: services[].alerts, heartbeats, ingest ---------------------------------- */

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
    load_examples("examples/*.yaml", &found);
    load_examples("examples/*.yml", &found);
    if (found == 0) {
        print_message("note: no examples/*.yaml yet (run from the repo root); skipping\n");
        skip();
    }
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
        cmocka_unit_test(test_storage_rules),    cmocka_unit_test(test_schedule_rules),
        cmocka_unit_test(test_escalation_rules), cmocka_unit_test(test_probe_rules),
        cmocka_unit_test(test_formats),          cmocka_unit_test(test_many_errors),
        cmocka_unit_test(test_cannot_read),      cmocka_unit_test(test_error_cap),
        cmocka_unit_test(test_alerts_defaults),  cmocka_unit_test(test_alerts_full),
        cmocka_unit_test(test_alerts_errors),    cmocka_unit_test(test_heartbeats),
        cmocka_unit_test(test_ingest),           cmocka_unit_test(test_alert_severity_rules),
        cmocka_unit_test(test_examples_load),    cmocka_unit_test(test_rotation_start),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
