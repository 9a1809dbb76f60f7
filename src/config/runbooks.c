/*
 * config_runbooks: the `runbooks:` list: id, title, an optional URL, prerequisites, steps,
 * rollback, time estimate, owner, and what it applies to (services, alert labels; services and
 * incident types also name runbooks by id). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

#include <ctype.h>
#include <string.h>

/* "label=value": a label name of letters, digits and '_' (Prometheus), a non-empty value. */
static const char *check_label(const char *s)
{
    const char *eq = strchr(s, '=');
    if (!eq || eq == s || !eq[1])
        return "is not label=value";
    for (const char *p = s; p < eq; p++)
        if (!isalnum((unsigned char)*p) && *p != '_')
            return "is not label=value (a label is letters, digits and _)";
    return NULL;
}

static const struct cfg_field runbook_fields[] = {
    ID_FIELD(struct config_runbook),
    FLD(struct config_runbook, "title", title, CFG_STR, .required = true),
    FLD(struct config_runbook, "url", url, CFG_STR, .check = config_parse_check_http_url),
    FLD(struct config_runbook, "steps", steps, CFG_STRLIST),
    FLD(struct config_runbook, "prerequisites", prerequisites, CFG_STRLIST),
    FLD(struct config_runbook, "rollback", rollback, CFG_STR),
    FLD(struct config_runbook, "estimate", estimate, CFG_STR),
    FLD(struct config_runbook, "owner", owner, CFG_STR, .ref = &config_section_users),
    FLD(struct config_runbook, "services", services, CFG_STRLIST, .unique = true,
        .ref = &config_section_services),
    FLD(struct config_runbook, "alert_labels", alert_labels, CFG_STRLIST, .unique = true,
        .check = check_label),
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
