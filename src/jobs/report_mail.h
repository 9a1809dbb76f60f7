/*
 * jobs/report_mail: the monthly review mailed on the 1st (docs/reports.md "The mail on the 1st").
 * Threads: the engine thread; its job on the store writer.
 */
#ifndef TOCSIN_JOBS_REPORT_MAIL_H
#define TOCSIN_JOBS_REPORT_MAIL_H

#include <stdint.h>

#include "app/app.h"
#include "config/config.h"

/* On the 1st of a month (reports.timezone), from reports.mail_at: mails the previous month's
 * review to reports.mail_to once (the store's claim "report-mail:YYYY-MM"). Returns the earlier
 * of next and the next instant it has work. *queued += outbox rows queued. */
int64_t report_mail_pass(struct app *app, const struct config *cfg, int64_t now, int *queued,
                         int64_t next);

#endif
