/* incident_rules: see incident_rules.h. */
#include "domain/incident_rules.h"

#include <string.h>

static bool in_list(const struct string_list *l, const char *s)
{
    if (!l->count)
        return true;
    for (size_t i = 0; s && i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

bool incident_condition_matches(const struct config_condition *when, const struct incident *inc)
{
    return in_list(&when->severity, inc->severity) && in_list(&when->type, inc->type);
}

const struct config_role_fill *incident_role_fill_for(const struct config *cfg,
                                                      enum incident_role role,
                                                      const struct incident *inc)
{
    const char *name = incident_role_name(role);
    for (size_t i = 0; cfg && i < cfg->role_count; i++) {
        const struct config_role_fill *f = &cfg->roles[i];
        if (strcmp(f->role, name) == 0 && incident_condition_matches(&f->when, inc))
            return f;
    }
    return NULL;
}

bool incident_rule_matches(const struct config_rule *r, const struct incident *inc,
                           const json_t *fields, int failed_resolutions, int64_t now)
{
    const struct config_rule_when *w = &r->when;
    if (!in_list(&w->severity, inc->severity) || !in_list(&w->type, inc->type) ||
        !in_list(&w->service, inc->service))
        return false;
    if (failed_resolutions < w->failed_resolutions)
        return false;
    if (w->open_for > 0 && now < incident_rule_open_at(r, inc))
        return false;
    for (size_t i = 0; i < w->field_count; i++) {
        const char *v = json_string_value(json_object_get(fields, w->fields[i].from));
        if (!v || strcmp(v, w->fields[i].to) != 0)
            return false;
    }
    return true;
}

bool incident_rule_labels_match(const struct config_rule *r, const json_t *labels)
{
    const struct config_rule_when *w = &r->when;
    for (size_t i = 0; i < w->label_count; i++) {
        const char *v = json_string_value(json_object_get(labels, w->labels[i].name));
        bool any = false;
        for (size_t k = 0; v && k < w->labels[i].values.count && !any; k++)
            any = strcmp(v, w->labels[i].values.items[k]) == 0;
        if (!any)
            return false;
    }
    return true;
}

int64_t incident_rule_open_at(const struct config_rule *r, const struct incident *inc)
{
    return r->when.open_for > 0 ? inc->created_at + r->when.open_for : 0;
}
