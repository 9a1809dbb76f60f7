/*
 * config_schedules: the `schedules:` list: id, name, time zone and its layers, each a rotation
 * (every, start date, handoff time, users) with optional restrictions ("mon-fri 09:00-17:00"). A
 * schedule given `rotation:` directly has one layer named "primary". Owns the formats only
 * schedules use: rotation start dates, handoff times, restriction windows. Defaults: rotation
 * start 2024-01-01. Escalation steps page a schedule as "schedule:ID" or "schedule:ID/LAYER".
 * Threads: none (runs inside one config_load; config_schedule_find reads a loaded config).
 */
#include "config/config.h"
#include "config/section.h"
#include "domain/oncall.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"
#include "util/yaml_tree.h"

#include <ctype.h>
#include <string.h>

CFG_ASSERT_ID_NAME(struct config_schedule);

enum { HANDOFF_RECENT_DEFAULT = 7 * 24 * 3600 * 1000 };

static const char *check_date(const char *s)
{
    static const char reason[] = "is not a date (YYYY-MM-DD, e.g. 2024-01-01)";
    int y, m, d;
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-' || strspn(s, "0123456789") != 4 ||
        strspn(s + 5, "0123456789") != 2 || strspn(s + 8, "0123456789") != 2)
        return reason;
    y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
    m = (s[5] - '0') * 10 + (s[6] - '0');
    d = (s[8] - '0') * 10 + (s[9] - '0');
    if (y < 1970 || m < 1 || m > 12 || d < 1)
        return reason;
    int cy, cm, cd;
    tz_civil_from_days(tz_days_from_civil(y, m, d), &cy, &cm, &cd);
    if (cm != m || cd != d)
        return "is not a date in the calendar (that month is shorter)";
    return NULL;
}

/* "mon".."sun" at s (exactly three letters); 0..6 or -1. */
static int parse_day(const char *s, size_t n)
{
    static const char *const days[] = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"};
    for (int i = 0; n == 3 && i < 7; i++)
        if (memcmp(s, days[i], 3) == 0)
            return i;
    return -1;
}

/* "HH:MM" at s (exactly five characters); minutes since midnight, or -1. "24:00" if allow_24. */
static int parse_hhmm(const char *s, size_t n, bool allow_24)
{
    if (n != 5 || !isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) || s[2] != ':' ||
        !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (m > 59 || h > 24 || (h == 24 && (!allow_24 || m != 0)))
        return -1;
    return h * 60 + m;
}

static const char *check_handoff(const char *s)
{
    static const char reason[] = "is not a handoff time (HH:MM, or DAY HH:MM with DAY one of "
                                 "mon tue wed thu fri sat sun)";
    const char *sp = strchr(s, ' ');
    if (sp && parse_day(s, (size_t)(sp - s)) < 0)
        return reason;
    const char *t = sp ? sp + 1 : s;
    if (parse_hhmm(t, strlen(t), false) < 0)
        return reason;
    return NULL;
}

/* "mon-fri", "sat", "mon,wed,fri", "sat-sun,wed": days and day ranges, comma-separated. */
static bool valid_days(const char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        size_t end = i;
        while (end < n && s[end] != ',')
            end++;
        size_t len = end - i;
        bool one = len == 3 && parse_day(s + i, 3) >= 0;
        bool range =
            len == 7 && s[i + 3] == '-' && parse_day(s + i, 3) >= 0 && parse_day(s + i + 4, 3) >= 0;
        if (!one && !range)
            return false;
        if (end == n)
            return true;
        i = end + 1;
    }
    return false; /* empty, or a trailing comma */
}

static const char *check_restriction(const char *s)
{
    static const char reason[] = "is not a restriction (e.g. \"mon-fri 09:00-17:00\", "
                                 "\"sat,sun 10:00-16:00\", \"18:00-09:00\")";
    const char *sp = strchr(s, ' ');
    if (sp && !valid_days(s, (size_t)(sp - s)))
        return reason;
    const char *t = sp ? sp + 1 : s;
    if (strlen(t) != 11 || t[5] != '-')
        return reason;
    int from = parse_hhmm(t, 5, false), to = parse_hhmm(t + 6, 5, true);
    if (from < 0 || to < 0)
        return reason;
    if (from == to)
        return "is an empty time window (start and end are equal)";
    return NULL;
}

/* A schedule given `rotation:` directly has one layer named "primary". */
static void schedule_rotation(struct cfg_ctx *ctx, const struct cfg_field *f,
                              const struct yaml_tree_node *n, void *base, const char *path);
static void schedule_layers(struct cfg_ctx *ctx, const struct cfg_field *f,
                            const struct yaml_tree_node *n, void *base, const char *path);

static void schedule_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                          const char *path, size_t index)
{
    const struct config_schedule *s = obj;
    const struct yaml_tree_node *layers = yaml_tree_map_get(n, "layers");
    const struct yaml_tree_node *rotation = yaml_tree_map_get(n, "rotation");
    config_parse_default_name(ctx, n, obj, path, index);
    if (!s->layers && (!layers || yaml_tree_is_null(layers)) &&
        (!rotation || yaml_tree_is_null(rotation)))
        config_parse_error(ctx, n->line,
                           "%s: missing required key \"layers\" (or \"rotation\" for one layer)",
                           path);
}

