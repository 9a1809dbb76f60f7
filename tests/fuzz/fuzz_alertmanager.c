/*
 * fuzz_alertmanager: the Alertmanager webhook's payload checks (api/ingest_alertmanager.c,
 * api_alertmanager_check) on any JSON object: every refusal names what it refuses, and an
 * accepted payload holds at most the route's 10,000 alerts.
 */
#include "fuzz.h"
#include "api/ingest_common.h"
#include "util/jsonv.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

int fuzz_alertmanager(const uint8_t *data, size_t size);

int fuzz_alertmanager(const uint8_t *data, size_t size)
{
    json_t *body = NULL;
    struct error err = {0};
    if (jsonv_parse_object((const char *)data, size, false, &body, &err) != OK)
        return 0;
    size_t n = 0;
    enum result r = api_alertmanager_check(body, "severity", &n, &err);
    FUZZ_CHECK(r == OK || err.message[0] != '\0');
    FUZZ_CHECK(r != OK || n <= 10000);
    json_decref(body);
    return 0;
}
FUZZ_ENTRY(fuzz_alertmanager)
