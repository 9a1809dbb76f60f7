/*
 * config: the YAML configuration file -> validated, immutable `struct config` (see config.h).
 *
 * Job: read the file, parse it into a line-numbered tree (util/yaml_tree), apply the schema tables
 * below (and those of the paging sections in config_paging.c) with the engine in config_parse.c,
 * then resolve every reference between sections (a service's escalation policy, a step's
 * "schedule:ID/LAYER"...). Every problem is collected as "FILE:LINE: path: problem"; the messages
 * come back sorted by line. Invariants: the schema is data: one cfg_spec per struct of config.h,
 * one cfg_field per key, and the same tables free what they decoded, so config_unref cannot miss a
 * member. A returned config had no error at all; it is never modified afterwards (only `refs`
 * changes). Ownership: config_load returns a config holding one reference; config_unref frees it
 * all when the last reference goes. Error strings belong to the caller's config_errors. Threads:
 * config_load runs on any one thread; config_ref/config_unref are atomic; a loaded config is
 * read-only and shared freely while referenced.
 */
#include "config/config.h"
#include "config/parse.h"
#include "domain/oncall.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/yaml_tree.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    CONFIG_MAX_FILE = 16 * 1024 * 1024,
    DEFAULT_MAX_BODY = 1024 * 1024,
    DEFAULT_INGEST_RATE = 60000, /* events per minute per integration key */
    DEFAULT_INGEST_BURST = 10000,
    MAX_INGEST = 1000000000,
};

/* ---- hooks: defaults and checks that span fields ------------------------------------------ */

static void severity_init(void *obj)
{
    struct config_severity *s = obj;
    s->ack_within = s->resolve_within = s->update_every = s->postmortem_due = -1;
}

static void severity_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                          const char *path, size_t index)
{
    ((struct config_severity *)obj)->rank = (int)index + 1;
}

static void probe_init(void *obj)
{
    struct config_probe *p = obj;
    p->every = p->timeout = p->max_latency = -1;
    p->expect_status = 200;
    p->fail_after = 3;
    p->recover_after = 1;
}

static void probe_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                       const char *path, size_t index)
{
    const struct config_probe *p = obj;
    char t[32], e[32];
    if (p->every < 0 || p->timeout < 0 || p->timeout < p->every)
        return;
    time_format_duration(p->timeout, t, sizeof t);
    time_format_duration(p->every, e, sizeof e);
    config_parse_error(ctx, config_parse_key_line(n, "timeout", n->line),
                       "%s.timeout: %s must be shorter than every (%s)", path, t, e);
}

static void service_init(void *obj)
{
    ((struct config_service *)obj)->alerts.auto_resolve = true;
}

/* name = id; alerts.severity_label = "severity" (whether or not `alerts:` was given). */
static void service_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                         const char *path, size_t index)
{
    struct config_service *s = obj;
    config_parse_default_name(ctx, n, obj, path, index);
    if (!s->alerts.severity_label)
        s->alerts.severity_label = xstrdup("severity");
}

/* severity_map keys are matched ignoring case, so two that differ only in case are ambiguous. */
static void alert_policy_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                              const char *path, size_t index)
{
    const struct config_alert_policy *p = obj;
    char q[128];
    for (size_t i = 1; i < p->severity_map_count; i++) {
        const struct config_severity_mapping *m = &p->severity_map[i];
        for (size_t j = 0; j < i; j++) {
            if (strcasecmp(p->severity_map[j].from, m->from) != 0)
                continue;
            config_parse_error(ctx, m->line,
                               "%s.severity_map.%s: duplicate key %s (first at line %d; keys are "
                               "matched ignoring case)",
                               path, m->from, config_parse_quote(m->from, q, sizeof q),
                               p->severity_map[j].line);
            break;
        }
    }
}

static void heartbeat_init(void *obj)
{
    struct config_heartbeat *h = obj;
    h->interval = -1;
    h->grace = 0;
}

static void heartbeat_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                           const char *path, size_t index)
{
    struct config_heartbeat *h = obj;
    if (!h->severity)
        h->severity = xstrdup("critical");
    if (!h->summary && h->name) {
        size_t len = strlen(h->name) + sizeof "Heartbeat  missed";
        h->summary = xmalloc(len);
        snprintf(h->summary, len, "Heartbeat %s missed", h->name);
    }
}

/* ---- the schema ---------------------------------------------------------------------------- */

