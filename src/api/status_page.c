/*
 * api/status_page: the public status page, no auth. GET /status (HTML), Statuspage's public API
 * under /api/v2/ (summary, status, components, incidents, incidents/unresolved, the three
 * scheduled-maintenance lists), /status.json (an alias of summary.json), the Atom feed at
 * /history.atom and /status/feed.atom, and the page's static assets (/status/assets/NAME, from
 * web/status/, compiled in).
 *
 * Rendered once per change, never per request nor on a timer: every document is rendered
 * together and kept in one cache keyed by store_public_changes() (moved by every committed write
 * batch that may change the page: incidents, public timeline entries, probe results), the config in
 * use and the UTC day (the uptime bars end with today). A request whose key matches is answered
 * from the cache; the first request after a change renders them all again, under the cache's lock,
 * from reads that begin after it read the key (so a write committed meanwhile moves the key again
 * and is never missed). Each document has an ETag (a hash of its bytes) and Last-Modified (the
 * newest change it shows); If-None-Match and If-Modified-Since get a 304.
 * docs/internals/status_page.md.
 *
 * Runs on request threads; the cache is shared behind its mutex.
 */
#include "api/api.h"
#include "domain/postmortem.h"
#include "domain/status_page.h"
#include "store/incidents.h"
#include "store/maintenances.h"
#include "store/nodes.h"
#include "store/postmortems.h"
#include "store/probes.h"
#include "store/timeline.h"
#include "util/crypto.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "web/status_render.h"

#include "embedded.h"

#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { MAINT_LIST_MAX = 500 }; /* windows read per render: the newest by scheduled_for */

struct status_doc_cached {
    char *body;
    size_t len;
    char etag[24]; /* "\"" + 16 hex + "\"" */
};

static struct {
    pthread_mutex_t lock;
    bool valid;
    const struct app *app;
    struct config *config; /* a reference, so the pointer cannot be reused while cached */
    uint64_t changes;      /* store_public_changes() the documents were rendered at */
    int64_t day;           /* the UTC day they were rendered on (the uptime bars move daily) */
    int64_t last_modified; /* ms */
    int64_t next_change;   /* when a maintenance starts or ends by the clock (0: none) */
    struct status_doc_cached docs[STATUS_DOC_COUNT];
} cache = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* ---- reading the page from the store ---- */

struct collect {
    struct sp_page *page;
    const struct config *cfg;
    size_t resolved;
    int64_t oldest; /* the oldest incident of any kind: tocsin was running then */
};

static int collect_incident(const struct incident *inc, void *arg)
{
    struct collect *c = arg;
    if (inc->created_at && inc->created_at < c->oldest)
        c->oldest = inc->created_at;
    if (inc->drill || !inc->last_public_update_at)
        return 0; /* drills never; an incident is public once a public update was posted */
    bool resolved = !incident_status_is_open(inc->status);
    if (!resolved || inc->resolved_at >= c->page->first_day)
        sp_page_add_outage(c->page, c->cfg, inc); /* for the uptime bars */
    /* status_page.history resolved incidents (newest first: the list's order); every unresolved
     * public incident always */
    if (resolved && c->resolved >= (size_t)c->cfg->status_page.history)
        return 0;
    c->resolved += resolved;
    sp_page_add_incident(c->page, c->cfg, inc);
    return 0;
}

/* A timeline entry is a public update when its data says "public": true (POST .../status with
 * public, `tocsin status ID STATUS -m MSG --public`). */
static int collect_update(const struct timeline_entry *e, void *arg)
{
    struct sp_incident *i = arg;
    json_t *data = e->data ? json_loads(e->data, 0, NULL) : NULL;
    if (data && json_is_true(json_object_get(data, "public"))) {
        int to = incident_status_parse(json_string_value(json_object_get(data, "to")));
        const char *msg = json_string_value(json_object_get(data, "message"));
        bool postmortem = json_is_string(json_object_get(data, "postmortem"));
        sp_incident_add_update(i, e->seq, e->at,
                               sp_update_status(to < 0 ? INC_INVESTIGATING : to, postmortem), msg);
    }
    json_decref(data);
    return 0;
}

