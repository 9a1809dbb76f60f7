/*
 * api/chatops: commands from chat (docs/chatops.md).
 *   POST /api/v1/chat/slack/commands (public; Slack's v0 signature): the slash command
 *        `/tocsin declare|ack|resolve|status|severity|assign|page|note|escalate|help ...`,
 *        form-encoded as Slack sends it (user_id, channel_id, text...).
 *   POST /api/v1/chat/slack/actions (public; signed): button clicks (payload=JSON, block_actions):
 *        tocsin_ack / tocsin_escalate / tocsin_resolve, the incident id as the value.
 * Both: 404 when chatops.slack is off; 401 with nothing done when the signature is missing, wrong,
 * or its timestamp is more than 5 minutes away from the server's clock (a replay). The Slack user
 * is linked to the tocsin user with the same email (users.info, runtime/chat_users.c; matched
 * without regard to case); an unlinked user gets an ephemeral answer and nothing is done. The
 * command then runs as that user through the API routes themselves (router_call via ui_api, so
 * the same validation, jobs and role checks as the API): the role is the user's UI login role
 * (PUT /api/v1/users/{id}/password), responder when the user has none; a viewer is refused. The
 * incident is the id given (INC-...), else the incident whose channel the command was typed in.
 *   POST /api/v1/chat/slack/events (public; signed): the Events API (url_verification,
 *        reaction_added: a message marked with chatops.slack.note_reaction becomes a note).
 *   POST /api/v1/chat/mattermost/commands (public; the slash command's token): the same commands
 *        from Mattermost's Slack-compatible slash command.
 *   POST /api/v1/chat/mattermost/actions (public; the button's signed context): message actions
 *        (ack / escalate / resolve); answered {"ephemeral_text": ...}.
 * Answers are Slack message JSON: ephemeral (only the caller sees it) for errors, status and help;
 * in_channel for changes.
 */
#include "api/api.h"
#include "api/ui.h"
#include "domain/slack_signature.h"
#include "runtime/chat_users.h"
#include "store/chat_events.h"
#include "store/chatops.h"
#include "store/sessions.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { WORDS_MAX = 64 };

static const char usage[] =
    "Usage: /tocsin declare <severity> <title> | ack [id] | resolve [id] [message] | status [id] | "
    "severity <severity> [id] | assign <role> <user> [id] | page <user> [id] | note [id] <text> | "
    "escalate [id]. Without an id: the incident of this channel.";

