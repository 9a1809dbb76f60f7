/*
 * conn_guard: per-connection deadlines by phase, enforced by a reaper thread; libmicrohttpd's
 * error log rate limited; the connection limit sized from the descriptor limit. See conn_guard.h.
 */
#include "http/conn_guard.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/netaddr.h"

#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum { REAP_EVERY_MS = 100, LOG_SLOTS = 16, LOG_EVERY_MS = 1000, ADDR_BUCKETS = 4096 };

enum phase { PHASE_HEADER, PHASE_BODY, PHASE_BUSY, PHASE_IDLE };

struct guarded {
    struct guarded *prev, *next;
    struct conn_guard *g;
    int fd;
    enum phase phase;
    double deadline; /* monotonic ms; unused while busy */
    bool cut;        /* shut down by the reaper */
    bool left;       /* its client had left (hung up, nothing unread) at the last pass */
    bool counted;    /* holds one of its address's per-address places */
    struct net_addr addr;
    double body_start;   /* monotonic ms the body phase began */
    uint64_t body_bytes; /* of the body so far */
};

/* The connections each untrusted address holds (only addresses holding one or more). */
struct addr_count {
    struct addr_count *next;
    struct net_addr addr;
    unsigned n;
};

struct conn_guard {
    struct conn_guard_limits lim;
    pthread_mutex_t lock;
    pthread_cond_t wake;
    bool stop;
    pthread_t thread;
    struct guarded head; /* the list's sentinel */
    _Atomic uint64_t cuts;
    unsigned active;    /* connections reading a body or handling a request */
    double last_change; /* monotonic ms of the last phase change, connection or close */
    char **trusted;     /* lim.trusted, copied */
    struct addr_count *by_addr[ADDR_BUCKETS];
    _Atomic uint64_t refused, slow_bodies;
};

static unsigned addr_hash(const struct net_addr *a)
{
    uint32_t h = 2166136261u; /* FNV-1a */
    for (int i = 0; i < 16; i++)
        h = (h ^ a->bytes[i]) * 16777619u;
    return (h ^ (uint32_t)a->family) % ADDR_BUCKETS;
}

/* Under the lock. The count's slot, created (at 0) when make is set. */
static struct addr_count **addr_slot(struct conn_guard *g, const struct net_addr *a)
{
    struct addr_count **p = &g->by_addr[addr_hash(a)];
    while (*p && !((*p)->addr.family == a->family && memcmp((*p)->addr.bytes, a->bytes, 16) == 0))
        p = &(*p)->next;
    return p;
}

static bool limited(const struct conn_guard *g, const struct net_addr *a)
{
    return g->lim.per_address > 0 && !net_cidr_list_contains(g->trusted, g->lim.ntrusted, a);
}

enum MHD_Result conn_guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen)
{
    struct conn_guard *g = cls;
    struct net_addr a;
    (void)addrlen;
    if (!net_addr_from_sockaddr(addr, &a) || !limited(g, &a))
        return MHD_YES;
    pthread_mutex_lock(&g->lock);
    struct addr_count *c = *addr_slot(g, &a);
    bool full = c && c->n >= (uint64_t)g->lim.per_address;
    pthread_mutex_unlock(&g->lock);
    if (full)
        atomic_fetch_add(&g->refused, 1);
    return full ? MHD_NO : MHD_YES;
}

/* Under the lock: the new connection takes a place of its address; false when none is left (two
 * pool threads accepted at once past the policy's check). */
static bool addr_take(struct conn_guard *g, struct guarded *e)
{
    struct addr_count **p = addr_slot(g, &e->addr);
    if (!*p) {
        *p = calloc(1, sizeof **p);
        if (!*p)
            return true; /* no memory: let it in uncounted */
        (*p)->addr = e->addr;
    }
    if ((*p)->n >= (uint64_t)g->lim.per_address)
        return false;
    (*p)->n++;
    e->counted = true;
    return true;
}

