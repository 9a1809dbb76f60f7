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
    NOTIFY_METHODS = 5,          /* email, sms, slack, webhook, voice */
    NOTIFY_DEFAULT_METHODS = 4,  /* the first four: "every method the user has" (not voice) */
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

/* The methods in fallback order: "email", "sms", "slack", "webhook", then "voice", which is used
 * only where a user's rule or the severity's channels name it (a phone call is the loudest page;
 * it is never chosen as "every method the user has"). */
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
    /* a status page webhook subscriber's Standard Webhooks secret (sub_webhook_secret), else
     * NULL */
    const char *secret;
};

const char *notify_kind_name(enum notify_kind k); /* "page", "reminder", "handoff", "info" */
int notify_kind_parse(const char *name);          /* -1 when unknown */
/* The Standard Webhooks event type of a kind: incident.page, incident.reminder, oncall.handoff,
 * notification.info. */
const char *notify_event_type(const char *kind);
/* The message's subject: the lead's own, or "N notifications: ..." for a bundle ("[DRILL] N
 * notifications: ..." when every row is about a drill, "N notifications (M of them drills): ..."
 * when some are). */
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
 * others the user has, as email, sms, slack, webhook (voice only when a rule names it). */
size_t notify_user_methods(const struct config_user *u, const char *out[NOTIFY_METHODS]);
/* One method of a message and when it goes: `after` the page is due, from user rule `rule`
 * (1-based; 0 when the severity's channels or every method decided). */
struct notify_choice {
    const char *method;
    int64_t after;
    int rule;
};
enum { NOTIFY_CHOICES_MAX = 16 };
/* The methods for a message about an incident of `severity` (NULL: no incident): EVERY matching
 * rule of the user, each method with its rule's `after` (PagerDuty's notification rules: SMS at
 * 0, a call at +5 min, mail at +10; the notifier cancels the later ones once the incident is
 * acknowledged); with no matching rule, the severity's channels the user has; else every method
 * the user has (not voice). A method named by two rules with different delays is there twice.
 * *why describes the choice ("rule 1 of user X", "rules 1, 3 of user X", "channels of severity
 * S", "every method of user X ..."). Returns the count (0: the user has no method). */
size_t notify_choose(const struct config *cfg, const struct config_user *u, const char *severity,
                     struct notify_choice out[NOTIFY_CHOICES_MAX], char *why, size_t why_n);

/* A method named for a message that cannot reach the user, and why (static text). */
struct notify_dropped {
    const char *method;
    const char *why; /* "the user has no phone", "notify.voice is not configured", ... */
};
/* The severity's channels that the message to u will not use because u or the config cannot
 * (the user lacks the address, the channel is not configured; `ticket` is never one: it is the
 * incident's, not a user's), and the chosen methods the config cannot send. Returns the count. */
size_t notify_dropped_methods(const struct config *cfg, const struct config_user *u,
                              const char *severity, const char *const *chosen, size_t nchosen,
                              struct notify_dropped out[NOTIFY_METHODS]);

#endif
