/*
 * store/credentials: the front end of tokens and integration keys: the generated wrappers
 * (failpoint, flags, timing; see store_ops.h) over each backend's table. Runs on the caller's
 * thread.
 */
#include "store/credentials.h"
#include "util/clock.h"

#include <stdlib.h>
STORE_OPS_FRONTEND(credential, STORE_CREDENTIAL_OPS);

void store_token_free_fields(struct store_token *t)
{
    free(t->name);
    free(t->role);
    t->name = t->role = NULL;
}

void store_integration_free_fields(struct store_integration *i)
{
    free(i->name);
    free(i->service);
    free(i->type);
    i->name = i->service = i->type = NULL;
}
