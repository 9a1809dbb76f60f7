/*
 * chatops: the chat outbox's runner (see chatops.h; the design and its crash cases:
 * docs/internals/chatops.md).
 *
 * An op is a plan of steps computed from its kind, the incident's chat mode and the providers on
 * (plan()); op.step says how many are done. For each step: (1) a store job counts the try and,
 * for a channel creation, writes the channel's name (the intent) first; (2) the calls; (3) a store
 * job records the outcome: the next step (same pass), a retry time (backoff, or Retry-After),
 * failed for good (chat.failed on the timeline), or done. A creation whose name is taken is
 * retried as name-2, name-3...; but when the try count says an earlier call with this very name
 * may have reached Slack (the process died before recording its answer), the channel of that
 * name is looked up first (conversations.list) and adopted when our bot created it: one channel.
 */
#include "runtime/chatops.h"
#include "app/app.h"
#include "domain/ack_link.h"
#include "domain/chat_message.h"
#include "domain/notify_policy.h"
#include "domain/slack_signature.h"
#include "jobs/timeline.h"
#include "runtime/chat_api.h"
#include "store/chatops.h"
#include "store/incidents.h"
#include "util/log.h"
#include "util/timeutil.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

enum { PASS_MAX = 16, PLAN_MAX = 10, SUFFIX_MAX = 30, LIST_PAGES = 20 };

enum step {
    ST_CREATE,       /* conversations.create (name_taken: suffix, or adopt our own) */
    ST_INVITE,       /* users.lookupByEmail + conversations.invite */
    ST_TOPIC,        /* conversations.setTopic */
    ST_PIN,          /* chat.postMessage (summary) + pins.add */
    ST_ANNOUNCE,     /* chat.postMessage in the announce channel */
    ST_THREAD,       /* the announcement that is the incident's thread */
    ST_POST,         /* chat.postMessage in the incident's channel or thread */
    ST_ARCHIVE_WAIT, /* until closed + archive_after */
    ST_ARCHIVE,      /* conversations.archive */
    ST_TEAMS,        /* an Adaptive Card to the Teams webhook */
};
static const char *const step_names[] = {
    "conversations.create",  "conversations.invite", "conversations.setTopic", "pins.add",
    "chat.postMessage",      "chat.postMessage",     "chat.postMessage",       "archive wait",
    "conversations.archive", "teams webhook"};
static const char *const mm_step_names[] = {"POST /api/v4/channels",
                                            "POST /api/v4/channels/{id}/members",
                                            "PUT /api/v4/channels/{id}/patch",
                                            "POST /api/v4/posts/{id}/pin",
                                            "POST /api/v4/posts",
                                            "POST /api/v4/posts",
                                            "POST /api/v4/posts",
                                            "archive wait",
                                            "DELETE /api/v4/channels/{id}",
                                            "teams webhook"};

struct chatops {
    struct app *app;
    struct curl_runner *curl;
    const unsigned char *key; /* the ack-link key (the notifier's) */
    bool (*stop)(void *ctx);
    void *stop_ctx;
    char bot_user[64]; /* auth.test's user_id (Slack) or /users/me's id (Mattermost), once known */
};

/* One op being run. */
struct run {
    struct chatops *cx;
    const struct config *cfg;
    bool mm; /* Mattermost (REST API v4) instead of Slack */
    struct chat_caller caller;
    int64_t now;
    struct store_chat_op op;
    json_t *payload; /* {"actor", "data"} */
    const char *actor;
    json_t *data;
    struct incident inc;
    bool have_inc;
    struct store_chat_channel ch;
    bool have_ch, ch_dirty;
    char bridge[CHAT_URL_MAX];
    /* the outcome of the current step */
    enum { O_NEXT, O_DONE, O_RETRY, O_FAILED, O_WAIT } outcome;
    int64_t at;
    char why[700];
    char created[CHAT_NAME_MAX + 64]; /* a channel made or adopted: said on the timeline */
};

static void set_str(char **dst, const char *s)
{
    free(*dst);
    *dst = s ? xstrdup(s) : NULL;
}

static bool kind_is(const struct run *r, const char *k)
{
    return strcmp(r->op.kind, k) == 0;
}

static bool topic_changes(const struct run *r)
{
    return kind_is(r, "incident.acknowledged") || kind_is(r, "incident.resolved") ||
           kind_is(r, "incident.reopened") || kind_is(r, "incident.status_changed") ||
           kind_is(r, "incident.severity_changed") || kind_is(r, "incident.role_assigned");
}

static bool teams_hears(const struct run *r)
{
    return kind_is(r, "incident.declared") || kind_is(r, "incident.acknowledged") ||
           kind_is(r, "incident.resolved") || kind_is(r, "incident.reopened") ||
           kind_is(r, "incident.status_changed") || kind_is(r, "incident.closed") ||
           kind_is(r, "incident.severity_changed") || kind_is(r, "escalation.step");
}

