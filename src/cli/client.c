/*
 * cli/client: one HTTP request from a client verb to the tocsin server, libcurl easy interface.
 *
 * Job: build the URL (base from cli_ctx + an API path), send the JSON body with the bearer token,
 * collect the reply into a capped buffer (64 MiB), parse it with jansson, and turn every failure
 * into one clear line on stderr and an exit code:
 *   2xx + JSON                         -> CLI_OK, the reply in struct cli_resp
 *   any other status                   -> CLI_REFUSED, "error: <error.message> (HTTP nnn code)"
 *   2xx that is not JSON, reply > cap  -> CLI_REFUSED (the server answered, but unusably)
 *   connect refused, timeout, reset    -> CLI_UNREACHABLE, naming the URL
 *   malformed --url / $TOCSIN_URL      -> CLI_USAGE
 * Fixed transport policy: connect timeout 5 s, total 30 s, no redirects followed, http/https only,
 * User-Agent tocsin-cli/0.1, no "Expect: 100-continue".
 *
 * Invariants: the easy handle and header list live only inside cli_request(); nothing here
 * outlives the call except the struct cli_resp the caller frees. curl_global_init() is done by
 * cli_run() (args.c). Main thread only.
 */
#include "cli/cli.h"
#include "cli/client.h"
#include "util/buf.h"
#include "util/log.h"
#include "util/num.h"

#include <curl/curl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REPLY_CAP ((size_t)64 << 20)
#define USER_AGENT "tocsin-cli/0.1"

struct sink {
    struct buf buf;
    bool too_large;
};

static size_t on_data(char *p, size_t size, size_t nmemb, void *userdata)
{
    struct sink *s = userdata;
    size_t n = size * nmemb;
    if (buf_append(&s->buf, p, n) != BUF_OK) {
        s->too_large = true;
        return 0; /* makes curl fail with CURLE_WRITE_ERROR */
    }
    return n;
}

void cli_resp_free(struct cli_resp *resp)
{
    if (!resp)
        return;
    json_decref(resp->body);
    free(resp->raw);
    memset(resp, 0, sizeof(*resp));
}

char *cli_path_escape(const char *segment)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t n = strlen(segment);
    char *out = xmalloc(n * 3 + 1);
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)segment[i];
        /* Unreserved characters but '.', so "." and ".." cannot become dot-segments. */
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
            c == '-' || c == '_' || c == '~') {
            out[j++] = (char)c;
        } else {
            out[j++] = '%';
            out[j++] = hex[c >> 4];
            out[j++] = hex[c & 15];
        }
    }
    out[j] = '\0';
    return out;
}

char *cli_segment_path(const char *prefix, const char *segment, const char *suffix)
{
    char *esc = cli_path_escape(segment);
    size_t n = strlen(prefix) + strlen(esc) + strlen(suffix) + 1;
    char *path = xmalloc(n);
    snprintf(path, n, "%s%s%s", prefix, esc, suffix);
    free(esc);
    return path;
}

void cli_print_raw(const struct cli_resp *resp)
{
    if (resp->raw && resp->len)
        fwrite(resp->raw, 1, resp->len, stdout);
    if (!resp->len || resp->raw[resp->len - 1] != '\n')
        fputc('\n', stdout);
}

/* base (without trailing '/') + path. */
static char *join_url(const char *base, const char *path)
{
    size_t blen = strlen(base);
    while (blen > 0 && base[blen - 1] == '/')
        blen--;
    size_t n = blen + strlen(path) + 1;
    char *url = xmalloc(n);
    snprintf(url, n, "%.*s%s", (int)blen, base, path);
    return url;
}

static bool has_ctl(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return true;
    return false;
}

static struct curl_slist *add_header(struct curl_slist *list, const char *header)
{
    struct curl_slist *next = curl_slist_append(list, header);
    if (!next)
        fatal("out of memory");
    return next;
}

static struct curl_slist *build_headers(const struct cli_ctx *ctx, bool has_body)
{
    struct curl_slist *h = NULL;
    h = add_header(h, "Accept: application/json");
    h = add_header(h, "Expect:");
    /* Without a body, "Content-Type:" stops curl from adding a form content type to a POST. */
    h = add_header(h, has_body ? "Content-Type: application/json" : "Content-Type:");
    if (ctx->token) {
        char auth[1024];
        int n = snprintf(auth, sizeof(auth), "Authorization: Bearer %s", ctx->token);
        if (n > 0 && (size_t)n < sizeof(auth))
            h = add_header(h, auth);
    }
    return h;
}

/* Method and body. GET and DELETE carry no body; a POST without one sends Content-Length: 0. */
static void set_method(CURL *c, const char *method, const char *body)
{
    if (strcmp(method, "GET") == 0) {
        curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
        return;
    }
    if (strcmp(method, "POST") == 0)
        curl_easy_setopt(c, CURLOPT_POST, 1L);
    else
        curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (body || strcmp(method, "DELETE") != 0) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
    }
}

