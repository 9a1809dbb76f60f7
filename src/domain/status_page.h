/*
 * status_page: what the public status page says, in Atlassian Statuspage's vocabulary, decided
 * from the incidents made public and the probe results. Pure: no I/O, no clock (callers pass
 * `now`); the renderers (web/status_*.c) and the route (api/status_page.c) share these structs.
 *
 * The mapping (docs/internals/status_page.md):
 *   - an incident is public when a public update was posted on it (last_public_update_at != 0)
 *     and it is not a drill; its public updates are its timeline entries with "public": true;
 *   - its impact comes from its severity's rank: 1 critical, 2 major, 3 minor, 4 and below none;
 *   - a component is a distinct `component` name of the config's services, in file order; an
 *     unresolved public incident on one of its services sets it to the status of its impact
 *     (critical -> major_outage, major -> partial_outage, minor -> degraded_performance, none
 *     leaves it); a service whose probe's last fail_after results all failed sets it to
 *     major_outage; the worst wins;
 *   - the overall indicator is the worst of the components' statuses (degraded_performance ->
 *     minor, partial_outage -> major, major_outage -> critical) and of the unresolved public
 *     incidents' impacts; "maintenance" when nothing is worse and a component is under
 *     maintenance;
 *   - a group (status_page.groups) shows the worst state of its members.
 *
 * Ownership: a struct sp_page owns everything in it (sp_page_free); strings are copies.
 */
#ifndef TOCSIN_STATUS_PAGE_H
#define TOCSIN_STATUS_PAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"
#include "domain/maintenance.h"

/* In order of badness; the names are Statuspage's. */
enum sp_component_status {
    SP_OPERATIONAL,
    SP_UNDER_MAINTENANCE,
    SP_DEGRADED_PERFORMANCE,
    SP_PARTIAL_OUTAGE,
    SP_MAJOR_OUTAGE,
};
enum sp_impact {
    SP_IMPACT_NONE,
    SP_IMPACT_MAINTENANCE,
    SP_IMPACT_MINOR,
    SP_IMPACT_MAJOR,
    SP_IMPACT_CRITICAL
};

struct sp_update {
    int64_t seq; /* the timeline entry's seq: the update's id */
    int64_t at;
    char *status; /* investigating, identified, monitoring, resolved, postmortem */
    char *body;
};

struct sp_incident {
    char id[INCIDENT_ID_MAX];
    char *title;
    char *status; /* the Statuspage status: that of its last public update; "resolved" once
                     resolved or closed in tocsin */
    enum sp_impact impact;
    bool resolved;
    int64_t created_at, updated_at, monitoring_at, resolved_at; /* 0 = not set */
    int component;                                              /* index, -1 when none */
    struct sp_update *updates;                                  /* newest first */
    size_t update_count;
    char *postmortem;      /* its published post-mortem's public text (Markdown), or NULL */
    int64_t postmortem_at; /* when that post-mortem was published */
};

/* A stretch of a public incident on a component, for the uptime bars (every public incident of
 * the span, not only those the page lists). */
struct sp_outage {
    int component;
    enum sp_impact impact;
    int64_t start, end; /* end 0: still open */
    char id[INCIDENT_ID_MAX];
    char *title;
};

struct sp_component {
    char *id;   /* a slug of the name: "api-gateway" */
    char *name; /* as written in the config */
    char *description;
    enum sp_component_status status;
    bool probe_down;    /* its probe is failing */
    int64_t updated_at; /* the last change that touched it (0: none known) */
    bool has_probe;     /* one of its services has a probe: its bars come from probe results */
    int group;          /* index in sp_page.groups, -1 when in none */
    double *days;       /* uptime_days entries, oldest first: percent up, or < 0 for no data */
};

/* A group of components (status_page.groups): shows the worst state of its members. */
struct sp_group {
    char *id; /* "group-" + a slug of the name */
    char *name;
    enum sp_component_status status;
};

/* A scheduled maintenance window as the page shows it (sp_page_add_maintenance). */
struct sp_maintenance {
    char id[MAINT_ID_MAX];
    char *name;
    enum maint_status status; /* effective at the render time */
    int64_t scheduled_for, scheduled_until, started_at, completed_at, created_at, updated_at;
    int *components; /* indexes into sp_page.components */
    size_t component_count;
    struct sp_update *updates; /* newest first */
    size_t update_count;
};

