/*
 * oncall: who is on call (see oncall.h for the contract; docs/internals/oncall.md for why).
 *
 * Model. Each layer's answer at an instant t is a "raw segment": the intersection of
 *   - the rotation shift k containing t: [handoff(k), handoff(k+1)), user users[k mod n];
 *   - the restriction state around t (on inside a window, off outside) and its nearest edges;
 *   - the override in force (the latest created, should several overlap) and the nearest
 *     override edges.
 * Neighbouring raw segments with the same answer (user, override, and for the whole schedule
 * the answering layer) are merged into a slot. oncall_at merges at most ONCALL_HORIZON_MS either
 * way; oncall_shifts walks raw segments from `from` to `to`, so its cost is the number of shifts.
 *
 * Hand-offs. With `every` a whole number of days, hand-off k is at the hand-off wall-clock time
 * on local date d0 + k * days in the schedule's zone (so 09:00 stays 09:00 across DST, and a
 * weekly shift may last 167 or 169 hours); otherwise hand-off k is h0 + k * every of absolute
 * time. d0 is the first date on or after rotation.start that has the hand-off's weekday (any
 * day when the hand-off names none); h0 is its hand-off instant.
 *
 * Pure: no clock, no I/O (zones come from util/tz's cache). Threads: any.
 */
#include "domain/oncall.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/tz.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define FAR_PAST (INT64_MIN / 4)
#define FAR_FUTURE (INT64_MAX / 4)

enum { MAX_INST = 3 * ONCALL_MAX_RESTRICTIONS, MAX_EDGES = 2 * MAX_INST };

/* One restriction: days (bit 0 = Monday), minutes from..to; to <= from runs past midnight. */
struct rwin {
    unsigned days;
    int from, to;
};

/* Everything a layer's answers depend on, parsed once per call. */
struct plan {
    const struct config_schedule_layer *l; /* NULL: the schedule-wide override plan */
    const char *match;                     /* override layer to apply; NULL = schedule-wide */
    const struct tz *tz;
    bool by_days;
    int64_t every, ndays;
    int64_t d0; /* local date (days since the epoch) of hand-off 0 */
    int hmin;   /* hand-off minute of the day */
    int64_t h0; /* instant of hand-off 0 */
    struct rwin win[ONCALL_MAX_RESTRICTIONS];
    size_t nwin;
};

struct ctx {
    const struct config_schedule *s;
    const struct oncall_override *ov;
    size_t nov;
    struct plan *plans; /* one per layer */
    size_t nplans;
    struct plan whole; /* schedule-wide overrides only */
    int only;          /* the layer asked for, or -1 for the schedule as a whole */
};

/* ---- parsing the config's strings (validated by config.c; defaults on anything odd) -------- */

static int parse_day3(const char *s)
{
    static const char days[] = "montuewedthufrisatsun";
    for (int i = 0; i < 7; i++)
        if (strncmp(s, days + 3 * i, 3) == 0)
            return i;
    return -1;
}

/* "HH:MM" -> minutes, or -1. */
static int parse_hhmm(const char *s)
{
    if (strlen(s) < 5 || s[2] != ':')
        return -1;
    for (int i = 0; i < 5; i++)
        if (i != 2 && (s[i] < '0' || s[i] > '9'))
            return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    return h > 24 || m > 59 || (h == 24 && m) ? -1 : h * 60 + m;
}

/* "mon-fri,sun" -> bit mask. */
static unsigned parse_days(const char *s, size_t n)
{
    unsigned mask = 0;
    for (size_t i = 0; i + 3 <= n;) {
        int a = parse_day3(s + i), b = a;
        if (a < 0)
            return 0;
        i += 3;
        if (i < n && s[i] == '-') {
            if (i + 4 > n || (b = parse_day3(s + i + 1)) < 0)
                return 0;
            i += 4;
        }
        for (int d = a;; d = (d + 1) % 7) {
            mask |= 1u << d;
            if (d == b)
                break;
        }
        if (i < n && s[i] == ',')
            i++;
    }
    return mask;
}

