/* status_page: see status_page.h. */
#include "domain/status_page.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *sp_component_status_name(enum sp_component_status s)
{
    static const char *const names[] = {"operational", "under_maintenance", "degraded_performance",
                                        "partial_outage", "major_outage"};
    return (unsigned)s < sizeof names / sizeof names[0] ? names[s] : "operational";
}

const char *sp_impact_name(enum sp_impact i)
{
    static const char *const names[] = {"none", "maintenance", "minor", "major", "critical"};
    return (unsigned)i < sizeof names / sizeof names[0] ? names[i] : "none";
}

const char *sp_indicator_description(enum sp_impact i)
{
    static const char *const text[] = {"All Systems Operational", "Service Under Maintenance",
                                       "Partially Degraded Service", "Partial System Outage",
                                       "Major System Outage"};
    return (unsigned)i < sizeof text / sizeof text[0] ? text[i] : text[0];
}

enum sp_impact sp_impact_for_severity(const struct config *c, const char *severity)
{
    const struct config_severity *sev = severity ? config_severity_find(c, severity) : NULL;
    if (!sev)
        return SP_IMPACT_NONE;
    switch (sev->rank) {
    case 1:
        return SP_IMPACT_CRITICAL;
    case 2:
        return SP_IMPACT_MAJOR;
    case 3:
        return SP_IMPACT_MINOR;
    default:
        return SP_IMPACT_NONE;
    }
}

const char *sp_update_status(enum incident_status to, bool postmortem)
{
    switch (to) {
    case INC_IDENTIFIED:
        return "identified";
    case INC_MONITORING:
        return "monitoring";
    case INC_RESOLVED:
        return "resolved";
    case INC_CLOSED:
        return postmortem ? "postmortem" : "resolved";
    default:
        return "investigating";
    }
}

static enum sp_component_status status_for_impact(enum sp_impact i)
{
    switch (i) {
    case SP_IMPACT_CRITICAL:
        return SP_MAJOR_OUTAGE;
    case SP_IMPACT_MAJOR:
        return SP_PARTIAL_OUTAGE;
    case SP_IMPACT_MINOR:
        return SP_DEGRADED_PERFORMANCE;
    case SP_IMPACT_MAINTENANCE:
        return SP_UNDER_MAINTENANCE;
    default:
        return SP_OPERATIONAL;
    }
}

static enum sp_impact impact_for_status(enum sp_component_status s)
{
    switch (s) {
    case SP_MAJOR_OUTAGE:
        return SP_IMPACT_CRITICAL;
    case SP_PARTIAL_OUTAGE:
        return SP_IMPACT_MAJOR;
    case SP_DEGRADED_PERFORMANCE:
        return SP_IMPACT_MINOR;
    case SP_UNDER_MAINTENANCE:
        return SP_IMPACT_MAINTENANCE;
    default:
        return SP_IMPACT_NONE;
    }
}

static int find_component(const struct sp_page *p, const char *name)
{
    for (size_t i = 0; i < p->component_count; i++)
        if (strcmp(p->components[i].name, name) == 0)
            return (int)i;
    return -1;
}

