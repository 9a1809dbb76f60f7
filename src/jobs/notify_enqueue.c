/*
 * notify/enqueue: the producer side of the outbox. notify_enqueue turns a message for a user into
 * one `notifications` row per chosen method, inside the producer's store transaction, and puts
 * notify.queued on the incident's timeline. Also the fallback to a user's next method, which the
 * notifier uses; the choice of methods itself is pure (domain/notify_methods.c).
 *
 * Invariant: rows are inserted with ON CONFLICT DO NOTHING on (incident, key, user, method), so a
 * producer that queues the same step twice (a retry after a crash, two engine passes) adds none
 * the second time: that is what makes "no step fires twice" hold.
 * Threads: the store writer thread (inside a job).
 */
#include "jobs/notify_enqueue.h"
#include "domain/runbook.h"
#include "jobs/timeline.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "store/alerts.h"
#include "store/notifications.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SUBJECT_MAX = 200, NOTE_MAX = 9000 }; /* a note: 2000 characters of UTF-8 and a prefix */

static bool has(const char *const *list, size_t n, const char *s)
{
    for (size_t i = 0; i < n; i++)
        if (strcmp(list[i], s) == 0)
            return true;
    return false;
}

/* One line, no control characters, at most SUBJECT_MAX bytes cut at a character boundary: the
 * characters that start in the first SUBJECT_MAX - 4 bytes. */
static void clean_line(struct buf *b, const char *s)
{
    size_t n = utf8_cut_after(s, strlen(s), SUBJECT_MAX - 4);
    for (size_t i = 0; i < n && i < SUBJECT_MAX; i++) {
        unsigned char c = (unsigned char)s[i];
        char o = (c < 0x20 || c == 0x7f) ? ' ' : (char)c;
        buf_append(b, &o, 1);
    }
}

static void make_subject(const struct notify_message *m, struct buf *out)
{
    const struct incident *inc = m->inc;
    if (inc && inc->drill)
        buf_puts(out, "[DRILL] "); /* a drill's every message says so, first */
    if (m->subject) {
        clean_line(out, m->subject);
        return;
    }
    if (!inc) {
        buf_puts(out, m->kind == NOTIFY_HANDOFF ? "tocsin: on-call hand-off" : "tocsin");
        return;
    }
    struct buf line;
    buf_init(&line, 4096);
    buf_printf(&line, "[%s] %s%s: %s", inc->severity,
               m->kind == NOTIFY_REMINDER ? "Update due: " : "", inc->id, inc->title);
    clean_line(out, line.data);
    buf_free(&line);
}

/* The runbooks the labels of the incident's alerts match (runbooks[].alert_labels): by_labels[i]
 * for runbook i. Read only for a page about an incident when some runbook has alert_labels; the
 * newest LABEL_ALERTS alerts are looked at (an alert storm's incident repeats its labels). */
enum { LABEL_ALERTS = 100 };

struct label_hits {
    const struct config *cfg;
    unsigned char *by_labels;
};

static int label_hit(const struct alert *a, void *arg)
{
    struct label_hits *h = arg;
    for (size_t i = 0; i < h->cfg->runbook_count; i++)
        if (!h->by_labels[i] && runbook_labels_match(&h->cfg->runbooks[i], a->labels))
            h->by_labels[i] = 1;
    return 0;
}

static enum result runbooks_by_labels(struct store_conn *tx, const struct config *cfg,
                                      const struct notify_message *m, unsigned char **out)
{
    *out = NULL;
    bool any = false;
    for (size_t i = 0; i < cfg->runbook_count && !any; i++)
        any = cfg->runbooks[i].alert_labels.count > 0;
    if (!any || m->kind != NOTIFY_PAGE || !m->inc || m->text)
        return OK;
    struct label_hits h = {cfg, xcalloc(cfg->runbook_count, 1)};
    struct store_alert_filter f = {.incident_id = m->inc->id, .limit = LABEL_ALERTS};
    enum result result = store_alert_list(tx, &f, label_hit, &h);
    if (result != OK)
        free(h.by_labels);
    else
        *out = h.by_labels;
    return result;
}

