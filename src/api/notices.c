/*
 * api/notices: a one-off notice to a list of affected customers (docs/api.md "Customer notices").
 *   POST /api/v1/incidents/{id}/notices   responder
 *     {"recipients": CSV text, "template": a status_templates id | "subject" + "body"}
 * The CSV (RFC 4180: a header row naming an `email` column, any other columns ignored, quoted
 * fields, CRLF or LF) is checked whole before anything is queued: one bad line refuses the
 * notice, naming the line. Each distinct address (compared in lower case) gets one outbox row
 * (method email, kind info, user `customer:ADDRESS`), queued with the incident's timeline entry
 * `notice.sent` {id, template, subject, recipients} (no addresses) in one transaction; the
 * notifier delivers them with its retries. Runs on request threads; the write on the writer.
 */
#include "api/api.h"
#include "domain/notice_template.h"
#include "domain/subscriber.h"
#include "jobs/timeline.h"
#include "store/incidents.h"
#include "store/notifications.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/jsonv.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum {
    NOTICE_MAX_RECIPIENTS = 10000,
    NOTICE_SUBJECT_MAX = 200,
    NOTICE_BODY_MAX = 20000,
    NOTICE_SUBJECT_RENDERED_MAX = 1000, /* with the placeholders' values: cut there */
    NOTICE_BODY_RENDERED_MAX = 256 * 1024,
};

struct recipients {
    char **v;
    size_t n;
    char **cols; /* the header's names, trimmed, in lower case */
    size_t ncols;
    char ***rows; /* each recipient's fields (its first line) */
    size_t *nrow;
};

static void fields_free(char **f, size_t n);

static void recipients_free(struct recipients *r)
{
    for (size_t i = 0; i < r->n; i++) {
        free(r->v[i]);
        fields_free(r->rows[i], r->nrow[i]);
    }
    free(r->v);
    free(r->rows);
    free(r->nrow);
    fields_free(r->cols, r->ncols);
}

enum { CSV_FIELD_MAX = 4096 }; /* bytes per field: a longer one is refused, never cut */

static void csv_put(struct buf *f, const char *c, size_t n, bool *cut)
{
    if (buf_append(f, c, n) != BUF_OK)
        *cut = true;
}

/* One CSV record from *p (advanced past it) into fields (each malloc'd); false at the end of the
 * text. A quote left open is an error (*bad); so is a field over CSV_FIELD_MAX (*bad, and
 * *long_field is its 1-based column). */
static bool csv_record(const char **p, char ***fields, size_t *nf, bool *bad, size_t *long_field)
{
    const char *s = *p;
    *fields = NULL;
    *nf = 0;
    if (!*s)
        return false;
    for (;;) {
        struct buf f;
        bool cut = false;
        buf_init(&f, CSV_FIELD_MAX);
        if (*s == '"') {
            s++;
            for (;;) {
                if (!*s) {
                    *bad = true;
                    break;
                }
                if (*s == '"' && s[1] == '"') {
                    csv_put(&f, "\"", 1, &cut);
                    s += 2;
                } else if (*s == '"') {
                    s++;
                    break;
                } else {
                    csv_put(&f, s++, 1, &cut);
                }
            }
        }
        while (*s && *s != ',' && *s != '\n' && *s != '\r')
            csv_put(&f, s++, 1, &cut);
        if (cut) {
            *bad = true;
            if (!*long_field)
                *long_field = *nf + 1;
        }
        *fields = xrealloc(*fields, (*nf + 1) * sizeof **fields);
        (*fields)[(*nf)++] = f.data ? f.data : xstrdup("");
        if (*s == ',') {
            s++;
            continue;
        }
        if (*s == '\r')
            s++;
        if (*s == '\n')
            s++;
        break;
    }
    *p = s;
    return true;
}

static void fields_free(char **f, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(f[i]);
    free(f);
}

static char *trimmed_lower(const char *s)
{
    while (*s == ' ' || *s == '\t')
        s++;
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    char *out = xmalloc(n + 1);
    memcpy(out, s, n);
    out[n] = '\0';
    for (char *c = out; *c; c++)
        *c = (char)tolower((unsigned char)*c);
    return out;
}

