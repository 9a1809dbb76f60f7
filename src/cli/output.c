/*
 * cli/output: how the client verbs show things to people.
 *
 * Job: times in UTC as "2026-11-23 09:25Z" plus a relative part ("12m ago", "in 12m"); strings
 * from the server printed with control characters replaced (an incident title arrives from
 * anyone who can raise an alert, and must not be able to drive the terminal); simple text tables
 * whose columns fit their widest cell, counted in UTF-8 code points.
 *
 * Invariants: nothing here talks to the network or exits; every string a table holds is its
 * own cleaned copy. The only clock read is cli_now_ms() (the real clock, read once per verb).
 * Main thread only.
 */
#include "cli/client.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

int64_t cli_now_ms(void)
{
    return clock_now(clock_real());
}

const char *cli_jstr(const json_t *obj, const char *key)
{
    json_t *v = obj && json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_string(v) ? json_string_value(v) : NULL;
}

bool cli_jbool(const json_t *obj, const char *key)
{
    json_t *v = obj && json_is_object(obj) ? json_object_get(obj, key) : NULL;
    return json_is_true(v);
}

static void fmt_time(const char *rfc3339, const char *fmt, char *out, size_t n)
{
    int64_t ms;
    if (!rfc3339) {
        snprintf(out, n, "-");
        return;
    }
    if (time_parse_rfc3339(rfc3339, &ms) != 0) {
        char *clean = cli_clean(rfc3339, 40);
        snprintf(out, n, "%s", clean);
        free(clean);
        return;
    }
    time_t t = (time_t)(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
    struct tm tm;
    if (!gmtime_r(&t, &tm) || strftime(out, n, fmt, &tm) == 0)
        snprintf(out, n, "%s", "?");
}

void cli_fmt_time(const char *rfc3339, char *out, size_t n)
{
    fmt_time(rfc3339, "%Y-%m-%d %H:%MZ", out, n);
}

void cli_fmt_time_sec(const char *rfc3339, char *out, size_t n)
{
    fmt_time(rfc3339, "%Y-%m-%d %H:%M:%SZ", out, n);
}

void cli_fmt_span(int64_t ms, char *out, size_t n)
{
    long long s = (long long)((ms < 0 ? -ms : ms) / MS_PER_SEC);
    long long m = s / 60, h = m / 60, d = h / 24;
    if (s < 60)
        snprintf(out, n, "%llds", s);
    else if (m < 60)
        snprintf(out, n, "%lldm", m);
    else if (h < 24 && m % 60)
        snprintf(out, n, "%lldh%lldm", h, m % 60);
    else if (h < 24)
        snprintf(out, n, "%lldh", h);
    else if (h % 24)
        snprintf(out, n, "%lldd%lldh", d, h % 24);
    else
        snprintf(out, n, "%lldd", d);
}

void cli_fmt_when(const char *rfc3339, int64_t now, char *out, size_t n)
{
    char abs[CLI_TIME_LEN], span[32];
    int64_t ms;
    cli_fmt_time(rfc3339, abs, sizeof(abs));
    if (!rfc3339 || time_parse_rfc3339(rfc3339, &ms) != 0) {
        snprintf(out, n, "%s", abs);
        return;
    }
    int64_t delta = ms - now;
    cli_fmt_span(delta, span, sizeof(span));
    if (delta > -MS_PER_SEC && delta < MS_PER_SEC)
        snprintf(out, n, "%s (now)", abs);
    else if (delta > 0)
        snprintf(out, n, "%s (in %s)", abs, span);
    else
        snprintf(out, n, "%s (%s ago)", abs, span);
}

void cli_fmt_age(const char *rfc3339, int64_t now, char *out, size_t n)
{
    int64_t ms;
    if (!rfc3339 || time_parse_rfc3339(rfc3339, &ms) != 0) {
        snprintf(out, n, "-");
        return;
    }
    cli_fmt_span(now > ms ? now - ms : 0, out, n);
}

/* Bytes of the control character at s (C0, DEL, or a UTF-8 encoded C1), or 0. */
static size_t ctl_len(const unsigned char *s)
{
    if (*s < 0x20 || *s == 0x7f)
        return 1;
    if (s[0] == 0xc2 && s[1] >= 0x80 && s[1] <= 0x9f)
        return 2;
    return 0;
}

void cli_put(FILE *f, const char *s)
{
    if (!s) {
        fputc('-', f);
        return;
    }
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        size_t n = ctl_len(p);
        fputc(n ? '?' : *p, f);
        p += n ? n : 1;
    }
}

