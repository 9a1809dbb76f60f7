/*
 * config_section: one top-level section of the config file (severities, users, notify...), as
 * the loader in config.c sees it. Internal to src/config/.
 *
 * Job: each section file (src/config/severities.c, users.c, ...) defines one
 * `const struct cfg_section config_section_NAME`: its entry in the top-level table (key, type,
 * where it lives in struct config, its cfg_spec), the defaults it sets before decoding, the checks
 * it runs once the whole top level is decoded, and what a reference to one of its items is called
 * ("escalation policy"). sections.def lists the sections, once each; this header and config.c
 * expand that list into the extern declarations, the top-level table, its free and the reference
 * resolution, so adding a section adds a file and one line there (plus its member of struct
 * config in config.h).
 * Invariants: the section descriptors are constant; a field's `ref` points at the section (or
 * reference kind) its string names, so a reference to a section that does not exist does not
 * compile. Threads: none; everything here is read-only.
 */
#ifndef TOCSIN_CONFIG_SECTION_H
#define TOCSIN_CONFIG_SECTION_H

#include "config/parse.h"

struct config;

struct cfg_section {
    /* Its entry in the top-level table (key NULL: a reference kind, not a section). */
    struct cfg_field field;
    /* Sets the section's defaults in c before anything is decoded, or NULL. */
    void (*defaults)(struct config *c);
    /* Runs after the whole top-level map was decoded (given or not), in list order; root is that
     * map. Defaults that depend on other keys, rules that span them. NULL when none. */
    void (*finish)(struct cfg_ctx *ctx, const struct yaml_tree_node *root, struct config *c);
    /* References to its items: their name in messages ("escalation policy"), or NULL when nothing
     * refers to them; the offset of the item's id (a char *) in the item struct. */
    const char *noun;
    size_t id_off;
    /* Resolves one reference itself instead of looking the value up as an id, or NULL. */
    void (*resolve)(struct cfg_ctx *ctx, const struct config *c, const struct cfg_pending_ref *r);
};

#define CONFIG_SECTION(name) extern const struct cfg_section config_section_##name;
#include "config/sections.def"
#undef CONFIG_SECTION

/* The item of section s whose id is id, or NULL (linear: configs hold tens of items). */
const void *config_section_find(const struct config *c, const struct cfg_section *s,
                                const char *id);

/* A list section of struct config: member arr, its count in member counter, items decoded with
 * spec_; more cfg_field initialisers may follow (.required = true...). */
#define CFG_SECTION_LIST(k, arr, counter, spec_, ...)                                              \
    FLD(struct config, k, arr, CFG_LIST, .sub = &(spec_),                                          \
        .count_off = offsetof(struct config, counter), __VA_ARGS__)
/* A map section whose keys are members of struct config itself (server.listen...). */
#define CFG_SECTION_MAP(k, spec_)                                                                  \
    {                                                                                              \
        .key = (k), .type = CFG_MAP, .off = 0, .sub = &(spec_)                                     \
    }

/* Reference kinds of escalation_policies.c: a paging target ("schedule:ID", "schedule:ID/LAYER",
 * "user:ID", "team:ID"), and a breach action ("repage", "next", "flag" or a target). */
extern const struct cfg_section config_target_ref;
extern const struct cfg_section config_breach_action_ref;

/* roles.c: the incident roles' names (NULL-ended), and the check of a target a role goes to
 * (schedule:ID, schedule:ID/LAYER or user:ID: one person, never a team). */
extern const char *const config_role_names[];
const char *config_role_target_check(const char *s);

/* `when:` of escalation steps and checklists (conditions.c). */
extern const struct cfg_spec config_condition_spec;

/* Appends "FILE:LINE: warning: message" (or "FILE: warning: message" when line is 0) to *out
 * (delivery_check.c; the warnings check-config prints and the server logs at start). */
struct config_errors;
void config_warning_add(struct config_errors *out, const struct config *c, int line,
                        const char *fmt, ...) __attribute__((format(printf, 4, 5)));

#endif
