/*
 * postmortem: the rules of post-mortems and action items, and the post-mortem document. Pure: no
 * I/O, no clock reads (functions take `now`); the store rows come in as arguments.
 *
 * States of a post-mortem (the moves and the function that makes them):
 *
 *   DRAFT --postmortem_move(IN_REVIEW)--> IN_REVIEW --postmortem_move(PUBLISHED)--> PUBLISHED
 *
 * Any other move is ERR_CONFLICT naming the one allowed. Invariants (postmortem_check):
 *   - published_at != 0 exactly in PUBLISHED; remind_at == 0 in PUBLISHED (nothing to remind);
 *   - a PUBLISHED post-mortem never changes again (postmortem_check_editable).
 * An action item is OPEN or DONE (action_done); done_at != 0 exactly when DONE, and a DONE item
 * has no reminder left (remind_at == 0).
 *
 * Reminders: an overdue post-mortem or action item (due_at set and past) reminds its owner at
 * remind_at, then every POSTMORTEM_REMIND_EVERY after (postmortem_next_remind).
 *
 * The document (postmortem_render_md) is Markdown built from the template's sections: the
 * pre-filled ones come from the incident, its timeline, alerts, notifications and action items
 * (struct postmortem_doc), the rest from the fields people fill in. Text from people is kept as
 * Markdown; table cells have their '|' escaped and line breaks folded.
 *
 * Ownership: struct postmortem and struct action_item own their strings (*_free_fields); the
 * rows of a postmortem_doc are borrowed.
 */
#ifndef TOCSIN_POSTMORTEM_H
#define TOCSIN_POSTMORTEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"
#include "util/buf.h"
#include "util/result.h"

#define POSTMORTEM_REMIND_EVERY (24LL * 3600 * 1000)

enum { POSTMORTEM_ID_MAX = INCIDENT_ID_MAX + 4, ACTION_ID_MAX = 32 };

enum postmortem_state { PM_DRAFT, PM_IN_REVIEW, PM_PUBLISHED, PM_STATE_COUNT };

/* The fields people write (PATCH); summary starts as the incident's summary. */
enum postmortem_field {
    PM_SUMMARY,
    PM_IMPACT,
    PM_ROOT_CAUSE,
    PM_CONTRIBUTING_FACTORS,
    PM_WENT_WELL,
    PM_WENT_BADLY,
    PM_LESSONS,
    PM_FIELD_COUNT
};

struct postmortem {
    char id[POSTMORTEM_ID_MAX]; /* "PM-" + incident id */
    char incident_id[INCIDENT_ID_MAX];
    char *template_id;
    enum postmortem_state state;
    char *owner;                  /* a config user id, or NULL */
    bool required;                /* the severity required one when it was made */
    int64_t due_at;               /* 0: no due date */
    char *fields[PM_FIELD_COUNT]; /* NULL when not written yet */
    int64_t created_at, updated_at, published_at;
    char *created_by;
    int64_t remind_at; /* 0: no reminder due */
    /* The review meeting (migration 012): review_at 0 when none is scheduled; attendees: config
     * user ids, comma separated (NULL: none); review_seq: the invite's iCalendar SEQUENCE. */
    int64_t review_at;
    int review_minutes, review_seq;
    char *review_attendees;
};

enum action_status { ACTION_OPEN, ACTION_DONE };

struct action_item {
    char id[ACTION_ID_MAX]; /* "ACT-<n>" */
    char *title;
    char *owner;    /* a config user id, or NULL */
    int64_t due_at; /* 0: none */
    char *priority; /* p0..p3 */
    enum action_status status;
    char *incident_id;   /* NULL when linked to none */
    char *postmortem_id; /* NULL when linked to none */
    int64_t created_at, updated_at, done_at, remind_at;
    char *created_by;
};

