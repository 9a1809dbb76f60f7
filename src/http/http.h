/*
 * http: the request/response types shared by the server (server.c), the route table (router.c),
 * authentication (auth.c), replies (reply.c) and the resource handlers (src/api/).
 *
 * A request is handled on one libmicrohttpd pool thread from start to end. The handler reads
 * `struct request`, and answers exactly once through a reply_* function; functions named
 * ..._or_reply have already answered when they return false/non-OK.
 */
#ifndef TOCSIN_HTTP_H
#define TOCSIN_HTTP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "app/app.h"
#include "util/result.h"
#include "store/credentials.h"

enum access { ACCESS_PUBLIC, ACCESS_VIEWER, ACCESS_RESPONDER, ACCESS_ADMIN };

/* HTTP_PARAM_MAX: a path segment, NUL included; ack-link tokens (notify/acklink.h) need 220. */
enum { HTTP_MAX_PARAMS = 4, HTTP_PARAM_MAX = 256, HTTP_MAX_HEADERS = 10 };

struct principal {
    bool authenticated;
    enum access access;
    char token_id[32];
    char name[80];
    char actor[96]; /* "token:<name>", what the timeline records */
};

struct request {
    struct app *app;
    void *conn; /* struct MHD_Connection *; NULL for a call made by router_call's caller */
    /* router_call only: the query string the handler sees ("status=all&limit=5", not
     * URL-encoded), instead of the connection's; its headers are then none */
    const char *query;
    char query_values[4][128]; /* request_query's answers from `query` (the last four) */
    int query_next;
    const char *method;
    const char *path;
    const char *body;
    size_t body_len;
    char params[HTTP_MAX_PARAMS][HTTP_PARAM_MAX];
    int nparams;
    int route; /* index in the route table, -1 when none matched */
    struct principal who;
    struct config *config; /* reference held for the request */

    /* the answer */
    bool replied;
    int status;
    char *resp;
    size_t resp_len;
    const char *content_type;
    struct {
        const char *name;
        char *value;
    } headers[HTTP_MAX_HEADERS];
    int nheaders;
};

typedef void (*http_handler)(struct request *r);

struct route {
    const char *method;
    const char *pattern; /* "/api/v1/incidents/{id}/ack": {x} matches one segment */
    http_handler handler;
    enum access access;
    const char *name; /* label for metrics */
};

/* A resource's routes: each src/api/<name>.c ends with HTTP_ROUTES(<name>, its static table), and
 * src/api/resources.def lists the resources; router.c puts their tables together, in that order. */
struct route_set {
    const struct route *routes;
    size_t count;
};
#define HTTP_ROUTES(name, table)                                                                   \
    const struct route_set api_routes_##name = {table, sizeof table / sizeof table[0]}

/* router.c. Routes are numbered in table order (resources.def, then each file's order): that
 * number is request.route and the metrics index. */
size_t router_route_count(void);
const struct route *router_route(size_t i); /* i < router_route_count() */
/* Matches path against a pattern, capturing each {x} segment into r->params (r->nparams). */
bool router_match(const char *pattern, const char *path, struct request *r);
void router_dispatch(struct request *r);
/* router_dispatch for a request made on behalf of a principal already authenticated by its
 * caller (r->who: the web UI's session, api/ui_common.c): the route's role is checked against
 * r->who.access exactly as for a token (403 naming both roles); no bearer token is read. */
void router_call(struct request *r);

/* reply.c */
void reply_json(struct request *r, int status, json_t *body); /* steals body */
void reply_error(struct request *r, enum result code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void reply_from_error(struct request *r, const struct error *err);
void reply_raw(struct request *r, int status, const char *content_type, char *body, size_t len);
void reply_header(struct request *r, const char *name, const char *value);
const char *request_query(struct request *r, const char *key);
const char *request_header(struct request *r, const char *name);
const char *request_cookie(struct request *r, const char *name);
/* The client's IP address as text ("127.0.0.1", "::1"); "unknown" when it cannot be read. */
void request_peer(struct request *r, char *out, size_t n);

/* auth.c */
bool auth_or_reply(struct request *r, enum access need);
/* auth_or_reply for a calendar feed: the token may also be the query parameter `token` (calendar
 * apps cannot send an Authorization header). Only the .ics route uses it; its route is
 * ACCESS_PUBLIC in the table and the handler calls this first. */
bool auth_feed_or_reply(struct request *r, enum access need);
const char *access_name(enum access a);
int access_parse(const char *name); /* -1 when unknown (public is not a token role) */
/* Ingest routes: checks an integration key (32 hex) and its type ("alertmanager", ...), without
 * replying: ERR_UNAUTHORIZED for an unknown or revoked key, ERR_FORBIDDEN for a user token or a
 * key of another type. On OK *out holds the integration key (store_credential_free_fields) and
 * r->who.actor is "integration:NAME". */
enum result auth_integration(struct request *r, const char *key, const char *type,
                             struct store_credential *out, struct error *err);
/* The bearer token of the request, or NULL. */
const char *auth_bearer(struct request *r);
/* First start: when no token exists, creates an admin token, writes DATA/admin.token (0600) and
 * prints it once. */
enum result auth_bootstrap(struct app *app, struct error *err);

/* server.c */
struct http_server;
struct http_server *http_start(struct app *app, const char *listen, struct error *err);
/* The same server without a listening socket (plain HTTP, one thread): connections are handed
 * in with http_add_socket. For the HTTP fuzz target (tests/fuzz/fuzz_http.c). */
struct http_server *http_start_detached(struct app *app, struct error *err);
/* Serves an already connected stream socket (owned by the server from now on) as a client at
 * 127.0.0.1; false when libmicrohttpd refused it (it is closed then). */
bool http_add_socket(struct http_server *s, int fd);
/* false: requests were still waiting for the store after server.shutdown_grace (the caller
 * should exit at once: the daemon still runs) */
bool http_stop(struct http_server *s);
/* SIGHUP: HTTPS reads server.tls's files again (new connections use them); logs a failure and
 * keeps the served pair. A no-op without TLS. */
void http_reload_tls(struct http_server *s, const struct config *c);

#endif
