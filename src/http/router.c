/*
 * router: the route table (a table, not an if-chain) and dispatch: match the path, pick the
 * method (405 with Allow when only the method is wrong), check the role, call the handler.
 * The table is put together from each API resource's own routes (src/api/resources.def lists
 * the resources; each src/api/<name>.c declares its routes with HTTP_ROUTES).
 * Patterns are literal segments and {name} for one segment; captured values go to r->params in
 * order. Runs on request threads; the table is constant.
 */
#include "http/http.h"

#include "util/log.h"

#include <pthread.h>
#include <stdio.h>
#include <string.h>

#define API_RESOURCE(name) extern const struct route_set api_routes_##name;
#include "api/resources.def"
#undef API_RESOURCE

static const struct route_set *const sets[] = {
#define API_RESOURCE(name) &api_routes_##name,
#include "api/resources.def"
#undef API_RESOURCE
};
enum { NSETS = sizeof sets / sizeof sets[0] };

/* The flat table: every resource's routes, in order. Built once, before the server starts (serve
 * calls router_route_count first), and never changed: request threads only read it. */
static const struct route **table;
static size_t table_count;
static pthread_once_t table_once = PTHREAD_ONCE_INIT;

static void table_build(void)
{
    size_t n = 0;
    for (size_t i = 0; i < NSETS; i++)
        n += sets[i]->count;
    table = xcalloc(n, sizeof *table);
    for (size_t i = 0; i < NSETS; i++)
        for (size_t j = 0; j < sets[i]->count; j++)
            table[table_count++] = &sets[i]->routes[j];
}

size_t router_route_count(void)
{
    pthread_once(&table_once, table_build);
    return table_count;
}

const struct route *router_route(size_t i)
{
    pthread_once(&table_once, table_build);
    return table[i];
}

bool router_match(const char *pattern, const char *path, struct request *r)
{
    int n = 0;
    const char *p = pattern, *s = path;
    while (*p && *s) {
        if (*p == '{') {
            const char *pe = strchr(p, '}');
            const char *se = strchr(s, '/');
            size_t len = se ? (size_t)(se - s) : strlen(s);
            if (!pe || len == 0 || len >= HTTP_PARAM_MAX || n >= HTTP_MAX_PARAMS)
                return false;
            memcpy(r->params[n], s, len);
            r->params[n][len] = '\0';
            n++;
            p = pe + 1;
            s += len;
            continue;
        }
        if (*p != *s)
            return false;
        p++;
        s++;
    }
    if (*p || *s)
        return false;
    r->nparams = n;
    return true;
}

/* as_principal: r->who is already authenticated (router_call): the table's role is checked
 * against it instead of reading a bearer token. */
static void dispatch(struct request *r, bool as_principal)
{
    char allow[64] = "";
    size_t used = 0;
    size_t n = router_route_count();
    for (size_t i = 0; i < n; i++) {
        const struct route *rt = table[i];
        if (!router_match(rt->pattern, r->path, r))
            continue;
        if (strcmp(rt->method, r->method) != 0) {
            int w =
                snprintf(allow + used, sizeof allow - used, "%s%s", used ? ", " : "", rt->method);
            if (w > 0 && (size_t)w < sizeof allow - used)
                used += (size_t)w;
            continue;
        }
        r->route = (int)i;
        if (as_principal && r->who.access < rt->access) {
            reply_error(r, ERR_FORBIDDEN, "authorization: role %s may not do this (needs %s)",
                        access_name(r->who.access), access_name(rt->access));
            return;
        }
        if (!as_principal && !auth_or_reply(r, rt->access))
            return;
        rt->handler(r);
        if (!r->replied)
            reply_error(r, ERR_INTERNAL, "internal: %s gave no answer", rt->name);
        return;
    }
    if (used) {
        reply_header(r, "Allow", allow);
        reply_error(r, ERR_BAD_REQUEST, "method: %s is not allowed on %s (allowed: %s)", r->method,
                    r->path, allow);
        r->status = 405;
        return;
    }
    reply_error(r, ERR_NOT_FOUND, "path: no route for %s %s", r->method, r->path);
}

void router_dispatch(struct request *r)
{
    dispatch(r, false);
}

void router_call(struct request *r)
{
    dispatch(r, true);
}