static const char *const channels[] = {"email", "sms", "slack", "webhook", "voice", "ticket", NULL};
static const char *const drivers[] = {"sqlite", "postgres", NULL};
static const char *const phases[] = {"triage",     "mitigate", "resolve",
                                     "postmortem", "handoff",  NULL};
static const char *const statuses[] = {"investigating", "identified", "monitoring", "resolved",
                                       NULL};

static const struct cfg_field server_fields[] = {
    FLD(struct config, "listen", server.listen, CFG_STR, .check = config_parse_check_listen),
    FLD(struct config, "public_url", server.public_url, CFG_STR,
        .check = config_parse_check_http_url),
    FLD(struct config, "max_body", server.max_body, CFG_SIZE, .min = 1,
        .max = 1024LL * 1024 * 1024),
};
static const struct cfg_spec server_spec = {
    .line_off = NO_OFF, FIELDS(server_fields), .uniq_off = NO_OFF};

static const struct cfg_field storage_fields[] = {
    FLD(struct config, "driver", storage.driver, CFG_STR, .choices = drivers),
    FLD(struct config, "path", storage.path, CFG_STR),
    FLD(struct config, "url", storage.url, CFG_STR),
};
static const struct cfg_spec storage_spec = {
    .line_off = NO_OFF, FIELDS(storage_fields), .uniq_off = NO_OFF};

static const struct cfg_field postmortem_fields[] = {
    FLD(struct config_severity, "required", postmortem_required, CFG_BOOL, .required = true),
    FLD(struct config_severity, "due", postmortem_due, CFG_DURATION),
};
static const struct cfg_spec postmortem_spec = {
    .line_off = NO_OFF, FIELDS(postmortem_fields), .uniq_off = NO_OFF};

static const struct cfg_field severity_fields[] = {
    ID_FIELD(struct config_severity),
    FLD(struct config_severity, "name", name, CFG_STR, .required = true),
    FLD(struct config_severity, "description", description, CFG_STR),
    FLD(struct config_severity, "ack_within", ack_within, CFG_DURATION),
    FLD(struct config_severity, "resolve_within", resolve_within, CFG_DURATION),
    FLD(struct config_severity, "update_every", update_every, CFG_DURATION, .min = MS_PER_MIN),
    FLD(struct config_severity, "notify", notify, CFG_STRLIST, .choices = channels, .unique = true),
    {.key = "postmortem", .type = CFG_MAP, .off = 0, .sub = &postmortem_spec},
};
static const struct cfg_spec severity_spec = {.size = sizeof(struct config_severity),
                                              .line_off = offsetof(struct config_severity, line),
                                              FIELDS(severity_fields),
                                              .init = severity_init,
                                              .post = severity_post,
                                              .uniq_off = offsetof(struct config_severity, id),
                                              .uniq_key = "id"};

static const struct cfg_field type_fields[] = {
    ID_FIELD(struct config_incident_type),
    FLD(struct config_incident_type, "name", name, CFG_STR),
    FLD(struct config_incident_type, "description", description, CFG_STR),
    FLD(struct config_incident_type, "escalation", escalation, CFG_STR, .ref = CFG_REF_POLICY),
    FLD(struct config_incident_type, "severity", severity, CFG_STR, .ref = CFG_REF_SEVERITY),
    FLD(struct config_incident_type, "runbooks", runbooks, CFG_STRLIST, .unique = true,
        .ref = CFG_REF_RUNBOOK),
    FLD(struct config_incident_type, "checklists", checklists, CFG_STRLIST, .unique = true,
        .ref = CFG_REF_CHECKLIST),
};
static const struct cfg_spec type_spec = {.size = sizeof(struct config_incident_type),
                                          .line_off = offsetof(struct config_incident_type, line),
                                          FIELDS(type_fields),
                                          .post = config_parse_default_name,
                                          .uniq_off = offsetof(struct config_incident_type, id),
                                          .uniq_key = "id"};