static void make_text(const struct config *cfg, const struct notify_message *m,
                      const unsigned char *by_labels, struct buf *out)
{
    const struct incident *inc = m->inc;
    if (inc && inc->drill)
        buf_puts(out, "[DRILL] This is a drill, not a real incident.\n\n");
    if (m->note)
        buf_printf(out, "%.*s\n\n", NOTE_MAX, m->note);
    if (m->text) {
        buf_puts(out, m->text);
        return;
    }
    if (!inc) {
        buf_puts(out, m->reason ? m->reason : "");
        return;
    }
    const struct config_severity *sev = config_severity_find(cfg, inc->severity);
    const struct config_service *svc = config_service_find(cfg, inc->service);
    char created[RFC3339_LEN];
    time_format_rfc3339(inc->created_at, created);
    buf_printf(out, "%s: %s\n", inc->id, inc->title);
    buf_printf(out, "Severity: %s%s%s%s\n", inc->severity, sev ? " (" : "", sev ? sev->name : "",
               sev ? ")" : "");
    buf_printf(out, "Status: %s\n", incident_status_name(inc->status));
    if (inc->service)
        buf_printf(out, "Service: %s (%s)\n", svc && svc->name ? svc->name : inc->service,
                   inc->service);
    buf_printf(out, "Since: %s\n", created);
    if (inc->summary && inc->summary[0])
        buf_printf(out, "Summary: %s\n", inc->summary);
    if (m->reason)
        buf_printf(out, "Why you: %s\n", m->reason);
    /* A page links the runbooks that apply to the incident by its service or type, or by the
     * labels of its alerts (by_labels), in config order, at most five. */
    for (size_t i = 0, n = 0; m->kind == NOTIFY_PAGE && i < cfg->runbook_count && n < 5; i++) {
        const struct config_runbook *rb = &cfg->runbooks[i];
        if (!runbook_static_match(cfg, rb, inc) && !(by_labels && by_labels[i]))
            continue;
        buf_printf(out, "%s  %s: %s (%s%s)\n", n++ ? "" : "Runbooks:\n", rb->id, rb->title,
                   rb->url ? rb->url : "tocsin runbook show ", rb->url ? "" : rb->id);
    }
}

/* notify.queued {user, methods, key, reason, choice, kind, after?, timing?, dropped?,
 * held_until?}: timing
 * [{method, after, rule}] when the user's rules give the methods different delays. */
static enum result note_queued(struct store_conn *tx, const struct notify_message *m,
                               json_t *methods, const char *why, int64_t after, json_t *timing,
                               json_t *dropped, int64_t now, struct error *err)
{
    json_t *data =
        json_pack("{s:s,s:O,s:s,s:s?,s:s,s:s}", "user", m->user, "methods", methods, "key", m->key,
                  "reason", m->reason, "choice", why, "kind", notify_kind_name(m->kind));
    if (after > 0) {
        char d[32];
        time_format_duration(after, d, sizeof d);
        json_object_set_new(data, "after", json_string(d));
    }
    if (json_array_size(dropped))
        json_object_set(data, "dropped", dropped);
    if (json_array_size(timing))
        json_object_set(data, "timing", timing);
    if (m->hold_until > now) {
        char at[RFC3339_LEN];
        time_format_rfc3339(m->hold_until, at);
        json_object_set_new(data, "held_until", json_string(at));
    }
    return timeline_append(tx, now, m->actor ? m->actor : "system", "notify.queued", m->inc->id,
                           data, NULL, err);
}

/* A drill's page to contact ct (a person outside the team: Legal, a vendor) is not sent; what a
 * real incident would have sent is on the drill's timeline (and in its report). */
static enum result drill_withheld(struct store_conn *tx, const struct notify_message *m,
                                  const struct config_contact *ct, int64_t now, struct error *err)
{
    json_t *data = json_pack("{s:s,s:s?,s:s,s:s?,s:s,s:s}", "contact", m->user, "name", ct->name,
                             "key", m->key, "reason", m->reason, "kind", notify_kind_name(m->kind),
                             "why", "a drill pages no one outside the team: not sent");
    return timeline_append(tx, now, m->actor ? m->actor : "system", "drill.page_withheld",
                           m->inc->id, data, NULL, err);
}

