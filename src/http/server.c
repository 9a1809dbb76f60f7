/*
 * server: libmicrohttpd in epoll mode with a thread pool. Collects each request body into a
 * capped buffer (over the cap: 413, the rest of the upload is read and dropped), then builds a
 * `struct request`, takes a config reference, and hands it to the router on the same pool
 * thread. Sends the reply, logs one line, records metrics.
 *
 * Threads: MHD's pool threads run on_request. A handler that writes through http_defer (alert
 * ingest) does not hold its thread while the commit is waited for: the connection is suspended
 * and the store writer resumes it (http/defer.h), so any number of such requests share one
 * group commit. Other writes (store_write) still hold their thread until the commit; the pool
 * (4 threads per CPU, at least 8) is sized for those.
 *
 * Connections (docs/security.md "Connections"): at most server.max_connections (sized from the
 * descriptor limit), server.max_connections_per_address from one address (the guard's accept
 * policy; trusted proxies exempt), a deadline per phase and a minimum body rate
 * (http/conn_guard.h). TLS when server.tls is set (GnuTLS
 * through libmicrohttpd; TLS 1.2 or later; HSTS on every answer). Shutdown (http_stop): stop
 * accepting, answer 503 to requests not yet handled, wait for committed writes up to
 * server.shutdown_grace.
 */
#include "http/conn_guard.h"
#include "http/defer.h"
#include "http/http.h"
#include "http/tls.h"
#include "app/metrics.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/num.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum {
    POOL_MIN_THREADS = 8,
    POOL_THREADS_PER_CPU = 4,
    POOL_MAX_THREADS = 64,
    DRAIN_RETRY_AFTER_S = 5,
    DRAIN_QUIET_MS = 100 /* stopping: no connection busy or changing for this long */
};

/* GnuTLS priorities: its defaults without TLS 1.0, 1.1 and SSL 3.0. */
static const char tls_priorities[] = "NORMAL:-VERS-ALL:+VERS-TLS1.3:+VERS-TLS1.2";
static const char hsts_value[] = "max-age=31536000";

struct http_server {
    struct MHD_Daemon *daemon;
    struct app *app;
    size_t max_body;
    _Atomic bool stopping; /* http_stop has begun: no new suspension */
    _Atomic int suspended; /* connections suspended for a deferred write */
    /* connections, TLS and shutdown (http_start, http_stop) */
    struct conn_guard *guard;
    bool tls;
    int64_t grace_ms;
    _Atomic bool draining;    /* SIGTERM: requests not yet handled get 503 */
    _Atomic unsigned drained; /* how many */
};

struct conn_ctx {
    struct buf body;
    bool too_large;
    bool answered; /* reply_early queued the answer: later calls drop what they get */
    double t0;
    struct request *deferred; /* while suspended: the request (a copy), to finish on resume */
    http_finish_fn finish;
    void *state;
};

/* What a handler asked for with http_defer, during router_dispatch on this thread. */
static _Thread_local struct {
    bool set;
    http_submit_fn submit;
    http_finish_fn finish;
    void *state;
} deferral;

void http_defer(struct request *r, http_submit_fn submit, http_finish_fn finish, void *state)
{
    r->replied = true; /* for the router: the answer will come (defer_or_finish clears it) */
    deferral.set = true;
    deferral.submit = submit;
    deferral.finish = finish;
    deferral.state = state;
}

static void request_free(struct request *r);

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    struct http_server *s = cls;
    struct conn_ctx *ctx = *con_cls;
    if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
        conn_guard_request_done(conn);
    if (!ctx)
        return;
    /* The client left while its write was being committed: the commit resumed the connection,
     * libmicrohttpd found it closed and ends it here, with no last call of on_request. The write
     * is done; finish it (its state freed) with nobody to answer, and count it as no longer
     * waiting, or http_stop would wait for it until its timeout. At daemon shutdown (http_stop
     * gave up waiting) the write may still be running: its state is then left alone. */
    if (ctx->deferred && toe != MHD_REQUEST_TERMINATED_DAEMON_SHUTDOWN) {
        struct request *r = ctx->deferred;
        ctx->deferred = NULL;
        ctx->finish(r, ctx->state);
        log_info("http: a client left before the answer to its write (committed: %d)", r->status);
        request_free(r);
        free(r);
        atomic_fetch_sub(&s->suspended, 1);
    }
    buf_free(&ctx->body);
    free(ctx);
    *con_cls = NULL;
}

