/*
 * cli/incidents: the incident verbs (declare, list, show, ack, status, resolve, close, reopen,
 * assign, note, severity, timeline). Each is a struct cli_cmd (usage, options, positionals) and
 * a run function that builds the request body, calls the server once through cli_request(), and
 * prints either the server's JSON as-is (--json) or a short text for people.
 *
 * Output contract: `declare` prints the new id alone on line 1 of stdout; the mutating verbs
 * print one line ("INC-2026-11-23-001 acknowledged"); times are UTC "2026-11-23 09:25Z" with a
 * relative part. Server strings are printed through cli_put()/cli_clean() (no raw control
 * characters reach the terminal).
 *
 * Invariants: a verb makes exactly one request; a usage error is found before it. Request
 * bodies are owned here and released after the call. Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/num.h"

#include <stdlib.h>
#include <string.h>

/* ---- shared helpers ------------------------------------------------------------------------ */

/* "/api/v1/incidents/<escaped id><suffix>", malloc'd. */
static char *inc_path(const char *id, const char *suffix)
{
    return cli_segment_path("/api/v1/incidents/", id, suffix);
}

static void set_str(json_t *obj, const char *key, const char *value)
{
    if (value)
        json_object_set_new(obj, key, json_string(value));
}

typedef void (*print_fn)(const struct cli_ctx *ctx, const json_t *body);

/* One request about incident pos[0]; prints the reply with `print` (or raw for --json).
 * Consumes `req`. */
static int incident_call(struct cli_ctx *ctx, const char *method, const char *suffix, json_t *req,
                         print_fn print)
{
    if (!ctx->pos[0][0]) {
        json_decref(req);
        return cli_usage_error(ctx, "the incident ID must not be empty");
    }
    char *path = inc_path(ctx->pos[0], suffix);
    struct cli_resp resp;
    /* a GET of a list (the timeline) reads every page */
    int result = strcmp(method, "GET") == 0 && strcmp(suffix, "/timeline") == 0
                     ? cli_request_pages(ctx, path, 0, &resp)
                     : cli_request(ctx, method, path, req, &resp);
    if (result == CLI_OK) {
        if (ctx->json)
            cli_print_raw(&resp);
        else
            print(ctx, resp.body);
    }
    cli_resp_free(&resp);
    json_decref(req);
    free(path);
    return result;
}

/* The incident's id from the reply, else the one the user typed. */
static const char *reply_id(const struct cli_ctx *ctx, const json_t *inc)
{
    const char *id = cli_jstr(inc, "id");
    return id ? id : ctx->pos[0];
}

/* "INC-2026-11-23-001 acknowledged" */
static void print_id_status(const struct cli_ctx *ctx, const json_t *inc)
{
    cli_put(stdout, reply_id(ctx, inc));
    fputc(' ', stdout);
    cli_put(stdout, cli_jstr(inc, "status"));
    fputc('\n', stdout);
}

/* ---- SLA clocks ---------------------------------------------------------------------------- */

struct sla_clock {
    const char *label;
    const char *due_key;
    const char *late_key;  /* in sla: true when the clock was missed */
    const char *done_key;  /* in the incident: when the clock was met, or NULL */
    const char *late_mark; /* printed when late_key is true */
};

static const struct sla_clock sla_clocks[] = {
    {"ack due", "ack_due", "ack_breached", "acknowledged_at", "BREACHED"},
    {"resolve due", "resolve_due", "resolve_breached", "resolved_at", "BREACHED"},
    {"next update due", "next_update_due", "update_overdue", NULL, "OVERDUE"},
};

/* One line per clock that has a due time: "  ack due:  2026-11-23 09:40Z (in 3m)  BREACHED". */
static void print_sla(const json_t *inc, const char *indent, int width, int64_t now)
{
    const json_t *sla = json_object_get(inc, "sla");
    for (size_t i = 0; i < sizeof(sla_clocks) / sizeof(sla_clocks[0]); i++) {
        const struct sla_clock *c = &sla_clocks[i];
        const char *due = cli_jstr(sla, c->due_key);
        if (!due)
            continue;
        char when[CLI_TIME_LEN + 32], label[40];
        cli_fmt_when(due, now, when, sizeof(when));
        snprintf(label, sizeof(label), "%s:", c->label);
        printf("%s%-*s %s", indent, width, label, when);
        if (cli_jbool(sla, c->late_key))
            printf("  %s", c->late_mark);
        else if (c->done_key && cli_jstr(inc, c->done_key))
            fputs("  met", stdout);
        fputc('\n', stdout);
    }
}