/* The op's steps, in order. */
static size_t plan(const struct run *r, enum step out[PLAN_MAX])
{
    size_t n = 0;
    const struct config_chatops *c = &r->cfg->chatops;
    if ((c->slack.on || c->mattermost.on) && r->have_inc) {
        if (kind_is(r, "incident.declared")) {
            const char *mode = chat_mode_of(r->cfg, r->inc.severity);
            if (strcmp(mode, "channel") == 0) {
                out[n++] = ST_CREATE;
                out[n++] = ST_INVITE;
                out[n++] = ST_TOPIC;
                out[n++] = ST_PIN;
                out[n++] = ST_ANNOUNCE;
            } else if (strcmp(mode, "thread") == 0) {
                out[n++] = ST_THREAD;
            }
        } else if (r->have_ch && r->ch.channel_id && !r->ch.archived_at) {
            bool channel = strcmp(r->ch.mode, "channel") == 0;
            out[n++] = ST_POST;
            if (channel && topic_changes(r))
                out[n++] = ST_TOPIC;
            if (channel && kind_is(r, "escalation.step"))
                out[n++] = ST_INVITE;
            if (channel && kind_is(r, "incident.closed")) {
                out[n++] = ST_ARCHIVE_WAIT;
                out[n++] = ST_ARCHIVE;
            }
        }
    }
    if (c->teams.on && r->have_inc && teams_hears(r))
        out[n++] = ST_TEAMS;
    return n;
}

/* ---- the calls ---- */

static bool slack(struct run *r, const char *method, const struct buf *form, struct chat_answer *a)
{
    r->caller.now = r->now;
    chat_slack_call(&r->caller, r->cfg->chatops.slack.api_url, r->cfg->chatops.slack.token, method,
                    form, a);
    if (a->verdict == CHAT_OK)
        return true;
    snprintf(r->why, sizeof r->why, "slack %s: %s", method, a->error);
    r->outcome = a->verdict == CHAT_RETRY ? O_RETRY : O_FAILED;
    r->at = a->retry_at;
    return false;
}

/* A Mattermost REST call; body (stolen) is sent as JSON. */
static bool mm(struct run *r, const char *method, const char *path, json_t *body,
               struct chat_answer *a)
{
    char *b = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    r->caller.now = r->now;
    chat_mm_call(&r->caller, r->cfg->chatops.mattermost.url, r->cfg->chatops.mattermost.token,
                 method, path, b, a);
    free(b);
    if (a->verdict == CHAT_OK)
        return true;
    snprintf(r->why, sizeof r->why, "mattermost %.8s %.80s: %.500s", method, path, a->error);
    r->outcome = a->verdict == CHAT_RETRY ? O_RETRY : O_FAILED;
    r->at = a->retry_at;
    return false;
}

static const char *jstr(const json_t *o, const char *path1, const char *path2)
{
    const json_t *v = json_object_get(o, path1);
    if (path2)
        v = json_object_get(v, path2);
    return json_string_value(v);
}

/* Our bot's user id (auth.test), once per process. */
static bool bot_user(struct run *r)
{
    if (r->cx->bot_user[0])
        return true;
    struct buf form;
    buf_init(&form, 1024);
    struct chat_answer a;
    bool ok = slack(r, "auth.test", &form, &a);
    const char *id = ok ? jstr(a.json, "user_id", NULL) : NULL;
    if (id)
        snprintf(r->cx->bot_user, sizeof r->cx->bot_user, "%s", id);
    chat_answer_free(&a);
    buf_free(&form);
    return ok && id;
}

/* The id of the live channel called name that our bot created, into out ("" when none). */
static bool find_own(struct run *r, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    if (!bot_user(r))
        return false;
    char cursor[256] = "";
    for (int page = 0; page < LIST_PAGES; page++) {
        struct buf form;
        buf_init(&form, 4096);
        chat_form_add(&form, "types", "public_channel,private_channel");
        chat_form_add(&form, "exclude_archived", "true");
        chat_form_add(&form, "limit", "1000");
        if (cursor[0])
            chat_form_add(&form, "cursor", cursor);
        struct chat_answer a;
        bool ok = slack(r, "conversations.list", &form, &a);
        buf_free(&form);
        if (!ok) {
            chat_answer_free(&a);
            return false;
        }
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(a.json, "channels"), i, c)
        {
            const char *cname = jstr(c, "name", NULL), *creator = jstr(c, "creator", NULL);
            if (cname && strcmp(cname, name) == 0 && creator &&
                strcmp(creator, r->cx->bot_user) == 0)
                snprintf(out, n, "%s", jstr(c, "id", NULL) ? jstr(c, "id", NULL) : "");
        }
        const char *next = jstr(a.json, "response_metadata", "next_cursor");
        snprintf(cursor, sizeof cursor, "%s", next ? next : "");
        chat_answer_free(&a);
        if (out[0] || !cursor[0])
            return true;
    }
    return true;
}

