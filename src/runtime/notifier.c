/*
 * notify/outbox: the notifier thread. It delivers the outbox (`notifications` rows) and records
 * every attempt. See docs/internals/notify.md for the row states as a diagram.
 *
 * A pass (at the next due time, at least every second, or at once when kicked):
 *   1. reads the due rows (pending, next_attempt_at <= now on the app clock, no live claim of
 *      another node), claims them for storage.claim_lease in one store job (claim_rows: rows
 *      another node claimed or handled meanwhile leave the pass), and plans each one:
 *      - cancel: a page whose incident was acknowledged, resolved or closed since it was queued;
 *      - defer: a fresh row whose user+method had a message sent less than notify.throttle ago
 *        waits until that window ends;
 *      - send: fresh rows of one user+method go out as ONE message (the first row leads, the
 *        others are bundled into it: "3 notifications: ..."); a row being retried goes with the
 *        rows already bundled into it;
 *   2. builds each message with its channel (chan_*.c) and runs them all at once (transport.c);
 *   3. in ONE store job: records each attempt, moves each row to its next state, puts
 *      notify.sent / notify.failed / notify.fallback / notify.exhausted / notify.cancelled on the
 *      timeline, and queues the fallback rows (the user's next method) of rows that failed for
 * good. Retries: backoff * 2^(attempt-1) capped at max_backoff, equal jitter, never before
 * Retry-After; after max_attempts, or a Retry-After beyond an hour, the row fails for good.
 *
 * Crash safety: a row is pending until the job that records its delivery commits. Killed in
 * between, the row is due again when this node restarts (it releases its old claims first) or,
 * for another node, when the claim ends: at-least-once, and the receiver can drop the repeat by
 * webhook-id / Idempotency-Key / Message-ID (stable per row). Nothing is kept only in memory.
 * Threads: its own; notifier_kick/notifier_sync from any thread. The pass's job runs on the store
 * writer thread and only reads what the pass prepared (no reader connection there).
 */
#include "app/app.h"
#include "domain/ack_link.h"
#include "domain/chat_message.h"
#include "channels/channel.h"
#include "domain/notify_policy.h"
#include "jobs/notify_enqueue.h"
#include "jobs/status_webhooks.h"
#include "runtime/notifier.h"
#include "runtime/chatops.h"
#include "runtime/ack_key.h"
#include "runtime/transfer.h"
#include "jobs/timeline.h"
#include "util/log.h"
#include "util/pacer.h"
#include "util/timeutil.h"
#include "store/incidents.h"
#include "store/notifications.h"

#include <pthread.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum {
    PASS_MAX = 64,   /* due rows taken by one pass */
    BUNDLE_MAX = 50, /* rows in one message */
    MAX_SLEEP_MS = 1000,
    SYNC_TIMEOUT_S = 30,
    PASSES_AT_ONCE = 32, /* passes between two looks at the config while more is due */
};
#define RETRY_AFTER_MAX_MS (60 * MS_PER_MIN)

struct notifier {
    struct app *app;
    pthread_t thread;
    struct pacer pacer; /* one worker: notifier_main */
    unsigned char key[ACKLINK_KEY_LEN];
    struct curl_runner *curl; /* kept across passes: connections are reused */
    struct chatops *chat;     /* the chat outbox (runtime/chatops.c), on this thread too */
};

enum action { ACT_SEND, ACT_CANCEL, ACT_DEFER, ACT_SKIP };

struct cached_inc {
    char id[INCIDENT_ID_MAX];
    bool found;
    struct incident inc;
};

struct sent_at {
    char *user, *method;
    int64_t last;
};

struct delivery {
    enum action action;
    struct store_notification lead;
    struct store_notification *members;
    size_t nmembers;
    bool fresh;  /* a first attempt: more fresh rows may join */
    bool joined; /* rows joined it in this pass: mark them bundled */
    struct notify_item *items;
    struct notify_request req;
    struct notify_transfer *xfer; /* NULL when nothing was sent */
    enum notify_verdict verdict;
    char why[512];
    int code;
    double ms;
    int64_t defer_to, retry_at;
};

struct pass {
    struct notifier *nf;
    const struct config *cfg;
    struct store_conn *rd;
    int64_t now;
    int64_t wall; /* claims are on the wall clock (store/notifications.h) */
    struct store_notification *rows;
    size_t nrows;
    struct delivery *ds;
    size_t nds;
    struct cached_inc **incs;
    size_t nincs;
    struct sent_at *sent;
    size_t nsent;
    int followups; /* fallback rows queued: run another pass at once */
};

