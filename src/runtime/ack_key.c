/* ack_key: see ack_key.h. */
#include "runtime/ack_key.h"
#include "util/atomicfile.h"
#include "util/log.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static enum result write_key(const char *path, unsigned char key[ACKLINK_KEY_LEN],
                             struct error *err)
{
    char hex[2 * ACKLINK_KEY_LEN + 2];
    randombytes_buf(key, ACKLINK_KEY_LEN);
    sodium_bin2hex(hex, sizeof hex, key, ACKLINK_KEY_LEN);
    size_t n = strlen(hex);
    hex[n++] = '\n';
    struct error sub = {0};
    enum result result = atomicfile_write(path, hex, n, 0600, &sub); /* whole or not at all */
    sodium_memzero(hex, sizeof hex);
    if (result != OK)
        return error_set(err, ERR_UNAVAILABLE, "notify: %s", sub.message);
    log_info("notify: created the ack-link key %s", path);
    return OK;
}

enum result ack_key_load(const char *data_dir, unsigned char key[ACKLINK_KEY_LEN],
                         struct error *err)
{
    char path[4096], hex[2 * ACKLINK_KEY_LEN + 8];
    snprintf(path, sizeof path, "%s/notify.key", data_dir);
    FILE *fp = fopen(path, "re");
    if (!fp && errno == ENOENT)
        return write_key(path, key, err);
    if (!fp)
        return error_set(err, ERR_UNAVAILABLE, "notify: cannot read %s: %s", path, strerror(errno));
    size_t got = fread(hex, 1, sizeof hex - 1, fp);
    fclose(fp);
    hex[got] = '\0';
    size_t len = 0;
    const char *end = NULL;
    if (sodium_hex2bin(key, ACKLINK_KEY_LEN, hex, got, "\n", &len, &end) != 0 ||
        len != ACKLINK_KEY_LEN)
        return error_set(err, ERR_UNAVAILABLE,
                         "notify: %s is not 64 hex digits (delete it to make a new key; links "
                         "already sent stop working)",
                         path);
    sodium_memzero(hex, sizeof hex);
    return OK;
}