/* Mattermost: the team's channel called name, when our bot created it. */
static bool mm_find_own(struct run *r, const char *name, char *out, size_t n)
{
    out[0] = '\0';
    struct chat_answer a;
    if (!r->cx->bot_user[0]) {
        bool ok = mm(r, "GET", "/api/v4/users/me", NULL, &a);
        const char *id = ok ? jstr(a.json, "id", NULL) : NULL;
        if (id)
            snprintf(r->cx->bot_user, sizeof r->cx->bot_user, "%s", id);
        chat_answer_free(&a);
        if (!id)
            return false;
    }
    char path[512];
    char *esc = curl_easy_escape(NULL, name, 0);
    snprintf(path, sizeof path, "/api/v4/teams/%.64s/channels/name/%.200s",
             r->cfg->chatops.mattermost.team_id, esc ? esc : "");
    curl_free(esc);
    bool ok = mm(r, "GET", path, NULL, &a);
    if (!ok && a.http == 404) { /* none of that name: not ours */
        chat_answer_free(&a);
        r->outcome = O_NEXT;
        return true;
    }
    const char *creator = ok ? jstr(a.json, "creator_id", NULL) : NULL;
    if (ok && creator && strcmp(creator, r->cx->bot_user) == 0 && jstr(a.json, "id", NULL))
        snprintf(out, n, "%s", jstr(a.json, "id", NULL));
    chat_answer_free(&a);
    return ok;
}

/* One conversations.create / POST /api/v4/channels with r->ch.name: 1 made (r->ch set), 0 the
 * name is taken, -1 another failure (the outcome says it). */
static int create_once(struct run *r)
{
    struct chat_answer a;
    bool ok;
    if (r->mm) {
        ok = mm(r, "POST", "/api/v4/channels",
                json_pack("{s:s,s:s,s:s,s:s,s:s}", "team_id", r->cfg->chatops.mattermost.team_id,
                          "name", r->ch.name, "display_name", r->ch.name, "type", "O", "purpose",
                          r->inc.title ? r->inc.title : ""),
                &a);
    } else {
        struct buf form;
        buf_init(&form, 1024);
        chat_form_add(&form, "name", r->ch.name);
        ok = slack(r, "conversations.create", &form, &a);
        buf_free(&form);
    }
    if (ok) {
        const json_t *c = r->mm ? a.json : json_object_get(a.json, "channel");
        const char *id = jstr(c, "id", NULL), *name = jstr(c, "name", NULL);
        if (!id) {
            snprintf(r->why, sizeof r->why, "%s: no channel id in the answer",
                     r->mm ? "mattermost POST /api/v4/channels" : "slack conversations.create");
            r->outcome = O_RETRY;
        } else {
            set_str(&r->ch.channel_id, id);
            if (name)
                set_str(&r->ch.name, name);
            r->ch_dirty = true;
            snprintf(r->created, sizeof r->created, "%s", r->ch.name);
        }
        chat_answer_free(&a);
        return 1;
    }
    /* Slack: name_taken; Mattermost: 400 store.sql_channel.save_channel.exists.app_error */
    bool taken =
        r->mm ? strstr(a.error, "save_channel.exists") != NULL : strcmp(a.error, "name_taken") == 0;
    chat_answer_free(&a);
    return taken ? 0 : -1;
}

static enum result put_channel(struct store_conn *tx, void *arg, struct error *err)
{
    struct run *r = arg;
    enum result result = store_chat_channel_put(tx, &r->ch);
    return result == OK ? OK : error_set(err, result, "store: cannot record the chat channel");
}

/* Records the channel row now (the intent of a creation, before its call). */
static bool save_channel(struct run *r)
{
    struct error err = {0};
    if (store_write(r->cx->app->store, put_channel, r, &err) == OK)
        return true;
    snprintf(r->why, sizeof r->why, "%s", err.message);
    r->outcome = O_RETRY;
    return false;
}

static void step_create(struct run *r)
{
    bool maybe_ours = r->op.tries > 1; /* an earlier try may have reached Slack */
    for (int suffix = 1; suffix <= SUFFIX_MAX; suffix++) {
        int made = create_once(r);
        if (made != 0)
            return;
        if (maybe_ours) { /* a call before ours may have made it: ours? */
            char id[64];
            if (!(r->mm ? mm_find_own(r, r->ch.name, id, sizeof id)
                        : find_own(r, r->ch.name, id, sizeof id)))
                return;
            if (id[0]) {
                set_str(&r->ch.channel_id, id);
                r->ch_dirty = true;
                snprintf(r->created, sizeof r->created, "%s", r->ch.name);
                r->outcome = O_NEXT;
                return;
            }
        }
        char name[CHAT_NAME_MAX + 1];
        chat_channel_name(r->cfg->chatops.channel_format, &r->inc, suffix + 1, name);
        set_str(&r->ch.name, name);
        r->op.tries = 1;      /* a new name: no call with it yet */
        if (!save_channel(r)) /* the intent, before the call */
            return;
        r->outcome = O_NEXT;
    }
    snprintf(r->why, sizeof r->why, "%s: %s and %d suffixes are taken",
             r->mm ? "mattermost POST /api/v4/channels" : "slack conversations.create", r->ch.name,
             SUFFIX_MAX);
    r->outcome = O_FAILED;
}