/* A service's probe is down when its last fail_after results all failed (what raises its alert). */
static enum result probe_down(struct store_conn *c, const struct config_service *s, bool *down,
                              int64_t *since)
{
    struct store_probe_result last = {0};
    enum result result = store_probe_last(c, s->id, &last);
    *down = false;
    if (result == ERR_NOT_FOUND)
        return OK;
    if (result == OK && !last.ok) {
        int64_t from =
            last.at - (int64_t)(s->probe->fail_after - 1) * s->probe->every - s->probe->every / 2;
        int64_t ok = 0, total = 0;
        result = store_probe_uptime(c, s->id, from, &ok, &total);
        *down = result == OK && ok == 0 && total >= s->probe->fail_after;
        *since = last.at;
    }
    free(last.error);
    return result;
}

/* The uptime bars of a probed service's component: results per UTC day, from the counts since
 * each day's start (one query per day). */
static enum result probe_days(struct store_conn *c, struct sp_page *page, const struct config *cfg,
                              const struct config_service *s)
{
    int k = sp_component_of(page, cfg, s->id);
    int64_t next_ok = 0, next_total = 0; /* since the day after: nothing yet after today */
    for (int d = page->day_count - 1; d >= 0; d--) {
        int64_t ok = 0, total = 0;
        enum result result =
            store_probe_uptime(c, s->id, page->first_day + (int64_t)d * MS_PER_DAY, &ok, &total);
        if (result != OK)
            return result;
        sp_component_probe_day(page, (size_t)k, d, ok - next_ok, total - next_total);
        next_ok = ok;
        next_total = total;
    }
    return OK;
}

/* Maintenance windows: every one not completed, and the newest completed ones (as many as
 * status_page.history allows resolved incidents). */
struct collect_maint {
    struct sp_page *page;
    int64_t now;
    int completed, history;
};

static int collect_maintenance(const struct maintenance *m, void *arg)
{
    struct collect_maint *c = arg;
    if (maint_effective(m, c->now) == MAINT_COMPLETED && c->completed++ >= c->history)
        return 0;
    sp_page_add_maintenance(c->page, m, c->now);
    return 0;
}

struct collect_runs {
    struct sp_span *runs;
    size_t n, cap;
};

static void add_run(struct collect_runs *c, int64_t start, int64_t end)
{
    if (c->n == c->cap) {
        c->cap = c->cap ? 2 * c->cap : 16;
        c->runs = xrealloc(c->runs, c->cap * sizeof *c->runs);
    }
    c->runs[c->n++] = (struct sp_span){start, end};
}

static int collect_run(const char *node, int64_t started_at, int64_t seen_at, void *arg)
{
    add_run(arg, started_at, seen_at);
    return 0;
}

/* The uptime bars over tocsin's record of when it ran (every node's runs, and this run up to now:
 * its last heartbeat may be seconds old). A store older than that record (migration 013) has
 * none before its first run: from its oldest incident on, it counts as running. */
static enum result uptime_finish(struct store_conn *c, struct sp_page *page, int64_t now,
                                 int64_t run_started, int64_t oldest)
{
    struct collect_runs cr = {0};
    enum result result = store_run_list(c, page->first_day, now, collect_run, &cr);
    add_run(&cr, run_started, now);
    int64_t first = run_started;
    for (size_t i = 0; i < cr.n; i++)
        first = cr.runs[i].start < first ? cr.runs[i].start : first;
    if (result == OK && (result = store_run_list(c, 0, first, collect_run, &cr)) == OK) {
        for (size_t i = 0; i < cr.n; i++)
            first = cr.runs[i].start < first ? cr.runs[i].start : first;
        if (oldest < first)
            add_run(&cr, oldest, first);
    }
    sp_page_uptime_finish(page, now, cr.runs, cr.n);
    free(cr.runs);
    return result;
}

