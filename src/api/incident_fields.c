/*
 * api/incident_fields: what the config's conditional rules read (docs/config.md "rules"):
 *   PUT  /api/v1/incidents/{id}/fields/{name} {value: "text" | null} (responder): sets (or, with
 *        null, removes) an incident field; answers the incident. `tocsin field ID NAME [VALUE]`.
 *   POST /api/v1/incidents/{id}/failed-resolutions {note?} (responder): records a failed
 *        resolution attempt on an open incident (a reopen counts one by itself); answers the
 *        incident. `tocsin failed-resolution ID [-m NOTE]`.
 * Both run the rules in the same transaction (jobs/incident_rules.h): a rule that now matches
 * fires before the answer.
 */
#include "api/api.h"
#include "jobs/incident_rules.h"
#include "runtime/engine.h"
#include "store/incidents.h"
#include "util/jsonv.h"

#include <string.h>

enum { FIELD_NAME_MAX = 64, FIELD_VALUE_MAX = 200, NOTE_MAX = 1024 };

struct field_job {
    const char *id, *actor, *name, *value, *note;
    const struct config *cfg;
    struct tclock *clock;
    bool failed; /* a failed resolution attempt, else a field */
    struct incident result;
    int64_t now;
};

/* Its output f->result is zeroed first and freed by the caller whatever the outcome. */
static enum result field_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct field_job *f = arg;
    memset(&f->result, 0, sizeof f->result);
    f->now = clock_now(f->clock);
    struct incident inc;
    enum result result = store_incident_get(tx, f->id, &inc);
    if (result == ERR_NOT_FOUND)
        return error_set(err, ERR_NOT_FOUND, "id: no incident %.64s", f->id);
    if (result != OK)
        return error_set(err, result, "store: cannot read incident %.64s", f->id);
    result = f->failed ? incident_rules_failed_resolution(tx, f->cfg, &inc, "recorded", f->note,
                                                          f->now, f->actor, err)
                       : incident_rules_set_field(tx, f->cfg, &inc, f->name, f->value, f->now,
                                                  f->actor, err);
    if (result == OK)
        f->result = inc;
    else
        incident_free_fields(&inc);
    return result;
}

static void run(struct request *r, struct field_job *f)
{
    struct error err = {0};
    f->id = r->params[0];
    f->actor = r->who.actor;
    f->cfg = r->config;
    f->clock = r->app->clock;
    enum result result = store_write(r->app->store, field_job, f, &err);
    if (result != OK) {
        reply_from_error(r, &err);
    } else {
        engine_kick(r->app->engine); /* a rule may have changed the severity: paging re-planned */
        reply_json(r, 200, api_incident_json(&f->result, r->config, f->now));
    }
    incident_free_fields(&f->result);
}

/* A field name: 1..64 of [a-z0-9_-], starting with a letter or digit (a config id). */
static bool name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > FIELD_NAME_MAX || s[0] == '-' || s[0] == '_')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') || s[i] == '_' ||
              s[i] == '-'))
            return false;
    return true;
}

static void api_incident_field(struct request *r)
{
    static const char *const keys[] = {"value", NULL};
    struct error err = {0};
    json_t *body = NULL;
    bool present = false;
    struct field_job f = {.name = r->params[1]};
    enum result result = OK;
    if (!name_ok(f.name))
        result = error_set(&err, ERR_UNPROCESSABLE,
                           "name: \"%.64s\" is not a field name (1..64 of a-z, 0-9, _ and -, "
                           "starting with a letter or digit)",
                           f.name);
    if (result == OK)
        result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, keys, &err);
    if (result == OK)
        result = jsonv_string_or_null(body, "value", 1, FIELD_VALUE_MAX, &f.value, &present, &err);
    if (result == OK && !present)
        result = error_set(&err, ERR_BAD_REQUEST, "value: is required (a string, or null)");
    if (result != OK)
        reply_from_error(r, &err);
    else
        run(r, &f);
    json_decref(body);
}

static void api_incident_failed_resolution(struct request *r)
{
    static const char *const keys[] = {"note", NULL};
    struct error err = {0};
    json_t *body = NULL;
    struct field_job f = {.failed = true};
    enum result result = jsonv_parse_object(r->body, r->body_len, true, &body, &err);
    if (result == OK)
        result = jsonv_only(body, keys, &err);
    if (result == OK)
        result = jsonv_string(body, "note", false, 1, NOTE_MAX, &f.note, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        run(r, &f);
    json_decref(body);
}

static const struct route routes[] = {
    {"PUT", "/api/v1/incidents/{id}/fields/{name}", api_incident_field, ACCESS_RESPONDER,
     "incident_field"},
    {"POST", "/api/v1/incidents/{id}/failed-resolutions", api_incident_failed_resolution,
     ACCESS_RESPONDER, "incident_failed_resolution"},
};
HTTP_ROUTES(incident_fields, routes);