static const struct cfg_field probe_fields[] = {
    FLD(struct config_probe, "url", url, CFG_STR, .required = true,
        .check = config_parse_check_http_url),
    FLD(struct config_probe, "every", every, CFG_DURATION, .required = true, .min = MS_PER_SEC),
    FLD(struct config_probe, "timeout", timeout, CFG_DURATION, .required = true, .min = 1),
    FLD(struct config_probe, "expect_status", expect_status, CFG_INT, .min = 100, .max = 599),
    FLD(struct config_probe, "expect_body", expect_body, CFG_STR),
    FLD(struct config_probe, "max_latency", max_latency, CFG_DURATION, .min = 1),
    FLD(struct config_probe, "fail_after", fail_after, CFG_INT, .min = 1, .max = 100),
    FLD(struct config_probe, "recover_after", recover_after, CFG_INT, .min = 1, .max = 100),
};
static const struct cfg_spec probe_spec = {.size = sizeof(struct config_probe),
                                           .line_off = offsetof(struct config_probe, line),
                                           FIELDS(probe_fields),
                                           .init = probe_init,
                                           .post = probe_post,
                                           .uniq_off = NO_OFF};

static const struct cfg_field alert_policy_fields[] = {
    FLD(struct config_alert_policy, "group_by", group_by, CFG_STRLIST, .unique = true,
        .check = config_parse_check_label_name),
    FLD(struct config_alert_policy, "auto_resolve", auto_resolve, CFG_BOOL),
    FLD(struct config_alert_policy, "severity", severity, CFG_STR, .ref = CFG_REF_SEVERITY),
    FLD(struct config_alert_policy, "severity_label", severity_label, CFG_STR,
        .check = config_parse_check_label_name),
    FLD(struct config_alert_policy, "severity_map", severity_map, CFG_STRMAP,
        .count_off = offsetof(struct config_alert_policy, severity_map_count),
        .key_check = config_parse_check_alert_severity, .ref = CFG_REF_SEVERITY),
};
static const struct cfg_spec alert_policy_spec = {.line_off =
                                                      offsetof(struct config_alert_policy, line),
                                                  FIELDS(alert_policy_fields),
                                                  .post = alert_policy_post,
                                                  .uniq_off = NO_OFF};

static const struct cfg_field service_fields[] = {
    ID_FIELD(struct config_service),
    FLD(struct config_service, "name", name, CFG_STR),
    FLD(struct config_service, "description", description, CFG_STR),
    FLD(struct config_service, "escalation", escalation, CFG_STR, .ref = CFG_REF_POLICY),
    FLD(struct config_service, "component", component, CFG_STR),
    FLD(struct config_service, "runbooks", runbooks, CFG_STRLIST, .unique = true,
        .ref = CFG_REF_RUNBOOK),
    FLD(struct config_service, "probe", probe, CFG_PTR, .sub = &probe_spec),
    FLD(struct config_service, "alerts", alerts, CFG_MAP, .sub = &alert_policy_spec),
};
static const struct cfg_spec service_spec = {.size = sizeof(struct config_service),
                                             .line_off = offsetof(struct config_service, line),
                                             FIELDS(service_fields),
                                             .init = service_init,
                                             .post = service_post,
                                             .uniq_off = offsetof(struct config_service, id),
                                             .uniq_key = "id"};

/* `when:` of escalation steps (config_paging.c) and checklists. */
static const struct cfg_field condition_fields[] = {
    FLD(struct config_condition, "severity", severity, CFG_STRLIST, .unique = true,
        .ref = CFG_REF_SEVERITY),
    FLD(struct config_condition, "type", type, CFG_STRLIST, .unique = true, .ref = CFG_REF_TYPE),
};
const struct cfg_spec config_condition_spec = {
    .line_off = NO_OFF, FIELDS(condition_fields), .uniq_off = NO_OFF};

static const struct cfg_field runbook_fields[] = {
    ID_FIELD(struct config_runbook),
    FLD(struct config_runbook, "title", title, CFG_STR, .required = true),
    FLD(struct config_runbook, "url", url, CFG_STR, .check = config_parse_check_http_url),
    FLD(struct config_runbook, "steps", steps, CFG_STRLIST),
};
static const struct cfg_spec runbook_spec = {.size = sizeof(struct config_runbook),
                                             .line_off = offsetof(struct config_runbook, line),
                                             FIELDS(runbook_fields),
                                             .uniq_off = offsetof(struct config_runbook, id),
                                             .uniq_key = "id"};

static const struct cfg_field checklist_fields[] = {
    ID_FIELD(struct config_checklist),
    FLD(struct config_checklist, "title", title, CFG_STR, .required = true),
    FLD(struct config_checklist, "when", when, CFG_MAP, .sub = &config_condition_spec),
    FLD(struct config_checklist, "phase", phase, CFG_STR, .choices = phases),
    FLD(struct config_checklist, "items", items, CFG_STRLIST, .required = true, .min = 1),
};
static const struct cfg_spec checklist_spec = {.size = sizeof(struct config_checklist),
                                               .line_off = offsetof(struct config_checklist, line),
                                               FIELDS(checklist_fields),
                                               .uniq_off = offsetof(struct config_checklist, id),
                                               .uniq_key = "id"};