static void addr_release(struct conn_guard *g, struct guarded *e)
{
    if (!e->counted)
        return;
    struct addr_count **p = addr_slot(g, &e->addr);
    if (*p && --(*p)->n == 0) {
        struct addr_count *gone = *p;
        *p = gone->next;
        free(gone);
    }
    e->counted = false;
}

static bool is_active(enum phase p)
{
    return p == PHASE_BODY || p == PHASE_BUSY;
}

/* Under the lock (or before the entry is in the list). */
static void set_phase(struct guarded *e, enum phase p)
{
    const struct conn_guard_limits *lim = &e->g->lim;
    e->g->active += (unsigned)is_active(p) - (unsigned)is_active(e->phase);
    e->g->last_change = clock_mono_ms();
    int64_t ms = p == PHASE_HEADER ? lim->header_ms : p == PHASE_BODY ? lim->body_ms : lim->idle_ms;
    e->phase = p;
    e->left = false;
    e->deadline = clock_mono_ms() + (double)ms;
    e->body_start = clock_mono_ms();
    e->body_bytes = 0;
}

void conn_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code)
{
    struct conn_guard *g = cls;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        const union MHD_ConnectionInfo *fi =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        struct guarded *e = calloc(1, sizeof *e);
        if (!e || !fi) {
            free(e); /* unguarded: the idle timeout still applies */
            return;
        }
        e->g = g;
        e->fd = fi->connect_fd;
        const union MHD_ConnectionInfo *ai =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
        bool known = ai && net_addr_from_sockaddr(ai->client_addr, &e->addr);
        pthread_mutex_lock(&g->lock);
        set_phase(e, PHASE_HEADER);
        if (known && limited(g, &e->addr) && !addr_take(g, e)) {
            shutdown(e->fd, SHUT_RDWR); /* over the limit: libmicrohttpd closes it */
            e->cut = true;
            atomic_fetch_add(&g->refused, 1);
        }
        e->next = g->head.next;
        e->prev = &g->head;
        g->head.next->prev = e;
        g->head.next = e;
        pthread_mutex_unlock(&g->lock);
        *socket_context = e;
        return;
    }
    struct guarded *e = *socket_context;
    if (!e)
        return;
    pthread_mutex_lock(&g->lock);
    e->prev->next = e->next;
    e->next->prev = e->prev;
    addr_release(g, e);
    g->active -= (unsigned)is_active(e->phase);
    g->last_change = clock_mono_ms();
    pthread_mutex_unlock(&g->lock);
    free(e);
    *socket_context = NULL;
}

