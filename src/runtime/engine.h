/*
 * engine: the thread that acts on time. Each pass (at the next deadline, at least every second,
 * or at once when kicked) it reads the clock once and:
 *   - heartbeats: a configured heartbeat whose last check-in + interval + grace has passed raises
 *     a `heartbeat` alert on its service (once per missed deadline); a heartbeat never seen starts
 *     counting from when tocsin first knew it;
 *   - escalations: every incident whose escalation deadline has come (escalate.c: steps, SLA
 *     breaches, cadence reminders; deadlines live in the store, so nothing is lost on restart);
 *   - hand-offs: shifts that started since the last pass are announced (handoff.c);
 *   - probes: runs every probe that is due (all of them concurrently), keeps each result, and
 *     raises a `probe` alert after fail_after consecutive failures / resolves it after
 *     recover_after consecutive successes.
 * Deadlines are absolute times on the app clock, so `--dev-clock` moves them too; nothing waits on
 * the wall clock except the sleep between passes. State that must survive a crash is in the store
 * (heartbeat check-ins and misses raised, probe rounds claimed, probe results and their streaks,
 * alerts), so several nodes sharing one store raise each miss once and run each probe round once
 * (docs/internals/multinode.md).
 * Threads: its own two (deadlines; probes); engine_kick/engine_sync from any thread.
 */
#ifndef TOCSIN_ENGINE_H
#define TOCSIN_ENGINE_H

#include "app/app.h"

struct engine;

struct engine *engine_start(struct app *app);
void engine_stop(struct engine *e);
/* Asks for a pass now (clock moved, config reloaded, a heartbeat checked in). */
void engine_kick(struct engine *e);
/* Kicks and waits until a pass that started after the call has finished (bounded: 30 s). */
void engine_sync(struct engine *e);
/* The last check-in of each configured heartbeat, into last[i] for cfg->heartbeats[i]
 * (0 = never seen). last must hold cfg->heartbeat_count values. */
enum result engine_heartbeats_seen(struct store_conn *c, const struct config *cfg, int64_t *last);

#endif
