/*
 * cli: the client verbs. Each talks to a running server over HTTP (libcurl) at --url, else
 * $TOCSIN_URL, else http://127.0.0.1:8080, with the token from $TOCSIN_TOKEN (or --token).
 * Output: a table or short text for people; --json prints the server's JSON as-is for scripts.
 * Verbs that create something (declare, token create, integration create, silence add) print the
 * new id/secret alone on the first line of stdout. Exit codes: 0 done, 1 the server refused (its
 * error message on stderr), 2 usage error, 3 server unreachable.
 *
 * Each function gets argv[0] = the verb name and handles its own --help. Runs on the main thread
 * of a short-lived process. The exception is `check` (check.c): it runs the config's probes
 * locally and talks to no server.
 */
#ifndef TOCSIN_CLI_H
#define TOCSIN_CLI_H

enum { CLI_OK = 0, CLI_REFUSED = 1, CLI_USAGE = 2, CLI_UNREACHABLE = 3 };

int cli_declare(int argc, char **argv);
int cli_list(int argc, char **argv);
int cli_show(int argc, char **argv);
int cli_ack(int argc, char **argv);
int cli_status(int argc, char **argv);
int cli_resolve(int argc, char **argv);
int cli_close(int argc, char **argv);
int cli_reopen(int argc, char **argv);
int cli_assign(int argc, char **argv);
int cli_note(int argc, char **argv);
int cli_severity(int argc, char **argv);
int cli_timeline(int argc, char **argv);
int cli_audit(int argc, char **argv);
int cli_token(int argc, char **argv);
/* alert ingest (alerts.c) */
int cli_integration(int argc, char **argv);
int cli_alerts(int argc, char **argv);
int cli_silence(int argc, char **argv);
int cli_heartbeats(int argc, char **argv);
/* local, no server (check.c): runs the config's probes once */
int cli_check(int argc, char **argv);
/* ---- cli: oncall ---- */
/* on call (oncall.c) */
int cli_oncall(int argc, char **argv);
int cli_override(int argc, char **argv);

/* ---- cli: notify ---- */
int cli_page(int argc, char **argv);          /* page.c */
int cli_notifications(int argc, char **argv); /* page.c */

/* ---- cli: escalation ---- */
int cli_escalate(int argc, char **argv);

#endif
