/*
 * store/timeline: the front end of the timeline: the generated wrappers (failpoint, flags, timing;
 * see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/timeline.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(timeline, STORE_TIMELINE_OPS);
