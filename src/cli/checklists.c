/*
 * cli/checklists: the checklists of an incident.
 *   tocsin checklist ID [--json]            GET /api/v1/incidents/{id}/checklists
 *   tocsin tick ID CHECKLIST N [--json]     POST .../checklists/{checklist}/items/{n}/tick
 * Server strings go through cli_put()/cli_clean(). Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_checklists(const json_t *body)
{
    const json_t *lists = json_object_get(body, "checklists");
    if (json_array_size(lists) == 0) {
        puts("no checklists attached");
        return;
    }
    for (size_t i = 0; i < json_array_size(lists); i++) {
        const json_t *l = json_array_get(lists, i);
        const char *phase = cli_jstr(l, "phase");
        char *title = cli_clean(cli_jstr(l, "title") ? cli_jstr(l, "title") : "", 80);
        printf("%s%s", i ? "\n" : "", "");
        cli_put(stdout, cli_jstr(l, "id"));
        printf(" (%s%s%s)\n", title, phase ? ", " : "", phase ? phase : "");
        free(title);
        const json_t *items = json_object_get(l, "items");
        for (size_t k = 0; k < json_array_size(items); k++) {
            const json_t *it = json_array_get(items, k);
            char *text = cli_clean(cli_jstr(it, "text") ? cli_jstr(it, "text") : "", 100);
            const char *by = cli_jstr(it, "done_by");
            printf("  [%c] %2lld. %s", cli_jbool(it, "done") ? 'x' : ' ',
                   (long long)json_integer_value(json_object_get(it, "n")), text);
            if (by) {
                char *b = cli_clean(by, 40);
                printf("  (%s)", b);
                free(b);
            } else if (cli_jstr(it, "auto")) {
                printf("  (ticks itself: %s)", cli_jstr(it, "auto"));
            }
            putchar('\n');
            free(text);
        }
    }
}

static int checklist_show(struct cli_ctx *ctx)
{
    char *path = cli_segment_path("/api/v1/incidents/", ctx->pos[0], "/checklists");
    int result = cli_get_and_print(ctx, path, print_checklists);
    free(path);
    return result;
}

static const struct cli_cmd checklist_cmd = {
    "usage: tocsin checklist ID [--json]\n"
    "\n"
    "Shows the checklists attached to incident ID and which items are done. Checklists attach\n"
    "from the config when the incident is declared or its severity changes; items tocsin can\n"
    "observe (commander assigned, public update posted, post-mortem created) tick themselves.\n"
    "Tick the others with `tocsin tick ID CHECKLIST N`.\n",
    NULL, 1, 1, checklist_show};

static int tick_run(struct cli_ctx *ctx)
{
    char *n = cli_path_escape(ctx->pos[2]);
    char *list = cli_path_escape(ctx->pos[1]);
    size_t len = strlen(list) + strlen(n) + 32;
    char *suffix = xmalloc(len);
    snprintf(suffix, len, "/checklists/%s/items/%s/tick", list, n);
    char *path = cli_segment_path("/api/v1/incidents/", ctx->pos[0], suffix);
    struct cli_resp resp;
    int result = cli_request(ctx, "POST", path, NULL, &resp);
    if (result == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (result == CLI_OK) {
        const json_t *it = json_object_get(resp.body, "item");
        char *text = cli_clean(cli_jstr(it, "text") ? cli_jstr(it, "text") : "", 100);
        printf("[x] %s\n", text);
        free(text);
    }
    cli_resp_free(&resp);
    free(path);
    free(suffix);
    free(list);
    free(n);
    return result;
}

static const struct cli_cmd tick_cmd = {
    "usage: tocsin tick ID CHECKLIST N [--json]\n"
    "\n"
    "Ticks item N (as `tocsin checklist ID` numbers them) of checklist CHECKLIST on incident ID\n"
    "(responder). The tick goes on the incident's timeline.\n",
    NULL, 3, 3, tick_run};

static int cli_checklist(int argc, char **argv)
{
    return cli_run(argc, argv, &checklist_cmd);
}

static int cli_tick(int argc, char **argv)
{
    return cli_run(argc, argv, &tick_cmd);
}

static const struct cli_verb verbs[] = {
    {"checklist", cli_checklist, "checklist ID: the incident's checklists"},
    {"tick", cli_tick, "tick ID CHECKLIST N: tick a checklist item"},
};
CLI_VERBS(checklists, verbs);
