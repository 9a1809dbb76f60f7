/*
 * atomicfile: see atomicfile.h.
 */
#include "util/atomicfile.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* fsync of the directory holding path, so the rename itself is durable. */
static int sync_dir(const char *path)
{
    char copy[4096];
    if (snprintf(copy, sizeof copy, "%s", path) >= (int)sizeof copy) {
        errno = ENAMETOOLONG;
        return -1;
    }
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = ENOSPC;
            return -1;
        }
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

enum result atomicfile_write(const char *path, const void *data, size_t len, mode_t mode,
                             struct error *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return error_set(err, ERR_UNAVAILABLE, "%s: path too long", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
    if (fd < 0)
        return error_set(err, ERR_UNAVAILABLE, "cannot write %s: %s", tmp, strerror(errno));
    const char *step = "write";
    int rc = fchmod(fd, mode);
    if (rc == 0)
        rc = write_all(fd, data, len);
    if (rc == 0) {
        step = "fsync";
        rc = fsync(fd);
    }
    int saved = errno;
    if (close(fd) != 0 && rc == 0) {
        rc = -1;
        saved = errno;
    }
    if (rc == 0) {
        step = "rename";
        rc = rename(tmp, path);
        saved = errno;
    }
    if (rc != 0) {
        unlink(tmp);
        return error_set(err, ERR_UNAVAILABLE, "cannot write %s (%s): %s", path, step,
                         strerror(saved));
    }
    if (sync_dir(path) != 0)
        return error_set(err, ERR_UNAVAILABLE, "cannot sync the directory of %s: %s", path,
                         strerror(errno));
    return OK;
}