enum result notify_enqueue(struct store_conn *tx, const struct config *cfg,
                           const struct notify_message *m, int64_t now, int *queued,
                           struct error *err)
{
    if (queued)
        *queued = 0;
    if (!m || !m->key || !m->key[0] || !m->user)
        return error_set(err, ERR_INTERNAL, "notify: a message needs a key and a user");
    const struct config_user *u = config_user_find(cfg, m->user);
    struct config_user as_user;
    if (!u && strncmp(m->user, "contact:", 8) == 0) { /* a contacts directory entry */
        const struct config_contact *ct = config_contact_find(cfg, m->user + 8);
        if (ct && m->inc && m->inc->drill) /* someone outside the team: a drill does not page */
            return drill_withheld(tx, m, ct, now, err);
        if (ct) {
            as_user = (struct config_user){
                .id = (char *)m->user, .name = ct->name, .email = ct->email, .phone = ct->phone};
            u = &as_user;
        }
    }
    if (!u)
        return error_set(err, ERR_UNPROCESSABLE, "user: unknown user \"%.64s\"", m->user);
    struct notify_choice ch[NOTIFY_CHOICES_MAX];
    const char *methods[NOTIFY_CHOICES_MAX];
    char why[200];
    size_t n = notify_choose(cfg, u, m->inc ? m->inc->severity : NULL, ch, why, sizeof why);
    if (m->only_method) { /* one method, at once: the user's rules do not apply */
        const char *addr = notify_user_address(u, m->only_method);
        n = addr && addr[0] ? 1 : 0;
        ch[0] = (struct notify_choice){.method = m->only_method};
        snprintf(why, sizeof why, "%s only (%.100s)", m->only_method,
                 m->reason ? m->reason : "the producer's choice");
        if (n == 0)
            return error_set(err, ERR_UNPROCESSABLE, "user: %s has no %s address", u->id,
                             m->only_method);
    }
    int64_t after = n ? ch[0].after : 0; /* the earliest delay (for the timeline) */
    bool timed = false;                  /* rules with different delays */
    for (size_t i = 0; i < n; i++) {
        methods[i] = ch[i].method;
        timed = timed || ch[i].after != ch[0].after;
        after = ch[i].after < after ? ch[i].after : after;
    }
    if (n == 0)
        return error_set(err, ERR_UNPROCESSABLE,
                         "user: %s has no contact method (email, phone, slack or webhook)", u->id);
    /* the methods named that cannot reach the user: on the timeline and counted, never silent */
    struct notify_dropped dr[NOTIFY_METHODS + NOTIFY_CHOICES_MAX];
    /* a rule overrides the severity's channels ("rule 2 of user X", "rules 1, 3 of user X") */
    bool by_rule = strncmp(why, "rule", 4) == 0;
    size_t ndr = notify_dropped_methods(
        cfg, u, by_rule || m->only_method || !m->inc ? NULL : m->inc->severity, methods, n, dr);
    json_t *dropped = json_array();
    for (size_t i = 0; i < ndr; i++)
        json_array_append_new(dropped,
                              json_pack("{s:s,s:s}", "method", dr[i].method, "why", dr[i].why));
    if (ndr)
        log_warn("notify: %s for %s: %zu method(s) cannot reach them (first: %s, %s)", m->key,
                 u->id, ndr, dr[0].method, dr[0].why);
    if (m->dropped)
        *m->dropped += (unsigned)ndr;
    struct buf subject, text;
    buf_init(&subject, 1024);
    buf_init(&text, NOTIFY_BODY_CAP);
    unsigned char *by_labels = NULL;
    enum result labels_result = runbooks_by_labels(tx, cfg, m, &by_labels);
    if (labels_result != OK) {
        buf_free(&subject);
        buf_free(&text);
        return error_set(err, labels_result, "store: cannot read the alerts of %s", m->inc->id);
    }
    make_subject(m, &subject);
    make_text(cfg, m, by_labels, &text);
    free(by_labels);
    utf8_repair(subject.data); /* a producer's text cut mid-character must not stop the page */
    utf8_repair(text.data);
    struct store_notification row = {
        .incident_id = m->inc ? (char *)m->inc->id : "",
        .kind = (char *)notify_kind_name(m->kind),
        .dkey = (char *)m->key,
        .user_id = u->id,
        .subject = subject.data ? subject.data : "",
        .body = text.data ? text.data : "",
        .created_at = now,
        .reason = why,
    };
    json_t *added = json_array(), *timing = json_array();
    enum result result = OK;
    for (size_t i = 0; i < n && result == OK; i++) {
        int64_t id = 0;
        char key[200], d[32];
        bool again = false; /* the method already has a row of this message (another delay) */
        for (size_t k = 0; k < i; k++)
            again = again || strcmp(ch[k].method, ch[i].method) == 0;
        time_format_duration(ch[i].after, d, sizeof d);
        snprintf(key, sizeof key, "%.150s@%s", m->key, d);
        row.dkey = again ? key : (char *)m->key;
        row.due_at = row.next_attempt_at = now + ch[i].after;
        if (m->hold_until > now) /* held for business hours: the rules' delays from the opening */
            row.due_at = row.next_attempt_at = m->hold_until + ch[i].after;
        row.method = (char *)ch[i].method;
        row.address = (char *)notify_user_address(u, ch[i].method);
        result = store_notification_insert(tx, &row, &id);
        if (result == OK) {
            if (!again)
                json_array_append_new(added, json_string(ch[i].method));
            json_array_append_new(timing, json_pack("{s:s,s:s,s:i}", "method", ch[i].method,
                                                    "after", d, "rule", ch[i].rule));
        } else if (result == ERR_CONFLICT)
            result = OK; /* queued before: nothing to add */
        else
            error_set(err, result, "store: cannot queue the notification for %s", u->id);
    }
    if (result == OK && m->inc && json_array_size(added) > 0)
        result = note_queued(tx, m, added, why, after, timed ? timing : NULL, dropped, now, err);
    if (result == OK && queued)
        *queued = (int)json_array_size(timing);
    json_decref(added);
    json_decref(timing);
    json_decref(dropped);
    buf_free(&subject);
    buf_free(&text);
    return result;
}