/* ---- reads for planning (notifier thread, reader connection) ---- */

static const struct incident *incident_cached(const struct pass *p, const char *id)
{
    for (size_t i = 0; id && i < p->nincs; i++)
        if (strcmp(p->incs[i]->id, id) == 0)
            return p->incs[i]->found ? &p->incs[i]->inc : NULL;
    return NULL;
}

static const struct incident *incident_of(struct pass *p, const char *id)
{
    if (!id || !id[0] || strlen(id) >= INCIDENT_ID_MAX)
        return NULL;
    for (size_t i = 0; i < p->nincs; i++)
        if (strcmp(p->incs[i]->id, id) == 0)
            return incident_cached(p, id);
    struct cached_inc *c = xcalloc(1, sizeof *c);
    snprintf(c->id, sizeof c->id, "%s", id);
    c->found = store_incident_get(p->rd, id, &c->inc) == OK;
    p->incs = xrealloc(p->incs, (p->nincs + 1) * sizeof *p->incs);
    p->incs[p->nincs++] = c;
    return c->found ? &c->inc : NULL;
}

static int64_t last_sent(struct pass *p, const char *user, const char *method)
{
    for (size_t i = 0; i < p->nsent; i++)
        if (strcmp(p->sent[i].user, user) == 0 && strcmp(p->sent[i].method, method) == 0)
            return p->sent[i].last;
    int64_t at = 0;
    if (store_notification_last_sent(p->rd, user, method, &at) != OK)
        at = 0;
    p->sent = xrealloc(p->sent, (p->nsent + 1) * sizeof *p->sent);
    p->sent[p->nsent++] = (struct sent_at){xstrdup(user), xstrdup(method), at};
    return at;
}

/* A page is moot once its incident was acknowledged, resolved or closed after it was queued. */
static bool moot(const struct store_notification *row, const struct incident *inc, char *why,
                 size_t n)
{
    if (!inc || strcmp(row->kind, "page") != 0)
        return false;
    const char *what = inc->status == INC_CLOSED                ? "closed"
                       : inc->resolved_at > row->created_at     ? "resolved"
                       : inc->acknowledged_at > row->created_at ? "acknowledged"
                                                                : NULL;
    if (what)
        snprintf(why, n, "incident %s %s since the page was queued", inc->id, what);
    return what != NULL;
}

static int collect_rows(const struct store_notification *n, void *arg)
{
    struct pass *p = arg;
    p->rows = xrealloc(p->rows, (p->nrows + 1) * sizeof *p->rows);
    store_notification_copy(&p->rows[p->nrows++], n);
    return 0;
}

/* ---- claims (several nodes on one database: docs/internals/multinode.md) ---- */

struct claim_job {
    struct pass *p;
    const char *node;
    int64_t until;
    bool *claimed; /* by row */
};

static enum result claim_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct claim_job *j = arg;
    for (size_t i = 0; i < j->p->nrows; i++) {
        const struct store_notification *row = &j->p->rows[i];
        enum result result = store_notification_claim(tx, row->id, j->node, j->until, j->p->wall);
        if (result == OK) { /* free now, but was it handled since this pass read it? */
            struct store_notification cur = {0};
            result = store_notification_get(tx, row->id, &cur);
            bool moved = result == OK &&
                         (strcmp(cur.status, "pending") != 0 || cur.attempts != row->attempts ||
                          cur.next_attempt_at != row->next_attempt_at);
            store_notification_free_fields(&cur);
            if (result == OK && moved) { /* another node sent or deferred it: not due for us */
                result = store_notification_claim(tx, row->id, j->node, 0, j->p->wall);
                if (result == OK)
                    result = ERR_NOT_FOUND;
            }
        }
        if (result != OK && result != ERR_NOT_FOUND)
            return error_set(err, result, "store: cannot claim notification %lld",
                             (long long)row->id);
        j->claimed[i] = result == OK;
    }
    return OK;
}

/* Takes the due rows for this node for storage.claim_lease before anything is sent; rows
 * another node took meanwhile leave the pass. Killed after this, the rows wait until the lease
 * ends, then any node takes them (and sends them again with the same idempotency key). */
