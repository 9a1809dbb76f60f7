/*
 * chat_users: Slack user id -> email, cached (see chat_users.h).
 */
#include "runtime/chat_users.h"
#include "runtime/chat_api.h"
#include "util/log.h"

#include <pthread.h>
#include <string.h>

struct cached {
    char id[32];
    char email[256];
    int64_t at;
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct cached cache[CHAT_USERS_CACHED];
static size_t next_slot;

static bool cached(const char *id, int64_t now, char *out, size_t n)
{
    bool hit = false;
    pthread_mutex_lock(&lock);
    for (size_t i = 0; i < CHAT_USERS_CACHED && !hit; i++)
        if (cache[i].id[0] && strcmp(cache[i].id, id) == 0 &&
            now - cache[i].at < CHAT_USERS_TTL_MS && now >= cache[i].at) {
            snprintf(out, n, "%s", cache[i].email);
            hit = true;
        }
    pthread_mutex_unlock(&lock);
    return hit;
}

static void remember(const char *id, const char *email, int64_t now)
{
    pthread_mutex_lock(&lock);
    struct cached *c = &cache[next_slot++ % CHAT_USERS_CACHED];
    snprintf(c->id, sizeof c->id, "%s", id);
    snprintf(c->email, sizeof c->email, "%s", email);
    c->at = now;
    pthread_mutex_unlock(&lock);
}

enum result chat_slack_user_email(const struct config *cfg, int64_t now, const char *user_id,
                                  char *out, size_t n, struct error *err)
{
    if (strlen(user_id) >= sizeof cache[0].id)
        return error_set(err, ERR_NOT_FOUND, "slack user id too long");
    if (cached(user_id, now, out, n))
        return OK;
    struct curl_runner *curl = curl_runner_new(err);
    if (!curl)
        return ERR_UNAVAILABLE;
    struct chat_caller caller = {.curl = curl, .now = now};
    struct buf form;
    buf_init(&form, 1024);
    chat_form_add(&form, "user", user_id);
    struct chat_answer a;
    chat_slack_call(&caller, cfg->chatops.slack.api_url, cfg->chatops.slack.token, "users.info",
                    &form, &a);
    buf_free(&form);
    curl_runner_free(curl);
    enum result result = OK;
    const char *email = json_string_value(
        json_object_get(json_object_get(json_object_get(a.json, "user"), "profile"), "email"));
    if (a.verdict != CHAT_OK)
        result =
            error_set(err, strcmp(a.error, "user_not_found") == 0 ? ERR_NOT_FOUND : ERR_UNAVAILABLE,
                      "slack users.info: %.200s", a.error);
    else if (!email || !email[0])
        result = error_set(err, ERR_NOT_FOUND,
                           "slack users.info shows no email (scope users:read.email missing?)");
    else {
        snprintf(out, n, "%s", email);
        remember(user_id, email, now);
    }
    chat_answer_free(&a);
    return result;
}

enum result chat_mm_user_email(const struct config *cfg, int64_t now, const char *user_id,
                               char *out, size_t n, struct error *err)
{
    char key[sizeof cache[0].id];
    if (strlen(user_id) + 2 >= sizeof key ||
        strspn(user_id, "abcdefghijklmnopqrstuvwxyz0123456789") != strlen(user_id))
        return error_set(err, ERR_NOT_FOUND, "not a mattermost user id");
    snprintf(key, sizeof key, "m:%s", user_id);
    if (cached(key, now, out, n))
        return OK;
    struct curl_runner *curl = curl_runner_new(err);
    if (!curl)
        return ERR_UNAVAILABLE;
    struct chat_caller caller = {.curl = curl, .now = now};
    char path[64];
    snprintf(path, sizeof path, "/api/v4/users/%s", user_id);
    struct chat_answer a;
    chat_mm_call(&caller, cfg->chatops.mattermost.url, cfg->chatops.mattermost.token, "GET", path,
                 NULL, &a);
    curl_runner_free(curl);
    enum result result = OK;
    const char *email = json_string_value(json_object_get(a.json, "email"));
    if (a.verdict != CHAT_OK)
        result = error_set(err, a.http == 404 ? ERR_NOT_FOUND : ERR_UNAVAILABLE,
                           "mattermost GET /api/v4/users: %.200s", a.error);
    else if (!email || !email[0])
        result = error_set(err, ERR_NOT_FOUND,
                           "mattermost shows the bot no email (make the bot a system admin or "
                           "set ShowEmailAddress)");
    else {
        snprintf(out, n, "%s", email);
        remember(key, email, now);
    }
    chat_answer_free(&a);
    return result;
}

enum result chat_slack_message_text(const struct config *cfg, int64_t now, const char *channel,
                                    const char *ts, char **out, struct error *err)
{
    *out = NULL;
    struct curl_runner *curl = curl_runner_new(err);
    if (!curl)
        return ERR_UNAVAILABLE;
    struct chat_caller caller = {.curl = curl, .now = now};
    struct buf form;
    buf_init(&form, 1024);
    chat_form_add(&form, "channel", channel);
    chat_form_add(&form, "latest", ts);
    chat_form_add(&form, "inclusive", "true");
    chat_form_add(&form, "limit", "1");
    struct chat_answer a;
    chat_slack_call(&caller, cfg->chatops.slack.api_url, cfg->chatops.slack.token,
                    "conversations.history", &form, &a);
    buf_free(&form);
    curl_runner_free(curl);
    enum result result = OK;
    const json_t *m = json_array_get(json_object_get(a.json, "messages"), 0);
    const char *text = json_string_value(json_object_get(m, "text"));
    const char *mts = json_string_value(json_object_get(m, "ts"));
    if (a.verdict != CHAT_OK)
        result = error_set(err, a.verdict == CHAT_RETRY ? ERR_UNAVAILABLE : ERR_NOT_FOUND,
                           "slack conversations.history: %.200s", a.error);
    else if (!text || !mts || strcmp(mts, ts) != 0)
        result = error_set(err, ERR_NOT_FOUND, "slack: no message %.40s in %.40s", ts, channel);
    else
        *out = xstrdup(text);
    chat_answer_free(&a);
    return result;
}