enum result notify_enqueue_ticket(struct store_conn *tx, const struct config *cfg,
                                  const struct incident *inc, int64_t now, int *queued,
                                  struct error *err)
{
    *queued = 0;
    const struct config_severity *sev = config_severity_find(cfg, inc->severity);
    bool wants = false;
    for (size_t i = 0; sev && i < sev->notify.count; i++)
        wants = wants || strcmp(sev->notify.items[i], "ticket") == 0;
    if (!wants)
        return OK;
    char user[INCIDENT_ID_MAX + 8];
    snprintf(user, sizeof user, "ticket:%s", inc->id); /* its own "user": never bundled */
    struct notify_message m = {.kind = NOTIFY_INFO, .key = "ticket", .user = user, .inc = inc};
    struct buf subject, text;
    buf_init(&subject, 1024);
    buf_init(&text, NOTIFY_BODY_CAP);
    make_subject(&m, &subject);
    make_text(cfg, &m, NULL, &text);
    utf8_repair(subject.data);
    utf8_repair(text.data);
    struct store_notification row = {
        .incident_id = (char *)inc->id,
        .kind = (char *)notify_kind_name(NOTIFY_INFO),
        .dkey = "ticket",
        .user_id = user,
        .method = "ticket",
        .address = cfg->notify.ticket.url ? cfg->notify.ticket.url : "",
        .subject = subject.data ? subject.data : "",
        .body = text.data ? text.data : "",
        .due_at = now,
        .next_attempt_at = now,
        .created_at = now,
        .reason = "the severity's channels name ticket",
    };
    int64_t id = 0;
    enum result result = store_notification_insert(tx, &row, &id);
    if (result == ERR_CONFLICT) {
        result = OK; /* queued before: one ticket per incident */
    } else if (result != OK) {
        error_set(err, result, "store: cannot queue the ticket of %s", inc->id);
    } else {
        *queued = 1;
        json_t *data =
            json_pack("{s:s,s:s?}", "severity", inc->severity, "url", cfg->notify.ticket.url);
        if (!cfg->notify.ticket.url)
            json_object_set_new(data, "warning",
                                json_string("notify.ticket is not configured: the ticket will "
                                            "fail"));
        result = timeline_append(tx, now, "tocsin", "ticket.queued", inc->id, data, NULL, err);
    }
    buf_free(&subject);
    buf_free(&text);
    return result;
}

struct tried {
    const struct store_notification *failed;
    const char *methods[NOTIFY_METHODS];
    size_t n;
};

static int collect_tried(const struct store_notification *r, void *arg)
{
    struct tried *t = arg;
    if (strcmp(r->dkey, t->failed->dkey) != 0 || strcmp(r->user_id, t->failed->user_id) != 0)
        return 0;
    for (size_t i = 0; i < NOTIFY_METHODS; i++)
        if (strcmp(r->method, notify_methods[i]) == 0 && !has(t->methods, t->n, notify_methods[i]))
            t->methods[t->n++] = notify_methods[i];
    return 0;
}

enum result notify_fallback(struct store_conn *tx, const struct config *cfg,
                            const struct store_notification *failed, int64_t now,
                            const char **method, struct error *err)
{
    *method = NULL;
    const struct config_user *u = config_user_find(cfg, failed->user_id);
    if (!u)
        return OK;
    struct tried t = {.failed = failed};
    enum result result = store_notification_list(tx, failed->incident_id, collect_tried, &t);
    if (result != OK)
        return error_set(err, result, "store: cannot read the notifications of %s",
                         failed->incident_id);
    const char *order[NOTIFY_METHODS];
    size_t n = notify_user_methods(u, order);
    char why[80];
    snprintf(why, sizeof why, "fallback from %s", failed->method);
    for (size_t i = 0; i < n; i++) {
        if (has(t.methods, t.n, order[i]))
            continue;
        struct store_notification row = *failed;
        int64_t id = 0;
        row.method = (char *)order[i];
        row.address = (char *)notify_user_address(u, order[i]);
        /* created_at stays the original's: the same message, re-routed (its ack link's age and
         * the "acknowledged since it was queued" check count from then) */
        row.due_at = row.next_attempt_at = now;
        row.fallback_of = failed->id;
        row.reason = why;
        result = store_notification_insert(tx, &row, &id);
        if (result == OK) {
            *method = order[i];
            return OK;
        }
        if (result != ERR_CONFLICT)
            return error_set(err, result, "store: cannot queue the fallback for %s", u->id);
    }
    return OK;
}