void sp_page_init(struct sp_page *p, const struct config *c)
{
    memset(p, 0, sizeof *p);
    p->components = xcalloc(c->service_count ? c->service_count : 1, sizeof *p->components);
    for (size_t i = 0; i < c->service_count; i++) {
        const struct config_service *s = &c->services[i];
        if (!s->component || find_component(p, s->component) >= 0)
            continue;
        struct sp_component *comp = &p->components[p->component_count++];
        char slug[INCIDENT_SLUG_MAX + 1 + 8];
        incident_slug(s->component, slug);
        for (int n = 2; n < 1000; n++) { /* two names with one slug ("API", "api") */
            bool taken = false;
            for (size_t j = 0; j + 1 < p->component_count; j++)
                taken = taken || strcmp(p->components[j].id, slug) == 0;
            if (!taken)
                break;
            incident_slug(s->component, slug);
            size_t len = strlen(slug);
            snprintf(slug + len, sizeof slug - len, "-%d", n);
        }
        comp->id = xstrdup(slug);
        comp->name = xstrdup(s->component);
        comp->description = s->description ? xstrdup(s->description) : NULL;
        comp->group = -1;
    }
    size_t ng = c->status_page.group_count;
    p->groups = ng ? xcalloc(ng, sizeof *p->groups) : NULL;
    for (size_t g = 0; g < ng; g++) {
        const struct config_status_group *cg = &c->status_page.groups[g];
        char slug[INCIDENT_SLUG_MAX + 1], id[INCIDENT_SLUG_MAX + 8];
        incident_slug(cg->name, slug);
        snprintf(id, sizeof id, "group-%s", slug);
        p->groups[p->group_count].id = xstrdup(id);
        p->groups[p->group_count].name = xstrdup(cg->name);
        for (size_t m = 0; m < cg->components.count; m++) {
            int k = find_component(p, cg->components.items[m]);
            if (k >= 0 && p->components[k].group < 0)
                p->components[k].group = (int)p->group_count;
        }
        p->group_count++;
    }
}

int sp_component_of(const struct sp_page *p, const struct config *c, const char *service)
{
    const struct config_service *s = service ? config_service_find(c, service) : NULL;
    return s && s->component ? find_component(p, s->component) : -1;
}

struct sp_incident *sp_page_add_incident(struct sp_page *p, const struct config *c,
                                         const struct incident *inc)
{
    p->incidents = xrealloc(p->incidents, (p->incident_count + 1) * sizeof *p->incidents);
    struct sp_incident *i = &p->incidents[p->incident_count++];
    memset(i, 0, sizeof *i);
    memcpy(i->id, inc->id, sizeof i->id);
    i->title = xstrdup(inc->title ? inc->title : "");
    i->impact = sp_impact_for_severity(c, inc->severity);
    i->resolved = !incident_status_is_open(inc->status);
    i->created_at = inc->created_at;
    i->updated_at = inc->updated_at;
    i->resolved_at = inc->resolved_at;
    i->component = sp_component_of(p, c, inc->service);
    return i;
}

void sp_incident_add_update(struct sp_incident *i, int64_t seq, int64_t at, const char *status,
                            const char *body)
{
    i->updates = xrealloc(i->updates, (i->update_count + 1) * sizeof *i->updates);
    struct sp_update *u = &i->updates[i->update_count++];
    u->seq = seq;
    u->at = at;
    u->status = xstrdup(status);
    u->body = xstrdup(body ? body : "");
}

void sp_incident_set_postmortem(struct sp_incident *i, const char *md, int64_t published_at)
{
    free(i->postmortem);
    i->postmortem = xstrdup(md);
    i->postmortem_at = published_at;
    if (published_at > i->updated_at)
        i->updated_at = published_at;
}

void sp_page_probe_down(struct sp_page *p, const struct config *c, const char *service,
                        int64_t since)
{
    int k = sp_component_of(p, c, service);
    if (k < 0)
        return;
    p->components[k].probe_down = true;
    if (since > p->components[k].updated_at)
        p->components[k].updated_at = since;
}

static int cmp_update(const void *a, const void *b)
{
    const struct sp_update *x = a, *y = b;
    return x->seq < y->seq ? 1 : x->seq > y->seq ? -1 : 0; /* newest first */
}

static int cmp_incident(const void *a, const void *b)
{
    const struct sp_incident *x = a, *y = b;
    if (x->resolved != y->resolved)
        return x->resolved ? 1 : -1;
    if (x->created_at != y->created_at)
        return x->created_at < y->created_at ? 1 : -1;
    return strcmp(y->id, x->id);
}

