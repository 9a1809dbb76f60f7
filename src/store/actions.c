/*
 * store/actions: the front end of action items: the generated wrappers (failpoint, flags,
 * timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/actions.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(action, STORE_ACTION_OPS);
