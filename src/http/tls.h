/*
 * tls: the certificate and key of HTTPS (server.tls), loaded at start and again on SIGHUP; see
 * tls.c. Threads: tls_load and tls_unload on the main thread, the callback on the pool threads.
 */
#ifndef TOCSIN_HTTP_TLS_H
#define TOCSIN_HTTP_TLS_H

#include <stdbool.h>

#include "util/result.h"

/* Reads and checks the pair; on success new handshakes use it. False (err set, the pair served
 * before kept) when a file is unreadable or the key does not match the certificate. */
bool tls_load(const char *cert_file, const char *key_file, struct error *err);
/* For MHD_OPTION_HTTPS_CERT_CALLBACK: a gnutls_certificate_retrieve_function2 *. */
void *tls_certificate_callback(void);
/* Frees every pair loaded (after the daemon stopped). */
void tls_unload(void);

#endif