/* Mattermost: the user with u's email (GET /api/v4/users/email/...) added to the channel
 * (POST /api/v4/channels/{id}/members). False when the op must stop (the outcome says why). */
static bool mm_invite(struct run *r, const struct config_user *u)
{
    char path[600];
    char *esc = curl_easy_escape(NULL, u->email, 0);
    snprintf(path, sizeof path, "/api/v4/users/email/%.400s", esc ? esc : "");
    curl_free(esc);
    struct chat_answer a;
    bool ok = mm(r, "GET", path, NULL, &a);
    char id[64] = "";
    if (ok && jstr(a.json, "id", NULL))
        snprintf(id, sizeof id, "%s", jstr(a.json, "id", NULL));
    bool unknown = !ok && a.http == 404;
    chat_answer_free(&a);
    if (unknown) {
        log_warn("chatops: %s (%s) is not a Mattermost user; not added to %s", u->id, u->email,
                 r->ch.name);
        r->outcome = O_NEXT;
        return true;
    }
    if (!ok || !id[0])
        return false;
    snprintf(path, sizeof path, "/api/v4/channels/%.64s/members", r->ch.channel_id);
    ok = mm(r, "POST", path, json_pack("{s:s}", "user_id", id), &a);
    chat_answer_free(&a);
    if (ok)
        r->outcome = O_NEXT;
    return ok;
}

/* The users to invite: the commander and the declaring user (declared), or the paged. */
static void step_invite(struct run *r)
{
    struct buf ids;
    buf_init(&ids, 8192);
    const char *who[64];
    size_t n = 0;
    if (kind_is(r, "escalation.step")) {
        size_t i;
        json_t *u;
        json_array_foreach(json_object_get(r->data, "users"), i,
                           u) if (n < 64 && json_string_value(u)) who[n++] = json_string_value(u);
    } else {
        if (r->inc.roles[ROLE_COMMANDER])
            who[n++] = r->inc.roles[ROLE_COMMANDER];
        if (r->actor) /* "user:alice" from the UI or chat, "alice" elsewhere */
            who[n++] = strncmp(r->actor, "user:", 5) == 0 ? r->actor + 5 : r->actor;
    }
    for (size_t i = 0; i < n; i++) {
        const struct config_user *u = config_user_find(r->cfg, who[i]);
        if (!u || !u->email)
            continue;
        if (r->mm) {
            if (!mm_invite(r, u))
                break;
            continue;
        }
        struct buf form;
        buf_init(&form, 1024);
        chat_form_add(&form, "email", u->email);
        struct chat_answer a;
        bool ok = slack(r, "users.lookupByEmail", &form, &a);
        buf_free(&form);
        const char *id = ok ? jstr(a.json, "user", "id") : NULL;
        if (id && !strstr(ids.data ? ids.data : "", id))
            buf_printf(&ids, "%s%s", ids.len ? "," : "", id);
        bool unknown = !ok && strcmp(a.error, "users_not_found") == 0;
        chat_answer_free(&a);
        if (!ok && !unknown) {
            buf_free(&ids);
            return;
        }
        if (unknown) /* not on Slack (or another address there): not a failure of the op */
            log_warn("chatops: %s (%s) is not a Slack user; not invited to %s", u->id, u->email,
                     r->ch.name);
        r->outcome = O_NEXT;
    }
    if (ids.len && !r->mm) {
        struct buf form;
        buf_init(&form, 8192);
        chat_form_add(&form, "channel", r->ch.channel_id);
        chat_form_add(&form, "users", ids.data);
        /* force: one of several already in the channel must not keep the others out (Slack
         * fails the whole call with already_in_channel otherwise) */
        chat_form_add(&form, "force", "true");
        struct chat_answer a;
        if (!slack(r, "conversations.invite", &form, &a) &&
            (strcmp(a.error, "already_in_channel") == 0 ||
             strcmp(a.error, "cant_invite_self") == 0))
            r->outcome = O_NEXT;
        chat_answer_free(&a);
        buf_free(&form);
    }
    buf_free(&ids);
}

static void incident_url(const struct run *r, char *out, size_t n, const char *tail)
{
    const char *base = r->cfg->server.public_url ? r->cfg->server.public_url : "";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    snprintf(out, n, "%.*s%s", (int)bl, base, tail);
}

static void step_topic(struct run *r)
{
    char status[600];
    incident_url(r, status, sizeof status, "/status");
    struct buf topic, form;
    buf_init(&topic, 4096);
    buf_init(&form, 8192);
    chat_topic(&r->inc, r->bridge, status, &topic);
    if (r->mm) {
        char path[256];
        snprintf(path, sizeof path, "/api/v4/channels/%.64s/patch", r->ch.channel_id);
        struct chat_answer a;
        mm(r, "PUT", path, json_pack("{s:s}", "header", topic.data), &a);
        chat_answer_free(&a);
        buf_free(&topic);
        buf_free(&form);
        return;
    }
    chat_form_add(&form, "channel", r->ch.channel_id);
    chat_form_add(&form, "topic", topic.data);
    struct chat_answer a;
    slack(r, "conversations.setTopic", &form, &a);
    chat_answer_free(&a);
    buf_free(&topic);
    buf_free(&form);
}

