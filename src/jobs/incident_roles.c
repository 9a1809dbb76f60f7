/* incident_roles: see incident_roles.h. */
#include "jobs/incident_roles.h"
#include "domain/incident_rules.h"
#include "jobs/escalate.h"
#include "jobs/incident_ops.h"
#include "jobs/timeline.h"
#include "util/log.h"

#include <stdatomic.h>

static _Atomic unsigned long long unfilled;

unsigned long long incident_roles_unfilled_total(void)
{
    return atomic_load(&unfilled);
}

/* The first user target reaches now (borrowed from cfg), or NULL. */
const char *incident_roles_first_user(const struct config *cfg, const struct oncall_overrides *ov,
                                      const char *target, int64_t now)
{
    if (!target)
        return NULL;
    json_t *a = escalate_target_users(cfg, ov, target, now);
    const char *id = json_string_value(json_array_get(a, 0));
    const struct config_user *u = id ? config_user_find(cfg, id) : NULL;
    json_decref(a);
    return u ? u->id : NULL;
}

static enum result fill_one(struct store_conn *tx, const struct config *cfg,
                            const struct oncall_overrides *ov, struct incident *inc,
                            enum incident_role role, const struct config_role_fill *f, int64_t now,
                            struct error *err)
{
    const char *user = incident_roles_first_user(cfg, ov, f->primary, now), *source = f->primary;
    bool backup = false;
    if (!user && f->backup) {
        user = incident_roles_first_user(cfg, ov, f->backup, now);
        source = f->backup;
        backup = true;
    }
    if (user) {
        json_t *extra =
            json_pack("{s:b,s:s,s:b}", "automatic", 1, "source", source, "backup_used", backup);
        return incident_ops_assign_role(tx, inc, role, user, now, "tocsin", extra, err);
    }
    log_warn("roles: %s: no one to be %s (%s%s%s resolve to nobody)", inc->id,
             incident_role_name(role), f->primary, f->backup ? " and " : "",
             f->backup ? f->backup : "");
    json_t *data =
        json_pack("{s:s,s:s,s:s?,s:s}", "role", incident_role_name(role), "primary", f->primary,
                  "backup", f->backup, "reason", "the primary and the backup resolve to nobody");
    return incident_roles_unfilled(tx, inc, data, now, err);
}

enum result incident_roles_unfilled(struct store_conn *tx, const struct incident *inc, json_t *data,
                                    int64_t now, struct error *err)
{
    store_tx_count_after_commit(tx, &unfilled, 1); /* once, after the commit */
    return timeline_append(tx, now, "tocsin", "incident.role_unfilled", inc->id, data, NULL, err);
}

enum result incident_roles_fill(struct store_conn *tx, const struct config *cfg,
                                struct incident *inc, int64_t now, struct error *err)
{
    if (!cfg || !cfg->role_count)
        return OK;
    struct oncall_overrides ov = {0};
    enum result result = escalate_overrides_load(tx, now, now + 1, &ov, err);
    for (int r = 0; r < ROLE_COUNT && result == OK; r++) {
        const struct config_role_fill *f = incident_role_fill_for(cfg, r, inc);
        if (f && !inc->roles[r])
            result = fill_one(tx, cfg, &ov, inc, r, f, now, err);
    }
    oncall_overrides_free(&ov);
    return result;
}
