/*
 * api/postmortem_review: the post-mortem's review meeting (docs/api.md, docs/postmortems.md).
 *   PUT /api/v1/postmortems/{id}/review  {at, duration?, attendees}   responder: schedule or move
 *   DELETE /api/v1/postmortems/{id}/review                            responder: cancel it
 *   GET /api/v1/postmortems/{id}/review.ics                           viewer: the invite
 * at: RFC 3339, in the future; duration: 15m to 8h (default 1h); attendees: 1 to 50 config users,
 * each with an email address, no repeats. Every error names its field; nothing is written then.
 * The store job is jobs/postmortem_review.c.
 */
#include "api/api.h"
#include "domain/review_invite.h"
#include "jobs/postmortem.h"
#include "store/incidents.h"
#include "store/postmortems.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <stdlib.h>
#include <string.h>

enum { ATTENDEES_MAX = 50 };

json_t *postmortem_review_json(const struct postmortem *pm)
{
    if (!pm->review_at)
        return json_null();
    json_t *who = json_array();
    const char *s = pm->review_attendees ? pm->review_attendees : "";
    while (*s) {
        size_t n = strcspn(s, ",");
        json_array_append_new(who, json_stringn(s, n));
        s += n + (s[n] == ',');
    }
    json_t *o = json_pack("{s:o,s:i,s:o,s:i}", "at", api_time(pm->review_at), "minutes",
                          pm->review_minutes, "attendees", who, "sequence", pm->review_seq);
    return o;
}

static enum result parse_review(struct request *r, json_t *body, int64_t *at, int *minutes,
                                const char **who, size_t *n, struct error *err)
{
    static const char *const fields[] = {"at", "duration", "attendees", NULL};
    const char *at_s = NULL, *dur_s = NULL;
    enum result result = jsonv_only(body, fields, err);
    if (result == OK)
        result = jsonv_string(body, "at", true, 1, 64, &at_s, err);
    if (result == OK)
        result = jsonv_string(body, "duration", false, 1, 32, &dur_s, err);
    if (result != OK)
        return result;
    if (time_parse_rfc3339(at_s, at) != 0)
        return error_set(err, ERR_BAD_REQUEST, "at: \"%.64s\" is not an RFC 3339 time", at_s);
    if (*at <= clock_now(r->app->clock))
        return error_set(err, ERR_UNPROCESSABLE, "at: %.64s is in the past", at_s);
    int64_t dur = 3600000;
    if (dur_s && time_parse_duration(dur_s, &dur) != 0)
        return error_set(err, ERR_BAD_REQUEST, "duration: \"%.32s\" is not a duration (45m, 1h)",
                         dur_s);
    if (dur < 15 * 60000 || dur > 8 * 3600000)
        return error_set(err, ERR_UNPROCESSABLE, "duration: must be 15m to 8h");
    *minutes = (int)(dur / 60000);
    json_t *list = json_object_get(body, "attendees");
    if (!json_is_array(list) || json_array_size(list) == 0 || json_array_size(list) > ATTENDEES_MAX)
        return error_set(err, ERR_BAD_REQUEST, "attendees: give a list of 1 to %d user ids",
                         ATTENDEES_MAX);
    *n = json_array_size(list);
    for (size_t i = 0; i < *n; i++) {
        const char *id = json_string_value(json_array_get(list, i));
        const struct config_user *u = id ? config_user_find(r->config, id) : NULL;
        if (!id)
            return error_set(err, ERR_BAD_REQUEST, "attendees[%zu]: must be a user id", i);
        if (!u)
            return error_set(err, ERR_UNPROCESSABLE, "attendees[%zu]: unknown user \"%.64s\"", i,
                             id);
        if (!u->email)
            return error_set(err, ERR_UNPROCESSABLE,
                             "attendees[%zu]: %s has no email address for the invite", i, id);
        for (size_t k = 0; k < i; k++)
            if (strcmp(who[k], id) == 0)
                return error_set(err, ERR_UNPROCESSABLE, "attendees[%zu]: %s is listed twice", i,
                                 id);
        who[i] = id;
    }
    return OK;
}

static void api_postmortem_review_put(struct request *r)
{
    struct error err = {0};
    json_t *body = NULL;
    const char *who[ATTENDEES_MAX];
    size_t n = 0;
    int64_t at = 0;
    int minutes = 0;
    struct postmortem pm = {0};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = parse_review(r, body, &at, &minutes, who, &n, &err);
    if (result == OK)
        result = postmortem_review_write(r->app, r->config, r->params[0], at, minutes, who, n,
                                         r->who.actor, &pm, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200,
                   json_pack("{s:s,s:s,s:o}", "id", pm.id, "incident_id", pm.incident_id, "review",
                             postmortem_review_json(&pm)));
    postmortem_free_fields(&pm);
    json_decref(body);
}

static void api_postmortem_review_delete(struct request *r)
{
    struct error err = {0};
    struct postmortem pm = {0};
    if (r->body_len) { /* nothing to say: a body is a mistake, not silently ignored */
        reply_error(r, ERR_BAD_REQUEST, "body: DELETE .../review takes no body");
        return;
    }
    enum result result =
        postmortem_review_cancel(r->app, r->config, r->params[0], r->who.actor, &pm, &err);
    if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200,
                   json_pack("{s:s,s:s,s:o}", "id", pm.id, "incident_id", pm.incident_id, "review",
                             postmortem_review_json(&pm)));
    postmortem_free_fields(&pm);
}

static void api_postmortem_review_ics(struct request *r)
{
    struct error err = {0};
    struct postmortem pm = {0};
    struct incident inc = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    enum result result = c ? store_postmortem_get(c, r->params[0], &pm) : err.code;
    if (result == OK && !pm.review_at)
        result = ERR_NOT_FOUND;
    if (result == OK)
        result = store_incident_get(c, pm.incident_id, &inc);
    if (result == ERR_NOT_FOUND) {
        reply_error(r, result, "id: %.64s has no review meeting scheduled", r->params[0]);
    } else if (result != OK) {
        reply_error(r, result, "store: cannot read the post-mortem");
    } else {
        const char *emails[ATTENDEES_MAX];
        size_t n = 0;
        char *list = xstrdup(pm.review_attendees ? pm.review_attendees : "");
        for (char *save = NULL, *t = strtok_r(list, ",", &save); t && n < ATTENDEES_MAX;
             t = strtok_r(NULL, ",", &save)) {
            const struct config_user *u = config_user_find(r->config, t);
            if (u && u->email)
                emails[n++] = u->email;
        }
        char *ics = review_invite_ics(&pm, &inc, emails, n, r->config->notify.email.from,
                                      clock_now(r->app->clock));
        free(list);
        if (ics)
            reply_raw(r, 200, "text/calendar; charset=utf-8; method=REQUEST", ics, strlen(ics));
        else
            reply_error(r, ERR_INTERNAL, "internal: cannot encode the invite");
    }
    incident_free_fields(&inc);
    postmortem_free_fields(&pm);
}

static const struct route routes[] = {
    {"PUT", "/api/v1/postmortems/{id}/review", api_postmortem_review_put, ACCESS_RESPONDER,
     "postmortem_review_put"},
    {"DELETE", "/api/v1/postmortems/{id}/review", api_postmortem_review_delete, ACCESS_RESPONDER,
     "postmortem_review_delete"},
    {"GET", "/api/v1/postmortems/{id}/review.ics", api_postmortem_review_ics, ACCESS_VIEWER,
     "postmortem_review_ics"},
};
HTTP_ROUTES(postmortem_review, routes);