static enum result claim_rows(struct pass *p, struct error *err)
{
    struct claim_job j = {.p = p,
                          .node = p->nf->app->node_id ? p->nf->app->node_id : "local",
                          .until = p->wall + p->cfg->storage.claim_lease,
                          .claimed = xcalloc(p->nrows, sizeof(bool))};
    enum result result = store_write(p->nf->app->store, claim_job, &j, err);
    size_t kept = 0;
    for (size_t i = 0; i < p->nrows; i++) {
        if (result == OK && j.claimed[i])
            p->rows[kept++] = p->rows[i];
        else
            store_notification_free_fields(&p->rows[i]);
    }
    p->nrows = kept;
    free(j.claimed);
    return result;
}

static void add_member(struct delivery *d, const struct store_notification *row, bool copy)
{
    d->members = xrealloc(d->members, (d->nmembers + 1) * sizeof *d->members);
    if (copy)
        store_notification_copy(&d->members[d->nmembers++], row);
    else
        d->members[d->nmembers++] = *row;
}

static int collect_member(const struct store_notification *n, void *arg)
{
    struct delivery *d = arg;
    if (strcmp(n->status, "bundled") == 0 && d->nmembers + 1 < BUNDLE_MAX)
        add_member(d, n, true);
    return 0;
}

/* ---- planning ---- */

static struct delivery *new_delivery(struct pass *p, enum action a, struct store_notification *row)
{
    struct delivery *d = &p->ds[p->nds++];
    memset(d, 0, sizeof *d);
    d->action = a;
    d->lead = *row; /* takes the row's strings */
    return d;
}

static struct delivery *joinable(struct pass *p, const struct store_notification *row)
{
    for (size_t i = 0; i < p->nds; i++) {
        struct delivery *d = &p->ds[i];
        if (d->action == ACT_SEND && d->fresh && d->nmembers + 1 < BUNDLE_MAX &&
            strcmp(d->lead.user_id, row->user_id) == 0 && strcmp(d->lead.method, row->method) == 0)
            return d;
    }
    return NULL;
}

static void plan_row(struct pass *p, struct store_notification *r)
{
    char why[300];
    const struct incident *inc = incident_of(p, r->incident_id);
    if (moot(r, inc, why, sizeof why)) {
        struct delivery *d = new_delivery(p, ACT_CANCEL, r);
        snprintf(d->why, sizeof d->why, "%s", why);
        if (d->lead.bundle_count > 1) /* what it carried goes on its own */
            store_notification_members(p->rd, d->lead.id, collect_member, d);
        return;
    }
    if (r->attempts > 0 || r->bundle_count > 1) { /* a retry, with what it already carries */
        struct delivery *d = new_delivery(p, ACT_SEND, r);
        store_notification_members(p->rd, d->lead.id, collect_member, d);
        return;
    }
    const struct notify_channel *ch = notify_channel_find(r->method);
    if (ch && ch->single) { /* one row, one message, never held back */
        new_delivery(p, ACT_SEND, r);
        return;
    }
    int64_t throttle = p->cfg->notify.throttle, last = last_sent(p, r->user_id, r->method);
    if (throttle > 0 && last > 0 && last + throttle > p->now) {
        new_delivery(p, ACT_DEFER, r)->defer_to = last + throttle;
        return;
    }
    struct delivery *d = throttle > 0 ? joinable(p, r) : NULL; /* throttle 0: no bundling */
    if (d) {
        add_member(d, r, false);
        d->joined = true;
        return;
    }
    new_delivery(p, ACT_SEND, r)->fresh = true;
}

/* The fields of n a message is made of (borrowed). */
static struct notify_row row_view(const struct store_notification *n)
{
    return (struct notify_row){.id = n->id,
                               .created_at = n->created_at,
                               .incident_id = n->incident_id,
                               .kind = n->kind,
                               .dkey = n->dkey,
                               .user_id = n->user_id,
                               .method = n->method,
                               .address = n->address,
                               .subject = n->subject,
                               .body = n->body};
}

