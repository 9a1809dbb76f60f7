/*
 * transfer: runs the channel requests of one notifier pass concurrently on the notifier's
 * curl_runner (kept across passes, so connections are reused). HTTP requests are POSTs
 * with the channel's headers; SMTP requests upload the message (MAIL FROM, RCPT TO, DATA). Never
 * follows redirects; only the request's protocols; 10 s to connect and 10 s in all. The answer's
 * status (or last SMTP reply), Retry-After and Location headers and its first bytes are kept for
 * the channel's classify. A guard option that libcurl refuses (the protocol allow-list, redirects
 * off, the STARTTLS requirement) or a header it cannot add fails that request with the reason
 * in its answer: it is never sent unguarded. Threads: the notifier thread.
 */
#include "runtime/transfer.h"
#include "domain/subscriber.h"
#include "runtime/curl_runner.h"
#include "util/log.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { ANSWER_CAP = 1024 };

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct notify_response *r = arg;
    buf_append(&r->body, p, size * n); /* past the cap the rest is dropped */
    return size * n;
}

/* Keeps a copy of a header's value when the line is "name: value". */
static void keep_header(const char *line, size_t len, const char *name, char **dst)
{
    size_t nl = strlen(name);
    if (len <= nl + 1 || strncasecmp(line, name, nl) != 0 || line[nl] != ':')
        return;
    const char *v = line + nl + 1;
    size_t vl = len - nl - 1;
    while (vl && (*v == ' ' || *v == '\t')) {
        v++;
        vl--;
    }
    while (vl && (v[vl - 1] == '\r' || v[vl - 1] == '\n' || v[vl - 1] == ' '))
        vl--;
    if (vl > 512)
        return;
    free(*dst);
    *dst = xmalloc(vl + 1);
    memcpy(*dst, v, vl);
    (*dst)[vl] = '\0';
}

static size_t on_header(char *p, size_t size, size_t n, void *arg)
{
    struct notify_response *r = arg;
    size_t len = size * n;
    if (len >= 5 && strncmp(p, "HTTP/", 5) == 0) { /* a new answer (after 100 Continue) */
        free(r->retry_after);
        free(r->location);
        r->retry_after = r->location = NULL;
    }
    keep_header(p, len, "Retry-After", &r->retry_after);
    keep_header(p, len, "Location", &r->location);
    return len;
}

static size_t on_upload(char *p, size_t size, size_t n, void *arg)
{
    struct notify_transfer *t = arg;
    size_t left = t->req->body_len - t->upload_pos, want = size * n;
    size_t give = left < want ? left : want;
    memcpy(p, t->req->body + t->upload_pos, give);
    t->upload_pos += give;
    return give;
}

/* public_only: records why addr (AF_INET or AF_INET6 bytes, shown as ip) is refused; false when
 * it may be reached. */
static bool refuse_private(struct notify_transfer *t, int family, const void *addr, const char *ip)
{
    const char *rule = sub_address_private(family, addr);
    if (!rule)
        return false;
    snprintf(t->resp.refused, sizeof t->resp.refused,
             "refused to connect to %s: a %s address (status page webhooks reach only public "
             "addresses unless status_page.webhook_allow_private is true)",
             ip, rule);
    return true;
}

/* public_only: every address curl tries (DNS rebinding included) is checked before a socket. */
static curl_socket_t open_public_socket(void *arg, curlsocktype purpose, struct curl_sockaddr *a)
{
    struct notify_transfer *t = arg;
    char ip[INET6_ADDRSTRLEN] = "?";
    const void *bytes = NULL;
    if (a->family == AF_INET)
        bytes = &((const struct sockaddr_in *)(const void *)&a->addr)->sin_addr;
    else if (a->family == AF_INET6)
        bytes = &((const struct sockaddr_in6 *)(const void *)&a->addr)->sin6_addr;
    if (bytes)
        inet_ntop(a->family, bytes, ip, sizeof ip);
    if (purpose != CURLSOCKTYPE_IPCXN || !bytes || refuse_private(t, a->family, bytes, ip)) {
        if (!t->resp.refused[0])
            snprintf(t->resp.refused, sizeof t->resp.refused,
                     "refused to connect: not an IP connection");
        return CURL_SOCKET_BAD;
    }
    return socket(a->family, a->socktype, a->protocol);
}

/* public_only: the connection the request goes out on (a reused one too) is checked again. */
static int prereq_public(void *arg, char *ip, char *local_ip, int port, int local_port)
{
    struct notify_transfer *t = arg;
    unsigned char a[16];
    int family = inet_pton(AF_INET, ip, a) == 1 ? AF_INET : AF_INET6;
    if (family == AF_INET6 && inet_pton(AF_INET6, ip, a) != 1) {
        snprintf(t->resp.refused, sizeof t->resp.refused,
                 "refused to send: the peer address \"%.60s\" is not an IP address", ip);
        return CURL_PREREQFUNC_ABORT;
    }
    if (refuse_private(t, family, a, ip))
        return CURL_PREREQFUNC_ABORT;
    t->resp.refused[0] = '\0'; /* another of the name's addresses was refused, not this one */
    return CURL_PREREQFUNC_OK;
}