static const struct cfg_field template_fields[] = {
    ID_FIELD(struct config_status_template),
    FLD(struct config_status_template, "status", status, CFG_STR, .required = true,
        .choices = statuses),
    FLD(struct config_status_template, "title", title, CFG_STR, .required = true),
    FLD(struct config_status_template, "body", body, CFG_STR, .required = true),
};
static const struct cfg_spec template_spec = {
    .size = sizeof(struct config_status_template),
    .line_off = offsetof(struct config_status_template, line),
    FIELDS(template_fields),
    .uniq_off = offsetof(struct config_status_template, id),
    .uniq_key = "id"};

static const struct cfg_field heartbeat_fields[] = {
    FLD(struct config_heartbeat, "name", name, CFG_STR, .required = true,
        .check = config_parse_check_id),
    FLD(struct config_heartbeat, "service", service, CFG_STR, .required = true,
        .ref = CFG_REF_SERVICE),
    FLD(struct config_heartbeat, "interval", interval, CFG_DURATION, .required = true,
        .min = MS_PER_SEC),
    FLD(struct config_heartbeat, "grace", grace, CFG_DURATION, .min = 0),
    FLD(struct config_heartbeat, "severity", severity, CFG_STR,
        .check = config_parse_check_alert_severity),
    FLD(struct config_heartbeat, "summary", summary, CFG_STR),
};
static const struct cfg_spec heartbeat_spec = {.size = sizeof(struct config_heartbeat),
                                               .line_off = offsetof(struct config_heartbeat, line),
                                               FIELDS(heartbeat_fields),
                                               .init = heartbeat_init,
                                               .post = heartbeat_post,
                                               .uniq_off = offsetof(struct config_heartbeat, name),
                                               .uniq_key = "name"};

static const struct cfg_field ingest_fields[] = {
    FLD(struct config, "rate_limit", ingest.rate_limit, CFG_INT64, .min = 1, .max = MAX_INGEST),
    FLD(struct config, "burst", ingest.burst, CFG_INT64, .min = 1, .max = MAX_INGEST),
};
static const struct cfg_spec ingest_spec = {
    .line_off = NO_OFF, FIELDS(ingest_fields), .uniq_off = NO_OFF};

static void config_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                        const char *path, size_t index);

#define SECTION(k, member, counter, spec_, ...)                                                    \
    FLD(struct config, k, member, CFG_LIST, .sub = &(spec_),                                       \
        .count_off = offsetof(struct config, counter), __VA_ARGS__)
static const struct cfg_field config_fields[] = {
    {.key = "server", .type = CFG_MAP, .off = 0, .sub = &server_spec},
    {.key = "storage", .type = CFG_MAP, .off = 0, .sub = &storage_spec},
    SECTION("severities", severities, severity_count, severity_spec, .required = true, .min = 1),
    SECTION("incident_types", types, type_count, type_spec),
    SECTION("users", users, user_count, config_user_spec),
    SECTION("teams", teams, team_count, config_team_spec),
    SECTION("services", services, service_count, service_spec),
    SECTION("schedules", schedules, schedule_count, config_schedule_spec),
    SECTION("escalation_policies", policies, policy_count, config_policy_spec),
    SECTION("runbooks", runbooks, runbook_count, runbook_spec),
    SECTION("checklists", checklists, checklist_count, checklist_spec),
    SECTION("status_templates", status_templates, status_template_count, template_spec),
    SECTION("heartbeats", heartbeats, heartbeat_count, heartbeat_spec),
    {.key = "ingest", .type = CFG_MAP, .off = 0, .sub = &ingest_spec},
    {.key = "notify", .type = CFG_MAP, .off = 0, .sub = &config_notify_spec},
};
static const struct cfg_spec config_spec = {
    .line_off = NO_OFF, FIELDS(config_fields), .post = config_post, .uniq_off = NO_OFF};

