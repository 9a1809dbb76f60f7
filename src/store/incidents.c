/*
 * store/incidents: the front end of incidents and counters: the generated wrappers (failpoint,
 * flags, timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/incidents.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(incident, STORE_INCIDENT_OPS);
