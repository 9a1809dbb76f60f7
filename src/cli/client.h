/*
 * cli/client: what the client verbs share, and nothing else includes. Three parts:
 *   args   (args.c)   - a table-driven option parser and cli_run(), the one entry every verb goes
 *                       through: parse, --help, libcurl init/cleanup around the verb, exit code.
 *   http   (client.c) - one blocking request to the server (libcurl easy), the JSON reply parsed
 *                       (jansson), non-2xx and transport failures reported on stderr and mapped
 *                       to the exit codes of cli.h.
 *   output (output.c) - UTC/relative time formatting, control-character-safe printing, tables.
 *
 * Invariants: a struct cli_ctx lives for one verb run; its strings point into argv or the
 * environment (never freed), only `pos` is allocated. A struct cli_resp owns its `body` (a
 * jansson reference) and `raw` text until cli_resp_free(). Main thread of a short-lived process.
 */
#ifndef TOCSIN_CLI_CLIENT_H
#define TOCSIN_CLI_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* ---- args ---------------------------------------------------------------------------------- */

/* CLI_OPT_LIST: a string option that may repeat (--match a=b --match c=d); every value is kept
 * in cli_ctx.list[slot] (and the last one in cli_ctx.str[slot]). */
enum cli_opt_kind { CLI_OPT_STR, CLI_OPT_FLAG, CLI_OPT_LIST };

/* One option of a verb. `slot` is the index into cli_ctx.str[] / cli_ctx.flag[]. */
struct cli_opt {
    const char *lng;  /* "--severity" */
    const char *shrt; /* "-m", or NULL */
    enum cli_opt_kind kind;
    int slot;
};

enum { CLI_SLOTS = 8 };

struct cli_ctx;
typedef int (*cli_verb_fn)(struct cli_ctx *ctx);

/* A verb: its usage text (printed for --help and usage errors), its own options (the common
 * --url, --token, --json and -h/--help are always accepted), how many positionals it takes
 * (max_pos < 0: no limit), and the function that does the work once the arguments are good. */
struct cli_cmd {
    const char *usage;
    const struct cli_opt *opts; /* terminated by an entry with lng == NULL; may be NULL */
    int min_pos;
    int max_pos;
    cli_verb_fn run;
};

struct cli_ctx {
    const char *verb;
    const struct cli_cmd *cmd;
    const char *url;   /* base URL, no trailing '/' handling needed by callers */
    const char *token; /* NULL when none is set */
    bool json;
    const char *str[CLI_SLOTS];   /* string option values, NULL when not given */
    bool flag[CLI_SLOTS];         /* flag options */
    const char **list[CLI_SLOTS]; /* CLI_OPT_LIST values in order (allocated by cli_run) */
    int nlist[CLI_SLOTS];
    char **pos; /* positionals, pointers into argv */
    int npos;
    bool local; /* run by cli_run_local(): no server, no --url/--token */
};

/* Parses argv (argv[0] is the verb), handles -h/--help (usage on stdout, exit 0) and usage
 * errors (message and usage on stderr, exit 2), then runs cmd->run with curl initialised.
 * Returns the process exit code. */
int cli_run(int argc, char **argv, const struct cli_cmd *cmd);
/* The same frame for a verb that works locally, without a server (`tocsin check`): only --json
 * and -h/--help are common, and --help does not describe --url, --token or the client exit
 * codes (the verb's usage gives its own). libcurl is initialised all the same. */
int cli_run_local(int argc, char **argv, const struct cli_cmd *cmd);
/* A usage error found by a verb after parsing: prints "tocsin VERB: MSG" and the usage to
 * stderr; returns CLI_USAGE. */
