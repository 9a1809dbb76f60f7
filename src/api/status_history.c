/*
 * api/status_history: GET /status/history/{YYYY-MM-DD} (public): one day of the status page's
 * uptime history (web/status_day.h): per component, the public incidents and the maintenance
 * windows that touched that UTC day, with their durations. 400 `day:` when not a date, 404 `day:`
 * outside the days the bars span (status_page.uptime_days, ending today).
 *
 * Rendered once per change like /status: one page per day is kept (as many as
 * status_page.uptime_days + 1, at most DAY_CACHE_MAX), keyed by store_public_changes(), the config
 * and the UTC day of the render (a day that is still going counts up to now, so today's page is
 * rendered again once a minute at most). A client walking every day of the history is served
 * from the cache the second time round.
 * Runs on request threads; the cache is behind its mutex, held only to look up and to insert:
 * the render (which reads every incident and maintenance: the store has no time filter on
 * incidents yet) runs outside it, so a miss does not stall other days' readers. Two requests
 * missing the same page at once both render it; the second insert replaces the first.
 */
#include "api/api.h"
#include "domain/status_page.h"
#include "store/incidents.h"
#include "store/maintenances.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "web/status_day.h"

#include <ctype.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { DAY_CACHE_MAX = 400, MAINT_READ_MAX = 500 };

struct day_cached {
    char *body;
    size_t len;
    const struct config *config; /* a reference: the pointer cannot be reused while cached */
    uint64_t changes;
    int64_t day, rendered_minute;
};

