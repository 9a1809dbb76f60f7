/*
 * store/maintenances: the front end of maintenance windows: the generated wrappers (failpoint,
 * flags, timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/maintenances.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(maintenance, STORE_MAINTENANCE_OPS);
