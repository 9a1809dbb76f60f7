/*
 * config/delivery_check: warnings (never errors) about methods a config names that cannot
 * deliver: a severity's `notify:` channel no user can receive (no user has the address) or that
 * is not configured under `notify:` (email, sms, voice, ticket), and each user who lacks a
 * method their severities name, and each contacts directory entry an escalation step pages
 * (`contact:ID`) that lacks a method the step's severities name. `tocsin check-config` prints them
 * as FILE:LINE: warning: ..., and the server logs them at start and on reload; at page time the
 * same gaps are on the incident's timeline (notify.queued "dropped") and counted
 * (tocsin_notify_methods_dropped_total). Pure; runs on a loaded config. Threads: any.
 */
#include "config/config.h"
#include "util/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* The user's address for method m (sms and voice: the phone), NULL when none. */
static const char *address(const struct config_user *u, const char *m)
{
    if (strcmp(m, "email") == 0)
        return u->email;
    if (strcmp(m, "sms") == 0 || strcmp(m, "voice") == 0)
        return u->phone;
    if (strcmp(m, "slack") == 0)
        return u->slack;
    if (strcmp(m, "webhook") == 0)
        return u->webhook;
    return NULL;
}

/* The `notify:` key a method needs, and whether it is set; NULL when it needs none. */
static const char *unconfigured(const struct config *c, const char *m)
{
    if (strcmp(m, "email") == 0 && !c->notify.email.url)
        return "notify.email";
    if (strcmp(m, "sms") == 0 && !c->notify.sms.url)
        return "notify.sms";
    if (strcmp(m, "voice") == 0 && !c->notify.voice.url)
        return "notify.voice";
    if (strcmp(m, "ticket") == 0 && !c->notify.ticket.url)
        return "notify.ticket";
    return NULL;
}

void config_warning_add(struct config_errors *out, const struct config *c, int line,
                        const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    char line_s[600 + 400];
    if (line > 0)
        snprintf(line_s, sizeof line_s, "%s:%d: warning: %s", c->path ? c->path : "config", line,
                 msg);
    else
        snprintf(line_s, sizeof line_s, "%s: warning: %s", c->path ? c->path : "config", msg);
    out->items = xrealloc(out->items, (out->count + 1) * sizeof *out->items);
    out->items[out->count++] = xstrdup(line_s);
}

static bool named(const struct string_list *l, const char *s)
{
    for (size_t i = 0; i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

/* Steps that page a contact (contact:ID): the methods the step's severities name that the
 * contact cannot receive (it has only a phone and an email). */
static void contact_gaps(const struct config *c, const struct config_escalation_policy *p,
                         size_t si, const struct config_contact *ct, struct config_errors *out)
{
    const struct config_escalation_step *st = &p->steps[si];
    static const char *const methods[] = {"email", "sms", "voice"};
    char lacks[64] = "";
    size_t len = 0;
    for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
        bool wanted = false;
        for (size_t i = 0; i < c->severity_count && !wanted; i++)
            wanted = (!st->when.severity.count || named(&st->when.severity, c->severities[i].id)) &&
                     named(&c->severities[i].notify, methods[k]);
        struct config_user as_user = {.email = ct->email, .phone = ct->phone};
        if (wanted && !address(&as_user, methods[k]))
            len += (size_t)snprintf(lacks + len, sizeof lacks - len, "%s%s", len ? ", " : "",
                                    methods[k]);
    }
    if (len)
        config_warning_add(
            out, c, st->line,
            "escalation policy %s step %zu pages contact %s, who lacks %s (named by its "
            "severities' notify): the page reaches them by %s",
            p->id, si + 1, ct->id, lacks,
            ct->email && ct->phone ? "the other methods"
            : ct->email            ? "email"
                                   : "sms");
}

void config_delivery_warnings(const struct config *c, struct config_errors *out)
{
    if (!c)
        return;
    for (size_t i = 0; i < c->severity_count; i++) {
        const struct config_severity *s = &c->severities[i];
        for (size_t k = 0; k < s->notify.count; k++) {
            const char *m = s->notify.items[k], *key = unconfigured(c, m);
            if (key) {
                config_warning_add(out, c, s->line,
                                   "severity %s names %s, but %s is not configured: %s", s->id, m,
                                   key,
                                   strcmp(m, "ticket") == 0 ? "its tickets will fail"
                                                            : "no page of it goes out that way");
                continue;
            }
            if (strcmp(m, "ticket") == 0)
                continue;
            size_t reach = 0;
            for (size_t u = 0; u < c->user_count; u++)
                reach += address(&c->users[u], m) != NULL;
            if (c->user_count && !reach)
                config_warning_add(
                    out, c, s->line,
                    "severity %s names %s, which no user can receive (no user has %s)", s->id, m,
                    strcmp(m, "sms") == 0 || strcmp(m, "voice") == 0 ? "a phone"
                    : strcmp(m, "email") == 0                        ? "an email"
                                                                     : m);
        }
    }
    for (size_t u = 0; u < c->user_count; u++) {
        const struct config_user *usr = &c->users[u];
        char lacks[400] = "";
        size_t len = 0;
        static const char *const methods[] = {"email", "sms", "voice", "slack", "webhook"};
        for (size_t k = 0; k < sizeof methods / sizeof methods[0]; k++) {
            bool wanted = false;
            for (size_t i = 0; i < c->severity_count && !wanted; i++)
                wanted = named(&c->severities[i].notify, methods[k]);
            if (!wanted || address(usr, methods[k]) || len + 12 >= sizeof lacks)
                continue;
            len += (size_t)snprintf(lacks + len, sizeof lacks - len, "%s%s", len ? ", " : "",
                                    methods[k]);
        }
        if (len && usr->rule_count == 0)
            config_warning_add(
                out, c, usr->line,
                "user %s lacks %s, named by the severities' notify: pages reach them by the other "
                "methods (each gap is on the incident's timeline)",
                usr->id, lacks);
    }
    for (size_t i = 0; i < c->policy_count; i++)
        for (size_t k = 0; k < c->policies[i].step_count; k++) {
            const struct string_list *n = &c->policies[i].steps[k].notify;
            for (size_t t = 0; t < n->count; t++)
                if (strncmp(n->items[t], "contact:", 8) == 0 &&
                    config_contact_find(c, n->items[t] + 8))
                    contact_gaps(c, &c->policies[i], k, config_contact_find(c, n->items[t] + 8),
                                 out);
        }
    config_roles_warnings(c, out);
    config_rules_warnings(c, out);
}
