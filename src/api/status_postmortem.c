/*
 * api/status_postmortem: the public page of a published post-mortem, no auth
 * (docs/postmortems.md "On the status page").
 *   GET /status/incidents/{id}/postmortem   HTML: its public text (summary, impact, root cause,
 *                                           lessons), linked from the incident on /status
 * 404 alike (so nothing is told about private incidents) unless the incident is public (a public
 * update was posted; not a drill) and its post-mortem is published with some public text. Read
 * per request (two primary-key reads); Cache-Control lets browsers and proxies keep it an hour:
 * a published post-mortem is frozen. Runs on request threads.
 */
#include "api/api.h"
#include "domain/postmortem.h"
#include "store/incidents.h"
#include "store/postmortems.h"
#include "util/log.h"
#include "web/status_postmortem.h"

#include <stdlib.h>
#include <string.h>

static void status_postmortem(struct request *r)
{
    struct error err = {0};
    struct incident inc = {0};
    struct postmortem pm = {0};
    struct buf md;
    buf_init(&md, PM_PUBLIC_MD_MAX);
    struct store_conn *c = store_reader(r->app->store, &err);
    enum result result = c ? store_incident_get(c, r->params[0], &inc) : err.code;
    if (result == OK && (inc.drill || !inc.last_public_update_at))
        result = ERR_NOT_FOUND;
    if (result == OK)
        result = store_postmortem_get_by_incident(c, inc.id, &pm);
    if (result == OK && pm.state != PM_PUBLISHED)
        result = ERR_NOT_FOUND;
    if (result == OK) {
        postmortem_render_public_md(&pm, &md);
        if (!md.len)
            result = ERR_NOT_FOUND;
    }
    if (result == ERR_NOT_FOUND) {
        reply_error(r, ERR_NOT_FOUND, "id: no published post-mortem for %.64s", r->params[0]);
    } else if (result != OK) {
        reply_error(r, result, "store: cannot read the post-mortem");
    } else {
        const char *site =
            r->config->status_page.title ? r->config->status_page.title : "Service status";
        size_t len = 0;
        char *page =
            status_postmortem_page(site, inc.id, inc.title, md.data, pm.published_at, &len);
        if (!page) {
            reply_error(r, ERR_INTERNAL, "internal: the post-mortem page cannot be rendered");
        } else {
            reply_raw(r, 200, "text/html; charset=utf-8", page, len);
            reply_header(r, "Cache-Control", "public, max-age=3600");
        }
    }
    buf_free(&md);
    postmortem_free_fields(&pm);
    incident_free_fields(&inc);
}

static const struct route routes[] = {
    {"GET", "/status/incidents/{id}/postmortem", status_postmortem, ACCESS_PUBLIC,
     "status_postmortem"},
};
HTTP_ROUTES(status_postmortem, routes);