/* handoff_recent defaults to one week: every seed rotates weekly, and Alloy's hand-off covers
 * "active issues and recent incidents" (docs/config.md: schedules). */
static void schedule_init(void *obj)
{
    ((struct config_schedule *)obj)->handoff_recent = HANDOFF_RECENT_DEFAULT;
}

/* rotation.start defaults to 2024-01-01 (docs/config.md: schedules). */
static void rotation_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                          const char *path, size_t index)
{
    struct config_rotation *r = obj;
    if (!r->start)
        r->start = xstrdup("2024-01-01");
}

/* oncall.c evaluates at most ONCALL_MAX_RESTRICTIONS windows per layer. */
static void layer_post(struct cfg_ctx *ctx, const struct yaml_tree_node *n, void *obj,
                       const char *path, size_t index)
{
    const struct config_schedule_layer *l = obj;
    if (l->restrictions.count > ONCALL_MAX_RESTRICTIONS)
        config_parse_error(ctx, config_parse_key_line(n, "restrictions", n->line),
                           "%s.restrictions: at most %d windows per layer", path,
                           ONCALL_MAX_RESTRICTIONS);
}

static const struct cfg_field rotation_fields[] = {
    FLD(struct config_rotation, "every", every, CFG_DURATION, .required = true, .min = MS_PER_HOUR),
    FLD(struct config_rotation, "start", start, CFG_STR, .check = check_date),
    FLD(struct config_rotation, "handoff", handoff, CFG_STR, .required = true,
        .check = check_handoff),
    FLD(struct config_rotation, "users", users, CFG_STRLIST, .required = true, .min = 1,
        .ref = &config_section_users),
};
static const struct cfg_spec rotation_spec = {.line_off = offsetof(struct config_rotation, line),
                                              FIELDS(rotation_fields),
                                              .post = rotation_post,
                                              .uniq_off = NO_OFF};

static const struct cfg_field layer_fields[] = {
    FLD(struct config_schedule_layer, "name", name, CFG_STR, .required = true,
        .check = config_parse_check_id),
    FLD(struct config_schedule_layer, "rotation", rotation, CFG_MAP, .required = true,
        .sub = &rotation_spec),
    FLD(struct config_schedule_layer, "restrictions", restrictions, CFG_STRLIST, .unique = true,
        .check = check_restriction),
};
static const struct cfg_spec layer_spec = {.size = sizeof(struct config_schedule_layer),
                                           .line_off = offsetof(struct config_schedule_layer, line),
                                           FIELDS(layer_fields),
                                           .post = layer_post,
                                           .uniq_off = offsetof(struct config_schedule_layer, name),
                                           .uniq_key = "name"};

static const struct cfg_field schedule_fields[] = {
    ID_FIELD(struct config_schedule),
    FLD(struct config_schedule, "name", name, CFG_STR),
    FLD(struct config_schedule, "timezone", timezone, CFG_STR, .required = true,
        .check = config_parse_check_timezone),
    FLD(struct config_schedule, "layers", layers, CFG_LIST, .min = 1, .sub = &layer_spec,
        .count_off = offsetof(struct config_schedule, layer_count), .decode = schedule_layers),
    FLD(struct config_schedule, "handoff_recent", handoff_recent, CFG_DURATION),
    /* the shorthand: decoded into layers[0]; owns nothing itself (layers frees it) */
    FLD(struct config_schedule, "rotation", layers, CFG_NONE, .decode = schedule_rotation),
};
static const struct cfg_spec schedule_spec = {.size = sizeof(struct config_schedule),
                                              .line_off = offsetof(struct config_schedule, line),
                                              FIELDS(schedule_fields),
                                              .init = schedule_init,
                                              .post = schedule_post,
                                              .uniq_off = offsetof(struct config_schedule, id),
                                              .uniq_key = "id"};

const struct cfg_section config_section_schedules = {
    .field = CFG_SECTION_LIST("schedules", schedules, schedule_count, schedule_spec),
    .noun = "schedule",
    .id_off = offsetof(struct config_schedule, id),
};

static void schedule_rotation(struct cfg_ctx *ctx, const struct cfg_field *f,
                              const struct yaml_tree_node *n, void *base, const char *path)
{
    struct config_schedule *s = base;
    if (s->layers) {
        config_parse_error(ctx, n->line,
                           "%s: use either \"rotation\" (one layer) or \"layers\", not both", path);
        return;
    }
    s->layers = xcalloc(1, sizeof *s->layers);
    s->layer_count = 1;
    s->layers[0].name = xstrdup("primary");
    s->layers[0].line = n->line;
    config_parse_decode_map(ctx, &rotation_spec, n, &s->layers[0].rotation, path);
}

static void schedule_layers(struct cfg_ctx *ctx, const struct cfg_field *f,
                            const struct yaml_tree_node *n, void *base, const char *path)
{
    const struct config_schedule *s = base;
    if (s->layers) {
        config_parse_error(ctx, n->line,
                           "%s: use either \"rotation\" (one layer) or \"layers\", not both", path);
        return;
    }
    config_parse_decode_typed(ctx, f, n, base, path);
}

const struct config_schedule *config_schedule_find(const struct config *c, const char *id)
{
    return config_section_find(c, &config_section_schedules, id);
}