static void answer(struct request *r, bool in_channel, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Set while answering a Mattermost button: its answer is {"ephemeral_text": ...}. */
static _Thread_local bool action_answer;
/* Set by linked() when the chat service could not be asked who the user is (a temporary
 * failure: a Slack event is then answered 503, so that Slack sends it again). */
static _Thread_local bool link_unavailable;

static void answer(struct request *r, bool in_channel, const char *fmt, ...)
{
    char text[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    if (action_answer) {
        reply_json(r, 200, json_pack("{s:s}", "ephemeral_text", text));
        return;
    }
    reply_json(r, 200,
               json_pack("{s:s,s:s}", "response_type", in_channel ? "in_channel" : "ephemeral",
                         "text", text));
}

/* The signature check; false when it answered 401. */
static bool verified(struct request *r)
{
    enum slack_sig s = slack_signature_check(
        r->config->chatops.slack.secret, request_header(r, "X-Slack-Request-Timestamp"),
        request_header(r, "X-Slack-Signature"), r->body, r->body_len, clock_now(r->app->clock));
    if (s == SLACK_SIG_OK)
        return true;
    log_warn("chatops: a Slack request refused: %s", slack_sig_name(s));
    reply_error(r, ERR_UNAUTHORIZED, "%s", slack_sig_name(s));
    return false;
}

/* Links the Slack user to a tocsin user and sets r->who; false when it answered. */
static bool linked(struct request *r, const char *slack_user, bool mm)
{
    struct error err = {0};
    char email[256];
    const char *service = mm ? "Mattermost" : "Slack";
    link_unavailable = false;
    enum result result = !slack_user || !slack_user[0]
                             ? error_set(&err, ERR_NOT_FOUND, "no user_id in the request")
                         : mm ? chat_mm_user_email(r->config, clock_now(r->app->clock), slack_user,
                                                   email, sizeof email, &err)
                              : chat_slack_user_email(r->config, clock_now(r->app->clock),
                                                      slack_user, email, sizeof email, &err);
    if (result == ERR_UNAVAILABLE) {
        link_unavailable = true;
        answer(r, false, "tocsin cannot ask %s who you are right now (%s); try again.", service,
               err.message);
        return false;
    }
    const struct config_user *u = NULL;
    for (size_t i = 0; result == OK && i < r->config->user_count && !u; i++)
        if (r->config->users[i].email && strcasecmp(r->config->users[i].email, email) == 0)
            u = &r->config->users[i];
    if (!u) {
        log_info("chatops: %s user %.32s (%s) is not linked to a tocsin user", service, slack_user,
                 result == OK ? email : err.message);
        answer(r, false,
               "Your %s account is not linked to a tocsin user (tocsin links them by email: "
               "%s). Nothing was done.",
               service, result == OK ? email : err.message);
        return false;
    }
    /* The user's UI role; a user without a sign-in row is a responder (docs/chatops.md). Any
     * other failure to read the role does nothing: never a role the user may not have. */
    enum access access = ACCESS_RESPONDER;
    struct store_conn *rd = store_reader(r->app->store, &err);
    struct store_login login;
    enum result got = rd ? store_login_get(rd, u->id, &login) : ERR_UNAVAILABLE;
    if (got == OK && access_parse(login.role) >= 0)
        access = (enum access)access_parse(login.role);
    else if (got != ERR_NOT_FOUND) {
        log_warn("chatops: cannot read the role of %s: %s", u->id,
                 got == OK        ? "unknown role"
                 : err.message[0] ? err.message
                                  : "store unavailable");
        answer(r, false, "tocsin cannot read your role right now; try again. Nothing was done.");
        return false;
    }
    r->who = (struct principal){.authenticated = true, .access = access};
    snprintf(r->who.name, sizeof r->who.name, "%s", u->id);
    snprintf(r->who.actor, sizeof r->who.actor, "user:%.64s", u->id);
    return true;
}

/* The incident the command is about: an INC-... word (removed from words), else the channel's. */
static bool incident_of(struct request *r, char **words, int *n, const char *channel, char *out,
                        size_t on)
{
    for (int i = 0; i < *n; i++)
        if (strncasecmp(words[i], "INC-", 4) == 0 && ui_id_ok(words[i])) {
            snprintf(out, on, "%s", words[i]);
            for (int k = 0; out[k]; k++)
                out[k] = k < 3 ? (char)(out[k] & ~0x20) : out[k];
            memmove(&words[i], &words[i + 1], (size_t)(*n - i - 1) * sizeof *words);
            (*n)--;
            return true;
        }
    struct error err = {0};
    struct store_conn *rd = store_reader(r->app->store, &err);
    struct store_chat_channel ch;
    if (channel && rd && store_chat_channel_by_id(rd, channel, &ch) == OK) {
        snprintf(out, on, "%s", ch.incident_id);
        store_chat_channel_free_fields(&ch);
        return true;
    }
    answer(r, false, "Which incident? Give its id (INC-...) or type the command in its channel.");
    return false;
}

static char *join(char **words, int from, int n)
{
    size_t len = 1;
    for (int i = from; i < n; i++)
        len += strlen(words[i]) + 1;
    char *s = xcalloc(1, len);
    for (int i = from; i < n; i++) {
        if (i > from)
            strcat(s, " ");
        strcat(s, words[i]);
    }
    return s;
}

/* Calls the API as r->who and answers: in_channel `done` on 2xx, else the refusal. */
static void call(struct request *r, const char *method, const char *path, json_t *body,
                 const char *done)
{
    json_t *out = NULL;
    int st = ui_api(r, method, path, body, &out);
    json_decref(body);
    if (st >= 200 && st < 300) {
        const char *id = json_string_value(json_object_get(out, "id"));
        answer(r, true, "%s%s%s", done, id ? " " : "", id ? id : "");
    } else if (st == 403) {
        answer(r, false, "Refused: your tocsin role (%s) cannot do this. Nothing was done.",
               access_name(r->who.access));
    } else {
        answer(r, false, "Refused (%d): %s", st, ui_api_message(out));
    }
    json_decref(out);
}

static void status_of(struct request *r, const char *id)
{
    char path[256];
    snprintf(path, sizeof path, "/api/v1/incidents/%s", id);
    json_t *out = NULL;
    int st = ui_api(r, "GET", path, NULL, &out);
    if (st == 200)
        answer(r, false, "%s - %s - %s - %s", id,
               json_string_value(json_object_get(out, "severity")),
               json_string_value(json_object_get(out, "status")),
               json_string_value(json_object_get(out, "title")));
    else
        answer(r, false, "Refused (%d): %s", st, ui_api_message(out));
    json_decref(out);
}

/* Runs one command line (words) as r->who. */
static void run_command(struct request *r, char **w, int n, const char *channel)
{
    char id[128], path[256];
    const char *verb = n > 0 ? w[0] : "help";
    w++;
    n = n > 0 ? n - 1 : 0;
    if (strcmp(verb, "declare") == 0) {
        if (n < 2) {
            answer(r, false, "Usage: /tocsin declare <severity> <title>");
            return;
        }
        char *title = join(w, 1, n);
        call(r, "POST", "/api/v1/incidents",
             json_pack("{s:s,s:s}", "severity", w[0], "title", title), "Declared");
        free(title);
        return;
    }
    static const char *const need_id[] = {"ack",  "resolve", "status",   "severity", "assign",
                                          "page", "note",    "escalate", NULL};
    bool known = false;
    for (size_t i = 0; need_id[i] && !known; i++)
        known = strcmp(need_id[i], verb) == 0;
    if (!known) {
        answer(r, false, "%s", usage);
        return;
    }
    if (!incident_of(r, w, &n, channel, id, sizeof id))
        return;
    char *rest = join(w, 0, n);
    if (strcmp(verb, "ack") == 0) {
        snprintf(path, sizeof path, "/api/v1/incidents/%s/ack", id);
        call(r, "POST", path, json_object(), "Acknowledged");
    } else if (strcmp(verb, "resolve") == 0) {
        snprintf(path, sizeof path, "/api/v1/incidents/%s/resolve", id);
        call(r, "POST", path, rest[0] ? json_pack("{s:s}", "message", rest) : json_object(),
             "Resolved");
    } else if (strcmp(verb, "status") == 0) {
        status_of(r, id);
    } else if (strcmp(verb, "severity") == 0 && n >= 1) {
        snprintf(path, sizeof path, "/api/v1/incidents/%s", id);
        call(r, "PATCH", path, json_pack("{s:s}", "severity", w[0]), "Severity changed");
    } else if (strcmp(verb, "assign") == 0 && n >= 2 && !ui_id_ok(w[0])) {
        answer(r, false, "assign: \"%.32s\" is not a role name. Nothing was done.", w[0]);
    } else if (strcmp(verb, "assign") == 0 && n >= 2) {
        snprintf(path, sizeof path, "/api/v1/incidents/%s/roles/%.32s", id, w[0]);
        call(r, "PUT", path, json_pack("{s:s}", "user", w[1][0] == '@' ? w[1] + 1 : w[1]),
             "Assigned");
    } else if (strcmp(verb, "page") == 0 && n >= 1) {
        snprintf(path, sizeof path, "/api/v1/incidents/%s/page", id);
        call(r, "POST", path, json_pack("{s:s}", "user", w[0][0] == '@' ? w[0] + 1 : w[0]),
             "Paged");
    } else if (strcmp(verb, "note") == 0 && rest[0]) {
        snprintf(path, sizeof path, "/api/v1/incidents/%s/notes", id);
        call(r, "POST", path, json_pack("{s:s}", "text", rest), "Noted");
    } else if (strcmp(verb, "escalate") == 0) {
        snprintf(path, sizeof path, "/api/v1/incidents/%s/escalate", id);
        call(r, "POST", path, rest[0] ? json_pack("{s:s}", "message", rest) : json_object(),
             "Escalated");
    } else {
        answer(r, false, "%s", usage);
    }
    free(rest);
}

static bool slack_on(struct request *r)
{
    if (r->config->chatops.slack.on)
        return true;
    reply_error(r, ERR_NOT_FOUND, "chatops.slack is not configured on this server");
    return false;
}

/* A slash command's form (Slack's or Mattermost's, checked by the caller): its text split into
 * words, run as the linked user in the channel it came from. */
static void slash_command(struct request *r, const struct ui_form *f, bool mattermost)
{
    const char *text = ui_form_get(f, "text");
    char *line = xstrdup(text ? text : "");
    char *words[WORDS_MAX], *save = NULL;
    int n = 0;
    for (char *t = strtok_r(line, " \t\r\n", &save); t && n < WORDS_MAX;
         t = strtok_r(NULL, " \t\r\n", &save))
        words[n++] = t;
    if (linked(r, ui_form_get(f, "user_id"), mattermost))
        run_command(r, words, n, ui_form_get(f, "channel_id"));
    free(line);
}

static void api_slack_command(struct request *r)
{
    if (!slack_on(r) || !verified(r))
        return;
    struct ui_form f;
    struct error err = {0};
    if (ui_form_parse(r->body, r->body_len, &f, &err) != OK) {
        reply_from_error(r, &err);
        ui_form_free(&f);
        return;
    }
    slash_command(r, &f, false);
    ui_form_free(&f);
}

static void api_slack_action(struct request *r)
{
    if (!slack_on(r) || !verified(r))
        return;
    struct ui_form f;
    struct error err = {0};
    json_t *p = NULL;
    if (ui_form_parse(r->body, r->body_len, &f, &err) != OK || !ui_form_get(&f, "payload") ||
        !(p = json_loads(ui_form_get(&f, "payload"), 0, NULL))) {
        reply_error(r, ERR_BAD_REQUEST, "payload: %s",
                    err.message[0] ? err.message : "missing or not JSON");
        ui_form_free(&f);
        return;
    }
    json_t *action = json_array_get(json_object_get(p, "actions"), 0);
    const char *aid = json_string_value(json_object_get(action, "action_id"));
    const char *value = json_string_value(json_object_get(action, "value"));
    const char *user = json_string_value(json_object_get(json_object_get(p, "user"), "id"));
    const char *verb = !aid                                  ? NULL
                       : strcmp(aid, "tocsin_ack") == 0      ? "ack"
                       : strcmp(aid, "tocsin_escalate") == 0 ? "escalate"
                       : strcmp(aid, "tocsin_resolve") == 0  ? "resolve"
                                                             : NULL;
    if (!verb || !value || !ui_id_ok(value))
        reply_error(r, ERR_BAD_REQUEST, "actions[0]: not a tocsin button (action_id %s)",
                    aid ? aid : "missing");
    else if (linked(r, user, false)) {
        char *words[2] = {(char *)verb, (char *)value};
        run_command(r, words, 2, NULL);
    }
    json_decref(p);
    ui_form_free(&f);
}

/* Slack's event retries (docs/internals/chatops.md "Event retries"): each event_id handled is
 * kept CHAT_EVENT_KEEP (Slack retries within minutes); a claim not finished within
 * CHAT_EVENT_LEASE (a request that died) may be taken again. Dev-clock milliseconds. */
enum { CHAT_EVENT_LEASE = 60 * 1000, CHAT_EVENT_KEEP = 24 * 3600 * 1000 };

struct event_claim {
    const char *event_id;
    int64_t now;
    bool claimed, running; /* running: not claimed, another request holds it */
};

static enum result event_claim_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct event_claim *e = arg;
    enum result result = store_chat_event_purge(tx, e->now - CHAT_EVENT_KEEP);
    if (result == OK)
        result = store_chat_event_claim(tx, e->event_id, e->now, e->now - CHAT_EVENT_LEASE,
                                        &e->claimed, &e->running);
    return result == OK ? OK : error_set(err, result, "store: cannot record the Slack event");
}

static enum result event_done_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct event_claim *e = arg;
    enum result result = store_chat_event_done(tx, e->event_id, e->now);
    return result == OK ? OK : error_set(err, result, "store: cannot record the Slack event");
}

