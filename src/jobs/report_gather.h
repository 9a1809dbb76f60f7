/*
 * jobs/report_gather: reads what the monthly review counts (docs/reports.md) through a store
 * connection (a reader, or a job's tx) and feeds domain/report.c: the incidents, their pages,
 * post-mortems, alerts and timelines (updates), every alert of the month (noise, flapping) and
 * the action items. Shared by GET /api/v1/reports/monthly and the mail on the 1st
 * (jobs/report_mail.c). Threads: any thread holding the connection.
 */
#ifndef TOCSIN_JOBS_REPORT_GATHER_H
#define TOCSIN_JOBS_REPORT_GATHER_H

#include <jansson.h>
#include <stdint.h>

#include "config/config.h"
#include "store/store.h"
#include "util/result.h"
#include "util/tz.h"

/* The review of month year-mon in zone tz as of now, with month over month (the month before);
 * *out: a new reference on OK. */
enum result report_gather(struct store_conn *c, const struct config *cfg, const struct tz *tz,
                          int year, int mon, int64_t now, json_t **out);

#endif
