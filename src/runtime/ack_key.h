/*
 * ack_key: the key that signs ack links (domain/ack_link.h), kept in DATA/notify.key: 32 random
 * bytes as 64 hex digits, mode 0600, created (fsync'd) on the first start like admin.token. Losing
 * it only invalidates the links already sent. Called once at start-up by the notifier; the key
 * then lives in memory only.
 */
#ifndef TOCSIN_ACK_KEY_H
#define TOCSIN_ACK_KEY_H

#include "domain/ack_link.h"
#include "util/result.h"

/* Loads DATA/notify.key, creating it when absent. */
enum result ack_key_load(const char *data_dir, unsigned char key[ACKLINK_KEY_LEN],
                         struct error *err);

#endif
