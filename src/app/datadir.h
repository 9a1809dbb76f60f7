/*
 * datadir: the data directory belongs to one server at a time (docs/security.md).
 *
 * datadir_lock creates the directory (0700) if it is missing and takes an exclusive flock(2) on
 * DIR/tocsin.lock before anything else is written there: a second server on the same directory
 * is refused with the running server's pid and has changed no file (it only opens the lock file;
 * the pid is written by the holder, after it holds the lock). The lock lasts as long as the
 * descriptor: the process's life, or datadir_unlock. The kernel drops it on any exit, kill -9
 * included, so there is no stale lock to clean.
 *
 * datadir_warn_modes logs one warning for each of the data directory, the database, its WAL and
 * shared-memory files and the secrets (admin.token, notify.key) that group or others can read
 * (installs from before `serve` set umask 077; see docs/security.md).
 * Main thread, at start.
 */
#ifndef TOCSIN_DATADIR_H
#define TOCSIN_DATADIR_H

#include "util/result.h"

/* The lock's descriptor (>= 0), or -1 with err set: "in use by pid N", or the system's reason. */
int datadir_lock(const char *dir, struct error *err);
void datadir_unlock(int fd);
/* db: the SQLite database's path, or NULL when the store is not a file here. */
void datadir_warn_modes(const char *dir, const char *db);

#endif
