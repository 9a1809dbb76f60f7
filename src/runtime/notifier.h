/*
 * notifier: the thread that delivers the outbox (`notifications` rows queued by
 * jobs/notify_enqueue.h) through the channel table, records every attempt, retries and falls
 * back. See notifier.c and docs/internals/notify.md.
 *
 * Threads: notifier_* may be called from any thread; delivery runs on the notifier thread only.
 */
#ifndef TOCSIN_NOTIFIER_H
#define TOCSIN_NOTIFIER_H

struct app;
struct notifier;

struct notifier *notifier_start(struct app *app);
void notifier_stop(struct notifier *n);
/* New rows may be due (after a commit that queued some, or the clock moved). */
void notifier_kick(struct notifier *n);
/* Kicks and waits until a pass that started after the call has finished: every row due at the
 * call's clock time was attempted and the attempt recorded (bounded: 30 s). */
void notifier_sync(struct notifier *n);
/* The key that signs ack links (DATA/notify.key, loaded or created by notifier_start; see
 * domain/ack_link.h). */
const unsigned char *notifier_ack_key(const struct notifier *n);

#endif
