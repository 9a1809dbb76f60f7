/*
 * api/paging: see paging.h. A cursor is URL-safe base64 (libsodium) of "KIND:NUM:ID".
 */
#include "api/paging.h"
#include "util/num.h"

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CURSOR_RAW_MAX = 16 + 24 + PAGE_ID_MAX, CURSOR_MAX = 2 * CURSOR_RAW_MAX };

static bool cursor_decode(struct page *p, const char *text)
{
    unsigned char raw[CURSOR_RAW_MAX + 1];
    size_t n = 0;
    if (strlen(text) > CURSOR_MAX ||
        sodium_base642bin(raw, CURSOR_RAW_MAX, text, strlen(text), NULL, &n, NULL,
                          sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0)
        return false;
    raw[n] = '\0';
    if (memchr(raw, '\0', n))
        return false;
    char *s = (char *)raw, *c1 = strchr(s, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
    if (!c2)
        return false;
    *c1 = *c2 = '\0';
    if (strcmp(s, p->kind) != 0 || strlen(c2 + 1) >= sizeof p->after_id)
        return false;
    if (num_parse_i64(c1 + 1, INT64_MIN, INT64_MAX, &p->after_num) != 0)
        return false;
    snprintf(p->after_id, sizeof p->after_id, "%s", c2 + 1);
    p->has_cursor = true;
    return true;
}

bool page_parse_or_reply(struct request *r, struct page *p, const char *kind, enum page_order order,
                         int def, int max)
{
    memset(p, 0, sizeof *p);
    p->kind = kind;
    p->order = order;
    p->limit = def;
    const char *lim = request_query(r, "limit"), *cur = request_query(r, "cursor");
    int64_t n;
    if (lim) {
        if (num_parse_i64(lim, 1, max, &n) != 0) {
            reply_error(r, ERR_BAD_REQUEST, "limit: must be a whole number from 1 to %d", max);
            return false;
        }
        p->limit = (int)n;
    }
    if (cur && *cur && !cursor_decode(p, cur)) {
        reply_error(r, ERR_BAD_REQUEST,
                    "cursor: not a cursor of this list (pass next_cursor back unchanged)");
        return false;
    }
    return true;
}

/* <0, 0, >0 as item (num, id) comes before, at, after the cursor in the list's order. */
static int after_cursor(const struct page *p, int64_t num, const char *id)
{
    int c = num < p->after_num ? -1 : num > p->after_num;
    if (c == 0 && p->order == PAGE_DESC_BY_LEN) {
        size_t a = strlen(id), b = strlen(p->after_id);
        c = a < b ? -1 : a > b;
    }
    if (c == 0)
        c = strcmp(id, p->after_id);
    return p->order == PAGE_ASC ? c : -c;
}

enum page_step page_take(struct page *p, int64_t num, const char *id)
{
    id = id ? id : "";
    if (p->has_cursor && after_cursor(p, num, id) <= 0)
        return PAGE_SKIP;
    if (p->taken >= (size_t)p->limit) {
        p->more = true;
        return PAGE_STOP;
    }
    p->taken++;
    p->last_num = num;
    snprintf(p->last_id, sizeof p->last_id, "%s", id);
    return PAGE_TAKE;
}

void page_finish(struct request *r, const struct page *p, json_t *body,
                 const char *const *keep_query)
{
    if (!p->more) {
        json_object_set_new(body, "next_cursor", json_null());
        return;
    }
    char raw[CURSOR_RAW_MAX], cursor[CURSOR_MAX + 8];
    int n = snprintf(raw, sizeof raw, "%s:%lld:%s", p->kind, (long long)p->last_num, p->last_id);
    sodium_bin2base64(cursor, sizeof cursor, (const unsigned char *)raw, (size_t)n,
                      sodium_base64_VARIANT_URLSAFE_NO_PADDING);
    json_object_set_new(body, "next_cursor", json_string(cursor));
    char link[2048];
    size_t used = (size_t)snprintf(link, sizeof link, "<%s?", r->path);
    for (size_t i = 0; keep_query && keep_query[i]; i++) {
        const char *v = request_query(r, keep_query[i]);
        /* the values kept are ids and words (status, service): no escaping is needed; a value
         * that would need it is left out of the link (the JSON cursor still works) */
        if (v && strlen(v) < 200 && !strpbrk(v, "&#<>; \"%+") && used < sizeof link)
            used += (size_t)snprintf(link + used, sizeof link - used, "%s=%s&", keep_query[i], v);
    }
    if (used < sizeof link)
        snprintf(link + used, sizeof link - used, "limit=%d&cursor=%s>; rel=\"next\"", p->limit,
                 cursor);
    reply_header(r, "Link", link);
}