static enum result event_release_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct event_claim *e = arg;
    enum result result = store_chat_event_release(tx, e->event_id);
    return result == OK ? OK : error_set(err, result, "store: cannot release the Slack event");
}

/* The marked message in channel ch becomes a note, as the reacting (linked) user. False when it
 * failed for a time (Slack unreachable, the store unavailable): answered 503, to be retried. */
static bool event_note(struct request *r, const struct store_chat_channel *ch, const char *user,
                       const char *channel, const char *ts)
{
    if (!linked(r, user, false))
        return !link_unavailable;
    struct error err = {0};
    char *text = NULL;
    enum result result =
        chat_slack_message_text(r->config, clock_now(r->app->clock), channel, ts, &text, &err);
    bool ok = true;
    if (result != OK) {
        log_warn("chatops: a marked message not made a note of %s: %s", ch->incident_id,
                 err.message);
        ok = result != ERR_UNAVAILABLE;
        reply_error(r, ok ? ERR_NOT_FOUND : ERR_UNAVAILABLE, "%s", err.message);
    } else {
        char path[256];
        snprintf(path, sizeof path, "/api/v1/incidents/%.128s/notes", ch->incident_id);
        json_t *out = NULL;
        json_t *body = json_pack("{s:s}", "text", text);
        int st = ui_api(r, "POST", path, body, &out);
        json_decref(body);
        if (st >= 200 && st < 300) {
            answer(r, true, "Noted");
        } else if (st >= 500) {
            ok = false;
            log_warn("chatops: a marked message not made a note of %s (%d): %s", ch->incident_id,
                     st, ui_api_message(out));
            reply_error(r, ERR_UNAVAILABLE, "note: %s", ui_api_message(out));
        } else {
            answer(r, false, "Refused (%d): %s", st, ui_api_message(out));
        }
        json_decref(out);
    }
    free(text);
    return ok;
}

