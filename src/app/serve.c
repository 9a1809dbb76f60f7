/*
 * serve: the `tocsin serve` and `tocsin check-config` verbs: load the config, open the store,
 * bootstrap the admin token, start HTTP, then wait for signals on the main thread (SIGHUP
 * reloads, SIGINT/SIGTERM stop cleanly).
 * Signals are blocked before any thread starts, so only the main thread (sigwait) sees them.
 * At start the open-files limit is raised to its hard limit; SIGTERM's stop is bounded by
 * server.shutdown_grace (and a watchdog past it: docs/security.md, "Shutdown").
 */
#include "cli/cli.h"
#include "app/app.h"
#include "jobs/chatops_enqueue.h"
#include "app/datadir.h"
#include "runtime/auditor.h"
#include "runtime/engine.h"
#include "http/http.h"
#include "app/metrics.h"
#include "runtime/notifier.h"
#include "runtime/cluster.h"
#include "util/ratelimit.h"
#include "util/crypto.h"
#include "util/log.h"
#include "app/version.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

struct serve_opts {
    const char *config;
    const char *data;
    const char *listen;
    const char *node;
    bool dev_clock;
};

/* --node, else HOSTNAME:PORT (the port of the listen address). */
static char *node_name(const char *given, const char *listen)
{
    if (given && *given)
        return xstrdup(given);
    char host[256] = "localhost";
    if (gethostname(host, sizeof host - 1) != 0)
        snprintf(host, sizeof host, "localhost");
    const char *port = strrchr(listen, ':');
    size_t n = strlen(host) + strlen(port ? port : "") + 1;
    char *out = xmalloc(n);
    snprintf(out, n, "%s%s", host, port ? port : "");
    return out;
}

static void usage(FILE *f)
{
    fprintf(f, "usage: tocsin serve [--config FILE] [--data DIR] [--listen HOST:PORT] "
               "[--node NAME] [--dev-clock]\n"
               "  --config FILE      YAML config (default tocsin.yaml)\n"
               "  --data DIR         data directory: database, admin.token (default ./data)\n"
               "  --listen HOST:PORT overrides server.listen\n"
               "  --node NAME        this node's name among those sharing a PostgreSQL store\n"
               "                     (default HOSTNAME:PORT)\n"
               "  --dev-clock        enable POST /api/v1/debug/clock (tests only)\n");
}

