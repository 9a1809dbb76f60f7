/*
 * alerts: pure rules for alerts (see alerts.h): grouping, silence matching, fingerprints.
 */
#include "domain/alert.h"
#include "util/buf.h"
#include "util/crypto.h"
#include "util/log.h"

#include <stdlib.h>
#include <string.h>

static const char *const status_names[ALERT_STATUS_COUNT] = {"firing", "acknowledged", "resolved"};

const char *alert_status_name(enum alert_status s)
{
    return (unsigned)s < ALERT_STATUS_COUNT ? status_names[s] : "unknown";
}

int alert_status_parse(const char *name)
{
    for (int i = 0; i < ALERT_STATUS_COUNT; i++)
        if (strcmp(name, status_names[i]) == 0)
            return i;
    return -1;
}

void alert_free_fields(struct alert *a)
{
    free(a->scope);
    free(a->integration_id);
    free(a->source_kind);
    free(a->service);
    free(a->dedup_key);
    free(a->summary);
    free(a->source);
    free(a->severity);
    free(a->labels);
    free(a->details);
    free(a->group_key);
    free(a->incident_id);
    free(a->silenced_by);
    memset(a, 0, sizeof *a);
}

void silence_free_fields(struct silence *s)
{
    free(s->service);
    free(s->matchers);
    free(s->reason);
    free(s->created_by);
    memset(s, 0, sizeof *s);
}

/* Appends v with the key's separators escaped ("\\" "\|" "\="), so that two different label
 * sets can never make the same key ({a="1|b=2", b=""} and {a="1", b="2|b="} did). A value
 * without those characters is appended as it is, so keys stored before the escaping still match. */
static int append_escaped(struct buf *b, const char *v)
{
    int st = BUF_OK;
    for (const char *p = v; *p && st == BUF_OK; p++) {
        if (*p == '\\' || *p == '|' || *p == '=')
            st = buf_append(b, "\\", 1);
        if (st == BUF_OK)
            st = buf_append(b, p, 1);
    }
    return st;
}

char *alerts_group_key(const char *service, const struct string_list *group_by, json_t *labels)
{
    struct buf b;
    buf_init(&b, 64 * 1024);
    buf_puts(&b, service);
    for (size_t i = 0; group_by && i < group_by->count; i++) {
        json_t *v = labels ? json_object_get(labels, group_by->items[i]) : NULL;
        const char *s = json_is_string(v) ? json_string_value(v) : "";
        if (buf_printf(&b, "|%s=", group_by->items[i]) != BUF_OK || append_escaped(&b, s) != BUF_OK)
            break; /* capped: very long label values still group deterministically by prefix */
    }
    return buf_steal(&b);
}

bool alerts_silence_matches_parsed(const struct silence *s, json_t *matchers, const char *service,
                                   json_t *labels, int64_t now)
{
    if (now < s->starts_at || now >= s->ends_at)
        return false;
    if (s->service && strcmp(s->service, service) != 0)
        return false;
    if (!json_is_object(matchers))
        return false;
    const char *k;
    json_t *v;
    json_object_foreach(matchers, k, v)
    {
        json_t *have = labels ? json_object_get(labels, k) : NULL;
        if (!json_is_string(have) || !json_is_string(v) ||
            strcmp(json_string_value(have), json_string_value(v)) != 0)
            return false;
    }
    return true;
}

json_t *alerts_silence_parse(const struct silence *s)
{
    return json_loads(s->matchers ? s->matchers : "{}", 0, NULL);
}

bool alerts_silence_matches(const struct silence *s, const char *service, json_t *labels,
                            int64_t now)
{
    if (now < s->starts_at || now >= s->ends_at)
        return false;
    json_t *m = alerts_silence_parse(s);
    bool ok = alerts_silence_matches_parsed(s, m, service, labels, now);
    json_decref(m);
    return ok;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void alerts_labels_fingerprint(json_t *labels, char out[65])
{
    size_t n = labels ? json_object_size(labels) : 0, i = 0;
    const char **keys = xcalloc(n ? n : 1, sizeof *keys);
    const char *k;
    json_t *v;
    if (labels)
        json_object_foreach(labels, k, v) keys[i++] = k;
    qsort(keys, i, sizeof *keys, cmp_str);
    struct buf b;
    buf_init(&b, 1024 * 1024);
    for (size_t j = 0; j < i; j++) {
        json_t *val = json_object_get(labels, keys[j]);
        const char *s = json_is_string(val) ? json_string_value(val) : "";
        buf_append(&b, keys[j], strlen(keys[j]) + 1); /* NUL separators: unambiguous */
        buf_append(&b, s, strlen(s) + 1);
    }
    crypto_sha256_hex(b.data ? b.data : "", b.len, out);
    buf_free(&b);
    free(keys);
}

bool alert_is_drill(const struct alert *a)
{
    return a->scope && strncmp(a->scope, "drill:", 6) == 0;
}
