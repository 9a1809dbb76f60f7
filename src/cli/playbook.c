/*
 * cli/playbook: the incident playbook rendered from the config (docs/playbook.md).
 *   tocsin playbook render [--format markdown|html] [--config FILE]
 * Without --config: the running server's config (GET /api/v1/playbook). With --config: renders
 * FILE here, without a server (after checking it as check-config does), so CI can publish the
 * playbook of the config it is about to deploy. Both write the same document: domain/playbook.c
 * (Markdown), util/markdown.c (HTML by libcmark). Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "config/config.h"
#include "domain/playbook.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/markdown.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PO_FORMAT, PO_CONFIG };
enum { PLAYBOOK_MAX = 8 << 20 };

static const struct cli_opt playbook_opts[] = {
    {"--format", NULL, CLI_OPT_STR, PO_FORMAT},
    {"--config", "-c", CLI_OPT_STR, PO_CONFIG},
    {NULL, NULL, CLI_OPT_FLAG, 0},
};

static int render_local(const char *path, bool html)
{
    struct config *c = config_load_reporting(path);
    if (!c)
        return CLI_REFUSED;
    struct buf md;
    buf_init(&md, PLAYBOOK_MAX);
    playbook_render_md(c, 0, &md);
    if (html) {
        char *h = markdown_to_html(md.data ? md.data : "", md.len);
        struct buf page;
        buf_init(&page, PLAYBOOK_MAX * 2);
        playbook_html_page("Incident Response Playbook", h ? h : "", &page);
        fwrite(page.data ? page.data : "", 1, page.len, stdout);
        buf_free(&page);
        free(h);
    } else {
        fwrite(md.data ? md.data : "", 1, md.len, stdout);
    }
    buf_free(&md);
    config_unref(c);
    return CLI_OK;
}

static int playbook_render(struct cli_ctx *ctx)
{
    const char *fmt = ctx->str[PO_FORMAT] ? ctx->str[PO_FORMAT] : "markdown";
    if (strcmp(fmt, "md") == 0)
        fmt = "markdown";
    bool html = strcmp(fmt, "html") == 0;
    if (!html && strcmp(fmt, "markdown") != 0)
        return cli_usage_error(ctx, "--format must be markdown or html, not '%s'", fmt);
    if (ctx->str[PO_CONFIG])
        return render_local(ctx->str[PO_CONFIG], html);
    char path[64];
    snprintf(path, sizeof path, "/api/v1/playbook?format=%s", fmt);
    struct cli_resp resp;
    int result = cli_fetch(ctx, path, &resp);
    if (result == CLI_OK)
        fwrite(resp.raw, 1, resp.len, stdout);
    cli_resp_free(&resp);
    return result;
}

static const struct cli_sub playbook_subs[] = {
    {"render", 1, CLI_SUB_STR(PO_FORMAT) | CLI_SUB_STR(PO_CONFIG), playbook_render},
};

static int playbook_run(struct cli_ctx *ctx)
{
    return cli_dispatch(ctx, playbook_subs, sizeof playbook_subs / sizeof playbook_subs[0]);
}

static const struct cli_cmd playbook_cmd = {
    "usage: tocsin playbook render [--format markdown|html] [--config FILE]\n"
    "\n"
    "Writes the team's incident playbook, generated from the config: severity levels with\n"
    "response and resolution targets, incident types, services, on-call rotations, escalation\n"
    "paths, the roles filled on declare, conditional rules, status update templates, checklists,\n"
    "runbooks, post-mortem templates, fire drills,\n"
    "contacts. The config is the playbook: render it again instead of editing the document.\n"
    "  --format F      markdown (default) or html (rendered by libcmark)\n"
    "  -c, --config F  render FILE here, without a server (default: the server's running config)\n",
    playbook_opts, 1, 1, playbook_run};

static int cli_playbook(int argc, char **argv)
{
    return cli_run(argc, argv, &playbook_cmd);
}

static const struct cli_verb verbs[] = {
    {"playbook", cli_playbook, "playbook render: the incident playbook, from the config"},
};
CLI_VERBS(playbook, verbs);
