/*
 * status_render: the public status page's documents, rendered from a struct sp_page
 * (domain/status_page.h): the HTML page (/status), Statuspage's JSON documents (under /api/v2/)
 * and the Atom feed (/history.atom). Each function returns a malloc'd NUL-terminated document
 * (the caller frees it) and its length, or NULL when it could not be built (logged).
 *
 * The HTML page is readable without JavaScript, carries no inline style or script (the CSS is
 * the embedded asset web/status/status.css) and stays under STATUS_HTML_BUDGET bytes whatever the
 * history: past incidents that would pass the budget are left to the feed and the JSON, with a
 * line saying so. Every value that came from a user goes through the HTML builder (web/html.h).
 *
 * Pure rendering: no store, no clock (site->now is passed in), any thread.
 */
#ifndef TOCSIN_WEB_STATUS_RENDER_H
#define TOCSIN_WEB_STATUS_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "domain/status_page.h"

enum { STATUS_HTML_BUDGET = 48 * 1024, STATUS_FEED_CAP = 8 << 20 };

/* What the documents say about the page itself. */
struct status_site {
    const char *name;     /* the page's title */
    const char *base_url; /* config server.public_url, no trailing slash */
    int64_t now;          /* when the documents are rendered: stands in for times not known */
};

enum status_doc {
    STATUS_DOC_HTML,
    STATUS_DOC_SUMMARY,        /* /api/v2/summary.json */
    STATUS_DOC_STATUS,         /* /api/v2/status.json, /status.json */
    STATUS_DOC_COMPONENTS,     /* /api/v2/components.json */
    STATUS_DOC_INCIDENTS,      /* /api/v2/incidents.json */
    STATUS_DOC_UNRESOLVED,     /* /api/v2/incidents/unresolved.json */
    STATUS_DOC_MAINTENANCES,   /* /api/v2/scheduled-maintenances.json */
    STATUS_DOC_MAINT_UPCOMING, /* .../upcoming.json */
    STATUS_DOC_MAINT_ACTIVE,   /* .../active.json */
    STATUS_DOC_ATOM,           /* /history.atom, /status/feed.atom */
    STATUS_DOC_COUNT
};

/* The document's Content-Type. */
const char *status_doc_type(enum status_doc d);
char *status_render(enum status_doc d, const struct sp_page *p, const struct status_site *site,
                    size_t *len);

/* status_render_html.c, status_render_json.c: the two halves of status_render. */
char *status_render_html(const struct sp_page *p, const struct status_site *site, size_t *len);
char *status_render_json(enum status_doc d, const struct sp_page *p, const struct status_site *site,
                         size_t *len);
char *status_render_atom(const struct sp_page *p, const struct status_site *site, size_t *len);

#endif
