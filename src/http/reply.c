/*
 * reply: how handlers answer. JSON bodies, the one error shape
 * {"error":{"code","message"}}, extra headers, and small request accessors.
 * Each reply_* stores the answer in the request; server.c sends it once the handler returns.
 */
#include "http/http.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/netaddr.h"
#include "util/utf8.h"

#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

void reply_raw(struct request *r, int status, const char *content_type, char *body, size_t len)
{
    if (r->replied) {
        log_error("http: %s %s answered twice (%d, then %d)", r->method, r->path, r->status,
                  status);
        free(body);
        return;
    }
    r->replied = true;
    r->status = status;
    r->content_type = content_type;
    r->resp = body;
    r->resp_len = len;
}

void reply_json(struct request *r, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        reply_error(r, ERR_INTERNAL, "internal: cannot encode the response");
        return;
    }
    size_t n = strlen(text);
    text[n] = '\0';
    /* a trailing newline keeps terminals and curl output tidy */
    char *withnl = xrealloc(text, n + 2);
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    reply_raw(r, status, "application/json", withnl, n + 1);
}

void reply_error(struct request *r, enum result code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_repair(msg); /* messages echo client input (paths, values): they must encode */
    if (code == ERR_INTERNAL || code == ERR_UNAVAILABLE)
        log_error("http: %s %s -> %s: %s", r->method, r->path, result_name(code), msg);
    json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", result_name(code), "message", msg);
    reply_json(r, result_http_status(code), body);
}

void reply_from_error(struct request *r, const struct error *err)
{
    enum result code = err->code == OK ? ERR_INTERNAL : err->code;
    reply_error(r, code, "%s", err->message[0] ? err->message : result_name(code));
}

void reply_header(struct request *r, const char *name, const char *value)
{
    if (r->nheaders >= HTTP_MAX_HEADERS) {
        log_error("http: too many response headers for %s", r->path);
        return;
    }
    r->headers[r->nheaders].name = name;
    r->headers[r->nheaders].value = xstrdup(value);
    r->nheaders++;
}

/* A value of r->query (router_call's own query string), copied into the request's scratch
 * space so it stays valid for the request; NULL when absent. */
static const char *query_value(struct request *r, const char *key)
{
    size_t kl = strlen(key);
    for (const char *p = r->query; p && *p;) {
        const char *end = strchr(p, '&');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (len > kl && strncmp(p, key, kl) == 0 && p[kl] == '=' &&
            len - kl - 1 < sizeof r->query_values[0]) {
            char *v = r->query_values[r->query_next++ % 4];
            memcpy(v, p + kl + 1, len - kl - 1);
            v[len - kl - 1] = '\0';
            return v;
        }
        p = end ? end + 1 : NULL;
    }
    return NULL;
}

const char *request_query(struct request *r, const char *key)
{
    if (!r->conn)
        return query_value(r, key);
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *request_header(struct request *r, const char *name)
{
    if (!r->conn)
        return NULL;
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}

const char *request_cookie(struct request *r, const char *name)
{
    if (!r->conn)
        return NULL;
    return MHD_lookup_connection_value(r->conn, MHD_COOKIE_KIND, name);
}

/* Every X-Forwarded-For header's value, joined by commas in their order. */
struct xff {
    struct buf b;
    bool overflow; /* some value did not fit: none of it is believed */
};

static enum MHD_Result join_xff(void *cls, enum MHD_ValueKind kind, const char *key,
                                const char *value)
{
    (void)kind;
    struct xff *x = cls;
    if (strcasecmp(key, "X-Forwarded-For") != 0 || !value)
        return MHD_YES;
    if ((x->b.len && buf_append(&x->b, ",", 1) != BUF_OK) ||
        buf_append(&x->b, value, strlen(value)) != BUF_OK) {
        /* a cut list would drop the proxy's own (rightmost) hop and let the client's
         * forged one be taken as the client: the peer answers for itself instead */
        x->overflow = true;
        return MHD_NO;
    }
    return MHD_YES;
}

void request_peer(struct request *r, char *out, size_t n)
{
    const union MHD_ConnectionInfo *ci =
        r->conn ? MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS) : NULL;
    struct net_addr peer, client;
    if (!ci || !net_addr_from_sockaddr(ci->client_addr, &peer)) {
        snprintf(out, n, "unknown");
        return;
    }
    client = peer;
    const struct string_list *trusted = r->config ? &r->config->server.trusted_proxies : NULL;
    /* only a trusted proxy's X-Forwarded-For is believed (docs/security.md "Behind a proxy") */
    if (trusted && trusted->count &&
        net_cidr_list_contains(trusted->items, trusted->count, &peer)) {
        struct xff xff = {.overflow = false};
        buf_init(&xff.b, 16384);
        MHD_get_connection_values(r->conn, MHD_HEADER_KIND, join_xff, &xff);
        if (xff.overflow) {
            static _Atomic int64_t last_warned; /* one line a minute at most */
            int64_t t = (int64_t)time(NULL);
            if (t - last_warned >= 60) {
                last_warned = t;
                log_warn("http: X-Forwarded-For over 16 KiB from a trusted proxy: ignored, the "
                         "proxy's own address stands for the client");
            }
        } else if (xff.b.len)
            net_forwarded_client(xff.b.data, trusted->items, trusted->count, &peer, &client);
        buf_free(&xff.b);
    }
    net_addr_format(&client, out, n);
}