static bool parse_restriction(const char *s, struct rwin *w)
{
    const char *sp = strchr(s, ' ');
    w->days = sp ? parse_days(s, (size_t)(sp - s)) : 0x7f;
    const char *t = sp ? sp + 1 : s;
    if (strlen(t) != 11 || t[5] != '-')
        return false;
    w->from = parse_hhmm(t);
    w->to = parse_hhmm(t + 6);
    return w->days && w->from >= 0 && w->from < 1440 && w->to >= 0 && w->from != w->to;
}

/* The n decimal digits at s as a number, or -1. */
static int digits(const char *s, int n)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    return v;
}

static int64_t local_to_utc(const struct tz *tz, int64_t day, int minute)
{
    int y, m, d;
    tz_civil_from_days(day, &y, &m, &d);
    return tz_to_utc(tz, y, m, d, minute / 60, minute % 60);
}

static int64_t local_day(const struct tz *tz, int64_t t)
{
    struct tz_tm tm;
    tz_local(tz, t, &tm);
    return tz_days_from_civil(tm.year, tm.month, tm.day);
}

static void plan_layer(const struct config_schedule *s, const struct config_schedule_layer *l,
                       struct plan *p)
{
    const struct config_rotation *r = &l->rotation;
    p->l = l;
    p->match = l->name;
    p->tz = (s->timezone ? tz_get(s->timezone) : NULL);
    if (!p->tz)
        p->tz = tz_utc();
    p->every = r->every > 0 ? r->every : MS_PER_DAY;
    p->by_days = p->every % MS_PER_DAY == 0;
    p->ndays = p->every / MS_PER_DAY;
    const char *st = r->start && strlen(r->start) == 10 ? r->start : "2024-01-01";
    int y = digits(st, 4), mo = digits(st + 5, 2), d = digits(st + 8, 2);
    if (y < 0 || mo < 1 || d < 1) {
        y = 2024; /* the documented default; config.c has checked it anyway */
        mo = d = 1;
    }
    int64_t start = tz_days_from_civil(y, mo, d);
    const char *h = r->handoff ? r->handoff : "00:00";
    const char *sp = strchr(h, ' ');
    int wd = sp ? parse_day3(h) : -1;
    p->hmin = parse_hhmm(sp ? sp + 1 : h);
    if (p->hmin < 0 || p->hmin >= 1440)
        p->hmin = 0;
    p->d0 = wd < 0 ? start : start + (wd - tz_weekday(start) + 7) % 7;
    p->h0 = local_to_utc(p->tz, p->d0, p->hmin);
    p->nwin = 0;
    for (size_t i = 0; i < l->restrictions.count && p->nwin < ONCALL_MAX_RESTRICTIONS; i++)
        if (parse_restriction(l->restrictions.items[i], &p->win[p->nwin]))
            p->nwin++;
}

/* ---- rotation ------------------------------------------------------------------------------ */

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

static int64_t handoff_at(const struct plan *p, int64_t k)
{
    if (!p->by_days)
        return p->h0 + k * p->every;
    return local_to_utc(p->tz, p->d0 + k * p->ndays, p->hmin);
}

static int64_t shift_index(const struct plan *p, int64_t t)
{
    if (!p->by_days)
        return floor_div(t - p->h0, p->every);
    int64_t k = floor_div(local_day(p->tz, t) - p->d0, p->ndays);
    while (handoff_at(p, k) > t)
        k--;
    while (handoff_at(p, k + 1) <= t)
        k++;
    return k;
}

/* ---- restrictions -------------------------------------------------------------------------- */

struct inst {
    int64_t a, b;
};

/* The window instances that start on local dates d0..d1. */
static size_t instances(const struct plan *p, int64_t d0, int64_t d1, struct inst *out)
{
    size_t n = 0;
    for (int64_t day = d0; day <= d1; day++) {
        unsigned bit = 1u << tz_weekday(day);
        for (size_t i = 0; i < p->nwin && n < MAX_INST; i++) {
            const struct rwin *w = &p->win[i];
            if (!(w->days & bit))
                continue;
            out[n].a = local_to_utc(p->tz, day, w->from);
            out[n].b = local_to_utc(p->tz, w->to > w->from ? day : day + 1, w->to);
            if (out[n].b > out[n].a)
                n++;
        }
    }
    return n;
}

