/*
 * cli/status_page: a copy of the public status page as static files, for hosting somewhere that
 * does not go down with tocsin.
 *   tocsin status-page export DIR      GET /status, /api/v2/..., /history.atom, the CSS, and
 *                                      each day page the bars link to (/status/history/DAY,
 *                                      written as status/history/DAY/index.html), and each
 *                                      post-mortem page its incidents link to
 *                                      (/status/incidents/ID/postmortem, written as
 *                                      status/incidents/ID/postmortem/index.html)
 *
 * Every document is fetched first; only when all of them arrived are they written, each to a
 * temporary file renamed over the old one, so a failed export leaves the previous copy whole.
 * The page's links are absolute paths (/status/assets/status.css, /history.atom): host DIR at the
 * root of a site. docs/internals/status_page.md. Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* What is fetched, and the files (relative to DIR) each is written to. */
static const struct {
    const char *path;
    const char *files[2];
} docs[] = {
    {"/status", {"index.html", "status/index.html"}},
    {"/status/assets/status.css", {"status/assets/status.css"}},
    {"/api/v2/summary.json", {"api/v2/summary.json", "status.json"}},
    {"/api/v2/status.json", {"api/v2/status.json"}},
    {"/api/v2/components.json", {"api/v2/components.json"}},
    {"/api/v2/incidents.json", {"api/v2/incidents.json"}},
    {"/api/v2/incidents/unresolved.json", {"api/v2/incidents/unresolved.json"}},
    {"/api/v2/scheduled-maintenances.json", {"api/v2/scheduled-maintenances.json"}},
    {"/api/v2/scheduled-maintenances/upcoming.json",
     {"api/v2/scheduled-maintenances/upcoming.json"}},
    {"/api/v2/scheduled-maintenances/active.json", {"api/v2/scheduled-maintenances/active.json"}},
    {"/history.atom", {"history.atom", "status/feed.atom"}},
};
enum { NDOCS = sizeof docs / sizeof docs[0] };