/* Sent with every answer, so both web surfaces (/ui/, /status) and the API have them: scripts and
 * styles only from tocsin itself (no 'unsafe-inline': pages carry no inline script or style),
 * no framing, no MIME sniffing, no referrer to other sites (same-origin keeps the Origin header
 * of the UI's form POSTs). A handler may send a stricter one of its own instead (ack.c).
 * docs/api.md, "Security headers". */
static const char *const security_headers[][2] = {
    {"Content-Security-Policy",
     "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
     "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"},
    {"X-Frame-Options", "DENY"},
    {"X-Content-Type-Options", "nosniff"},
    {"Referrer-Policy", "same-origin"},
};

static bool has_header(const struct request *r, const char *name)
{
    for (int i = 0; i < r->nheaders; i++)
        if (strcasecmp(r->headers[i].name, name) == 0)
            return true;
    return false;
}

static enum MHD_Result send_reply(struct MHD_Connection *conn, struct request *r, bool tls,
                                  bool closing)
{
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r->resp_len, r->resp, MHD_RESPMEM_MUST_FREE);
    r->resp = NULL;
    if (!resp)
        return MHD_NO;
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
                            r->content_type ? r->content_type : "application/json");
    for (size_t i = 0; i < sizeof security_headers / sizeof security_headers[0]; i++)
        if (!has_header(r, security_headers[i][0])) /* a page may set a stricter one */
            MHD_add_response_header(resp, security_headers[i][0], security_headers[i][1]);
    if (strncmp(r->path, "/api/", 5) == 0 && !has_header(r, MHD_HTTP_HEADER_CACHE_CONTROL))
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
    if (tls && !has_header(r, "Strict-Transport-Security"))
        MHD_add_response_header(resp, "Strict-Transport-Security", hsts_value);
    for (int i = 0; i < r->nheaders; i++)
        MHD_add_response_header(resp, r->headers[i].name, r->headers[i].value);
    if (closing && !has_header(r, MHD_HTTP_HEADER_CONNECTION)) /* stopping: no next request */
        MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
    enum MHD_Result ret = MHD_queue_response(conn, (unsigned)r->status, resp);
    MHD_destroy_response(resp);
    return ret;
}

static void request_free(struct request *r)
{
    free(r->resp);
    for (int i = 0; i < r->nheaders; i++)
        free(r->headers[i].value);
    if (r->config)
        config_unref(r->config);
}

static bool declared_too_large(struct MHD_Connection *conn, size_t max)
{
    const char *cl =
        MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t n;
    return cl && num_parse_i64(cl, 0, INT64_MAX, &n) == 0 && (uint64_t)n > max;
}

/* Request framing (docs/security.md): a request whose length two headers could tell two ways is
 * refused before any handler runs, so no proxy in front of tocsin can read it differently
 * (request smuggling). libmicrohttpd 0.9.75 accepts Content-Length with Transfer-Encoding and a
 * repeated Content-Length. */
struct framing {
    int content_length, transfer_encoding;
};

static enum MHD_Result count_framing(void *cls, enum MHD_ValueKind kind, const char *key,
                                     const char *value)
{
    struct framing *f = cls;
    if (strcasecmp(key, MHD_HTTP_HEADER_CONTENT_LENGTH) == 0)
        f->content_length++;
    else if (strcasecmp(key, MHD_HTTP_HEADER_TRANSFER_ENCODING) == 0)
        f->transfer_encoding++;
    return MHD_YES;
}

