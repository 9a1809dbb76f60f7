/*
 * api/nodes: GET /api/v1/nodes (viewer): the tocsin nodes sharing this store, each with its last
 * heartbeat (wall clock), whether it is alive (a heartbeat within NODE_ALIVE_MS), and what it
 * holds (the notification rows it has claimed and not yet recorded). docs/internals/multinode.md.
 */
#include "api/api.h"
#include "runtime/cluster.h"
#include "store/nodes.h"

#include <string.h>

enum { NODE_ALIVE_MS = 3 * CLUSTER_BEAT_MS };

struct node_list {
    json_t *arr;
    const char *self;
    int64_t wall;
};

static int add_node(const struct store_node *n, void *arg)
{
    struct node_list *l = arg;
    int64_t age = l->wall - n->heartbeat_at;
    json_t *o = json_pack("{s:s,s:I,s:s,s:b,s:b,s:I,s:I}", "id", n->id, "pid", (json_int_t)n->pid,
                          "version", n->version, "self", strcmp(n->id, l->self) == 0, "alive",
                          age < NODE_ALIVE_MS, "heartbeat_age_ms", (json_int_t)(age > 0 ? age : 0),
                          "claims", (json_int_t)n->claims);
    json_object_set_new(o, "started_at", api_time(n->started_at));
    json_object_set_new(o, "last_heartbeat", api_time(n->heartbeat_at));
    json_array_append_new(l->arr, o);
    return 0;
}

static void api_nodes(struct request *r)
{
    struct error err = {0};
    struct store_conn *c = store_reader(r->app->store, &err);
    struct node_list l = {.arr = json_array(),
                          .self = r->app->node_id ? r->app->node_id : "",
                          .wall = clock_now(clock_real())};
    enum result result =
        c ? store_node_list(c, clock_now(r->app->clock), add_node, &l) : ERR_UNAVAILABLE;
    if (result != OK) {
        json_decref(l.arr);
        reply_error(r, result, "store: cannot read the nodes");
        return;
    }
    reply_json(r, 200,
               json_pack("{s:o,s:s,s:s}", "nodes", l.arr, "self", l.self, "store",
                         store_driver(r->app->store)));
}

static const struct route routes[] = {
    {"GET", "/api/v1/nodes", api_nodes, ACCESS_VIEWER, "nodes"},
};
HTTP_ROUTES(nodes, routes);
