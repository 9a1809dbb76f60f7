/*
 * store/chatops: the front end of the chat outbox: the generated wrappers (failpoint, flags,
 * timing; see store_ops.h) over each backend's tables. Runs on the caller's thread.
 */
#include "store/chatops.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdlib.h>

STORE_OPS_FRONTEND(chat, STORE_CHAT_OPS);

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void store_chat_op_copy(struct store_chat_op *dst, const struct store_chat_op *src)
{
    *dst = *src;
    dst->incident_id = dup_or_null(src->incident_id);
    dst->kind = dup_or_null(src->kind);
    dst->data = dup_or_null(src->data);
    dst->status = dup_or_null(src->status);
    dst->last_error = dup_or_null(src->last_error);
}

void store_chat_op_free_fields(struct store_chat_op *op)
{
    char **fields[] = {&op->incident_id, &op->kind, &op->data, &op->status, &op->last_error};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}

void store_chat_channel_free_fields(struct store_chat_channel *ch)
{
    char **fields[] = {&ch->incident_id, &ch->provider,   &ch->mode,
                       &ch->name,        &ch->channel_id, &ch->thread_ts};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}
