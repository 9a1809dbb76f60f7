/*
 * tls: the certificate and key HTTPS serves (server.tls.cert_file, key_file), given to GnuTLS
 * through libmicrohttpd's certificate callback, so SIGHUP can load new files for the connections
 * that come after it (docs/security.md, "TLS").
 *
 * A pair is checked before it is used (GnuTLS refuses a key that does not match the certificate,
 * GNUTLS_E_CERTIFICATE_KEY_MISMATCH); a pair that fails leaves the served one in place. GnuTLS
 * keeps using the certificate and key a handshake was given for that session's life, so every
 * pair loaded stays allocated until tls_unload (after the daemon stopped): a few KB per reload.
 *
 * Threads: tls_retrieve runs on libmicrohttpd's pool threads, tls_load on the main thread; one
 * mutex guards the current pair. One HTTPS server per process (the state is this file's).
 */
#include "http/tls.h"
#include "util/log.h"

#include <gnutls/abstract.h>
#include <gnutls/gnutls.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PEM_MAX = 1024 * 1024, CHAIN_MAX = 16 };

struct tls_pair {
    gnutls_pcert_st pcert[CHAIN_MAX];
    unsigned n;
    gnutls_privkey_t key;
    struct tls_pair *older;
};

static pthread_mutex_t tls_lock = PTHREAD_MUTEX_INITIALIZER;
static struct tls_pair *current; /* the newest; ->older the ones sessions may still use */

/* A PEM file whole, NUL-terminated; NULL (err set) when unreadable, empty or too long. */
static char *read_pem(const char *what, const char *path, size_t *len, struct error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        error_set(err, ERR_BAD_REQUEST, "server.tls.%s: cannot open %s", what, path);
        return NULL;
    }
    char *out = xmalloc(PEM_MAX + 1);
    size_t n = fread(out, 1, PEM_MAX + 1, f);
    bool bad = ferror(f) || n == 0 || n > PEM_MAX || memchr(out, '\0', n);
    fclose(f);
    if (bad) {
        error_set(err, ERR_BAD_REQUEST, "server.tls.%s: %s is empty, unreadable or not PEM text",
                  what, path);
        free(out);
        return NULL;
    }
    out[n] = '\0';
    *len = n;
    return out;
}

static void pair_free(struct tls_pair *p)
{
    for (unsigned i = 0; i < p->n; i++)
        gnutls_pcert_deinit(&p->pcert[i]);
    if (p->key)
        gnutls_privkey_deinit(p->key);
    free(p);
}

/* The pair from PEM text, checked to match; NULL (err set) when not. */
static struct tls_pair *pair_parse(const gnutls_datum_t *cert, const gnutls_datum_t *key,
                                   const char *cert_file, const char *key_file, struct error *err)
{
    struct tls_pair *p = xcalloc(1, sizeof *p);
    p->n = CHAIN_MAX;
    int rc = gnutls_pcert_list_import_x509_raw(p->pcert, &p->n, cert, GNUTLS_X509_FMT_PEM, 0);
    if (rc < 0) {
        p->n = 0;
        pair_free(p);
        error_set(err, ERR_BAD_REQUEST, "server.tls.cert_file: %s: %s", cert_file,
                  gnutls_strerror(rc));
        return NULL;
    }
    if ((rc = gnutls_privkey_init(&p->key)) < 0 ||
        (rc = gnutls_privkey_import_x509_raw(p->key, key, GNUTLS_X509_FMT_PEM, NULL, 0)) < 0) {
        pair_free(p);
        error_set(err, ERR_BAD_REQUEST, "server.tls.key_file: %s: %s", key_file,
                  gnutls_strerror(rc));
        return NULL;
    }
    /* the match check last: GnuTLS leaks in it on a certificate it cannot parse */
    gnutls_certificate_credentials_t check;
    if (gnutls_certificate_allocate_credentials(&check) < 0) {
        pair_free(p);
        error_set(err, ERR_INTERNAL, "server.tls: GnuTLS cannot allocate credentials");
        return NULL;
    }
    rc = gnutls_certificate_set_x509_key_mem2(check, cert, key, GNUTLS_X509_FMT_PEM, NULL, 0);
    gnutls_certificate_free_credentials(check);
    if (rc < 0) {
        pair_free(p);
        error_set(err, ERR_BAD_REQUEST, "server.tls: %s and %s are not a usable pair: %s",
                  cert_file, key_file, gnutls_strerror(rc));
        return NULL;
    }
    return p;
}

bool tls_load(const char *cert_file, const char *key_file, struct error *err)
{
    size_t clen = 0, klen = 0;
    char *c = read_pem("cert_file", cert_file, &clen, err);
    char *k = c ? read_pem("key_file", key_file, &klen, err) : NULL;
    struct tls_pair *p = NULL;
    if (c && k) {
        gnutls_datum_t cd = {(unsigned char *)c, (unsigned)clen};
        gnutls_datum_t kd = {(unsigned char *)k, (unsigned)klen};
        p = pair_parse(&cd, &kd, cert_file, key_file, err);
    }
    if (k)
        memset(k, 0, klen); /* the private key leaves no copy in freed memory */
    free(c);
    free(k);
    if (!p)
        return false;
    pthread_mutex_lock(&tls_lock);
    p->older = current;
    current = p;
    pthread_mutex_unlock(&tls_lock);
    log_info("http: TLS certificate loaded from %s (%u in the chain)", cert_file, p->n);
    return true;
}

static int tls_retrieve(gnutls_session_t session, const gnutls_datum_t *req_ca_rdn, int nreqs,
                        const gnutls_pk_algorithm_t *pk_algos, int pk_algos_length,
                        gnutls_pcert_st **pcert, unsigned int *pcert_length,
                        gnutls_privkey_t *privkey)
{
    (void)session, (void)req_ca_rdn, (void)nreqs, (void)pk_algos, (void)pk_algos_length;
    pthread_mutex_lock(&tls_lock);
    struct tls_pair *p = current;
    pthread_mutex_unlock(&tls_lock);
    if (!p)
        return -1;
    *pcert = p->pcert;
    *pcert_length = p->n;
    *privkey = p->key;
    return 0;
}

void *tls_certificate_callback(void)
{
    static gnutls_certificate_retrieve_function2 *const fn = tls_retrieve;
    return (void *)fn;
}

void tls_unload(void)
{
    pthread_mutex_lock(&tls_lock);
    struct tls_pair *p = current;
    current = NULL;
    pthread_mutex_unlock(&tls_lock);
    while (p) {
        struct tls_pair *older = p->older;
        pair_free(p);
        p = older;
    }
}