/* chat.postMessage; *ts (when not NULL) gets the message's ts, *channel its channel id. A page
 * (escalation step) carries the Acknowledge / Escalate / Resolve buttons. */
/* Mattermost's POST /api/v4/posts; a page carries message-action buttons whose signed context
 * comes back to POST /api/v1/chat/mattermost/actions. */
static bool mm_post(struct run *r, const char *channel, const char *thread, const char *text,
                    char *ts, size_t tsn, char *chan, size_t chn)
{
    json_t *body = json_pack("{s:s,s:s}", "channel_id", channel, "message", text);
    if (thread && thread[0])
        json_object_set_new(body, "root_id", json_string(thread));
    if (kind_is(r, "escalation.step") && incident_status_is_open(r->inc.status)) {
        static const char *const acts[][2] = {
            {"ack", "Acknowledge"}, {"escalate", "Escalate"}, {"resolve", "Resolve"}};
        char url[600], sig[3 + SLACK_SIG_HEX + 1];
        incident_url(r, url, sizeof url, "/api/v1/chat/mattermost/actions");
        json_t *actions = json_array();
        for (size_t i = 0; i < 3; i++) {
            chat_action_sig(r->cfg->chatops.mattermost.command_token, acts[i][0], r->inc.id, r->now,
                            sig);
            json_array_append_new(actions, json_pack("{s:s,s:s,s:s,s:{s:s,s:{s:s,s:s,s:I,s:s}}}",
                                                     "id", acts[i][0], "name", acts[i][1], "type",
                                                     "button", "integration", "url", url, "context",
                                                     "action", acts[i][0], "incident", r->inc.id,
                                                     "issued", (json_int_t)r->now, "sig", sig));
        }
        json_object_set_new(
            body, "props",
            json_pack("{s:[{s:s,s:o}]}", "attachments", "fallback", text, "actions", actions));
    }
    struct chat_answer a;
    bool ok = mm(r, "POST", "/api/v4/posts", body, &a);
    if (ok && ts)
        snprintf(ts, tsn, "%s", jstr(a.json, "id", NULL) ? jstr(a.json, "id", NULL) : "");
    if (ok && chan)
        snprintf(chan, chn, "%s", channel);
    chat_answer_free(&a);
    return ok;
}

static bool post(struct run *r, const char *channel, const char *thread, const char *text, char *ts,
                 size_t tsn, char *chan, size_t chn)
{
    if (r->mm)
        return mm_post(r, channel, thread, text, ts, tsn, chan, chn);
    struct buf form;
    buf_init(&form, 64 * 1024);
    chat_form_add(&form, "channel", channel);
    chat_form_add(&form, "text", text);
    if (kind_is(r, "escalation.step") && incident_status_is_open(r->inc.status)) {
        json_t *blocks = chat_page_blocks(text, r->inc.id);
        char *b = json_dumps(blocks, JSON_COMPACT);
        chat_form_add(&form, "blocks", b);
        free(b);
        json_decref(blocks);
    }
    if (thread)
        chat_form_add(&form, "thread_ts", thread);
    struct chat_answer a;
    bool ok = slack(r, "chat.postMessage", &form, &a);
    if (ok && ts)
        snprintf(ts, tsn, "%s", jstr(a.json, "ts", NULL) ? jstr(a.json, "ts", NULL) : "");
    if (ok && chan)
        snprintf(chan, chn, "%s",
                 jstr(a.json, "channel", NULL) ? jstr(a.json, "channel", NULL) : "");
    chat_answer_free(&a);
    buf_free(&form);
    return ok;
}

static void step_pin(struct run *r)
{
    char url[600], tail[64], ts[64];
    snprintf(tail, sizeof tail, "/ui/incidents/%s", r->inc.id);
    incident_url(r, url, sizeof url, tail);
    struct buf text;
    buf_init(&text, 64 * 1024);
    chat_summary(&r->inc, r->bridge, url, &text);
    bool ok = post(r, r->ch.channel_id, NULL, text.data, ts, sizeof ts, NULL, 0);
    buf_free(&text);
    if (!ok)
        return;
    if (r->mm) {
        char path[256];
        snprintf(path, sizeof path, "/api/v4/posts/%.64s/pin", ts);
        struct chat_answer a;
        mm(r, "POST", path, NULL, &a);
        chat_answer_free(&a);
        return;
    }
    struct buf form;
    buf_init(&form, 1024);
    chat_form_add(&form, "channel", r->ch.channel_id);
    chat_form_add(&form, "timestamp", ts);
    struct chat_answer a;
    slack(r, "pins.add", &form, &a);
    chat_answer_free(&a);
    buf_free(&form);
}