/* Slack's Events API: the url_verification handshake, and reaction_added: a message in an
 * incident's channel marked with chatops.slack.note_reaction becomes a timeline note, written as
 * the (linked) user who reacted. Other events are acknowledged and ignored. A retry
 * (X-Slack-Retry-Num) of an event tocsin handled (its event_id kept in the store) is acknowledged
 * and not run again; a retry of one that failed for a time (answered 503) is run. An event
 * without event_id cannot be told apart: its retries are acknowledged and not run. */
static void api_slack_event(struct request *r)
{
    if (!slack_on(r) || !verified(r))
        return;
    json_t *p = json_loadb(r->body, r->body_len, 0, NULL);
    const char *type = json_string_value(json_object_get(p, "type"));
    const char *event_id = json_string_value(json_object_get(p, "event_id"));
    json_t *ev = json_object_get(p, "event");
    json_t *item = json_object_get(ev, "item");
    const char *etype = json_string_value(json_object_get(ev, "type"));
    const char *reaction = json_string_value(json_object_get(ev, "reaction"));
    const char *user = json_string_value(json_object_get(ev, "user"));
    const char *channel = json_string_value(json_object_get(item, "channel"));
    const char *ts = json_string_value(json_object_get(item, "ts"));
    const char *retry = request_header(r, "X-Slack-Retry-Num");
    struct error err = {0};
    struct store_conn *rd = NULL;
    struct store_chat_channel ch;
    struct event_claim claim = {event_id, clock_now(r->app->clock), false, false};
    bool have_ch = false;
    if (event_id && (!*event_id || strlen(event_id) > 128))
        event_id = claim.event_id = NULL; /* not Slack's: no dedup on it */
    if (!json_is_object(p) || !type) {
        reply_error(r, ERR_BAD_REQUEST, "type: missing (not a Slack event)");
    } else if (strcmp(type, "url_verification") == 0) {
        const char *challenge = json_string_value(json_object_get(p, "challenge"));
        reply_json(r, 200, json_pack("{s:s}", "challenge", challenge ? challenge : ""));
    } else if (strcmp(type, "event_callback") != 0 || !etype ||
               strcmp(etype, "reaction_added") != 0 || !reaction ||
               strcmp(reaction, r->config->chatops.slack.note_reaction) != 0 || !channel || !ts ||
               (retry && !event_id)) {
        reply_json(r, 200, json_pack("{s:b}", "ok", 1)); /* not for us */
    } else if (!(rd = store_reader(r->app->store, &err))) {
        reply_from_error(r, &err); /* Slack tries again */
    } else if (!(have_ch = store_chat_channel_by_id(rd, channel, &ch) == OK)) {
        reply_json(r, 200, json_pack("{s:b}", "ok", 1)); /* not an incident's channel */
    } else if (event_id && store_write(r->app->store, event_claim_job, &claim, &err) != OK) {
        reply_from_error(r, &err);
    } else if (event_id && !claim.claimed && retry && claim.running) {
        /* the first delivery is still being handled and may yet fail: acknowledging this retry
         * would make Slack stop retrying, and a failure then would lose the event */
        log_info("chatops: Slack event %.64s (retry %.8s) still in hand; answered 503 so Slack "
                 "retries it",
                 event_id, retry);
        reply_error(r, ERR_UNAVAILABLE, "event: still being handled; retry later");
    } else if (event_id && !claim.claimed) {
        log_info("chatops: Slack event %.64s (retry %.8s) already handled or in hand; not run "
                 "again",
                 event_id, retry ? retry : "none");
        reply_json(r, 200, json_pack("{s:b}", "ok", 1));
    } else {
        if (retry)
            log_info("chatops: Slack event %.64s (retry %.8s) run again: it had not been done",
                     event_id, retry);
        bool ok = event_note(r, &ch, user, channel, ts);
        claim.now = clock_now(r->app->clock);
        if (event_id &&
            store_write(r->app->store, ok ? event_done_job : event_release_job, &claim, &err) != OK)
            log_warn("chatops: Slack event %.64s not recorded as %s: %s", event_id,
                     ok ? "done" : "failed", err.message);
    }
    if (have_ch)
        store_chat_channel_free_fields(&ch);
    json_decref(p);
}

