/* auditor: see auditor.h. */
#include "runtime/auditor.h"
#include "jobs/timeline.h"
#include "store/store.h"
#include "util/log.h"

#include "store/timeline.h"
#include "util/clock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

struct auditor {
    struct store *store;
    struct tclock *clock;
    int64_t full_every;
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool stopping;
    struct auditor_request *queue; /* newest first */
    /* progress (auditor_progress, from any thread) */
    _Atomic bool running;
    _Atomic int64_t checked, total, passes;
    struct timeline_verify last; /* the last pass's result (under lock); passes > 0 */
};

static void answer(struct auditor_request *q)
{
    while (q) {
        struct auditor_request *next = q->next; /* q may be freed by done */
        q->done(q->done_arg);
        q = next;
    }
}

static enum result checkpoint_job(struct store_conn *tx, void *arg, struct error *err)
{
    (void)err;
    return store_audit_checkpoint_set(tx, arg);
}

/* Moves the checkpoint after a pass: forward to the last entry of a valid pass, away after a
 * failed full one, left alone after a failed incremental one (it is what caught the change). */
static void keep_checkpoint(struct auditor *a, const struct timeline_verify *v, bool have_cp,
                            const struct audit_checkpoint *cp, int64_t now)
{
    struct audit_checkpoint next = {0};
    struct audit_checkpoint *arg = NULL;
    if (v->valid) {
        if (v->entries == 0 || v->unreadable)
            return;
        if (v->incremental && v->checked == 0)
            return; /* nothing new: the checkpoint already says this */
        next.seq = v->entries;
        memcpy(next.hash, v->head, SHA256_HEX_LEN);
        next.taken_at = now;
        next.full_at = v->incremental ? cp->full_at : now;
        arg = &next;
    } else if (v->incremental || !have_cp) {
        return;
    }
    struct error err = {0};
    if (store_write(a->store, checkpoint_job, arg, &err) != OK)
        log_warn("audit: the checkpoint could not be %s: %s (the next pass runs as if it had "
                 "not moved)",
                 arg ? "kept" : "cleared", err.message);
}

static void run_pass(struct auditor *a, struct auditor_request *batch)
{
    struct timeline_verify v = {0};
    struct error err = {0};
    enum result result = ERR_UNAVAILABLE;
    struct store_conn *c = store_reader(a->store, &err);
    int64_t now = clock_now(a->clock);
    bool full = false;
    for (struct auditor_request *q = batch; q; q = q->next)
        full |= q->full;
    struct audit_checkpoint cp = {0};
    bool have_cp = false;
    if (c) {
        enum result r = store_audit_checkpoint_get(c, &cp);
        have_cp = r == OK;
        if (r != OK && r != ERR_NOT_FOUND)
            log_warn("audit: the checkpoint could not be read: this pass is a full one");
    }
    if (!have_cp || (a->full_every > 0 && now - cp.full_at >= a->full_every))
        full = true;
    /* the entries to check are known before the pass shows as running: a progress read never
     * sees a running pass with a total of 0 */
    int64_t seq = 0;
    char head[SHA256_HEX_LEN];
    if (!c || store_timeline_last(c, &seq, head) != OK)
        seq = 0;
    if (!full && seq >= cp.seq)
        seq -= cp.seq;
    atomic_store(&a->checked, 0);
    atomic_store(&a->total, seq);
    atomic_store(&a->running, true);
    if (c)
        result = timeline_verify_checkpoint(c, have_cp ? &cp : NULL, full, &v, &a->checked, &err);
    atomic_store(&a->running, false);
    if (result == OK) {
        if (!v.valid)
            log_warn("audit: the timeline's hash chain is NOT valid at seq %lld (%s pass%s)",
                     (long long)v.first_break_at, v.incremental ? "incremental" : "full",
                     v.checkpoint_mismatch ? ": the entry at the audit checkpoint changed" : "");
        keep_checkpoint(a, &v, have_cp, &cp, now);
        pthread_mutex_lock(&a->lock);
        a->last = v;
        pthread_mutex_unlock(&a->lock);
        atomic_fetch_add(&a->passes, 1);
    }
    for (struct auditor_request *q = batch; q; q = q->next) {
        q->result = result;
        q->err = err;
        if (result == OK)
            q->v = v;
    }
    answer(batch);
}

static void *auditor_main(void *arg)
{
    struct auditor *a = arg;
    pthread_mutex_lock(&a->lock);
    for (;;) {
        while (!a->queue && !a->stopping)
            pthread_cond_wait(&a->cv, &a->lock);
        if (a->stopping)
            break;
        struct auditor_request *batch = a->queue;
        a->queue = NULL;
        pthread_mutex_unlock(&a->lock);
        run_pass(a, batch);
        pthread_mutex_lock(&a->lock);
    }
    struct auditor_request *left = a->queue;
    a->queue = NULL;
    pthread_mutex_unlock(&a->lock);
    for (struct auditor_request *q = left; q; q = q->next)
        q->result = error_set(&q->err, ERR_UNAVAILABLE, "audit: the server is shutting down");
    answer(left);
    return NULL;
}

struct auditor *auditor_start(struct store *store, struct tclock *clock, int64_t full_every)
{
    struct auditor *a = xcalloc(1, sizeof *a);
    a->store = store;
    a->clock = clock;
    a->full_every = full_every;
    pthread_mutex_init(&a->lock, NULL);
    pthread_cond_init(&a->cv, NULL);
    if (pthread_create(&a->thread, NULL, auditor_main, a) != 0)
        fatal("audit: cannot start the auditor thread");
    return a;
}

void auditor_stop(struct auditor *a)
{
    if (!a)
        return;
    pthread_mutex_lock(&a->lock);
    a->stopping = true;
    pthread_cond_signal(&a->cv);
    pthread_mutex_unlock(&a->lock);
    pthread_join(a->thread, NULL);
    pthread_cond_destroy(&a->cv);
    pthread_mutex_destroy(&a->lock);
    free(a);
}

void auditor_progress(struct auditor *a, struct auditor_progress *p)
{
    *p = (struct auditor_progress){0};
    if (!a)
        return;
    p->running = atomic_load(&a->running);
    p->checked = atomic_load(&a->checked);
    p->total = atomic_load(&a->total);
    p->passes = atomic_load(&a->passes);
    if (p->total < p->checked) /* entries appended since the pass began */
        p->total = p->checked;
    pthread_mutex_lock(&a->lock);
    p->last = a->last;
    pthread_mutex_unlock(&a->lock);
}

void auditor_submit(struct auditor *a, struct auditor_request *req, void (*done)(void *done_arg),
                    void *done_arg)
{
    req->done = done;
    req->done_arg = done_arg;
    req->next = NULL;
    if (a) {
        pthread_mutex_lock(&a->lock);
        if (!a->stopping) {
            req->next = a->queue;
            a->queue = req;
            pthread_cond_signal(&a->cv);
            pthread_mutex_unlock(&a->lock);
            return;
        }
        pthread_mutex_unlock(&a->lock);
    }
    req->result = error_set(&req->err, ERR_UNAVAILABLE, "audit: the server is shutting down");
    done(done_arg);
}
