/*
 * fuzz_json: the JSON body parsers of every POST route and of alert ingest (Alertmanager, Events
 * v2, generic): jsonv_parse_object (jansson, with tocsin's checks) and the jsonfast fast path,
 * checked against each other: whatever jsonfast accepts, jansson accepts as the same tree, and
 * jsonfast's sorted dump is json_dumps' (util/jsonfast.h's promise).
 */
#include "fuzz.h"
#include "util/jsonfast.h"
#include "util/jsonv.h"
#include "util/result.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_json(const uint8_t *data, size_t size);

int fuzz_json(const uint8_t *data, size_t size)
{
    const char *text = (const char *)data;
    json_t *slow = NULL;
    struct error err = {0};
    enum result r = jsonv_parse_object(text, size, true, &slow, &err);
    json_t *fast = jsonfast_parse(text, size);
    if (fast) {
        /* any value, not only an object or array: jsonfast reads a scalar too (the callers
         * check for an object; corpus/json/scalar_top_level, found by make fuzz-smoke) */
        json_t *ref = json_loadb(text, size, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, NULL);
        FUZZ_CHECK(ref != NULL);
        FUZZ_CHECK(json_equal(fast, ref));
        char *a = jsonfast_dump_sorted(fast);
        char *b = json_dumps(ref, JSON_COMPACT | JSON_SORT_KEYS | JSON_ENCODE_ANY);
        FUZZ_CHECK(!a || (b && strcmp(a, b) == 0));
        free(a);
        free(b);
        json_decref(ref);
        json_decref(fast);
    }
    if (r == OK)
        json_decref(slow);
    return 0;
}
FUZZ_ENTRY(fuzz_json)
