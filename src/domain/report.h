/*
 * report: the monthly incident review (docs/reports.md, docs/internals/reports.md). Pure: the
 * caller (api/reports.c) reads the incidents, their pages and post-mortems and the action items,
 * feeds them in, and gets the report as JSON; report_markdown renders that JSON.
 *
 * The month is a calendar month in the config's `reports.timezone` (UTC by default):
 * [local YYYY-MM-01 00:00, local next month's 01 00:00), so a DST change inside the month is
 * counted right. An incident belongs to the month it was declared in; drills are counted apart
 * (`drills`) and left out of every other figure. Durations are medians and 90th percentiles by
 * the nearest-rank method over the incidents that have the event (detection, ack, resolution).
 *
 * Ownership: struct report owns everything it accumulates; report_free.
 */
#ifndef TOCSIN_REPORT_H
#define TOCSIN_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/alert.h"
#include "domain/incident.h"
#include "domain/postmortem.h"
#include "util/buf.h"
#include "util/tz.h"

/* "2026-11" -> 2026, 11. 0, or -1 when malformed (4 digits, '-', 2 digits, month 1..12). */
int report_parse_month(const char *s, int *year, int *month);
/* The month's bounds [start, end) as instants, in zone tz. */
void report_month_bounds(const struct tz *tz, int year, int month, int64_t *start, int64_t *end);
/* The month before the one `now` falls in, in zone tz. */
void report_previous_month(const struct tz *tz, int64_t now, int *year, int *month);

struct report;

struct report *report_new(const struct config *cfg, const struct tz *tz, int year, int month,
                          int64_t now);
/* Whether inc counts in the month (declared inside it and not a drill); drills inside it are
 * counted apart here. Incidents outside the month are ignored. */
bool report_add_incident(struct report *r, const struct incident *inc);
/* A page (notification of kind "page") sent to user at `at` for an incident that counts. */
void report_add_page(struct report *r, const char *user, int64_t at);
/* The post-mortem of an incident that counts; NULL: its severity requires one and there is none. */
void report_add_postmortem(struct report *r, const struct postmortem *pm);
/* Any action item; those opened, closed or overdue in the month count. */
void report_add_action(struct report *r, const struct action_item *a);
/* Detection of an incident that counts: first_alert_start, the earliest start its alerts carry
 * (report_alert_start; 0: none does), gives MTTD (declared - start, when not negative); alerts:
 * how many alerts are attached to it; one opened by alerts and resolved straight from triggered
 * (nobody acknowledged or worked on it) counts as resolved without action. */
void report_add_detection(struct report *r, const struct incident *inc, int64_t first_alert_start,
                          int alerts);
/* Update cadence of an incident that counts, whose severity has update_every (> 0): updates are
 * the instants of its updates (report_is_update), in any order. Each whole interval of
 * update_every from the declaration to the resolution (or now) is on time when an update was
 * posted inside it (both ends included). */
void report_add_cadence(struct report *r, const struct incident *inc, int64_t update_every,
                        const int64_t *updates, size_t n);
/* Any alert (after every incident was added): those first seen in the month, not on a drill,
 * count towards noise, flapping and the noisiest sources. */
void report_add_alert(struct report *r, const struct alert *a);
/* When the alert's source says the problem started (ms), 0 when it does not say: Alertmanager's
 * startsAt, the Events v2 payload's timestamp (both kept in its details). */
int64_t report_alert_start(const struct alert *a);
/* Whether a timeline entry is an update: a public one (data.public true), a status change with a
 * message (an internal update) or a note. */
bool report_is_update(const char *kind, const char *data_json);
/* The report (a new reference). */
json_t *report_json(const struct report *r);
void report_free(struct report *r);

/* The report JSON as a Markdown document (with the month over month table when present). */
void report_markdown(const json_t *rep, struct buf *out);

/* report_formats.c: month over month: adds previous_month (the headline figures of prev: month,
 * incidents, mtta_median_ms, mttr_median_ms, sla_breaches, pages, postmortems_late) and
 * month_over_month (this minus previous, null when either is null) to rep. */
void report_add_previous(json_t *rep, const json_t *prev);
/* The "Update cadence" and "Alert noise" Markdown sections. */
void report_markdown_cadence_noise(const json_t *rep, struct buf *out);
/* The "Month over month" Markdown table (nothing when rep has no previous_month). */
void report_markdown_trend(const json_t *rep, struct buf *out);
/* The report as CSV (RFC 4180, CRLF): header month,metric,value; one row per figure. */
void report_csv(const json_t *rep, struct buf *out);

#endif