int cli_usage_error(const struct cli_ctx *ctx, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* A sub-command of a verb (`token create`, `silence add`), picked by the first positional.
 * npos counts the positionals the sub-command takes, its own name included; `opts` is the set
 * of the verb's options that apply to it (CLI_SUB_STR(slot) | CLI_SUB_FLAG(slot)...). */
struct cli_sub {
    const char *name;
    int npos;
    unsigned opts;
    cli_verb_fn run;
};

#define CLI_SUB_STR(slot) (1u << (slot))
#define CLI_SUB_FLAG(slot) (1u << (CLI_SLOTS + (slot)))

/* Runs the sub-command named by ctx->pos[0]; a usage error (CLI_USAGE) for an unknown name, the
 * wrong number of positionals, or one of the verb's options that does not apply to it. */
int cli_dispatch(struct cli_ctx *ctx, const struct cli_sub *subs, size_t n);

/* ---- http ---------------------------------------------------------------------------------- */

struct cli_resp {
    long status;  /* HTTP status */
    json_t *body; /* the parsed reply (a 2xx reply is always a JSON value here) */
    char *raw;    /* the reply text as received, NUL-terminated */
    size_t len;
};

/* Sends METHOD base+path with `req` (may be NULL: no body) serialised as JSON. On a 2xx reply
 * that parses as JSON returns CLI_OK and fills `resp`; otherwise reports the problem on stderr
 * and returns CLI_REFUSED (the server said no, or its reply was unusable), CLI_UNREACHABLE
 * (connect refused, timeout, connection lost) or CLI_USAGE (a malformed --url). `req` is not
 * consumed. `resp` is always safe to cli_resp_free(). */
int cli_request(const struct cli_ctx *ctx, const char *method, const char *path, json_t *req,
                struct cli_resp *resp);
/* GET a list (docs/api.md "Lists") page by page, following next_cursor, until max_items items
 * (<= 0: every item): path without `limit` or `cursor`; resp->body is the first page's object
 * with the array of every page and the last page's next_cursor, resp->raw its JSON. Returns
 * the cli_request code of the first page that failed (resp then holds that page). */
int cli_request_pages(const struct cli_ctx *ctx, const char *path, int64_t max_items,
                      struct cli_resp *resp);
enum { CLI_LIST_MAX = 1000000 }; /* the largest --limit of the list verbs */
/* GET path like cli_request, but a 2xx reply may be anything (HTML, CSS, Atom): resp->raw and
 * resp->len hold it, resp->body is its JSON when it parses, else NULL. */
int cli_fetch(const struct cli_ctx *ctx, const char *path, struct cli_resp *resp);
void cli_resp_free(struct cli_resp *resp);
/* Escapes one path segment (an id or role from the command line) so that it stays one segment.
 * The result is malloc'd; free() it. */
char *cli_path_escape(const char *segment);
/* prefix + cli_path_escape(segment) + suffix ("/api/v1/incidents/", id, "/page"), malloc'd. */
char *cli_segment_path(const char *prefix, const char *segment, const char *suffix);
/* Prints the reply as received (for --json), with a final newline. */
void cli_print_raw(const struct cli_resp *resp);
/* Sets obj[key] to the string value; nothing when value is NULL. */
void cli_json_set_str(json_t *obj, const char *key, const char *value);
typedef void (*cli_body_print_fn)(const json_t *body);
/* GET path, every page of a list (cli_request_pages); prints the reply raw (--json) or with
 * `print`. Returns the cli_request code. */
int cli_get_and_print(struct cli_ctx *ctx, const char *path, cli_body_print_fn print);
/* DELETE prefix + pos[1]; prints "ID <done>" (or the reply for --json). An empty pos[1] is a
 * usage error: "<sub-command>: the <what> must not be empty". */
int cli_delete_and_print(struct cli_ctx *ctx, const char *prefix, const char *what,
                         const char *done);

/* ---- output -------------------------------------------------------------------------------- */

enum { CLI_TIME_LEN = 48 };

int64_t cli_now_ms(void);
/* A string member, or NULL when absent, null or not a string. */
const char *cli_jstr(const json_t *obj, const char *key);
/* A boolean member; false when absent or not a boolean. */
bool cli_jbool(const json_t *obj, const char *key);
/* "2026-11-23 09:25Z", or the input unchanged when it is not RFC 3339; "-" for NULL. */
void cli_fmt_time(const char *rfc3339, char *out, size_t n);
/* "2026-11-23 09:25:32Z", as above with seconds (for timelines). */
void cli_fmt_time_sec(const char *rfc3339, char *out, size_t n);
/* A duration as "45s", "12m", "3h5m", "2d4h" (absolute value). */
void cli_fmt_span(int64_t ms, char *out, size_t n);
/* "2026-11-23 09:25Z (12m ago)" / "(in 12m)"; "-" for NULL. */
void cli_fmt_when(const char *rfc3339, int64_t now, char *out, size_t n);
/* The age since rfc3339 ("12m"), or "-" when missing or unparseable. */
void cli_fmt_age(const char *rfc3339, int64_t now, char *out, size_t n);
/* Writes s with control characters replaced by '?', so a hostile title cannot drive the
 * terminal; "-" for NULL. */
void cli_put(FILE *f, const char *s);
/* A copy of s, control characters replaced, cut to at most max_cols characters (UTF-8 code
 * points), ending in "..." when cut; "-" for NULL. free() it. */
char *cli_clean(const char *s, size_t max_cols);

/* A text table: left-aligned columns, two spaces apart, the last one not padded. */
struct cli_table;
struct cli_table *cli_table_new(int ncols, const char *const *headers);
/* Adds a row of ncols cells (NULL prints "-"); cells are cleaned and cut to max_cols[i]
 * (0: no limit) as given to cli_table_set_max(). */
void cli_table_add(struct cli_table *t, const char *const *cells);
void cli_table_set_max(struct cli_table *t, int col, size_t max_cols);
int cli_table_rows(const struct cli_table *t);
void cli_table_print(const struct cli_table *t, FILE *f);
void cli_table_free(struct cli_table *t);
/* Columns of the terminal on stdout, or 0 when stdout is not a terminal. */
int cli_term_cols(void);
/* Room for a last, free-text column: what the terminal leaves after `used` columns, else
 * `dflt`; never under 20. */
size_t cli_last_col(int used, size_t dflt);
/* "LABEL     value" on stdout (label padded to 9), value cleaned with cli_put. */
void cli_print_kv(const char *label, const char *value);
/* "12m ago", or "-" when missing or unparseable. */
void cli_fmt_ago(const char *rfc3339, int64_t now, char *out, size_t n);

#endif
