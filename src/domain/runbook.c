/*
 * runbook: runbook matching and Markdown (runbook.h). Threads: any; pure.
 */
#include "domain/runbook.h"

#include <jansson.h>
#include <string.h>

static bool list_has(const struct string_list *l, const char *s)
{
    for (size_t i = 0; s && i < l->count; i++)
        if (strcmp(l->items[i], s) == 0)
            return true;
    return false;
}

const struct config_runbook *runbook_find(const struct config *cfg, const char *id)
{
    for (size_t i = 0; cfg && id && i < cfg->runbook_count; i++)
        if (strcmp(cfg->runbooks[i].id, id) == 0)
            return &cfg->runbooks[i];
    return NULL;
}

/* Whether a rule that fired on inc (its rules_fired) attaches rb. */
static bool attached_by_rule(const struct config *cfg, const struct config_runbook *rb,
                             const struct incident *inc)
{
    if (!inc->rules_fired)
        return false;
    json_t *fired = NULL;
    bool hit = false;
    for (size_t i = 0; i < cfg->rule_count && !hit; i++) {
        const struct config_rule *r = &cfg->rules[i];
        if (!list_has(&r->attach_runbook, rb->id))
            continue;
        if (!fired)
            fired = json_loads(inc->rules_fired, 0, NULL);
        for (size_t k = 0; k < json_array_size(fired) && !hit; k++) {
            const char *id = json_string_value(json_array_get(fired, k));
            hit = id && strcmp(id, r->id) == 0;
        }
    }
    json_decref(fired);
    return hit;
}

int runbook_static_match(const struct config *cfg, const struct config_runbook *rb,
                         const struct incident *inc)
{
    int m = 0;
    if (attached_by_rule(cfg, rb, inc))
        m |= RUNBOOK_BY_RULE;
    const struct config_service *s = inc->service ? config_service_find(cfg, inc->service) : NULL;
    const struct config_incident_type *t = inc->type ? config_type_find(cfg, inc->type) : NULL;
    if ((s && list_has(&s->runbooks, rb->id)) || list_has(&rb->services, inc->service))
        m |= RUNBOOK_BY_SERVICE;
    if (t && list_has(&t->runbooks, rb->id))
        m |= RUNBOOK_BY_TYPE;
    return m;
}

bool runbook_labels_match(const struct config_runbook *rb, const char *labels_json)
{
    if (!rb->alert_labels.count || !labels_json)
        return false;
    json_t *o = json_loads(labels_json, 0, NULL);
    bool hit = false;
    for (size_t i = 0; json_is_object(o) && i < rb->alert_labels.count && !hit; i++) {
        const char *pair = rb->alert_labels.items[i], *eq = strchr(pair, '=');
        char key[256];
        size_t n = eq ? (size_t)(eq - pair) : 0;
        if (!eq || n >= sizeof key)
            continue;
        memcpy(key, pair, n);
        key[n] = '\0';
        const char *v = json_string_value(json_object_get(o, key));
        hit = v && strcmp(v, eq + 1) == 0;
    }
    json_decref(o);
    return hit;
}

void runbook_render_md(const struct config *cfg, const struct config_runbook *rb, struct buf *out)
{
    buf_printf(out, "## %s: %s\n\n", rb->id, rb->title);
    const struct config_user *u = rb->owner ? config_user_find(cfg, rb->owner) : NULL;
    if (rb->owner)
        buf_printf(out, "*Owner:* %s  \n", u && u->name ? u->name : rb->owner);
    if (rb->review_by)
        buf_printf(out, "*Review by:* %s  \n", rb->review_by);
    if (rb->estimate)
        buf_printf(out, "*Time estimate:* %s  \n", rb->estimate);
    if (rb->url)
        buf_printf(out, "*Source:* <%s>\n", rb->url);
    buf_puts(out, "\n");
    if (rb->prerequisites.count) {
        buf_puts(out, "### Prerequisites\n\n");
        for (size_t i = 0; i < rb->prerequisites.count; i++)
            buf_printf(out, "- %s\n", rb->prerequisites.items[i]);
        buf_puts(out, "\n");
    }
    buf_puts(out, "### Steps\n\n");
    if (!rb->steps.count)
        buf_puts(out, "No steps written.\n");
    for (size_t i = 0; i < rb->steps.count; i++)
        buf_printf(out, "%zu. %s\n", i + 1, rb->steps.items[i]);
    buf_puts(out, "\n");
    if (rb->rollback)
        buf_printf(out, "### Rollback\n\n%s\n", rb->rollback);
}
