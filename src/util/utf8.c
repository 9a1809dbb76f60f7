/* utf8: see utf8.h. */
#include "util/utf8.h"

#include <string.h>

static bool is_cont(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

/* The length a lead byte announces, and the range its second byte must lie in (which rules out
 * overlongs, surrogates and code points past U+10FFFF). */
struct lead {
    unsigned char lo, hi; /* lead byte range */
    unsigned char len;
    unsigned char second_lo, second_hi;
};

static const struct lead leads[] = {
    {0x00, 0x7F, 1, 0x00, 0x00}, {0xC2, 0xDF, 2, 0x80, 0xBF}, {0xE0, 0xE0, 3, 0xA0, 0xBF},
    {0xE1, 0xEC, 3, 0x80, 0xBF}, {0xED, 0xED, 3, 0x80, 0x9F}, {0xEE, 0xEF, 3, 0x80, 0xBF},
    {0xF0, 0xF0, 4, 0x90, 0xBF}, {0xF1, 0xF3, 4, 0x80, 0xBF}, {0xF4, 0xF4, 4, 0x80, 0x8F},
};

size_t utf8_seq_len(const char *s, size_t avail)
{
    const unsigned char *p = (const unsigned char *)s;
    if (avail == 0)
        return 0;
    const struct lead *l = NULL;
    for (size_t i = 0; i < sizeof leads / sizeof leads[0] && !l; i++)
        if (p[0] >= leads[i].lo && p[0] <= leads[i].hi)
            l = &leads[i];
    if (!l || l->len > avail)
        return 0;
    if (l->len > 1 && (p[1] < l->second_lo || p[1] > l->second_hi))
        return 0;
    for (size_t i = 2; i < l->len; i++)
        if (!is_cont(p[i]))
            return 0;
    return l->len;
}

bool utf8_valid(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t n = utf8_seq_len(s + i, len - i);
        if (n == 0)
            return false;
        i += n;
    }
    return true;
}

void utf8_repair(char *s)
{
    size_t len = s ? strlen(s) : 0, i = 0;
    while (i < len) {
        size_t n = utf8_seq_len(s + i, len - i);
        if (n == 0)
            s[i++] = '?';
        else
            i += n;
    }
}

size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; s && *s; s++)
        if (!is_cont((unsigned char)*s))
            n++;
    return n;
}

size_t utf8_cut(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    while (max > 0 && is_cont((unsigned char)s[max]))
        max--;
    return max;
}

size_t utf8_cut_after(const char *s, size_t len, size_t at)
{
    while (at < len && is_cont((unsigned char)s[at]))
        at++;
    return at < len ? at : len;
}

size_t utf8_cut_chars(const char *s, size_t max)
{
    size_t n = 0, chars = 0;
    for (; s[n]; n++)
        if (!is_cont((unsigned char)s[n]) && chars++ == max)
            break;
    return n;
}