static void step_announce(struct run *r, bool thread)
{
    struct buf text;
    buf_init(&text, 64 * 1024);
    chat_announce(&r->inc, thread ? NULL : r->ch.name, r->bridge, &text);
    char ts[64], chan[64];
    const char *where =
        r->mm ? r->cfg->chatops.mattermost.announce : r->cfg->chatops.slack.announce;
    bool ok;
    if (r->mm && !thread && r->cfg->chatops.mattermost.webhook[0]) { /* the incoming webhook */
        json_t *msg = json_pack("{s:s,s:s}", "text", text.data, "username", "tocsin");
        char *body = json_dumps(msg, JSON_COMPACT);
        json_decref(msg);
        struct chat_answer a;
        r->caller.now = r->now;
        chat_post_json(&r->caller, r->cfg->chatops.mattermost.webhook, body ? body : "{}", &a);
        free(body);
        ok = a.verdict == CHAT_OK;
        if (!ok) {
            snprintf(r->why, sizeof r->why, "mattermost incoming webhook: %s", a.error);
            r->outcome = a.verdict == CHAT_RETRY ? O_RETRY : O_FAILED;
            r->at = a.retry_at;
        }
        chat_answer_free(&a);
    } else {
        ok = post(r, where, NULL, text.data, ts, sizeof ts, chan, sizeof chan);
    }
    buf_free(&text);
    if (ok && thread) {
        set_str(&r->ch.channel_id, chan[0] ? chan : where);
        set_str(&r->ch.thread_ts, ts);
        r->ch_dirty = true;
    }
}

static void step_post(struct run *r)
{
    char pm[600] = "";
    if (kind_is(r, "incident.closed")) {
        const char *ref = json_string_value(json_object_get(r->data, "postmortem"));
        char tail[128];
        snprintf(tail, sizeof tail, "/ui/incidents/%s/postmortem", r->inc.id);
        if (ref && (strncmp(ref, "http://", 7) == 0 || strncmp(ref, "https://", 8) == 0))
            snprintf(pm, sizeof pm, "%s", ref);
        else
            incident_url(r, pm, sizeof pm, tail);
    }
    struct buf text;
    buf_init(&text, 64 * 1024);
    if (!chat_change(r->op.kind, r->data, r->actor, &r->inc, pm, &text)) {
        buf_free(&text);
        return;
    }
    post(r, r->ch.channel_id, r->ch.thread_ts, text.data, NULL, 0, NULL, 0);
    buf_free(&text);
}

static void step_archive(struct run *r)
{
    if (r->mm) { /* DELETE archives a Mattermost channel */
        char path[256];
        snprintf(path, sizeof path, "/api/v4/channels/%.64s", r->ch.channel_id);
        struct chat_answer a;
        if (mm(r, "DELETE", path, NULL, &a)) {
            r->ch.archived_at = r->now;
            r->ch_dirty = true;
        }
        chat_answer_free(&a);
        return;
    }
    struct buf form;
    buf_init(&form, 1024);
    chat_form_add(&form, "channel", r->ch.channel_id);
    struct chat_answer a;
    bool ok = slack(r, "conversations.archive", &form, &a);
    if (ok || strcmp(a.error, "already_archived") == 0) {
        r->outcome = O_NEXT;
        r->ch.archived_at = r->now;
        r->ch_dirty = true;
    }
    chat_answer_free(&a);
    buf_free(&form);
}

/* The Teams card: an Adaptive Card in a message, with the signed acknowledge link of the first
 * paged user (escalation steps) and the incident link. */
static void step_teams(struct run *r)
{
    struct buf text;
    buf_init(&text, 64 * 1024);
    if (kind_is(r, "incident.declared"))
        chat_announce(&r->inc, NULL, r->bridge, &text);
    else
        chat_change(r->op.kind, r->data, r->actor, &r->inc, NULL, &text);
    char ack[CHAT_URL_MAX + 64] = "", url[CHAT_URL_MAX + 64], tail[64];
    const char *paged = json_string_value(json_array_get(json_object_get(r->data, "users"), 0));
    if (kind_is(r, "escalation.step") && paged && incident_status_is_open(r->inc.status))
        acklink_url(r->cfg, r->cx->key, r->inc.id, paged, r->now + r->cfg->notify.ack_link_ttl, ack,
                    sizeof ack);
    snprintf(tail, sizeof tail, "/ui/incidents/%s", r->inc.id);
    incident_url(r, url, sizeof url, tail);
    json_t *msg =
        chat_teams_message(&r->inc, text.data ? text.data : r->inc.id, ack, url, r->bridge);
    char *body = msg ? json_dumps(msg, JSON_COMPACT) : NULL;
    json_decref(msg);
    buf_free(&text);
    if (!body) {
        snprintf(r->why, sizeof r->why, "teams: cannot encode the card");
        r->outcome = O_FAILED;
        return;
    }
    struct chat_answer a;
    r->caller.now = r->now;
    chat_post_json(&r->caller, r->cfg->chatops.teams.url, body, &a);
    free(body);
    if (a.verdict != CHAT_OK) {
        snprintf(r->why, sizeof r->why, "teams webhook: %s", a.error);
        r->outcome = a.verdict == CHAT_RETRY ? O_RETRY : O_FAILED;
        r->at = a.retry_at;
    }
    chat_answer_free(&a);
}

