/*
 * incident_rules_clock: the rules that wait on time (`when.open_for`, docs/config.md "rules").
 * Nothing happens to an incident at the moment it has been open long enough, so the engine looks:
 * each pass reads the open incidents, and for each rule with open_for that has not fired on one,
 * either notes when it comes due (the engine wakes up then) or, when that moment came since the
 * last pass and the rest of its `when` matches (labels included, from the incident's alerts),
 * runs the incident's rules in a job (incident_rules_run: the same path as any change, so the rule
 * fires once, on the timeline). A rule whose other conditions did not match at its moment is not
 * looked at again by the engine: it waits for the change that makes them match (that change runs
 * the rules itself). The state is the incident's rules_fired and, in memory, the time of the last
 * pass (a restart looks at every moment once more; another node sharing the store does the same,
 * and the job's re-check under the write lock keeps the firing single). Threads: the engine
 * thread (reads), the store writer (the job).
 */
#include "domain/incident_rules.h"
#include "jobs/incident_rules.h"
#include "store/incidents.h"
#include "util/log.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum { CLOCK_BATCH = 64 };

struct pass {
    const struct config *cfg;
    struct store_conn *c;
    int64_t now, next;
    int64_t soonest, longest; /* the shortest and the longest open_for of the config */
    int64_t since;            /* the moments up to this one were looked at by an earlier pass */
    bool overflow;            /* more due incidents than a batch */
    size_t n;
    char *due[CLOCK_BATCH];
};

static bool fired(const json_t *list, const char *id)
{
    for (size_t i = 0; i < json_array_size(list); i++) {
        const char *s = json_string_value(json_array_get(list, i));
        if (s && strcmp(s, id) == 0)
            return true;
    }
    return false;
}

/* Whether one of the incident's newest alerts carries r's labels (jobs/incident_rules.c reads
 * them, as a run of the rules does). */
static bool labels_met(struct pass *p, const struct config_rule *r, const struct incident *inc)
{
    if (!r->when.label_count)
        return true;
    json_t *labels = NULL;
    struct error err = {0};
    bool met = incident_rules_alert_labels(p->c, inc->id, &labels, &err) == OK &&
               incident_rules_any_carries(r, labels);
    json_decref(labels);
    return met;
}

static int scan_incident(const struct incident *inc, void *arg)
{
    struct pass *p = arg;
    if (inc->created_at + p->soonest > p->now) { /* none due yet: nothing to parse */
        int64_t at = inc->created_at + p->soonest;
        p->next = at < p->next ? at : p->next;
        return 0;
    }
    if (inc->created_at + p->longest <= p->since)
        return 0; /* every moment passed at an earlier pass */
    json_t *done = inc->rules_fired ? json_loads(inc->rules_fired, 0, NULL) : NULL;
    json_t *fields = inc->fields ? json_loads(inc->fields, 0, NULL) : NULL;
    bool due = false;
    for (size_t i = 0; i < p->cfg->rule_count; i++) {
        const struct config_rule *r = &p->cfg->rules[i];
        int64_t at = incident_rule_open_at(r, inc);
        if (!at || fired(done, r->id))
            continue;
        if (at > p->now)
            p->next = at < p->next ? at : p->next;
        else if (at > p->since && !due) /* its moment is now (since the last pass) */
            due = incident_rule_matches(r, inc, fields, inc->failed_resolutions, p->now) &&
                  labels_met(p, r, inc);
    }
    json_decref(done);
    json_decref(fields);
    if (due && p->n < CLOCK_BATCH)
        p->due[p->n++] = xstrdup(inc->id);
    else if (due)
        p->overflow = true; /* more than a batch: the rest on the next pass */
    return 0;
}

struct run_job {
    const struct config *cfg;
    const char *id;
    int64_t now;
    bool fired;
};

static enum result run_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct run_job *j = arg;
    struct incident inc = {0};
    enum result result = store_incident_get(tx, j->id, &inc);
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %s", j->id);
    size_t before = inc.rules_fired ? strlen(inc.rules_fired) : 0;
    result = incident_rules_run(tx, j->cfg, &inc, j->now, err);
    j->fired = result == OK && (inc.rules_fired ? strlen(inc.rules_fired) : 0) != before;
    incident_free_fields(&inc);
    return result;
}

/* The shortest and the longest open_for of cfg's rules (0 when none has one). */
static void open_for_range(const struct config *cfg, int64_t *soonest, int64_t *longest)
{
    *soonest = *longest = 0;
    for (size_t i = 0; cfg && i < cfg->rule_count; i++) {
        int64_t d = cfg->rules[i].when.open_for;
        if (d > 0 && (!*soonest || d < *soonest))
            *soonest = d;
        if (d > *longest)
            *longest = d;
    }
}

/* The app time of this node's last complete pass and the config it used (engine thread only;
 * the pointer is compared, never followed): a rule whose moment came at or before it was looked
 * at then. 0 at start and after a reload (a rule added or changed applies to the incidents open
 * already), so every moment is looked at once more. */
static int64_t last_pass;
static const struct config *last_cfg;

int64_t incident_rules_clock_pass(struct app *app, const struct config *cfg, int64_t now,
                                  int *queued, int64_t next)
{
    int64_t soonest, longest;
    open_for_range(cfg, &soonest, &longest);
    if (!soonest)
        return next;
    if (last_pass > now || cfg != last_cfg) /* the (dev) clock went back, or a reload */
        last_pass = 0;
    last_cfg = cfg;
    struct error err = {0};
    struct store_conn *c = store_reader(app->store, &err);
    if (!c) {
        log_error("rules: open_for: %s", err.message);
        return now + 1000 < next ? now + 1000 : next;
    }
    struct pass *p = xcalloc(1, sizeof *p);
    *p = (struct pass){.cfg = cfg,
                       .c = c,
                       .now = now,
                       .next = INT64_MAX,
                       .soonest = soonest,
                       .longest = longest,
                       .since = last_pass};
    struct store_incident_filter f = {.statuses = (1 << INC_TRIGGERED) | (1 << INC_ACKNOWLEDGED) |
                                                  (1 << INC_INVESTIGATING) | (1 << INC_IDENTIFIED) |
                                                  (1 << INC_MONITORING)};
    enum result result = store_incident_list(c, &f, scan_incident, p);
    for (size_t i = 0; i < p->n; i++) {
        struct run_job j = {cfg, p->due[i], now, false};
        if (result == OK)
            result = store_write(app->store, run_job, &j, &err);
        if (j.fired)
            (*queued)++;
        free(p->due[i]);
    }
    int64_t at = p->next;
    if (result != OK) {
        log_error("rules: open_for: %s",
                  err.message[0] ? err.message : "cannot read the open incidents");
        at = now + 1000; /* try again in a second, over the same moments */
    } else if (p->overflow) {
        at = now + 1000; /* the rest of the due ones, over the same moments */
    } else {
        last_pass = now;
    }
    free(p);
    return at < next ? at : next;
}
