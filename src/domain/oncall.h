/*
 * oncall: who is on call in a schedule at a given time (pure: takes `at`, does no I/O).
 *
 * A schedule has layers (config_schedule_layer), each a rotation of users with hand-offs at a
 * local wall-clock time in the schedule's time zone (DST handled by util/tz), optionally limited
 * by restrictions ("mon-fri 09:00-17:00"). Overrides (made at run time, kept in the store) put
 * another user on call for a window; an override with no layer applies to the schedule as a
 * whole (the layer that `schedule:ID` resolves to).
 *
 * Targets: `schedule:ID` pages the FIRST layer (file order) that is on call at that moment;
 * `schedule:ID/LAYER` pages that layer (nobody while its restrictions leave it off).
 *
 * Threads: any; nothing here is shared or mutable.
 */
#ifndef TOCSIN_ONCALL_H
#define TOCSIN_ONCALL_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"

struct oncall_override {
    char *id;         /* "ovr_..." */
    char *schedule;   /* schedule id */
    char *layer;      /* layer name, or NULL: the schedule as a whole */
    char *user;       /* user id */
    int64_t from, to; /* [from, to) ms since the epoch */
    int64_t created_at;
    char *created_by;
    char *reason;       /* why, or NULL (addition) */
    int64_t removed_at; /* 0 = live (addition; the store keeps removed ones) */
};

/* One layer's answer at a time: who, since when, until when (the next change of that person:
 * hand-off, restriction edge, override edge). user is NULL when the layer is off (restricted). */
struct oncall_slot {
    const char *layer; /* borrowed from the config */
    const char *user;  /* borrowed from the config or the overrides; NULL = nobody */
    int64_t from, until;
    const struct oncall_override *override; /* the override in force, or NULL */
};

/* Each layer of s at `at`, in file order, into out[0..layer_count). ov: the overrides of this
 * schedule (any order; those of other schedules are ignored). Returns s->layer_count. */
size_t oncall_layers_at(const struct config_schedule *s, const struct oncall_override *ov,
                        size_t nov, int64_t at, struct oncall_slot *out);

/* The slot a target pages at `at`: layer NULL = the schedule as a whole (first layer on call,
 * with schedule-wide overrides applied), else that layer. Returns 0 and fills *out, or -1 when
 * the layer does not exist. out->user NULL = nobody on call. */
int oncall_at(const struct config_schedule *s, const char *layer, const struct oncall_override *ov,
              size_t nov, int64_t at, struct oncall_slot *out);

void oncall_override_free_fields(struct oncall_override *o);

/* Overrides copied out of the store: store_override_list(..., oncall_overrides_add, &set). */
struct oncall_overrides {
    struct oncall_override *items;
    size_t n, alloc;
};
enum { ONCALL_OVERRIDES_MAX = 5000 }; /* the most one answer takes into account */
/* A store_override_cb: copies o into the set (arg); past ONCALL_OVERRIDES_MAX it logs and stops. */
int oncall_overrides_add(const struct oncall_override *o, void *arg);
void oncall_overrides_free(struct oncall_overrides *set);

/* ---- additions (oncall helper) ---- */

enum {
    ONCALL_MAX_RESTRICTIONS = 32, /* windows per layer (config refuses more) */
};
/* How far oncall_at searches for `from` (back) and `until` (ahead): a slot that does not change
 * within 90 days reports from = at - 90d / until = at + 90d. */
#define ONCALL_HORIZON_MS (90LL * 24 * 3600 * 1000)

/* Called for each slot in time order; non-0 stops. The slot and its strings are borrowed. */
typedef int (*oncall_shift_cb)(const struct oncall_slot *slot, void *ctx);

/* The successive slots of a layer (layer NULL: the schedule as a whole) covering [from, to):
 * the first one contains `from` (its own `from` may be earlier), each next one starts where the
 * previous ended, the last one contains to - 1 ms. A slot ends where the answer changes (user,
 * or override in force); slots with user NULL (restricted gaps) are reported too. Returns 0, or
 * -1 when the layer does not exist. O(shifts in the window). To find the hand-offs that happened
 * in (a, b]: oncall_shifts(s, layer, ov, nov, a, b + 1, ...) and take the slots with from > a. */
/* A time as the API and CLI take it: RFC 3339, "now", or "+DURATION" / "-DURATION" from now
 * ("+2h", "-30m", "+1d12h"), after 1970-01-01T00:00:00Z and before ONCALL_TIME_MAX
 * (9999-01-01). 0 and *out set, or -1. */
#define ONCALL_TIME_MAX (253370764800000LL)
int oncall_parse_time(const char *s, int64_t now, int64_t *out);

int oncall_shifts(const struct config_schedule *s, const char *layer,
                  const struct oncall_override *ov, size_t nov, int64_t from, int64_t to,
                  oncall_shift_cb cb, void *ctx);

#endif
