/* probe: see probe.h. */
#include "runtime/prober.h"
#include "util/buf.h"
#include "util/log.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PROBE_BODY_CAP = 1024 * 1024 };

struct probe_ctx {
    CURL *easy;
    struct buf body;
    char errbuf[CURL_ERROR_SIZE];
};

static size_t on_body(char *p, size_t size, size_t n, void *arg)
{
    struct buf *b = arg;
    buf_append(b, p, size * n); /* past the cap the rest is dropped; the check uses what fit */
    return size * n;
}

static void setup(struct probe_ctx *c, const struct config_probe *p)
{
    buf_init(&c->body, PROBE_BODY_CAP);
    c->easy = curl_easy_init();
    if (!c->easy)
        fatal("probe: out of memory");
    curl_easy_setopt(c->easy, CURLOPT_URL, p->url);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, (long)p->timeout);
    curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout);
    curl_easy_setopt(c->easy, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c->easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "tocsin-probe/0.1");
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &c->body);
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(c->easy, CURLOPT_PROTOCOLS_STR, "http,https");
}

static void judge(struct probe_ctx *c, const struct config_probe *p, CURLcode rc,
                  struct probe_outcome *o)
{
    long status = 0;
    double secs = 0;
    curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(c->easy, CURLINFO_TOTAL_TIME, &secs);
    o->status = (int)status;
    o->latency_ms = secs * 1000.0;
    o->ok = false;
    if (rc != CURLE_OK)
        snprintf(o->error, sizeof o->error, "%s",
                 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
    else if (status != p->expect_status)
        snprintf(o->error, sizeof o->error, "status %ld, expected %d", status, p->expect_status);
    else if (p->expect_body && (!c->body.data || !strstr(c->body.data, p->expect_body)))
        snprintf(o->error, sizeof o->error, "body does not contain \"%.100s\"", p->expect_body);
    else if (p->max_latency >= 0 && o->latency_ms > (double)p->max_latency)
        snprintf(o->error, sizeof o->error, "latency %.0f ms over the %lld ms limit", o->latency_ms,
                 (long long)p->max_latency);
    else
        o->ok = true;
    if (o->ok)
        o->error[0] = '\0';
}

void probe_run(const struct config_probe *const *probes, size_t n, struct probe_outcome *out)
{
    if (n == 0)
        return;
    CURLM *multi = curl_multi_init();
    struct probe_ctx *ctx = xcalloc(n, sizeof *ctx);
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        snprintf(out[i].error, sizeof out[i].error, "no result");
        setup(&ctx[i], probes[i]);
        curl_easy_setopt(ctx[i].easy, CURLOPT_PRIVATE, (void *)(uintptr_t)i);
        curl_multi_add_handle(multi, ctx[i].easy);
    }
    int running = 1;
    while (running) {
        if (curl_multi_perform(multi, &running) != CURLM_OK)
            break;
        if (running)
            curl_multi_poll(multi, NULL, 0, 200, NULL);
    }
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left))) {
        if (msg->msg != CURLMSG_DONE)
            continue;
        void *priv = NULL;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &priv);
        size_t i = (size_t)(uintptr_t)priv;
        judge(&ctx[i], probes[i], msg->data.result, &out[i]);
    }
    for (size_t i = 0; i < n; i++) {
        curl_multi_remove_handle(multi, ctx[i].easy);
        curl_easy_cleanup(ctx[i].easy);
        buf_free(&ctx[i].body);
    }
    free(ctx);
    curl_multi_cleanup(multi);
}
