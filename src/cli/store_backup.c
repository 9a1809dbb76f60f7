/*
 * cli/store_backup: `tocsin store backup FILE` and `tocsin store restore FILE` (docs/security.md
 * "Backups"), offline store tools beside store_check.c.
 *
 * backup: a consistent copy of the SQLite store into FILE, taken while the server runs (SQLite's
 * online backup API in one step on a reader connection of its own: one read transaction, the
 * database as of one commit; the server's writer is not blocked), then checked like `tocsin store
 * check` (integrity_check and the timeline's hash chain) on the copy. FILE must not exist; it is
 * created 0600. restore: FILE checked first (a damaged file or a broken chain is refused and
 * nothing changes), then, holding the data directory's lock (so never under a running server, which
 * holds it), the current database is moved aside to DB.before-restore and FILE copied in its place
 * (a temporary file, fsync, rename), the old WAL and shared-memory files removed (a WAL must never
 * be replayed over another database). PostgreSQL: pg_dump and pg_restore are the tools (refused
 * here with that message). Exit codes: 0 done and checked, 1 refused or failed, 2 usage or bad
 * config. Main thread of a short-lived process.
 */
#include "app/datadir.h"
#include "cli/cli.h"
#include "config/config.h"
#include "jobs/timeline.h"
#include "store/store.h"
#include "util/crypto.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void usage(FILE *f, const char *sub)
{
    if (strcmp(sub, "backup") == 0)
        fprintf(f, "usage: tocsin store backup FILE [--config FILE] [--data DIR]\n"
                   "  a consistent copy of the SQLite store into FILE (new, 0600), safe while the\n"
                   "  server runs, then checked (integrity_check and the timeline's hash chain)\n");
    else
        fprintf(f,
                "usage: tocsin store restore FILE [--config FILE] [--data DIR]\n"
                "  checks FILE, then replaces the store with it; the server must be stopped\n"
                "  (the data directory's lock); the old database is kept as DB.before-restore\n");
    fprintf(f, "  --config FILE  YAML config (default tocsin.yaml)\n"
               "  --data DIR     data directory (default ./data)\n"
               "exit codes: 0 done and checked, 1 refused or failed, 2 usage error\n");
}

/* The SQLite file a server with this config and data directory uses. Caller frees. */
static char *db_path(const struct config *c, const char *data)
{
    const char *p = c->storage.path ? c->storage.path : "tocsin.db";
    if (p[0] == '/')
        return xstrdup(p);
    size_t n = strlen(data) + strlen(p) + 2;
    char *out = xmalloc(n);
    snprintf(out, n, "%s/%s", data, p);
    return out;
}

/* integrity_check and the hash chain of the SQLite file at path; prints what it found. */
static int check_file(const char *path, const char *sub)
{
    struct error err = {0};
    struct store_conn *c = store_check_open("sqlite", path, &err);
    int rc = CLI_REFUSED;
    struct timeline_verify v;
    if (!c || store_check(c, true, &err) != OK || timeline_verify(c, &v, &err) != OK) {
        fprintf(stderr, "store %s: %s: %s\n", sub, path, err.message);
    } else if (!v.valid) {
        fprintf(stderr, "store %s: %s: the timeline's hash chain is broken at seq %lld\n", sub,
                path, (long long)v.first_break_at);
    } else {
        printf("store %s: %s: ok (integrity_check; timeline %lld entries, head %.64s)\n", sub, path,
               (long long)v.entries, v.head);
        rc = CLI_OK;
    }
    store_check_close(c);
    return rc;
}

static int backup(const struct config *cfg, const char *data, const char *file)
{
    struct stat st;
    if (stat(file, &st) == 0) {
        fprintf(stderr, "store backup: %s exists; give a new file\n", file);
        return CLI_REFUSED;
    }
    char *db = db_path(cfg, data);
    struct error err = {0};
    int rc = CLI_REFUSED;
    struct store_conn *c = store_check_open("sqlite", db, &err);
    if (!c || store_backup(c, file, &err) != OK) {
        fprintf(stderr, "store backup: %s\n", err.message);
        store_check_close(c); /* a failed backup removed its file */
        goto out;
    }
    store_check_close(c);
    chmod(file, 0600);
    printf("store backup: %s -> %s\n", db, file);
    rc = check_file(file, "backup");
out:
    free(db);
    return rc;
}

