/*
 * config_teams: the `teams:` list: id, name (defaults to the id) and members (user ids, at least
 * one, each once). Escalation steps page a team as "team:ID". Threads: none.
 */
#include "config/config.h"
#include "config/section.h"

CFG_ASSERT_ID_NAME(struct config_team);

static const struct cfg_field team_fields[] = {
    ID_FIELD(struct config_team),
    FLD(struct config_team, "name", name, CFG_STR),
    FLD(struct config_team, "members", members, CFG_STRLIST, .required = true, .min = 1,
        .unique = true, .ref = &config_section_users),
};
static const struct cfg_spec team_spec = {.size = sizeof(struct config_team),
                                          .line_off = offsetof(struct config_team, line),
                                          FIELDS(team_fields),
                                          .post = config_parse_default_name,
                                          .uniq_off = offsetof(struct config_team, id),
                                          .uniq_key = "id"};

const struct cfg_section config_section_teams = {
    .field = CFG_SECTION_LIST("teams", teams, team_count, team_spec),
    .noun = "team",
    .id_off = offsetof(struct config_team, id),
};
