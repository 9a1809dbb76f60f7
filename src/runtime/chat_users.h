/*
 * chat_users: who a chat user is: the email address of a Slack user id (users.info, scope
 * users:read.email), asked on the calling thread with a runner of its own and kept 10 minutes
 * (at most CHAT_USERS_CACHED ids; the oldest goes first). Used by the slash commands and button
 * clicks (api/chatops.c) to link the Slack user to a tocsin user by email.
 * Threads: any; the cache is behind a mutex.
 */
#ifndef TOCSIN_CHAT_USERS_H
#define TOCSIN_CHAT_USERS_H

#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "util/result.h"

enum { CHAT_USERS_CACHED = 256, CHAT_USERS_TTL_MS = 10 * 60 * 1000 };

/* OK: out gets the address. ERR_NOT_FOUND: no such user, or no address shown (err says which);
 * ERR_UNAVAILABLE: Slack could not be asked. */
enum result chat_slack_user_email(const struct config *cfg, int64_t now, const char *user_id,
                                  char *out, size_t n, struct error *err);

/* The text of the message ts in channel (conversations.history, scope channels:history), into
 * *out (free it). ERR_NOT_FOUND: no such message; ERR_UNAVAILABLE: Slack could not be asked. */
enum result chat_slack_message_text(const struct config *cfg, int64_t now, const char *channel,
                                    const char *ts, char **out, struct error *err);
/* The same for a Mattermost user id (GET /api/v4/users/{id} with the bot token). */
enum result chat_mm_user_email(const struct config *cfg, int64_t now, const char *user_id,
                               char *out, size_t n, struct error *err);

#endif
