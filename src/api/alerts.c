/*
 * api/alerts: reading alerts (GET /api/v1/alerts, GET /api/v1/incidents/{id}/alerts) and the
 * shared JSON form of an alert.
 */
#include "api/api.h"
#include "api/paging.h"
#include "util/num.h"
#include "store/alerts.h"

#include <string.h>

json_t *api_alert_json(const struct alert *a)
{
    json_t *labels = json_loads(a->labels ? a->labels : "{}", 0, NULL);
    json_t *details = json_loads(a->details ? a->details : "{}", 0, NULL);
    json_t *o = json_pack(
        "{s:I,s:s,s:s?,s:s,s:s,s:s,s:s,s:s?,s:s?,s:o,s:o,s:s?,s:s?,s:I}", "id", (json_int_t)a->id,
        "service", a->service, "integration_id", a->integration_id, "source_kind", a->source_kind,
        "dedup_key", a->dedup_key, "status", alert_status_name(a->status), "summary", a->summary,
        "source", a->source, "severity", a->severity, "labels", labels ? labels : json_object(),
        "details", details ? details : json_object(), "incident_id", a->incident_id, "silenced_by",
        a->silenced_by, "repeat_count", (json_int_t)a->repeat_count);
    json_object_set_new(o, "group", json_string(a->group_key ? a->group_key : ""));
    json_object_set_new(o, "drill", json_boolean(alert_is_drill(a)));
    json_object_set_new(o, "first_seen", api_time(a->first_seen));
    json_object_set_new(o, "last_seen", api_time(a->last_seen));
    json_object_set_new(o, "resolved_at", api_time(a->resolved_at));
    return o;
}

/* Items per page (docs/api.md "Lists"): an alert is at most about 100 KB (labels 16 KiB,
 * annotations 64 KiB: api/ingest_common.h), so a page of LIST_MAX is bounded too. */
enum { LIST_DEFAULT = 100, LIST_MAX = 1000 };

struct alert_page {
    json_t *arr;
    struct page *page;
};

static int list_one(const struct alert *a, void *arg)
{
    struct alert_page *l = arg;
    enum page_step step = page_take(l->page, a->id, NULL);
    if (step == PAGE_TAKE)
        json_array_append_new(l->arr, api_alert_json(a));
    return step == PAGE_STOP;
}

/* f without its paging; keep: the query keys the Link header repeats. */
static void reply_alerts(struct request *r, struct store_alert_filter *f, int def,
                         const char *const *keep)
{
    struct page page;
    if (!page_parse_or_reply(r, &page, "al", PAGE_DESC, def, LIST_MAX))
        return;
    f->limit = page.limit + 1; /* one more: whether there is a next page */
    f->before_id = page.has_cursor ? page.after_num : 0;
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct alert_page l = {json_array(), &page};
    enum result result = c ? store_alert_list(c, f, list_one, &l) : err.code;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot list alerts");
        return;
    }
    json_t *body = json_pack("{s:o}", "alerts", l.arr);
    page_finish(r, &page, body, keep);
    reply_json(r, 200, body);
}

static bool parse_filter_or_reply(struct request *r, struct store_alert_filter *f)
{
    const char *s = request_query(r, "status");
    f->statuses = (1 << ALERT_FIRING) | (1 << ALERT_ACKNOWLEDGED);
    if (s && strcmp(s, "all") == 0) {
        f->statuses = 0;
    } else if (s && strcmp(s, "open") != 0) {
        int st = alert_status_parse(s);
        if (st < 0) {
            reply_error(r, ERR_UNPROCESSABLE,
                        "status: unknown alert status \"%.32s\" (firing, acknowledged, resolved, "
                        "open, all)",
                        s);
            return false;
        }
        f->statuses = 1 << st;
    }
    f->service = request_query(r, "service");
    if (f->service && !config_service_find(r->config, f->service)) {
        reply_error(r, ERR_UNPROCESSABLE, "service: unknown service \"%.64s\"", f->service);
        return false;
    }
    return true;
}

static void api_alert_list(struct request *r)
{
    struct store_alert_filter f = {0};
    static const char *const keep[] = {"status", "service", NULL};
    if (parse_filter_or_reply(r, &f))
        reply_alerts(r, &f, LIST_DEFAULT, keep);
}

static void api_incident_alerts(struct request *r)
{
    struct incident inc;
    if (!api_incident_load_or_reply(r, &inc))
        return;
    incident_free_fields(&inc);
    struct store_alert_filter f = {.incident_id = r->params[0]};
    reply_alerts(r, &f, LIST_MAX, NULL); /* an incident's: all up to LIST_MAX by default */
}

static const struct route routes[] = {
    {"GET", "/api/v1/alerts", api_alert_list, ACCESS_VIEWER, "alerts_list"},
    {"GET", "/api/v1/incidents/{id}/alerts", api_incident_alerts, ACCESS_VIEWER, "incident_alerts"},
};
HTTP_ROUTES(alerts, routes);
