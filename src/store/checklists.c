/*
 * store/checklists: the front end of checklist items: the generated wrappers (failpoint, flags,
 * timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/checklists.h"
#include "util/clock.h"

STORE_OPS_FRONTEND(checklist, STORE_CHECKLIST_OPS);
