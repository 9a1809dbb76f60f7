/*
 * conn_guard: what keeps a slow or hostile client from holding the server's connections
 * (docs/security.md, "Connections"). libmicrohttpd's own timeout is an idle timeout: it is reset
 * by every byte, so a client that sends one byte now and then (slowloris) keeps its connection
 * for ever. The guard gives each connection an absolute deadline for the phase it is in:
 *   header: from accept to the end of the first request header;
 *   body:   from the end of the header to the end of the body;
 *   busy:   none (the request is being handled or answered; the idle timeout still applies);
 *   idle:   a kept-alive connection after an answer: its next header by the idle timeout.
 * A reaper thread (monotonic clock, every 100 ms) shuts down the socket of a connection past its
 * deadline; libmicrohttpd then reads the end of the stream and closes the connection itself (the
 * guard never closes a descriptor, so it cannot close one reused by another connection: entries
 * leave the list, under its lock, in the CLOSED notification, before libmicrohttpd closes it).
 *
 * A body must also come at server.min_body_rate (bytes/s, averaged from the end of the header)
 * once server.body_rate_grace has passed: a slower one is cut like one past its deadline. A body
 * cut (deadline or rate) is answered `408 Request Timeout` first on plain HTTP (the reaper writes
 * the few bytes itself: libmicrohttpd writes nothing while it reads a body); over TLS it is only
 * cut.
 *
 * The per-address connection limit is kept here too (not by libmicrohttpd's own, which cannot
 * exempt anyone): an accept policy refuses a connection from an address that already holds
 * max_connections_per_address, and the count is kept exact in the STARTED/CLOSED notifications.
 * A trusted proxy (server.trusted_proxies) is exempt: its connections carry many clients, and
 * the global limit still bounds them (docs/security.md, "Behind a proxy").
 *
 * Also here: libmicrohttpd's error log, rate limited (one line per message per second, with a
 * count of the ones dropped), so an accept failing in a loop cannot fill the disk.
 *
 * Threads: the notify and phase functions run on libmicrohttpd's pool threads; the reaper on its
 * own; one mutex guards the list.
 */
#ifndef TOCSIN_HTTP_CONN_GUARD_H
#define TOCSIN_HTTP_CONN_GUARD_H

#include <microhttpd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

struct conn_guard_limits {
    int64_t header_ms, body_ms, idle_ms;
    int64_t per_address;                  /* 0: no per-address limit */
    int64_t min_body_rate, body_grace_ms; /* bytes/s (0: off), ms */
    bool tls;                             /* no plain 408 written on a TLS connection */
    char *const *trusted;                 /* CIDR blocks exempt from per_address (copied) */
    size_t ntrusted;
};

struct conn_guard;
struct conn_guard *conn_guard_start(struct conn_guard_limits lim);
/* After MHD_stop_daemon (which notifies every connection closed). */
void conn_guard_stop(struct conn_guard *g);

/* The accept policy (MHD_start_daemon's apc), cls = the guard: MHD_NO for an untrusted address
 * that already holds per_address connections. */
enum MHD_Result conn_guard_accept(void *cls, const struct sockaddr *addr, socklen_t addrlen);
/* MHD_OPTION_NOTIFY_CONNECTION, cls = the guard. */
void conn_guard_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                       enum MHD_ConnectionNotificationCode code);
/* The header of a request is complete (the first call of the access handler). */
void conn_guard_header_done(struct MHD_Connection *conn);
/* n more bytes of its body arrived (for server.min_body_rate). */
void conn_guard_body_bytes(struct MHD_Connection *conn, size_t n);
/* Its body is complete: the request is handled now, without a deadline. */
void conn_guard_body_done(struct MHD_Connection *conn);
/* Its answer was sent (or the request ended): a kept-alive connection waits for the next one. */
void conn_guard_request_done(struct MHD_Connection *conn);
/* No connection is reading a body or handling a request, and none has started, changed phase
 * or closed for quiet_ms (shutdown: the clients still sending have had their answers). */
bool conn_guard_quiet(struct conn_guard *g, double quiet_ms);
/* Connections closed at a deadline since start (for tests and the log). */
uint64_t conn_guard_cut_count(struct conn_guard *g);
/* Connections refused over the per-address limit since start. */
uint64_t conn_guard_refused_count(struct conn_guard *g);

/* MHD_OPTION_EXTERNAL_LOGGER, cls NULL: libmicrohttpd's messages into the log, each message
 * (by its format) at most once a second, with the count of those dropped since. */
void conn_guard_mhd_log(void *cls, const char *fmt, va_list ap);

/* The connection limit for a process allowed `nofile` descriptors: `configured` when it is set
 * and fits, else nofile less a reserve for the store, outgoing requests and files (an eighth,
 * at least 256, at most 4096), at most 16384 when not configured. *clamped tells a configured
 * value was lowered. */
unsigned conn_guard_connection_limit(int64_t configured, uint64_t nofile, bool *clamped);

#endif