static bool mm_on(struct request *r)
{
    if (r->config->chatops.mattermost.on)
        return true;
    reply_error(r, ERR_NOT_FOUND, "chatops.mattermost is not configured on this server");
    return false;
}

/* Mattermost's slash command (Slack-compatible form: token, user_id, channel_id, text...); the
 * token is the command's, compared in constant time. Mattermost sends no timestamp: no replay
 * window (docs/chatops.md). */
static void api_mm_command(struct request *r)
{
    if (!mm_on(r))
        return;
    struct ui_form f;
    struct error err = {0};
    if (ui_form_parse(r->body, r->body_len, &f, &err) != OK) {
        reply_from_error(r, &err);
        ui_form_free(&f);
        return;
    }
    if (!chat_secret_equal(ui_form_get(&f, "token"), r->config->chatops.mattermost.command_token)) {
        log_warn("chatops: a Mattermost command refused: bad or missing token");
        reply_error(r, ERR_UNAUTHORIZED, "token: missing or wrong");
        ui_form_free(&f);
        return;
    }
    slash_command(r, &f, true);
    ui_form_free(&f);
}

/* A Mattermost message action (a page's button): JSON {user_id, channel_id, post_id, context};
 * the context is the one tocsin put on the button, with its signature (chat_action_sig). */
