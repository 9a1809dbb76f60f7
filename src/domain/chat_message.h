/*
 * chat_message: what tocsin says in chat, pure: the incident channel's name from the configured
 * format, the bridge link from its template, the channel topic, the pinned summary, the
 * announcement and one line per incident change (docs/chatops.md). Text is Slack mrkdwn (also
 * what Mattermost reads): &, < and > escaped in user text.
 *
 * Channel name format placeholders: {date} (YYYY-MM-DD, UTC, of the declaration), {id} (the
 * incident id, lowercased), {short_name} (the title's slug), {severity}, {service}, {type}
 * (lowercased; "none" when unset). The result is a Slack channel name: lowercase letters,
 * digits, '-' and '_', other characters '-', at most 80 characters; a suffix ("-2") is kept whole.
 * Bridge template placeholders: {id}, {severity}. Threads: none; no allocation kept.
 */
#ifndef TOCSIN_CHAT_MESSAGE_H
#define TOCSIN_CHAT_MESSAGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "config/config.h"
#include "domain/incident.h"
#include "util/buf.h"

enum { CHAT_NAME_MAX = 80, CHAT_URL_MAX = 512 };

/* NULL when fmt is a usable channel name format, else why not (an unknown placeholder named). */
const char *chat_format_check(const char *fmt, char *why, size_t n);
/* NULL when tpl is a usable bridge URL template (http(s), known placeholders), else why not. */
const char *chat_bridge_check(const char *tpl, char *why, size_t n);
/* The channel name of inc; suffix > 1 appends "-<suffix>" (a name already taken). */
void chat_channel_name(const char *fmt, const struct incident *inc, int suffix,
                       char out[CHAT_NAME_MAX + 1]);
/* The incident's bridge: chatops.bridges' URL for its severity, else chatops.bridge's template
 * expanded, else "". */
void chat_bridge_for(const struct config *cfg, const struct incident *inc, char *out, size_t n);
/* The severity's chat mode: chatops.modes, else chatops.default_mode ("channel"). */
const char *chat_mode_of(const struct config *cfg, const char *severity);
/* The bridge URL from its template ("" when tpl is NULL). */
void chat_bridge_url(const char *tpl, const struct incident *inc, char *out, size_t n);
/* Appends s to out escaped for mrkdwn (&, <, >), at most max bytes of s (cut between
 * characters). */
void chat_escape(struct buf *out, const char *s, size_t max);
/* The topic: "SEV1 | triggered | Commander: alice | Bridge: URL | Status: URL" (parts unset are
 * left out), at most 250 characters (Slack's limit). */
void chat_topic(const struct incident *inc, const char *bridge, const char *status_url,
                struct buf *out);
/* The summary pinned in the channel: title, severity, service, summary, links. */
void chat_summary(const struct incident *inc, const char *bridge, const char *incident_url,
                  struct buf *out);
/* The announcement: ":rotating_light: INC opened - SEV1 - <title> - #channel". where is the
 * channel's name (mode channel) or NULL (the thread under this very message). */
void chat_announce(const struct incident *inc, const char *where, const char *bridge,
                   struct buf *out);
/* One line about a timeline entry (kind, its data) of inc; false when the kind is not one chat
 * hears of (nothing appended). actor: who did it. */
bool chat_change(const char *kind, const json_t *data, const char *actor,
                 const struct incident *inc, const char *postmortem_url, struct buf *out);
/* Slack blocks for a page posted in the channel: the text, then the Acknowledge / Escalate /
 * Resolve buttons (action_id tocsin_ack, tocsin_escalate, tocsin_resolve; value: the incident
 * id), which api/chatops.c answers. A new reference. */
json_t *chat_page_blocks(const char *text, const char *incident_id);

/* A Teams message with one Adaptive Card: text, the Severity / State / Commander facts, and
 * Action.OpenUrl buttons: Acknowledge (when ack_url is not ""), Open incident, Join bridge. */
/* text with the emoji codes tocsin writes (":eyes:") as the characters, for Teams. */
void chat_emoji_chars(const char *text, struct buf *out);
json_t *chat_teams_message(const struct incident *inc, const char *text, const char *ack_url,
                           const char *incident_url, const char *bridge);

#endif