static void link_urls(struct pass *p, struct notify_item *it)
{
    const struct config *cfg = p->cfg;
    const char *base = cfg->server.public_url ? cfg->server.public_url : "";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    it->inc = incident_of(p, it->row.incident_id);
    if (!it->inc)
        return;
    snprintf(it->incident_url, sizeof it->incident_url, "%.*s/api/v1/incidents/%s", (int)bl, base,
             it->inc->id);
    chat_bridge_for(cfg, it->inc, it->bridge_url, sizeof it->bridge_url);
    /* a contacts directory entry (vendor, executive) is told, not asked to respond: no ack link,
     * so no "press 1" and no "reply ACK" either (docs/config.md: contacts) */
    if (strcmp(it->row.kind, "page") == 0 && strncmp(it->row.user_id, "contact:", 8) != 0)
        acklink_url(cfg, p->nf->key, it->inc->id, it->row.user_id,
                    it->row.created_at + cfg->notify.ack_link_ttl, it->ack_url, sizeof it->ack_url);
}

/* Builds d's request; a row that cannot be sent at all fails at once (no transfer). */
static void build(struct pass *p, struct delivery *d)
{
    d->items = xcalloc(d->nmembers + 1, sizeof *d->items);
    d->items[0].row = row_view(&d->lead);
    for (size_t i = 0; i < d->nmembers; i++)
        d->items[i + 1].row = row_view(&d->members[i]);
    for (size_t i = 0; i <= d->nmembers; i++)
        link_urls(p, &d->items[i]);
    const struct notify_channel *ch = notify_channel_find(d->lead.method);
    char secret[SUB_SECRET_MAX];
    bool subscriber = strncmp(d->lead.user_id, "subscriber:", 11) == 0;
    if (subscriber)
        sub_webhook_secret(p->nf->key, d->lead.user_id + 11, secret);
    struct notify_render r = {.cfg = p->cfg,
                              .user = config_user_find(p->cfg, d->lead.user_id),
                              .items = d->items,
                              .nitems = d->nmembers + 1,
                              .now = p->now,
                              .secret = subscriber ? secret : NULL};
    struct error err = {0};
    d->verdict = NOTIFY_FAILED;
    if (!ch)
        snprintf(d->why, sizeof d->why, "unknown method %s", d->lead.method);
    else if (ch->build(&r, &d->req, &err) != OK)
        snprintf(d->why, sizeof d->why, "%s", err.message);
    else
        d->verdict = NOTIFY_SENT; /* until the answer says otherwise */
}

static bool stop_requested(void *arg)
{
    struct notifier *nf = arg;
    return pacer_stopping(&nf->pacer);
}

/* Sends every built request at once and judges each answer. */
static void deliver(struct pass *p)
{
    struct notify_transfer *xf = xcalloc(p->nds + 1, sizeof *xf);
    size_t n = 0;
    for (size_t i = 0; i < p->nds; i++) {
        struct delivery *d = &p->ds[i];
        if (d->action != ACT_SEND)
            continue;
        build(p, d);
        if (d->verdict == NOTIFY_SENT) {
            d->xfer = &xf[n];
            xf[n++].req = &d->req;
        }
    }
    notify_transfer_run(p->nf->curl, xf, n, stop_requested, p->nf);
    for (size_t i = 0; i < p->nds; i++) {
        struct delivery *d = &p->ds[i];
        if (!d->xfer)
            continue;
        if (!d->xfer->done) {
            d->action = ACT_SKIP; /* stopping: the row stays pending */
            continue;
        }
        const struct notify_channel *ch = notify_channel_find(d->lead.method);
        d->verdict = ch->classify(&d->xfer->resp, d->why, sizeof d->why);
        d->code = (int)d->xfer->resp.code;
        d->ms = d->xfer->ms;
        if (d->verdict == NOTIFY_RETRY &&
            notify_retry_after(d->xfer->resp.retry_after, p->now, &d->retry_at) != 0)
            d->retry_at = 0;
    }
    for (size_t i = 0; i < n; i++)
        notify_response_free(&xf[i].resp);
    for (size_t i = 0; i < p->nds; i++)
        p->ds[i].xfer = NULL;
    free(xf);
}

/* ---- recording (store writer thread, inside the pass's job) ---- */

static enum result save(struct store_conn *tx, const struct store_notification *n,
                        struct error *err)
{
    enum result result = store_notification_update(tx, n);
    return result == OK
               ? OK
               : error_set(err, result, "store: cannot update notification %lld", (long long)n->id);
}

/* A timeline entry about row (its incident's timeline, or the global one for rows about no
 * incident); data gets user, method and notification. */
