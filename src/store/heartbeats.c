/*
 * store/heartbeats: the front end of heartbeats: the generated wrappers (failpoint, flags, timing;
 * see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/heartbeats.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(heartbeat, STORE_HEARTBEAT_OPS);
