/*
 * status_day: the detail page of one day of the status page's uptime history
 * (/status/history/YYYY-MM-DD, docs/api.md "Status page"): per component, the public incidents and
 * the maintenance windows that touched that UTC day, each with its times and how long it lasted
 * within the day and in all. Each day's bar on /status that has any links here. Readable without
 * JavaScript; every value from a user goes through the HTML builder.
 *
 * Pure rendering from the struct handed in (no store, no clock): any thread.
 */
#ifndef TOCSIN_WEB_STATUS_DAY_H
#define TOCSIN_WEB_STATUS_DAY_H

#include <stddef.h>
#include <stdint.h>

#include "domain/status_page.h"

struct status_day_item {
    const char *id, *title;
    const char *kind;   /* "incident" or "maintenance" */
    const char *impact; /* Statuspage's impact name (incidents), or "maintenance" */
    int64_t start, end; /* end 0: still going (counted up to now) */
    int component;      /* index in components, -1: none */
};

struct status_day {
    const char *site_name;
    int64_t day;                   /* ms, UTC midnight */
    int64_t now;                   /* the render time */
    bool has_prev, has_next;       /* the neighbouring days are within the history */
    const char *const *components; /* names, in the page's order */
    const char *const *component_ids;
    size_t component_count;
    const struct status_day_item *items; /* several components: one item per component */
    size_t item_count;
};

/* "2 h 28 min", "45 min", "3 d 2 h", "under a minute" into out. */
void status_day_duration(int64_t ms, char *out, size_t n);
/* The page; NULL when it could not be built (logged). The caller frees it. */
char *status_render_day(const struct status_day *d, size_t *len);

#endif