static void api_mm_action(struct request *r)
{
    if (!mm_on(r))
        return;
    json_t *p = json_loadb(r->body, r->body_len, 0, NULL);
    json_t *ctx = json_object_get(p, "context");
    const char *act = json_string_value(json_object_get(ctx, "action"));
    const char *id = json_string_value(json_object_get(ctx, "incident"));
    const char *sig = json_string_value(json_object_get(ctx, "sig"));
    const char *user = json_string_value(json_object_get(p, "user_id"));
    json_t *issued_j = json_object_get(ctx, "issued");
    int64_t issued = json_is_integer(issued_j) ? (int64_t)json_integer_value(issued_j) : -1;
    int64_t now = clock_now(r->app->clock);
    char want[3 + SLACK_SIG_HEX + 1] = "";
    if (act && id && issued >= 0)
        chat_action_sig(r->config->chatops.mattermost.command_token, act, id, issued, want);
    if (!json_is_object(p))
        reply_error(r, ERR_BAD_REQUEST, "body: not a JSON object");
    else if (!act || !id || !sig || issued < 0 || !chat_secret_equal(sig, want)) {
        log_warn("chatops: a Mattermost action refused: bad or missing context signature");
        reply_error(r, ERR_UNAUTHORIZED, "context.sig: missing or wrong");
    } else if (issued > now + 5 * 60 * 1000 || now - issued > CHAT_ACTION_TTL_MS) {
        log_warn("chatops: a Mattermost action refused: its button is older than %d days",
                 CHAT_ACTION_TTL_DAYS);
        reply_error(r, ERR_UNAUTHORIZED, "context.issued: the button has expired (%d days)",
                    CHAT_ACTION_TTL_DAYS);
    } else if ((strcmp(act, "ack") != 0 && strcmp(act, "escalate") != 0 &&
                strcmp(act, "resolve") != 0) ||
               !ui_id_ok(id))
        reply_error(r, ERR_BAD_REQUEST, "context.action: not a tocsin button");
    else {
        action_answer = true;
        if (linked(r, user, true)) {
            char *words[2] = {(char *)act, (char *)id};
            run_command(r, words, 2, NULL);
        }
        action_answer = false;
    }
    json_decref(p);
}

static const struct route routes[] = {
    {"POST", "/api/v1/chat/slack/commands", api_slack_command, ACCESS_PUBLIC, "chat_slack_command"},
    {"POST", "/api/v1/chat/slack/actions", api_slack_action, ACCESS_PUBLIC, "chat_slack_action"},
    {"POST", "/api/v1/chat/slack/events", api_slack_event, ACCESS_PUBLIC, "chat_slack_event"},
    {"POST", "/api/v1/chat/mattermost/commands", api_mm_command, ACCESS_PUBLIC,
     "chat_mattermost_command"},
    {"POST", "/api/v1/chat/mattermost/actions", api_mm_action, ACCESS_PUBLIC,
     "chat_mattermost_action"},
};
HTTP_ROUTES(chatops, routes);
