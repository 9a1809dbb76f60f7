/*
 * incident: the state machine, ids, slugs and SLA clocks. See incident.h for the diagram and the
 * invariants. Pure: every time comes in as `now`.
 */
#include "domain/incident.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const status_names[INC_STATUS_COUNT] = {
    "triggered", "acknowledged", "investigating", "identified", "monitoring", "resolved", "closed"};

static const char *const role_names[ROLE_COUNT] = {"commander", "tech_lead", "comms_lead",
                                                   "scribe"};

const char *incident_status_name(enum incident_status s)
{
    return (unsigned)s < INC_STATUS_COUNT ? status_names[s] : "unknown";
}

int incident_status_parse(const char *name)
{
    for (int i = 0; i < INC_STATUS_COUNT; i++)
        if (strcmp(name, status_names[i]) == 0)
            return i;
    return -1;
}

bool incident_status_is_open(enum incident_status s)
{
    return s <= INC_MONITORING;
}

const char *incident_role_name(enum incident_role r)
{
    return (unsigned)r < ROLE_COUNT ? role_names[r] : "unknown";
}

int incident_role_parse(const char *name)
{
    for (int i = 0; i < ROLE_COUNT; i++)
        if (strcmp(name, role_names[i]) == 0)
            return i;
    return -1;
}

void incident_make_id(int64_t now, int64_t n, char out[INCIDENT_ID_MAX])
{
    char day[11];
    time_format_day(now, day);
    snprintf(out, INCIDENT_ID_MAX, "INC-%s-%03lld", day, (long long)n);
}

void incident_slug(const char *title, char out[INCIDENT_SLUG_MAX + 1])
{
    size_t n = 0;
    bool dash = false;
    for (const unsigned char *p = (const unsigned char *)title; *p && n < INCIDENT_SLUG_MAX; p++) {
        unsigned char c = *p;
        if (c >= 'A' && c <= 'Z')
            c = (unsigned char)(c - 'A' + 'a');
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')) {
            if (dash && n > 0) {
                if (n >= INCIDENT_SLUG_MAX - 1)
                    break; /* no room for "-x": stop at the word boundary */
                out[n++] = '-';
            }
            dash = false;
            out[n++] = (char)c;
        } else {
            dash = true;
        }
    }
    while (n > 0 && out[n - 1] == '-')
        n--;
    out[n] = '\0';
    if (n == 0)
        snprintf(out, INCIDENT_SLUG_MAX + 1, "incident");
}