static enum result note(struct store_conn *tx, const struct store_notification *row,
                        const char *kind, json_t *data, int64_t now, struct error *err)
{
    json_object_set_new(data, "user", json_string(row->user_id));
    json_object_set_new(data, "method", json_string(row->method));
    json_object_set_new(data, "notification", json_integer(row->id));
    return timeline_append(tx, now, "notifier", kind, row->incident_id[0] ? row->incident_id : NULL,
                           data, NULL, err);
}

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? xstrdup(s) : NULL;
}

/* notify.failed, then the user's next method (notify.fallback) or notify.exhausted. */
static enum result fail_row(struct store_conn *tx, struct pass *p,
                            const struct store_notification *row, const char *why, int attempts,
                            int64_t now, struct error *err)
{
    char moot_why[300];
    log_warn("notify: notification %lld (%s by %s) failed: %s", (long long)row->id, row->user_id,
             row->method, why);
    enum result result = note(tx, row, "notify.failed",
                              json_pack("{s:s,s:i}", "error", why, "attempts", attempts), now, err);
    if (result != OK || moot(row, incident_cached(p, row->incident_id), moot_why, sizeof moot_why))
        return result;
    const char *next = NULL;
    result = notify_fallback(tx, p->cfg, row, now, &next, err);
    if (result != OK)
        return result;
    if (next) {
        p->followups++;
        return note(tx, row, "notify.fallback",
                    json_pack("{s:s,s:s}", "from", row->method, "to", next), now, err);
    }
    log_error("notify: every method of %s failed for %s", row->user_id,
              row->incident_id[0] ? row->incident_id : row->dkey);
    return note(tx, row, "notify.exhausted", json_pack("{s:s}", "error", why), now, err);
}

static enum result record_sent(struct store_conn *tx, struct delivery *d, int64_t now,
                               struct error *err)
{
    struct store_notification *lead = &d->lead;
    set_str(&lead->status, "sent");
    set_str(&lead->last_error, NULL);
    lead->sent_at = now;
    enum result result = save(tx, lead, err);
    if (result == OK && lead->incident_id[0])
        result =
            note(tx, lead, "notify.sent",
                 json_pack("{s:i,s:i}", "attempts", lead->attempts, "bundled", (int)d->nmembers),
                 now, err);
    for (size_t i = 0; i < d->nmembers && result == OK; i++) {
        struct store_notification *m = &d->members[i];
        set_str(&m->status, "bundled");
        m->bundled_into = lead->id;
        m->sent_at = now;
        result = save(tx, m, err);
        if (result == OK && m->incident_id[0])
            result = note(tx, m, "notify.sent",
                          json_pack("{s:i,s:I}", "attempts", lead->attempts, "bundled_into",
                                    (json_int_t)lead->id),
                          now, err);
    }
    return result;
}

static enum result record_failed(struct store_conn *tx, struct pass *p, struct delivery *d,
                                 int64_t now, struct error *err)
{
    struct store_notification *lead = &d->lead;
    set_str(&lead->status, "failed");
    set_str(&lead->last_error, d->why);
    enum result result = save(tx, lead, err);
    if (result == OK)
        result = fail_row(tx, p, lead, d->why, lead->attempts, now, err);
    char why[700];
    snprintf(why, sizeof why, "went with notification %lld, which failed: %s", (long long)lead->id,
             d->why);
    for (size_t i = 0; i < d->nmembers && result == OK; i++) {
        struct store_notification *m = &d->members[i];
        set_str(&m->status, "failed");
        set_str(&m->last_error, why);
        m->bundled_into = lead->id;
        result = save(tx, m, err);
        if (result == OK)
            result = fail_row(tx, p, m, why, lead->attempts, now, err);
    }
    return result;
}

/* The next try, or false when the row must fail for good (max_attempts, or a Retry-After too far
 * away for a page); d->why says which. */
static bool next_try(const struct pass *p, struct delivery *d, int64_t now, int64_t *at)
{
    const struct config *cfg = p->cfg;
    size_t wl = strlen(d->why);
    if (d->lead.attempts >= cfg->notify.max_attempts) {
        snprintf(d->why + wl, sizeof d->why - wl, " (gave up after %d attempts)", d->lead.attempts);
        return false;
    }
    int64_t limit =
        cfg->notify.max_backoff > RETRY_AFTER_MAX_MS ? cfg->notify.max_backoff : RETRY_AFTER_MAX_MS;
    if (d->retry_at > now + limit) {
        snprintf(d->why + wl, sizeof d->why - wl, " (Retry-After is more than %lld minutes away)",
                 (long long)(limit / MS_PER_MIN));
        return false;
    }
    *at = now + notify_backoff(cfg->notify.backoff, cfg->notify.max_backoff, d->lead.attempts,
                               randombytes_random());
    if (d->retry_at > *at)
        *at = d->retry_at;
    return true;
}

