/*
 * jobs/report_mail: see report_mail.h. On each engine pass with reports.mail_to set: when now is
 * on the 1st of its month (reports.timezone) at or after mail_at, and the previous month's mail
 * has not been handled by this process, a reader first asks whether the claim
 * "report-mail:YYYY-MM" is taken (another node, or this one before a restart, sent it); if not,
 * the review is computed on the reader (jobs/report_gather.c, rendered as Markdown), then one
 * store job claims the month for good (store_cluster_claim until INT64_MAX), queues one e-mail
 * per recipient through the outbox (NOTIFY_INFO, email only, key "report:YYYY-MM") and appends
 * report.mailed {month, to, not_reached} to the timeline, in one transaction: several nodes send
 * it once. A recipient without an e-mail address is logged and listed in not_reached. A month
 * whose 1st passed with no node running is not mailed late (docs/reports.md).
 */
#include "jobs/report_mail.h"
#include "domain/report.h"
#include "jobs/notify_enqueue.h"
#include "jobs/report_gather.h"
#include "jobs/timeline.h"
#include "store/nodes.h"
#include "util/buf.h"
#include "util/log.h"

#include <stdio.h>
#include <string.h>

enum { REPORT_MAIL_MAX = 256 * 1024 - 4096 };

static char handled_month[16]; /* the engine thread's alone: "YYYY-MM" mailed or found mailed */

struct mail_job {
    const struct config *cfg;
    const char *key, *month, *subject, *text;
    int64_t now;
    bool taken;
    int queued;
};

static enum result mail_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct mail_job *j = arg;
    enum result result = store_cluster_claim(tx, j->key, j->now, INT64_MAX);
    if (result == ERR_NOT_FOUND) {
        j->taken = true;
        return OK;
    }
    if (result != OK)
        return error_set(err, result, "store: cannot claim %s", j->key);
    char dkey[32];
    snprintf(dkey, sizeof dkey, "report:%s", j->month);
    json_t *to = json_array(), *missed = json_array();
    for (size_t i = 0; i < j->cfg->reports.mail_to.count; i++) {
        const char *user = j->cfg->reports.mail_to.items[i];
        struct notify_message m = {.kind = NOTIFY_INFO,
                                   .key = dkey,
                                   .user = user,
                                   .subject = j->subject,
                                   .text = j->text,
                                   .reason = "monthly review",
                                   .actor = "tocsin",
                                   .only_method = "email"};
        struct error e = {0};
        result = notify_enqueue(tx, j->cfg, &m, j->now, &j->queued, &e);
        if (result == ERR_UNPROCESSABLE || result == ERR_NOT_FOUND) {
            log_warn("reports: the review of %s cannot be mailed to %s: %s", j->month, user,
                     e.message);
            json_array_append_new(missed, json_string(user));
            continue;
        }
        if (result != OK) {
            json_decref(to);
            json_decref(missed);
            return error_set(err, result, "%s", e.message);
        }
        json_array_append_new(to, json_string(user));
    }
    return timeline_append(
        tx, j->now, "tocsin", "report.mailed", NULL,
        json_pack("{s:s,s:o,s:o}", "month", j->month, "to", to, "not_reached", missed), NULL, err);
}

/* Computes the review of year-mon on a reader and mails it (the job). false: try again later. */
static bool send_review(struct app *app, const struct config *cfg, const struct tz *tz, int year,
                        int mon, const char *key, const char *month, int64_t now, int *queued)
{
    struct error err = {0};
    struct store_conn *rd = store_reader(app->store, &err);
    int64_t taken = 0;
    if (!rd || store_cluster_value(rd, key, &taken) != OK) {
        log_error("reports: cannot read whether %s was mailed: %s", month, err.message);
        return false;
    }
    if (taken)
        return true;
    json_t *rep = NULL;
    if (report_gather(rd, cfg, tz, year, mon, now, &rep) != OK) {
        log_error("reports: cannot read the review of %s; trying again", month);
        return false;
    }
    struct buf md;
    buf_init(&md, REPORT_MAIL_MAX);
    report_markdown(rep, &md);
    json_decref(rep);
    char subject[64];
    snprintf(subject, sizeof subject, "Monthly incident review: %s", month);
    struct mail_job j = {.cfg = cfg,
                         .key = key,
                         .month = month,
                         .subject = subject,
                         .text = md.data ? md.data : "(the review is too large for a mail)",
                         .now = now};
    enum result result = store_write(app->store, mail_job, &j, &err);
    buf_free(&md);
    if (result != OK) {
        log_error("reports: cannot mail the review of %s: %s", month, err.message);
        return false;
    }
    *queued += j.queued;
    if (!j.taken)
        log_info("reports: the review of %s mailed to %zu recipient(s)", month,
                 cfg->reports.mail_to.count);
    return true;
}

int64_t report_mail_pass(struct app *app, const struct config *cfg, int64_t now, int *queued,
                         int64_t next)
{
    if (!cfg->reports.mail_to.count)
        return next;
    const struct tz *tz = cfg->reports.timezone ? tz_get(cfg->reports.timezone) : tz_utc();
    if (!tz)
        tz = tz_utc();
    struct tz_tm t;
    tz_local(tz, now, &t);
    int h = cfg->reports.mail_hour, mi = cfg->reports.mail_minute;
    int64_t send_at = tz_to_utc(tz, t.year, t.month, 1, h, mi);
    int64_t day_end = tz_to_utc(tz, t.year, t.month, 2, 0, 0);
    int64_t next_send = t.month == 12 ? tz_to_utc(tz, t.year + 1, 1, 1, h, mi)
                                      : tz_to_utc(tz, t.year, t.month + 1, 1, h, mi);
    int64_t wake = now < send_at ? send_at : next_send;
    if (wake < next)
        next = wake;
    if (now < send_at || now >= day_end)
        return next;
    int year, mon;
    report_previous_month(tz, now, &year, &mon);
    char month[16], key[48];
    snprintf(month, sizeof month, "%04d-%02d", year, mon);
    if (strcmp(handled_month, month) == 0)
        return next;
    snprintf(key, sizeof key, "report-mail:%s", month);
    if (send_review(app, cfg, tz, year, mon, key, month, now, queued))
        snprintf(handled_month, sizeof handled_month, "%s", month);
    return next;
}
