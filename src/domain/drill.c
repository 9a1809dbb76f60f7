/* drill: see drill.h. */
#include "domain/drill.h"
#include "util/timeutil.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

void drill_facts_add(struct drill_facts *f, const char *kind, const char *data_json, int64_t at,
                     const char *expected_runbook)
{
    json_t *d = data_json ? json_loads(data_json, 0, NULL) : NULL;
    const char *role = json_string_value(json_object_get(d, "role"));
    const char *user = json_string_value(json_object_get(d, "user"));
    if (strcmp(kind, "incident.role_assigned") == 0 && role && strcmp(role, "commander") == 0 &&
        user && !f->commander_at)
        f->commander_at = at;
    if (json_is_true(json_object_get(d, "public")) && !f->first_update_at)
        f->first_update_at = at;
    const char *rb = json_string_value(json_object_get(d, "runbook"));
    if (strcmp(kind, "runbook.step_done") == 0 && expected_runbook && rb &&
        strcmp(rb, expected_runbook) == 0 && !f->runbook_step_at)
        f->runbook_step_at = at;
    const char *expect = json_string_value(json_object_get(d, "expect_severity"));
    if (strcmp(kind, "drill.started") == 0 && expect)
        snprintf(f->expect_severity, sizeof f->expect_severity, "%s", expect);
    const char *from = json_string_value(json_object_get(d, "from"));
    const char *to = json_string_value(json_object_get(d, "to"));
    if (strcmp(kind, "incident.severity_changed") == 0 && from && to) {
        if (!f->declared_severity[0])
            snprintf(f->declared_severity, sizeof f->declared_severity, "%s", from);
        if (f->ack_at && at <= f->ack_at)
            snprintf(f->severity_at_ack, sizeof f->severity_at_ack, "%s", to);
    }
    json_decref(d);
}

/* The result of a check: done_at (0 = not yet) against created + target (target < 0: none);
 * `closed`: the incident is resolved, so a check not done by then has failed. */
static const char *check_result(int64_t created, int64_t done_at, int64_t target, bool closed,
                                int64_t now)
{
    if (target < 0)
        return "n/a";
    if (done_at)
        return done_at - created <= target ? "pass" : "fail";
    return closed || now - created > target ? "fail" : "pending";
}

static json_t *duration_or_null(int64_t ms)
{
    char buf[64];
    if (ms < 0)
        return json_null();
    time_format_duration(ms / 1000 * 1000, buf, sizeof buf); /* whole seconds, as people read it */
    return json_string(buf);
}

static const char *check_add(json_t *checks, const char *name, int64_t created, int64_t done_at,
                             int64_t target, bool closed, int64_t now)
{
    const char *result = check_result(created, done_at, target, closed, now);
    int64_t took = done_at ? done_at - created : -1;
    json_t *c = json_pack("{s:s,s:s}", "name", name, "result", result);
    json_object_set_new(c, "target_ms", target < 0 ? json_null() : json_integer(target));
    json_object_set_new(c, "took_ms", took < 0 ? json_null() : json_integer(took));
    json_object_set_new(c, "target", duration_or_null(target));
    json_object_set_new(c, "took", duration_or_null(took));
    json_array_append_new(checks, c);
    return result;
}

static json_t *severity_check(const struct incident *inc, const struct config_drill *scenario,
                              const struct drill_facts *f)
{
    const char *expected = f->expect_severity[0] ? f->expect_severity
                           : scenario            ? scenario->expect_severity
                                                 : NULL;
    const char *at_ack = NULL;
    if (inc->acknowledged_at)
        at_ack = f->severity_at_ack[0]     ? f->severity_at_ack
                 : f->declared_severity[0] ? f->declared_severity
                                           : inc->severity;
    bool closed = !incident_status_is_open(inc->status);
    const char *at_resolve = closed ? inc->severity : NULL;
    const char *result = !expected                              ? "n/a"
                         : strcmp(inc->severity, expected) == 0 ? "pass"
                         : closed                               ? "fail"
                                                                : "pending";
    json_t *o = json_pack("{s:s?,s:s?,s:s?,s:s,s:s}", "expected", expected, "at_ack", at_ack,
                          "at_resolve", at_resolve, "current", inc->severity, "result", result);
    json_object_set_new(o, "set_at_ack",
                        expected && at_ack ? json_boolean(strcmp(at_ack, expected) == 0)
                                           : json_null());
    json_object_set_new(o, "set_at_resolve",
                        expected && at_resolve ? json_boolean(strcmp(at_resolve, expected) == 0)
                                               : json_null());
    return o;
}

json_t *drill_score(const struct incident *inc, const struct config_severity *sev,
                    const struct config_drill *scenario, const struct drill_facts *f, int64_t now)
{
    int64_t c = inc->created_at;
    json_t *checks = json_array();
    const char *res[6];
    int n = 0;
    int64_t ack = sev ? sev->ack_within : -1, upd = sev ? sev->update_every : -1;
    int64_t resolve = sev ? sev->resolve_within : -1;
    bool closed = !incident_status_is_open(inc->status);
    res[n++] = check_add(checks, "ack", c, inc->acknowledged_at, ack, false, now);
    res[n++] = check_add(checks, "commander", c, f->commander_at, ack, closed, now);
    res[n++] = check_add(checks, "first_update", c, f->first_update_at, upd, closed, now);
    /* Checklists: every item ticked by the resolve target; none attached: not scored. */
    if (f->checklist_items > 0) {
        int64_t done_at = f->checklist_done == f->checklist_items ? f->checklist_done_at : 0;
        res[n++] = check_add(checks, "checklists", c, done_at, resolve, closed, now);
        json_object_set_new(json_array_get(checks, json_array_size(checks) - 1), "done",
                            json_sprintf("%d/%d", f->checklist_done, f->checklist_items));
    }
    res[n++] = check_add(checks, "resolve", c, inc->resolved_at, resolve, false, now);
    if (scenario && scenario->runbook)
        res[n++] = check_add(checks, "runbook", c, f->runbook_step_at, resolve, closed, now);
    int passed = 0, scored = 0, pending = 0;
    for (int i = 0; i < n; i++) {
        if (strcmp(res[i], "n/a") == 0)
            continue;
        scored++;
        passed += strcmp(res[i], "pass") == 0;
        pending += strcmp(res[i], "pending") == 0;
    }
    json_t *o =
        json_pack("{s:s,s:s,s:s,s:b,s:i,s:i,s:i}", "incident_id", inc->id, "title", inc->title,
                  "severity", inc->severity, "complete", !incident_status_is_open(inc->status),
                  "passed", passed, "scored", scored, "pending", pending);
    json_object_set_new(o, "scenario", f->scenario ? json_string(f->scenario) : json_null());
    json_object_set_new(o, "expected_runbook",
                        scenario && scenario->runbook ? json_string(scenario->runbook)
                                                      : json_null());
    json_object_set_new(o, "score", json_integer(scored ? passed * 100 / scored : 0));
    json_object_set_new(o, "checks", checks);
    json_object_set_new(o, "expected_severity", severity_check(inc, scenario, f));
    json_object_set_new(o, "alerts", f->alerts ? json_incref(f->alerts) : json_array());
    return o;
}