static enum result record_send(struct store_conn *tx, struct pass *p, struct delivery *d,
                               int64_t now, struct error *err)
{
    struct store_notification *lead = &d->lead;
    bool ok = d->verdict == NOTIFY_SENT;
    lead->attempts++;
    struct store_notification_attempt a = {.notification_id = lead->id,
                                           .at = p->now,
                                           .ok = ok,
                                           .code = d->code,
                                           .error = ok ? NULL : d->why,
                                           .duration_ms = (int64_t)d->ms};
    enum result result = store_notification_attempt_insert(tx, &a);
    if (result != OK)
        return error_set(err, result, "store: cannot record the attempt");
    bool disabled = false;
    if (strcmp(lead->method, STATUS_WEBHOOK_METHOD) == 0 &&
        (result = status_webhooks_attempt(tx, p->cfg, lead->user_id, ok, ok ? NULL : d->why, now,
                                          &disabled, err)) != OK)
        return result;
    if (d->joined)
        lead->bundle_count = (int)d->nmembers + 1;
    if (ok)
        return record_sent(tx, d, now, err);
    int64_t at = 0;
    if (d->verdict == NOTIFY_RETRY && next_try(p, d, now, &at)) {
        lead->next_attempt_at = at;
        set_str(&lead->last_error, d->why);
        result = save(tx, lead, err);
        for (size_t i = 0; i < d->nmembers && result == OK; i++) {
            set_str(&d->members[i].status, "bundled");
            d->members[i].bundled_into = lead->id;
            result = save(tx, &d->members[i], err);
        }
        return result;
    }
    return record_failed(tx, p, d, now, err);
}

/* A moot page: cancelled; the rows bundled into it are pending again, each on its own. */
static enum result record_cancel(struct store_conn *tx, struct pass *p, struct delivery *d,
                                 int64_t now, struct error *err)
{
    set_str(&d->lead.status, "cancelled");
    set_str(&d->lead.last_error, d->why);
    enum result result = save(tx, &d->lead, err);
    if (result == OK)
        result =
            note(tx, &d->lead, "notify.cancelled", json_pack("{s:s}", "reason", d->why), now, err);
    for (size_t i = 0; i < d->nmembers && result == OK; i++) {
        struct store_notification *m = &d->members[i];
        set_str(&m->status, "pending");
        m->bundled_into = 0;
        m->next_attempt_at = now;
        result = save(tx, m, err);
        p->followups++;
    }
    return result;
}

static enum result pass_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct pass *p = arg;
    int64_t now = clock_now(p->nf->app->clock);
    enum result result = OK;
    for (size_t i = 0; i < p->nds && result == OK; i++) {
        struct delivery *d = &p->ds[i];
        switch (d->action) {
        case ACT_CANCEL:
            result = record_cancel(tx, p, d, now, err);
            break;
        case ACT_DEFER:
            d->lead.next_attempt_at = d->defer_to;
            result = save(tx, &d->lead, err);
            break;
        case ACT_SEND:
            result = record_send(tx, p, d, now, err);
            break;
        case ACT_SKIP:
            break;
        }
    }
    return result;
}

/* ---- the pass ---- */

static void pass_free(struct pass *p)
{
    for (size_t i = 0; i < p->nds; i++) {
        struct delivery *d = &p->ds[i];
        store_notification_free_fields(&d->lead);
        for (size_t j = 0; j < d->nmembers; j++)
            store_notification_free_fields(&d->members[j]);
        free(d->members);
        free(d->items);
        notify_request_free(&d->req);
    }
    for (size_t i = 0; i < p->nincs; i++) {
        if (p->incs[i]->found)
            incident_free_fields(&p->incs[i]->inc);
        free(p->incs[i]);
    }
    for (size_t i = 0; i < p->nsent; i++) {
        free(p->sent[i].user);
        free(p->sent[i].method);
    }
    free(p->rows);
    free(p->ds);
    free(p->incs);
    free(p->sent);
}