/* Status, monitoring_at and updated_at of one incident from its updates (newest first). */
static void incident_settle(struct sp_incident *i)
{
    if (i->update_count > 1)
        qsort(i->updates, i->update_count, sizeof *i->updates, cmp_update);
    const char *last = i->update_count ? i->updates[0].status : "investigating";
    bool postmortem = strcmp(last, "postmortem") == 0;
    i->status = xstrdup(i->postmortem                ? "postmortem" /* published: Statuspage's */
                        : i->resolved && !postmortem ? "resolved"
                                                     : last);
    for (size_t k = i->update_count; k-- > 0;)
        if (strcmp(i->updates[k].status, "monitoring") == 0) {
            i->monitoring_at = i->updates[k].at;
            break;
        }
    if (i->update_count && i->updates[0].at > i->updated_at)
        i->updated_at = i->updates[0].at;
}

bool sp_maintenance_active(const struct sp_maintenance *m)
{
    return m->status == MAINT_IN_PROGRESS || m->status == MAINT_VERIFYING;
}

void sp_page_add_maintenance(struct sp_page *p, const struct maintenance *m, int64_t now)
{
    p->maintenances =
        xrealloc(p->maintenances, (p->maintenance_count + 1) * sizeof *p->maintenances);
    struct sp_maintenance *o = &p->maintenances[p->maintenance_count++];
    memset(o, 0, sizeof *o);
    struct maintenance settled = *m;
    maint_settle(&settled, now);
    memcpy(o->id, m->id, sizeof o->id);
    o->name = xstrdup(m->name ? m->name : "");
    o->status = settled.status;
    o->scheduled_for = m->scheduled_for;
    o->scheduled_until = m->scheduled_until;
    o->started_at = settled.started_at;
    o->completed_at = settled.completed_at;
    o->created_at = m->created_at;
    o->updated_at = m->updated_at;
    json_t *comps = json_loads(m->components ? m->components : "[]", 0, NULL);
    o->components = xcalloc(json_array_size(comps) + 1, sizeof *o->components);
    size_t i;
    json_t *v;
    json_array_foreach(comps, i, v)
    {
        for (size_t k = 0; k < p->component_count; k++)
            if (json_is_string(v) && strcmp(p->components[k].name, json_string_value(v)) == 0) {
                o->components[o->component_count++] = (int)k;
                break;
            }
    }
    json_decref(comps);
    json_t *ups = json_loads(m->updates ? m->updates : "[]", 0, NULL);
    o->updates = xcalloc(json_array_size(ups) + 1, sizeof *o->updates);
    for (size_t u = json_array_size(ups); u-- > 0;) { /* stored oldest first */
        json_t *e = json_array_get(ups, u);
        struct sp_update *d = &o->updates[o->update_count++];
        d->seq = (int64_t)(u + 1);
        d->at = json_integer_value(json_object_get(e, "at"));
        const char *st = json_string_value(json_object_get(e, "status"));
        const char *body = json_string_value(json_object_get(e, "body"));
        d->status = xstrdup(st ? st : "scheduled");
        d->body = xstrdup(body ? body : "");
    }
    json_decref(ups);
    int64_t next = maint_next_change(m, now);
    if (next && (!p->next_change || next < p->next_change))
        p->next_change = next;
}

/* Active first, then upcoming (soonest first), then completed (newest first). */
static int maint_rank(const struct sp_maintenance *m)
{
    return sp_maintenance_active(m) ? 0 : m->status == MAINT_SCHEDULED ? 1 : 2;
}

static int cmp_maintenance(const void *a, const void *b)
{
    const struct sp_maintenance *x = a, *y = b;
    int rx = maint_rank(x), ry = maint_rank(y);
    if (rx != ry)
        return rx - ry;
    int64_t kx = rx == 2 ? -x->scheduled_for : x->scheduled_for;
    int64_t ky = ry == 2 ? -y->scheduled_for : y->scheduled_for;
    return kx < ky ? -1 : kx > ky ? 1 : strcmp(x->id, y->id);
}

