/*
 * fuzz_http: tocsin's HTTP layer (http/server.c on libmicrohttpd 0.9.75) fed arbitrary bytes as
 * one client connection. The server runs detached (no listening socket, http_start_detached)
 * over a real SQLite store and config in a temporary directory made once per process; each input
 * is written into one end of a socketpair handed to the server (MHD_add_connection), the write
 * side is then shut, and every answer is read to the end of the stream.
 * Checked, besides no crash, no sanitizer report and no leak:
 *   - a first request whose header frames its body two ways (Content-Length with
 *     Transfer-Encoding, or two Content-Length) is refused: its first answer, if any, is a 4xx
 *     (docs/security.md "Framing"), never handled;
 *   - no answer is a 500 (status lines only, walked answer by answer).
 */
#include "fuzz.h"
#include "app/app.h"
#include "app/metrics.h"
#include "http/http.h"
#include "util/clock.h"
#include "util/log.h"
#include "util/ratelimit.h"

#include <ctype.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int fuzz_http(const uint8_t *data, size_t size);

enum { ANSWER_MAX = 1 << 20, READ_WAIT_MS = 10000 };

/* Short deadlines: a connection libmicrohttpd leaves waiting (the input and the end of the stream
 * came in one edge of its epoll, so it never reads the end: the real server sees the end
 * separately) is cut by the guard's reaper in a fraction of a second. */
static const char http_config[] =
    "server: {listen: \"127.0.0.1:8080\", max_body: 4KiB, header_timeout: 300ms,\n"
    "         body_timeout: 300ms, idle_timeout: 1s}\n"
    "severities:\n"
    "  - {id: SEV1, name: Critical, notify: [email]}\n"
    "users:\n"
    "  - {id: alice, name: Alice, email: alice@example.com}\n"
    "services:\n"
    "  - {id: api, name: API}\n";

static struct app fuzz_http_app;
static struct http_server *fuzz_http_server;
static char fuzz_http_dir[64], fuzz_http_config[128], fuzz_http_db[128];

static void cleanup(void)
{
    static const char *const suffix[] = {"", "-wal", "-shm"};
    char p[160];
    for (size_t i = 0; i < 3; i++) {
        snprintf(p, sizeof p, "%s%s", fuzz_http_db, suffix[i]);
        unlink(p);
    }
    unlink(fuzz_http_config);
    rmdir(fuzz_http_dir);
}

static void start_once(void)
{
    if (fuzz_http_server)
        return;
    log_set_level(LOG_ERROR); /* one info line per request otherwise */
    snprintf(fuzz_http_dir, sizeof fuzz_http_dir, "/tmp/tocsin-fuzz-http-XXXXXX");
    if (!mkdtemp(fuzz_http_dir))
        abort();
    snprintf(fuzz_http_config, sizeof fuzz_http_config, "%s/config.yaml", fuzz_http_dir);
    snprintf(fuzz_http_db, sizeof fuzz_http_db, "%s/tocsin.db", fuzz_http_dir);
    atexit(cleanup);
    FILE *fp = fopen(fuzz_http_config, "w");
    if (!fp)
        abort();
    fputs(http_config, fp);
    fclose(fp);
    struct config_errors errs = {0};
    fuzz_http_app.config = config_load(fuzz_http_config, &errs);
    FUZZ_CHECK(fuzz_http_app.config && errs.count == 0);
    config_errors_free(&errs);
    fuzz_http_app.config_path = fuzz_http_config;
    fuzz_http_app.data_dir = fuzz_http_dir;
    fuzz_http_app.clock = clock_real();
    pthread_mutex_init(&fuzz_http_app.config_lock, NULL);
    pthread_mutex_init(&fuzz_http_app.reload_lock, NULL);
    fuzz_http_app.metrics = metrics_new(router_route_count());
    fuzz_http_app.ratelimit = ratelimit_new();
    struct error err = {0};
    fuzz_http_app.store = store_open("sqlite", fuzz_http_db, &err);
    FUZZ_CHECK(fuzz_http_app.store != NULL);
    fuzz_http_server = http_start_detached(&fuzz_http_app, &err);
    FUZZ_CHECK(fuzz_http_server != NULL);
}

/* Case-insensitive: the line [p, end) is the header `name:`. */
static bool is_header(const char *p, const char *end, const char *name)
{
    size_t n = strlen(name);
    return (size_t)(end - p) > n && strncasecmp(p, name, n) == 0 && p[n] == ':';
}

/* Whether the input's first request (a request line, then its header up to an empty line) frames
 * its body two ways. Only lines that are headers for sure count (not folded ones). */