/* NULL when the framing is unambiguous, else why not. */
static const char *framing_error(struct MHD_Connection *conn)
{
    struct framing f = {0};
    MHD_get_connection_values(conn, MHD_HEADER_KIND, count_framing, &f);
    if (f.content_length && f.transfer_encoding)
        return "headers: Content-Length and Transfer-Encoding together (ambiguous framing)";
    if (f.content_length > 1)
        return "headers: more than one Content-Length (ambiguous framing)";
    if (f.transfer_encoding > 1)
        return "headers: more than one Transfer-Encoding (ambiguous framing)";
    return NULL;
}

static bool expects_continue(struct MHD_Connection *conn)
{
    const char *e = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_EXPECT);
    return e && strcasecmp(e, "100-continue") == 0;
}

/* URL and query unescaping (MHD_OPTION_UNESCAPE_CALLBACK): %XX decoded in place, except %00,
 * which stays the three characters "%00". libmicrohttpd hands values on as C strings, so a decoded
 * NUL would silently cut them ("?status=open%00" read as "open"); kept literal, it makes the
 * value invalid and its check answers 400 or 404 naming it. Returns the new length. */
static size_t unescape_keep_nul(void *cls, struct MHD_Connection *conn, char *s)
{
    static const char hex[] = "0123456789abcdef0123456789ABCDEF";
    char *w = s;
    for (const char *p = s; *p; p++) {
        const char *hi = p[0] == '%' && p[1] ? strchr(hex, p[1]) : NULL;
        const char *lo = hi && p[2] ? strchr(hex, p[2]) : NULL;
        if (!hi || !lo) {
            *w++ = *p;
            continue;
        }
        int v = (int)((hi - hex) % 16) * 16 + (int)((lo - hex) % 16);
        if (v == 0) {
            *w++ = *p; /* "%00" stays as it is */
            continue;
        }
        *w++ = (char)v;
        p += 2;
    }
    *w = '\0';
    return (size_t)(w - s);
}

/* Sends the reply, records it, frees the request. */
static enum MHD_Result finish_request(struct http_server *s, struct MHD_Connection *conn,
                                      struct conn_ctx *ctx, struct request *r)
{
    enum MHD_Result ret = send_reply(conn, r, s->tls, atomic_load(&s->draining));
    double ms = clock_mono_ms() - ctx->t0;
    metrics_observe(s->app->metrics, r->route, r->status, ms);
    log_info("http: %s %s %d %.1fms %s", r->method, r->path, r->status, ms,
             r->who.authenticated ? r->who.actor : "-");
    request_free(r);
    return ret;
}

/* An answer given at the first call, from the headers alone: no handler runs, no body is read
 * (libmicrohttpd then sends no `100 Continue` and closes the connection after the answer). */
static enum MHD_Result reply_early(struct http_server *s, struct MHD_Connection *conn,
                                   struct conn_ctx *ctx, const char *method, const char *url,
                                   enum result code, const char *message)
{
    struct request r = {
        .app = s->app, .conn = conn, .method = method, .path = url, .body = "", .route = -1};
    reply_error(&r, code, "%s", message);
    ctx->answered = true;
    return finish_request(s, conn, ctx, &r);
}

static void resume(void *conn)
{
    MHD_resume_connection(conn); /* thread-safe; the connection is suspended until then */
}

/* http_defer when the connection cannot be suspended: wait for the write here. */
struct sync_wait {
    pthread_mutex_t lock;
    pthread_cond_t cv;
    bool done;
};

static void sync_done(void *arg)
{
    struct sync_wait *w = arg;
    pthread_mutex_lock(&w->lock);
    w->done = true;
    pthread_cond_signal(&w->cv);
    pthread_mutex_unlock(&w->lock);
}

static void run_deferred_here(void)
{
    struct sync_wait w = {.done = false};
    pthread_mutex_init(&w.lock, NULL);
    pthread_cond_init(&w.cv, NULL);
    deferral.submit(deferral.state, sync_done, &w);
    pthread_mutex_lock(&w.lock);
    while (!w.done)
        pthread_cond_wait(&w.cv, &w.lock);
    pthread_mutex_unlock(&w.lock);
    pthread_cond_destroy(&w.cv);
    pthread_mutex_destroy(&w.lock);
}