void sp_page_finish(struct sp_page *p)
{
    enum sp_impact worst = SP_IMPACT_NONE;
    for (size_t k = 0; k < p->maintenance_count; k++) {
        const struct sp_maintenance *m = &p->maintenances[k];
        int64_t at = m->updated_at; /* or when the clock started or ended it */
        if (m->started_at > at)
            at = m->started_at;
        if (m->completed_at > at)
            at = m->completed_at;
        if (at > p->updated_at)
            p->updated_at = at;
        for (size_t c = 0; sp_maintenance_active(m) && c < m->component_count; c++) {
            struct sp_component *comp = &p->components[m->components[c]];
            if (comp->status < SP_UNDER_MAINTENANCE)
                comp->status = SP_UNDER_MAINTENANCE;
            if (at > comp->updated_at)
                comp->updated_at = at;
        }
    }
    if (p->maintenance_count > 1)
        qsort(p->maintenances, p->maintenance_count, sizeof *p->maintenances, cmp_maintenance);
    for (size_t k = 0; k < p->incident_count; k++) {
        struct sp_incident *i = &p->incidents[k];
        incident_settle(i);
        if (i->updated_at > p->updated_at)
            p->updated_at = i->updated_at;
        if (i->resolved)
            continue;
        if (i->impact > worst)
            worst = i->impact;
        if (i->component < 0)
            continue;
        struct sp_component *comp = &p->components[i->component];
        enum sp_component_status st = status_for_impact(i->impact);
        if (st > comp->status)
            comp->status = st;
        if (i->updated_at > comp->updated_at)
            comp->updated_at = i->updated_at;
    }
    for (size_t k = 0; k < p->component_count; k++) {
        struct sp_component *comp = &p->components[k];
        if (comp->probe_down)
            comp->status = SP_MAJOR_OUTAGE;
        if (impact_for_status(comp->status) > worst)
            worst = impact_for_status(comp->status);
        if (comp->updated_at > p->updated_at)
            p->updated_at = comp->updated_at;
    }
    for (size_t k = 0; k < p->component_count; k++) {
        const struct sp_component *comp = &p->components[k];
        if (comp->group >= 0 && comp->status > p->groups[comp->group].status)
            p->groups[comp->group].status = comp->status;
    }
    p->indicator = worst;
    if (p->incident_count > 1)
        qsort(p->incidents, p->incident_count, sizeof *p->incidents, cmp_incident);
}

void sp_page_uptime_init(struct sp_page *p, int64_t now, int days)
{
    p->day_count = days;
    p->first_day = (now - now % MS_PER_DAY) - (int64_t)(days - 1) * MS_PER_DAY;
    for (size_t k = 0; k < p->component_count; k++) {
        p->components[k].days = xcalloc((size_t)days, sizeof *p->components[k].days);
        for (int d = 0; d < days; d++)
            p->components[k].days[d] = -1;
    }
}

void sp_page_add_outage(struct sp_page *p, const struct config *c, const struct incident *inc)
{
    int k = sp_component_of(p, c, inc->service);
    if (k < 0)
        return;
    p->outages = xrealloc(p->outages, (p->outage_count + 1) * sizeof *p->outages);
    struct sp_outage *o = &p->outages[p->outage_count++];
    memset(o, 0, sizeof *o);
    o->component = k;
    o->impact = sp_impact_for_severity(c, inc->severity);
    o->start = inc->created_at;
    o->end = incident_status_is_open(inc->status) ? 0 : inc->resolved_at;
    memcpy(o->id, inc->id, sizeof o->id);
    o->title = xstrdup(inc->title ? inc->title : "");
}

void sp_component_probe_day(struct sp_page *p, size_t k, int d, int64_t ok, int64_t total)
{
    if (k >= p->component_count || d < 0 || d >= p->day_count)
        return;
    struct sp_component *c = &p->components[k];
    c->has_probe = true;
    if (total > 0) {
        double up = 100.0 * (double)ok / (double)total;
        /* several probed services on one component: the worst of them */
        c->days[d] = c->days[d] < 0 || up < c->days[d] ? up : c->days[d];
    }
}

