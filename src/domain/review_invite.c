/*
 * review_invite: the review meeting's iCalendar invite and cancellation (review_invite.h).
 * Threads: any; pure.
 */
#include "domain/review_invite.h"
#include "util/log.h"

#include <libical/ical.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct icaltimetype utc(int64_t ms)
{
    return icaltime_from_timet_with_zone((time_t)(ms / 1000), 0, icaltimezone_get_utc_timezone());
}

static char *review_ics(const struct postmortem *pm, const struct incident *inc,
                        const char *const *emails, size_t n, const char *organizer, int64_t now,
                        bool cancel)
{
    char uid[128], summary[600], desc[1200], mailto[600];
    snprintf(uid, sizeof uid, "review-%s@tocsin", pm->id);
    snprintf(summary, sizeof summary, "Post-mortem review: %s %s", inc->id,
             inc->title ? inc->title : "");
    snprintf(desc, sizeof desc,
             "Review of the post-mortem %s (%s, %s).\nRead it first: tocsin postmortem show %s\n",
             pm->id, inc->id, inc->severity ? inc->severity : "", pm->id);
    icalcomponent *cal = icalcomponent_vanew(
        ICAL_VCALENDAR_COMPONENT, icalproperty_new_version("2.0"),
        icalproperty_new_prodid("-//tocsin//post-mortem review//EN"),
        icalproperty_new_calscale("GREGORIAN"),
        icalproperty_new_method(cancel ? ICAL_METHOD_CANCEL : ICAL_METHOD_REQUEST), (void *)0);
    icalcomponent *ev = icalcomponent_new_vevent();
    icalcomponent_add_property(ev, icalproperty_new_uid(uid));
    icalcomponent_add_property(ev, icalproperty_new_sequence(pm->review_seq));
    icalcomponent_add_property(ev, icalproperty_new_dtstamp(utc(now)));
    icalcomponent_add_property(ev, icalproperty_new_dtstart(utc(pm->review_at)));
    icalcomponent_add_property(
        ev, icalproperty_new_dtend(utc(pm->review_at + (int64_t)pm->review_minutes * 60000)));
    icalcomponent_add_property(ev, icalproperty_new_summary(summary));
    icalcomponent_add_property(ev, icalproperty_new_description(desc));
    icalcomponent_add_property(
        ev, icalproperty_new_status(cancel ? ICAL_STATUS_CANCELLED : ICAL_STATUS_CONFIRMED));
    if (organizer) {
        snprintf(mailto, sizeof mailto, "mailto:%s", organizer);
        icalcomponent_add_property(ev, icalproperty_new_organizer(mailto));
    }
    for (size_t i = 0; i < n; i++) {
        snprintf(mailto, sizeof mailto, "mailto:%s", emails[i]);
        icalproperty *a = icalproperty_new_attendee(mailto);
        icalproperty_add_parameter(a, icalparameter_new_role(ICAL_ROLE_REQPARTICIPANT));
        if (!cancel) {
            icalproperty_add_parameter(a, icalparameter_new_partstat(ICAL_PARTSTAT_NEEDSACTION));
            icalproperty_add_parameter(a, icalparameter_new_rsvp(ICAL_RSVP_TRUE));
        }
        icalcomponent_add_property(ev, a);
    }
    icalcomponent_add_component(cal, ev);
    char *text = icalcomponent_as_ical_string_r(cal);
    icalcomponent_free(cal);
    return text;
}

char *review_invite_ics(const struct postmortem *pm, const struct incident *inc,
                        const char *const *emails, size_t n, const char *organizer, int64_t now)
{
    return review_ics(pm, inc, emails, n, organizer, now, false);
}

char *review_cancel_ics(const struct postmortem *pm, const struct incident *inc,
                        const char *const *emails, size_t n, const char *organizer, int64_t now)
{
    return review_ics(pm, inc, emails, n, organizer, now, true);
}
