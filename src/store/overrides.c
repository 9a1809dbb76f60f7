/*
 * store/overrides: the front end of on-call overrides: the generated wrappers (failpoint, flags,
 * timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/overrides.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(override, STORE_OVERRIDE_OPS);
