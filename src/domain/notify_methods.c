/*
 * notify_methods: a user's addresses and the choice of methods for a message (see
 * notify_render.h): every matching notify rule (each with its delay), else the severity's channels
 * the user has, else every method the user has; fallback order email, sms, slack, webhook (voice
 * only when named). Pure; any thread.
 */
#include "domain/notify_render.h"

#include <stdio.h>
#include <string.h>

const char *const notify_methods[NOTIFY_METHODS] = {"email", "sms", "slack", "webhook", "voice"};

const char *notify_user_address(const struct config_user *u, const char *method)
{
    if (!u || !method)
        return NULL;
    const char *const have[NOTIFY_METHODS] = {u->email, u->phone, u->slack, u->webhook, u->phone};
    for (size_t i = 0; i < NOTIFY_METHODS; i++)
        if (strcmp(method, notify_methods[i]) == 0)
            return have[i];
    return NULL;
}

static bool has(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* Adds m to out (no repeats) when the user has it. */
static void add_method(const struct config_user *u, const char *m, const char **out, size_t *n)
{
    if (*n < NOTIFY_METHODS && notify_user_address(u, m) && !has(out, *n, m))
        out[(*n)++] = m;
}

size_t notify_user_methods(const struct config_user *u, const char *out[NOTIFY_METHODS])
{
    size_t n = 0;
    for (size_t i = 0; i < u->rule_count; i++)
        for (size_t j = 0; j < u->rules[i].methods.count; j++)
            add_method(u, u->rules[i].methods.items[j], out, &n);
    for (size_t i = 0; i < NOTIFY_DEFAULT_METHODS; i++)
        add_method(u, notify_methods[i], out, &n);
    return n;
}

static bool list_has(const struct string_list *l, const char *s)
{
    for (size_t i = 0; s && i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

/* Adds (m, after, rule) to out unless the user lacks m or it is there with the same delay. */
static void add_choice(const struct config_user *u, const char *m, int64_t after, int rule,
                       struct notify_choice *out, size_t *n)
{
    if (*n >= NOTIFY_CHOICES_MAX || !notify_user_address(u, m))
        return;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(out[i].method, m) == 0 && out[i].after == after)
            return;
    out[(*n)++] = (struct notify_choice){.method = m, .after = after, .rule = rule};
}

size_t notify_choose(const struct config *cfg, const struct config_user *u, const char *severity,
                     struct notify_choice out[NOTIFY_CHOICES_MAX], char *why, size_t why_n)
{
    size_t n = 0, len = 0;
    why[0] = '\0';
    for (size_t i = 0; i < u->rule_count; i++) { /* every matching rule, each with its delay */
        const struct config_notify_rule *r = &u->rules[i];
        if (r->severity.count && !list_has(&r->severity, severity))
            continue;
        size_t before = n;
        for (size_t j = 0; j < r->methods.count; j++)
            add_choice(u, r->methods.items[j], r->after > 0 ? r->after : 0, (int)i + 1, out, &n);
        if (n > before && len < why_n)
            len += (size_t)snprintf(why + len, why_n - len, "%s%zu", len ? ", " : "", i + 1);
    }
    if (n) {
        char rules[120];
        snprintf(rules, sizeof rules, "%s", why);
        snprintf(why, why_n, "%s %s of user %s", strchr(rules, ',') ? "rules" : "rule", rules,
                 u->id);
        return n;
    }
    const struct config_severity *sev = severity ? config_severity_find(cfg, severity) : NULL;
    for (size_t i = 0; sev && i < sev->notify.count; i++)
        add_choice(u, sev->notify.items[i], 0, 0, out, &n); /* ticket: no user's address */
    if (n) {
        snprintf(why, why_n, "channels of severity %s", sev->id);
        return n;
    }
    for (size_t i = 0; i < NOTIFY_DEFAULT_METHODS; i++)
        add_choice(u, notify_methods[i], 0, 0, out, &n);
    if (sev && sev->notify.count)
        snprintf(why, why_n, "every method of user %s (none of severity %s's channels applies)",
                 u->id, sev->id);
    else
        snprintf(why, why_n, "every method of user %s (no rule or severity channel)", u->id);
    return n;
}

/* Why the config cannot send method m to user u, or NULL when it can. */
static const char *cannot_send(const struct config *cfg, const struct config_user *u, const char *m)
{
    if (strcmp(m, "ticket") == 0)
        return NULL; /* not a user's method: one ticket per incident (notify.ticket) */
    if (!notify_user_address(u, m))
        return strcmp(m, "sms") == 0 || strcmp(m, "voice") == 0 ? "the user has no phone"
                                                                : "the user has no address for it";
    if (strcmp(m, "email") == 0 && !cfg->notify.email.url)
        return "notify.email is not configured";
    if (strcmp(m, "sms") == 0 && !cfg->notify.sms.url)
        return "notify.sms is not configured";
    if (strcmp(m, "voice") == 0 && !cfg->notify.voice.url)
        return "notify.voice is not configured";
    return NULL;
}

size_t notify_dropped_methods(const struct config *cfg, const struct config_user *u,
                              const char *severity, const char *const *chosen, size_t nchosen,
                              struct notify_dropped out[NOTIFY_METHODS])
{
    size_t n = 0;
    const struct config_severity *sev = severity ? config_severity_find(cfg, severity) : NULL;
    for (size_t i = 0; sev && i < sev->notify.count && n < NOTIFY_METHODS; i++) {
        const char *m = sev->notify.items[i], *why = cannot_send(cfg, u, m);
        if (has(chosen, nchosen, m) || !why)
            continue;
        out[n++] = (struct notify_dropped){.method = m, .why = why};
    }
    for (size_t i = 0; i < nchosen && n < NOTIFY_METHODS; i++) {
        const char *why = cannot_send(cfg, u, chosen[i]);
        if (why)
            out[n++] = (struct notify_dropped){.method = chosen[i], .why = why};
    }
    return n;
}
