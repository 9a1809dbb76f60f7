/*
 * store/probes: the front end of probe results: the generated wrappers (failpoint, flags, timing;
 * see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/probes.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(probe, STORE_PROBE_OPS);