/* ---- declare ------------------------------------------------------------------------------- */

enum { D_SEVERITY, D_TITLE, D_SERVICE, D_TYPE, D_SUMMARY };
enum { D_DRILL };

static const struct cli_opt declare_opts[] = {
    {"--severity", NULL, CLI_OPT_STR, D_SEVERITY},
    {"--title", NULL, CLI_OPT_STR, D_TITLE},
    {"--service", NULL, CLI_OPT_STR, D_SERVICE},
    {"--type", NULL, CLI_OPT_STR, D_TYPE},
    {"--summary", NULL, CLI_OPT_STR, D_SUMMARY},
    {"--drill", NULL, CLI_OPT_FLAG, D_DRILL},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static void print_declared(const struct cli_ctx *ctx, const json_t *inc)
{
    cli_put(stdout, reply_id(ctx, inc));
    fputs("\ndeclared ", stdout);
    cli_put(stdout, cli_jstr(inc, "severity"));
    fputs(" \"", stdout);
    cli_put(stdout, cli_jstr(inc, "title"));
    fputs("\": ", stdout);
    cli_put(stdout, cli_jstr(inc, "status"));
    fputs(cli_jbool(inc, "drill") ? " (drill)\n" : "\n", stdout);
    printf("%-16s ", "channel:");
    cli_put(stdout, cli_jstr(inc, "channel"));
    fputc('\n', stdout);
    print_sla(inc, "", 16, cli_now_ms());
}

static int declare_run(struct cli_ctx *ctx)
{
    if (!ctx->str[D_TITLE])
        return cli_usage_error(ctx, "--title is required");
    if (!ctx->str[D_SEVERITY] && !ctx->str[D_TYPE])
        return cli_usage_error(ctx, "--severity is required (unless --type has a default)");
    json_t *req = json_object();
    set_str(req, "title", ctx->str[D_TITLE]);
    set_str(req, "severity", ctx->str[D_SEVERITY]);
    set_str(req, "service", ctx->str[D_SERVICE]);
    set_str(req, "type", ctx->str[D_TYPE]);
    set_str(req, "summary", ctx->str[D_SUMMARY]);
    if (ctx->flag[D_DRILL])
        json_object_set_new(req, "drill", json_true());
    struct cli_resp resp;
    int result = cli_request(ctx, "POST", "/api/v1/incidents", req, &resp);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_declared(ctx, resp.body);
    cli_resp_free(&resp);
    json_decref(req);
    return result;
}

static const struct cli_cmd declare_cmd = {
    "usage: tocsin declare --severity SEV --title TEXT [--service S] [--type T]\n"
    "                      [--summary TEXT] [--drill]\n"
    "\n"
    "Declares an incident. Prints its id alone on the first line, then a short summary.\n"
    "  --severity SEV   a severity id from the config (SEV1...); may be left out when the\n"
    "                   --type has a default severity\n"
    "  --title TEXT     what is broken, 1..200 characters\n"
    "  --service S      the affected service id\n"
    "  --type T         the incident type id (e.g. security)\n"
    "  --summary TEXT   a longer description\n"
    "  --drill          a fire drill, not a real incident\n",
    declare_opts, 0, 0, declare_run};

static int cli_declare(int argc, char **argv)
{
    return cli_run(argc, argv, &declare_cmd);
}

/* ---- list ---------------------------------------------------------------------------------- */

enum { L_STATUS, L_LIMIT };
enum { L_ALL };

static const struct cli_opt list_opts[] = {
    {"--all", "-a", CLI_OPT_FLAG, L_ALL},
    {"--status", NULL, CLI_OPT_STR, L_STATUS},
    {"--limit", NULL, CLI_OPT_STR, L_LIMIT},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

/* Room for the title column: what the terminal leaves after the other columns, else 60. */
static size_t title_cols(void)
{
    int cols = cli_term_cols();
    if (cols <= 0)
        return 60;
    int room = cols - 64;
    return room < 20 ? 20 : (size_t)room;
}

static void add_incident_row(struct cli_table *t, const json_t *inc, int64_t now)
{
    char age[32];
    cli_fmt_age(cli_jstr(inc, "created_at"), now, age, sizeof(age));
    const char *title = cli_jstr(inc, "title");
    char *shown = NULL;
    if (cli_jbool(inc, "drill")) {
        size_t n = strlen(title ? title : "") + 9;
        shown = xmalloc(n);
        snprintf(shown, n, "[drill] %s", title ? title : "");
        title = shown;
    }
    const char *cells[] = {cli_jstr(inc, "id"),      cli_jstr(inc, "severity"),
                           cli_jstr(inc, "status"),  age,
                           cli_jstr(inc, "service"), title};
    cli_table_add(t, cells);
    free(shown);
}

static void print_list_empty(const char *status)
{
    if (strcmp(status, "open") == 0)
        puts("no open incidents");
    else if (strcmp(status, "all") == 0)
        puts("no incidents");
    else {
        fputs("no incidents with status ", stdout);
        cli_put(stdout, status);
        fputc('\n', stdout);
    }
}

static void print_list(const json_t *body, const char *status, int64_t limit)
{
    const json_t *list = json_object_get(body, "incidents");
    size_t n = json_array_size(list);
    if (n == 0) {
        print_list_empty(status);
        return;
    }
    static const char *const headers[] = {"ID", "SEV", "STATUS", "AGE", "SERVICE", "TITLE"};
    struct cli_table *t = cli_table_new(6, headers);
    cli_table_set_max(t, 4, 20);
    cli_table_set_max(t, 5, title_cols());
    int64_t now = cli_now_ms();
    for (size_t i = 0; i < n; i++)
        add_incident_row(t, json_array_get(list, i), now);
    cli_table_print(t, stdout);
    cli_table_free(t);
    printf("%zu incident%s", n, n == 1 ? "" : "s");
    if ((int64_t)n == limit)
        printf(" (the newest %lld; see --limit)", (long long)limit);
    fputc('\n', stdout);
}

static int list_run(struct cli_ctx *ctx)
{
    const char *status = ctx->str[L_STATUS];
    if (status && ctx->flag[L_ALL])
        return cli_usage_error(ctx, "--all and --status exclude each other");
    if (!status)
        status = ctx->flag[L_ALL] ? "all" : "open";
    if (!*status)
        return cli_usage_error(ctx, "--status must not be empty");
    int64_t limit = 100;
    if (ctx->str[L_LIMIT] && num_parse_i64(ctx->str[L_LIMIT], 1, CLI_LIST_MAX, &limit) != 0)
        return cli_usage_error(ctx, "--limit must be a number from 1 to %d", CLI_LIST_MAX);
    char *esc = cli_path_escape(status);
    char path[512];
    snprintf(path, sizeof(path), "/api/v1/incidents?status=%.300s", esc);
    free(esc);
    struct cli_resp resp;
    int result = cli_request_pages(ctx, path, limit, &resp); /* page by page up to limit */
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print_list(resp.body, status, limit);
    cli_resp_free(&resp);
    return result;
}

static const struct cli_cmd list_cmd = {
    "usage: tocsin list [--all | --status STATUS] [--limit N] [--json]\n"
    "\n"
    "Lists incidents, newest first: the open ones unless told otherwise.\n"
    "  -a, --all          every incident, whatever its status\n"
    "  --status STATUS    only this status (triggered, acknowledged, ..., resolved, closed)\n"
    "  --limit N          at most N incidents (1..1000000, default 100; read 1,000 a page)\n",
    list_opts, 0, 0, list_run};

static int cli_list(int argc, char **argv)
{
    return cli_run(argc, argv, &list_cmd);
}

/* ---- show ---------------------------------------------------------------------------------- */

struct show_field {
    const char *label;
    const char *key;
    bool is_time;
};

static const struct show_field show_fields[] = {
    {"id", "id", false},
    {"title", "title", false},
    {"severity", "severity", false},
    {"status", "status", false},
    {"service", "service", false},
    {"type", "type", false},
    {"channel", "channel", false},
    {"created", "created_at", true},
    {"acknowledged", "acknowledged_at", true},
    {"resolved", "resolved_at", true},
    {"closed", "closed_at", true},
    {"updated", "updated_at", true},
    {"last public update", "last_public_update_at", true},
    {"postmortem", "postmortem", false},
};

static const char *const role_names[] = {"commander", "tech_lead", "comms_lead", "scribe"};

enum { SHOW_WIDTH = 20 };

static void print_show_fields(const json_t *inc, int64_t now)
{
    for (size_t i = 0; i < sizeof(show_fields) / sizeof(show_fields[0]); i++) {
        const struct show_field *f = &show_fields[i];
        char label[40];
        snprintf(label, sizeof(label), "%s:", f->label);
        printf("%-*s ", SHOW_WIDTH, label);
        if (f->is_time) {
            char when[CLI_TIME_LEN + 32];
            cli_fmt_when(cli_jstr(inc, f->key), now, when, sizeof(when));
            fputs(when, stdout);
        } else {
            cli_put(stdout, cli_jstr(inc, f->key));
        }
        fputc('\n', stdout);
    }
    printf("%-*s %s\n", SHOW_WIDTH, "drill:", cli_jbool(inc, "drill") ? "yes" : "no");
}

/* The summary, each of its lines indented under "summary:". */
static void print_summary(const char *summary)
{
    if (!summary || !*summary)
        return;
    puts("summary:");
    const char *p = summary;
    while (*p) {
        size_t n = strcspn(p, "\n");
        char *line = xmalloc(n + 1);
        memcpy(line, p, n);
        line[n] = '\0';
        fputs("  ", stdout);
        cli_put(stdout, line);
        fputc('\n', stdout);
        free(line);
        p += n;
        if (*p == '\n')
            p++;
    }
}

static void print_show(const struct cli_ctx *ctx, const json_t *inc)
{
    int64_t now = cli_now_ms();
    print_show_fields(inc, now);
    const json_t *roles = json_object_get(inc, "roles");
    puts("roles:");
    for (size_t i = 0; i < sizeof(role_names) / sizeof(role_names[0]); i++) {
        char label[40];
        snprintf(label, sizeof(label), "%s:", role_names[i]);
        printf("  %-*s ", SHOW_WIDTH - 2, label);
        cli_put(stdout, cli_jstr(roles, role_names[i]));
        fputc('\n', stdout);
    }
    puts("sla:");
    print_sla(inc, "  ", SHOW_WIDTH - 2, now);
    print_summary(cli_jstr(inc, "summary"));
}

static int show_run(struct cli_ctx *ctx)
{
    return incident_call(ctx, "GET", "", NULL, print_show);
}

static const struct cli_cmd show_cmd = {
    "usage: tocsin show ID [--json]\n"
    "\n"
    "Shows one incident: its fields, roles and SLA clocks (BREACHED / OVERDUE when missed).\n",
    NULL, 1, 1, show_run};

static int cli_show(int argc, char **argv)
{
    return cli_run(argc, argv, &show_cmd);
}

/* ---- ack, status, resolve, close, reopen --------------------------------------------------- */

enum { S_MESSAGE, S_POSTMORTEM, S_WAIVER };
enum { S_PUBLIC };

static const struct cli_opt message_opts[] = {
    {"--message", "-m", CLI_OPT_STR, S_MESSAGE},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static const struct cli_opt status_opts[] = {
    {"--message", "-m", CLI_OPT_STR, S_MESSAGE},
    {"--public", NULL, CLI_OPT_FLAG, S_PUBLIC},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static const struct cli_opt close_opts[] = {
    {"--message", "-m", CLI_OPT_STR, S_MESSAGE},
    {"--postmortem", NULL, CLI_OPT_STR, S_POSTMORTEM},
    {"--no-postmortem", NULL, CLI_OPT_STR, S_WAIVER},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static int ack_run(struct cli_ctx *ctx)
{
    return incident_call(ctx, "POST", "/ack", json_object(), print_id_status);
}

static void print_public_status(const struct cli_ctx *ctx, const json_t *inc)
{
    cli_put(stdout, reply_id(ctx, inc));
    fputc(' ', stdout);
    cli_put(stdout, cli_jstr(inc, "status"));
    fputs(" (public update posted)\n", stdout);
}

static int status_run(struct cli_ctx *ctx)
{
    if (!*ctx->pos[1])
        return cli_usage_error(ctx, "STATUS must not be empty");
    json_t *req = json_object();
    set_str(req, "status", ctx->pos[1]);
    set_str(req, "message", ctx->str[S_MESSAGE]);
    if (ctx->flag[S_PUBLIC])
        json_object_set_new(req, "public", json_true());
    return incident_call(ctx, "POST", "/status", req,
                         ctx->flag[S_PUBLIC] ? print_public_status : print_id_status);
}

static int resolve_run(struct cli_ctx *ctx)
{
    json_t *req = json_object();
    set_str(req, "message", ctx->str[S_MESSAGE]);
    return incident_call(ctx, "POST", "/resolve", req, print_id_status);
}

static void print_escalated(const struct cli_ctx *ctx, const json_t *resp)
{
    const json_t *esc = json_object_get(resp, "escalation");
    cli_put(stdout, ctx->pos[0]);
    printf(" escalated: %s step %lld ->", cli_jstr(esc, "policy") ? cli_jstr(esc, "policy") : "?",
           (long long)json_integer_value(json_object_get(esc, "step")));
    size_t i;
    const json_t *u;
    const json_t *users = json_object_get(esc, "users");
    json_array_foreach(users, i, u)
    {
        fputc(' ', stdout);
        cli_put(stdout, json_string_value(u));
    }
    fputs(json_array_size(users) ? "\n" : " nobody on call\n", stdout);
}

static int escalate_run(struct cli_ctx *ctx)
{
    json_t *req = json_object();
    set_str(req, "message", ctx->str[S_MESSAGE]);
    return incident_call(ctx, "POST", "/escalate", req, print_escalated);
}

static int close_run(struct cli_ctx *ctx)
{
    json_t *req = json_object();
    set_str(req, "status", "closed");
    set_str(req, "postmortem", ctx->str[S_POSTMORTEM]);
    set_str(req, "postmortem_waiver", ctx->str[S_WAIVER]);
    set_str(req, "message", ctx->str[S_MESSAGE]);
    return incident_call(ctx, "POST", "/status", req, print_id_status);
}

static void print_reopened(const struct cli_ctx *ctx, const json_t *inc)
{
    cli_put(stdout, reply_id(ctx, inc));
    fputs(" reopened (", stdout);
    cli_put(stdout, cli_jstr(inc, "status"));
    fputs(")\n", stdout);
}

static int reopen_run(struct cli_ctx *ctx)
{
    json_t *req = json_object();
    set_str(req, "status", "acknowledged");
    set_str(req, "message", ctx->str[S_MESSAGE]);
    return incident_call(ctx, "POST", "/status", req, print_reopened);
}

static const struct cli_cmd ack_cmd = {"usage: tocsin ack ID\n"
                                       "\n"
                                       "Acknowledges a triggered incident (stops the paging).\n",
                                       NULL, 1, 1, ack_run};

static const struct cli_cmd status_cmd = {
    "usage: tocsin status ID STATUS [-m MSG] [--public]\n"
    "\n"
    "Moves an incident to STATUS: acknowledged, investigating, identified, monitoring,\n"
    "resolved or closed.\n"
    "  -m, --message MSG  what changed\n"
    "  --public           post MSG as a public status update (restarts the update clock)\n",
    status_opts, 2, 2, status_run};

static const struct cli_cmd resolve_cmd = {"usage: tocsin resolve ID [-m MSG]\n"
                                           "\n"
                                           "Resolves an incident.\n"
                                           "  -m, --message MSG  how it was resolved\n",
                                           message_opts, 1, 1, resolve_run};

static const struct cli_cmd close_cmd = {
    "usage: tocsin close ID [--postmortem REF] [--no-postmortem REASON] [-m MSG]\n"
    "\n"
    "Closes a resolved incident. Its post-mortem, when it has one, must be published; when\n"
    "its severity requires one (drills never do), it must have one, published.\n"
    "  --postmortem REF          a link or reference kept with the incident (the published\n"
    "                            post-mortem's id replaces it)\n"
    "  --no-postmortem REASON    admins: close without the published post-mortem; the\n"
    "                            reason goes on the timeline\n"
    "  -m, --message MSG         a closing note\n",
    close_opts, 1, 1, close_run};

static const struct cli_cmd reopen_cmd = {"usage: tocsin reopen ID [-m MSG]\n"
                                          "\n"
                                          "Reopens a resolved incident (back to acknowledged).\n"
                                          "  -m, --message MSG  why it is reopened\n",
                                          message_opts, 1, 1, reopen_run};

static const struct cli_cmd escalate_cmd = {
    "usage: tocsin escalate ID [-m MSG]\n"
    "\n"
    "Pages the incident's next escalation step now (or its last step again when every\n"
    "step has gone), whether or not it was acknowledged. Prints who was paged.\n"
    "  -m, --message MSG  why (on the timeline)\n",
    message_opts, 1, 1, escalate_run};

static int cli_escalate(int argc, char **argv)
{
    return cli_run(argc, argv, &escalate_cmd);
}

static int cli_ack(int argc, char **argv)
{
    return cli_run(argc, argv, &ack_cmd);
}

static int cli_status(int argc, char **argv)
{
    return cli_run(argc, argv, &status_cmd);
}

static int cli_resolve(int argc, char **argv)
{
    return cli_run(argc, argv, &resolve_cmd);
}

static int cli_close(int argc, char **argv)
{
    return cli_run(argc, argv, &close_cmd);
}

static int cli_reopen(int argc, char **argv)
{
    return cli_run(argc, argv, &reopen_cmd);
}

/* ---- assign, note, severity ---------------------------------------------------------------- */

static void print_assigned(const struct cli_ctx *ctx, const json_t *inc)
{
    const char *role = ctx->pos[1];
    const char *user = cli_jstr(json_object_get(inc, "roles"), role);
    cli_put(stdout, reply_id(ctx, inc));
    fputc(' ', stdout);
    cli_put(stdout, role);
    fputs(": ", stdout);
    if (user)
        cli_put(stdout, user);
    else
        fputs("(none)", stdout);
    fputc('\n', stdout);
}

static int assign_run(struct cli_ctx *ctx)
{
    const char *user = ctx->pos[2];
    if (!*ctx->pos[1])
        return cli_usage_error(ctx, "ROLE must not be empty");
    if (!*user)
        return cli_usage_error(ctx, "USER must not be empty (use - or none to clear)");
    bool clear = strcmp(user, "-") == 0 || strcmp(user, "none") == 0;
    json_t *req = json_object();
    json_object_set_new(req, "user", clear ? json_null() : json_string(user));
    char *role = cli_path_escape(ctx->pos[1]);
    size_t n = strlen(role) + 8;
    char *suffix = xmalloc(n);
    snprintf(suffix, n, "/roles/%s", role);
    int result = incident_call(ctx, "PUT", suffix, req, print_assigned);
    free(suffix);
    free(role);
    return result;
}

static void print_noted(const struct cli_ctx *ctx, const json_t *entry)
{
    const char *id = cli_jstr(entry, "incident_id");
    cli_put(stdout, id ? id : ctx->pos[0]);
    fputs(" note added", stdout);
    json_t *seq = json_object_get(entry, "seq");
    if (json_is_integer(seq))
        printf(" (seq %lld)", (long long)json_integer_value(seq));
    fputc('\n', stdout);
}

static int note_run(struct cli_ctx *ctx)
{
    struct buf text;
    buf_init(&text, (size_t)16 << 20);
    for (int i = 1; i < ctx->npos; i++) {
        if ((i > 1 && buf_puts(&text, " ") != BUF_OK) || buf_puts(&text, ctx->pos[i]) != BUF_OK) {
            buf_free(&text);
            return cli_usage_error(ctx, "the note is too long");
        }
    }
    char *joined = buf_steal(&text);
    if (!*joined) {
        free(joined);
        return cli_usage_error(ctx, "the note must not be empty");
    }
    json_t *req = json_object();
    set_str(req, "text", joined);
    free(joined);
    return incident_call(ctx, "POST", "/notes", req, print_noted);
}

static void print_severity(const struct cli_ctx *ctx, const json_t *inc)
{
    cli_put(stdout, reply_id(ctx, inc));
    fputs(" severity ", stdout);
    cli_put(stdout, cli_jstr(inc, "severity"));
    fputc('\n', stdout);
}

static int severity_run(struct cli_ctx *ctx)
{
    if (!*ctx->pos[1])
        return cli_usage_error(ctx, "SEV must not be empty");
    json_t *req = json_object();
    set_str(req, "severity", ctx->pos[1]);
    return incident_call(ctx, "PATCH", "", req, print_severity);
}

static const struct cli_cmd assign_cmd = {
    "usage: tocsin assign ID ROLE USER\n"
    "\n"
    "Gives ROLE (commander, tech_lead, comms_lead, scribe) to USER (a user id from the\n"
    "config); USER - or none clears the role.\n",
    NULL, 3, 3, assign_run};

static const struct cli_cmd note_cmd = {"usage: tocsin note ID TEXT...\n"
                                        "\n"
                                        "Adds a note to the incident's timeline (the words of "
                                        "TEXT joined by spaces;\n"
                                        "put -- before text that starts with '-').\n",
                                        NULL, 2, -1, note_run};

static const struct cli_cmd severity_cmd = {"usage: tocsin severity ID SEV\n"
                                            "\n"
                                            "Changes the incident's severity (the SLA clocks "
                                            "follow the new policy).\n",
                                            NULL, 2, 2, severity_run};

static int cli_assign(int argc, char **argv)
{
    return cli_run(argc, argv, &assign_cmd);
}

static int cli_note(int argc, char **argv)
{
    return cli_run(argc, argv, &note_cmd);
}

static int cli_severity(int argc, char **argv)
{
    return cli_run(argc, argv, &severity_cmd);
}

/* ---- timeline ------------------------------------------------------------------------------ */

/* A scalar JSON value as short text; objects and arrays as compact JSON. */
static void put_value(struct buf *b, const json_t *v, bool quote_always)
{
    if (json_is_string(v)) {
        const char *s = json_string_value(v);
        bool quote = quote_always || strchr(s, ' ') != NULL || !*s;
        buf_printf(b, quote ? "\"%s\"" : "%s", s);
    } else if (json_is_null(v)) {
        buf_puts(b, "-");
    } else {
        char *enc = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        buf_puts(b, enc ? enc : "?");
        free(enc);
    }
}

/* Generic: "from -> to" first when both are there, the text or message quoted, then
 * "key=value" for the rest; null and false values are left out (they say nothing). */
static void fmt_generic(struct buf *b, const json_t *data)
{
    const char *from = cli_jstr(data, "from"), *to = cli_jstr(data, "to");
    if (from && to)
        buf_printf(b, "%s -> %s", from, to);
    const char *key;
    json_t *v;
    json_object_foreach((json_t *)data, key, v)
    {
        bool bare = strcmp(key, "text") == 0 || strcmp(key, "message") == 0;
        if (from && to && (strcmp(key, "from") == 0 || strcmp(key, "to") == 0))
            continue;
        if (json_is_null(v) || json_is_false(v))
            continue;
        if (b->len)
            buf_puts(b, "  ");
        if (!bare)
            buf_printf(b, "%s=", key);
        put_value(b, v, bare);
    }
}

/* "commander: bob -> alice" ("-" for nobody). */
static void fmt_role(struct buf *b, const json_t *data)
{
    const char *prev = cli_jstr(data, "previous"), *user = cli_jstr(data, "user");
    const char *role = cli_jstr(data, "role");
    buf_printf(b, "%s: %s -> %s", role ? role : "?", prev ? prev : "-", user ? user : "-");
}

/* "SEV1 "DB primary down" service=db (drill)" */
static void fmt_declared(struct buf *b, const json_t *data)
{
    const char *sev = cli_jstr(data, "severity"), *title = cli_jstr(data, "title");
    const char *service = cli_jstr(data, "service");
    buf_printf(b, "%s \"%s\"", sev ? sev : "-", title ? title : "");
    if (service)
        buf_printf(b, " service=%s", service);
    if (cli_jbool(data, "drill"))
        buf_puts(b, " (drill)");
}

typedef void (*kind_fmt_fn)(struct buf *b, const json_t *data);

static const struct {
    const char *kind;
    kind_fmt_fn fmt;
} kind_fmts[] = {
    {"incident.declared", fmt_declared},
    {"incident.role_assigned", fmt_role},
};

/* One line about an entry's data, by its kind. malloc'd. */
static char *summarize(const char *kind, const json_t *data)
{
    struct buf b;
    buf_init(&b, 4096); /* the cell is cut to far less; a full buffer just stops growing */
    kind_fmt_fn fmt = fmt_generic;
    for (size_t i = 0; kind && i < sizeof(kind_fmts) / sizeof(kind_fmts[0]); i++)
        if (strcmp(kind, kind_fmts[i].kind) == 0)
            fmt = kind_fmts[i].fmt;
    if (json_is_object(data))
        fmt(&b, data);
    return buf_steal(&b);
}

static void print_timeline(const struct cli_ctx *ctx, const json_t *body)
{
    const json_t *entries = json_object_get(body, "entries");
    size_t n = json_array_size(entries);
    if (n == 0) {
        puts("no timeline entries");
        return;
    }
    static const char *const headers[] = {"TIME", "KIND", "ACTOR", "DETAILS"};
    struct cli_table *t = cli_table_new(4, headers);
    cli_table_set_max(t, 3, 100);
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(entries, i);
        char when[CLI_TIME_LEN];
        cli_fmt_time_sec(cli_jstr(e, "at"), when, sizeof(when));
        char *details = summarize(cli_jstr(e, "kind"), json_object_get(e, "data"));
        const char *cells[] = {when, cli_jstr(e, "kind"), cli_jstr(e, "actor"), details};
        cli_table_add(t, cells);
        free(details);
    }
    cli_table_print(t, stdout);
    cli_table_free(t);
}

static int timeline_run(struct cli_ctx *ctx)
{
    return incident_call(ctx, "GET", "/timeline", NULL, print_timeline);
}

static const struct cli_cmd timeline_cmd = {"usage: tocsin timeline ID [--json]\n"
                                            "\n"
                                            "Shows the incident's timeline, oldest first.\n",
                                            NULL, 1, 1, timeline_run};

static int cli_timeline(int argc, char **argv)
{
    return cli_run(argc, argv, &timeline_cmd);
}

static const struct cli_verb verbs[] = {
    {"declare", cli_declare, "declare an incident; prints its id first"},
    {"list", cli_list, "list incidents (open by default)"},
    {"show", cli_show, "show one incident with its SLA clocks"},
    {"ack", cli_ack, "acknowledge an incident"},
    {"status", cli_status, "move an incident to a state, with an optional update message"},
    {"resolve", cli_resolve, "resolve an incident"},
    {"close", cli_close, "close a resolved incident"},
    {"reopen", cli_reopen, "reopen a resolved incident"},
    {"assign", cli_assign, "assign a role (commander, tech_lead, comms_lead, scribe)"},
    {"note", cli_note, "add a note to the timeline"},
    {"severity", cli_severity, "change an incident's severity"},
    {"timeline", cli_timeline, "print an incident's timeline"},
};
CLI_VERBS(incidents, verbs);

/* Its own group, last in verbs.def: `tocsin --help` has always listed it after the paging verbs. */
static const struct cli_verb escalation_verbs[] = {
    {"escalate", cli_escalate, "page an incident's next escalation step now"},
};
CLI_VERBS(escalations, escalation_verbs);