/* Server defaults; storage driver rules. */
static void config_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                        const char *path, size_t index)
{
    struct config *c = obj;
    if (!c->server.listen)
        c->server.listen = xstrdup("127.0.0.1:8080");
    if (!c->server.public_url) {
        size_t len = strlen(c->server.listen) + sizeof "http://";
        c->server.public_url = xmalloc(len);
        snprintf(c->server.public_url, len, "http://%s", c->server.listen);
    }
    if (!c->storage.driver)
        c->storage.driver = xstrdup("sqlite");
    const struct yaml_tree_node *st = yaml_tree_map_get(n, "storage");
    int line = st ? st->line : 0;
    if (strcmp(c->storage.driver, "postgres") == 0) {
        if (!c->storage.url)
            config_parse_error(ctx, line, "storage.url: required when driver is postgres");
        if (c->storage.path)
            config_parse_error(ctx, config_parse_key_line(st, "path", line),
                               "storage.path: only for driver sqlite (postgres uses url)");
    } else if (strcmp(c->storage.driver, "sqlite") == 0) {
        if (c->storage.url)
            config_parse_error(ctx, config_parse_key_line(st, "url", line),
                               "storage.url: only for driver postgres (sqlite uses path)");
        if (!c->storage.path)
            c->storage.path = xstrdup("tocsin.db");
    }
}

/* ---- references between sections ---------------------------------------------------------- */

struct section {
    const char *noun;
    size_t arr_off, count_off, size, id_off;
};
#define SECTION_OF(noun, st, arr, counter)                                                         \
    {                                                                                              \
        noun, offsetof(struct config, arr), offsetof(struct config, counter), sizeof(st),          \
            offsetof(st, id)                                                                       \
    }
static const struct section sections[CFG_REF_COUNT] = {
    [CFG_REF_SEVERITY] = SECTION_OF("severity", struct config_severity, severities, severity_count),
    [CFG_REF_TYPE] = SECTION_OF("incident type", struct config_incident_type, types, type_count),
    [CFG_REF_USER] = SECTION_OF("user", struct config_user, users, user_count),
    [CFG_REF_TEAM] = SECTION_OF("team", struct config_team, teams, team_count),
    [CFG_REF_SCHEDULE] = SECTION_OF("schedule", struct config_schedule, schedules, schedule_count),
    [CFG_REF_POLICY] =
        SECTION_OF("escalation policy", struct config_escalation_policy, policies, policy_count),
    [CFG_REF_RUNBOOK] = SECTION_OF("runbook", struct config_runbook, runbooks, runbook_count),
    [CFG_REF_CHECKLIST] =
        SECTION_OF("checklist", struct config_checklist, checklists, checklist_count),
    [CFG_REF_SERVICE] = SECTION_OF("service", struct config_service, services, service_count),
};

static const void *section_find(const struct config *c, enum cfg_ref kind, const char *id)
{
    const struct section *s = &sections[kind];
    if (!c || !id || !s->noun)
        return NULL;
    const char *arr = *(char *const *)((const char *)c + s->arr_off);
    size_t count = *(const size_t *)((const char *)c + s->count_off);
    for (size_t i = 0; arr && i < count; i++) {
        const char *elem = arr + i * s->size;
        const char *eid = *(char *const *)(elem + s->id_off);
        if (eid && strcmp(eid, id) == 0)
            return elem;
    }
    return NULL;
}

static bool layer_exists(const struct config_schedule *s, const char *name)
{
    for (size_t i = 0; i < s->layer_count; i++)
        if (s->layers[i].name && strcmp(s->layers[i].name, name) == 0)
            return true;
    return false;
}

