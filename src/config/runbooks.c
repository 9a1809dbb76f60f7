/*
 * config_runbooks: the `runbooks:` list: id, title, an optional URL and steps. Services and
 * incident types name runbooks by id. Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

static const struct cfg_field runbook_fields[] = {
    ID_FIELD(struct config_runbook),
    FLD(struct config_runbook, "title", title, CFG_STR, .required = true),
    FLD(struct config_runbook, "url", url, CFG_STR, .check = config_parse_check_http_url),
    FLD(struct config_runbook, "steps", steps, CFG_STRLIST),
};
static const struct cfg_spec runbook_spec = {.size = sizeof(struct config_runbook),
                                             .line_off = offsetof(struct config_runbook, line),
                                             FIELDS(runbook_fields),
                                             .uniq_off = offsetof(struct config_runbook, id),
                                             .uniq_key = "id"};

const struct cfg_section config_section_runbooks = {
    .field = CFG_SECTION_LIST("runbooks", runbooks, runbook_count, runbook_spec),
    .noun = "runbook",
    .id_off = offsetof(struct config_runbook, id),
};