/* The published post-mortems of the listed resolved incidents (their public text only; a draft
 * or one in review never shows). One read by incident. */
static enum result attach_postmortems(struct store_conn *c, struct sp_page *page)
{
    enum result result = OK;
    for (size_t k = 0; result == OK && k < page->incident_count; k++) {
        struct sp_incident *i = &page->incidents[k];
        struct postmortem pm = {0};
        if (!i->resolved)
            continue;
        result = store_postmortem_get_by_incident(c, i->id, &pm);
        if (result == ERR_NOT_FOUND) {
            result = OK;
            continue;
        }
        if (result == OK && pm.state == PM_PUBLISHED) {
            struct buf md;
            buf_init(&md, PM_PUBLIC_MD_MAX);
            postmortem_render_public_md(&pm, &md);
            if (md.len)
                sp_incident_set_postmortem(i, md.data, pm.published_at);
            buf_free(&md);
        }
        postmortem_free_fields(&pm);
    }
    return result;
}

static enum result read_page(struct store_conn *c, const struct config *cfg, int64_t now,
                             int64_t run_started, struct sp_page *page)
{
    sp_page_init(page, cfg);
    sp_page_uptime_init(page, now, cfg->status_page.uptime_days);
    struct collect col = {.page = page, .cfg = cfg, .oldest = now};
    struct store_incident_filter all = {0};
    enum result result = store_incident_list(c, &all, collect_incident, &col);
    for (size_t k = 0; result == OK && k < page->incident_count; k++)
        result = store_timeline_scan(c, page->incidents[k].id, collect_update, &page->incidents[k]);
    if (result == OK)
        result = attach_postmortems(c, page);
    for (size_t k = 0; result == OK && k < cfg->service_count; k++) {
        const struct config_service *s = &cfg->services[k];
        bool down = false;
        int64_t since = 0;
        if (s->probe && s->component && (result = probe_down(c, s, &down, &since)) == OK && down)
            sp_page_probe_down(page, cfg, s->id, since);
        if (result == OK && s->probe && s->component)
            result = probe_days(c, page, cfg, s);
    }
    struct collect_maint cm = {.page = page, .now = now, .history = cfg->status_page.history};
    if (result == OK)
        result = store_maintenance_list(c, MAINT_LIST_MAX, collect_maintenance, &cm);
    if (result == OK)
        result = uptime_finish(c, page, now, run_started, col.oldest);
    sp_page_finish(page);
    return result;
}

/* ---- the cache ---- */

static void cache_clear(void)
{
    for (int d = 0; d < STATUS_DOC_COUNT; d++) {
        free(cache.docs[d].body);
        cache.docs[d].body = NULL;
    }
    if (cache.config)
        config_unref(cache.config);
    cache.config = NULL;
    cache.valid = false;
}

/* Renders every document into the cache (lock held). */
static enum result cache_fill(struct request *r, uint64_t changes, struct error *err)
{
    struct store_conn *c = store_reader(r->app->store, err);
    if (!c)
        return err->code;
    int64_t now = clock_now(r->app->clock);
    struct sp_page page;
    enum result result = read_page(c, r->config, now, atomic_load(&r->app->run_started), &page);
    if (result != OK) {
        sp_page_free(&page);
        return error_set(err, result, "store: cannot read the status page's incidents");
    }
    const char *base = r->config->server.public_url ? r->config->server.public_url : "";
    char url[512];
    snprintf(url, sizeof url, "%s", base);
    size_t n = strlen(url);
    while (n && url[n - 1] == '/')
        url[--n] = '\0';
    struct status_site site = {.name = r->config->status_page.title ? r->config->status_page.title
                                                                    : "Service status",
                               .base_url = url,
                               .now = now};
    cache_clear();
    for (int d = 0; d < STATUS_DOC_COUNT && result == OK; d++) {
        struct status_doc_cached *doc = &cache.docs[d];
        doc->body = status_render((enum status_doc)d, &page, &site, &doc->len);
        if (!doc->body) {
            result = error_set(err, ERR_INTERNAL, "internal: the status page cannot be rendered");
            break;
        }
        char hex[SHA256_HEX_LEN];
        crypto_sha256_hex(doc->body, doc->len, hex);
        snprintf(doc->etag, sizeof doc->etag, "\"%.16s\"", hex);
    }
    if (result == OK) {
        cache.valid = true;
        cache.app = r->app;
        cache.config = config_ref(r->config);
        cache.changes = changes;
        cache.day = now / MS_PER_DAY;
        cache.last_modified = page.updated_at ? page.updated_at : now;
        cache.next_change = page.next_change;
    } else {
        cache_clear();
    }
    sp_page_free(&page);
    return result;
}

