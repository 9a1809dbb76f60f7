/*
 * config_drills: the `drills:` list: fire-drill scenarios (docs/drills.md). Each names the drill
 * incident it declares (title, severity, service, type, summary) and what the drill expects of
 * the responders: the runbook they should open (`runbook`). `tocsin drill start ID` runs one.
 * Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

static const struct cfg_field drill_fields[] = {
    ID_FIELD(struct config_drill),
    FLD(struct config_drill, "title", title, CFG_STR, .required = true),
    FLD(struct config_drill, "severity", severity, CFG_STR, .required = true,
        .ref = &config_section_severities),
    FLD(struct config_drill, "service", service, CFG_STR, .ref = &config_section_services),
    FLD(struct config_drill, "type", type, CFG_STR, .ref = &config_section_incident_types),
    FLD(struct config_drill, "summary", summary, CFG_STR),
    FLD(struct config_drill, "runbook", runbook, CFG_STR, .ref = &config_section_runbooks),
};
static const struct cfg_spec drill_spec = {.size = sizeof(struct config_drill),
                                           .line_off = offsetof(struct config_drill, line),
                                           FIELDS(drill_fields),
                                           .uniq_off = offsetof(struct config_drill, id),
                                           .uniq_key = "id"};

const struct cfg_section config_section_drills = {
    .field = CFG_SECTION_LIST("drills", drills, drill_count, drill_spec),
    .noun = "drill",
    .id_off = offsetof(struct config_drill, id),
};

const struct config_drill *config_drill_find(const struct config *c, const char *id)
{
    return id ? config_section_find(c, &config_section_drills, id) : NULL;
}
