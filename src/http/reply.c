/*
 * reply: how handlers answer. JSON bodies, the one error shape
 * {"error":{"code","message"}}, extra headers, and small request accessors.
 * Each reply_* stores the answer in the request; server.c sends it once the handler returns.
 */
#include "http/http.h"
#include "util/log.h"
#include "util/utf8.h"

#include <microhttpd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void reply_raw(struct request *r, int status, const char *content_type, char *body, size_t len)
{
    if (r->replied) {
        log_error("http: %s %s answered twice (%d, then %d)", r->method, r->path, r->status,
                  status);
        free(body);
        return;
    }
    r->replied = true;
    r->status = status;
    r->content_type = content_type;
    r->resp = body;
    r->resp_len = len;
}

void reply_json(struct request *r, int status, json_t *body)
{
    char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
    json_decref(body);
    if (!text) {
        reply_error(r, ERR_INTERNAL, "internal: cannot encode the response");
        return;
    }
    size_t n = strlen(text);
    text[n] = '\0';
    /* a trailing newline keeps terminals and curl output tidy */
    char *withnl = xrealloc(text, n + 2);
    withnl[n] = '\n';
    withnl[n + 1] = '\0';
    reply_raw(r, status, "application/json", withnl, n + 1);
}

void reply_error(struct request *r, enum result code, const char *fmt, ...)
{
    char msg[600];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    utf8_repair(msg); /* messages echo client input (paths, values): they must encode */
    if (code == ERR_INTERNAL || code == ERR_UNAVAILABLE)
        log_error("http: %s %s -> %s: %s", r->method, r->path, result_name(code), msg);
    json_t *body = json_pack("{s:{s:s,s:s}}", "error", "code", result_name(code), "message", msg);
    reply_json(r, result_http_status(code), body);
}

void reply_from_error(struct request *r, const struct error *err)
{
    enum result code = err->code == OK ? ERR_INTERNAL : err->code;
    reply_error(r, code, "%s", err->message[0] ? err->message : result_name(code));
}

void reply_header(struct request *r, const char *name, const char *value)
{
    if (r->nheaders >= HTTP_MAX_HEADERS) {
        log_error("http: too many response headers for %s", r->path);
        return;
    }
    r->headers[r->nheaders].name = name;
    r->headers[r->nheaders].value = xstrdup(value);
    r->nheaders++;
}

const char *request_query(struct request *r, const char *key)
{
    return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

const char *request_header(struct request *r, const char *name)
{
    return MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, name);
}