char *cli_clean(const char *s, size_t max_cols)
{
    if (!s)
        return xstrdup("-");
    size_t len = strlen(s);
    char *out = xmalloc(len + 4);
    const unsigned char *p = (const unsigned char *)s;
    size_t j = 0;
    while (*p) {
        size_t n = ctl_len(p);
        out[j++] = n ? '?' : (char)*p;
        p += n ? n : 1;
    }
    out[j] = '\0';
    if (max_cols == 0 || utf8_chars(out) <= max_cols)
        return out;
    size_t keep = max_cols > 3 ? max_cols - 3 : max_cols;
    size_t cut = utf8_cut_chars(out, keep);
    if (max_cols > 3)
        memcpy(out + cut, "...", 4);
    else
        out[cut] = '\0';
    return out;
}

/* ---- tables -------------------------------------------------------------------------------- */

enum { TABLE_MAX_COLS = 16 };

struct cli_table {
    int ncols;
    int nrows; /* data rows; row 0 of `cells` is the header */
    int alloc; /* rows allocated, header included */
    size_t max[TABLE_MAX_COLS];
    char **cells;
};

struct cli_table *cli_table_new(int ncols, const char *const *headers)
{
    if (ncols < 1 || ncols > TABLE_MAX_COLS)
        fatal("cli_table_new: %d columns", ncols);
    struct cli_table *t = xcalloc(1, sizeof(*t));
    t->ncols = ncols;
    t->alloc = 8;
    t->cells = xcalloc((size_t)t->alloc * (size_t)ncols, sizeof(char *));
    for (int i = 0; i < ncols; i++)
        t->cells[i] = cli_clean(headers[i], 0);
    return t;
}

void cli_table_set_max(struct cli_table *t, int col, size_t max_cols)
{
    if (col >= 0 && col < t->ncols)
        t->max[col] = max_cols;
}

void cli_table_add(struct cli_table *t, const char *const *cells)
{
    if (t->nrows + 1 >= t->alloc) {
        size_t old = (size_t)t->alloc * (size_t)t->ncols;
        t->alloc *= 2;
        t->cells = xrealloc(t->cells, (size_t)t->alloc * (size_t)t->ncols * sizeof(char *));
        memset(t->cells + old, 0, (old) * sizeof(char *));
    }
    t->nrows++;
    char **row = t->cells + (size_t)t->nrows * (size_t)t->ncols;
    for (int i = 0; i < t->ncols; i++)
        row[i] = cli_clean(cells[i], t->max[i]);
}

int cli_table_rows(const struct cli_table *t)
{
    return t->nrows;
}

void cli_table_print(const struct cli_table *t, FILE *f)
{
    size_t width[TABLE_MAX_COLS] = {0};
    for (int r = 0; r <= t->nrows; r++)
        for (int c = 0; c < t->ncols; c++) {
            size_t w = utf8_chars(t->cells[(size_t)r * (size_t)t->ncols + (size_t)c]);
            if (w > width[c])
                width[c] = w;
        }
    for (int r = 0; r <= t->nrows; r++) {
        for (int c = 0; c < t->ncols; c++) {
            const char *cell = t->cells[(size_t)r * (size_t)t->ncols + (size_t)c];
            fputs(cell, f);
            if (c + 1 < t->ncols)
                fprintf(f, "%*s", (int)(width[c] - utf8_chars(cell) + 2), "");
        }
        fputc('\n', f);
    }
}

void cli_table_free(struct cli_table *t)
{
    if (!t)
        return;
    size_t n = (size_t)(t->nrows + 1) * (size_t)t->ncols;
    for (size_t i = 0; i < n; i++)
        free(t->cells[i]);
    free(t->cells);
    free(t);
}

int cli_term_cols(void)
{
    struct winsize ws;
    if (!isatty(STDOUT_FILENO) || ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) != 0)
        return 0;
    return ws.ws_col;
}

void cli_print_kv(const char *label, const char *value)
{
    printf("%-9s ", label);
    cli_put(stdout, value);
    fputc('\n', stdout);
}

void cli_fmt_ago(const char *rfc3339, int64_t now, char *out, size_t n)
{
    char age[32];
    int64_t ms;
    if (!rfc3339 || time_parse_rfc3339(rfc3339, &ms) != 0) {
        cli_fmt_age(rfc3339, now, out, n);
        return;
    }
    cli_fmt_age(rfc3339, now, age, sizeof(age));
    snprintf(out, n, "%s ago", age);
}

size_t cli_last_col(int used, size_t dflt)
{
    int cols = cli_term_cols();
    if (cols <= 0)
        return dflt;
    int room = cols - used;
    return room < 20 ? 20 : (size_t)room;
}
