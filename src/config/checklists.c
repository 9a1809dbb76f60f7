/*
 * config_checklists: the `checklists:` list: id, title, the incidents it applies to (`when:`,
 * see conditions.c), the phase and its items (at least one). Incident types name checklists by id.
 * Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

static const char *const phases[] = {"triage",     "mitigate", "resolve",
                                     "postmortem", "handoff",  NULL};

static const struct cfg_field checklist_fields[] = {
    ID_FIELD(struct config_checklist),
    FLD(struct config_checklist, "title", title, CFG_STR, .required = true),
    FLD(struct config_checklist, "when", when, CFG_MAP, .sub = &config_condition_spec),
    FLD(struct config_checklist, "phase", phase, CFG_STR, .choices = phases),
    FLD(struct config_checklist, "items", items, CFG_STRLIST, .required = true, .min = 1),
};
static const struct cfg_spec checklist_spec = {.size = sizeof(struct config_checklist),
                                               .line_off = offsetof(struct config_checklist, line),
                                               FIELDS(checklist_fields),
                                               .uniq_off = offsetof(struct config_checklist, id),
                                               .uniq_key = "id"};

const struct cfg_section config_section_checklists = {
    .field = CFG_SECTION_LIST("checklists", checklists, checklist_count, checklist_spec),
    .noun = "checklist",
    .id_off = offsetof(struct config_checklist, id),
};
