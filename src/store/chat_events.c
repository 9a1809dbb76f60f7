/*
 * store/chat_events: the front end of the chat events taken in: the generated wrappers
 * (failpoint, flags, timing; see store_ops.h) over each backend's table. Caller's thread.
 */
#include "store/chat_events.h"
#include "util/clock.h"
#include "util/log.h"

STORE_OPS_FRONTEND(chat_event, STORE_CHAT_EVENT_OPS);
