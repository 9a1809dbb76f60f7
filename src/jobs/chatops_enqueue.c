/*
 * chatops_enqueue: the chat outbox's producer (see chatops_enqueue.h).
 */
#include "jobs/chatops_enqueue.h"
#include "store/chatops.h"
#include "util/log.h"

#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

static atomic_bool enabled;

void chatops_enqueue_enable(bool on)
{
    atomic_store(&enabled, on);
}

bool chatops_enqueue_enabled(void)
{
    return atomic_load(&enabled);
}

bool chatops_kind_wanted(const char *kind)
{
    static const char *const kinds[] = {"incident.declared",       "incident.acknowledged",
                                        "incident.resolved",       "incident.reopened",
                                        "incident.status_changed", "incident.closed",
                                        "incident.role_assigned",  "incident.severity_changed",
                                        "escalation.step",         NULL};
    for (size_t i = 0; kinds[i]; i++)
        if (strcmp(kinds[i], kind) == 0)
            return true;
    return false;
}

enum result chatops_enqueue(struct store_conn *tx, int64_t now, const char *actor, const char *kind,
                            const char *incident_id, const json_t *data, struct error *err)
{
    if (!incident_id || !incident_id[0] || !chatops_enqueue_enabled() || !chatops_kind_wanted(kind))
        return OK;
    json_t *o = json_pack("{s:s,s:O}", "actor", actor ? actor : "tocsin", "data", data);
    char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;
    json_decref(o);
    if (!text)
        return error_set(err, ERR_INTERNAL, "chatops: cannot encode the op");
    struct store_chat_op op = {.incident_id = (char *)incident_id,
                               .kind = (char *)kind,
                               .data = text,
                               .next_attempt_at = now,
                               .created_at = now};
    int64_t id = 0;
    enum result result = store_chat_op_insert(tx, &op, &id);
    free(text);
    return result == OK ? OK : error_set(err, result, "store: cannot queue the chat op");
}
