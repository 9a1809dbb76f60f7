/*
 * api/ingest_common: what every intake route does before parsing its format: check the
 * integration key and its type, and take `cost` tokens from the key's rate limit.
 */
#ifndef TOCSIN_API_INGEST_COMMON_H
#define TOCSIN_API_INGEST_COMMON_H

#include "api/api.h"
#include "jobs/alert_ingest.h"
#include "store/credentials.h"

/* The key alone, before the body is parsed (docs/security.md: a caller without a valid key
 * costs no parsing): OK with *out filled, or 401/403/503. */
enum result api_ingest_key(struct request *r, const char *key, const char *type,
                           struct store_credential *out, struct error *err);
/* `cost` tokens from an admitted key's bucket: OK, or 429 with *retry_after_s set (and *integ
 * freed, as api_ingest_admit does on every error). */
enum result api_ingest_take(struct request *r, struct store_credential *integ, int64_t cost,
                            int64_t *retry_after_s, struct error *err);
/* Both: OK, or an error (401/403/429/503) with *retry_after_s set for 429. */
enum result api_ingest_admit(struct request *r, const char *key, const char *type, int64_t cost,
                             struct store_credential *out, int64_t *retry_after_s,
                             struct error *err);
/* The payload checks of the Alertmanager and Events v2 routes on a parsed body, without a key or
 * the store (what tests/fuzz drives): OK with *alerts set, or the route's 400/413/422 error; the
 * number of problems an Events v2 event has (0: valid), each as the route would list it. */
enum result api_alertmanager_check(json_t *body, const char *severity_label, size_t *alerts,
                                   struct error *err);
size_t api_events_v2_check(json_t *body);
/* The request body as one JSON object, as jsonv_parse_object(body, false) reads it, by way of
 * jsonfast when the body is in its subset (util/jsonfast.h): same tree, same errors. */
enum result api_ingest_parse(const struct request *r, json_t **out, struct error *err);
/* What one alert may carry (docs/security.md, "Limits"; issue 14 item 3). Alertmanager and
 * Prometheus set no cap of their own (a rule's alert rarely has 30 labels); PagerDuty's Events v2
 * refuses an event over 512 KB, which /v2/enqueue keeps as its body limit. Over a limit: 422
 * naming the field and the limit, and nothing of the request is stored. */
enum {
    INGEST_LABELS_MAX = 128,                 /* labels per alert */
    INGEST_LABELS_BYTES_MAX = 16 * 1024,     /* their names and values together */
    INGEST_ANNOTATIONS_MAX = 128,            /* annotations per alert */
    INGEST_ANNOTATIONS_BYTES_MAX = 64 * 1024 /* their names and values together */
};
enum { INGEST_DETAILS_BYTES_MAX = 64 * 1024 }; /* generic `details`, as compact JSON */

/* A map of strings at path (labels, annotations): 400 when a value is not a string, 422 over
 * max_count entries or max_bytes of names and values. */
enum result api_ingest_check_strings(const json_t *m, const char *path, size_t max_count,
                                     size_t max_bytes, struct error *err);
/* A JSON value at path whose compact text may take at most max_bytes: else 422. */
enum result api_ingest_check_size(const json_t *v, const char *path, size_t max_bytes,
                                  struct error *err);
/* The ingest_source for an admitted integration. */
void api_ingest_source(const struct request *r, const struct store_credential *i, const char *kind,
                       struct ingest_source *out);
/* "Retry-After" for 429s. */
void api_ingest_retry_after(struct request *r, int64_t seconds);

#endif