static struct {
    pthread_mutex_t lock;
    struct day_cached pages[DAY_CACHE_MAX];
    size_t next;
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

struct collect {
    const struct config *cfg;
    const struct sp_page *page;
    int64_t from, to, now;
    struct status_day_item *items;
    size_t n;
};

static void add_item(struct collect *c, const char *id, const char *title, const char *kind,
                     const char *impact, int64_t start, int64_t end, int component)
{
    c->items = xrealloc(c->items, (c->n + 1) * sizeof *c->items);
    c->items[c->n++] = (struct status_day_item){.id = xstrdup(id),
                                                .title = xstrdup(title ? title : ""),
                                                .kind = kind,
                                                .impact = impact,
                                                .start = start,
                                                .end = end,
                                                .component = component};
}

static bool overlaps(const struct collect *c, int64_t start, int64_t end)
{
    return start < c->to && (!end || end > c->from);
}

static int collect_incident(const struct incident *inc, void *arg)
{
    struct collect *c = arg;
    if (inc->drill || !inc->last_public_update_at)
        return 0; /* as on the page: public incidents only */
    int64_t end = incident_status_is_open(inc->status) ? 0 : inc->resolved_at;
    if (overlaps(c, inc->created_at, end))
        add_item(c, inc->id, inc->title, "incident",
                 sp_impact_name(sp_impact_for_severity(c->cfg, inc->severity)), inc->created_at,
                 end, sp_component_of(c->page, c->cfg, inc->service));
    return 0;
}

static int collect_maintenance(const struct maintenance *m, void *arg)
{
    struct collect *c = arg;
    enum maint_status st = maint_effective(m, c->now);
    if (st == MAINT_SCHEDULED)
        return 0; /* not begun */
    int64_t start = m->started_at ? m->started_at : m->scheduled_for;
    int64_t end =
        st == MAINT_COMPLETED ? (m->completed_at ? m->completed_at : m->scheduled_until) : 0;
    if (!overlaps(c, start, end))
        return 0;
    json_t *a = json_loads(m->components ? m->components : "[]", 0, NULL);
    size_t i;
    json_t *v;
    json_array_foreach(a, i, v)
    {
        for (size_t k = 0; k < c->page->component_count; k++)
            if (json_is_string(v) && strcmp(c->page->components[k].name, json_string_value(v)) == 0)
                add_item(c, m->id, m->name, "maintenance", "maintenance", start, end, (int)k);
    }
    json_decref(a);
    return 0;
}

static char *render(struct request *r, int64_t day, int64_t now, int64_t first, int64_t today,
                    size_t *len, struct error *err)
{
    struct store_conn *conn = store_reader(r->app->store, err);
    if (!conn)
        return NULL;
    const struct config *cfg = r->config;
    struct sp_page page;
    sp_page_init(&page, cfg);
    struct collect c = {.cfg = cfg, .page = &page, .from = day, .to = day + MS_PER_DAY, .now = now};
    struct store_incident_filter all = {0};
    enum result result = store_incident_list(conn, &all, collect_incident, &c);
    if (result == OK)
        result = store_maintenance_list(conn, MAINT_READ_MAX, collect_maintenance, &c);
    const char **names = xcalloc(page.component_count + 1, sizeof *names);
    const char **ids = xcalloc(page.component_count + 1, sizeof *ids);
    for (size_t k = 0; k < page.component_count; k++) {
        names[k] = page.components[k].name;
        ids[k] = page.components[k].id;
    }
    char *body = NULL;
    if (result == OK) {
        struct status_day d = {.site_name = cfg->status_page.title ? cfg->status_page.title
                                                                   : "Service status",
                               .day = day,
                               .now = now,
                               .has_prev = day > first,
                               .has_next = day < today,
                               .components = names,
                               .component_ids = ids,
                               .component_count = page.component_count,
                               .items = c.items,
                               .item_count = c.n};
        body = status_render_day(&d, len);
        if (!body)
            error_set(err, ERR_INTERNAL, "internal: the day page cannot be rendered");
    } else {
        error_set(err, result, "store: cannot read the status page's history");
    }
    for (size_t i = 0; i < c.n; i++) {
        free((char *)c.items[i].id);
        free((char *)c.items[i].title);
    }
    free(c.items);
    free(names);
    free(ids);
    sp_page_free(&page);
    return body;
}

/* YYYY-MM-DD -> UTC midnight in ms; -1 when not such a date. */
static int64_t parse_day(const char *s)
{
    if (strlen(s) != 10 || s[4] != '-' || s[7] != '-')
        return -1;
    for (int i = 0; i < 10; i++)
        if (i != 4 && i != 7 && !isdigit((unsigned char)s[i]))
            return -1;
    char full[32], back[11];
    snprintf(full, sizeof full, "%.10sT00:00:00Z", s);
    int64_t ms = 0;
    if (time_parse_rfc3339(full, &ms) != 0)
        return -1;
    time_format_day(ms, back);
    return strcmp(back, s) == 0 ? ms : -1; /* 2026-02-30 is not a day */
}

static void status_history_day(struct request *r)
{
    int64_t day = parse_day(r->params[0]);
    if (day < 0) {
        reply_error(r, ERR_BAD_REQUEST, "day: a date like 2026-12-07 (UTC)");
        return;
    }
    int64_t now = clock_now(r->app->clock);
    int64_t today = now - now % MS_PER_DAY;
    int64_t first = today - (int64_t)(r->config->status_page.uptime_days - 1) * MS_PER_DAY;
    if (day < first || day > today) {
        reply_error(r, ERR_NOT_FOUND, "day: the history spans the %d days up to today (UTC)",
                    r->config->status_page.uptime_days);
        return;
    }
    uint64_t changes = store_public_changes(r->app->store); /* before any read */
    int64_t minute = day == today ? now / MS_PER_MIN : 0;
    size_t slots = (size_t)r->config->status_page.uptime_days + 1;
    if (slots > DAY_CACHE_MAX)
        slots = DAY_CACHE_MAX;
    char *copy = NULL;
    size_t len = 0;
    pthread_mutex_lock(&cache.lock);
    for (size_t i = 0; i < slots && !copy; i++) {
        struct day_cached *p = &cache.pages[i];
        if (p->body && p->config == r->config && p->changes == changes && p->day == day &&
            p->rendered_minute == minute) {
            copy = xmalloc(p->len + 1);
            memcpy(copy, p->body, p->len + 1);
            len = p->len;
        }
    }
    pthread_mutex_unlock(&cache.lock);
    struct error err = {0};
    bool cached = copy != NULL;
    if (!copy) {
        char *body = render(r, day, now, first, today, &len, &err);
        if (body) {
            copy = xmalloc(len + 1);
            memcpy(copy, body, len + 1);
            pthread_mutex_lock(&cache.lock);
            struct day_cached *slot = NULL; /* this day's older page, else the next in turn */
            for (size_t i = 0; i < slots && !slot; i++)
                if (cache.pages[i].body && cache.pages[i].day == day)
                    slot = &cache.pages[i];
            if (!slot) {
                if (cache.next >= slots)
                    cache.next = 0;
                slot = &cache.pages[cache.next];
                cache.next = (cache.next + 1) % slots;
            }
            char *old_body = slot->body;
            const struct config *old_config = slot->config;
            *slot = (struct day_cached){.body = body,
                                        .len = len,
                                        .config = config_ref(r->config),
                                        .changes = changes,
                                        .day = day,
                                        .rendered_minute = minute};
            pthread_mutex_unlock(&cache.lock);
            free(old_body);
            if (old_config)
                config_unref((struct config *)old_config);
        }
    }
    if (!copy) {
        reply_from_error(r, &err);
        return;
    }
    reply_raw(r, 200, "text/html; charset=utf-8", copy, len);
    reply_header(r, "Cache-Control", "public, max-age=60");
    reply_header(r, "X-Status-Cache", cached ? "hit" : "miss"); /* tests and operators */
}

static const struct route routes[] = {
    {"GET", "/status/history/{day}", status_history_day, ACCESS_PUBLIC, "status_history_day"},
};
HTTP_ROUTES(status_history, routes);
