/*
 * api/paging: cursor pagination for the list routes (issue 14 item 3, docs/api.md "Lists").
 *
 * Every list answers at most `limit` items (?limit=, 1..max, a default per list) and
 * `next_cursor`: an opaque string (URL-safe base64 of "KIND:NUM:ID") naming the last item
 * answered, or null when there is nothing after it; ?cursor= asks for the items after that one.
 * The position is a key of the list's stable order (keyset), not a count of skipped rows, so an
 * item inserted or deleted meanwhile neither repeats nor hides another. A `Link: <...>;
 * rel="next"` header carries the same. Lists ordered in SQL take the cursor into their WHERE
 * clause (incidents, alerts); short per-incident lists and small tables are read in their order
 * and the items up to the cursor skipped here (page_take), the same answer at a linear cost.
 * Threads: a struct page belongs to one request.
 */
#ifndef TOCSIN_API_PAGING_H
#define TOCSIN_API_PAGING_H

#include "http/http.h"

#include <stdbool.h>
#include <stdint.h>

enum { PAGE_ID_MAX = 256 };

/* How a list is ordered by its key (num, id). */
enum page_order {
    PAGE_ASC,         /* num, then id (strcmp) ascending */
    PAGE_DESC,        /* num, then id descending */
    PAGE_DESC_BY_LEN, /* num, then length(id), then id, descending (incident ids) */
};

struct page {
    const char *kind; /* tags the cursor: a cursor of another list is refused */
    enum page_order order;
    int limit;
    bool has_cursor;
    int64_t after_num; /* the cursor's key */
    char after_id[PAGE_ID_MAX];
    size_t taken;
    bool more; /* an item past the limit was seen */
    int64_t last_num;
    char last_id[PAGE_ID_MAX];
};

/* Reads ?limit (default def, 1..max) and ?cursor into p; false when it answered 400. */
bool page_parse_or_reply(struct request *r, struct page *p, const char *kind, enum page_order order,
                         int def, int max);
/* For each item of the list, in its order: PAGE_SKIP when it is at or before the cursor,
 * PAGE_TAKE (answer it: its key is remembered), PAGE_STOP once `limit` items were taken (the
 * list has more; stop reading). */
enum page_step { PAGE_SKIP, PAGE_TAKE, PAGE_STOP };
enum page_step page_take(struct page *p, int64_t num, const char *id);
/* Sets "next_cursor" in body (a JSON object) and the Link header (path, the given query keys
 * of this request repeated, limit and cursor). */
void page_finish(struct request *r, const struct page *p, json_t *body,
                 const char *const *keep_query);

#endif
