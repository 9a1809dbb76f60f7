/*
 * atomicfile: write a small file whole or not at all: a temporary file beside it (PATH.tmp,
 * created with the final mode), written, fsync'd, renamed over PATH, and the directory fsync'd.
 * A crash or a full disk leaves either the old file or the new one, never a short one (issue 14:
 * a full disk once left a 0-byte admin.token). Any thread; callers serialise writes to one PATH.
 */
#ifndef TOCSIN_ATOMICFILE_H
#define TOCSIN_ATOMICFILE_H

#include <stddef.h>
#include <sys/types.h>

#include "util/result.h"

/* OK, or ERR_UNAVAILABLE with the path and the system's reason in err (PATH.tmp removed). */
enum result atomicfile_write(const char *path, const void *data, size_t len, mode_t mode,
                             struct error *err);

#endif
