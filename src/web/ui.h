/*
 * web/ui: the responder UI's pages (/ui/), rendered from data handed in: the JSON the API
 * answers (the same objects `tocsin ... --json` prints) and the loaded config. Pure: no store,
 * no clock (the caller passes `now`), no I/O. Every value goes through the html builder
 * (web/html.h), which escapes it; raw markup is only ever a string literal here.
 *
 * Pages work with JavaScript off: every action is a <form method="post"> carrying the session's
 * CSRF token in a hidden field, answered by a 303 redirect. web/ui/ui.js only adds countdowns
 * that tick and live updates (docs/internals/ui.md). No inline script or style (the
 * Content-Security-Policy has no 'unsafe-inline'): styling is by class, from web/ui/ui.css.
 * Files: ui_layout.c (frame, sign-in, messages, shared bits), ui_incidents.c (the list and the
 * declare form), ui_incident.c (one incident), ui_oncall.c (on call, alerts, silences),
 * ui_maintenance.c (scheduled maintenance), ui_reports.c (the monthly review).
 */
#ifndef TOCSIN_WEB_UI_H
#define TOCSIN_WEB_UI_H

#include <jansson.h>
#include <stdint.h>

#include "config/config.h"
#include "web/html.h"

/* Who is looking, and when: every page gets it. user/role/csrf are NULL when signed out. */
struct ui_view {
    const char *user, *role, *csrf;
    int64_t now;     /* server time, ms (the dev clock in tests) */
    int64_t version; /* the timeline's last seq when the page was read (live updates) */
    const char *nav; /* the current section: "incidents", "declare", "oncall", "alerts" */
    const char *notice;
};

/* ---- ui_layout.c ---- */
void ui_page_begin(struct html *h, const struct ui_view *v, const char *title);
void ui_page_end(struct html *h, const struct ui_view *v);
void ui_render_signin(struct html *h, const struct ui_view *v, const char *user, const char *error);
void ui_render_message(struct html *h, const struct ui_view *v, const char *title,
                       const char *message, const char *back);
/* shared bits */
void ui_csrf(struct html *h, const struct ui_view *v); /* the hidden CSRF field */
/* <form method=post action=...> with the CSRF field; close with html_markup(h, "</form>"). */
void ui_form_open(struct html *h, const struct ui_view *v, const char *action, const char *cls);
void ui_time(struct html *h, const char *rfc3339); /* "2099-06-15 12:00 UTC", or "-" */
void ui_ago(struct html *h, const char *rfc3339, int64_t now);
/* A clock: "<label> in 12m" or "<label> overdue by 3m" (red); nothing when due is NULL. */
void ui_countdown(struct html *h, const char *label, const char *due, int64_t now, bool done);
void ui_severity(struct html *h, const struct config *cfg, const char *sev);
void ui_status(struct html *h, const char *status);
/* A span of time as "1h 05m", "12m", "40s". */
void ui_span(int64_t ms, char *out, size_t n);
bool ui_can(const struct ui_view *v, const char *least_role);

/* ---- ui_incidents.c ---- */
struct ui_filter {
    const char *status, *severity, *service, *type, *drill; /* NULL or "" = any */
};
void ui_render_incidents(struct html *h, const struct ui_view *v, const json_t *incidents,
                         const struct ui_filter *f, const struct config *cfg);
void ui_render_declare(struct html *h, const struct ui_view *v, const struct config *cfg);

/* ---- ui_incident.c ---- */
struct ui_incident_data {
    const json_t *incident;      /* GET /api/v1/incidents/{id} */
    const json_t *timeline;      /* .../timeline: {"entries":[...]} */
    const json_t *alerts;        /* .../alerts, or NULL */
    const json_t *notifications; /* .../notifications, or NULL */
    const json_t *checklists;    /* .../checklists, or NULL */
    const json_t *runbooks;      /* .../runbooks, or NULL */
    const json_t *postmortem;    /* .../postmortem, or NULL (none yet) */
    const json_t *actions;       /* GET /api/v1/actions?incident=ID&status=all, or NULL */
};
void ui_render_incident(struct html *h, const struct ui_view *v, const struct ui_incident_data *d,
                        const struct config *cfg);

/* ---- ui_oncall.c ---- */
/* now: GET /api/v1/oncall; next: the entries on call when each current shift ends (a JSON array
 * of the same objects); overrides: GET /api/v1/overrides. */
void ui_render_oncall(struct html *h, const struct ui_view *v, const json_t *now,
                      const json_t *next, const json_t *overrides, const struct config *cfg);
/* alerts: GET /api/v1/alerts; silences: GET /api/v1/silences. */
void ui_render_alerts(struct html *h, const struct ui_view *v, const json_t *alerts,
                      const json_t *silences, const struct config *cfg);

/* ---- ui_followup.c: the incident page's checklists, runbooks, post-mortem and action items
 * panels (forms to tick an item, mark a step done, start the post-mortem, add and close action
 * items), and the action items page (/ui/actions; list: GET /api/v1/actions). ---- */
void ui_render_followup(struct html *h, const struct ui_view *v, const struct ui_incident_data *d);
void ui_render_actions(struct html *h, const struct ui_view *v, const json_t *list,
                       const struct config *cfg);

/* ---- ui_reports.c: the monthly review (/ui/reports; rep: GET /api/v1/reports/monthly): the
 * headline figures and bar charts drawn as inline SVG, each with its data as a table. ---- */
void ui_render_report(struct html *h, const struct ui_view *v, const json_t *rep,
                      const struct config *cfg);

/* ---- ui_maintenance.c ---- */
/* list: GET /api/v1/maintenances. */
void ui_render_maintenances(struct html *h, const struct ui_view *v, const json_t *list,
                            const struct config *cfg);

#endif
