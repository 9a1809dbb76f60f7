/*
 * api/ui: what the responder UI's route files share (ui.c, ui_actions.c): the session cookie and
 * CSRF check, the form parser, calls into the JSON API on the session's behalf, and replies
 * (pages, 303 redirects, embedded assets). docs/internals/ui.md.
 *
 * Sessions: the cookie `tocsin_session` holds a random secret; its SHA-256 names a store row
 * (jobs/session.h) read on every request, so signing out or revoking ends it at once. A request
 * with a live session runs as r->who = {access: the session's role, actor: "user:<id>"}.
 * Every action is an API call made through the route table (router_call), so the UI enforces
 * exactly the API's roles and runs exactly its validation and store jobs.
 * Threads: request threads, like every handler.
 */
#ifndef TOCSIN_API_UI_H
#define TOCSIN_API_UI_H

#include "http/http.h"
#include "store/sessions.h"
#include "web/html.h"

enum { UI_FORM_MAX = 64, UI_PAGE_CAP = 2 * 1024 * 1024 };
#define UI_COOKIE "tocsin_session"
#define UI_SESSION_TTL_MS (12 * 3600 * 1000LL)

struct ui_form {
    int n;
    char *key[UI_FORM_MAX];
    char *val[UI_FORM_MAX];
    char *mem; /* one allocation holding every key and value */
};

/* application/x-www-form-urlencoded: '&'-separated key=value, '+' is a space, %XX decoded.
 * ERR_BAD_REQUEST naming the problem for more than UI_FORM_MAX fields, a bad or %00 escape, or
 * text that is not UTF-8. f is always safe to ui_form_free. */
enum result ui_form_parse(const char *body, size_t len, struct ui_form *f, struct error *err);
const char *ui_form_get(const struct ui_form *f, const char *key); /* the first value, or NULL */
void ui_form_free(struct ui_form *f);

/* The live session of the request's cookie into *ses, r->who set from it. Otherwise false, having
 * answered: a 303 to the sign-in page (GET) or a 401 page (other methods). */
bool ui_session_or_redirect(struct request *r, struct store_session *ses);
/* For a POST: the session, the form (Content-Type checked) and its CSRF token, which must equal
 * the session's (403 otherwise). False when it has answered. */
bool ui_post_or_reply(struct request *r, struct store_session *ses, struct ui_form *f);

/* Calls the API route for method+path as r->who with `body` (borrowed; NULL for none). Returns
 * the HTTP status; *out gets the parsed JSON answer (NULL when it was not JSON). */
int ui_api(struct request *r, const char *method, const char *path, json_t *body, json_t **out);
/* The message of an API error answer, or a generic one. */
const char *ui_api_message(const json_t *answer);

/* Whether a path segment is a plain id ([A-Za-z0-9._:-], 1..128): what the UI puts into an API
 * path it builds (an id with '?' or '/' could otherwise reach another route or query). */
bool ui_id_ok(const char *id);

/* The timeline's last sequence number: what the live-update stream compares. */
int64_t ui_version(struct request *r);

void ui_redirect(struct request *r, const char *location); /* 303 See Other */
/* Answers with the page in h (text/html, no-store); a builder that failed is a 500. */
void ui_reply_html(struct request *r, int status, struct html *h);
/* An error page for a refused action: its status and the message, a link back to `back`. */
void ui_reply_refused(struct request *r, int status, const char *message, const char *back,
                      const struct store_session *ses);

/* A page that shows one API list: the session (or the sign-in redirect), GET api_path as the
 * signed-in user, then render(list) under the nav entry `nav`; an API refusal is its error page. */
struct ui_view;
typedef void (*ui_list_render)(struct html *h, const struct ui_view *v, const json_t *list,
                               const struct config *cfg);
void ui_list_page(struct request *r, const char *api_path, const char *nav, ui_list_render render);

#endif