static void run_step(struct run *r, enum step s)
{
    r->outcome = O_NEXT;
    r->why[0] = '\0';
    r->at = 0;
    switch (s) {
    case ST_CREATE:
        step_create(r);
        break;
    case ST_INVITE:
        step_invite(r);
        break;
    case ST_TOPIC:
        step_topic(r);
        break;
    case ST_PIN:
        step_pin(r);
        break;
    case ST_ANNOUNCE:
        step_announce(r, false);
        break;
    case ST_THREAD:
        step_announce(r, true);
        break;
    case ST_POST:
        step_post(r);
        break;
    case ST_ARCHIVE_WAIT: {
        int64_t at = (r->inc.closed_at ? r->inc.closed_at : r->op.created_at) +
                     r->cfg->chatops.archive_after;
        if (at > r->now) {
            r->outcome = O_WAIT;
            r->at = at;
        }
        break;
    }
    case ST_ARCHIVE:
        step_archive(r);
        break;
    case ST_TEAMS:
        step_teams(r);
        break;
    }
}

/* ---- recording ---- */

static enum result note(struct store_conn *tx, struct run *r, const char *kind, json_t *data,
                        struct error *err)
{
    json_object_set_new(data, "op", json_integer(r->op.id));
    json_object_set_new(data, "change", json_string(r->op.kind));
    return timeline_append(tx, r->now, "chatops", kind, r->op.incident_id, data, NULL, err);
}

struct record {
    struct run *r;
    enum step step;
    bool begin; /* counting a try before the call */
};

static enum result record_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct record *j = arg;
    struct run *r = j->r;
    enum result result = OK;
    if (r->ch_dirty)
        result = store_chat_channel_put(tx, &r->ch);
    if (result == OK)
        result = store_chat_op_update(tx, &r->op);
    if (result != OK)
        return error_set(err, result, "store: cannot record chat op %lld", (long long)r->op.id);
    if (j->begin)
        return OK;
    if (r->created[0])
        result = note(tx, r, "chat.channel_created",
                      json_pack("{s:s,s:s,s:s}", "provider", r->mm ? "mattermost" : "slack", "name",
                                r->ch.name, "id", r->ch.channel_id ? r->ch.channel_id : ""),
                      err);
    if (result == OK && (r->outcome == O_RETRY || r->outcome == O_FAILED))
        result = note(tx, r, r->outcome == O_FAILED ? "chat.failed" : "chat.retry",
                      json_pack("{s:s,s:s,s:i,s:I}", "call",
                                (r->mm ? mm_step_names : step_names)[j->step], "error", r->why,
                                "tries", r->op.tries, "retry_at",
                                (json_int_t)(r->outcome == O_RETRY ? r->op.next_attempt_at : 0)),
                      err);
    return result;
}

static bool record(struct run *r, enum step s, bool begin)
{
    struct record j = {.r = r, .step = s, .begin = begin};
    struct error err = {0};
    if (store_write(r->cx->app->store, record_job, &j, &err) != OK) {
        log_error("chatops: %s", err.message);
        return false;
    }
    r->ch_dirty = false;
    r->created[0] = '\0';
    return true;
}

/* Moves r->op after the step's outcome. */
static void conclude(struct run *r, size_t nsteps)
{
    const struct config *cfg = r->cfg;
    switch (r->outcome) {
    case O_NEXT:
        r->op.step++;
        r->op.tries = 0;
        set_str(&r->op.last_error, NULL);
        if ((size_t)r->op.step >= nsteps) {
            set_str(&r->op.status, "done");
            r->op.done_at = r->now;
        }
        break;
    case O_WAIT:
        r->op.step++;
        r->op.tries = 0;
        r->op.next_attempt_at = r->at;
        break;
    case O_RETRY:
        if (r->op.tries >= cfg->notify.max_attempts) {
            size_t wl = strlen(r->why);
            snprintf(r->why + wl, sizeof r->why - wl, " (gave up after %d tries)", r->op.tries);
            r->outcome = O_FAILED;
            conclude(r, nsteps);
            return;
        }
        r->op.next_attempt_at =
            r->now + notify_backoff(cfg->notify.backoff, cfg->notify.max_backoff, r->op.tries,
                                    randombytes_random());
        if (r->at > r->op.next_attempt_at)
            r->op.next_attempt_at = r->at; /* never before Retry-After */
        set_str(&r->op.last_error, r->why);
        break;
    case O_FAILED:
        set_str(&r->op.status, "failed");
        set_str(&r->op.last_error, r->why);
        r->op.done_at = r->now;
        log_error("chatops: %s for %s failed: %s", r->op.kind, r->op.incident_id, r->why);
        break;
    case O_DONE:
        break;
    }
}

