/* incident_rules: see incident_rules.h. */
#include "jobs/incident_rules.h"
#include "domain/incident_rules.h"
#include "jobs/checklists.h"
#include "jobs/escalate.h"
#include "jobs/incident_ops.h"
#include "jobs/incident_roles.h"
#include "jobs/notify_enqueue.h"
#include "jobs/timeline.h"
#include "store/alerts.h"
#include "store/incidents.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A JSON text of inc (object or array), parsed; a missing or broken one is empty. */
static json_t *load_json(const char *text, bool array)
{
    json_t *j = text ? json_loads(text, 0, NULL) : NULL;
    if (j && (array ? json_is_array(j) : json_is_object(j)))
        return j;
    json_decref(j);
    return array ? json_array() : json_object();
}

static void store_json(char **text, const json_t *j)
{
    free(*text);
    *text = json_array_size(j) || json_object_size(j) ? json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS)
                                                      : NULL;
}

static bool fired_already(const json_t *fired, const char *id)
{
    for (size_t i = 0; i < json_array_size(fired); i++)
        if (strcmp(json_string_value(json_array_get(fired, i)), id) == 0)
            return true;
    return false;
}

static enum result save(struct store_conn *tx, const struct incident *inc, struct error *err)
{
    enum result result = store_incident_update(tx, inc);
    return result == OK ? OK : error_set(err, result, "store: cannot update incident %s", inc->id);
}

/* Pages one target's users (contact:ID: that contact) for rule r; returns {target, users}. */
static json_t *page_target(struct store_conn *tx, const struct config *cfg,
                           const struct oncall_overrides *ov, const struct incident *inc,
                           const struct config_rule *r, const char *target, int64_t now,
                           enum result *result, struct error *err)
{
    json_t *users = strncmp(target, "contact:", 8) == 0
                        ? json_pack("[s]", target)
                        : escalate_target_users(cfg, ov, target, now);
    char key[96], why[128];
    snprintf(key, sizeof key, "rule:%.80s", r->id);
    snprintf(why, sizeof why, "rule %.100s", r->id);
    if (!json_array_size(users))
        log_warn("rules: %s: rule %s pages %s, which reaches nobody now", inc->id, r->id, target);
    for (size_t i = 0; i < json_array_size(users) && *result == OK; i++) {
        struct notify_message m = {.kind = NOTIFY_PAGE,
                                   .key = key,
                                   .user = json_string_value(json_array_get(users, i)),
                                   .inc = inc,
                                   .reason = why,
                                   .actor = "tocsin",
                                   .note = r->note};
        int queued = 0;
        struct error e = {0};
        enum result res = notify_enqueue(tx, cfg, &m, now, &queued, &e);
        if (res == ERR_UNPROCESSABLE || res == ERR_NOT_FOUND) /* no way to reach them: said */
            res = timeline_append(
                tx, now, "tocsin", "escalation.unreachable", inc->id,
                json_pack("{s:s,s:s,s:s}", "user", m.user, "key", key, "error", e.message), NULL,
                err);
        else if (res != OK)
            error_set(err, res, "%s", e.message);
        *result = res;
    }
    return json_pack("{s:s,s:o}", "target", target, "users", users);
}

/* `assign`: each role still empty goes to the user its target resolves to now (the path of a
 * manual assignment, marked automatic); a held role is kept; nobody is incident.role_unfilled.
 * Returns [{role, user, source, kept?}]. */
static json_t *assign_roles(struct store_conn *tx, const struct config *cfg,
                            const struct oncall_overrides *ov, struct incident *inc,
                            const struct config_rule *r, int64_t now, const char *reason,
                            enum result *result, struct error *err)
{
    json_t *out = json_array();
    for (size_t i = 0; i < r->assign_count && *result == OK; i++) {
        const char *name = r->assign[i].from, *source = r->assign[i].to;
        int role = incident_role_parse(name);
        if (role < 0 || role >= ROLE_COUNT)
            continue; /* the config refuses it */
        const char *holder = inc->roles[role];
        const char *user = holder ? NULL : incident_roles_first_user(cfg, ov, source, now);
        json_t *o = json_pack("{s:s,s:s,s:s?}", "role", name, "source", source, "user",
                              holder ? holder : user);
        if (holder) {
            json_object_set_new(o, "kept", json_true());
        } else if (user) {
            *result =
                incident_ops_assign_role(tx, inc, role, user, now, "tocsin",
                                         json_pack("{s:b,s:s,s:s,s:s}", "automatic", 1, "source",
                                                   source, "rule", r->id, "reason", reason),
                                         err);
        } else {
            log_warn("rules: %s: rule %s: no one to be %s (%s resolves to nobody)", inc->id, r->id,
                     name, source);
            *result = incident_roles_unfilled(tx, inc,
                                              json_pack("{s:s,s:s,s:s,s:s}", "role", name, "source",
                                                        source, "rule", r->id, "reason",
                                                        "the rule's target resolves to nobody"),
                                              now, err);
        }
        json_array_append_new(out, o);
    }
    return out;
}

