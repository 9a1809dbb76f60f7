/*
 * review_invite: the iCalendar invite (RFC 5545, iTIP METHOD:REQUEST) to a post-mortem's review
 * meeting, built by libical. One VEVENT: UID "review-<pm id>@tocsin" (stable, so a rescheduled
 * meeting replaces the first invite in the attendees' calendars), SEQUENCE pm->review_seq,
 * DTSTART/DTEND in UTC, SUMMARY "Post-mortem review: <incident id> <title>", ORGANIZER the
 * sender, one ATTENDEE (mailto:, RSVP) per address. Pure: takes `now` (DTSTAMP).
 * Threads: any.
 */
#ifndef TOCSIN_REVIEW_INVITE_H
#define TOCSIN_REVIEW_INVITE_H

#include <stddef.h>
#include <stdint.h>

#include "domain/incident.h"
#include "domain/postmortem.h"

/* The invite's text (CRLF lines), malloc'd; NULL when libical cannot encode it. emails: the
 * attendees' addresses (n of them); organizer: an email address or NULL. */
char *review_invite_ics(const struct postmortem *pm, const struct incident *inc,
                        const char *const *emails, size_t n, const char *organizer, int64_t now);
/* The cancellation (iTIP METHOD:CANCEL, STATUS:CANCELLED, same UID, SEQUENCE pm->review_seq) for
 * the attendees in emails: those dropped from a moved meeting, or everyone when the meeting is
 * cancelled outright (RFC 5546 3.2.5). Same ownership as review_invite_ics. */
char *review_cancel_ics(const struct postmortem *pm, const struct incident *inc,
                        const char *const *emails, size_t n, const char *organizer, int64_t now);

#endif