static int parse_opts(int argc, char **argv, struct serve_opts *o)
{
    static const struct option longopts[] = {{"config", required_argument, NULL, 'c'},
                                             {"data", required_argument, NULL, 'd'},
                                             {"listen", required_argument, NULL, 'l'},
                                             {"dev-clock", no_argument, NULL, 'D'},
                                             {"node", required_argument, NULL, 'n'},
                                             {"help", no_argument, NULL, 'h'},
                                             {NULL, 0, NULL, 0}};
    *o = (struct serve_opts){.config = "tocsin.yaml", .data = "data"};
    int ch;
    optind = 1;
    while ((ch = getopt_long(argc, argv, "c:d:l:h", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c':
            o->config = optarg;
            break;
        case 'd':
            o->data = optarg;
            break;
        case 'l':
            o->listen = optarg;
            break;
        case 'D':
            o->dev_clock = true;
            break;
        case 'n':
            o->node = optarg;
            break;
        case 'h':
            usage(stdout);
            exit(0);
        default:
            usage(stderr);
            return 2;
        }
    }
    if (o->node && (!*o->node || strlen(o->node) > 100 || strpbrk(o->node, " \t\r\n"))) {
        fprintf(stderr, "serve: --node: a name of 1 to 100 characters without spaces\n");
        return 2;
    }
    if (optind != argc) {
        fprintf(stderr, "serve: unexpected argument %s\n", argv[optind]);
        usage(stderr);
        return 2;
    }
    return 0;
}

static int serve_check_config(int argc, char **argv)
{
    if (argc != 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *f = argc == 2 ? stdout : stderr;
        fprintf(f, "usage: tocsin check-config FILE\n"
                   "  exit 0 when FILE is valid; 1 when not, printing FILE:LINE: message\n");
        return argc == 2 ? 0 : 2;
    }
    struct config *c = config_load_reporting(argv[1]);
    if (!c)
        return 1;
    struct config_errors warn = {0};
    config_delivery_warnings(c, &warn);
    for (size_t i = 0; i < warn.count; i++)
        fprintf(stderr, "%s\n", warn.items[i]);
    config_errors_free(&warn);
    printf("%s: ok (%zu severities, %zu users, %zu services, %zu schedules, %zu escalation "
           "policies)\n",
           argv[1], c->severity_count, c->user_count, c->service_count, c->schedule_count,
           c->policy_count);
    config_unref(c);
    return 0;
}

static char *db_target(const struct config *c, const char *data)
{
    if (strcmp(c->storage.driver, "sqlite") != 0)
        return xstrdup(c->storage.url ? c->storage.url : "");
    const char *p = c->storage.path ? c->storage.path : "tocsin.db";
    if (p[0] == '/')
        return xstrdup(p);
    size_t n = strlen(data) + strlen(p) + 2;
    char *out = xmalloc(n);
    snprintf(out, n, "%s/%s", data, p);
    return out;
}

/* RLIMIT_NOFILE soft limit up to the hard one: each connection is a descriptor, and running out
 * makes accept fail (http/server.c sizes its connection limit from this). */
static void raise_open_files_limit(void)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0) {
        log_warn("serve: cannot read the open-files limit: %s", strerror(errno));
        return;
    }
    rlim_t was = rl.rlim_cur;
    if (rl.rlim_cur == rl.rlim_max) {
        log_info("serve: open-files limit %llu (already the hard limit)",
                 (unsigned long long)rl.rlim_cur);
        return;
    }
    rl.rlim_cur = rl.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0) {
        log_warn("serve: cannot raise the open-files limit from %llu to %llu: %s",
                 (unsigned long long)was, (unsigned long long)rl.rlim_max, strerror(errno));
        return;
    }
    log_info("serve: open-files limit raised from %llu to %llu (the hard limit)",
             (unsigned long long)was, (unsigned long long)rl.rlim_max);
}

/* After SIGTERM: if the stop has not ended server.shutdown_grace + WATCHDOG_EXTRA_MS later (a
 * thread stuck on the store, a slow delivery), the process exits anyway: what was committed is
 * in the store, and whatever was not committed was not answered 2xx. */
enum { WATCHDOG_EXTRA_MS = 5000 };

static void *shutdown_watchdog(void *arg)
{
    int64_t ms = (int64_t)(intptr_t)arg + WATCHDOG_EXTRA_MS; /* the grace, by value */
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
        ;
    log_error("serve: stopping took more than %lld ms (server.shutdown_grace + %d ms): exiting now",
              (long long)ms - WATCHDOG_EXTRA_MS, WATCHDOG_EXTRA_MS);
    _exit(1);
    return NULL;
}

static void start_shutdown_watchdog(int64_t grace_ms)
{
    pthread_t t;
    if (pthread_create(&t, NULL, shutdown_watchdog, (void *)(intptr_t)grace_ms) == 0)
        pthread_detach(t);
}

