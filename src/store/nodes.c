/*
 * store/nodes: the front end of the nodes' shared state: the generated wrappers (failpoint,
 * flags, timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/nodes.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(node, STORE_NODE_OPS);
