/*
 * store/credentials: the front end of tokens and integration keys: the generated wrappers
 * (failpoint, flags, timing; see store_ops.h) over each backend's table. Runs on the caller's
 * thread.
 */
#include "store/credentials.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdlib.h>
STORE_OPS_FRONTEND(credential, STORE_CREDENTIAL_OPS);

void store_credential_free_fields(struct store_credential *cr)
{
    free(cr->name);
    free(cr->role);
    free(cr->service);
    free(cr->type);
    cr->name = cr->role = cr->service = cr->type = NULL;
}

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void store_credential_copy(const struct store_credential *from, struct store_credential *to)
{
    *to = *from;
    to->name = dup_or_null(from->name);
    to->role = dup_or_null(from->role);
    to->service = dup_or_null(from->service);
    to->type = dup_or_null(from->type);
}
