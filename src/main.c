/*
 * main: the verb table. `tocsin <verb> [args]`: server verbs (serve, check-config) run here;
 * client verbs (src/cli/) talk to a running server over HTTP.
 */
#include "cli/cli.h"
#include "app/serve.h"
#include "app/version.h"

#include <stdio.h>
#include <string.h>

struct verb {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct verb verbs[] = {
    {"serve", serve_main, "run the server"},
    {"check-config", serve_check_config, "validate a config file (FILE:LINE: errors)"},
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
    {"audit", cli_audit, "audit verify: check the hash chain"},
    {"token", cli_token, "token create|list|revoke"},
    {"integration", cli_integration, "integration create|list|revoke: alert ingest keys"},
    {"alerts", cli_alerts, "list alerts (open by default)"},
    {"silence", cli_silence, "silence add|list|expire: mute alerts, maintenance windows"},
    {"heartbeats", cli_heartbeats, "list heartbeats and when each is due"},
    {"check", cli_check, "run the config's probes once, locally (no server)"},
    /* ---- verbs: oncall ---- */
    {"oncall", cli_oncall, "who is on call, per schedule and layer"},
    {"override", cli_override, "override SCHEDULE USER|list|remove: on-call overrides"},

    /* ---- verbs: notify ---- */
    {"page", cli_page, "page a user about an incident now (add a responder)"},
    {"notifications", cli_notifications, "list an incident's notifications and their attempts"},

    /* ---- verbs: escalation ---- */
    {"escalate", cli_escalate, "page an incident's next escalation step now"},

};

static void usage(FILE *f)
{
    fprintf(f, "usage: tocsin <verb> [args]   (tocsin <verb> --help for details)\n\n");
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        fprintf(f, "  %-13s %s\n", verbs[i].name, verbs[i].summary);
    fprintf(f, "\nclient verbs use --url or TOCSIN_URL (default http://127.0.0.1:8080) and "
               "TOCSIN_TOKEN\n");
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "version") == 0) {
        printf("tocsin %s\n", TOCSIN_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
        if (strcmp(argv[1], verbs[i].name) == 0)
            return verbs[i].run(argc - 1, argv + 1);
    fprintf(stderr, "tocsin: unknown verb \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