static bool covered(const struct inst *in, size_t n, int64_t t)
{
    for (size_t i = 0; i < n; i++)
        if (in[i].a <= t && t < in[i].b)
            return true;
    return false;
}

static bool active(const struct plan *p, int64_t t)
{
    struct inst in[MAX_INST];
    int64_t day = local_day(p->tz, t);
    size_t n = instances(p, day - 1, day, in);
    return covered(in, n, t);
}

static int cmp_i64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Edges of the windows that lie in local date `day` (in [midnight, next midnight)), sorted;
 * in/nin receive the instances of days day-2..day for the coverage tests. */
static size_t day_edges(const struct plan *p, int64_t day, int64_t *e, struct inst *in, size_t *nin)
{
    int64_t lo = local_to_utc(p->tz, day, 0), hi = local_to_utc(p->tz, day + 1, 0);
    *nin = instances(p, day - 2, day, in);
    size_t n = 0;
    for (size_t i = 0; i < *nin; i++) {
        if (in[i].a >= lo && in[i].a < hi)
            e[n++] = in[i].a;
        if (in[i].b >= lo && in[i].b < hi)
            e[n++] = in[i].b;
    }
    qsort(e, n, sizeof *e, cmp_i64);
    return n;
}

/* The first instant after t where the on/off state changes, or `limit`. */
static int64_t restr_next(const struct plan *p, int64_t t, int64_t limit)
{
    bool now_on = active(p, t);
    int64_t e[MAX_EDGES];
    struct inst in[MAX_INST];
    size_t nin;
    for (int64_t day = local_day(p->tz, t);; day++) {
        if (local_to_utc(p->tz, day, 0) > limit)
            return limit;
        size_t n = day_edges(p, day, e, in, &nin);
        for (size_t i = 0; i < n; i++)
            if (e[i] > t && covered(in, nin, e[i]) != now_on)
                return e[i] < limit ? e[i] : limit;
    }
}

/* The last instant at or before t where the state changed to the one at t, or `limit`. */
static int64_t restr_prev(const struct plan *p, int64_t t, int64_t limit)
{
    bool now_on = active(p, t);
    int64_t e[MAX_EDGES];
    struct inst in[MAX_INST];
    size_t nin;
    for (int64_t day = local_day(p->tz, t);; day--) {
        if (local_to_utc(p->tz, day + 1, 0) < limit)
            return limit;
        size_t n = day_edges(p, day, e, in, &nin);
        for (size_t i = n; i-- > 0;)
            if (e[i] <= t && covered(in, nin, e[i] - 1) != now_on)
                return e[i] > limit ? e[i] : limit;
    }
}

/* ---- overrides ----------------------------------------------------------------------------- */

static bool applies(const struct ctx *c, const struct plan *p, const struct oncall_override *o)
{
    if (!o->schedule || !c->s->id || strcmp(o->schedule, c->s->id) != 0 || o->to <= o->from)
        return false;
    if (!p->match || !o->layer)
        return !p->match && !o->layer;
    return strcmp(p->match, o->layer) == 0;
}

/* The override in force at t (latest created wins), narrowing [*a, *b) to the override edges. */
static const struct oncall_override *override_at(const struct ctx *c, const struct plan *p,
                                                 int64_t t, int64_t *a, int64_t *b)
{
    const struct oncall_override *best = NULL;
    for (size_t i = 0; i < c->nov; i++) {
        const struct oncall_override *o = &c->ov[i];
        if (!applies(c, p, o))
            continue;
        const int64_t edge[2] = {o->from, o->to};
        for (int j = 0; j < 2; j++) {
            if (edge[j] <= t && edge[j] > *a)
                *a = edge[j];
            if (edge[j] > t && edge[j] < *b)
                *b = edge[j];
        }
        if (o->from <= t && t < o->to &&
            (!best || o->created_at > best->created_at ||
             (o->created_at == best->created_at && o->id && best->id &&
              strcmp(o->id, best->id) > 0)))
            best = o;
    }
    return best;
}