static bool ambiguous_first_request(const char *in, size_t size)
{
    const char *end = in + size, *p = in;
    const char *eol = memchr(p, '\n', size);
    if (!eol || !memchr(p, ' ', (size_t)(eol - p)) || eol - p < 14 ||
        memcmp(eol - (eol[-1] == '\r' ? 9 : 8), " HTTP/1.", 8) != 0)
        return false;
    int cl = 0, te = 0;
    for (p = eol + 1; p < end;) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl)
            return false; /* the header never ends: no answer is owed */
        const char *le = nl > p && nl[-1] == '\r' ? nl - 1 : nl;
        if (le == p)
            break; /* the empty line */
        if (memchr(p, '\0', (size_t)(le - p)))
            return false; /* libmicrohttpd's own business */
        cl += is_header(p, le, "content-length");
        te += is_header(p, le, "transfer-encoding");
        p = nl + 1;
    }
    if (p >= end)
        return false;
    return (cl && te) || cl > 1;
}

static int status_of(const char *answer)
{
    if (strncmp(answer, "HTTP/1.", 7) != 0 || !answer[7] || answer[8] != ' ')
        return -1;
    return atoi(answer + 9);
}

/* The answer after the one at a (its header, then Content-Length bytes of body; a 1xx has
 * none), or NULL when a is not a whole answer. Only the status lines are looked at: a body may
 * quote anything (a 404 names the path). */
static const char *next_answer(const char *a)
{
    if (status_of(a) < 0)
        return NULL;
    const char *end = strstr(a, "\r\n\r\n");
    if (!end)
        return NULL;
    long body = 0;
    for (const char *h = strstr(a, "\r\n"); h && h < end; h = strstr(h + 2, "\r\n"))
        if (strncasecmp(h + 2, "Content-Length:", 15) == 0)
            body = atol(h + 17);
    int status = status_of(a);
    if (status >= 100 && status < 200)
        body = 0;
    end += 4;
    if (body < 0 || (size_t)body > strlen(end))
        return NULL;
    return end + body;
}

int fuzz_http(const uint8_t *data, size_t size)
{
    start_once();
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
        return 0;
    if (!http_add_socket(fuzz_http_server, sv[1])) {
        close(sv[0]);
        return 0;
    }
    /* the whole input, then the end of the stream (a socketpair buffers well over a fuzz input;
     * the answer is read as it comes so neither side blocks) */
    char *answer = malloc(ANSWER_MAX + 1);
    size_t got = 0, sent = 0;
    bool shut = false;
    for (int waited = 0; waited < READ_WAIT_MS;) {
        struct pollfd pf = {.fd = sv[0], .events = POLLIN | (shut ? 0 : POLLOUT)};
        int n = poll(&pf, 1, 100);
        if (n == 0) {
            waited += 100;
            continue;
        }
        if (n < 0)
            break;
        if (!shut && (pf.revents & POLLOUT)) {
            ssize_t w = send(sv[0], data + sent, size - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w > 0)
                sent += (size_t)w;
            if (w < 0 || sent == size) {
                /* the end of the stream apart from the bytes, as over TCP */
                nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
                shutdown(sv[0], SHUT_WR);
                shut = true;
            }
        }
        if (pf.revents & (POLLIN | POLLHUP | POLLERR)) {
            ssize_t r = recv(sv[0], answer + got, ANSWER_MAX - got, MSG_DONTWAIT);
            if (r == 0 || (r < 0 && !(pf.revents & POLLIN)))
                break;
            if (r > 0)
                got += (size_t)r;
            if (got == ANSWER_MAX)
                break;
        }
    }
    close(sv[0]);
    answer[got] = '\0';
    static int trace = -1; /* FUZZ_HTTP_TRACE=1: each input's first answer line on stderr */
    if (trace < 0)
        trace = getenv("FUZZ_HTTP_TRACE") != NULL;
    if (trace)
        fprintf(stderr, "fuzz_http: %zu bytes -> %.*s\n", size, (int)strcspn(answer, "\r\n"),
                answer);
    if (got && ambiguous_first_request((const char *)data, size)) {
        int status = status_of(answer);
        if (status < 400 || status > 499)
            fprintf(stderr, "ambiguous framing answered: %.200s\n", answer);
        FUZZ_CHECK(status >= 400 && status <= 499);
    }
    for (const char *a = answer; a && *a; a = next_answer(a))
        FUZZ_CHECK(status_of(a) != 500);
    free(answer);
    return 0;
}
FUZZ_ENTRY(fuzz_http)
