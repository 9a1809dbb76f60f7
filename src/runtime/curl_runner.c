/* curl_runner: see curl_runner.h. */
#include "runtime/curl_runner.h"
#include "util/clock.h"
#include "util/log.h"

#include <stdio.h>
#include <stdlib.h>

enum { POLL_MS = 100 }; /* the longest a run waits before it looks at stop() again */

struct curl_runner {
    CURLM *multi;
};

struct curl_runner *curl_runner_new(struct error *err)
{
    CURLM *multi = curl_multi_init();
    if (!multi) {
        error_set(err, ERR_INTERNAL, "libcurl: curl_multi_init failed");
        return NULL;
    }
    struct curl_runner *r = xcalloc(1, sizeof *r);
    r->multi = multi;
    return r;
}

void curl_runner_free(struct curl_runner *r)
{
    if (!r)
        return;
    curl_multi_cleanup(r->multi);
    free(r);
}

void curl_runner_wakeup(struct curl_runner *r)
{
    curl_multi_wakeup(r->multi);
}

static void say(char *errbuf, const char *what, CURLcode rc)
{
    if (errbuf)
        snprintf(errbuf, CURL_ERROR_SIZE, "libcurl refused %s: %s", what, curl_easy_strerror(rc));
}

CURLcode curl_runner_guard(CURL *e, const char *protocols, char *errbuf)
{
    static const struct {
        CURLoption opt;
        const char *what;
        long value;
    } longs[] = {
        {CURLOPT_FOLLOWLOCATION, "to turn redirects off (CURLOPT_FOLLOWLOCATION)", 0L},
        {CURLOPT_MAXREDIRS, "to turn redirects off (CURLOPT_MAXREDIRS)", 0L},
        {CURLOPT_NOSIGNAL, "CURLOPT_NOSIGNAL", 1L},
    };
    CURLcode result = curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, protocols);
    if (result != CURLE_OK) {
        say(errbuf, "the protocol allow-list (CURLOPT_PROTOCOLS_STR)", result);
        goto out;
    }
    for (size_t i = 0; i < sizeof longs / sizeof longs[0]; i++) {
        result = curl_easy_setopt(e, longs[i].opt, longs[i].value);
        if (result != CURLE_OK) {
            say(errbuf, longs[i].what, result);
            goto out;
        }
    }
out:
    return result;
}

/* Records the completion of the handle e (its job is its CURLOPT_PRIVATE). */
static void finish(CURL *e, CURLcode rc, double t0)
{
    void *priv = NULL;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, &priv);
    struct curl_job *j = priv;
    if (!j)
        return;
    j->result = rc;
    j->ms = clock_mono_ms() - t0;
    j->done = true;
}

/* Adds the jobs' handles; one the multi refuses is done at once with the reason. */
static size_t add_all(CURLM *multi, struct curl_job *jobs, size_t n)
{
    size_t added = 0;
    for (size_t i = 0; i < n; i++) {
        struct curl_job *j = &jobs[i];
        j->done = false;
        if (!j->easy)
            continue;
        CURLMcode mc = curl_multi_add_handle(multi, j->easy);
        if (mc != CURLM_OK) {
            j->done = true;
            j->result = CURLE_FAILED_INIT;
            if (j->errbuf)
                snprintf(j->errbuf, CURL_ERROR_SIZE, "libcurl refused the transfer: %s",
                         curl_multi_strerror(mc));
            continue;
        }
        curl_easy_setopt(j->easy, CURLOPT_PRIVATE, (void *)j); /* nothing runs before perform */
        added++;
    }
    return added;
}

void curl_runner_run(struct curl_runner *r, struct curl_job *jobs, size_t n,
                     bool (*stop)(void *ctx), void *ctx)
{
    double t0 = clock_mono_ms();
    int running = add_all(r->multi, jobs, n) > 0;
    while (running) {
        CURLMcode mc = curl_multi_perform(r->multi, &running);
        if (mc != CURLM_OK) {
            log_error("libcurl: curl_multi_perform: %s", curl_multi_strerror(mc));
            break;
        }
        CURLMsg *msg;
        int left;
        while ((msg = curl_multi_info_read(r->multi, &left)))
            if (msg->msg == CURLMSG_DONE)
                finish(msg->easy_handle, msg->data.result, t0);
        if (stop && stop(ctx))
            break;
        if (running)
            curl_multi_poll(r->multi, NULL, 0, POLL_MS, NULL);
    }
    for (size_t i = 0; i < n; i++)
        if (jobs[i].easy)
            curl_multi_remove_handle(r->multi, jobs[i].easy); /* not added: a harmless no-op */
}