/* ---- segments and slots -------------------------------------------------------------------- */

static void layer_raw(const struct ctx *c, const struct plan *p, int64_t t, struct oncall_slot *out)
{
    const struct string_list *users = &p->l->rotation.users;
    int64_t a = FAR_PAST, b = FAR_FUTURE;
    const char *user = NULL;
    if (users->count > 0) {
        int64_t k = shift_index(p, t);
        user = users->items[(size_t)(((k % (int64_t)users->count) + (int64_t)users->count) %
                                     (int64_t)users->count)];
        if (users->count > 1) {
            a = handoff_at(p, k);
            b = handoff_at(p, k + 1);
        }
    }
    if (p->nwin > 0) {
        int64_t ra = restr_prev(p, t, t - ONCALL_HORIZON_MS - 1);
        int64_t rb = restr_next(p, t, t + ONCALL_HORIZON_MS + 1);
        if (!active(p, t))
            user = NULL;
        a = ra > a ? ra : a;
        b = rb < b ? rb : b;
    }
    const struct oncall_override *o = override_at(c, p, t, &a, &b);
    out->layer = p->l->name;
    out->user = o ? o->user : user;
    out->from = a;
    out->until = b;
    out->override = o;
}

static void raw(const struct ctx *c, int64_t t, struct oncall_slot *out)
{
    if (c->only >= 0) {
        layer_raw(c, &c->plans[c->only], t, out);
        return;
    }
    int64_t a = FAR_PAST, b = FAR_FUTURE;
    struct oncall_slot pick = {0}, seg;
    bool picked = false;
    for (size_t i = 0; i < c->nplans; i++) {
        layer_raw(c, &c->plans[i], t, &seg);
        a = seg.from > a ? seg.from : a;
        b = seg.until < b ? seg.until : b;
        if (!picked && seg.user) {
            pick = seg;
            picked = true;
        }
    }
    const struct oncall_override *o = override_at(c, &c->whole, t, &a, &b);
    out->layer = picked ? pick.layer : NULL;
    out->user = o ? o->user : picked ? pick.user : NULL;
    out->override = o ? o : picked ? pick.override : NULL;
    out->from = a;
    out->until = b;
}

static bool same(const struct oncall_slot *x, const struct oncall_slot *y)
{
    if (x->override != y->override || !x->user != !y->user || !x->layer != !y->layer)
        return false;
    return (!x->user || strcmp(x->user, y->user) == 0) &&
           (!x->layer || strcmp(x->layer, y->layer) == 0);
}

/* Builds the plans; -1 when `layer` names no layer of s. */
static int ctx_init(struct ctx *c, const struct config_schedule *s, const char *layer,
                    const struct oncall_override *ov, size_t nov)
{
    memset(c, 0, sizeof *c);
    c->s = s;
    c->ov = ov;
    c->nov = nov;
    c->only = -1;
    for (size_t i = 0; layer && i < s->layer_count; i++)
        if (s->layers[i].name && strcmp(s->layers[i].name, layer) == 0)
            c->only = (int)i;
    if (layer && c->only < 0)
        return -1;
    c->nplans = s->layer_count;
    c->plans = xcalloc(c->nplans ? c->nplans : 1, sizeof *c->plans);
    for (size_t i = 0; i < c->nplans; i++)
        if (c->only < 0 || (size_t)c->only == i)
            plan_layer(s, &s->layers[i], &c->plans[i]);
    c->whole.match = NULL;
    return 0;
}

static void extend_back(const struct ctx *c, struct oncall_slot *cur, int64_t limit)
{
    struct oncall_slot pv;
    while (cur->from > limit) {
        raw(c, cur->from - 1, &pv);
        if (!same(cur, &pv))
            break;
        cur->from = pv.from;
    }
    if (cur->from < limit)
        cur->from = limit;
}

size_t oncall_layers_at(const struct config_schedule *s, const struct oncall_override *ov,
                        size_t nov, int64_t at, struct oncall_slot *out)
{
    for (size_t i = 0; i < s->layer_count; i++)
        oncall_at(s, s->layers[i].name, ov, nov, at, &out[i]);
    return s->layer_count;
}

