/*
 * api/escalations: POST /api/v1/incidents/{id}/escalate {message?} (tocsin escalate): fires the
 * incident's next escalation step now, or its last step again when all have gone; answers with
 * the escalation.step entry's data (targets and users paged).
 */
#include "api/api.h"
#include "jobs/escalate.h"
#include "util/jsonv.h"

enum { ESCALATE_MESSAGE_MAX = 1024 };

static void api_incident_escalate(struct request *r)
{
    static const char *const fields[] = {"message", NULL};
    struct error err = {0};
    json_t *body = NULL, *step = NULL;
    const char *message = NULL;
    enum result result = jsonv_parse_object(r->body, r->body_len, true, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "message", false, 0, ESCALATE_MESSAGE_MAX, &message, &err);
    if (result == OK)
        result = escalate_now(r->app, r->config, r->params[0], r->who.actor, message, &step, &err);
    if (result == ERR_NOT_FOUND)
        reply_error(r, ERR_NOT_FOUND, "id: no incident %.64s", r->params[0]);
    else if (result != OK)
        reply_from_error(r, &err);
    else
        reply_json(r, 200,
                   json_pack("{s:s,s:o}", "incident", r->params[0], "escalation",
                             step ? step : json_null()));
    json_decref(body);
}

static const struct route routes[] = {
    {"POST", "/api/v1/incidents/{id}/escalate", api_incident_escalate, ACCESS_RESPONDER,
     "incident_escalate"},
};
HTTP_ROUTES(escalations, routes);