static void set_transport(CURL *c, const char *url, struct sink *sink, char *errbuf)
{
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_USERAGENT, USER_AGENT);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 30000L);
    curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(c, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, sink);
    curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf);
}

/* A transport failure: the message and the exit code. */
static int report_transport(const struct cli_ctx *ctx, CURLcode code, const char *errbuf,
                            bool too_large)
{
    const char *why = errbuf[0] ? errbuf : curl_easy_strerror(code);
    if (code == CURLE_WRITE_ERROR && too_large) {
        fprintf(stderr, "error: the reply from %s is larger than %zu MiB\n", ctx->url,
                REPLY_CAP >> 20);
        return CLI_REFUSED;
    }
    if (code == CURLE_URL_MALFORMAT || code == CURLE_UNSUPPORTED_PROTOCOL) {
        fprintf(stderr, "error: bad server URL '%s' (from --url or TOCSIN_URL): %s\n", ctx->url,
                why);
        return CLI_USAGE;
    }
    fprintf(stderr, "error: cannot reach the tocsin server at %s: %s\n", ctx->url, why);
    fprintf(stderr, "hint: is `tocsin serve` running there? set --url or TOCSIN_URL\n");
    return CLI_UNREACHABLE;
}

/* The first line of a reply that is not a tocsin error, cleaned and cut for stderr. */
static char *first_line(const char *raw)
{
    if (!raw || !*raw)
        return xstrdup("(empty reply)");
    size_t n = strcspn(raw, "\r\n");
    char *line = xmalloc(n + 1);
    memcpy(line, raw, n);
    line[n] = '\0';
    char *clean = cli_clean(line, 200);
    free(line);
    return clean;
}

/* A non-2xx reply: the server's {"error":{"message"}} when there is one. */
static void report_refusal(const struct cli_ctx *ctx, CURL *c, const struct cli_resp *resp)
{
    json_t *err = resp->body ? json_object_get(resp->body, "error") : NULL;
    const char *msg = cli_jstr(err, "message");
    const char *code = cli_jstr(err, "code");
    fputs("error: ", stderr);
    if (msg) {
        cli_put(stderr, msg);
        fprintf(stderr, " (HTTP %ld%s%s)\n", resp->status, code ? " " : "", code ? code : "");
    } else {
        char *first = first_line(resp->raw);
        fprintf(stderr, "HTTP %ld from %s: %s\n", resp->status, ctx->url, first);
        free(first);
        char *location = NULL;
        if (resp->status / 100 == 3 &&
            curl_easy_getinfo(c, CURLINFO_REDIRECT_URL, &location) == CURLE_OK && location)
            fprintf(stderr, "hint: the server redirects to %s (not followed)\n", location);
    }
    if (resp->status == 401 && !ctx->token)
        fprintf(stderr, "hint: no token given; set TOCSIN_TOKEN (or pass --token)\n");
    else if (resp->status == 401)
        fprintf(stderr, "hint: the server does not accept this token; check TOCSIN_TOKEN\n");
}

/* Fills resp from the collected reply; CLI_OK for a usable 2xx reply (any body when any_body,
 * else JSON). */
static int take_reply(const struct cli_ctx *ctx, CURL *c, struct sink *sink, struct cli_resp *resp,
                      bool any_body)
{
    curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
    resp->len = sink->buf.len;
    resp->raw = buf_steal(&sink->buf);
    json_error_t jerr;
    if (resp->len)
        resp->body = json_loadb(resp->raw, resp->len, 0, &jerr);
    if (resp->status < 200 || resp->status > 299) {
        report_refusal(ctx, c, resp);
        return CLI_REFUSED;
    }
    if (any_body)
        return CLI_OK;
    if (!resp->len)
        resp->body = json_object();
    if (!resp->body) {
        fprintf(stderr, "error: the reply from %s is not JSON (HTTP %ld): %s\n", ctx->url,
                resp->status, jerr.text);
        return CLI_REFUSED;
    }
    return CLI_OK;
}

static int request(const struct cli_ctx *ctx, const char *method, const char *path, json_t *req,
                   struct cli_resp *resp, bool any_body)
{
    memset(resp, 0, sizeof(*resp));
    if (ctx->token && has_ctl(ctx->token)) {
        fprintf(stderr, "error: the token contains control characters\n");
        return CLI_USAGE;
    }
    char *url = join_url(ctx->url, path);
    char *body = req ? json_dumps(req, JSON_COMPACT) : NULL;
    struct curl_slist *headers = build_headers(ctx, body != NULL);
    struct sink sink = {.too_large = false};
    buf_init(&sink.buf, REPLY_CAP);
    char errbuf[CURL_ERROR_SIZE] = "";
    int result = CLI_UNREACHABLE;
    CURL *c = curl_easy_init();
    if (!c) {
        fprintf(stderr, "error: cannot initialise libcurl\n");
        goto out;
    }
    set_transport(c, url, &sink, errbuf);
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers);
    set_method(c, method, body);
    CURLcode code = curl_easy_perform(c);
    if (code != CURLE_OK) {
        result = report_transport(ctx, code, errbuf, sink.too_large);
        goto out;
    }
    result = take_reply(ctx, c, &sink, resp, any_body);
