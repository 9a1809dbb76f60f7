/*
 * store/escalations: the front end of escalations and hand-offs: the generated wrappers (failpoint,
 * flags, timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/escalations.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(escalation, STORE_ESCALATION_OPS);
