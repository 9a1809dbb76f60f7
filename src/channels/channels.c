/*
 * channels: the channel table, assembled from channels.def, and what the channels share: the
 * HTTP verdict, the curl errors worth a retry, the checked list append, freeing a request.
 * Threads: the notifier thread (the table itself is constant).
 */
#include "channels/channel.h"
#include "util/utf8.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CHANNEL(name) &notify_chan_##name,
static const struct notify_channel *const channels[] = {
#include "channels/channels.def"
};
#undef CHANNEL

const struct notify_channel *notify_channel_find(const char *method)
{
    for (size_t i = 0; method && i < sizeof channels / sizeof channels[0]; i++)
        if (strcmp(channels[i]->name, method) == 0)
            return channels[i];
    return NULL;
}

const struct notify_channel *const *notify_channel_all(size_t *n)
{
    *n = sizeof channels / sizeof channels[0];
    return channels;
}

enum result notify_list_add(struct curl_slist **list, const char *line, struct error *err)
{
    struct curl_slist *l = curl_slist_append(*list, line);
    if (!l)
        return error_set(err, ERR_INTERNAL, "libcurl cannot add \"%.60s\" to the request", line);
    *list = l;
    return OK;
}

void notify_request_free(struct notify_request *req)
{
    free(req->url);
    free(req->body);
    free(req->username);
    free(req->password);
    free(req->mail_from);
    curl_slist_free_all(req->headers);
    curl_slist_free_all(req->rcpt);
    memset(req, 0, sizeof *req);
}

bool notify_curl_transient(CURLcode rc)
{
    static const CURLcode transient[] = {
        CURLE_COULDNT_RESOLVE_HOST,
        CURLE_COULDNT_RESOLVE_PROXY,
        CURLE_COULDNT_CONNECT,
        CURLE_OPERATION_TIMEDOUT,
        CURLE_SEND_ERROR,
        CURLE_RECV_ERROR,
        CURLE_GOT_NOTHING,
        CURLE_PARTIAL_FILE,
        CURLE_SSL_CONNECT_ERROR,
        CURLE_HTTP2,
        CURLE_HTTP2_STREAM,
        CURLE_WEIRD_SERVER_REPLY,
        CURLE_AGAIN,
    };
    for (size_t i = 0; i < sizeof transient / sizeof transient[0]; i++)
        if (rc == transient[i])
            return true;
    return false;
}

enum notify_verdict notify_classify_http(const struct notify_response *resp, char *why, size_t n)
{
    long c = resp->code;
    const char *body = resp->body.data ? resp->body.data : "";
    if (resp->curl != CURLE_OK) {
        snprintf(why, n, "%s", resp->errbuf[0] ? resp->errbuf : curl_easy_strerror(resp->curl));
        utf8_repair(why);
        return notify_curl_transient(resp->curl) ? NOTIFY_RETRY : NOTIFY_FAILED;
    }
    if (c >= 200 && c < 300) {
        why[0] = '\0';
        return NOTIFY_SENT;
    }
    if (c >= 300 && c < 400) {
        snprintf(why, n, "HTTP %ld: redirect to %.200s not followed", c,
                 resp->location ? resp->location : "(no Location)");
        return NOTIFY_FAILED;
    }
    snprintf(why, n, "HTTP %ld%s%.200s", c, body[0] ? ": " : "", body);
    for (char *p = why; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
    utf8_repair(why); /* the cut may split a character; the peer may not speak UTF-8 */
    return c == 408 || c == 429 || c >= 500 ? NOTIFY_RETRY : NOTIFY_FAILED;
}

enum result notify_idempotency_key(struct notify_request *out, int64_t row_id, struct error *err)
{
    char hdr[80];
    snprintf(hdr, sizeof hdr, "Idempotency-Key: tocsin-notification-%lld", (long long)row_id);
    return notify_list_add(&out->headers, hdr, err);
}

enum result notify_signed_json_headers(struct notify_request *out, const char *secret,
                                       int64_t row_id, int64_t now, bool *bad_secret,
                                       struct error *err)
{
    char id[40], hdr[256], sig[128];
    int64_t ts = now / 1000;
    snprintf(id, sizeof id, "msg_%lld", (long long)row_id);
    *bad_secret =
        notify_webhook_signature(secret, id, ts, out->body, out->body_len, sig, sizeof sig) != 0;
    if (*bad_secret)
        return error_set(err, ERR_UNPROCESSABLE, "webhook: the signing secret is malformed");
    enum result result = notify_list_add(&out->headers, "Content-Type: application/json", err);
    if (result == OK)
        result = notify_idempotency_key(out, row_id, err);
    snprintf(hdr, sizeof hdr, "webhook-id: %s", id);
    if (result == OK)
        result = notify_list_add(&out->headers, hdr, err);
    snprintf(hdr, sizeof hdr, "webhook-timestamp: %lld", (long long)ts);
    if (result == OK)
        result = notify_list_add(&out->headers, hdr, err);
    snprintf(hdr, sizeof hdr, "webhook-signature: %s", sig);
    if (result == OK)
        result = notify_list_add(&out->headers, hdr, err);
    return result;
}