out:
    curl_easy_cleanup(c);
    curl_slist_free_all(headers);
    buf_free(&sink.buf);
    free(body);
    free(url);
    return result;
}

/* The array member of a list reply (the one list a paged answer carries), or NULL. */
static json_t *list_member(json_t *body)
{
    const char *k;
    json_t *v;
    json_object_foreach(body, k, v)
    {
        if (json_is_array(v))
            return v;
    }
    return NULL;
}

enum { PAGE_MAX_ITEMS = 1000 }; /* the server's largest page (docs/api.md "Lists") */

/* Items asked per page: PAGE_MAX_ITEMS, or TOCSIN_CLI_PAGE (1..1000; the tests make pages
 * small to walk cursors without thousands of items). */
static int64_t page_size(void)
{
    const char *env = getenv("TOCSIN_CLI_PAGE");
    int64_t n;
    return env && num_parse_i64(env, 1, PAGE_MAX_ITEMS, &n) == 0 ? n : PAGE_MAX_ITEMS;
}

int cli_request_pages(const struct cli_ctx *ctx, const char *path, int64_t max_items,
                      struct cli_resp *resp)
{
    memset(resp, 0, sizeof *resp);
    const char *sep = strchr(path, '?') ? "&" : "?";
    char *cursor = NULL;
    int result = CLI_OK;
    int64_t size = page_size();
    for (;;) {
        int64_t have = resp->body ? (int64_t)json_array_size(list_member(resp->body)) : 0;
        int64_t want = max_items > 0 ? max_items - have : size;
        if (want <= 0)
            break;
        struct buf b;
        buf_init(&b, strlen(path) + 4096);
        buf_printf(&b, "%s%slimit=%lld", path, sep, (long long)(want < size ? want : size));
        if (cursor)
            buf_printf(&b, "&cursor=%s", cursor); /* URL-safe base64: no escaping needed */
        struct cli_resp page;
        result = request(ctx, "GET", b.data, NULL, &page, false);
        buf_free(&b);
        free(cursor);
        cursor = NULL;
        if (result != CLI_OK) {
            cli_resp_free(resp);
            *resp = page;
            return result;
        }
        const char *next = cli_jstr(page.body, "next_cursor");
        cursor = next ? xstrdup(next) : NULL;
        if (!resp->body) {
            *resp = page;
        } else {
            json_array_extend(list_member(resp->body), list_member(page.body));
            json_object_set(resp->body, "next_cursor", json_object_get(page.body, "next_cursor"));
            resp->status = page.status;
            cli_resp_free(&page);
        }
        if (!cursor || !list_member(resp->body))
            break;
    }
    free(cursor);
    free(resp->raw); /* --json prints the pages as one answer */
    resp->raw = json_dumps(resp->body, JSON_COMPACT);
    resp->len = resp->raw ? strlen(resp->raw) : 0;
    return result;
}

int cli_request(const struct cli_ctx *ctx, const char *method, const char *path, json_t *req,
                struct cli_resp *resp)
{
    return request(ctx, method, path, req, resp, false);
}

int cli_fetch(const struct cli_ctx *ctx, const char *path, struct cli_resp *resp)
{
    return request(ctx, "GET", path, NULL, resp, true);
}

void cli_json_set_str(json_t *obj, const char *key, const char *value)
{
    if (value)
        json_object_set_new(obj, key, json_string(value));
}

int cli_get_and_print(struct cli_ctx *ctx, const char *path, cli_body_print_fn print)
{
    struct cli_resp resp;
    int result = cli_request_pages(ctx, path, 0, &resp);
    if (result == CLI_OK && ctx->json)
        cli_print_raw(&resp);
    else if (result == CLI_OK)
        print(resp.body);
    cli_resp_free(&resp);
    return result;
}

int cli_delete_and_print(struct cli_ctx *ctx, const char *prefix, const char *what,
                         const char *done)
{
    const char *id = ctx->pos[1];
    if (!*id)
        return cli_usage_error(ctx, "%s: the %s must not be empty", ctx->pos[0], what);
    char *path = cli_segment_path(prefix, id, "");
    struct cli_resp resp;
    int result = cli_request(ctx, "DELETE", path, NULL, &resp);
    if (result == CLI_OK && ctx->json) {
        cli_print_raw(&resp);
    } else if (result == CLI_OK) {
        const char *rid = cli_jstr(resp.body, "id");
        cli_put(stdout, rid ? rid : id);
        printf(" %s\n", done);
    }
    cli_resp_free(&resp);
    free(path);
    return result;
}