/* "schedule:ID", "schedule:ID/LAYER", "user:ID", "team:ID". */
static void resolve_target(struct cfg_ctx *ctx, const struct config *c,
                           const struct cfg_pending_ref *r)
{
    static const struct {
        const char *prefix;
        enum cfg_ref kind;
        bool layers;
    } kinds[] = {{"schedule:", CFG_REF_SCHEDULE, true},
                 {"user:", CFG_REF_USER, false},
                 {"team:", CFG_REF_TEAM, false}};
    char q[128], q2[128], id[128];
    for (size_t i = 0; i < sizeof kinds / sizeof kinds[0]; i++) {
        size_t plen = strlen(kinds[i].prefix);
        if (strncmp(r->value, kinds[i].prefix, plen) != 0)
            continue;
        const char *rest = r->value + plen;
        const char *slash = kinds[i].layers ? strchr(rest, '/') : NULL;
        size_t idlen = slash ? (size_t)(slash - rest) : strlen(rest);
        if (idlen >= sizeof id)
            idlen = sizeof id - 1;
        memcpy(id, rest, idlen);
        id[idlen] = '\0';
        const void *found = section_find(c, kinds[i].kind, id);
        if (!found)
            config_parse_error(ctx, r->line, "%s: unknown %s %s", r->path,
                               sections[kinds[i].kind].noun, config_parse_quote(id, q, sizeof q));
        else if (slash && !layer_exists(found, slash + 1))
            config_parse_error(ctx, r->line, "%s: schedule %s has no layer %s", r->path,
                               config_parse_quote(id, q, sizeof q),
                               config_parse_quote(slash + 1, q2, sizeof q2));
        return;
    }
    config_parse_error(ctx, r->line,
                       "%s: %s is not a target (use schedule:ID, schedule:ID/LAYER, user:ID or "
                       "team:ID)",
                       r->path, config_parse_quote(r->value, q, sizeof q));
}

static void resolve_refs(struct cfg_ctx *ctx, const struct config *c)
{
    char q[128];
    for (size_t i = 0; i < ctx->ref_count; i++) {
        const struct cfg_pending_ref *r = &ctx->refs[i];
        if (r->kind == CFG_REF_TARGET)
            resolve_target(ctx, c, r);
        else if (!section_find(c, r->kind, r->value))
            config_parse_error(ctx, r->line, "%s: unknown %s %s", r->path, sections[r->kind].noun,
                               config_parse_quote(r->value, q, sizeof q));
    }
}

/* ---- loading ------------------------------------------------------------------------------- */

static int read_file(struct cfg_ctx *ctx, const char *path, char **text, size_t *len)
{
    char ebuf[128];
    FILE *fp = fopen(path, "rb");
    size_t n = 0, alloc = 0;
    char *data = NULL;
    if (!fp) {
        config_parse_error(ctx, 0, "cannot read: %s", strerror_r(errno, ebuf, sizeof ebuf));
        return -1;
    }
    for (;;) {
        if (n == alloc) {
            alloc = alloc ? 2 * alloc : 64 * 1024;
            data = xrealloc(data, alloc + 1);
        }
        size_t got = fread(data + n, 1, alloc - n, fp);
        n += got;
        if (got == 0 || n > CONFIG_MAX_FILE)
            break;
    }
    int err = ferror(fp) ? errno : 0;
    fclose(fp);
    if (err || n > CONFIG_MAX_FILE) {
        if (err)
            config_parse_error(ctx, 0, "cannot read: %s", strerror_r(err, ebuf, sizeof ebuf));
        else
            config_parse_error(ctx, 0, "cannot read: larger than %d MiB",
                               CONFIG_MAX_FILE / (1024 * 1024));
        free(data);
        return -1;
    }
    data[n] = '\0';
    *text = data;
    *len = n;
    return 0;
}

