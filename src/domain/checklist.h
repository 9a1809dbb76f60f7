/*
 * checklist: which config checklists apply to an incident, and which items tocsin can observe
 * (docs/internals/checklists.md). Pure: no I/O, no clock.
 *
 * A checklist applies to an incident when the incident's type names it, or its `when` matches
 * (severity and type); one with no `when` applies to every incident unless some incident type
 * names it (then only to those). `handoff` checklists are for shift hand-offs and never attach
 * to incidents. An item is observable when its text says so, by keywords
 * (checklist_item_auto): tocsin ticks it itself when the event happens.
 *
 * Ownership: struct checklist_item owns its strings (checklist_item_free_fields).
 */
#ifndef TOCSIN_CHECKLIST_H
#define TOCSIN_CHECKLIST_H

#include <stdbool.h>
#include <stdint.h>

#include "config/config.h"
#include "domain/incident.h"

enum checklist_auto {
    CHECK_AUTO_NONE,
    CHECK_AUTO_COMMANDER,     /* "commander_assigned": a commander is assigned */
    CHECK_AUTO_PUBLIC_UPDATE, /* "public_update": a public status update is posted */
    CHECK_AUTO_POSTMORTEM,    /* "postmortem_created": the post-mortem exists */
    CHECK_AUTO_COUNT
};

/* One item of a checklist attached to an incident. n counts from 1 in the checklist's order. */
struct checklist_item {
    char *incident_id, *checklist_id, *title, *phase, *text; /* phase may be NULL */
    int n;
    enum checklist_auto auto_kind;
    int64_t attached_at, done_at; /* done_at 0: not done */
    char *done_by;                /* NULL when not done */
    /* The deadline (migration 012): due_within ms after the incident event due_from
     * ("declared", "acknowledged", "resolved"); due_from NULL: no deadline. owner: who is
     * reminded when it passes (a role name or a user id; NULL: the commander). reminded_at 0:
     * not reminded yet (one reminder per item). */
    char *due_from;
    int64_t due_within;
    char *owner;
    int64_t reminded_at;
};

const char *checklist_auto_name(enum checklist_auto a); /* NULL for NONE */
int checklist_auto_parse(const char *name);             /* CHECK_AUTO_NONE for NULL/unknown */
/* The event an item's text names, by keywords (ASCII, case-insensitive):
 *   "commander" with "assign", "designate" or "identify"          -> COMMANDER
 *   "status page" or "public update" with "post", "update" or "publish" -> PUBLIC_UPDATE
 *   "post-mortem"/"postmortem"/"post mortem" with "schedule", "create" or "open" -> POSTMORTEM
 * else NONE. */
enum checklist_auto checklist_item_auto(const char *text);
bool checklist_applies(const struct config *cfg, const struct config_checklist *cl,
                       const struct incident *inc);
void checklist_item_free_fields(struct checklist_item *it);
/* A deep copy of src (free with checklist_item_free_fields). */
void checklist_item_copy(struct checklist_item *dst, const struct checklist_item *src);
/* The item's deadline given the incident (0: none, or its event has not happened). */
int64_t checklist_item_due_at(const struct checklist_item *it, const struct incident *inc);
/* The user an overdue item reminds: its owner (a role of inc, or a user id), else the
 * commander; NULL when that role is empty. Borrowed from it or inc. */
const char *checklist_item_remindee(const struct checklist_item *it, const struct incident *inc);

#endif