void incident_channel(int64_t now, const char *title, char out[INCIDENT_CHANNEL_MAX])
{
    char day[11], slug[INCIDENT_SLUG_MAX + 1];
    time_format_day(now, day);
    incident_slug(title, slug);
    snprintf(out, INCIDENT_CHANNEL_MAX, "#inc-%s-%s", day, slug);
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void incident_init(struct incident *inc, const char *id, const char *title, const char *severity,
                   const char *service, const char *type, const char *summary, bool drill,
                   int64_t now)
{
    char channel[INCIDENT_CHANNEL_MAX];
    memset(inc, 0, sizeof *inc);
    snprintf(inc->id, sizeof inc->id, "%s", id);
    inc->title = xstrdup(title);
    inc->severity = xstrdup(severity);
    inc->service = dup_or_null(service);
    inc->type = dup_or_null(type);
    inc->summary = dup_or_null(summary);
    incident_channel(now, title, channel);
    inc->channel = xstrdup(channel);
    inc->status = INC_TRIGGERED;
    inc->drill = drill;
    inc->created_at = now;
    inc->updated_at = now;
    assert(incident_check(inc));
}

void incident_free_fields(struct incident *inc)
{
    free(inc->title);
    free(inc->summary);
    free(inc->severity);
    free(inc->service);
    free(inc->type);
    free(inc->channel);
    free(inc->postmortem);
    free(inc->group_key);
    free(inc->fields);
    free(inc->rules_fired);
    for (int i = 0; i < ROLE_COUNT; i++)
        free(inc->roles[i]);
    memset(inc, 0, sizeof *inc);
}

bool incident_check(const struct incident *inc)
{
    if ((unsigned)inc->status >= INC_STATUS_COUNT || !inc->title || !inc->severity)
        return false;
    if ((inc->status == INC_TRIGGERED) != (inc->acknowledged_at == 0))
        return false;
    bool resolved = inc->status == INC_RESOLVED || inc->status == INC_CLOSED;
    if (resolved != (inc->resolved_at != 0))
        return false;
    if ((inc->status == INC_CLOSED) != (inc->closed_at != 0))
        return false;
    if (inc->acknowledged_at && inc->acknowledged_at < inc->created_at)
        return false;
    if (inc->resolved_at && inc->resolved_at < inc->created_at)
        return false;
    if (inc->closed_at && inc->closed_at < inc->resolved_at)
        return false;
    return true;
}

void incident_allowed_moves(enum incident_status from, char *buf, size_t n)
{
    size_t used = 0;
    buf[0] = '\0';
    for (int to = 0; to < INC_STATUS_COUNT; to++) {
        bool ok;
        if (incident_status_is_open(from))
            ok = to > (int)from && to != INC_CLOSED;
        else if (from == INC_RESOLVED)
            ok = to == INC_ACKNOWLEDGED || to == INC_CLOSED;
        else
            ok = false;
        if (!ok)
            continue;
        int w = snprintf(buf + used, n - used, "%s%s", used ? ", " : "", status_names[to]);
        if (w < 0 || (size_t)w >= n - used)
            return;
        used += (size_t)w;
    }
    if (used == 0)
        snprintf(buf, n, "none");
}

enum result incident_check_mutable(const struct incident *inc, struct error *err)
{
    if (inc->status == INC_CLOSED)
        return error_set(err, ERR_CONFLICT, "status: %s is closed; a closed incident cannot change",
                         inc->id);
    return OK;
}

static enum result refuse_move(const struct incident *inc, enum incident_status to,
                               struct error *err)
{
    char allowed[160];
    incident_allowed_moves(inc->status, allowed, sizeof allowed);
    if (to == inc->status)
        return error_set(err, ERR_CONFLICT, "status: %s is already %s; allowed: %s", inc->id,
                         status_names[to], allowed);
    return error_set(err, ERR_CONFLICT, "status: cannot move from %s to %s; allowed: %s",
                     status_names[inc->status], status_names[to], allowed);
}

enum result incident_ack(struct incident *inc, int64_t now, struct error *err)
{
    if (inc->status != INC_TRIGGERED) {
        if (incident_status_is_open(inc->status))
            return error_set(err, ERR_CONFLICT, "status: %s is already acknowledged (%s)", inc->id,
                             status_names[inc->status]);
        if (inc->status == INC_RESOLVED)
            return error_set(err, ERR_CONFLICT,
                             "status: %s is resolved; to reopen it, set its status to "
                             "acknowledged",
                             inc->id);
        return refuse_move(inc, INC_ACKNOWLEDGED, err);
    }
    return incident_set_status(inc, INC_ACKNOWLEDGED, now, err);
}

/* Times recorded on an incident never go backwards, even when the clock does (an NTP step, a
 * restarted dev clock): a transition at `now` is recorded no earlier than what came before. */
static int64_t not_before(const struct incident *inc, int64_t now)
{
    int64_t t = now;
    if (t < inc->created_at)
        t = inc->created_at;
    if (t < inc->acknowledged_at)
        t = inc->acknowledged_at;
    if (t < inc->resolved_at)
        t = inc->resolved_at;
    return t;
}

enum result incident_set_status(struct incident *inc, enum incident_status to, int64_t now,
                                struct error *err)
{
    now = not_before(inc, now);
    enum incident_status from = inc->status;
    if (to == INC_CLOSED && from == INC_RESOLVED)
        return error_set(err, ERR_CONFLICT, "status: use incident_close to close an incident");
    if (to == INC_CLOSED)
        return refuse_move(inc, to, err);
    if (incident_status_is_open(from)) {
        if (to <= from)
            return refuse_move(inc, to, err);
        if (inc->acknowledged_at == 0)
            inc->acknowledged_at = now; /* ack is implied by the first move out of triggered */
        if (to == INC_RESOLVED)
            inc->resolved_at = now;
    } else if (from == INC_RESOLVED && to == INC_ACKNOWLEDGED) {
        inc->resolved_at = 0; /* reopen */
    } else {
        return refuse_move(inc, to, err);
    }
    inc->status = to;
    inc->updated_at = now;
    assert(incident_check(inc));
    return OK;
}

/* The post-mortem gate of closing (see incident.h). */
static enum result close_gate(const struct incident *inc, const struct config_severity *sev,
                              const struct incident_close_pm *pm, struct error *err)
{
    static const struct incident_close_pm none = {0};
    if (!pm)
        pm = &none;
    if (pm->waiver)
        return OK;
    if (pm->id && !pm->published)
        return error_set(err, ERR_CONFLICT,
                         "postmortem: %s of %s is not published; publish it before closing (or "
                         "an admin closes with postmortem_waiver, a reason)",
                         pm->id, inc->id);
    if (!pm->id && sev && sev->postmortem_required && !inc->drill)
        return error_set(err, ERR_CONFLICT,
                         "postmortem: %s is %s, whose policy requires a published post-mortem, "
                         "and it has none; create it (tocsin postmortem %s), publish it, then "
                         "close (or an admin closes with postmortem_waiver, a reason)",
                         inc->id, sev->id, inc->id);
    return OK;
}

enum result incident_close(struct incident *inc, const struct config_severity *sev,
                           const struct incident_close_pm *pm, const char *reference, int64_t now,
                           struct error *err)
{
    if (inc->status != INC_RESOLVED)
        return refuse_move(inc, INC_CLOSED, err);
    now = not_before(inc, now);
    enum result result = close_gate(inc, sev, pm, err);
    if (result != OK)
        return result;
    const char *ref = pm && pm->id && pm->published ? pm->id : reference;
    if (ref && *ref) {
        free(inc->postmortem);
        inc->postmortem = xstrdup(ref);
    }
    inc->status = INC_CLOSED;
    inc->closed_at = now > inc->resolved_at ? now : inc->resolved_at;
    inc->updated_at = now;
    assert(incident_check(inc));
    return OK;
}

enum result incident_assign(struct incident *inc, enum incident_role role, const char *user,
                            char **previous, int64_t now, struct error *err)
{
    enum result result = incident_check_mutable(inc, err);
    if (result != OK)
        return result;
    *previous = inc->roles[role];
    inc->roles[role] = dup_or_null(user);
    inc->updated_at = now;
    return OK;
}

enum result incident_set_severity(struct incident *inc, const char *severity, int64_t now,
                                  struct error *err)
{
    enum result result = incident_check_mutable(inc, err);
    if (result != OK)
        return result;
    if (strcmp(inc->severity, severity) == 0)
        return error_set(err, ERR_CONFLICT, "severity: %s is already %s", inc->id, severity);
    free(inc->severity);
    inc->severity = xstrdup(severity);
    inc->updated_at = now;
    return OK;
}

void incident_sla(const struct incident *inc, const struct config_severity *sev, int64_t now,
                  struct incident_sla *out)
{
    memset(out, 0, sizeof *out);
    if (!sev)
        return;
    if (sev->ack_within >= 0) {
        out->ack_due = inc->created_at + sev->ack_within;
        int64_t at = inc->acknowledged_at ? inc->acknowledged_at : now;
        out->ack_breached = at > out->ack_due;
    }
    if (sev->resolve_within >= 0) {
        out->resolve_due = inc->created_at + sev->resolve_within;
        int64_t at = inc->resolved_at ? inc->resolved_at : now;
        out->resolve_breached = at > out->resolve_due;
    }
    if (sev->update_every > 0 && incident_status_is_open(inc->status)) {
        int64_t base = inc->last_public_update_at ? inc->last_public_update_at : inc->created_at;
        out->next_update_due = base + sev->update_every;
        out->update_overdue = now > out->next_update_due;
    }
}
