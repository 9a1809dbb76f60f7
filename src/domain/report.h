/*
 * report: the monthly incident review (docs/reports.md, docs/internals/reports.md). Pure: the
 * caller (api/reports.c) reads the incidents, their pages and post-mortems and the action items,
 * feeds them in, and gets the report as JSON; report_markdown renders that JSON.
 *
 * The month is a calendar month in the config's `reports.timezone` (UTC by default):
 * [local YYYY-MM-01 00:00, local next month's 01 00:00), so a DST change inside the month is
 * counted right. An incident belongs to the month it was declared in; drills are counted apart
 * (`drills`) and left out of every other figure. Durations are medians and 90th percentiles by
 * the nearest-rank method over the incidents that have the event (ack, resolution).
 *
 * Ownership: struct report owns everything it accumulates; report_free.
 */
#ifndef TOCSIN_REPORT_H
#define TOCSIN_REPORT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
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
/* The report (a new reference). */
json_t *report_json(const struct report *r);
void report_free(struct report *r);

/* The report JSON as a Markdown document (with the month over month table when present). */
void report_markdown(const json_t *rep, struct buf *out);

/* report_formats.c: month over month: adds previous_month (the headline figures of prev: month,
 * incidents, mtta_median_ms, mttr_median_ms, sla_breaches, pages, postmortems_late) and
 * month_over_month (this minus previous, null when either is null) to rep. */
void report_add_previous(json_t *rep, const json_t *prev);
/* The "Month over month" Markdown table (nothing when rep has no previous_month). */
void report_markdown_trend(const json_t *rep, struct buf *out);
/* The report as CSV (RFC 4180, CRLF): header month,metric,value; one row per figure. */
void report_csv(const json_t *rep, struct buf *out);

#endif
