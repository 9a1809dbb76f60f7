/* prober: see prober.h. */
#include "runtime/prober.h"
#include "runtime/curl_runner.h"
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

/* Makes c's easy handle; false (o->error says why, no handle) when a guard option is refused. */
static bool setup(struct probe_ctx *c, const struct config_probe *p, struct probe_outcome *o)
{
    buf_init(&c->body, PROBE_BODY_CAP);
    c->easy = curl_easy_init();
    if (!c->easy) {
        snprintf(o->error, sizeof o->error, "libcurl: curl_easy_init failed");
        return false;
    }
    curl_easy_setopt(c->easy, CURLOPT_ERRORBUFFER, c->errbuf);
    if (curl_runner_guard(c->easy, "http,https", c->errbuf) != CURLE_OK) {
        snprintf(o->error, sizeof o->error, "%s", c->errbuf);
        curl_easy_cleanup(c->easy);
        c->easy = NULL;
        return false;
    }
    curl_easy_setopt(c->easy, CURLOPT_URL, p->url);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, (long)p->timeout);
    curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout);
    curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "tocsin-probe/0.1");
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &c->body);
    return true;
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
    struct error err = {0};
    struct curl_runner *runner = curl_runner_new(&err);
    struct probe_ctx *ctx = xcalloc(n, sizeof *ctx);
    struct curl_job *jobs = xcalloc(n, sizeof *jobs);
    for (size_t i = 0; i < n; i++) {
        memset(&out[i], 0, sizeof out[i]);
        snprintf(out[i].error, sizeof out[i].error, "%.200s", runner ? "no result" : err.message);
        if (runner && setup(&ctx[i], probes[i], &out[i]))
            jobs[i] = (struct curl_job){.easy = ctx[i].easy, .errbuf = ctx[i].errbuf};
    }
    if (runner)
        curl_runner_run(runner, jobs, n, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        if (jobs[i].done)
            judge(&ctx[i], probes[i], jobs[i].result, &out[i]);
        if (ctx[i].easy)
            curl_easy_cleanup(ctx[i].easy);
        buf_free(&ctx[i].body);
    }
    free(jobs);
    free(ctx);
    curl_runner_free(runner);
}
