/* prober: see prober.h. */
#include "runtime/prober.h"
#include "runtime/curl_runner.h"
#include "util/buf.h"
#include "util/log.h"

#include <curl/curl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "util/clock.h"

enum { PROBE_BODY_CAP = 1024 * 1024 };

struct probe_ctx {
    CURL *easy;
    bool connect_only; /* tcp:// and tls://: the connection (and handshake) is the check */
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
    char url[600];
    bool tcp = strncmp(p->url, "tcp://", 6) == 0, tls = strncmp(p->url, "tls://", 6) == 0;
    if (tcp || tls) { /* a connection (and its TLS handshake), no request */
        snprintf(url, sizeof url, "%s://%s/", tcp ? "http" : "https", p->url + 6);
        curl_easy_setopt(c->easy, CURLOPT_CONNECT_ONLY, 1L);
        c->connect_only = true;
    } else
        snprintf(url, sizeof url, "%s", p->url);
    curl_easy_setopt(c->easy, CURLOPT_URL, url);
    if (p->cert_expiry_days > 0)
        curl_easy_setopt(c->easy, CURLOPT_CERTINFO, 1L);
    if (p->ca_file)
        curl_easy_setopt(c->easy, CURLOPT_CAINFO, p->ca_file);
    curl_easy_setopt(c->easy, CURLOPT_TIMEOUT_MS, (long)p->timeout);
    curl_easy_setopt(c->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)p->timeout);
    curl_easy_setopt(c->easy, CURLOPT_USERAGENT, "tocsin-probe/0.1");
    curl_easy_setopt(c->easy, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(c->easy, CURLOPT_WRITEDATA, &c->body);
    return true;
}

/* The server certificate's expiry (the first of the chain), or -1 when libcurl has none. */
static int64_t cert_expiry(CURL *easy)
{
    struct curl_certinfo *ci = NULL;
    if (curl_easy_getinfo(easy, CURLINFO_CERTINFO, &ci) != CURLE_OK || !ci || ci->num_of_certs < 1)
        return -1;
    for (struct curl_slist *l = ci->certinfo[0]; l; l = l->next) {
        if (strncmp(l->data, "Expire date:", 12) != 0)
            continue;
        struct tm tm = {0}; /* OpenSSL's form: "Dec  7 12:00:00 2027 GMT" */
        const char *end = strptime(l->data + 12, "%b %d %H:%M:%S %Y", &tm);
        return end ? (int64_t)timegm(&tm) * 1000 : -1;
    }
    return -1;
}

/* cert_expiry_days: fails o when the certificate expires within the threshold (at `now`). */
static void judge_expiry(struct probe_ctx *c, const struct config_probe *p, int64_t now,
                         struct probe_outcome *o)
{
    int64_t exp = cert_expiry(c->easy);
    if (exp < 0) {
        o->ok = false;
        snprintf(o->error, sizeof o->error, "no certificate expiry date from the handshake");
        return;
    }
    o->cert_days_left = (int)((exp - now) / (24 * 3600 * 1000LL));
    if (exp - now < (int64_t)p->cert_expiry_days * 24 * 3600 * 1000) {
        o->ok = false;
        snprintf(o->error, sizeof o->error,
                 "certificate %s in %d day%s, within the %d-day threshold",
                 exp <= now ? "expired" : "expires", o->cert_days_left,
                 o->cert_days_left == 1 ? "" : "s", p->cert_expiry_days);
    }
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
    o->error[0] = '\0';
    if (rc != CURLE_OK)
        snprintf(o->error, sizeof o->error, "%s",
                 c->errbuf[0] ? c->errbuf : curl_easy_strerror(rc));
    else if (c->connect_only)
        o->ok = p->max_latency < 0 || o->latency_ms <= (double)p->max_latency;
    else if (status != p->expect_status)
        snprintf(o->error, sizeof o->error, "status %ld, expected %d", status, p->expect_status);
    else if (p->expect_body && (!c->body.data || !strstr(c->body.data, p->expect_body)))
        snprintf(o->error, sizeof o->error, "body does not contain \"%.100s\"", p->expect_body);
    else if (p->max_latency >= 0 && o->latency_ms > (double)p->max_latency)
        snprintf(o->error, sizeof o->error, "latency %.0f ms over the %lld ms limit", o->latency_ms,
                 (long long)p->max_latency);
    else
        o->ok = true;
    if (!o->ok && !o->error[0])
        snprintf(o->error, sizeof o->error, "latency %.0f ms over the %lld ms limit", o->latency_ms,
                 (long long)p->max_latency);
    if (o->ok)
        o->error[0] = '\0';
}

/* dns://NAME: resolves through the system's resolver (getaddrinfo: /etc/hosts, then DNS with
 * resolv.conf's own timeout and attempts; the probe's timeout is not applied to it). */
static void judge_dns(const struct config_probe *p, struct probe_outcome *o)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL;
    double t0 = clock_mono_ms();
    int rc = getaddrinfo(p->url + 6, NULL, &hints, &res);
    o->latency_ms = clock_mono_ms() - t0;
    o->ok = rc == 0 && res;
    if (rc != 0)
        snprintf(o->error, sizeof o->error, "%s does not resolve: %s", p->url + 6,
                 gai_strerror(rc));
    else if (p->max_latency >= 0 && o->latency_ms > (double)p->max_latency) {
        o->ok = false;
        snprintf(o->error, sizeof o->error, "resolved in %.0f ms, over the %lld ms limit",
                 o->latency_ms, (long long)p->max_latency);
    } else
        o->error[0] = '\0';
    if (res)
        freeaddrinfo(res);
}

void probe_run(const struct config_probe *const *probes, size_t n, int64_t now,
               struct probe_outcome *out)
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
        if (strncmp(probes[i]->url, "dns://", 6) == 0)
            continue; /* below, not through libcurl */
        if (runner && setup(&ctx[i], probes[i], &out[i]))
            jobs[i] = (struct curl_job){.easy = ctx[i].easy, .errbuf = ctx[i].errbuf};
    }
    if (runner)
        curl_runner_run(runner, jobs, n, NULL, NULL);
    for (size_t i = 0; i < n; i++) {
        if (strncmp(probes[i]->url, "dns://", 6) == 0)
            judge_dns(probes[i], &out[i]);
        if (jobs[i].done) {
            judge(&ctx[i], probes[i], jobs[i].result, &out[i]);
            if (out[i].ok && probes[i]->cert_expiry_days > 0)
                judge_expiry(&ctx[i], probes[i], now, &out[i]);
        }
        if (ctx[i].easy)
            curl_easy_cleanup(ctx[i].easy);
        buf_free(&ctx[i].body);
    }
    free(jobs);
    free(ctx);
    curl_runner_free(runner);
}
