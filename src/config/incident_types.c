/*
 * config_incident_types: the `incident_types:` list: id, name (defaults to the id), description,
 * and the escalation policy, default severity, runbooks and checklists an incident of the type
 * takes (each a reference, resolved after the whole file is read). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

CFG_ASSERT_ID_NAME(struct config_incident_type);

static const struct cfg_field type_fields[] = {
    ID_FIELD(struct config_incident_type),
    FLD(struct config_incident_type, "name", name, CFG_STR),
    FLD(struct config_incident_type, "description", description, CFG_STR),
    FLD(struct config_incident_type, "escalation", escalation, CFG_STR,
        .ref = &config_section_escalation_policies),
    FLD(struct config_incident_type, "severity", severity, CFG_STR,
        .ref = &config_section_severities),
    FLD(struct config_incident_type, "runbooks", runbooks, CFG_STRLIST, .unique = true,
        .ref = &config_section_runbooks),
    FLD(struct config_incident_type, "checklists", checklists, CFG_STRLIST, .unique = true,
        .ref = &config_section_checklists),
};
static const struct cfg_spec type_spec = {.size = sizeof(struct config_incident_type),
                                          .line_off = offsetof(struct config_incident_type, line),
                                          FIELDS(type_fields),
                                          .post = config_parse_default_name,
                                          .uniq_off = offsetof(struct config_incident_type, id),
                                          .uniq_key = "id"};

const struct cfg_section config_section_incident_types = {
    .field = CFG_SECTION_LIST("incident_types", types, type_count, type_spec),
    .noun = "incident type",
    .id_off = offsetof(struct config_incident_type, id),
};

const struct config_incident_type *config_type_find(const struct config *c, const char *id)
{
    return config_section_find(c, &config_section_incident_types, id);
}
