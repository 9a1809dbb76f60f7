/*
 * channels/ticket: one ticket per incident in the ticket system (notify.ticket): POST JSON to its
 * url with the header "Idempotency-Key: tocsin-ticket-<incident id>" (the same for every attempt,
 * from any node, so the receiver creates the ticket once) and the body
 *   {"type":"incident.ticket","idempotency_key":"tocsin-ticket-INC-...","drill":false,
 *    "subject":"[SEV4] INC-...: title","message":"...","incident":{id,title,severity,status,
 *    service,url,drill}}
 * A severity whose `notify:` names `ticket` gets one such row per incident (jobs/notify_enqueue.c,
 * notify_enqueue_ticket); it pages nobody. Answers are classified like a webhook's.
 * Threads: the notifier thread.
 */
#include "channels/channel.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static enum result ticket_build(const struct notify_render *r, struct notify_request *out,
                                struct error *err)
{
    const struct config *cfg = r->cfg;
    const struct notify_item *lead = &r->items[0];
    if (!cfg->notify.ticket.url)
        return error_set(err, ERR_UNPROCESSABLE,
                         "ticket: no ticket webhook is configured (notify.ticket.url)");
    char key[INCIDENT_ID_MAX + 32], hdr[1200];
    snprintf(key, sizeof key, "tocsin-ticket-%s", lead->row.incident_id);
    json_t *body =
        json_pack("{s:s,s:s,s:b,s:s,s:s,s:o}", "type", "incident.ticket", "idempotency_key", key,
                  "drill", lead->inc && lead->inc->drill, "subject", lead->row.subject, "message",
                  lead->row.body, "incident", notify_incident_json(lead));
    out->body = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!out->body)
        return error_set(err, ERR_INTERNAL, "ticket: cannot encode the payload");
    out->body_len = strlen(out->body);
    out->url = xstrdup(cfg->notify.ticket.url);
    out->protocols = "http,https";
    enum result result = notify_list_add(&out->headers, "Content-Type: application/json", err);
    snprintf(hdr, sizeof hdr, "Idempotency-Key: %s", key);
    if (result == OK)
        result = notify_list_add(&out->headers, hdr, err);
    if (result == OK && cfg->notify.ticket.auth_header) {
        snprintf(hdr, sizeof hdr, "Authorization: %s", cfg->notify.ticket.auth_header);
        result = notify_list_add(&out->headers, hdr, err);
    }
    return result;
}

const struct notify_channel notify_chan_ticket = {
    .name = "ticket", .build = ticket_build, .classify = notify_classify_http};