/* `attach_checklist`: each checklist attached whatever its own `when` (once: items attached
 * already are not attached again). */
static enum result attach_checklists(struct store_conn *tx, const struct config *cfg,
                                     const struct incident *inc, const struct config_rule *r,
                                     int64_t now, struct error *err)
{
    enum result result = OK;
    for (size_t i = 0; i < r->attach_checklist.count && result == OK; i++)
        for (size_t k = 0; k < cfg->checklist_count && result == OK; k++)
            if (strcmp(cfg->checklists[k].id, r->attach_checklist.items[i]) == 0)
                result = checklist_attach_one(tx, &cfg->checklists[k], inc, now, "tocsin", err);
    return result;
}

static json_t *id_list(const struct string_list *l)
{
    json_t *a = json_array();
    for (size_t i = 0; i < l->count; i++)
        json_array_append_new(a, json_string(l->items[i]));
    return a;
}

/* Applies rule r to inc; *changed when the incident changed (severity, fields or roles). Its
 * runbooks apply from now on (domain/runbook.c reads rules_fired), its own pages included. */
static enum result fire(struct store_conn *tx, const struct config *cfg, struct incident *inc,
                        json_t *fields, const struct config_rule *r, int64_t now, bool *changed,
                        struct error *err)
{
    enum result result = OK;
    json_t *data = json_pack("{s:s,s:s?,s:s?}", "rule", r->id, "name", r->name, "note", r->note);
    char reason[128];
    snprintf(reason, sizeof reason, "rule %.100s", r->id);
    if (r->set_severity && strcmp(r->set_severity, inc->severity) != 0) {
        json_object_set_new(data, "severity",
                            json_pack("{s:s,s:s}", "from", inc->severity, "to", r->set_severity));
        result =
            incident_ops_change_severity(tx, cfg, inc, r->set_severity, now, "tocsin", reason, err);
        *changed = true;
    }
    if (result == OK && r->set_field_count) {
        json_t *set = json_object();
        for (size_t i = 0; i < r->set_field_count; i++) {
            json_object_set_new(fields, r->set_fields[i].from, json_string(r->set_fields[i].to));
            json_object_set_new(set, r->set_fields[i].from, json_string(r->set_fields[i].to));
        }
        json_object_set_new(data, "fields", set);
        store_json(&inc->fields, fields);
        *changed = true;
    }
    struct oncall_overrides ov = {0};
    if (result == OK && (r->page.count || r->assign_count))
        result = escalate_overrides_load(tx, now, now + 1, &ov, err);
    if (result == OK && r->assign_count) {
        json_object_set_new(data, "roles",
                            assign_roles(tx, cfg, &ov, inc, r, now, reason, &result, err));
        *changed = true;
    }
    if (result == OK && r->attach_checklist.count) {
        json_object_set_new(data, "checklists", id_list(&r->attach_checklist));
        result = attach_checklists(tx, cfg, inc, r, now, err);
    }
    if (result == OK && r->attach_runbook.count)
        json_object_set_new(data, "runbooks", id_list(&r->attach_runbook));
    if (result == OK && r->page.count) {
        json_t *paged = json_array();
        for (size_t i = 0; i < r->page.count && result == OK; i++)
            json_array_append_new(
                paged, page_target(tx, cfg, &ov, inc, r, r->page.items[i], now, &result, err));
        json_object_set_new(data, "paged", paged);
    }
    oncall_overrides_free(&ov);
    if (result != OK) {
        json_decref(data);
        return result;
    }
    return timeline_append(tx, now, "tocsin", "rule.fired", inc->id, data, NULL, err);
}

/* The alert labels a run matches `when.labels` against: the joining alert's first, then (read
 * once, when a rule needs them) those of the incident's newest ALERTS_LOOKED alerts. An alert
 * joining that changed nothing else needs only its own labels: the earlier alerts were looked at
 * under the same conditions when they joined or at the last change (a change runs the rules
 * without a joining alert); once a rule fired in the run, the others are looked at too. */
enum { ALERTS_LOOKED = 100 };

struct run {
    struct store_conn *tx;
    const struct incident *inc;
    const json_t *joining; /* the labels of the alert joining, or NULL */
    json_t *stored;        /* the incident's alerts' labels (an array), once read */
    bool changed;          /* a rule fired in this run */
};

static int add_labels(const struct alert *a, void *arg)
{
    json_t *o = a->labels ? json_loads(a->labels, 0, NULL) : NULL;
    if (json_is_object(o))
        json_array_append(arg, o);
    json_decref(o);
    return 0;
}

