/*
 * num: checked number parsing (no atoi). The whole string must be a number in [min, max].
 */
#ifndef TOCSIN_NUM_H
#define TOCSIN_NUM_H

#include <stdint.h>

/* 0 on success; -1 when empty, not a number, trailing junk, or out of [min, max]. */
int num_parse_i64(const char *s, int64_t min, int64_t max, int64_t *out);

#endif
