/*
 * config_severities: the `severities:` list (required, at least one): id, name, clocks (ack,
 * resolve, update cadence), notification channels, post-mortem rule. An item's rank is its
 * position (1 = most severe); absent clocks are -1. Other sections name a severity by its id.
 * Threads: none (runs inside one config_load; config_severity_find reads a loaded config).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/timeutil.h"

static const char *const channels[] = {"email", "sms", "slack", "webhook", "voice", "ticket", NULL};

static void severity_init(void *obj)
{
    struct config_severity *s = obj;
    s->ack_within = s->resolve_within = s->update_every = s->postmortem_due = -1;
}

static void severity_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                          const char *path, size_t index)
{
    ((struct config_severity *)obj)->rank = (int)index + 1;
}

static const struct cfg_field postmortem_fields[] = {
    FLD(struct config_severity, "required", postmortem_required, CFG_BOOL, .required = true),
    FLD(struct config_severity, "due", postmortem_due, CFG_DURATION),
};
static const struct cfg_spec postmortem_spec = {
    .line_off = NO_OFF, FIELDS(postmortem_fields), .uniq_off = NO_OFF};

static const struct cfg_field severity_fields[] = {
    ID_FIELD(struct config_severity),
    FLD(struct config_severity, "name", name, CFG_STR, .required = true),
    FLD(struct config_severity, "description", description, CFG_STR),
    FLD(struct config_severity, "ack_within", ack_within, CFG_DURATION),
    FLD(struct config_severity, "resolve_within", resolve_within, CFG_DURATION),
    FLD(struct config_severity, "update_every", update_every, CFG_DURATION, .min = MS_PER_MIN),
    FLD(struct config_severity, "notify", notify, CFG_STRLIST, .choices = channels, .unique = true),
    FLD(struct config_severity, "on_ack_breach", on_ack_breach, CFG_STR,
        .ref = &config_breach_action_ref),
    FLD(struct config_severity, "on_resolve_breach", on_resolve_breach, CFG_STR,
        .ref = &config_breach_action_ref),
    FLD(struct config_severity, "business_hours", business_hours, CFG_STR,
        .ref = &config_section_calendars),
    FLD(struct config_severity, "stakeholders", stakeholders, CFG_STRLIST, .unique = true,
        .ref = &config_section_users),
    {.key = "postmortem", .type = CFG_MAP, .off = 0, .sub = &postmortem_spec},
};
static const struct cfg_spec severity_spec = {.size = sizeof(struct config_severity),
                                              .line_off = offsetof(struct config_severity, line),
                                              FIELDS(severity_fields),
                                              .init = severity_init,
                                              .post = severity_post,
                                              .uniq_off = offsetof(struct config_severity, id),
                                              .uniq_key = "id"};

const struct cfg_section config_section_severities = {
    .field = CFG_SECTION_LIST("severities", severities, severity_count, severity_spec,
                              .required = true, .min = 1),
    .noun = "severity",
    .id_off = offsetof(struct config_severity, id),
};

const struct config_severity *config_severity_find(const struct config *c, const char *id)
{
    return config_section_find(c, &config_section_severities, id);
}
