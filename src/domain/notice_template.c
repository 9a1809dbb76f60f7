/* notice_template: placeholders in customer notices; see notice_template.h. */
#include "domain/notice_template.h"

#include <stdio.h>
#include <string.h>

const char *const notice_incident_fields[NOTICE_INCIDENT_FIELDS] = {
    "id", "title", "severity", "status", "service", "started_at", "url"};

/* The name inside "{{ name }}" starting at p ("{{"): [*name, *name + *len); returns the text
 * after "}}", or NULL when never closed. */
static const char *parse_one(const char *p, const char **name, size_t *len)
{
    const char *end = strstr(p + 2, "}}");
    if (!end)
        return NULL;
    const char *s = p + 2, *e = end;
    while (s < e && (*s == ' ' || *s == '\t'))
        s++;
    while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
        e--;
    *name = s;
    *len = (size_t)(e - s);
    return end + 2;
}

static bool is(const char *name, size_t len, const char *prefix, const char *field)
{
    size_t pl = strlen(prefix), fl = strlen(field);
    return len == pl + fl && memcmp(name, prefix, pl) == 0 && memcmp(name + pl, field, fl) == 0;
}

/* The index of the value: columns 0.., incident fields -1-k; -1000 when unknown. */
static long lookup(const char *name, size_t len, const char *const *columns, size_t ncolumns)
{
    for (size_t k = 0; k < ncolumns; k++)
        if (columns[k][0] && is(name, len, "customer.", columns[k]))
            return (long)k;
    for (size_t k = 0; k < NOTICE_INCIDENT_FIELDS; k++)
        if (is(name, len, "incident.", notice_incident_fields[k]))
            return -1 - (long)k;
    return -1000;
}

int notice_check(const char *text, const char *const *columns, size_t ncolumns, char *bad,
                 size_t badn)
{
    for (const char *p = strstr(text, "{{"); p; p = strstr(p, "{{")) {
        const char *name;
        size_t len;
        const char *next = parse_one(p, &name, &len);
        if (!next) {
            snprintf(bad, badn, "%.40s", p);
            return -1;
        }
        if (lookup(name, len, columns, ncolumns) == -1000) {
            snprintf(bad, badn, "{{%.*s}}", (int)(len > 80 ? 80 : len), name);
            return -1;
        }
        p = next;
    }
    return 0;
}

static int put_value(struct buf *out, const char *v, bool one_line)
{
    int rc = BUF_OK;
    for (const char *c = v ? v : ""; *c && rc == BUF_OK; c++) {
        char ch = *c;
        if (one_line && ((unsigned char)ch < 0x20 || ch == 0x7f))
            ch = ' ';
        rc = buf_append(out, &ch, 1);
    }
    return rc;
}

int notice_render(struct buf *out, const char *text, const struct notice_vars *v, bool one_line)
{
    const char *p = text;
    int rc = BUF_OK;
    for (const char *q = strstr(p, "{{"); q && rc == BUF_OK; q = strstr(p, "{{")) {
        rc = buf_append(out, p, (size_t)(q - p));
        const char *name;
        size_t len;
        const char *next = parse_one(q, &name, &len);
        if (!next) { /* not checked: left as written */
            p = q;
            break;
        }
        long k = lookup(name, len, v->columns, v->ncolumns);
        if (rc != BUF_OK)
            break;
        if (k >= 0)
            rc = put_value(out, (size_t)k < v->nvalues ? v->values[k] : "", one_line);
        else if (k >= -NOTICE_INCIDENT_FIELDS)
            rc = put_value(out, v->incident[(size_t)(-1 - k)], one_line);
        else
            rc = buf_append(out, q, (size_t)(next - q));
        p = next;
    }
    return rc == BUF_OK ? buf_puts(out, p) : rc;
}
