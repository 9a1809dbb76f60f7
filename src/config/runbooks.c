/*
 * config_runbooks: the `runbooks:` list: id, title, an optional URL, prerequisites, steps,
 * rollback, time estimate, owner, and what it applies to (services, alert labels; services and
 * incident types also name runbooks by id). Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

#include "util/timeutil.h"

#include <ctype.h>
#include <stdio.h>
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

/* review_by: a calendar date, YYYY-MM-DD. */
static const char *check_date(const char *s)
{
    char buf[40];
    int64_t ms = 0;
    if (strlen(s) != 10)
        return "is not a date (YYYY-MM-DD)";
    snprintf(buf, sizeof buf, "%sT00:00:00Z", s);
    return time_parse_rfc3339(buf, &ms) == 0 ? NULL : "is not a date (YYYY-MM-DD)";
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
    FLD(struct config_runbook, "review_by", review_by, CFG_STR, .check = check_date),
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

/* review_by needs an owner (who is reminded); review_by_ms: the end of that day, UTC. */
static void runbooks_finish(struct cfg_ctx *ctx, const struct yaml_tree_node *root,
                            struct config *c)
{
    for (size_t i = 0; i < c->runbook_count; i++) {
        struct config_runbook *rb = &c->runbooks[i];
        char buf[40];
        if (!rb->review_by)
            continue;
        if (!rb->owner)
            config_parse_error(ctx, rb->line,
                               "runbooks: %s: review_by needs an owner (who is reminded)", rb->id);
        snprintf(buf, sizeof buf, "%sT00:00:00Z", rb->review_by);
        if (time_parse_rfc3339(buf, &rb->review_by_ms) == 0)
            rb->review_by_ms += 24LL * 3600 * 1000;
    }
}

const struct cfg_section config_section_runbooks = {
    .field = CFG_SECTION_LIST("runbooks", runbooks, runbook_count, runbook_spec),
    .finish = runbooks_finish,
    .noun = "runbook",
    .id_off = offsetof(struct config_runbook, id),
};