/* The options of an SMTP upload; the STARTTLS requirement is checked. */
static CURLcode setup_smtp(CURL *e, struct notify_transfer *t)
{
    struct notify_request *req = t->req;
    curl_easy_setopt(e, CURLOPT_MAIL_FROM, req->mail_from);
    curl_easy_setopt(e, CURLOPT_MAIL_RCPT, req->rcpt);
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READFUNCTION, on_upload);
    curl_easy_setopt(e, CURLOPT_READDATA, t);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
    CURLcode result = curl_easy_setopt(e, CURLOPT_USE_SSL,
                                       (long)(req->require_tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
    if (result != CURLE_OK)
        snprintf(t->resp.errbuf, sizeof t->resp.errbuf,
                 "libcurl refused the TLS requirement (CURLOPT_USE_SSL): %s",
                 curl_easy_strerror(result));
    return result;
}

/* The options of an HTTP POST; adding the "Expect:" header is checked. */
static CURLcode setup_http(CURL *e, struct notify_transfer *t)
{
    struct notify_request *req = t->req;
    struct curl_slist *headers = curl_slist_append(req->headers, "Expect:");
    if (!headers) {
        snprintf(t->resp.errbuf, sizeof t->resp.errbuf, "libcurl cannot add a request header");
        return CURLE_OUT_OF_MEMORY;
    }
    req->headers = headers;
    if (req->username)
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    if (req->method)
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t->resp);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->resp);
    return CURLE_OK;
}

/* Makes t's easy handle. Not CURLE_OK: no handle (t->easy NULL), resp.errbuf says why, and the
 * request is never sent unguarded. */
static CURLcode setup(struct notify_transfer *t)
{
    struct notify_request *req = t->req;
    buf_init(&t->resp.body, t->answer_cap ? t->answer_cap : ANSWER_CAP);
    CURL *e = curl_easy_init();
    CURLcode result = CURLE_FAILED_INIT;
    if (!e) {
        snprintf(t->resp.errbuf, sizeof t->resp.errbuf, "libcurl: curl_easy_init failed");
        goto out;
    }
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->resp.errbuf);
    result = curl_runner_guard(e, req->protocols, t->resp.errbuf);
    if (result != CURLE_OK)
        goto out;
    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "tocsin-notify/0.1");
    if (req->username) {
        curl_easy_setopt(e, CURLOPT_USERNAME, req->username);
        curl_easy_setopt(e, CURLOPT_PASSWORD, req->password ? req->password : "");
    }
    if (req->public_only) {
        result = curl_easy_setopt(e, CURLOPT_OPENSOCKETFUNCTION, open_public_socket);
        if (result == CURLE_OK)
            result = curl_easy_setopt(e, CURLOPT_OPENSOCKETDATA, t);
        if (result == CURLE_OK)
            result = curl_easy_setopt(e, CURLOPT_PREREQFUNCTION, prereq_public);
        if (result == CURLE_OK)
            result = curl_easy_setopt(e, CURLOPT_PREREQDATA, t);
        if (result != CURLE_OK) {
            snprintf(t->resp.errbuf, sizeof t->resp.errbuf,
                     "libcurl refused the destination check (CURLOPT_OPENSOCKETFUNCTION, "
                     "CURLOPT_PREREQFUNCTION): %s",
                     curl_easy_strerror(result));
            goto out;
        }
    }
    result = req->smtp ? setup_smtp(e, t) : setup_http(e, t);
out:
    if (result != CURLE_OK && e) {
        char why[CURL_ERROR_SIZE];
        snprintf(why, sizeof why, "%s", t->resp.errbuf); /* the handle may still write it */
        curl_easy_cleanup(e);
        snprintf(t->resp.errbuf, sizeof t->resp.errbuf, "%s", why);
        e = NULL;
    }
    t->easy = e;
    return result;
}

void notify_transfer_run(struct curl_runner *runner, struct notify_transfer *t, size_t n,
                         bool (*stop)(void *ctx), void *ctx)
{
    struct curl_job *jobs = xcalloc(n + 1, sizeof *jobs);
    for (size_t i = 0; i < n; i++) {
        CURLcode rc = setup(&t[i]);
        jobs[i] = (struct curl_job){.easy = t[i].easy, .errbuf = t[i].resp.errbuf};
        if (rc != CURLE_OK) { /* never run unguarded: a verdict with the reason */
            log_warn("notify: %s", t[i].resp.errbuf);
            t[i].resp.curl = rc;
            t[i].done = true;
        }
    }
    curl_runner_run(runner, jobs, n, stop, ctx);
    for (size_t i = 0; i < n; i++) {
        if (!t[i].easy)
            continue;
        if (jobs[i].done) {
            long code = 0;
            curl_easy_getinfo(t[i].easy, CURLINFO_RESPONSE_CODE, &code);
            t[i].resp.curl = jobs[i].result;
            t[i].resp.code = code;
            t[i].ms = jobs[i].ms;
            t[i].done = true;
        }
        curl_easy_cleanup(t[i].easy);
        t[i].easy = NULL;
    }
    free(jobs);
}

void notify_response_free(struct notify_response *r)
{
    free(r->retry_after);
    free(r->location);
    buf_free(&r->body);
    r->retry_after = r->location = NULL;
}