const char *postmortem_state_name(enum postmortem_state s); /* draft, in_review, published */
int postmortem_state_parse(const char *name);               /* -1 when unknown */
const char *postmortem_field_name(enum postmortem_field f); /* "root_cause" ... */
int postmortem_field_parse(const char *name);               /* -1 when unknown */
const char *action_status_name(enum action_status s);       /* open, done */
int action_status_parse(const char *name);                  /* -1 when unknown */
bool action_priority_valid(const char *p);                  /* p0, p1, p2, p3 */

void postmortem_free_fields(struct postmortem *pm);
void action_item_free_fields(struct action_item *a);
bool postmortem_check(const struct postmortem *pm);

/* The template for an incident: the first of cfg's whose `when` matches, else the built-in one
 * (id "default": every section, resolved first). Never NULL. */
const struct config_postmortem_template *postmortem_template_for(const struct config *cfg,
                                                                 const struct incident *inc);
/* A new DRAFT for inc: id, template, owner (NULL: the commander), required and due date from the
 * severity (due counted from the resolution, else from now), summary from the incident. Refuses
 * (ERR_CONFLICT, naming `status`) an incident that is not resolved when the template requires it,
 * and a closed one (nothing can change after close). */
enum result postmortem_init(struct postmortem *pm, const struct config *cfg,
                            const struct incident *inc, const char *owner, const char *actor,
                            int64_t now, struct error *err);
/* ERR_CONFLICT when published. */
enum result postmortem_check_editable(const struct postmortem *pm, struct error *err);
/* Sets one field (takes a copy; NULL clears it). */
enum result postmortem_set_field(struct postmortem *pm, enum postmortem_field f, const char *value,
                                 int64_t now, struct error *err);
enum result postmortem_move(struct postmortem *pm, enum postmortem_state to, int64_t now,
                            struct error *err);
/* The next reminder after `now` for something due at due_at (0: none): due_at when it is still
 * ahead, else now + POSTMORTEM_REMIND_EVERY. */
int64_t postmortem_next_remind(int64_t due_at, int64_t now);

enum result action_done(struct action_item *a, int64_t now, struct error *err);

/* ---- the document ---- */

struct postmortem_timeline_row {
    int64_t at;
    const char *actor, *kind;
    const char *data; /* the entry's JSON text */
};
struct postmortem_alert_row {
    int64_t first_seen, resolved_at; /* resolved_at 0: still firing */
    const char *service, *status, *summary;
};
struct postmortem_notification_row {
    int64_t at;
    const char *user, *method, *kind, *status;
};

struct postmortem_doc {
    const struct postmortem *pm;
    const struct incident *inc;
    const struct config *cfg;
    const struct postmortem_timeline_row *timeline;
    size_t timeline_count;
    const struct postmortem_alert_row *alerts;
    size_t alert_count;
    const struct postmortem_notification_row *notifications;
    size_t notification_count;
    const struct action_item *actions;
    size_t action_count;
};

/* The Markdown document into out (appends; a full buffer truncates it, checked by the caller
 * through buf_append's result being ignored here: the cap bounds it). */
void postmortem_render_md(const struct postmortem_doc *d, struct buf *out);
/* A post-mortem's text field holds at most PM_TEXT_MAX characters (code points: up to 4 bytes
 * each). PM_PUBLIC_MD_MAX: the bytes postmortem_render_public_md can write at most (four fields
 * at their limit, each 4-byte characters only, with their headings), the cap of its buffer, so
 * the last section is never cut. */
enum { PM_TEXT_MAX = 20000, PM_PUBLIC_MD_MAX = 4 * PM_TEXT_MAX * 4 + 256 };
/* The public text of a published post-mortem (the status page: docs/postmortems.md "On the
 * status page"), Markdown, into out: the sections written for readers outside the team
 * (summary, impact, root cause, lessons), each only when written. The rest (timeline, roles,
 * alerts, notifications, contributing factors, what went well or badly, action items) names
 * people, systems and contacts, and stays inside. Empty when none of the four is written. */
void postmortem_render_public_md(const struct postmortem *pm, struct buf *out);
/* "1h 23m", "4m 05s", "2d 3h": a span for people. */
void postmortem_format_span(int64_t ms, char *out, size_t n);

#endif
