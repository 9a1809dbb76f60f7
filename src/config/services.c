/*
 * config_services: the `services:` list: id, name, description, escalation policy, status page
 * component, runbooks, an optional HTTP probe (`probe:`: every, timeout, expected status/body,
 * latency, fail/recover thresholds) and how alerts become incidents (`alerts:`: group_by label
 * names, auto_resolve, severity, severity_label, severity_map). Defaults: auto_resolve true,
 * severity_label "severity", probe expect_status 200, fail_after 3, recover_after 1. Rules that
 * span keys: a probe's timeout is shorter than its interval; severity_map keys differ ignoring
 * case. config_alert_severity maps a raw alert severity to a severity id by these rules. Threads:
 * none (runs inside one config_load; the lookups read a loaded config).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/yaml_tree.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

CFG_ASSERT_ID_NAME(struct config_service);

static const char *check_label_name(const char *s)
{
    static const char first[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
    if (!s[0] || !strchr(first, s[0]) ||
        strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_") != strlen(s))
        return "is not a label name (a letter or _, then letters, digits or _)";
    return NULL;
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
    bool http = p->url && strncmp(p->url, "http", 4) == 0,
         tls = p->url && (strncmp(p->url, "tls://", 6) == 0 || strncmp(p->url, "https://", 8) == 0);
    if (p->url && !http && p->expect_body)
        config_parse_error(ctx, config_parse_key_line(n, "expect_body", n->line),
                           "%s.expect_body: only an http(s):// probe has a body (url %s)", path,
                           p->url);
    if (p->url && !tls && (p->cert_expiry_days || p->ca_file))
        config_parse_error(
            ctx, config_parse_key_line(n, p->ca_file ? "ca_file" : "cert_expiry_days", n->line),
            "%s.%s: only a tls:// or https:// probe has a certificate (url %s)", path,
            p->ca_file ? "ca_file" : "cert_expiry_days", p->url);
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

/* A probe's target: http(s):// as a URL; tcp://HOST:PORT, tls://HOST:PORT, dns://NAME. */
static const char *check_probe_url(const char *s)
{
    const char *rest = NULL;
    bool port = false;
    if (strncmp(s, "tcp://", 6) == 0 || strncmp(s, "tls://", 6) == 0) {
        rest = s + 6;
        port = true;
    } else if (strncmp(s, "dns://", 6) == 0)
        rest = s + 6;
    else
        return config_parse_check_http_url(s);
    const char *colon = strrchr(rest, ':');
    if (!*rest || strpbrk(rest, "/ \t?#@"))
        return "is not a probe target (tcp://HOST:PORT, tls://HOST:PORT, dns://NAME, or an "
               "http(s):// URL)";
    if (port) {
        char *end = NULL;
        long p = colon ? strtol(colon + 1, &end, 10) : 0;
        if (!colon || colon == rest || !end || *end || p < 1 || p > 65535)
            return "needs HOST:PORT with a port from 1 to 65535 (tcp://HOST:PORT, tls://HOST:PORT)";
    } else if (colon)
        return "is a name to resolve: dns://NAME, without a port";
    return NULL;
}

static const struct cfg_field probe_fields[] = {
    FLD(struct config_probe, "url", url, CFG_STR, .required = true, .check = check_probe_url),
    FLD(struct config_probe, "cert_expiry_days", cert_expiry_days, CFG_INT, .min = 1, .max = 3650),
    FLD(struct config_probe, "ca_file", ca_file, CFG_STR),
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
        .check = check_label_name),
    FLD(struct config_alert_policy, "auto_resolve", auto_resolve, CFG_BOOL),
    FLD(struct config_alert_policy, "severity", severity, CFG_STR,
        .ref = &config_section_severities),
    FLD(struct config_alert_policy, "severity_label", severity_label, CFG_STR,
        .check = check_label_name),
    FLD(struct config_alert_policy, "severity_map", severity_map, CFG_STRMAP,
        .count_off = offsetof(struct config_alert_policy, severity_map_count),
        .key_check = config_parse_check_alert_severity, .ref = &config_section_severities),
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
    FLD(struct config_service, "escalation", escalation, CFG_STR,
        .ref = &config_section_escalation_policies),
    FLD(struct config_service, "component", component, CFG_STR),
    FLD(struct config_service, "runbooks", runbooks, CFG_STRLIST, .unique = true,
        .ref = &config_section_runbooks),
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

const struct cfg_section config_section_services = {
    .field = CFG_SECTION_LIST("services", services, service_count, service_spec),
    .noun = "service",
    .id_off = offsetof(struct config_service, id),
};

const struct config_service *config_service_find(const struct config *c, const char *id)
{
    return config_section_find(c, &config_section_services, id);
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