double sp_downtime_weight(enum sp_impact i)
{
    return i == SP_IMPACT_CRITICAL ? 1.0 : i == SP_IMPACT_MAJOR ? 0.3 : 0.0;
}

static int span_cmp(const void *a, const void *b)
{
    const struct sp_span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Merges the runs in place (sorted, overlaps joined, end 0 = now, empty ones dropped): the count
 * left. */
static size_t merge_runs(struct sp_span *runs, size_t n, int64_t now)
{
    for (size_t i = 0; i < n; i++)
        if (!runs[i].end || runs[i].end > now)
            runs[i].end = now;
    if (n)
        qsort(runs, n, sizeof *runs, span_cmp);
    size_t out = 0;
    for (size_t i = 0; i < n; i++) {
        if (runs[i].end <= runs[i].start)
            continue;
        if (out && runs[i].start <= runs[out - 1].end) {
            if (runs[i].end > runs[out - 1].end)
                runs[out - 1].end = runs[i].end;
        } else {
            runs[out++] = runs[i];
        }
    }
    return out;
}

/* The weighted downtime of component k within [a, b). */
static double downtime(const struct sp_page *p, size_t k, int64_t a, int64_t b, int64_t now)
{
    double down = 0;
    for (size_t o = 0; o < p->outage_count; o++) {
        const struct sp_outage *x = &p->outages[o];
        int64_t end = x->end ? x->end : now;
        int64_t s = x->start > a ? x->start : a, e = end < b ? end : b;
        if (x->component == (int)k && e > s)
            down += sp_downtime_weight(x->impact) * (double)(e - s);
    }
    return down;
}

void sp_page_uptime_finish(struct sp_page *p, int64_t now, struct sp_span *runs, size_t nruns)
{
    nruns = merge_runs(runs, nruns, now);
    for (size_t k = 0; k < p->component_count; k++) {
        struct sp_component *c = &p->components[k];
        if (c->has_probe || !c->days)
            continue;
        for (int d = 0; d < p->day_count; d++) {
            int64_t from = p->first_day + (int64_t)d * MS_PER_DAY, to = from + MS_PER_DAY;
            double span = 0, down = 0;
            for (size_t r = 0; r < nruns; r++) {
                int64_t a = runs[r].start > from ? runs[r].start : from;
                int64_t b = runs[r].end < to ? runs[r].end : to;
                if (b > a) {
                    span += (double)(b - a);
                    down += downtime(p, k, a, b, now);
                }
            }
            if (span > 0) /* else tocsin was not running that day: no data */
                c->days[d] = down >= span ? 0.0 : 100.0 * (span - down) / span;
        }
    }
}

void sp_page_free(struct sp_page *p)
{
    for (size_t o = 0; o < p->outage_count; o++)
        free(p->outages[o].title);
    free(p->outages);
    for (size_t g = 0; g < p->group_count; g++) {
        free(p->groups[g].id);
        free(p->groups[g].name);
    }
    free(p->groups);
    for (size_t k = 0; k < p->component_count; k++) {
        free(p->components[k].days);
        free(p->components[k].id);
        free(p->components[k].name);
        free(p->components[k].description);
    }
    for (size_t k = 0; k < p->incident_count; k++) {
        struct sp_incident *i = &p->incidents[k];
        for (size_t u = 0; u < i->update_count; u++) {
            free(i->updates[u].status);
            free(i->updates[u].body);
        }
        free(i->updates);
        free(i->title);
        free(i->status);
        free(i->postmortem);
    }
    for (size_t k = 0; k < p->maintenance_count; k++) {
        struct sp_maintenance *m = &p->maintenances[k];
        for (size_t u = 0; u < m->update_count; u++) {
            free(m->updates[u].status);
            free(m->updates[u].body);
        }
        free(m->updates);
        free(m->components);
        free(m->name);
    }
    free(p->maintenances);
    free(p->components);
    free(p->incidents);
    memset(p, 0, sizeof *p);
}
