/*
 * notice_template: the placeholders of a customer notice (docs/api.md "Customer notices"):
 * `{{customer.COLUMN}}` (a column of the recipients' CSV, by its header name in lower case:
 * `{{customer.name}}`, `{{customer.email}}`, ...) and `{{incident.FIELD}}` (id, title,
 * severity, status, service, started_at, url: the incident on the public status page). Spaces
 * inside the braces are allowed (`{{ customer.name }}`). A notice is checked whole before
 * anything is queued: an unknown name or a `{{` never closed is refused, naming it.
 *
 * Pure: no I/O, no clock.
 */
#ifndef TOCSIN_DOMAIN_NOTICE_TEMPLATE_H
#define TOCSIN_DOMAIN_NOTICE_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "util/buf.h"

enum { NOTICE_INCIDENT_FIELDS = 7 };
extern const char *const notice_incident_fields[NOTICE_INCIDENT_FIELDS];

/* The values a notice is rendered with: the CSV's columns (lower-case names) and one
 * recipient's values (NULL or short rows: ""), the incident's fields in notice_incident_fields
 * order. */
struct notice_vars {
    const char *const *columns;
    size_t ncolumns;
    const char *const *values;
    size_t nvalues;
    const char *incident[NOTICE_INCIDENT_FIELDS];
};

/* 0 when every placeholder of text is known (columns: the CSV's); else -1 and `bad` gets the
 * placeholder as written ("{{customer.plan}}", or the start of one never closed). */
int notice_check(const char *text, const char *const *columns, size_t ncolumns, char *bad,
                 size_t badn);
/* text with its placeholders replaced (text must have passed notice_check). one_line: control
 * characters of the values become spaces (a subject). BUF_OK, or BUF_TOO_LARGE when the result
 * does not fit out's cap (out then holds a cut text: never send it). */
int notice_render(struct buf *out, const char *text, const struct notice_vars *v, bool one_line);

#endif