/* After router_dispatch: a handler that called http_defer is suspended and its write queued
 * (in that order: the write may finish, and resume the connection, at once). Returns whether the
 * request is now suspended; if not, r holds the reply. */
static bool defer_or_finish(struct http_server *s, struct MHD_Connection *conn,
                            struct conn_ctx *ctx, struct request *r)
{
    if (!deferral.set)
        return false;
    deferral.set = false;
    r->replied = false; /* set by http_defer; finish gives the real answer */
    /* counted before stopping is read, and http_stop sets stopping before it reads the count:
     * either it waits for this one, or this one sees it stopping */
    atomic_fetch_add(&s->suspended, 1);
    if (atomic_load(&s->stopping)) {
        atomic_fetch_sub(&s->suspended, 1);
        run_deferred_here();
        deferral.finish(r, deferral.state);
        return false;
    }
    ctx->deferred = xmalloc(sizeof *ctx->deferred);
    *ctx->deferred = *r;
    ctx->finish = deferral.finish;
    ctx->state = deferral.state;
    MHD_suspend_connection(conn);
    deferral.submit(deferral.state, resume, conn);
    return true;
}

/* A request not yet handled when SIGTERM came: 503, try again (another node, or this one after
 * its restart), and the connection closed after it. Counted, logged once at stop. */
