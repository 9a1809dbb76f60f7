/*
 * fuzz_http_date: Retry-After as channels read it (domain/notify_policy.c, notify_http_date and
 * notify_retry_after): any string, never out of bounds.
 */
#include "fuzz.h"
#include "domain/notify_policy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_http_date(const uint8_t *data, size_t size);

int fuzz_http_date(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    (void)notify_http_date(s);
    int64_t at = 0;
    (void)notify_retry_after(s, 1700000000000, &at); /* seconds or an HTTP-date */
    free(s);
    return 0;
}
FUZZ_ENTRY(fuzz_http_date)
