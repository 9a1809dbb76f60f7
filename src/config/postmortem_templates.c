/*
 * config_postmortem_templates: the `postmortem_templates:` list: the templates post-mortems are
 * made from (docs/internals/postmortems.md). Each has an id, a title (the document's heading
 * word, default "Post-Mortem"), the incidents it applies to (`when:`, severity and type, see
 * conditions.c), whether the incident must be resolved before one is made (`require_resolved`,
 * default true) and the sections of the document in order (`sections`, default all of them).
 * The first template whose `when` matches an incident is used; none matching: the built-in one
 * (every section, resolved first). When and by when one is required stays with the severity
 * (`severities[].postmortem: {required, due}`). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

/* The sections a document may have; domain/postmortem.c renders each (keep the two in step). */
static const char *const sections[] = {
    "summary",   "impact",        "roles",        "timeline",
    "alerts",    "notifications", "root_cause",   "contributing_factors",
    "went_well", "went_badly",    "action_items", "lessons",
    NULL};

static void template_init(void *obj)
{
    ((struct config_postmortem_template *)obj)->require_resolved = true;
}

static const struct cfg_field template_fields[] = {
    ID_FIELD(struct config_postmortem_template),
    FLD(struct config_postmortem_template, "title", title, CFG_STR),
    FLD(struct config_postmortem_template, "when", when, CFG_MAP, .sub = &config_condition_spec),
    FLD(struct config_postmortem_template, "require_resolved", require_resolved, CFG_BOOL),
    FLD(struct config_postmortem_template, "sections", sections, CFG_STRLIST, .choices = sections,
        .unique = true, .min = 1),
};
static const struct cfg_spec template_spec = {
    .size = sizeof(struct config_postmortem_template),
    .line_off = offsetof(struct config_postmortem_template, line),
    FIELDS(template_fields),
    .init = template_init,
    .uniq_off = offsetof(struct config_postmortem_template, id),
    .uniq_key = "id"};

const struct cfg_section config_section_postmortem_templates = {
    .field = CFG_SECTION_LIST("postmortem_templates", postmortem_templates,
                              postmortem_template_count, template_spec),
    .noun = "post-mortem template",
    .id_off = offsetof(struct config_postmortem_template, id),
};