struct sp_page {
    struct sp_group *groups;
    size_t group_count;
    struct sp_component *components;
    size_t component_count;
    struct sp_incident *incidents; /* unresolved first, then the rest; each newest first */
    size_t incident_count;
    enum sp_impact indicator;
    int64_t updated_at; /* the newest change the page shows */
    struct sp_outage *outages;
    size_t outage_count;
    int64_t first_day;                   /* ms, UTC midnight of days[0] */
    int day_count;                       /* 0: no uptime bars */
    struct sp_maintenance *maintenances; /* in progress, then upcoming (soonest first), then
                                            completed (newest first) */
    size_t maintenance_count;
    int64_t next_change; /* when a maintenance next starts or ends by the clock (0: none) */
};

const char *sp_component_status_name(enum sp_component_status s);
const char *sp_impact_name(enum sp_impact i);
/* "All Systems Operational", "Partially Degraded Service", "Partial System Outage",
 * "Major System Outage", "Service Under Maintenance". */
const char *sp_indicator_description(enum sp_impact i);
/* The impact of an incident of severity `severity` under config c (none when unknown). */
enum sp_impact sp_impact_for_severity(const struct config *c, const char *severity);
/* The Statuspage update status a move to tocsin's status `to` posts ("closed" with a post-mortem
 * reference: "postmortem"). */
const char *sp_update_status(enum incident_status to, bool postmortem);

/* Building a page: sp_page_init (components from the config), sp_page_add_incident for each
 * public incident (takes copies), sp_incident_add_update for each of its public updates, then
 * sp_page_finish (sorts, derives statuses and the indicator). */
void sp_page_init(struct sp_page *p, const struct config *c);
struct sp_incident *sp_page_add_incident(struct sp_page *p, const struct config *c,
                                         const struct incident *inc);
void sp_incident_add_update(struct sp_incident *i, int64_t seq, int64_t at, const char *status,
                            const char *body);
/* The incident's published post-mortem (its public text, Markdown; takes a copy), before
 * sp_page_finish: the incident's Statuspage status becomes "postmortem". */
void sp_incident_set_postmortem(struct sp_incident *i, const char *md, int64_t published_at);
/* Marks the component of service `service` as having a failing probe. */
void sp_page_probe_down(struct sp_page *p, const struct config *c, const char *service,
                        int64_t since);
void sp_page_finish(struct sp_page *p);
/* A maintenance window (before sp_page_finish; takes copies): its effective status at now, its
 * components by name (unknown names are left out), its updates. In progress or verifying, its
 * components are under_maintenance (unless something worse holds them). */
void sp_page_add_maintenance(struct sp_page *p, const struct maintenance *m, int64_t now);
/* Whether a maintenance shows as active (in_progress or verifying). */
bool sp_maintenance_active(const struct sp_maintenance *m);

/* Uptime bars over the `days` UTC days ending with the day of `now`.
 *   sp_page_uptime_init: allocates every component's days (all "no data"), sets first_day.
 *   sp_page_add_outage: a public incident (any age) on service's component; takes copies.
 *   sp_component_probe_day: day d of component k from probe results (ok of total; total 0 leaves
 *     it "no data"); marks the component probe-backed.
 *   sp_page_uptime_finish: the days of components without probes, time-weighted from the
 *     outages over the time tocsin was running (`runs`: its record, in any order, overlapping
 *     allowed; a run's end 0 is now): a critical impact (major_outage) counts fully as downtime,
 *     major (partial_outage) as 30%, minor and none as 0 (Statuspage's weights), and a day's
 *     percentage is of its recorded time only. A day no run covers stays "no data"; today counts
 *     up to now. Sorts `runs`. */
struct sp_span {
    int64_t start, end;
};
void sp_page_uptime_init(struct sp_page *p, int64_t now, int days);
void sp_page_add_outage(struct sp_page *p, const struct config *c, const struct incident *inc);
void sp_component_probe_day(struct sp_page *p, size_t k, int d, int64_t ok, int64_t total);
void sp_page_uptime_finish(struct sp_page *p, int64_t now, struct sp_span *runs, size_t nruns);
/* The weight of an impact as downtime (1.0, 0.3, 0). */
double sp_downtime_weight(enum sp_impact i);
void sp_page_free(struct sp_page *p);
/* The component a service shows as, or -1. */
int sp_component_of(const struct sp_page *p, const struct config *c, const char *service);

#endif
