/*
 * fuzz_events_v2: the PagerDuty Events v2 event checks (api/ingest_events_v2.c,
 * api_events_v2_check) on any JSON object: whatever the event, the checks end with a count of
 * problems and no crash; an event without routing_key is never valid.
 */
#include "fuzz.h"
#include "api/ingest_common.h"
#include "util/jsonv.h"

#include <jansson.h>
#include <stdio.h>

int fuzz_events_v2(const uint8_t *data, size_t size);

int fuzz_events_v2(const uint8_t *data, size_t size)
{
    json_t *body = NULL;
    struct error err = {0};
    if (jsonv_parse_object((const char *)data, size, false, &body, &err) != OK)
        return 0;
    size_t problems = api_events_v2_check(body);
    FUZZ_CHECK(json_is_string(json_object_get(body, "routing_key")) || problems > 0);
    json_decref(body);
    return 0;
}
FUZZ_ENTRY(fuzz_events_v2)
