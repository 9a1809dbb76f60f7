/*
 * notify_render: the message model every channel renders from, and the words of a message.
 *
 * A message is one outbox row (the lead) and the rows bundled with it (struct notify_item: a
 * borrowed view of the row's fields, its incident, its ack and incident links), for one user
 * (struct notify_render). From it come the subject, the plain text ("N notifications: ..." for a
 * bundle), the short SMS text, the escaping each format needs (HTML, form-urlencoded, JSON string,
 * the SMS body template), the incident JSON of the webhook body and the Standard Webhooks
 * signature. Also the kinds of message and their names, a user's addresses, and the choice of
 * methods for a user (rules, severity channels, every method the user has).
 *
 * Pure: no store, no libcurl, no clock reads (`now` is passed in); every output goes to a capped
 * buf. Ownership: a notify_render and its items borrow everything. Threads: any.
 */
#ifndef TOCSIN_NOTIFY_RENDER_H
#define TOCSIN_NOTIFY_RENDER_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"
#include "util/buf.h"

enum {
    NOTIFY_URL_MAX = 512,
    NOTIFY_METHODS = 4,          /* email, sms, slack, webhook */
    NOTIFY_BUNDLE_LISTED = 10,   /* bundled rows listed one by one; the rest are counted */
    NOTIFY_SMS_MAX = 480,        /* characters of an SMS text */
    NOTIFY_BODY_CAP = 256 * 1024 /* any request body */
};

enum notify_kind {
    NOTIFY_PAGE,     /* an escalation step: carries an ack link */
    NOTIFY_REMINDER, /* a status update is due (comms cadence) */
    NOTIFY_HANDOFF,  /* a shift starts: open incidents, hand-off checklist */
    NOTIFY_INFO,     /* anything else worth telling a person */
};

/* The methods in fallback order: "email", "sms", "slack", "webhook". */
extern const char *const notify_methods[NOTIFY_METHODS];

/* The fields of an outbox row a message is made of (borrowed from the row). */
struct notify_row {
    int64_t id;
    int64_t created_at;
    const char *incident_id; /* "" when about no incident */
    const char *kind;        /* "page", "reminder", "handoff", "info" */
    const char *dkey;        /* the producer's dedup key */
    const char *user_id, *method, *address, *subject, *body;
};

/* One row carried by a message: the lead first, then the rows bundled with it. */
struct notify_item {
    struct notify_row row;
    const struct incident *inc;        /* NULL when the row is about no incident */
    char ack_url[NOTIFY_URL_MAX];      /* "" unless a page about an incident */
    char incident_url[NOTIFY_URL_MAX]; /* "" when no incident */
    char bridge_url[NOTIFY_URL_MAX];   /* the incident's bridge (chatops.bridge), or "" */
};

struct notify_render {
    const struct config *cfg;
    const struct config_user *user; /* NULL when the user left the config */
    const struct notify_item *items;
    size_t nitems; /* >= 1; items[0] is the lead row */
    int64_t now;   /* the attempt's time (app clock) */
};

const char *notify_kind_name(enum notify_kind k); /* "page", "reminder", "handoff", "info" */
int notify_kind_parse(const char *name);          /* -1 when unknown */
/* The Standard Webhooks event type of a kind: incident.page, incident.reminder, oncall.handoff,
 * notification.info. */
const char *notify_event_type(const char *kind);
/* The message's subject: the lead's own, or "N notifications: ..." for a bundle. */
void notify_render_subject(const struct notify_render *r, struct buf *out);
/* The plain-text body: each row's text, its ack link and its incident link; a bundle starts with
 * "N notifications:" and lists each row. */
void notify_render_text(const struct notify_render *r, struct buf *out);
/* The short text of an SMS: "[SEV1] INC-... title - ack: LINK or reply ACK <id>"; for a bundle
 * "N notifications: INC-... title (ACK 12); ...". At most NOTIFY_SMS_MAX characters. */
void notify_render_sms(const struct notify_render *r, struct buf *out);
void notify_html_escape(struct buf *out, const char *s);
/* application/x-www-form-urlencoded value encoding. */
void notify_form_escape(struct buf *out, const char *s);
/* The inside of a JSON string (no quotes). */
void notify_json_escape(struct buf *out, const char *s);
/* Fills the SMS body template: {{to}}, {{from}} and {{message}} escaped for content_type. */
void notify_template(struct buf *out, const char *tmpl, const char *content_type, const char *to,
                     const char *from, const char *message);
/* A JSON object for an incident (id, title, severity, status, service, url), or null. */
json_t *notify_incident_json(const struct notify_item *it);
/* Standard Webhooks: "v1," + base64(HMAC-SHA256(key, id "." timestamp "." body)) with key the
 * base64 after "whsec_". 0 on success, -1 when the secret is malformed. */
int notify_webhook_signature(const char *secret, const char *id, int64_t timestamp,
                             const char *body, size_t body_len, char *out, size_t n);

/* The user's address for a method (email, phone, slack URL, webhook URL), or NULL. */
const char *notify_user_address(const struct config_user *u, const char *method);
/* The user's methods in order of preference: those named by the rules (file order), then the
 * others the user has, as email, sms, slack, webhook. Returns the count. */
size_t notify_user_methods(const struct config_user *u, const char *out[NOTIFY_METHODS]);
/* The methods for a message about an incident of `severity` (NULL: no incident): the first
 * matching rule's (its after into *after), else the severity's channels the user has, else every
 * method the user has. *why describes the choice (static text). Returns the count (0: the user
 * has no method). */
size_t notify_choose_methods(const struct config *cfg, const struct config_user *u,
                             const char *severity, const char *out[NOTIFY_METHODS], int64_t *after,
                             char *why, size_t why_n);

#endif