static int wait_for_signals(struct app *app, struct http_server *http)
{
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    for (;;) {
        int sig = 0;
        if (sigwait(&set, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            struct error err = {0};
            log_info("config: SIGHUP, reloading %s", app->config_path);
            if (app_reload(app, "system", NULL, &err) == OK)
                engine_kick(app->engine);
            struct config *c = app_config(app); /* the new config, or the old one kept */
            http_reload_tls(http, c);
            config_unref(c);
            continue;
        }
        log_info("serve: %s, stopping", sig == SIGINT ? "SIGINT" : "SIGTERM");
        return 0;
    }
}

static int serve_main(int argc, char **argv)
{
    struct serve_opts o;
    int rc = parse_opts(argc, argv, &o);
    if (rc)
        return rc;
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    signal(SIGPIPE, SIG_IGN);
    umask(077); /* the data directory, the database, its WAL and the secrets: the owner's only */
    raise_open_files_limit();
    crypto_init();

    struct app app = {.dev_clock = o.dev_clock};
    app.config = config_load_reporting(o.config);
    if (!app.config)
        fatal("serve: %s is not a valid config (see the errors above)", o.config);
    struct config_errors warn = {0};
    config_delivery_warnings(app.config, &warn); /* methods that cannot deliver: said at start */
    for (size_t i = 0; i < warn.count; i++)
        log_warn("config: %s", warn.items[i]);
    config_errors_free(&warn);
    const struct config_chatops *chat = &app.config->chatops; /* fatal() above does not return */
    chatops_enqueue_enable(chat->slack.on || chat->mattermost.on || chat->teams.on);
    app.config_path = xstrdup(o.config);
    app.data_dir = xstrdup(o.data);
    app.clock = o.dev_clock ? clock_dev_new() : clock_real();
    pthread_mutex_init(&app.config_lock, NULL);
    pthread_mutex_init(&app.reload_lock, NULL);
    app.metrics = metrics_new(router_route_count());
    app.ratelimit = ratelimit_new();
    struct error err = {0};
    int lock = datadir_lock(o.data, &err); /* before anything is written there */
    if (lock < 0)
        fatal("serve: %s", err.message);

    char *target = db_target(app.config, o.data);
    app.store = store_open(app.config->storage.driver, target, &err);
    if (!app.store)
        fatal("serve: %s", err.message);
    if (auth_bootstrap(&app, &err) != OK)
        fatal("serve: %s", err.message);
    datadir_warn_modes(o.data, strcmp(app.config->storage.driver, "sqlite") == 0 ? target : NULL);
    free(target);
    const char *listen = o.listen ? o.listen : app.config->server.listen;
    cluster_adopt_dev_clock(&app); /* before anything reads the clock to act on it */
    app.node_id = node_name(o.node, listen);
    app.started_at = clock_now(clock_real());
    atomic_store(&app.run_started, clock_now(app.clock)); /* after the dev clock was adopted */
    if (cluster_join(&app, &err) != OK) /* before anything claims work under this node's name */
        fatal("serve: %s", err.message);
    /* the notifier first: the engine thread reads app.notifier (to kick it) from its 1st pass */
    app.notifier = notifier_start(&app);
    app.engine = engine_start(&app);
    app.auditor = auditor_start(app.store, app.clock, app.config->storage.audit_full_every);
    if (!(app.cluster = cluster_start(&app, &err)))
        fatal("serve: %s", err.message);
    struct http_server *http = http_start(&app, listen, &err);
    int64_t grace = app.config->server.shutdown_grace; /* read at start, like the listener */
    if (!http)
        fatal("serve: %s", err.message);
    if (o.dev_clock)
        log_warn("serve: --dev-clock is on: admins can move this server's clock");
    bool https = app.config->server.tls.cert_file && app.config->server.tls.key_file;
    printf("tocsin %s serving on %s://%s (data in %s, store %s)\n", TOCSIN_VERSION,
           https ? "https" : "http", listen, o.data, app.config->storage.driver);
    fflush(stdout);

    rc = wait_for_signals(&app, http);
    start_shutdown_watchdog(grace);
    if (!http_stop(http)) { /* first: a suspended verify is answered by the auditor */
        log_error("serve: exiting without closing the store (committed writes are kept)");
        _exit(1);
    }
    auditor_stop(app.auditor);
    cluster_stop(app.cluster);
    engine_stop(app.engine);
    notifier_stop(app.notifier);
    cluster_leave(&app); /* what the notifier skipped while stopping goes to another node now */
    store_close(app.store);
    config_unref(app.config);
    metrics_free(app.metrics);
    ratelimit_free(app.ratelimit);
    clock_free(app.clock);
    free(app.config_path);
    free(app.data_dir);
    free(app.node_id);
    pthread_mutex_destroy(&app.config_lock);
    pthread_mutex_destroy(&app.reload_lock);
    datadir_unlock(lock);
    log_info("serve: stopped");
    return rc;
}

static const struct cli_verb verbs[] = {
    {"serve", serve_main, "run the server"},
    {"check-config", serve_check_config, "validate a config file (FILE:LINE: errors)"},
};
CLI_VERBS(serve, verbs);