int oncall_at(const struct config_schedule *s, const char *layer, const struct oncall_override *ov,
              size_t nov, int64_t at, struct oncall_slot *out)
{
    struct ctx c;
    if (ctx_init(&c, s, layer, ov, nov) != 0)
        return -1;
    raw(&c, at, out);
    struct oncall_slot nx;
    int64_t hi = at + ONCALL_HORIZON_MS;
    while (out->until < hi) {
        raw(&c, out->until, &nx);
        if (!same(out, &nx))
            break;
        out->until = nx.until;
    }
    if (out->until > hi)
        out->until = hi;
    extend_back(&c, out, at - ONCALL_HORIZON_MS);
    free(c.plans);
    return 0;
}

int oncall_shifts(const struct config_schedule *s, const char *layer,
                  const struct oncall_override *ov, size_t nov, int64_t from, int64_t to,
                  oncall_shift_cb cb, void *arg)
{
    struct ctx c;
    if (ctx_init(&c, s, layer, ov, nov) != 0)
        return -1;
    if (to <= from) {
        free(c.plans);
        return 0;
    }
    struct oncall_slot cur, nx;
    raw(&c, from, &cur);
    extend_back(&c, &cur, from - ONCALL_HORIZON_MS);
    int64_t hi = to + ONCALL_HORIZON_MS;
    for (;;) {
        bool more = false;
        while (cur.until < hi) {
            raw(&c, cur.until, &nx);
            if (!same(&cur, &nx)) {
                more = true;
                break;
            }
            cur.until = nx.until;
        }
        if (cur.until > hi)
            cur.until = hi;
        if (cb(&cur, arg) || !more || nx.from >= to)
            break;
        cur = nx;
    }
    free(c.plans);
    return 0;
}

int oncall_parse_time(const char *s, int64_t now, int64_t *out)
{
    int64_t v;
    if (!s)
        return -1;
    if (strcmp(s, "now") == 0) {
        *out = now;
        return 0;
    }
    if (s[0] == '+' || s[0] == '-') {
        if (time_parse_duration(s + 1, &v) != 0 || v > 100LL * 365 * MS_PER_DAY)
            return -1;
        v = s[0] == '+' ? now + v : now - v;
    } else if (time_parse_rfc3339(s, &v) != 0) {
        return -1;
    }
    /* after the epoch (0 reads as "no time") and before 9999 (with the 90-day horizon, every
     * from/until answered is still a four-digit year) */
    if (v <= 0 || v >= ONCALL_TIME_MAX)
        return -1;
    *out = v;
    return 0;
}

void oncall_override_free_fields(struct oncall_override *o)
{
    if (!o)
        return;
    free(o->id);
    free(o->schedule);
    free(o->layer);
    free(o->user);
    free(o->created_by);
    free(o->reason);
    o->id = o->schedule = o->layer = o->user = o->created_by = o->reason = NULL;
}

int oncall_overrides_add(const struct oncall_override *o, void *arg)
{
    struct oncall_overrides *set = arg;
    if (set->n >= ONCALL_OVERRIDES_MAX) {
        log_warn("oncall: more than %d overrides in one window; the rest are ignored",
                 ONCALL_OVERRIDES_MAX);
        return 1;
    }
    if (set->n == set->alloc) {
        set->alloc = set->alloc ? 2 * set->alloc : 16;
        set->items = xrealloc(set->items, set->alloc * sizeof *set->items);
    }
    struct oncall_override *c = &set->items[set->n++];
    *c = *o;
    c->id = xstrdup(o->id);
    c->schedule = xstrdup(o->schedule);
    c->layer = o->layer ? xstrdup(o->layer) : NULL;
    c->user = xstrdup(o->user);
    c->created_by = o->created_by ? xstrdup(o->created_by) : NULL;
    c->reason = o->reason ? xstrdup(o->reason) : NULL;
    return 0;
}

void oncall_overrides_free(struct oncall_overrides *set)
{
    for (size_t i = 0; i < set->n; i++)
        oncall_override_free_fields(&set->items[i]);
    free(set->items);
    *set = (struct oncall_overrides){0};
}
