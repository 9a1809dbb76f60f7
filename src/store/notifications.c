/*
 * store/notifications: the front end of the notification outbox: the generated wrappers (failpoint,
 * flags, timing; see store_ops.h) over each backend's table. Runs on the caller's thread.
 */
#include "store/notifications.h"
#include "util/clock.h"

#include "util/log.h"

#include <stdlib.h>
STORE_OPS_FRONTEND(notification, STORE_NOTIFICATION_OPS);

static char *dup_or_null(const char *s)
{
    return s ? xstrdup(s) : NULL;
}

void store_notification_copy(struct store_notification *dst, const struct store_notification *src)
{
    *dst = *src;
    dst->incident_id = dup_or_null(src->incident_id);
    dst->kind = dup_or_null(src->kind);
    dst->dkey = dup_or_null(src->dkey);
    dst->user_id = dup_or_null(src->user_id);
    dst->method = dup_or_null(src->method);
    dst->address = dup_or_null(src->address);
    dst->subject = dup_or_null(src->subject);
    dst->body = dup_or_null(src->body);
    dst->status = dup_or_null(src->status);
    dst->last_error = dup_or_null(src->last_error);
    dst->reason = dup_or_null(src->reason);
}

void store_notification_free_fields(struct store_notification *n)
{
    char **fields[] = {&n->incident_id, &n->kind,       &n->dkey,    &n->user_id,
                       &n->method,      &n->address,    &n->subject, &n->body,
                       &n->status,      &n->last_error, &n->reason};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        free(*fields[i]);
        *fields[i] = NULL;
    }
}
