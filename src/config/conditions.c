/*
 * config_conditions: `when:`, the condition an escalation step or a checklist applies under
 * (severity ids, incident type ids; an empty list matches any). Not a section: a spec that
 * escalation_policies.c and checklists.c embed. Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

static const struct cfg_field condition_fields[] = {
    FLD(struct config_condition, "severity", severity, CFG_STRLIST, .unique = true,
        .ref = &config_section_severities),
    FLD(struct config_condition, "type", type, CFG_STRLIST, .unique = true,
        .ref = &config_section_incident_types),
};
const struct cfg_spec config_condition_spec = {
    .line_off = NO_OFF, FIELDS(condition_fields), .uniq_off = NO_OFF};
