/*
 * utf8: the one place that knows UTF-8. Validation (RFC 3629, the rules jansson applies: no
 * overlongs, no surrogates, nothing past U+10FFFF), repair (each byte that is not part of a valid
 * sequence becomes '?'), counting characters, and cutting a string at a character boundary,
 * by bytes or by characters.
 *
 * A "boundary" for the cut and count functions is structural: a position that is the end of the
 * string or holds a byte that is not a continuation byte (10xxxxxx). On valid UTF-8 that is
 * exactly a character boundary; on invalid input the functions still terminate and never split
 * what a later repair would keep.
 *
 * Pure functions, no allocation; any thread.
 */
#ifndef TOCSIN_UTF8_H
#define TOCSIN_UTF8_H

#include <stdbool.h>
#include <stddef.h>

/* The length (1..4) of the valid sequence at s, of which at most avail bytes may be read, or 0
 * when s does not start one (also when avail is 0 or the sequence is cut short). */
size_t utf8_seq_len(const char *s, size_t avail);
/* Whether the len bytes at s are valid UTF-8 (a NUL byte counts as a valid character). */
bool utf8_valid(const char *s, size_t len);
/* Makes the NUL-terminated s valid UTF-8 in place: each byte that does not belong to a valid
 * sequence becomes '?'. NULL is allowed. */
void utf8_repair(char *s);
/* Characters in the NUL-terminated s: the bytes that are not continuation bytes. */
size_t utf8_chars(const char *s);
/* The largest boundary <= max in the len bytes at s (len when len <= max): a cut of at most max
 * bytes that does not split a character. */
size_t utf8_cut(const char *s, size_t len, size_t max);
/* The smallest boundary >= at (len when at >= len): a cut after at least `at` bytes that
 * finishes the character byte `at` falls in. */
size_t utf8_cut_after(const char *s, size_t len, size_t at);
/* The bytes of the first max characters of the NUL-terminated s (strlen(s) when it has fewer). */
size_t utf8_cut_chars(const char *s, size_t max);

#endif
