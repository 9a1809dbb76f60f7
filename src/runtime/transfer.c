/*
 * notify/transport: runs the channel requests of one notifier pass concurrently on a libcurl multi
 * handle (kept by the notifier across passes, so connections are reused). HTTP requests are POSTs
 * with the channel's headers; SMTP requests upload the message (MAIL FROM, RCPT TO, DATA). Never
 * follows redirects; only the request's protocols; 10 s to connect and 10 s in all. The answer's
 * status (or last SMTP reply), Retry-After and Location headers and its first bytes are kept for
 * the channel's classify. Threads: the notifier thread.
 */
#include "runtime/transfer.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

enum { ANSWER_CAP = 1024, POLL_MS = 100 };

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

static CURL *setup(struct notify_transfer *t)
{
    struct notify_request *req = t->req;
    CURL *e = curl_easy_init();
    if (!e)
        fatal("notify: out of memory");
    buf_init(&t->resp.body, ANSWER_CAP);
    curl_easy_setopt(e, CURLOPT_URL, req->url);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, req->protocols);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)NOTIFY_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->resp.errbuf);
    curl_easy_setopt(e, CURLOPT_USERAGENT, "tocsin-notify/0.1");
    curl_easy_setopt(e, CURLOPT_PRIVATE, (void *)t);
    if (req->username) {
        curl_easy_setopt(e, CURLOPT_USERNAME, req->username);
        curl_easy_setopt(e, CURLOPT_PASSWORD, req->password ? req->password : "");
    }
    if (req->smtp) {
        curl_easy_setopt(e, CURLOPT_MAIL_FROM, req->mail_from);
        curl_easy_setopt(e, CURLOPT_MAIL_RCPT, req->rcpt);
        curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(e, CURLOPT_READFUNCTION, on_upload);
        curl_easy_setopt(e, CURLOPT_READDATA, t);
        curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->body_len);
        curl_easy_setopt(e, CURLOPT_USE_SSL,
                         (long)(req->require_tls ? CURLUSESSL_ALL : CURLUSESSL_NONE));
        return e;
    }
    if (req->username)
        curl_easy_setopt(e, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
    req->headers = curl_slist_append(req->headers, "Expect:");
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? req->body : "");
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, &t->resp);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &t->resp);
    return e;
}

static void finish(struct notify_transfer *t, CURLcode rc, double t0)
{
    long code = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &code);
    t->resp.curl = rc;
    t->resp.code = code;
    t->ms = clock_mono_ms() - t0;
    t->done = true;
}

void notify_transfer_run(CURLM *multi, struct notify_transfer *t, size_t n, bool (*stop)(void *ctx),
                         void *ctx)
{
    double t0 = clock_mono_ms();
    for (size_t i = 0; i < n; i++) {
        t[i].easy = setup(&t[i]);
        curl_multi_add_handle(multi, t[i].easy);
    }
    int running = n > 0;
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(multi, &left))) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            void *priv = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
            finish(priv, msg->data.result, t0);
        }
        if (stop(ctx))
            break;
        if (running)
            curl_multi_poll(multi, NULL, 0, POLL_MS, NULL);
    }
    for (size_t i = 0; i < n; i++) {
        curl_multi_remove_handle(multi, t[i].easy);
        curl_easy_cleanup(t[i].easy);
        t[i].easy = NULL;
    }
}

void notify_response_free(struct notify_response *r)
{
    free(r->retry_after);
    free(r->location);
    buf_free(&r->body);
    r->retry_after = r->location = NULL;
}
