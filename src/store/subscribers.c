/*
 * store/subscribers: the front end of status page subscribers: the generated wrappers
 * (failpoint, flags, timing; see store_ops.h) over each backend's table. Runs on the caller's
 * thread.
 */
#include "store/subscribers.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(subscriber, STORE_SUBSCRIBER_OPS);