/* RFC 7231 IMF-fixdate, without the locale (strftime's %a and %b follow LC_TIME). */
static void http_date(int64_t ms, char out[32])
{
    static const char *const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    static const char *const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                         "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    gmtime_r(&t, &tm);
    snprintf(out, 32, "%s, %02d %s %04d %02d:%02d:%02d GMT", days[tm.tm_wday], tm.tm_mday,
             months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
}

/* Whether the request's validators match (If-None-Match wins over If-Modified-Since). */
static bool not_modified(struct request *r, const char *etag, int64_t last_modified)
{
    const char *inm = request_header(r, "If-None-Match");
    if (inm)
        return strcmp(inm, "*") == 0 || strstr(inm, etag) != NULL;
    const char *ims = request_header(r, "If-Modified-Since");
    char lm[32];
    http_date(last_modified, lm);
    return ims && strcmp(ims, lm) == 0; /* the date we sent, sent back */
}

static void serve_doc(struct request *r, enum status_doc d)
{
    struct error err = {0};
    uint64_t changes = store_public_changes(r->app->store); /* before any read */
    pthread_mutex_lock(&cache.lock);
    enum result result = OK;
    if (!cache.valid || cache.app != r->app || cache.config != r->config ||
        cache.changes != changes || cache.day != clock_now(r->app->clock) / MS_PER_DAY ||
        (cache.next_change && clock_now(r->app->clock) >= cache.next_change))
        result = cache_fill(r, changes, &err);
    if (result != OK) {
        pthread_mutex_unlock(&cache.lock);
        reply_from_error(r, &err);
        return;
    }
    const struct status_doc_cached *doc = &cache.docs[d];
    char etag[sizeof doc->etag], lm[32];
    memcpy(etag, doc->etag, sizeof etag);
    http_date(cache.last_modified, lm);
    bool same = not_modified(r, etag, cache.last_modified);
    char *body = same ? NULL : xmalloc(doc->len + 1);
    size_t len = same ? 0 : doc->len;
    if (body)
        memcpy(body, doc->body, doc->len + 1);
    pthread_mutex_unlock(&cache.lock);
    reply_raw(r, same ? 304 : 200, status_doc_type(d), body, len);
    reply_header(r, "ETag", etag);
    reply_header(r, "Last-Modified", lm);
    reply_header(r, "Cache-Control", "public, no-cache");
    if (d != STATUS_DOC_HTML && d != STATUS_DOC_ATOM)
        reply_header(r, "Access-Control-Allow-Origin", "*"); /* read by other sites' widgets */
}

#define DOC_HANDLER(fn, doc)                                                                       \
    static void fn(struct request *r)                                                              \
    {                                                                                              \
        serve_doc(r, doc);                                                                         \
    }
DOC_HANDLER(status_html, STATUS_DOC_HTML)
DOC_HANDLER(status_summary, STATUS_DOC_SUMMARY)
DOC_HANDLER(status_status, STATUS_DOC_STATUS)
DOC_HANDLER(status_components, STATUS_DOC_COMPONENTS)
DOC_HANDLER(status_incidents, STATUS_DOC_INCIDENTS)
DOC_HANDLER(status_unresolved, STATUS_DOC_UNRESOLVED)
DOC_HANDLER(status_maintenances, STATUS_DOC_MAINTENANCES)
DOC_HANDLER(status_maint_upcoming, STATUS_DOC_MAINT_UPCOMING)
DOC_HANDLER(status_maint_active, STATUS_DOC_MAINT_ACTIVE)
DOC_HANDLER(status_atom, STATUS_DOC_ATOM)

/* ---- static assets ---- */

static const char *asset_type(const char *name)
{
    static const char *const types[][2] = {
        {".css", "text/css; charset=utf-8"},
        {".js", "text/javascript; charset=utf-8"},
        {".svg", "image/svg+xml"},
        {".png", "image/png"},
        {".ico", "image/x-icon"},
    };
    const char *dot = strrchr(name, '.');
    for (size_t i = 0; dot && i < sizeof types / sizeof types[0]; i++)
        if (strcmp(dot, types[i][0]) == 0)
            return types[i][1];
    return "application/octet-stream";
}

static void status_asset(struct request *r)
{
    char name[HTTP_PARAM_MAX + 8];
    snprintf(name, sizeof name, "status/%s", r->params[0]);
    for (size_t i = 0; i < embedded_web_count; i++) {
        const struct embedded_file *f = &embedded_web[i];
        if (strcmp(f->name, name) != 0)
            continue;
        char hex[SHA256_HEX_LEN], etag[24];
        crypto_sha256_hex(f->data, f->len, hex);
        snprintf(etag, sizeof etag, "\"%.16s\"", hex);
        const char *inm = request_header(r, "If-None-Match");
        bool same = inm && strstr(inm, etag);
        char *body = same ? NULL : xmalloc(f->len + 1);
        if (body)
            memcpy(body, f->data, f->len + 1);
        reply_raw(r, same ? 304 : 200, asset_type(name), body, same ? 0 : f->len);
        reply_header(r, "ETag", etag);
        reply_header(r, "Cache-Control", "public, max-age=3600");
        return;
    }
    reply_error(r, ERR_NOT_FOUND, "path: no status page asset named \"%s\"", r->params[0]);
}

static const struct route routes[] = {
    {"GET", "/status", status_html, ACCESS_PUBLIC, "status_page"},
    {"GET", "/status.json", status_summary, ACCESS_PUBLIC, "status_json"},
    {"GET", "/status/feed.atom", status_atom, ACCESS_PUBLIC, "status_feed"},
    {"GET", "/history.atom", status_atom, ACCESS_PUBLIC, "status_history_atom"},
    {"GET", "/status/assets/{name}", status_asset, ACCESS_PUBLIC, "status_asset"},
    {"GET", "/api/v2/summary.json", status_summary, ACCESS_PUBLIC, "v2_summary"},
    {"GET", "/api/v2/status.json", status_status, ACCESS_PUBLIC, "v2_status"},
    {"GET", "/api/v2/components.json", status_components, ACCESS_PUBLIC, "v2_components"},
    {"GET", "/api/v2/incidents.json", status_incidents, ACCESS_PUBLIC, "v2_incidents"},
    {"GET", "/api/v2/incidents/unresolved.json", status_unresolved, ACCESS_PUBLIC,
     "v2_incidents_unresolved"},
    {"GET", "/api/v2/scheduled-maintenances.json", status_maintenances, ACCESS_PUBLIC,
     "v2_maintenances"},
    {"GET", "/api/v2/scheduled-maintenances/upcoming.json", status_maint_upcoming, ACCESS_PUBLIC,
     "v2_maintenances_upcoming"},
    {"GET", "/api/v2/scheduled-maintenances/active.json", status_maint_active, ACCESS_PUBLIC,
     "v2_maintenances_active"},
};
HTTP_ROUTES(status_page, routes);