static void run_op(struct chatops *cx, const struct config *cfg, struct store_conn *rd,
                   const struct store_chat_op *op, int64_t now)
{
    struct run r = {.cx = cx,
                    .cfg = cfg,
                    .caller = {.curl = cx->curl, .stop = cx->stop, .stop_ctx = cx->stop_ctx},
                    .now = now,
                    .mm = cfg->chatops.mattermost.on && !cfg->chatops.slack.on};
    store_chat_op_copy(&r.op, op);
    json_error_t je;
    r.payload = json_loads(op->data, 0, &je);
    r.actor = json_string_value(json_object_get(r.payload, "actor"));
    r.data = json_object_get(r.payload, "data");
    r.have_inc = store_incident_get(rd, op->incident_id, &r.inc) == OK;
    r.have_ch = store_chat_channel_get(rd, op->incident_id, &r.ch) == OK;
    if (r.have_inc)
        chat_bridge_for(cfg, &r.inc, r.bridge, sizeof r.bridge);
    enum step steps[PLAN_MAX];
    size_t n = plan(&r, steps);
    if (n == 0 || (size_t)r.op.step >= n) {
        set_str(&r.op.status, n == 0 ? "skipped" : "done");
        r.op.done_at = now;
        record(&r, ST_POST, false);
        goto out;
    }
    while ((size_t)r.op.step < n && !cx->stop(cx->stop_ctx)) {
        enum step s = steps[r.op.step];
        r.op.tries++;
        if (s == ST_CREATE && (!r.have_ch || !r.ch.name)) { /* the intent: its name, first */
            char name[CHAT_NAME_MAX + 1];
            chat_channel_name(cfg->chatops.channel_format, &r.inc, 1, name);
            store_chat_channel_free_fields(&r.ch);
            r.ch = (struct store_chat_channel){.incident_id = xstrdup(r.inc.id),
                                               .provider = xstrdup(r.mm ? "mattermost" : "slack"),
                                               .mode = xstrdup("channel"),
                                               .name = xstrdup(name),
                                               .created_at = now};
            r.have_ch = r.ch_dirty = true;
        }
        if (s == ST_THREAD && !r.have_ch) {
            r.ch =
                (struct store_chat_channel){.incident_id = xstrdup(r.inc.id),
                                            .provider = xstrdup(r.mm ? "mattermost" : "slack"),
                                            .mode = xstrdup("thread"),
                                            .name = xstrdup(r.mm ? cfg->chatops.mattermost.announce
                                                                 : cfg->chatops.slack.announce),
                                            .created_at = now};
            r.have_ch = true; /* written with its thread, after the call */
        }
        if (s != ST_ARCHIVE_WAIT && !record(&r, s, true)) /* the try counted before the call */
            break;
        run_step(&r, s);
        if (cx->stop(cx->stop_ctx) && r.outcome == O_RETRY)
            break; /* stopping: the step is tried again at the next start */
        conclude(&r, n);
        if (!record(&r, s, false) || r.outcome != O_NEXT)
            break;
    }
out:
    json_decref(r.payload);
    store_chat_op_free_fields(&r.op);
    if (r.have_inc)
        incident_free_fields(&r.inc);
    if (r.have_ch)
        store_chat_channel_free_fields(&r.ch);
}

struct due {
    struct store_chat_op *ops;
    size_t n;
};

static int collect(const struct store_chat_op *op, void *arg)
{
    struct due *d = arg;
    d->ops = xrealloc(d->ops, (d->n + 1) * sizeof *d->ops);
    store_chat_op_copy(&d->ops[d->n++], op);
    return 0;
}

bool chatops_pass(struct chatops *cx, const struct config *cfg, int64_t *next)
{
    if (!cfg->chatops.slack.on && !cfg->chatops.mattermost.on && !cfg->chatops.teams.on)
        return false;
    struct error err = {0};
    struct store_conn *rd = store_reader(cx->app->store, &err);
    int64_t now = clock_now(cx->app->clock);
    struct due d = {0};
    if (!rd || store_chat_op_due(rd, now, PASS_MAX, collect, &d) != OK) {
        log_error("chatops: cannot read the chat outbox%s%s", err.message[0] ? ": " : "",
                  err.message);
        return false;
    }
    for (size_t i = 0; i < d.n; i++) {
        if (!cx->stop(cx->stop_ctx))
            run_op(cx, cfg, rd, &d.ops[i], now);
        store_chat_op_free_fields(&d.ops[i]);
    }
    free(d.ops);
    int64_t at = INT64_MAX;
    if (store_chat_op_next_due(rd, &at) == OK && at < *next)
        *next = at;
    return d.n > 0 && at <= clock_now(cx->app->clock);
}

struct chatops *chatops_new(struct app *app, struct curl_runner *curl, const unsigned char *key,
                            bool (*stop)(void *ctx), void *stop_ctx)
{
    struct chatops *cx = xcalloc(1, sizeof *cx);
    cx->app = app;
    cx->curl = curl;
    cx->key = key;
    cx->stop = stop;
    cx->stop_ctx = stop_ctx;
    return cx;
}

void chatops_free(struct chatops *cx)
{
    free(cx);
}