static int error_order(const void *a, const void *b)
{
    const struct cfg_error_item *x = a, *y = b;
    if (x->line != y->line)
        return x->line < y->line ? -1 : 1;
    return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Moves ctx's messages, sorted by line, to the end of errs. */
static void hand_over_errors(struct cfg_ctx *ctx, struct config_errors *errs)
{
    qsort(ctx->errors, ctx->error_count, sizeof *ctx->errors, error_order);
    size_t extra = ctx->error_count + (ctx->truncated ? 1 : 0);
    errs->items = xrealloc(errs->items, (errs->count + extra) * sizeof *errs->items);
    for (size_t i = 0; i < ctx->error_count; i++) {
        errs->items[errs->count++] = ctx->errors[i].msg;
        ctx->errors[i].msg = NULL;
    }
    if (ctx->truncated) {
        char msg[512];
        snprintf(msg, sizeof msg, "%s: too many errors; only the first %d are shown", ctx->file,
                 CFG_MAX_ERRORS);
        errs->items[errs->count++] = xstrdup(msg);
    }
}

static void config_free(struct config *c)
{
    if (!c)
        return;
    config_parse_free(&config_spec, c);
    free(c->path);
    free(c);
}

/* Parses and decodes text; NULL when anything was wrong (ctx holds why). */
static struct config *load_text(struct cfg_ctx *ctx, const char *path, const char *text, size_t len)
{
    struct yaml_tree_node *root = NULL;
    struct yaml_tree_error yerr;
    if (yaml_tree_parse(text, len, &root, &yerr) != 0) {
        config_parse_error(ctx, yerr.line, "%s", yerr.message);
        return NULL;
    }
    if (!root || yaml_tree_is_null(root)) {
        config_parse_error(ctx, root ? root->line : 1,
                           "the file is empty (at least \"severities\" is required)");
        yaml_tree_free(root);
        return NULL;
    }
    struct config *c = xcalloc(1, sizeof *c);
    c->path = xstrdup(path);
    c->refs = 1;
    c->server.max_body = DEFAULT_MAX_BODY;
    c->ingest.rate_limit = DEFAULT_INGEST_RATE;
    c->ingest.burst = DEFAULT_INGEST_BURST;
    config_paging_defaults(c);
    config_parse_decode_map(ctx, &config_spec, root, c, "");
    if (root->kind == YAML_TREE_MAP)
        resolve_refs(ctx, c);
    yaml_tree_free(root);
    if (ctx->error_count > 0 || ctx->truncated) {
        config_free(c);
        return NULL;
    }
    return c;
}

struct config *config_load(const char *path, struct config_errors *errs)
{
    struct cfg_ctx ctx = {.file = path};
    struct config *c = NULL;
    char *text = NULL;
    size_t len = 0;
    if (read_file(&ctx, path, &text, &len) == 0)
        c = load_text(&ctx, path, text, len);
    if (!c && errs)
        hand_over_errors(&ctx, errs);
    config_parse_ctx_free(&ctx);
    free(text);
    return c;
}

struct config *config_load_reporting(const char *path)
{
    struct config_errors errs = {0};
    struct config *c = config_load(path, &errs);
    for (size_t i = 0; i < errs.count; i++)
        fprintf(stderr, "%s\n", errs.items[i]);
    config_errors_free(&errs);
    return c;
}

void config_errors_free(struct config_errors *errs)
{
    if (!errs)
        return;
    for (size_t i = 0; i < errs->count; i++)
        free(errs->items[i]);
    free(errs->items);
    errs->items = NULL;
    errs->count = 0;
}

struct config *config_ref(struct config *c)
{
    if (c)
        __atomic_add_fetch(&c->refs, 1, __ATOMIC_RELAXED);
    return c;
}

void config_unref(struct config *c)
{
    if (c && __atomic_sub_fetch(&c->refs, 1, __ATOMIC_ACQ_REL) == 0)
        config_free(c);
}

/* ---- lookups (linear: configs hold tens of entries) --------------------------------------- */

const struct config_severity *config_severity_find(const struct config *c, const char *id)
{
    return section_find(c, CFG_REF_SEVERITY, id);
}

const struct config_user *config_user_find(const struct config *c, const char *id)
{
    return section_find(c, CFG_REF_USER, id);
}

const struct config_service *config_service_find(const struct config *c, const char *id)
{
    const struct config_service *s = c ? c->services : NULL;
    for (size_t i = 0; s && id && i < c->service_count; i++)
        if (s[i].id && strcmp(s[i].id, id) == 0)
            return &s[i];
    return NULL;
}

const struct config_incident_type *config_type_find(const struct config *c, const char *id)
{
    return section_find(c, CFG_REF_TYPE, id);
}

const struct config_schedule *config_schedule_find(const struct config *c, const char *id)
{
    return section_find(c, CFG_REF_SCHEDULE, id);
}

const struct config_escalation_policy *config_policy_find(const struct config *c, const char *id)
{
    return section_find(c, CFG_REF_POLICY, id);
}

const struct config_heartbeat *config_heartbeat_find(const struct config *c, const char *name)
{
    const struct config_heartbeat *h = c ? c->heartbeats : NULL;
    for (size_t i = 0; h && name && i < c->heartbeat_count; i++)
        if (h[i].name && strcmp(h[i].name, name) == 0)
            return &h[i];
    return NULL;
}

const char *config_alert_severity(const struct config *c, const struct config_service *s,
                                  const char *raw)
{
    if (s) {
        for (size_t i = 0; raw && i < s->alerts.severity_map_count; i++)
            if (strcasecmp(s->alerts.severity_map[i].from, raw) == 0)
                return s->alerts.severity_map[i].to;
        if (s->alerts.severity)
            return s->alerts.severity;
    }
    if (!c || c->severity_count == 0)
        return NULL;
    return c->severities[c->severity_count >= 2 ? 1 : 0].id;
}
