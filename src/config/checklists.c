/*
 * config_checklists: the `checklists:` list: id, title, the incidents it applies to (`when:`,
 * see conditions.c), the phase and its items (at least one). Incident types name checklists by id.
 * Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

#include <string.h>

static const char *const phases[] = {"triage",     "mitigate", "resolve",
                                     "postmortem", "handoff",  NULL};

static const char *const events[] = {"declared", "acknowledged", "resolved", NULL};

/* A role name, or a user id (checked against users in checklists_finish). */
static const char *check_owner(const char *s)
{
    return config_parse_check_id(s);
}

static const struct cfg_field checklist_fields[] = {
    ID_FIELD(struct config_checklist),
    FLD(struct config_checklist, "title", title, CFG_STR, .required = true),
    FLD(struct config_checklist, "when", when, CFG_MAP, .sub = &config_condition_spec),
    FLD(struct config_checklist, "phase", phase, CFG_STR, .choices = phases),
    FLD(struct config_checklist, "items", items, CFG_STRLIST, .required = true, .min = 1),
    FLD(struct config_checklist, "within", within, CFG_DURATION, .min = 1000),
    FLD(struct config_checklist, "from", from, CFG_STR, .choices = events),
    FLD(struct config_checklist, "owner", owner, CFG_STR, .check = check_owner),
};
static void checklist_init(void *obj)
{
    ((struct config_checklist *)obj)->within = -1;
}

/* The owner is a role (commander, tech_lead, comms_lead, scribe) or a users id; `from` and
 * `owner` need `within`. */
static void checklists_finish(struct cfg_ctx *ctx, const struct yaml_tree_node *root,
                              struct config *c)
{
    static const char *const roles[] = {"commander", "tech_lead", "comms_lead", "scribe", NULL};
    for (size_t i = 0; i < c->checklist_count; i++) {
        const struct config_checklist *cl = &c->checklists[i];
        if ((cl->from || cl->owner) && cl->within < 0)
            config_parse_error(ctx, cl->line,
                               "checklists: %s: `from` and `owner` need `within` (the deadline)",
                               cl->id);
        bool role = false;
        for (int r = 0; cl->owner && roles[r]; r++)
            role = role || strcmp(cl->owner, roles[r]) == 0;
        if (cl->owner && !role && !config_user_find(c, cl->owner))
            config_parse_error(ctx, cl->line,
                               "checklists: %s: owner \"%s\" is neither a role (commander, "
                               "tech_lead, comms_lead, scribe) nor a user",
                               cl->id, cl->owner);
    }
}

static const struct cfg_spec checklist_spec = {.size = sizeof(struct config_checklist),
                                               .init = checklist_init,
                                               .line_off = offsetof(struct config_checklist, line),
                                               FIELDS(checklist_fields),
                                               .uniq_off = offsetof(struct config_checklist, id),
                                               .uniq_key = "id"};

const struct cfg_section config_section_checklists = {
    .field = CFG_SECTION_LIST("checklists", checklists, checklist_count, checklist_spec),
    .finish = checklists_finish,
    .noun = "checklist",
    .id_off = offsetof(struct config_checklist, id),
};