enum result incident_rules_alert_labels(struct store_conn *c, const char *incident_id, json_t **out,
                                        struct error *err)
{
    *out = json_array();
    struct store_alert_filter f = {.incident_id = incident_id, .limit = ALERTS_LOOKED};
    enum result result = store_alert_list(c, &f, add_labels, *out);
    return result == OK
               ? OK
               : error_set(err, result, "store: cannot read the alerts of %s", incident_id);
}

bool incident_rules_any_carries(const struct config_rule *r, const json_t *labels)
{
    for (size_t i = 0; i < json_array_size(labels); i++)
        if (incident_rule_labels_match(r, json_array_get(labels, i)))
            return true;
    return false;
}

/* Whether one alert of the incident carries r's labels (true when r names none). */
static enum result labels_met(struct run *run, const struct config_rule *r, bool *met,
                              struct error *err)
{
    *met = !r->when.label_count || (run->joining && incident_rule_labels_match(r, run->joining));
    if (*met || (run->joining && !run->changed))
        return OK;
    enum result result =
        run->stored ? OK : incident_rules_alert_labels(run->tx, run->inc->id, &run->stored, err);
    *met = result == OK && incident_rules_any_carries(r, run->stored);
    return result;
}

/* incident_rules_run, with the labels of an alert joining inc (NULL: none). */
static enum result run_rules(struct store_conn *tx, const struct config *cfg, struct incident *inc,
                             const json_t *labels, int64_t now, struct error *err)
{
    if (!cfg || !cfg->rule_count || !incident_status_is_open(inc->status))
        return OK;
    json_t *fields = load_json(inc->fields, false), *fired = load_json(inc->rules_fired, true);
    struct run run = {.tx = tx, .inc = inc, .joining = labels};
    enum result result = OK;
    bool any = false, again = true;
    while (again && result == OK) {
        again = false;
        for (size_t i = 0; i < cfg->rule_count && result == OK && !again; i++) {
            const struct config_rule *r = &cfg->rules[i];
            bool met = false;
            if (fired_already(fired, r->id) ||
                !incident_rule_matches(r, inc, fields, inc->failed_resolutions, now) ||
                (result = labels_met(&run, r, &met, err)) != OK || !met)
                continue;
            json_array_append_new(fired, json_string(r->id));
            store_json(&inc->rules_fired, fired);
            any = run.changed = true;
            result = fire(tx, cfg, inc, fields, r, now, &again, err);
        }
    }
    json_decref(fields);
    json_decref(fired);
    json_decref(run.stored);
    return result == OK && any ? save(tx, inc, err) : result;
}

enum result incident_rules_run(struct store_conn *tx, const struct config *cfg,
                               struct incident *inc, int64_t now, struct error *err)
{
    return run_rules(tx, cfg, inc, NULL, now, err);
}

enum result incident_rules_alert_joined(struct store_conn *tx, const struct config *cfg,
                                        struct incident *inc, const json_t *labels, int64_t now,
                                        struct error *err)
{
    return run_rules(tx, cfg, inc, labels, now, err);
}

enum result incident_rules_set_field(struct store_conn *tx, const struct config *cfg,
                                     struct incident *inc, const char *name, const char *value,
                                     int64_t now, const char *actor, struct error *err)
{
    enum result result = incident_check_mutable(inc, err);
    if (result != OK)
        return result;
    json_t *fields = load_json(inc->fields, false);
    const char *prev = json_string_value(json_object_get(fields, name));
    json_t *data = json_pack("{s:s,s:s?,s:s?}", "name", name, "value", value, "previous", prev);
    if (value)
        json_object_set_new(fields, name, json_string(value));
    else
        json_object_del(fields, name);
    store_json(&inc->fields, fields);
    json_decref(fields);
    inc->updated_at = now;
    result = save(tx, inc, err);
    if (result == OK)
        result = timeline_append(tx, now, actor, "incident.field_set", inc->id, data, NULL, err);
    else
        json_decref(data);
    return result == OK ? incident_rules_run(tx, cfg, inc, now, err) : result;
}

enum result incident_rules_failed_resolution(struct store_conn *tx, const struct config *cfg,
                                             struct incident *inc, const char *how,
                                             const char *note, int64_t now, const char *actor,
                                             struct error *err)
{
    if (!incident_status_is_open(inc->status))
        return error_set(err, ERR_CONFLICT,
                         "status: %s is %s: a failed resolution attempt is recorded on an open "
                         "incident (reopen it: that counts one)",
                         inc->id, incident_status_name(inc->status));
    inc->failed_resolutions++;
    inc->updated_at = now;
    enum result result = save(tx, inc, err);
    if (result == OK)
        result = timeline_append(
            tx, now, actor, "incident.resolution_failed", inc->id,
            json_pack("{s:i,s:s,s:s?}", "count", inc->failed_resolutions, "how", how, "note", note),
            NULL, err);
    return result == OK ? incident_rules_run(tx, cfg, inc, now, err) : result;
}
