/*
 * store/sessions: the front end of the UI's logins and sessions: the generated wrappers
 * (failpoint, flags, timing; see store_ops.h) over each backend's table. Runs on the caller's
 * thread.
 */
#include "store/sessions.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(session, STORE_SESSION_OPS);