/* The distinct addresses of the `email` column, or a 400 naming the line. */
static enum result parse_recipients(const char *csv, struct recipients *out, struct error *err)
{
    const char *p = strncmp(csv, "\xEF\xBB\xBF", 3) == 0 ? csv + 3 : csv; /* a spreadsheet's BOM */
    char **f;
    size_t nf;
    bool bad = false;
    size_t long_field = 0;
    int line = 1;
    long col = -1;
    if (!csv_record(&p, &f, &nf, &bad, &long_field))
        return error_set(err, ERR_BAD_REQUEST,
                         "recipients: empty: a header row with an `email` "
                         "column, then one customer per line");
    if (long_field) {
        fields_free(f, nf);
        return error_set(err, ERR_BAD_REQUEST,
                         "recipients: line 1, column %zu: longer than %d bytes", long_field,
                         CSV_FIELD_MAX);
    }
    out->cols = xcalloc(nf + 1, sizeof *out->cols);
    for (size_t i = 0; i < nf; i++) {
        char *h = trimmed_lower(f[i]);
        if (strcmp(h, "email") == 0 && col < 0)
            col = (long)i;
        out->cols[out->ncols++] = h;
    }
    fields_free(f, nf);
    if (col < 0)
        return error_set(err, ERR_BAD_REQUEST,
                         "recipients: line 1: no `email` column in the header");
    while (csv_record(&p, &f, &nf, &bad, &long_field)) {
        line++;
        if (long_field) {
            fields_free(f, nf);
            return error_set(err, ERR_BAD_REQUEST,
                             "recipients: line %d, column %zu: longer than %d bytes", line,
                             long_field, CSV_FIELD_MAX);
        }
        if (bad) {
            fields_free(f, nf);
            return error_set(err, ERR_BAD_REQUEST, "recipients: line %d: a quote is never closed",
                             line);
        }
        if (nf == 1 && !f[0][0]) { /* a blank line */
            fields_free(f, nf);
            continue;
        }
        char *a = (size_t)col < nf ? trimmed_lower(f[col]) : xstrdup("");
        if (!sub_email_ok(a)) {
            fields_free(f, nf);
            enum result r =
                error_set(err, ERR_BAD_REQUEST,
                          "recipients: line %d: \"%.80s\" is not a mail address", line, a);
            free(a);
            return r;
        }
        bool seen = false;
        for (size_t i = 0; i < out->n && !seen; i++)
            seen = strcmp(out->v[i], a) == 0;
        if (seen) {
            fields_free(f, nf);
            free(a);
            continue;
        }
        if (out->n >= NOTICE_MAX_RECIPIENTS) {
            fields_free(f, nf);
            free(a);
            return error_set(err, ERR_BAD_REQUEST, "recipients: more than %d addresses",
                             NOTICE_MAX_RECIPIENTS);
        }
        out->v = xrealloc(out->v, (out->n + 1) * sizeof *out->v);
        out->rows = xrealloc(out->rows, (out->n + 1) * sizeof *out->rows);
        out->nrow = xrealloc(out->nrow, (out->n + 1) * sizeof *out->nrow);
        out->rows[out->n] = f;
        out->nrow[out->n] = nf;
        out->v[out->n++] = a;
    }
    if (!out->n)
        return error_set(err, ERR_BAD_REQUEST, "recipients: no address under the header");
    return OK;
}

struct notice_job {
    struct tclock *clock;
    const struct config *cfg;
    const char *incident_id, *actor, *template_id, *subject, *body;
    const struct recipients *to;
    char id[32];
};

static enum result notice_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct notice_job *j = arg;
    int64_t now = clock_now(j->clock);
    struct incident inc = {0};
    enum result result = store_incident_get(tx, j->incident_id, &inc);
    if (result != OK)
        return error_set(err, result,
                         result == ERR_NOT_FOUND ? "id: no incident %.64s"
                                                 : "store: cannot read %.64s",
                         j->incident_id);
    char started[RFC3339_LEN], url[700];
    time_format_rfc3339(inc.created_at, started);
    const char *base = j->cfg->server.public_url ? j->cfg->server.public_url : "";
    size_t bl = strlen(base);
    while (bl > 0 && base[bl - 1] == '/')
        bl--;
    snprintf(url, sizeof url, "%.*s/status#%s", (int)(bl > 600 ? 600 : bl), base, inc.id);
    struct notice_vars vars = {.columns = (const char *const *)j->to->cols,
                               .ncolumns = j->to->ncols,
                               .incident = {inc.id, inc.title ? inc.title : "",
                                            inc.severity ? inc.severity : "",
                                            incident_status_name(inc.status),
                                            inc.service ? inc.service : "", started, url}};
    struct buf subject, text;
    buf_init(&subject, NOTICE_SUBJECT_RENDERED_MAX);
    buf_init(&text, NOTICE_BODY_RENDERED_MAX);
    for (size_t i = 0; result == OK && i < j->to->n; i++) {
        vars.values = (const char *const *)j->to->rows[i];
        vars.nvalues = j->to->nrow[i];
        buf_reset(&subject);
        buf_reset(&text);
        const char *over = notice_render(&subject, j->subject, &vars, true) != BUF_OK ? "subject"
                           : notice_render(&text, j->body, &vars, false) != BUF_OK    ? "body"
                                                                                      : NULL;
        if (over) { /* refused whole: the transaction queues nothing */
            result = error_set(err, ERR_BAD_REQUEST,
                               "%s: the notice to %.254s (recipient %zu) is longer than %d bytes "
                               "once its placeholders are filled; shorten the template or that "
                               "customer's values",
                               over, j->to->v[i], i + 1,
                               strcmp(over, "subject") == 0 ? NOTICE_SUBJECT_RENDERED_MAX
                                                            : NOTICE_BODY_RENDERED_MAX);
            break;
        }
        utf8_repair(subject.data ? subject.data : "");
        utf8_repair(text.data ? text.data : "");
        char user[300], key[340];
        snprintf(user, sizeof user, "customer:%s", j->to->v[i]);
        snprintf(key, sizeof key, "notice:%s:%s", j->id, j->to->v[i]);
        struct store_notification row = {.incident_id = "",
                                         .kind = "info",
                                         .dkey = key,
                                         .user_id = user,
                                         .method = "email",
                                         .address = j->to->v[i],
                                         .subject = subject.data ? subject.data : "",
                                         .body = text.data ? text.data : "",
                                         .due_at = now,
                                         .next_attempt_at = now,
                                         .created_at = now,
                                         .reason = "customer notice"};
        int64_t rid = 0;
        if ((result = store_notification_insert(tx, &row, &rid)) != OK)
            error_set(err, result, "store: cannot queue the notice to %s", j->to->v[i]);
    }
    buf_free(&subject);
    buf_free(&text);
    incident_free_fields(&inc);
    if (result == OK)
        result =
            timeline_append(tx, now, j->actor, "notice.sent", j->incident_id,
                            json_pack("{s:s,s:o,s:s,s:I}", "id", j->id, "template",
                                      j->template_id ? json_string(j->template_id) : json_null(),
                                      "subject", j->subject, "recipients", (json_int_t)j->to->n),
                            NULL, err);
    return result;
}