static void reply_draining(struct http_server *s, struct request *r)
{
    atomic_fetch_add(&s->drained, 1);
    reply_json(r, 503,
               json_pack("{s:{s:s,s:s}}", "error", "code", result_name(ERR_UNAVAILABLE), "message",
                         "server: shutting down; retry shortly"));
    char after[16];
    snprintf(after, sizeof after, "%d", DRAIN_RETRY_AFTER_S);
    reply_header(r, "Retry-After", after);
    reply_header(r, "Connection", "close");
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_data_size, void **con_cls)
{
    struct http_server *s = cls;
    struct conn_ctx *ctx = *con_cls;
    if (!ctx) {
        ctx = xcalloc(1, sizeof *ctx);
        buf_init(&ctx->body, s->max_body);
        ctx->t0 = clock_mono_ms();
        ctx->too_large = declared_too_large(conn, s->max_body);
        *con_cls = ctx;
        conn_guard_header_done(conn);
        const char *framing = framing_error(conn);
        if (framing)
            return reply_early(s, conn, ctx, method, url, ERR_BAD_REQUEST, framing);
        if (ctx->too_large && expects_continue(conn)) { /* no `100 Continue` for a body refused */
            char msg[128];
            snprintf(msg, sizeof msg, "body: larger than the %zu-byte limit (server.max_body)",
                     s->max_body);
            return reply_early(s, conn, ctx, method, url, ERR_TOO_LARGE, msg);
        }
        return MHD_YES;
    }
    if (ctx->answered) {
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (*upload_data_size) {
        conn_guard_body_bytes(conn, *upload_data_size);
        if (!ctx->too_large && buf_append(&ctx->body, upload_data, *upload_data_size) != BUF_OK) {
            ctx->too_large = true;
            buf_free(&ctx->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (ctx->deferred) { /* resumed: the deferred write is done */
        struct request *r = ctx->deferred;
        ctx->deferred = NULL;
        ctx->finish(r, ctx->state);
        enum MHD_Result ret = finish_request(s, conn, ctx, r);
        free(r);
        atomic_fetch_sub(&s->suspended, 1);
        return ret;
    }
    conn_guard_body_done(conn);
    struct request r = {.app = s->app,
                        .conn = conn,
                        .method = method,
                        .path = url,
                        .body = ctx->body.data ? ctx->body.data : "",
                        .body_len = ctx->body.len,
                        .route = -1};
    if (atomic_load(&s->draining)) {
        reply_draining(s, &r);
    } else if (ctx->too_large) {
        reply_error(&r, ERR_TOO_LARGE, "body: larger than the %zu-byte limit (server.max_body)",
                    s->max_body);
    } else {
        r.config = app_config(s->app);
        deferral.set = false;
        router_dispatch(&r);
        bool suspended = defer_or_finish(s, conn, ctx, &r);
        /* a handler that announced a write (store_expect) and did not make it: group commit must
         * not wait for it (a no-op otherwise) */
        store_expect_end(s->app->store);
        if (suspended)
            return MHD_YES;
    }
    return finish_request(s, conn, ctx, &r);
}

/* "HOST:PORT" or "[v6]:PORT" -> a socket address. */
static bool resolve_listen(const char *listen, struct sockaddr_storage *ss, socklen_t *len,
                           bool *v6, struct error *err)
{
    char host[256];
    const char *colon = strrchr(listen, ':');
    int64_t port;
    if (!colon || num_parse_i64(colon + 1, 0, 65535, &port) != 0 ||
        (size_t)(colon - listen) >= sizeof host) {
        error_set(err, ERR_BAD_REQUEST, "listen: \"%s\" is not HOST:PORT", listen);
        return false;
    }
    size_t hl = (size_t)(colon - listen);
    memcpy(host, listen, hl);
    host[hl] = '\0';
    if (hl >= 2 && host[0] == '[' && host[hl - 1] == ']') {
        memmove(host, host + 1, hl - 2);
        host[hl - 2] = '\0';
    }
    struct addrinfo hints = {.ai_family = AF_UNSPEC,
                             .ai_socktype = SOCK_STREAM,
                             .ai_flags = AI_NUMERICSERV | AI_PASSIVE},
                    *res = NULL;
    char portstr[8];
    snprintf(portstr, sizeof portstr, "%d", (int)port);
    int rc = getaddrinfo(host[0] ? host : NULL, portstr, &hints, &res);
    if (rc != 0 || !res) {
        error_set(err, ERR_BAD_REQUEST, "listen: cannot resolve \"%s\": %s", host,
                  gai_strerror(rc));
        return false;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    *v6 = res->ai_family == AF_INET6;
    freeaddrinfo(res);
    return true;
}

/* server.max_connections against the descriptor limit (serve raised it to the hard limit). */
static unsigned connection_limit(const struct config *c)
{
    struct rlimit rl;
    uint64_t nofile = 1024;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
        nofile = rl.rlim_cur != RLIM_INFINITY ? (uint64_t)rl.rlim_cur : 1u << 20;
    bool clamped;
    unsigned limit = conn_guard_connection_limit(c->server.max_connections, nofile, &clamped);
    if (clamped)
        log_warn("http: server.max_connections %lld does not fit the open-files limit %llu with "
                 "its reserve: %u connections",
                 (long long)c->server.max_connections, (unsigned long long)nofile, limit);
    return limit;
}

/* The daemon's options, TLS ones only when it is on. */
static struct MHD_Daemon *start_daemon(struct http_server *s, const struct config *c, bool v6,
                                       const struct sockaddr *addr, unsigned threads,
                                       unsigned limit)
{
    unsigned flags = MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ERROR_LOG | MHD_ALLOW_SUSPEND_RESUME |
                     MHD_USE_ITC | (v6 ? MHD_USE_IPv6 : 0) | (s->tls ? MHD_USE_TLS : 0) |
                     (addr ? 0 : MHD_USE_NO_LISTEN_SOCKET);
    unsigned idle_s = (unsigned)((c->server.idle_timeout + 999) / 1000);
    struct MHD_OptionItem o[] = {
        {MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)conn_guard_mhd_log, NULL}, /* first: all of it */
        {MHD_OPTION_SOCK_ADDR, 0, (void *)addr}, /* NULL when detached: no listening socket */
        {MHD_OPTION_THREAD_POOL_SIZE, threads, NULL},
        {MHD_OPTION_CONNECTION_TIMEOUT, idle_s, NULL},
        {MHD_OPTION_CONNECTION_LIMIT, limit, NULL},
        {MHD_OPTION_NOTIFY_COMPLETED, (intptr_t)on_completed, s},
        {MHD_OPTION_NOTIFY_CONNECTION, (intptr_t)conn_guard_notify, s->guard},
        {MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024, NULL},
        {MHD_OPTION_UNESCAPE_CALLBACK, (intptr_t)unescape_keep_nul, NULL},
        {s->tls ? MHD_OPTION_HTTPS_CERT_CALLBACK : MHD_OPTION_END, 0, tls_certificate_callback()},
        {MHD_OPTION_HTTPS_PRIORITIES, 0, (void *)tls_priorities},
        {MHD_OPTION_END, 0, NULL},
    };
    /* the per-address limit is the guard's accept policy (it exempts trusted proxies) */
    return MHD_start_daemon(flags, 0, conn_guard_accept, s->guard, on_request, s, MHD_OPTION_ARRAY,
                            o, MHD_OPTION_END);
}

/* libmicrohttpd aborts the process on an internal inconsistency (MHD_PANIC). One is known to
 * happen while stopping: 0.9.75's MHD_quiesce_daemon races a pool thread that takes the listening
 * socket out of its epoll set because descriptors ran out, and the second removal panics. While
 * stopping, tocsin then exits at once with status 1 and says so (committed writes are kept; the
 * requests not yet answered get none) instead of dumping core; otherwise it aborts as before. */
static atomic_bool mhd_stopping;

static void on_mhd_panic(void *cls, const char *file, unsigned int line, const char *reason)
{
    (void)cls;
    log_error("http: libmicrohttpd failed at %s:%u: %s", file ? file : "?", line,
              reason ? reason : "?");
    if (atomic_load(&mhd_stopping)) {
        log_error("serve: stopping: exiting now (committed writes are kept; requests not yet "
                  "answered get no answer)");
        _exit(1);
    }
    abort();
}

/* listen NULL: detached (no listening socket, no TLS, one thread). */
static struct http_server *start(struct app *app, const char *listen, struct error *err)
{
    MHD_set_panic_func(on_mhd_panic, NULL);
    struct sockaddr_storage ss;
    socklen_t sslen;
    bool v6 = false;
    if (listen && !resolve_listen(listen, &ss, &sslen, &v6, err))
        return NULL;
    const struct config *c = app->config;
    struct http_server *s = xcalloc(1, sizeof *s);
    s->app = app;
    s->max_body = c->server.max_body > 0 ? (size_t)c->server.max_body : 1024 * 1024;
    s->grace_ms = c->server.shutdown_grace;
    s->tls = listen && c->server.tls.cert_file && c->server.tls.key_file;
    if (s->tls && MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
        error_set(err, ERR_UNAVAILABLE, "server.tls: this libmicrohttpd has no TLS support");
        free(s);
        return NULL;
    }
    if (s->tls && !tls_load(c->server.tls.cert_file, c->server.tls.key_file, err)) {
        free(s);
        return NULL;
    }
    s->guard = conn_guard_start(
        (struct conn_guard_limits){.header_ms = c->server.header_timeout,
                                   .body_ms = c->server.body_timeout,
                                   .idle_ms = c->server.idle_timeout,
                                   .per_address = c->server.max_connections_per_address,
                                   .min_body_rate = c->server.min_body_rate,
                                   .body_grace_ms = c->server.body_rate_grace,
                                   .tls = s->tls,
                                   .trusted = c->server.trusted_proxies.items,
                                   .ntrusted = c->server.trusted_proxies.count});
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned threads = (unsigned)(cpus > 0 ? cpus : 1) * POOL_THREADS_PER_CPU;
    threads = threads < POOL_MIN_THREADS ? POOL_MIN_THREADS : threads;
    threads = threads > POOL_MAX_THREADS ? POOL_MAX_THREADS : threads;
    unsigned limit = connection_limit(c);
    if (!listen)
        threads = 1;
    s->daemon = s->guard
                    ? start_daemon(s, c, v6, listen ? (struct sockaddr *)&ss : NULL, threads, limit)
                    : NULL;
    if (!s->daemon) {
        if (s->tls)
            error_set(err, ERR_UNAVAILABLE,
                      "listen: cannot serve HTTPS on %s (in use, or not allowed; see the log "
                      "above)",
                      listen);
        else
            error_set(err, ERR_UNAVAILABLE, "listen: cannot listen on %s (in use, or not allowed)",
                      listen ? listen : "(detached)");
        conn_guard_stop(s->guard);
        tls_unload();
        free(s);
        return NULL;
    }
    if (!listen)
        return s;
    log_info("http: listening on %s (%s) with %u threads; at most %u connections, %lld per "
             "address (%zu trusted proxy blocks exempt); deadlines: header %lld ms, body %lld ms "
             "(at least %lld bytes/s after %lld ms), idle %lld ms",
             listen, s->tls ? "HTTPS, TLS 1.2+" : "HTTP", threads, limit,
             (long long)c->server.max_connections_per_address, c->server.trusted_proxies.count,
             (long long)c->server.header_timeout, (long long)c->server.body_timeout,
             (long long)c->server.min_body_rate, (long long)c->server.body_rate_grace,
             (long long)c->server.idle_timeout);
    return s;
}

struct http_server *http_start(struct app *app, const char *listen, struct error *err)
{
    return start(app, listen, err);
}

struct http_server *http_start_detached(struct app *app, struct error *err)
{
    return start(app, NULL, err);
}

bool http_add_socket(struct http_server *s, int fd)
{
    struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    return MHD_add_connection(s->daemon, fd, (const struct sockaddr *)&peer, sizeof peer) ==
           MHD_YES;
}

/* SIGTERM: libmicrohttpd stops accepting (the listening socket stays open until the daemon
 * stops, as libmicrohttpd requires: connections in its backlog are then reset), and requests not
 * yet handled are answered 503 (reply_draining). libmicrohttpd must not be stopped with a
 * connection suspended: from now on a deferred write is waited for on its thread, and the ones
 * already suspended (each waits for one commit) are let finish, and every answer closes its
 * connection; the daemon stops once no connection is busy or changing for DRAIN_QUIET_MS, at
 * most server.shutdown_grace after SIGTERM.
 * Returns false when some are still waiting then: the daemon is left running (stopping it would
 * abort the process) and the caller exits without closing the store. */
bool http_stop(struct http_server *s)
{
    if (!s)
        return true;
    atomic_store(&s->draining, true);
    atomic_store(&mhd_stopping, true);
    MHD_socket lfd = MHD_quiesce_daemon(s->daemon);
    atomic_store(&s->stopping, true);
    double until = clock_mono_ms() + (double)s->grace_ms;
    /* every client still sending gets its answer (Connection: close from now on) before the
     * connections are closed: no request read and left unanswered */
    while ((atomic_load(&s->suspended) > 0 || !conn_guard_quiet(s->guard, DRAIN_QUIET_MS)) &&
           clock_mono_ms() < until)
        nanosleep(&(struct timespec){.tv_nsec = 1000000}, NULL);
    unsigned drained = atomic_load(&s->drained);
    if (drained)
        log_info("http: %u requests answered 503 while stopping", drained);
    if (atomic_load(&s->suspended) > 0) {
        log_error("http: %d requests still waiting for the store after server.shutdown_grace "
                  "(%lld ms): stopping without their answers",
                  atomic_load(&s->suspended), (long long)s->grace_ms);
        return false;
    }
    MHD_stop_daemon(s->daemon);
    if (lfd != MHD_INVALID_SOCKET)
        close(lfd);
    log_info("http: stopped (%llu connections closed at a deadline since start)",
             (unsigned long long)conn_guard_cut_count(s->guard));
    conn_guard_stop(s->guard);
    tls_unload();
    free(s);
    return true;
}

/* SIGHUP: the files of server.tls read again (a renewed certificate), for new connections. TLS
 * on or off, and other server.* keys, take a restart. */
void http_reload_tls(struct http_server *s, const struct config *c)
{
    if (!s || !s->tls)
        return;
    if (!c->server.tls.cert_file || !c->server.tls.key_file) {
        log_warn("http: TLS: server.tls was removed from the config; still serving HTTPS until "
                 "a restart");
        return;
    }
    struct error err = {0};
    if (!tls_load(c->server.tls.cert_file, c->server.tls.key_file, &err))
        log_error("http: TLS: cannot load the new certificate, the served one is kept: %s",
                  err.message);
}
