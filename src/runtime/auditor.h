/*
 * auditor: the thread that verifies the timeline's hash chain, so that POST /api/v1/audit/verify
 * holds no HTTP thread while the chain is recomputed (docs/security.md "Audit verification").
 *
 * A request is queued with auditor_submit and its connection suspended (http/defer.h); the
 * auditor takes every request queued so far, runs ONE full verification on its own reader
 * connection for all of them (any number of viewers asking at once cost one pass), fills each
 * request's result and calls its done callback. A request queued while a pass runs waits for the
 * next pass, which starts after it: its answer covers every entry committed before it asked.
 *
 * A pass is incremental when the store holds an audit checkpoint (store/timeline.h, migration
 * 020) and no request of the batch asked for a full one: the entry at the checkpoint's seq must
 * still carry its remembered hash, then only the entries after it are recomputed. A full pass
 * (asked, no checkpoint, or the last valid full pass older than full_every) recomputes the whole
 * chain. After the pass: valid -> the checkpoint moves to the last entry verified (a full pass
 * also renews full_at); not valid -> an incremental pass leaves it, a full pass deletes it
 * (jobs/timeline.h timeline_verify_checkpoint; docs/security.md "Audit verification").
 *
 * GET /api/v1/audit/verify reads auditor_progress: entries checked of the total while a pass
 * runs, and the last pass's result.
 *
 * Threads: the auditor's own; auditor_submit and auditor_progress from any thread.
 */
#ifndef TOCSIN_AUDITOR_H
#define TOCSIN_AUDITOR_H

#include <stdbool.h>
#include <stdint.h>

#include "domain/timeline_chain.h"
#include "util/result.h"

struct store;
struct auditor;

struct auditor_request {
    bool full; /* input: recompute the whole chain (the batch runs full if any asks) */
    /* results, valid once done has been called */
    enum result result;
    struct error err;
    struct timeline_verify v;
    /* private */
    void (*done)(void *done_arg);
    void *done_arg;
    struct auditor_request *next;
};

/* Where the auditor is: a pass running (checked of about total entries: total is the newest seq
 * when the pass began), how many passes ended, and the last one's result (when passes > 0). */
struct auditor_progress {
    bool running;
    int64_t checked, total, passes;
    struct timeline_verify last;
};

struct tclock;
/* full_every: ms after the last valid full pass when a pass runs full by itself
 * (storage.audit_full_every, read at start); clock: the app clock. */
struct auditor *auditor_start(struct store *store, struct tclock *clock, int64_t full_every);
/* Fills p; any thread, never waits on a pass. */
void auditor_progress(struct auditor *a, struct auditor_progress *p);
/* Answers every queued request (ERR_UNAVAILABLE "shutting down" for those not yet run), then
 * joins the thread. */
void auditor_stop(struct auditor *a);
/* Queues req; done(done_arg) is called once, on the auditor thread, when its result is ready
 * (at once on this thread when the auditor is stopping or NULL). */
void auditor_submit(struct auditor *a, struct auditor_request *req, void (*done)(void *done_arg),
                    void *done_arg);

#endif
