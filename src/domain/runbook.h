/*
 * runbook: which config runbooks apply to an incident, and a runbook as Markdown. Pure: no I/O.
 *
 * A runbook applies to an incident when the incident's service lists it (services[].runbooks),
 * its type lists it (incident_types[].runbooks), the runbook names the service
 * (runbooks[].services), a conditional rule that fired on the incident attaches it
 * (rules[].attach_runbook, while the rule is in the config), or one of the incident's alerts
 * carries a label=value the runbook names (runbooks[].alert_labels). Done steps are not state here:
 * they are timeline entries (runbook.step_done), read back by the caller.
 */
#ifndef TOCSIN_RUNBOOK_H
#define TOCSIN_RUNBOOK_H

#include <stdbool.h>

#include "config/config.h"
#include "domain/incident.h"
#include "util/buf.h"

enum runbook_match {
    RUNBOOK_BY_SERVICE = 1,
    RUNBOOK_BY_TYPE = 2,
    RUNBOOK_BY_LABELS = 4,
    RUNBOOK_BY_RULE = 8,
};

/* The RUNBOOK_BY_* bits of why rb applies to inc by its service, its type or a rule that fired
 * (0: it does not). */
int runbook_static_match(const struct config *cfg, const struct config_runbook *rb,
                         const struct incident *inc);
/* Whether the alert labels (a JSON object's text) carry one of rb's label=value pairs. */
bool runbook_labels_match(const struct config_runbook *rb, const char *labels_json);
const struct config_runbook *runbook_find(const struct config *cfg, const char *id);
/* The runbook as Markdown: title, owner and estimate, prerequisites, numbered steps, rollback. */
void runbook_render_md(const struct config *cfg, const struct config_runbook *rb, struct buf *out);

#endif
