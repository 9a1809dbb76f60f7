/*
 * config_server: the `server:` section (listen address, public URL, request body cap) and its
 * defaults: listen 127.0.0.1:8080, public_url http:// + listen, max_body 1 MiB.
 * Invariants: after loading, listen and public_url are never NULL. Ownership: the strings belong
 * to the config. Threads: none (tables and hooks run inside one config_load).
 */
#include "config/config.h"
#include "config/section.h"
#include "util/log.h"
#include "util/num.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

enum { DEFAULT_MAX_BODY = 1024 * 1024 };

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

static const struct cfg_field server_fields[] = {
    FLD(struct config, "listen", server.listen, CFG_STR, .check = check_listen),
    FLD(struct config, "public_url", server.public_url, CFG_STR,
        .check = config_parse_check_http_url),
    FLD(struct config, "max_body", server.max_body, CFG_SIZE, .min = 1,
        .max = 1024LL * 1024 * 1024),
};
static const struct cfg_spec server_spec = {
    .line_off = NO_OFF, FIELDS(server_fields), .uniq_off = NO_OFF};

static void server_defaults(struct config *c)
{
    c->server.max_body = DEFAULT_MAX_BODY;
}

static void server_finish(struct cfg_ctx *ctx, const struct yaml_tree_node *root, struct config *c)
{
    if (!c->server.listen)
        c->server.listen = xstrdup("127.0.0.1:8080");
    if (!c->server.public_url) {
        size_t len = strlen(c->server.listen) + sizeof "http://";
        c->server.public_url = xmalloc(len);
        snprintf(c->server.public_url, len, "http://%s", c->server.listen);
    }
}

const struct cfg_section config_section_server = {
    .field = CFG_SECTION_MAP("server", server_spec),
    .defaults = server_defaults,
    .finish = server_finish,
};
