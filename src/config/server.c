/*
 * config_server: the `server:` section (listen address, public URL, request body cap, connection
 * limits and deadlines, TLS) and its defaults: listen 127.0.0.1:8080, public_url http:// (https://
 * with TLS) + listen, max_body 1 MiB, 64 connections per address, header 10 s, body 60 s, idle
 * 30 s, shutdown grace 5 s, a body at least 1 KiB/s after 10 s, no trusted proxies
 * (docs/config.md, docs/security.md).
 * Invariants: after loading, listen and public_url are never NULL. Ownership: the strings belong
 * to the config. Threads: none (tables and hooks run inside one config_load).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"
#include "util/netaddr.h"
#include "util/num.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum {
    DEFAULT_MAX_BODY = 1024 * 1024,
    DEFAULT_PER_ADDRESS = 64,
    DEFAULT_HEADER_TIMEOUT_MS = 10000,
    DEFAULT_BODY_TIMEOUT_MS = 60000,
    DEFAULT_IDLE_TIMEOUT_MS = 30000,
    DEFAULT_SHUTDOWN_GRACE_MS = 5000,
    DEFAULT_MIN_BODY_RATE = 1024,
    DEFAULT_BODY_RATE_GRACE_MS = 10000,
    MAX_TIMEOUT_MS = 3600 * 1000
};

static const char *check_listen(const char *s)
{
    static const char reason[] = "is not HOST:PORT with a port from 1 to 65535";
    const char *colon = strrchr(s, ':');
    if (!colon || colon == s)
        return reason;
    size_t hostlen = (size_t)(colon - s);
    bool bracketed = s[0] == '[' && hostlen > 2 && s[hostlen - 1] == ']';
    if (!bracketed && memchr(s, ':', hostlen))
        return "is not HOST:PORT (write an IPv6 address in brackets: [::1]:8080)";
    for (size_t i = 0; i < hostlen; i++)
        if ((unsigned char)s[i] <= ' ' || s[i] == '/')
            return reason;
    int64_t port;
    if (num_parse_i64(colon + 1, 1, 65535, &port) != 0 || !isdigit((unsigned char)colon[1]))
        return reason;
    return NULL;
}

static const char *check_cidr(const char *s)
{
    struct net_cidr c;
    return net_cidr_parse(s, &c);
}

static const struct cfg_field tls_fields[] = {
    FLD(struct config, "cert_file", server.tls.cert_file, CFG_STR),
    FLD(struct config, "key_file", server.tls.key_file, CFG_STR),
};
static const struct cfg_spec tls_spec = {
    .line_off = NO_OFF, FIELDS(tls_fields), .uniq_off = NO_OFF};

static const struct cfg_field server_fields[] = {
    FLD(struct config, "listen", server.listen, CFG_STR, .check = check_listen),
    FLD(struct config, "public_url", server.public_url, CFG_STR,
        .check = config_parse_check_http_url),
    FLD(struct config, "max_body", server.max_body, CFG_SIZE, .min = 1,
        .max = 1024LL * 1024 * 1024),
    FLD(struct config, "max_connections", server.max_connections, CFG_INT64, .min = 0,
        .max = 1000000),
    FLD(struct config, "max_connections_per_address", server.max_connections_per_address, CFG_INT64,
        .min = 0, .max = 1000000),
    FLD(struct config, "header_timeout", server.header_timeout, CFG_DURATION, .min = 100,
        .max = MAX_TIMEOUT_MS),
    FLD(struct config, "body_timeout", server.body_timeout, CFG_DURATION, .min = 100,
        .max = MAX_TIMEOUT_MS),
    FLD(struct config, "idle_timeout", server.idle_timeout, CFG_DURATION, .min = 1000,
        .max = MAX_TIMEOUT_MS),
    FLD(struct config, "shutdown_grace", server.shutdown_grace, CFG_DURATION, .min = 0,
        .max = 300000),
    FLD(struct config, "min_body_rate", server.min_body_rate, CFG_SIZE, .min = 0,
        .max = 1024LL * 1024 * 1024),
    FLD(struct config, "body_rate_grace", server.body_rate_grace, CFG_DURATION, .min = 0,
        .max = MAX_TIMEOUT_MS),
    FLD(struct config, "trusted_proxies", server.trusted_proxies, CFG_STRLIST, .unique = true,
        .check = check_cidr),
    {.key = "tls", .type = CFG_MAP, .off = 0, .sub = &tls_spec},
};
static const struct cfg_spec server_spec = {
    .line_off = NO_OFF, FIELDS(server_fields), .uniq_off = NO_OFF};

static void server_defaults(struct config *c)
{
    c->server.max_body = DEFAULT_MAX_BODY;
    c->server.max_connections_per_address = DEFAULT_PER_ADDRESS;
    c->server.header_timeout = DEFAULT_HEADER_TIMEOUT_MS;
    c->server.body_timeout = DEFAULT_BODY_TIMEOUT_MS;
    c->server.idle_timeout = DEFAULT_IDLE_TIMEOUT_MS;
    c->server.shutdown_grace = DEFAULT_SHUTDOWN_GRACE_MS;
    c->server.min_body_rate = DEFAULT_MIN_BODY_RATE;
    c->server.body_rate_grace = DEFAULT_BODY_RATE_GRACE_MS;
}

static void server_finish(struct cfg_ctx *ctx, const struct yaml_tree_node *root, struct config *c)
{
    if (!c->server.listen)
        c->server.listen = xstrdup("127.0.0.1:8080");
    bool tls = c->server.tls.cert_file || c->server.tls.key_file;
    if (tls && !(c->server.tls.cert_file && c->server.tls.key_file)) {
        const struct yaml_tree_node *srv = root ? yaml_tree_map_get(root, "server") : NULL;
        config_parse_error(ctx, srv ? srv->line : 0,
                           "server.tls: give both cert_file and key_file (or neither)");
    }
    if (!c->server.public_url) {
        size_t len = strlen(c->server.listen) + sizeof "https://";
        c->server.public_url = xmalloc(len);
        snprintf(c->server.public_url, len, "%s://%s", tls ? "https" : "http", c->server.listen);
    }
}

const struct cfg_section config_section_server = {
    .field = CFG_SECTION_MAP("server", server_spec),
    .defaults = server_defaults,
    .finish = server_finish,
};
