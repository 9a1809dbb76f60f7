/*
 * cli/users: the responder UI's passwords (admin).
 *   tocsin user passwd USER [--role viewer|responder|admin]   PUT /api/v1/users/USER/password
 *   tocsin user signout USER                                   DELETE /api/v1/users/USER/sessions
 * The password is read from standard input (its first line), so it never appears in argv or
 * the shell history: on a terminal it is asked for twice with echo off; from a pipe
 * (`printf '%s\n' "$PW" | tocsin user passwd alice`) the first line is taken as it is.
 * The CLI writes through the running server's admin API like every other client verb, so the
 * server's checks (the user is in the config, the role, the length) apply and the change is on
 * the timeline. Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

enum { US_ROLE };
enum { LINE_MAX_ = 1100 };

static const struct cli_opt user_opts[] = {
    {"--role", NULL, CLI_OPT_STR, US_ROLE},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

/* One line of stdin without its newline into out; false at EOF or when too long. Echo is off
 * while a terminal is read. */
static bool read_line(const char *prompt, char *out, size_t n)
{
    bool tty = isatty(STDIN_FILENO);
    struct termios old, quiet;
    if (tty) {
        fputs(prompt, stderr);
        fflush(stderr);
        if (tcgetattr(STDIN_FILENO, &old) == 0) {
            quiet = old;
            quiet.c_lflag &= ~(tcflag_t)ECHO;
            tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
        } else {
            tty = false;
        }
    }
    bool ok = fgets(out, (int)n, stdin) != NULL;
    if (tty) {
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
        fputc('\n', stderr);
    }
    if (!ok)
        return false;
    size_t len = strcspn(out, "\r\n");
    if (out[len] == '\0' && len == n - 1)
        return false; /* no newline within the buffer: too long */
    out[len] = '\0';
    return true;
}

static int user_passwd(struct cli_ctx *ctx)
{
    char pw[LINE_MAX_], again[LINE_MAX_];
    if (!read_line("password: ", pw, sizeof pw))
        return cli_usage_error(ctx, "passwd: no password on standard input (or over 1024 bytes)");
    if (isatty(STDIN_FILENO)) {
        if (!read_line("again: ", again, sizeof again) || strcmp(pw, again) != 0)
            return cli_usage_error(ctx, "passwd: the two passwords differ");
    }
    json_t *req = json_object();
    json_object_set_new(req, "password", json_string(pw));
    cli_json_set_str(req, "role", ctx->str[US_ROLE]);
    memset(pw, 0, sizeof pw);
    memset(again, 0, sizeof again);
    char *path = cli_segment_path("/api/v1/users/", ctx->pos[1], "/password");
    struct cli_resp resp;
    int result = cli_request(ctx, "PUT", path, req, &resp);
    json_decref(req);
    free(path);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        printf("password set for %s (role %s); their open sessions were ended\n", ctx->pos[1],
               cli_jstr(resp.body, "role"));
    cli_resp_free(&resp);
    return result;
}

static int user_signout(struct cli_ctx *ctx)
{
    char *path = cli_segment_path("/api/v1/users/", ctx->pos[1], "/sessions");
    struct cli_resp resp;
    int result = cli_request(ctx, "DELETE", path, NULL, &resp);
    free(path);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        printf("every UI session of %s was ended\n", ctx->pos[1]);
    cli_resp_free(&resp);
    return result;
}

static const struct cli_sub user_subs[] = {
    {"passwd", 2, CLI_SUB_STR(US_ROLE), user_passwd},
    {"signout", 2, 0, user_signout},
};

static int user_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, user_subs, sizeof(user_subs) / sizeof(user_subs[0]));
}

static const struct cli_cmd user_cmd = {
    "usage: tocsin user passwd USER [--role viewer|responder|admin]\n"
    "       tocsin user signout USER\n"
    "\n"
    "Web UI sign-in (admin). `passwd` sets the password USER (a user of the config) signs in to\n"
    "/ui/ with, read from standard input (asked twice on a terminal), and the role they get\n"
    "(default responder); it ends their open sessions. `signout` ends every session of USER.\n"
    "  --role ROLE            viewer, responder or admin\n",
    user_opts, 2, 2, user_run};

static int cli_user(int argc, char **argv)
{
    return cli_run(argc, argv, &user_cmd);
}

static const struct cli_verb verbs[] = {
    {"user", cli_user, "user passwd|signout: web UI passwords and sessions"},
};
CLI_VERBS(users, verbs);