static void api_notice_post(struct request *r)
{
    static const char *const fields[] = {"recipients", "template", "subject", "body", NULL};
    struct error err = {0};
    json_t *body = NULL;
    const char *csv = NULL, *tmpl = NULL, *subject = NULL, *text = NULL;
    struct recipients to = {0};
    enum result result = jsonv_parse_object(r->body, r->body_len, false, &body, &err);
    if (result == OK)
        result = jsonv_only(body, fields, &err);
    if (result == OK)
        result = jsonv_string(body, "recipients", true, 1, 4 * 1024 * 1024, &csv, &err);
    if (result == OK)
        result = jsonv_string(body, "template", false, 1, 64, &tmpl, &err);
    if (result == OK)
        result = jsonv_string(body, "subject", false, 1, NOTICE_SUBJECT_MAX, &subject, &err);
    if (result == OK && subject)
        for (const char *c = subject; *c && result == OK; c++)
            if ((unsigned char)*c < 0x20 || *c == 0x7f)
                result = error_set(&err, ERR_BAD_REQUEST,
                                   "subject: one line without control characters");
    if (result == OK)
        result = jsonv_string(body, "body", false, 1, NOTICE_BODY_MAX, &text, &err);
    if (result == OK && tmpl && (subject || text))
        result = error_set(&err, ERR_BAD_REQUEST,
                           "template: give a template or a subject and a body, not both");
    if (result == OK && tmpl) {
        const struct config_status_template *t = NULL;
        for (size_t i = 0; i < r->config->status_template_count; i++)
            if (strcmp(r->config->status_templates[i].id, tmpl) == 0)
                t = &r->config->status_templates[i];
        if (!t)
            result = error_set(&err, ERR_UNPROCESSABLE,
                               "template: no status_templates entry \"%.64s\"", tmpl);
        else {
            subject = t->title;
            text = t->body;
        }
    }
    if (result == OK && !tmpl && (!subject || !text))
        result = error_set(&err, ERR_BAD_REQUEST, "%s: required (or a template)",
                           subject ? "body" : "subject");
    if (result == OK)
        result = parse_recipients(csv, &to, &err);
    char bad[128];
    if (result == OK &&
        notice_check(subject, (const char *const *)to.cols, to.ncols, bad, sizeof bad) != 0)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "%s: unknown placeholder %s (known: {{customer.COLUMN}} for a column "
                           "of the CSV, {{incident.id|title|severity|status|service|started_at|"
                           "url}})",
                           tmpl ? "template" : "subject", bad);
    if (result == OK &&
        notice_check(text, (const char *const *)to.cols, to.ncols, bad, sizeof bad) != 0)
        result = error_set(&err, ERR_BAD_REQUEST,
                           "%s: unknown placeholder %s (known: {{customer.COLUMN}} for a column "
                           "of the CSV, {{incident.id|title|severity|status|service|started_at|"
                           "url}})",
                           tmpl ? "template" : "body", bad);
    struct notice_job j = {.clock = r->app->clock,
                           .cfg = r->config,
                           .incident_id = r->params[0],
                           .actor = r->who.actor,
                           .template_id = tmpl,
                           .subject = subject,
                           .body = text,
                           .to = &to};
    if (result == OK) {
        char hex[13];
        crypto_random_hex(6, hex);
        snprintf(j.id, sizeof j.id, "ntc_%s", hex);
        result = store_write(r->app->store, notice_job, &j, &err);
    }
    if (result == OK)
        reply_json(r, 201,
                   json_pack("{s:s,s:s,s:s,s:I}", "id", j.id, "incident_id", r->params[0],
                             "subject", subject, "recipients", (json_int_t)to.n));
    else
        reply_from_error(r, &err);
    recipients_free(&to);
    json_decref(body);
}

static const struct route routes[] = {
    {"POST", "/api/v1/incidents/{id}/notices", api_notice_post, ACCESS_RESPONDER, "notice_post"},
};
HTTP_ROUTES(notices, routes);
