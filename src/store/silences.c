/*
 * store/silences: the front end of silences: the generated wrappers (failpoint, flags, timing; see
 * store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/silences.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(silence, STORE_SILENCE_OPS);
