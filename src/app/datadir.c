/*
 * datadir: see datadir.h.
 */
#include "app/datadir.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

enum { PID_TEXT_MAX = 32 };

/* The pid the holder wrote, as text ("unknown" when it has not yet, or cannot be read). */
static void holder_pid(int fd, char out[PID_TEXT_MAX])
{
    ssize_t n = pread(fd, out, PID_TEXT_MAX - 1, 0);
    out[n > 0 ? n : 0] = '\0';
    out[strcspn(out, "\n")] = '\0';
    if (!out[0] || strspn(out, "0123456789") != strlen(out))
        snprintf(out, PID_TEXT_MAX, "unknown");
}

int datadir_lock(const char *dir, struct error *err)
{
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        error_set(err, ERR_UNAVAILABLE, "data dir %s: cannot create it: %s", dir, strerror(errno));
        return -1;
    }
    char path[4096];
    if (snprintf(path, sizeof path, "%s/tocsin.lock", dir) >= (int)sizeof path) {
        error_set(err, ERR_UNAVAILABLE, "data dir %s: path too long", dir);
        return -1;
    }
    /* no O_TRUNC: a refused server must not change the holder's file */
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) {
        error_set(err, ERR_UNAVAILABLE, "data dir %s: cannot open %s: %s", dir, path,
                  strerror(errno));
        return -1;
    }
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int saved = errno;
        char pid[PID_TEXT_MAX];
        holder_pid(fd, pid);
        close(fd);
        if (saved == EWOULDBLOCK)
            error_set(err, ERR_CONFLICT,
                      "data dir %s is in use by another tocsin server (pid %s, lock %s); "
                      "nothing was changed",
                      dir, pid, path);
        else
            error_set(err, ERR_UNAVAILABLE, "data dir %s: cannot lock %s: %s", dir, path,
                      strerror(saved));
        return -1;
    }
    char text[PID_TEXT_MAX];
    int n = snprintf(text, sizeof text, "%ld\n", (long)getpid());
    if (ftruncate(fd, 0) != 0 || pwrite(fd, text, (size_t)n, 0) != n) {
        error_set(err, ERR_UNAVAILABLE, "data dir %s: cannot write %s: %s", dir, path,
                  strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

void datadir_unlock(int fd)
{
    if (fd >= 0)
        close(fd); /* releases the flock; the file (and its stale pid) stays */
}

static void warn_if_open(const char *path, bool must_exist)
{
    struct stat st;
    if (lstat(path, &st) != 0) {
        if (must_exist || errno != ENOENT)
            log_warn("security: cannot check the mode of %s: %s", path, strerror(errno));
        return;
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO))
        log_warn("security: %s is mode %04o: group or others can read it (it should be %s; "
                 "chmod %s %s)",
                 path, (unsigned)(st.st_mode & 07777), S_ISDIR(st.st_mode) ? "0700" : "0600",
                 S_ISDIR(st.st_mode) ? "700" : "600", path);
}

void datadir_warn_modes(const char *dir, const char *db)
{
    static const char *const secrets[] = {"admin.token", "notify.key", "tocsin.lock"};
    char path[4096];
    warn_if_open(dir, true);
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, secrets[i]);
        warn_if_open(path, false);
    }
    if (!db)
        return;
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        snprintf(path, sizeof path, "%s%s", db, suffixes[i]);
        warn_if_open(path, false);
    }
}