/* One pass; true when another should follow at once (more rows due, fallbacks queued). *next gets
 * the earliest pending row's time. */
static bool run_pass(struct notifier *nf, const struct config *cfg, int64_t *next)
{
    struct error err = {0};
    struct pass p = {
        .nf = nf, .cfg = cfg, .now = clock_now(nf->app->clock), .wall = clock_now(clock_real())};
    *next = p.now + MAX_SLEEP_MS;
    p.rd = store_reader(nf->app->store, &err);
    if (!p.rd || store_notification_due(p.rd, p.now, p.wall, PASS_MAX, collect_rows, &p) != OK) {
        log_error("notify: cannot read the outbox%s%s", err.message[0] ? ": " : "", err.message);
        pass_free(&p);
        return false;
    }
    bool again = p.nrows == PASS_MAX;
    if (p.nrows && claim_rows(&p, &err) != OK) {
        log_error("notify: cannot claim the due rows (tried again later): %s", err.message);
        pass_free(&p);
        return false;
    }
    again = again && p.nrows == PASS_MAX; /* rows another node holds are not "more to do" */
    if (p.nrows) {
        p.ds = xcalloc(p.nrows, sizeof *p.ds);
        for (size_t i = 0; i < p.nrows; i++)
            plan_row(&p, &p.rows[i]); /* the rows' strings move into the deliveries */
        deliver(&p);
        if (store_write(nf->app->store, pass_job, &p, &err) != OK) {
            log_error("notify: cannot record the deliveries (they will be tried again): %s",
                      err.message);
            again = false;
        }
    }
    again = again || p.followups > 0;
    int64_t at;
    if (store_notification_next_due(p.rd, &at) == OK)
        *next = at;
    else
        *next = INT64_MAX;
    /* Rows due but held by another node: look again in a second, not at once (no spinning). */
    if (!p.nrows && *next <= p.now)
        *next = p.now + MAX_SLEEP_MS;
    pass_free(&p);
    return again;
}

/* ---- the thread ---- */

static void *notifier_main(void *arg)
{
    struct notifier *nf = arg;
    uint64_t gen;
    while (pacer_begin(&nf->pacer, &gen)) {
        struct config *cfg = app_config(nf->app);
        int64_t next = INT64_MAX;
        bool more = false;
        for (int i = 0; i < PASSES_AT_ONCE && (more = run_pass(nf, cfg, &next)); i++)
            if (stop_requested(nf))
                break;
        if (!stop_requested(nf) && chatops_pass(nf->chat, cfg, &next))
            more = true;
        config_unref(cfg);
        if (more) /* still rows due: not done yet (notifier_sync waits), go on at once */
            continue;
        pacer_end_at(&nf->pacer, 0, gen, next, nf->app->clock, MAX_SLEEP_MS);
    }
    return NULL;
}

struct notifier *notifier_start(struct app *app)
{
    struct error err = {0};
    struct notifier *nf = xcalloc(1, sizeof *nf);
    nf->app = app;
    if (ack_key_load(app->data_dir, nf->key, &err) != OK)
        fatal("serve: %s", err.message);
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        fatal("notify: cannot initialise libcurl");
    if (!(nf->curl = curl_runner_new(&err)))
        fatal("notify: %s", err.message);
    nf->chat = chatops_new(app, nf->curl, nf->key, stop_requested, nf);
    pacer_init(&nf->pacer, 1);
    if (pthread_create(&nf->thread, NULL, notifier_main, nf) != 0)
        fatal("notify: cannot start the notifier thread");
    return nf;
}

void notifier_stop(struct notifier *nf)
{
    if (!nf)
        return;
    pacer_stop(&nf->pacer);
    curl_runner_wakeup(nf->curl);
    pthread_join(nf->thread, NULL);
    chatops_free(nf->chat);
    curl_runner_free(nf->curl);
    sodium_memzero(nf->key, sizeof nf->key);
    pacer_destroy(&nf->pacer);
    free(nf);
}

void notifier_kick(struct notifier *nf)
{
    if (!nf)
        return;
    pacer_kick(&nf->pacer);
    curl_runner_wakeup(nf->curl);
}

void notifier_sync(struct notifier *nf)
{
    if (nf)
        pacer_sync(&nf->pacer, SYNC_TIMEOUT_S * 1000LL);
}

const unsigned char *notifier_ack_key(const struct notifier *nf)
{
    return nf->key;
}