/* Copies src to dst through dst.tmp (fsync, rename): dst is the whole of src or unchanged. */
static int copy_file(const char *src, const char *dst)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", dst) >= (int)sizeof tmp)
        return -1;
    int in = open(src, O_RDONLY | O_CLOEXEC);
    int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    int ok = in >= 0 && out >= 0;
    char buf[1 << 16];
    ssize_t n;
    while (ok && (n = read(in, buf, sizeof buf)) != 0) {
        if (n < 0 && errno == EINTR)
            continue;
        for (ssize_t off = 0; ok && n > 0 && off < n;) {
            ssize_t w = write(out, buf + off, (size_t)(n - off));
            ok = w > 0;
            off += w > 0 ? w : 0;
        }
        ok = ok && n > 0;
    }
    ok = ok && fsync(out) == 0;
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        ok = 0;
    if (ok && rename(tmp, dst) == 0)
        return 0;
    unlink(tmp);
    return -1;
}

static int restore(const struct config *cfg, const char *data, const char *file)
{
    if (check_file(file, "restore") != CLI_OK) {
        fprintf(stderr, "store restore: %s refused; nothing was changed\n", file);
        return CLI_REFUSED;
    }
    struct error err = {0};
    int lock = datadir_lock(data, &err);
    if (lock < 0) {
        fprintf(stderr, "store restore: %s (stop the server first); nothing was changed\n",
                err.message);
        return CLI_REFUSED;
    }
    char *db = db_path(cfg, data);
    size_t n = strlen(db) + 32;
    char *aside = xmalloc(n), *wal = xmalloc(n), *shm = xmalloc(n);
    char *aside_wal = xmalloc(n + 32), *aside_shm = xmalloc(n + 32);
    snprintf(aside, n, "%s.before-restore", db);
    snprintf(wal, n, "%s-wal", db);
    snprintf(shm, n, "%s-shm", db);
    snprintf(aside_wal, n + 32, "%s-wal", aside);
    snprintf(aside_shm, n + 32, "%s-shm", aside);
    int rc = CLI_REFUSED;
    struct stat st;
    unlink(aside_wal); /* an earlier restore's: it must not be replayed over this copy */
    unlink(aside_shm);
    if (stat(db, &st) == 0 && rename(db, aside) != 0) {
        fprintf(stderr, "store restore: cannot move %s aside: %s\n", db, strerror(errno));
        goto out;
    }
    /* The old WAL belongs to the old file: replayed over the restored one it would corrupt it.
     * It moves aside with it (as DB.before-restore-wal, the name SQLite looks for beside
     * DB.before-restore), so the kept copy keeps its last commits. */
    if ((rename(wal, aside_wal) != 0 && errno != ENOENT) ||
        (rename(shm, aside_shm) != 0 && errno != ENOENT)) {
        fprintf(stderr, "store restore: cannot move %s aside: %s\n", wal, strerror(errno));
        rename(aside_wal, wal);
        rename(aside, db);
        goto out;
    }
    if (copy_file(file, db) != 0) {
        fprintf(stderr, "store restore: cannot copy %s to %s: %s\n", file, db, strerror(errno));
        rename(aside_wal, wal);
        rename(aside_shm, shm);
        rename(aside, db);
        goto out;
    }
    printf("store restore: %s -> %s (the previous database kept as %s)\n", file, db, aside);
    rc = check_file(db, "restore");
out:
    datadir_unlock(lock);
    free(db);
    free(aside);
    free(wal);
    free(shm);
    free(aside_wal);
    free(aside_shm);
    return rc;
}

int store_backup_main(int argc, char **argv)
{
    const char *sub = argv[0], *config = "tocsin.yaml", *data = "data", *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout, sub);
            return CLI_OK;
        }
        if ((strcmp(argv[i], "--config") == 0 || strcmp(argv[i], "--data") == 0) && i + 1 < argc) {
            *(argv[i][2] == 'c' ? &config : &data) = argv[i + 1];
            i++;
        } else if (argv[i][0] != '-' && !file && argv[i][0]) {
            file = argv[i];
        } else {
            fprintf(stderr, "store %s: unexpected argument %s\n", sub, argv[i]);
            usage(stderr, sub);
            return CLI_USAGE;
        }
    }
    if (!file) {
        fprintf(stderr, "store %s: FILE is required\n", sub);
        usage(stderr, sub);
        return CLI_USAGE;
    }
    umask(077);
    crypto_init();
    struct config *cfg = config_load_reporting(config);
    if (!cfg)
        return CLI_USAGE;
    int rc = CLI_REFUSED;
    if (strcmp(cfg->storage.driver, "sqlite") != 0)
        fprintf(stderr,
                "store %s: the store is PostgreSQL: use pg_dump and pg_restore (docs/security.md "
                "\"Backups\")\n",
                sub);
    else
        rc = strcmp(sub, "backup") == 0 ? backup(cfg, data, file) : restore(cfg, data, file);
    config_unref(cfg);
    return rc;
}
