/* result: see result.h. */
#include "util/result.h"

#include <stdarg.h>
#include <stdio.h>

static const struct {
    const char *name;
    int status;
} table[] = {
    [OK] = {"ok", 200},
    [ERR_BAD_REQUEST] = {"bad_request", 400},
    [ERR_UNAUTHORIZED] = {"unauthorized", 401},
    [ERR_FORBIDDEN] = {"forbidden", 403},
    [ERR_NOT_FOUND] = {"not_found", 404},
    [ERR_CONFLICT] = {"conflict", 409},
    [ERR_UNPROCESSABLE] = {"unprocessable", 422},
    [ERR_TOO_LARGE] = {"too_large", 413},
    [ERR_RATE_LIMITED] = {"rate_limited", 429},
    [ERR_UNAVAILABLE] = {"unavailable", 503},
    [ERR_INTERNAL] = {"internal", 500},
};

enum result error_set(struct error *e, enum result code, const char *fmt, ...)
{
    if (e) {
        e->code = code;
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(e->message, sizeof e->message, fmt, ap);
        va_end(ap);
    }
    return code;
}

const char *result_name(enum result r)
{
    if ((unsigned)r >= sizeof table / sizeof table[0])
        return "internal";
    return table[r].name;
}

int result_http_status(enum result r)
{
    if ((unsigned)r >= sizeof table / sizeof table[0])
        return 500;
    return table[r].status;
}
