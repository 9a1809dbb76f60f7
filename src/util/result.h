/*
 * result: the one result type. Functions that can fail return `enum result` and, when given a
 * `struct error`, fill it with a message that names the field and the problem. The HTTP layer maps
 * each code to a status (reply.c); the CLI maps them to exit codes.
 */
#ifndef TOCSIN_RESULT_H
#define TOCSIN_RESULT_H

enum result {
    OK = 0,
    ERR_BAD_REQUEST,   /* 400: malformed input, wrong type, missing field */
    ERR_UNAUTHORIZED,  /* 401 */
    ERR_FORBIDDEN,     /* 403 */
    ERR_NOT_FOUND,     /* 404 */
    ERR_CONFLICT,      /* 409: the state does not allow it */
    ERR_UNPROCESSABLE, /* 422: well-formed but names an unknown severity, user, state... */
    ERR_TOO_LARGE,     /* 413 */
    ERR_RATE_LIMITED,  /* 429 */
    ERR_UNAVAILABLE,   /* 503: store down, shutting down */
    ERR_INTERNAL,      /* 500: a bug; never for bad input */
};

struct error {
    enum result code;
    char message[512];
};

/* Sets e (when not NULL) and returns code, so callers can `return error_set(...)`. */
enum result error_set(struct error *e, enum result code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
const char *result_name(enum result r); /* "bad_request", "not_found", ... */
int result_http_status(enum result r);

#endif