static struct guarded *entry_of(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void move_to(struct MHD_Connection *conn, enum phase p)
{
    struct guarded *e = entry_of(conn);
    if (!e)
        return;
    pthread_mutex_lock(&e->g->lock);
    set_phase(e, p);
    pthread_mutex_unlock(&e->g->lock);
}

void conn_guard_header_done(struct MHD_Connection *conn)
{
    move_to(conn, PHASE_BODY);
}

void conn_guard_body_bytes(struct MHD_Connection *conn, size_t n)
{
    struct guarded *e = entry_of(conn);
    if (!e)
        return;
    pthread_mutex_lock(&e->g->lock);
    e->body_bytes += n;
    pthread_mutex_unlock(&e->g->lock);
}

void conn_guard_body_done(struct MHD_Connection *conn)
{
    move_to(conn, PHASE_BUSY);
}

void conn_guard_request_done(struct MHD_Connection *conn)
{
    move_to(conn, PHASE_IDLE);
}

bool conn_guard_quiet(struct conn_guard *g, double quiet_ms)
{
    pthread_mutex_lock(&g->lock);
    bool quiet = g->active == 0 && clock_mono_ms() - g->last_change >= quiet_ms;
    pthread_mutex_unlock(&g->lock);
    return quiet;
}

uint64_t conn_guard_cut_count(struct conn_guard *g)
{
    return atomic_load(&g->cuts);
}

uint64_t conn_guard_refused_count(struct conn_guard *g)
{
    return atomic_load(&g->refused);
}

/* A connection waiting for a request header (a first one or the next) whose client has left
 * (hung up with nothing unread, at two passes in a row: a client that half-closes after a
 * complete request is not cut while libmicrohttpd parses it): shut down now. libmicrohttpd alone
 * may not notice it while its accept is suspended at the descriptor limit (it then waits for the
 * idle timeout), and each such connection holds a descriptor the server needs back
 * (docs/security.md, "Open files"). */
static void reap_departed(struct conn_guard *g)
{
    size_t n = 0;
    for (struct guarded *e = g->head.next; e != &g->head; e = e->next)
        n += !e->cut && (e->phase == PHASE_HEADER || e->phase == PHASE_IDLE);
    if (!n)
        return;
    struct pollfd *pf = calloc(n, sizeof *pf);
    struct guarded **of = calloc(n, sizeof *of);
    if (pf && of) {
        size_t i = 0;
        for (struct guarded *e = g->head.next; e != &g->head && i < n; e = e->next) {
            if (e->cut || (e->phase != PHASE_HEADER && e->phase != PHASE_IDLE))
                continue;
            pf[i] = (struct pollfd){.fd = e->fd, .events = POLLRDHUP};
            of[i++] = e;
        }
        if (poll(pf, (nfds_t)i, 0) > 0)
            for (size_t k = 0; k < i; k++)
                if (pf[k].revents & (POLLRDHUP | POLLHUP | POLLERR)) {
                    int unread = 0;
                    bool gone = !(pf[k].revents & POLLRDHUP) ||
                                (ioctl(pf[k].fd, FIONREAD, &unread) == 0 && unread == 0);
                    if (gone && of[k]->left) {
                        shutdown(of[k]->fd, SHUT_RDWR);
                        of[k]->cut = true;
                    }
                    of[k]->left = gone;
                }
    }
    free(pf);
    free(of);
}

/* One pass: every connection past its deadline is shut down (once), counted by phase; then the
 * ones whose client left. The list's lock is held: an entry leaves it (in the CLOSED
 * notification) before libmicrohttpd closes its descriptor, so each fd here is still its own. */
/* A body slower than server.min_body_rate: averaged over the whole body so far, once the grace
 * has passed (a pause early on is forgiven if the rest comes fast). */
static bool too_slow(const struct conn_guard *g, const struct guarded *e, double now)
{
    double took = now - e->body_start;
    return g->lim.min_body_rate > 0 && e->phase == PHASE_BODY &&
           took > (double)g->lim.body_grace_ms &&
           (double)e->body_bytes < (double)g->lim.min_body_rate * took / 1000.0;
}

/* A body cut: 408 written straight to the socket on plain HTTP (libmicrohttpd writes nothing
 * while it reads a body; the socket is non-blocking and the answer small: it fits or is lost). */
static void answer_408(const struct conn_guard *g, int fd, bool slow)
{
    if (g->lim.tls)
        return;
    char body[200], msg[400];
    int bl = slow ? snprintf(body, sizeof body,
                             "{\"error\":{\"code\":\"request_timeout\",\"message\":\"body: "
                             "slower than server.min_body_rate (%lld bytes/s)\"}}",
                             (long long)g->lim.min_body_rate)
                  : snprintf(body, sizeof body,
                             "{\"error\":{\"code\":\"request_timeout\",\"message\":\"body: "
                             "not complete within server.body_timeout (%lld ms)\"}}",
                             (long long)g->lim.body_ms);
    int n = snprintf(msg, sizeof msg,
                     "HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Type: "
                     "application/json\r\nContent-Length: %d\r\n\r\n%s",
                     bl, body);
    if (n > 0 && (size_t)n < sizeof msg)
        (void)!send(fd, msg, (size_t)n, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void reap(struct conn_guard *g, unsigned counts[4])
{
    double now = clock_mono_ms();
    for (struct guarded *e = g->head.next; e != &g->head; e = e->next) {
        if (e->cut || e->phase == PHASE_BUSY)
            continue;
        bool slow = now < e->deadline && too_slow(g, e, now);
        if (now < e->deadline && !slow)
            continue;
        if (e->phase == PHASE_BODY)
            answer_408(g, e->fd, slow);
        shutdown(e->fd, SHUT_RDWR); /* libmicrohttpd reads the end and closes it */
        e->cut = true;
        counts[e->phase]++;
        atomic_fetch_add(&g->cuts, 1);
        if (slow)
            atomic_fetch_add(&g->slow_bodies, 1);
    }
    reap_departed(g);
}

static void *reaper_main(void *arg)
{
    struct conn_guard *g = arg;
    unsigned counts[4] = {0};
    double logged = clock_mono_ms(), refusals_logged = 0;
    uint64_t refused_seen = 0, slow_seen = 0;
    pthread_mutex_lock(&g->lock);
    while (!g->stop) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        ts.tv_nsec += REAP_EVERY_MS * 1000000L;
        if (ts.tv_nsec >= 1000000000L) {
            ts.tv_sec++;
            ts.tv_nsec -= 1000000000L;
        }
        pthread_cond_timedwait(&g->wake, &g->lock, &ts);
        if (g->stop)
            break;
        reap(g, counts);
        unsigned total = counts[0] + counts[1] + counts[2] + counts[3];
        double now = clock_mono_ms();
        if (total && now - logged >= LOG_EVERY_MS) {
            log_warn("http: closed %u connections past their deadline (header %u, body %u, "
                     "idle %u; server.header_timeout %lld ms, body_timeout %lld ms, "
                     "idle_timeout %lld ms)",
                     total, counts[PHASE_HEADER], counts[PHASE_BODY], counts[PHASE_IDLE],
                     (long long)g->lim.header_ms, (long long)g->lim.body_ms,
                     (long long)g->lim.idle_ms);
            memset(counts, 0, sizeof(unsigned) * 4);
            logged = now;
        } else if (!total) {
            logged = now - LOG_EVERY_MS; /* the next cut is logged at once */
        }
        uint64_t refused = atomic_load(&g->refused), slow = atomic_load(&g->slow_bodies);
        if ((refused != refused_seen || slow != slow_seen) &&
            now - refusals_logged >= LOG_EVERY_MS) {
            if (refused != refused_seen)
                log_warn("http: refused %llu connections from addresses already holding "
                         "server.max_connections_per_address (%lld)",
                         (unsigned long long)(refused - refused_seen),
                         (long long)g->lim.per_address);
            if (slow != slow_seen)
                log_warn("http: cut %llu bodies slower than server.min_body_rate (%lld bytes/s "
                         "after %lld ms): 408",
                         (unsigned long long)(slow - slow_seen), (long long)g->lim.min_body_rate,
                         (long long)g->lim.body_grace_ms);
            refused_seen = refused;
            slow_seen = slow;
            refusals_logged = now;
        }
    }
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

struct conn_guard *conn_guard_start(struct conn_guard_limits lim)
{
    struct conn_guard *g = calloc(1, sizeof *g);
    if (!g)
        return NULL;
    g->lim = lim;
    g->trusted = calloc(lim.ntrusted + 1, sizeof *g->trusted);
    for (size_t i = 0; g->trusted && i < lim.ntrusted; i++)
        g->trusted[i] = xstrdup(lim.trusted[i]);
    g->lim.trusted = g->trusted;
    if (!g->trusted)
        g->lim.ntrusted = 0;
    g->head.next = g->head.prev = &g->head;
    pthread_mutex_init(&g->lock, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&g->wake, &ca);
    pthread_condattr_destroy(&ca);
    if (pthread_create(&g->thread, NULL, reaper_main, g) != 0) {
        pthread_cond_destroy(&g->wake);
        pthread_mutex_destroy(&g->lock);
        for (size_t i = 0; g->trusted && i < g->lim.ntrusted; i++)
            free(g->trusted[i]);
        free(g->trusted);
        free(g);
        return NULL;
    }
    return g;
}

void conn_guard_stop(struct conn_guard *g)
{
    if (!g)
        return;
    pthread_mutex_lock(&g->lock);
    g->stop = true;
    pthread_cond_signal(&g->wake);
    pthread_mutex_unlock(&g->lock);
    pthread_join(g->thread, NULL);
    /* MHD_stop_daemon notified every connection closed: the list and the counts are empty */
    pthread_cond_destroy(&g->wake);
    pthread_mutex_destroy(&g->lock);
    for (size_t i = 0; i < g->lim.ntrusted; i++)
        free(g->trusted[i]);
    free(g->trusted);
    free(g);
}

/* The rate-limited log: a few slots keyed by the format string's address (libmicrohttpd passes
 * its string literals). A message in no slot (more than LOG_SLOTS kinds) shares the last one. */
static struct {
    pthread_mutex_t lock;
    struct {
        const char *fmt;
        double last;
        unsigned dropped;
    } slot[LOG_SLOTS];
} mhd_log = {.lock = PTHREAD_MUTEX_INITIALIZER};

/* libmicrohttpd 0.9.75 says this when accept fails for want of descriptors on a pool thread that
 * holds no connection, and then retries accept at once, for ever: a busy loop on that thread
 * (each thread accepts on its own). The message comes on that thread, once per turn, so a short
 * sleep here paces the loop: the thread has no connection to serve meanwhile, and accept cannot
 * succeed before another thread closes one. docs/security.md, "Open files". */
static const char first_connection_limit[] = "resource limit at FIRST connection";
enum { ACCEPT_BACKOFF_MS = 50 };

void conn_guard_mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (strstr(fmt, first_connection_limit))
        nanosleep(&(struct timespec){.tv_nsec = ACCEPT_BACKOFF_MS * 1000000L}, NULL);
    double now = clock_mono_ms();
    unsigned dropped = 0;
    pthread_mutex_lock(&mhd_log.lock);
    int i = 0;
    while (i < LOG_SLOTS - 1 && mhd_log.slot[i].fmt && mhd_log.slot[i].fmt != fmt)
        i++;
    bool fresh = mhd_log.slot[i].fmt != fmt;
    if (!fresh && now - mhd_log.slot[i].last < LOG_EVERY_MS) {
        mhd_log.slot[i].dropped++;
        pthread_mutex_unlock(&mhd_log.lock);
        return;
    }
    if (!fresh)
        dropped = mhd_log.slot[i].dropped;
    mhd_log.slot[i].fmt = fmt;
    mhd_log.slot[i].last = now;
    mhd_log.slot[i].dropped = 0;
    pthread_mutex_unlock(&mhd_log.lock);
    char line[512];
    vsnprintf(line, sizeof line, fmt, ap);
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
        line[--n] = '\0';
    if (dropped)
        log_warn("http: libmicrohttpd: %s (and %u more like it in the last second)", line, dropped);
    else
        log_warn("http: libmicrohttpd: %s", line);
}

unsigned conn_guard_connection_limit(int64_t configured, uint64_t nofile, bool *clamped)
{
    enum { RESERVE_MIN = 256, RESERVE_MAX = 4096, DEFAULT_MAX = 16384, LIMIT_MIN = 16 };
    uint64_t reserve = nofile / 8;
    reserve = reserve < RESERVE_MIN ? RESERVE_MIN : reserve > RESERVE_MAX ? RESERVE_MAX : reserve;
    uint64_t room = nofile > reserve + LIMIT_MIN ? nofile - reserve : nofile / 2;
    if (room < 1)
        room = 1;
    *clamped = false;
    if (configured > 0) {
        if ((uint64_t)configured <= room)
            return (unsigned)configured;
        *clamped = true;
        return (unsigned)room;
    }
    return (unsigned)(room < DEFAULT_MAX ? room : DEFAULT_MAX);
}