/* mkdir -p of the directories above file (a path under dir). */
static int make_parents(const char *path)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    for (char *p = tmp + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(tmp, 0755) != 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

static int write_file(const char *dir, const char *name, const char *data, size_t len)
{
    char path[4096], tmp[4200];
    if (snprintf(path, sizeof path, "%s/%s", dir, name) >= (int)sizeof path) {
        fprintf(stderr, "error: %s/%s: path too long\n", dir, name);
        return CLI_USAGE;
    }
    snprintf(tmp, sizeof tmp, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = NULL;
    if (make_parents(path) != 0 || !(f = fopen(tmp, "wb"))) {
        fprintf(stderr, "error: %s: %s\n", path, strerror(errno));
        return CLI_REFUSED;
    }
    bool ok = fwrite(data, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    if (!ok || rename(tmp, path) != 0) {
        fprintf(stderr, "error: %s: %s\n", path, strerror(errno));
        unlink(tmp);
        return CLI_REFUSED;
    }
    return CLI_OK;
}

enum { DAYS_MAX = 400 }; /* status_page.uptime_days is at most 365 */

/* The distinct days the page's bars link to ("/status/history/YYYY-MM-DD#..."), in page order. */
static size_t linked_days(const char *html, size_t len, char days[][11], size_t max)
{
    static const char needle[] = "href=\"/status/history/";
    size_t n = 0;
    const char *end = html + len;
    for (const char *p = html; p && n < max;) {
        p = memmem(p, (size_t)(end - p), needle, sizeof needle - 1);
        if (!p)
            break;
        p += sizeof needle - 1;
        if (end - p < 10)
            break;
        bool ok = true;
        for (int i = 0; i < 10 && ok; i++)
            ok = (i == 4 || i == 7) ? p[i] == '-' : (p[i] >= '0' && p[i] <= '9');
        bool seen = false;
        for (size_t k = 0; k < n && ok && !seen; k++)
            seen = memcmp(days[k], p, 10) == 0;
        if (ok && !seen) {
            memcpy(days[n], p, 10);
            days[n++][10] = '\0';
        }
    }
    return n;
}

/* The day pages the exported page links to: fetched, then written with the rest. */
static int export_days(struct cli_ctx *ctx, const struct cli_resp *page, struct cli_resp *resp,
                       char days[][11], size_t *ndays)
{
    *ndays = linked_days(page->raw ? page->raw : "", page->raw ? page->len : 0, days, DAYS_MAX);
    int result = CLI_OK;
    for (size_t i = 0; i < *ndays && result == CLI_OK; i++) {
        char path[64];
        snprintf(path, sizeof path, "/status/history/%.10s", days[i]);
        result = cli_fetch(ctx, path, &resp[i]);
    }
    return result;
}

enum { PM_MAX = 600, PM_ID_MAX = 64 }; /* status_page.history is at most 500 */

/* The distinct incident ids of the page's post-mortem links
 * ("/status/incidents/ID/postmortem"), in page order; an id is letters, digits, '-' and '_'. */
static size_t linked_postmortems(const char *html, size_t len, char ids[][PM_ID_MAX + 1],
                                 size_t max)
{
    static const char needle[] = "href=\"/status/incidents/", tail[] = "/postmortem\"";
    size_t n = 0;
    const char *end = html + len;
    for (const char *p = html; p && n < max;) {
        p = memmem(p, (size_t)(end - p), needle, sizeof needle - 1);
        if (!p)
            break;
        p += sizeof needle - 1;
        size_t k = 0;
        while (p + k < end && k <= PM_ID_MAX &&
               ((p[k] >= '0' && p[k] <= '9') || (p[k] >= 'A' && p[k] <= 'Z') ||
                (p[k] >= 'a' && p[k] <= 'z') || p[k] == '-' || p[k] == '_'))
            k++;
        if (k == 0 || k > PM_ID_MAX || (size_t)(end - p - k) < sizeof tail - 1 ||
            memcmp(p + k, tail, sizeof tail - 1) != 0)
            continue;
        bool seen = false;
        for (size_t i = 0; i < n && !seen; i++)
            seen = strlen(ids[i]) == k && memcmp(ids[i], p, k) == 0;
        if (!seen) {
            memcpy(ids[n], p, k);
            ids[n++][k] = '\0';
        }
    }
    return n;
}

static int export_run(struct cli_ctx *ctx)
{
    const char *dir = ctx->pos[1];
    if (!*dir)
        return cli_usage_error(ctx, "export: DIR must not be empty");
    struct cli_resp resp[NDOCS];
    memset(resp, 0, sizeof resp);
    int result = CLI_OK;
    for (size_t i = 0; i < NDOCS && result == CLI_OK; i++)
        result = cli_fetch(ctx, docs[i].path, &resp[i]);
    static char days[DAYS_MAX][11];
    struct cli_resp *day_resp = xcalloc(DAYS_MAX, sizeof *day_resp);
    size_t ndays = 0;
    if (result == CLI_OK)
        result = export_days(ctx, &resp[0], day_resp, days, &ndays);
    static char pms[PM_MAX][PM_ID_MAX + 1];
    struct cli_resp *pm_resp = xcalloc(PM_MAX, sizeof *pm_resp);
    size_t npms = result == CLI_OK ? linked_postmortems(resp[0].raw ? resp[0].raw : "",
                                                        resp[0].raw ? resp[0].len : 0, pms, PM_MAX)
                                   : 0;
    for (size_t i = 0; i < npms && result == CLI_OK; i++) {
        char path[128];
        snprintf(path, sizeof path, "/status/incidents/%.64s/postmortem", pms[i]);
        result = cli_fetch(ctx, path, &pm_resp[i]);
    }
    if (result == CLI_OK && mkdir(dir, 0755) != 0 && errno != EEXIST) {
        fprintf(stderr, "error: %s: %s\n", dir, strerror(errno));
        result = CLI_REFUSED;
    }
    size_t written = 0;
    for (size_t i = 0; i < NDOCS && result == CLI_OK; i++)
        for (size_t k = 0; k < 2 && docs[i].files[k] && result == CLI_OK; k++) {
            result = write_file(dir, docs[i].files[k], resp[i].raw, resp[i].len);
            written += result == CLI_OK;
        }
    for (size_t i = 0; i < ndays && result == CLI_OK; i++) {
        char name[64];
        snprintf(name, sizeof name, "status/history/%.10s/index.html", days[i]);
        result = write_file(dir, name, day_resp[i].raw, day_resp[i].len);
        written += result == CLI_OK;
    }
    for (size_t i = 0; i < npms && result == CLI_OK; i++) {
        char name[128];
        snprintf(name, sizeof name, "status/incidents/%.64s/postmortem/index.html", pms[i]);
        result = write_file(dir, name, pm_resp[i].raw, pm_resp[i].len);
        written += result == CLI_OK;
    }
    if (result == CLI_OK)
        printf("%zu files written to %s\n", written, dir);
    for (size_t i = 0; i < NDOCS; i++)
        cli_resp_free(&resp[i]);
    for (size_t i = 0; i < DAYS_MAX; i++)
        cli_resp_free(&day_resp[i]);
    free(day_resp);
    for (size_t i = 0; i < PM_MAX; i++)
        cli_resp_free(&pm_resp[i]);
    free(pm_resp);
    return result;
}

static const struct cli_sub subs[] = {
    {"export", 2, 0, export_run},
};

static int status_page_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, subs, sizeof subs / sizeof subs[0]);
}

static const struct cli_cmd status_page_cmd = {
    "usage: tocsin status-page export DIR\n"
    "\n"
    "Writes the public status page as static files under DIR: index.html (and\n"
    "status/index.html), status/assets/status.css, the Statuspage JSON under api/v2/ (and\n"
    "status.json), history.atom (and status/feed.atom), each day page and post-mortem page\n"
    "the page links to (status/history/DAY/, status/incidents/ID/postmortem/). Host DIR at the "
    "root of a site that\n"
    "does not go down with tocsin. Nothing is written unless every document was fetched.\n",
    NULL, 1, 2, status_page_run};

static int cli_status_page(int argc, char **argv)
{
    return cli_run(argc, argv, &status_page_cmd);
}

static const struct cli_verb verbs[] = {
    {"status-page", cli_status_page, "export the public status page as static files"},
};
CLI_VERBS(status_page, verbs);
