/*
 * stakeholders: each public update mailed to the severity's stakeholders (see stakeholders.h).
 */
#include "jobs/stakeholders.h"

#include <stdio.h>
#include <string.h>

#include "jobs/notify_enqueue.h"
#include "jobs/timeline.h"
#include "util/crypto.h"
#include "util/log.h"

enum result stakeholders_brief(struct store_conn *tx, const struct config *cfg,
                               const struct incident *inc, const char *message, const char *actor,
                               int64_t now, struct error *err)
{
    const struct config_severity *sev = config_severity_find(cfg, inc->severity);
    if (!sev || !sev->stakeholders.count)
        return OK;
    /* one per update: two updates in one millisecond differ by their text */
    char key[INCIDENT_ID_MAX + 64], h[SHA256_HEX_LEN];
    crypto_sha256_hex(message ? message : "", message ? strlen(message) : 0, h);
    snprintf(key, sizeof key, "briefing:%s:%lld:%.12s", inc->id, (long long)now, h);
    json_t *skipped = json_array();
    enum result result = OK;
    for (size_t i = 0; i < sev->stakeholders.count && result == OK; i++) {
        const char *user = sev->stakeholders.items[i];
        struct notify_message m = {.kind = NOTIFY_INFO,
                                   .key = key,
                                   .user = user,
                                   .inc = inc,
                                   .reason = "stakeholder briefing: a public update",
                                   .actor = actor,
                                   .note = message,
                                   .only_method = "email"};
        struct error e = {0};
        result = notify_enqueue(tx, cfg, &m, now, NULL, &e);
        if (result == ERR_UNPROCESSABLE) { /* no email address: said, not fatal */
            log_warn("stakeholders: %s of %s: %s", user, inc->id, e.message);
            json_array_append_new(skipped, json_pack("{s:s,s:s}", "user", user, "why", e.message));
            result = OK;
        } else if (result != OK)
            error_set(err, result, "%s", e.message);
    }
    if (result == OK && json_array_size(skipped))
        result = timeline_append(
            tx, now, actor ? actor : "system", "stakeholders.skipped", inc->id,
            json_pack("{s:s,s:O}", "severity", inc->severity, "users", skipped), NULL, err);
    json_decref(skipped);
    return result;
}
