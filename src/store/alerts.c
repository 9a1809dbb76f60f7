/*
 * store/alerts: the front end of alerts: the generated wrappers (failpoint, flags, timing; see
 * store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/alerts.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(alert, STORE_ALERT_OPS);
