/*
 * store/postmortems: the front end of post-mortems: the generated wrappers (failpoint, flags,
 * timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/postmortems.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(postmortem, STORE_POSTMORTEM_OPS);
