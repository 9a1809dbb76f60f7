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
 *     maintenance.
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
};

struct sp_component {
    char *id;   /* a slug of the name: "api-gateway" */
    char *name; /* as written in the config */
    char *description;
    enum sp_component_status status;
    bool probe_down;    /* its probe is failing */
    int64_t updated_at; /* the last change that touched it (0: none known) */
};

struct sp_page {
    struct sp_component *components;
    size_t component_count;
    struct sp_incident *incidents; /* unresolved first, then the rest; each newest first */
    size_t incident_count;
    enum sp_impact indicator;
    int64_t updated_at; /* the newest change the page shows */
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
/* Marks the component of service `service` as having a failing probe. */
void sp_page_probe_down(struct sp_page *p, const struct config *c, const char *service,
                        int64_t since);
void sp_page_finish(struct sp_page *p);
void sp_page_free(struct sp_page *p);
/* The component a service shows as, or -1. */
int sp_component_of(const struct sp_page *p, const struct config *c, const char *service);

#endif
