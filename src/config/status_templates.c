/*
 * config_status_templates: the `status_templates:` list: canned status page updates (id, status,
 * title, body). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

static const char *const statuses[] = {"investigating", "identified", "monitoring", "resolved",
                                       NULL};

static const struct cfg_field template_fields[] = {
    ID_FIELD(struct config_status_template),
    FLD(struct config_status_template, "status", status, CFG_STR, .required = true,
        .choices = statuses),
    FLD(struct config_status_template, "title", title, CFG_STR, .required = true),
    FLD(struct config_status_template, "body", body, CFG_STR, .required = true),
};
static const struct cfg_spec template_spec = {
    .size = sizeof(struct config_status_template),
    .line_off = offsetof(struct config_status_template, line),
    FIELDS(template_fields),
    .uniq_off = offsetof(struct config_status_template, id),
    .uniq_key = "id"};

const struct cfg_section config_section_status_templates = {
    .field = CFG_SECTION_LIST("status_templates", status_templates, status_template_count,
                              template_spec),
};
