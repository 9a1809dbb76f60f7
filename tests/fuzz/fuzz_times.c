/*
 * fuzz_times: the duration and time parsers the config, the API and the CLI share:
 * time_parse_duration ("1h30m"; util/timeutil.c), time_parse_rfc3339 and oncall_parse_time
 * ("now", "+2h", RFC 3339; domain/oncall.c). Any string: no crash, and what parses round-trips
 * (a parsed duration formats to a string that parses back to the same value; a parsed time is in
 * the documented range).
 */
#include "fuzz.h"
#include "domain/oncall.h"
#include "util/timeutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fuzz_times(const uint8_t *data, size_t size);

int fuzz_times(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    int64_t ms = 0;
    if (time_parse_duration(s, &ms) == 0) {
        FUZZ_CHECK(ms >= 0);
        char back[64];
        time_format_duration(ms, back, sizeof back);
        int64_t again = -1;
        FUZZ_CHECK(time_parse_duration(back, &again) == 0 && again == ms);
    }
    int64_t at = 0;
    if (time_parse_rfc3339(s, &at) == 0) {
        char back[RFC3339_LEN];
        time_format_rfc3339(at, back); /* bounded for every value (issue 14 item 10) */
    }
    const int64_t now = 1796000000000; /* 2026-12-01 */
    if (oncall_parse_time(s, now, &at) == 0)
        FUZZ_CHECK(at >= 0 && at < ONCALL_TIME_MAX);
    free(s);
    return 0;
}
FUZZ_ENTRY(fuzz_times)
