/* status_webhook: Statuspage-shaped webhook bodies; see status_webhook.h. */
#include "domain/status_webhook.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <string.h>

#define PAGE_ID "tocsin" /* as the page's own JSON (web/status_render_json.c) */

static json_t *jtime(int64_t ms)
{
    if (!ms)
        return json_null();
    char s[RFC3339_LEN];
    time_format_rfc3339(ms, s);
    return json_string(s);
}

json_t *sp_webhook_envelope(const struct sp_page *p, const char *base_url, const char *unsubscribe)
{
    char doc[1024];
    snprintf(doc, sizeof doc, "%s/status", base_url);
    return json_pack("{s:{s:s,s:s},s:{s:s,s:s,s:s}}", "meta", "unsubscribe", unsubscribe,
                     "documentation", doc, "page", "id", PAGE_ID, "status_indicator",
                     sp_impact_name(p->indicator), "status_description",
                     sp_indicator_description(p->indicator));
}

json_t *sp_webhook_incident(const struct sp_page *p, const struct sp_incident *i,
                            const char *base_url)
{
    json_t *updates = json_array();
    for (size_t k = 0; k < i->update_count; k++) {
        const struct sp_update *u = &i->updates[k];
        char id[32];
        snprintf(id, sizeof id, "%lld", (long long)u->seq);
        json_array_append_new(updates,
                              json_pack("{s:s,s:s,s:s,s:s,s:o,s:o,s:o,s:b,s:n,s:b}", "id", id,
                                        "incident_id", i->id, "status", u->status, "body", u->body,
                                        "created_at", jtime(u->at), "updated_at", jtime(u->at),
                                        "display_at", jtime(u->at), "wants_twitter_update", false,
                                        "twitter_updated_at", "backfilled", false));
    }
    json_t *comps = json_array();
    if (i->component >= 0) {
        const struct sp_component *c = &p->components[i->component];
        json_array_append_new(comps, json_pack("{s:s,s:s,s:s}", "id", c->id, "name", c->name,
                                               "status", sp_component_status_name(c->status)));
    }
    char link[1024];
    snprintf(link, sizeof link, "%s/status#%s", base_url, i->id);
    return json_pack("{s:s,s:s,s:s,s:s,s:n,s:o,s:o,s:o,s:o,s:s,s:s,s:s,s:b,s:o,s:o}", "id", i->id,
                     "name", i->title, "status", i->status, "impact", sp_impact_name(i->impact),
                     "impact_override", "created_at", jtime(i->created_at), "updated_at",
                     jtime(i->updated_at), "monitoring_at", jtime(i->monitoring_at), "resolved_at",
                     jtime(i->resolved ? i->resolved_at : 0), "shortlink", link, "page_id", PAGE_ID,
                     "organization_id", PAGE_ID, "backfilled", false, "incident_updates", updates,
                     "components", comps);
}

void sp_webhook_component_update(json_t *body, const struct sp_page *after, size_t k,
                                 enum sp_component_status old, int64_t now)
{
    const struct sp_component *c = &after->components[k];
    char id[160];
    snprintf(id, sizeof id, "%s-%lld", c->id, (long long)now);
    json_object_set_new(body, "component_update",
                        json_pack("{s:s,s:s,s:s,s:s,s:o}", "id", id, "component_id", c->id,
                                  "old_status", sp_component_status_name(old), "new_status",
                                  sp_component_status_name(c->status), "created_at", jtime(now)));
    json_object_set_new(body, "component",
                        json_pack("{s:s,s:s,s:s,s:o}", "id", c->id, "name", c->name, "status",
                                  sp_component_status_name(c->status), "created_at", jtime(now)));
}
