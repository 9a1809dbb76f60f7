/*
 * test_notify: the pure parts of notify (src/notify/) and notify_enqueue on a real store.
 *
 * Covers: backoff with equal jitter stays in [d/2, d] and is capped; Retry-After as seconds, the
 * three HTTP-date forms, and garbage; the Standard Webhooks signature for a fixed secret, id,
 * timestamp and body (the expected value computed independently with Python's hmac); the SMS
 * template and each escaping (form, JSON, HTML); ack tokens: sign/verify, expiry, tampering;
 * the choice of methods (rules, severity channels, voice/ticket skipped, every method) and the
 * fallback order; the notify config (defaults, FILE:LINE errors); notify_enqueue: one row per
 * method, queued twice adds nothing, notify.queued once. Runs from the repo root.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "domain/incident.h"
#include "domain/ack_link.h"
#include "channels/channel.h"
#include "domain/notify_policy.h"
#include "domain/notify_render.h"
#include "jobs/notify_enqueue.h"
#include "runtime/transfer.h"
#include "store/store.h"
#include "store/timeline.h"
#include "store/notifications.h"
#include "jobs/timeline.h"
#include "util/crypto.h"
#include "util/timeutil.h"
#include "util/utf8.h"

#define T1 (1795425932LL * 1000) /* 2026-11-23T09:25:32Z */
#define SECRET "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8="

static char tmp_dir[64], tmp_file[128];

static int group_setup(void **state)
{
    crypto_init();
    snprintf(tmp_dir, sizeof tmp_dir, "/tmp/tocsin-test-notify-XXXXXX");
    if (!mkdtemp(tmp_dir))
        return -1;
    snprintf(tmp_file, sizeof tmp_file, "%s/t.yaml", tmp_dir);
    return 0;
}

static int group_teardown(void **state)
{
    static const char *const names[] = {"t.yaml", "n.db", "n.db-wal", "n.db-shm", "notify.key"};
    char p[200];
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", tmp_dir, names[i]);
        unlink(p);
    }
    rmdir(tmp_dir);
    return 0;
}

static struct config *load(const char *yaml, struct config_errors *errs)
{
    FILE *fp = fopen(tmp_file, "w");
    assert_non_null(fp);
    fputs(yaml, fp);
    fclose(fp);
    return config_load(tmp_file, errs);
}

/* ---- retry policy ---- */

static void test_backoff_bounds(void **state)
{
    const int64_t base = 5000, max = 300000;
    for (int attempt = 1; attempt <= 30; attempt++) {
        int64_t d = base;
        for (int i = 1; i < attempt && d < max; i++)
            d = d * 2 > max ? max : d * 2;
        const uint32_t rnds[] = {0, 1, 12345, UINT32_MAX / 2, UINT32_MAX};
        for (size_t i = 0; i < sizeof rnds / sizeof rnds[0]; i++) {
            int64_t b = notify_backoff(base, max, attempt, rnds[i]);
            assert_true(b >= d - d / 2);
            assert_true(b <= d);
        }
        assert_int_equal(notify_backoff(base, max, attempt, 0), d - d / 2);
    }
    assert_int_equal(notify_backoff(5000, 300000, 1, 0), 2500);
    assert_int_equal(notify_backoff(5000, 300000, 3, 0), 10000);
    /* d = 20000: 10000 fixed + 10000 * rnd / 2^32 */
    assert_int_equal(notify_backoff(5000, 300000, 3, UINT32_MAX), 19999);
    assert_int_equal(notify_backoff(5000, 300000, 3, 1u << 31), 15000);
    assert_int_equal(notify_backoff(5000, 300000, 2, 1u << 30), 6250); /* 5000 + 5000 / 4 */
    assert_int_equal(notify_backoff(5000, 300000, 40, 0), 150000);     /* capped, no overflow */
    assert_int_equal(notify_backoff(5000, 300000, 1000000, 0), 150000);
    assert_int_equal(notify_backoff(60000, 1000, 1, 0), 30000); /* max below base: base */
    /* base 0 is 1 ms, max below base is base: d = 1, half = 0, so exactly 1 whatever rnd */
    assert_int_equal(notify_backoff(0, 0, 1, UINT32_MAX), 1);
    assert_int_equal(notify_backoff(0, 0, 1, 0), 1);
    assert_int_equal(notify_backoff(-5, -5, 7, 12345), 1);
    assert_int_equal(notify_backoff(5000, 300000, 7, UINT32_MAX), 299999); /* 5000 * 2^6 = cap */
}

static void test_retry_after(void **state)
{
    int64_t at = 0;
    assert_int_equal(notify_retry_after("120", T1, &at), 0);
    assert_int_equal(at, T1 + 120000);
    assert_int_equal(notify_retry_after(" 0 ", T1, &at), 0);
    assert_int_equal(at, T1);
    assert_int_equal(notify_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", T1, &at), 0);
    assert_int_equal(at, 784111777LL * 1000);
    assert_int_equal(notify_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", T1, &at), 0);
    assert_int_equal(at, 784111777LL * 1000);
    assert_int_equal(notify_retry_after("Sun Nov  6 08:49:37 1994", T1, &at), 0);
    assert_int_equal(at, 784111777LL * 1000);
    assert_int_equal(notify_retry_after("Mon, 23 Nov 2026 09:25:32 GMT", 0, &at), 0);
    assert_int_equal(at, T1);
    const char *bad[] = {"",
                         "soon",
                         "-5",
                         "1.5",
                         "12abc",
                         "99999999999999999999",
                         "Sun, 06 Nov 1994 08:49:37 UTC",
                         "Sun, 32 Nov 1994 08:49:37 GMT",
                         "Sun, 06 Foo 1994 08:49:37 GMT",
                         "Sun, 06 Nov 1994 25:49:37 GMT",
                         "Xyz, 06 Nov 1994 08:49:37 GMT",
                         "Sunday, 06-Nov-94 08:49:37 UTC",
                         "Sun Nov  6 08:49:37 19x4",
                         "Sun, 6 Nov 1994 08:49:37 GMT"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        at = 42;
        if (notify_retry_after(bad[i], T1, &at) == 0)
            fail_msg("accepted Retry-After \"%s\"", bad[i]);
        assert_int_equal(at, 42);
    }
    assert_int_equal(notify_retry_after(NULL, T1, &at), -1);
}

static void test_classify_http(void **state)
{
    struct notify_response r = {.curl = CURLE_OK};
    char why[300];
    const struct {
        long code;
        enum notify_verdict v;
    } cases[] = {{200, NOTIFY_SENT},   {204, NOTIFY_SENT},   {301, NOTIFY_FAILED},
                 {302, NOTIFY_FAILED}, {400, NOTIFY_FAILED}, {404, NOTIFY_FAILED},
                 {408, NOTIFY_RETRY},  {429, NOTIFY_RETRY},  {500, NOTIFY_RETRY},
                 {503, NOTIFY_RETRY}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        r.code = cases[i].code;
        assert_int_equal(notify_classify_http(&r, why, sizeof why), cases[i].v);
    }
    r.code = 0;
    r.curl = CURLE_COULDNT_CONNECT;
    assert_int_equal(notify_classify_http(&r, why, sizeof why), NOTIFY_RETRY);
    r.curl = CURLE_OPERATION_TIMEDOUT;
    assert_int_equal(notify_classify_http(&r, why, sizeof why), NOTIFY_RETRY);
    r.curl = CURLE_UNSUPPORTED_PROTOCOL;
    assert_int_equal(notify_classify_http(&r, why, sizeof why), NOTIFY_FAILED);
    const struct notify_channel *email = notify_channel_find("email");
    assert_non_null(email);
    r.curl = CURLE_SEND_ERROR;
    r.code = 550;
    assert_int_equal(email->classify(&r, why, sizeof why), NOTIFY_FAILED);
    assert_non_null(strstr(why, "SMTP 550"));
    r.code = 451;
    assert_int_equal(email->classify(&r, why, sizeof why), NOTIFY_RETRY);
    r.code = 0;
    r.curl = CURLE_COULDNT_CONNECT;
    assert_int_equal(email->classify(&r, why, sizeof why), NOTIFY_RETRY);
    r.curl = CURLE_LOGIN_DENIED;
    assert_int_equal(email->classify(&r, why, sizeof why), NOTIFY_FAILED);
    r.curl = CURLE_OK;
    r.code = 250;
    assert_int_equal(email->classify(&r, why, sizeof why), NOTIFY_SENT);
    assert_null(notify_channel_find("pigeon"));
    assert_null(notify_channel_find(NULL));
    /* the table assembled from channels.def: one entry per method, in the fallback order */
    size_t nch = 0;
    const struct notify_channel *const *all = notify_channel_all(&nch);
    /* the user methods, then ticket and status_webhook (no user's) */
    assert_int_equal(nch, NOTIFY_METHODS + 2);
    assert_string_equal(all[NOTIFY_METHODS]->name, "ticket");
    assert_string_equal(all[NOTIFY_METHODS + 1]->name, "status_webhook");
    assert_true(all[NOTIFY_METHODS + 1]->single);
    assert_false(all[0]->single);
    for (size_t i = 0; i < NOTIFY_METHODS; i++) {
        assert_string_equal(all[i]->name, notify_methods[i]);
        assert_ptr_equal(notify_channel_find(notify_methods[i]), all[i]);
    }
    /* a peer's answer cut at 200 bytes in the middle of a character, or in Latin-1: the reason
     * stays valid UTF-8 (it goes into the timeline and the API as JSON) */
    char body[260];
    memset(body, 'a', 199);
    memcpy(body + 199, "\xc3\xa9 caf\xe9", 8);
    r.code = 400;
    body[207] = 0;
    r.body = (struct buf){.data = body, .len = 207, .alloc = sizeof body, .cap = sizeof body};
    assert_int_equal(notify_classify_http(&r, why, sizeof why), NOTIFY_FAILED);
    json_t *j = json_string(why);
    assert_non_null(j);
    json_decref(j);
    assert_non_null(strstr(why, "aaa?"));
}

static void test_utf8_fix(void **state)
{
    const struct {
        const char *in, *out;
    } cases[] = {
        {"plain", "plain"},
        {"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5"},
        {"cut \xc3", "cut ?"},
        {"cut \xe2\x82", "cut ??"},
        {"latin1 caf\xe9!", "latin1 caf?!"},
        {"overlong \xc0\xaf", "overlong ??"},
        {"surrogate \xed\xa0\x80", "surrogate ???"},
        {"too big \xf4\x90\x80\x80", "too big ????"},
        {"\x80\xbf", "??"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char b[64];
        snprintf(b, sizeof b, "%s", cases[i].in);
        utf8_repair(b);
        assert_string_equal(b, cases[i].out);
        json_t *j = json_string(b);
        assert_non_null(j);
        json_decref(j);
    }
    utf8_repair(NULL);
}

/* ---- signatures, templates, escaping ---- */

static void test_webhook_signature(void **state)
{
    char sig[128];
    const char *body = "{\"a\":1}";
    assert_int_equal(
        notify_webhook_signature(SECRET, "msg_42", 1700000000, body, strlen(body), sig, sizeof sig),
        0);
    /* python3: base64(hmac.new(b64decode(secret[6:]), b'msg_42.1700000000.{"a":1}', sha256)) */
    assert_string_equal(sig, "v1,NehmuMs050O1ql0d2M75yQZil0ul8MfDHaAFrpSWE8c=");
    assert_int_equal(
        notify_webhook_signature(SECRET, "msg_42", 1700000001, body, strlen(body), sig, sizeof sig),
        0);
    assert_string_not_equal(sig, "v1,NehmuMs050O1ql0d2M75yQZil0ul8MfDHaAFrpSWE8c=");
    assert_int_equal(notify_webhook_signature("AAEC", "msg_1", 1, "", 0, sig, sizeof sig), -1);
    assert_int_equal(notify_webhook_signature("whsec_***", "msg_1", 1, "", 0, sig, sizeof sig), -1);
    assert_int_equal(notify_webhook_signature(SECRET, "msg_1", 1, "", 0, sig, 10), -1);
}

static char *render(void (*fn)(struct buf *, const char *), const char *s)
{
    struct buf b;
    buf_init(&b, 4096);
    fn(&b, s);
    return buf_steal(&b);
}

static void test_escaping_and_templates(void **state)
{
    char *s = render(notify_form_escape, "+1 555&x=y/ü~");
    assert_string_equal(s, "%2B1+555%26x%3Dy%2F%C3%BC%7E");
    free(s);
    s = render(notify_json_escape, "say \"hi\"\\\n\t\x01");
    assert_string_equal(s, "say \\\"hi\\\"\\\\\\n\\u0009\\u0001");
    free(s);
    s = render(notify_html_escape, "<a href='x'>&\"</a>");
    assert_string_equal(s, "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;");
    free(s);

    struct buf b;
    buf_init(&b, 4096);
    notify_template(&b, "To={{to}}&From={{from}}&Body={{message}}",
                    "application/x-www-form-urlencoded", "+15550101", "+1 (555)", "ack: a&b");
    assert_string_equal(b.data, "To=%2B15550101&From=%2B1+%28555%29&Body=ack%3A+a%26b");
    buf_reset(&b);
    notify_template(&b, "{\"to\":\"{{to}}\",\"text\":\"{{message}}\",\"x\":\"{{ to }}\"}",
                    "application/json", "+1", NULL, "line1\n\"q\"");
    assert_string_equal(b.data,
                        "{\"to\":\"+1\",\"text\":\"line1\\n\\\"q\\\"\",\"x\":\"{{ to }}\"}");
    buf_free(&b);
}

static void test_render_bundle_and_sms(void **state)
{
    struct notify_row rows[3] = {
        {.id = 7, .kind = "page", .subject = "[SEV1] INC-2026-11-23-001: Down", .body = "one\n"},
        {.id = 8, .kind = "page", .subject = "[SEV2] INC-2026-11-23-002: Slow", .body = "two"},
        {.id = 9, .kind = "info", .subject = "Hand-off", .body = "three"},
    };
    struct incident inc = {.id = "INC-2026-11-23-001"};
    struct notify_item items[3] = {
        {.row = rows[0], .inc = &inc}, {.row = rows[1], .inc = &inc}, {.row = rows[2]}};
    snprintf(items[0].ack_url, sizeof items[0].ack_url, "http://t/ack/AAA.BBB");
    struct notify_render r = {.items = items, .nitems = 1, .now = T1};
    struct buf b;
    buf_init(&b, 65536);
    notify_render_sms(&r, &b);
    assert_string_equal(
        b.data, "[SEV1] INC-2026-11-23-001: Down - ack: http://t/ack/AAA.BBB or reply ACK 7");
    buf_reset(&b);
    notify_render_text(&r, &b);
    assert_string_equal(b.data, "one\nAcknowledge: http://t/ack/AAA.BBB\n");
    r.nitems = 3;
    buf_reset(&b);
    notify_render_subject(&r, &b);
    assert_string_equal(b.data, "3 notifications: [SEV1] INC-2026-11-23-001: Down (+2 more)");
    inc.drill = true; /* two of the three rows are about a drill, then all three */
    buf_reset(&b);
    notify_render_subject(&r, &b);
    assert_string_equal(b.data, "3 notifications (2 of them drills): [SEV1] INC-2026-11-23-001: "
                                "Down (+2 more)");
    items[2].inc = &inc;
    buf_reset(&b);
    notify_render_subject(&r, &b);
    assert_true(strncmp(b.data, "[DRILL] 3 notifications: ", 25) == 0);
    items[2].inc = NULL;
    inc.drill = false;
    buf_reset(&b);
    notify_render_text(&r, &b);
    assert_true(strncmp(b.data, "3 notifications:\n", 17) == 0);
    assert_non_null(strstr(b.data, "\n2. [SEV2] INC-2026-11-23-002: Slow\ntwo\n"));
    assert_non_null(strstr(b.data, "\n3. Hand-off\nthree\n"));
    buf_reset(&b);
    notify_render_sms(&r, &b);
    assert_string_equal(b.data, "3 notifications: [SEV1] INC-2026-11-23-001: Down (ACK 7); "
                                "[SEV2] INC-2026-11-23-002: Slow (ACK 8); Hand-off");
    buf_free(&b);
    assert_string_equal(notify_event_type("page"), "incident.page");
    assert_string_equal(notify_event_type("handoff"), "oncall.handoff");
    assert_string_equal(notify_event_type("nonsense"), "notification.info");
    assert_string_equal(notify_kind_name(NOTIFY_REMINDER), "reminder");
    assert_int_equal(notify_kind_parse("info"), NOTIFY_INFO);
    assert_int_equal(notify_kind_parse("x"), -1);
}

/* ---- ack links ---- */

static void test_ack_tokens(void **state)
{
    unsigned char key[ACKLINK_KEY_LEN], other[ACKLINK_KEY_LEN];
    memset(key, 7, sizeof key);
    memset(other, 8, sizeof other);
    char tok[ACKLINK_TOKEN_MAX];
    struct acklink link;
    acklink_sign(key, "INC-2026-11-23-001", "alice", T1 + 1000, tok);
    assert_true(strlen(tok) > 40 && strchr(tok, '.'));
    assert_int_equal(acklink_verify(key, tok, T1, &link), ACKLINK_OK);
    assert_string_equal(link.incident, "INC-2026-11-23-001");
    assert_string_equal(link.user, "alice");
    assert_int_equal(link.expires, T1 + 1000);
    assert_int_equal(acklink_verify(key, tok, T1 + 1000, &link), ACKLINK_EXPIRED);
    assert_string_equal(link.user, "alice");
    assert_int_equal(acklink_verify(other, tok, T1, &link), ACKLINK_BAD);
    /* every single-character change is refused */
    for (size_t i = 0; tok[i]; i++) {
        char t2[ACKLINK_TOKEN_MAX];
        snprintf(t2, sizeof t2, "%s", tok);
        t2[i] = t2[i] == 'A' ? 'B' : 'A';
        if (t2[i] == tok[i])
            continue;
        assert_int_equal(acklink_verify(key, t2, T1, &link), ACKLINK_BAD);
    }
    const char *bad[] = {"", ".", "abc", "abc.", ".abc", "a.b.c", "!!!.###"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(acklink_verify(key, bad[i], T1, &link), ACKLINK_BAD);
    assert_int_equal(acklink_verify(key, NULL, T1, &link), ACKLINK_BAD);
    /* the longest ids still fit a route parameter */
    char user[65];
    memset(user, 'u', 64);
    user[64] = '\0';
    acklink_sign(key, "INC-2026-11-23-123456789", user, INT64_MAX, tok);
    assert_true(tok[0] && strlen(tok) < ACKLINK_TOKEN_MAX);
    assert_int_equal(acklink_verify(key, tok, T1, &link), ACKLINK_OK);
    acklink_sign(key, "INC|1", "alice", T1, tok);
    assert_string_equal(tok, "");
}

/* ---- methods and config ---- */

#define USERS_YAML                                                                                 \
    "severities:\n"                                                                                \
    "  - {id: SEV1, name: Critical, notify: [voice, sms, email, slack]}\n"                         \
    "  - {id: SEV2, name: Major, notify: [email]}\n"                                               \
    "  - {id: SEV3, name: Minor, notify: [ticket]}\n"                                              \
    "users:\n"                                                                                     \
    "  - id: alice\n"                                                                              \
    "    email: alice@example.com\n"                                                               \
    "    phone: \"+15550101\"\n"                                                                   \
    "    webhook: \"http://127.0.0.1:9/h\"\n"                                                      \
    "    webhook_secret: " SECRET "\n"                                                             \
    "    notify:\n"                                                                                \
    "      - {severity: [SEV1], methods: [webhook, sms], after: 2m}\n"                             \
    "      - {severity: [SEV2], methods: [sms]}\n"                                                 \
    "      - {severity: [SEV1], methods: [voice], after: 5m}\n"                                    \
    "      - {severity: [SEV1], methods: [email], after: 10m}\n"                                   \
    "      - {severity: [SEV2], methods: [sms], after: 10m}\n"                                     \
    "  - {id: bob, email: bob@example.com, phone: \"+15550102\"}\n"                                \
    "  - {id: carol, slack: \"https://hooks.example/x\"}\n"                                        \
    "  - {id: dave}\n"

static void test_choose_methods(void **state)
{
    struct config_errors errs = {0};
    struct config *c = load(USERS_YAML, &errs);
    for (size_t i = 0; i < errs.count; i++)
        print_error("%s\n", errs.items[i]);
    assert_non_null(c);
    const struct config_user *alice = config_user_find(c, "alice");
    const struct config_user *bob = config_user_find(c, "bob");
    const struct config_user *carol = config_user_find(c, "carol");
    const struct config_user *dave = config_user_find(c, "dave");
    struct notify_choice ch[NOTIFY_CHOICES_MAX];
    const char *m[NOTIFY_METHODS];
    char why[200];
    /* every matching rule, each with its delay: SEV1 matches rules 1, 3 and 4 */
    assert_int_equal(notify_choose(c, alice, "SEV1", ch, why, sizeof why), 4);
    assert_string_equal(ch[0].method, "webhook");
    assert_string_equal(ch[1].method, "sms");
    assert_int_equal(ch[0].after, 2 * MS_PER_MIN);
    assert_int_equal(ch[1].rule, 1);
    assert_string_equal(ch[2].method, "voice"); /* rule 3: a call at +5, mail at +10 */
    assert_int_equal(ch[2].after, 5 * MS_PER_MIN);
    assert_string_equal(ch[3].method, "email");
    assert_int_equal(ch[3].after, 10 * MS_PER_MIN);
    assert_int_equal(ch[3].rule, 4);
    assert_string_equal(why, "rules 1, 3, 4 of user alice");
    assert_int_equal(notify_choose(c, alice, "SEV2", ch, why, sizeof why), 2);
    assert_string_equal(ch[0].method, "sms");
    assert_int_equal(ch[0].after, 0);
    assert_string_equal(ch[1].method, "sms"); /* the same method again, later */
    assert_int_equal(ch[1].after, 10 * MS_PER_MIN);
    assert_string_equal(why, "rules 2, 5 of user alice");
    /* no rule matches: every method she has (ticket is no user's method; voice never by
     * default) */
    assert_int_equal(notify_choose(c, alice, "SEV3", ch, why, sizeof why), 3);
    assert_string_equal(ch[0].method, "email");
    assert_string_equal(ch[1].method, "sms");
    assert_string_equal(ch[2].method, "webhook");
    assert_non_null(strstr(why, "every method"));
    /* the severity's channels bob has, voice among them (named by the severity) */
    assert_int_equal(notify_choose(c, bob, "SEV1", ch, why, sizeof why), 3);
    assert_string_equal(ch[0].method, "voice");
    assert_string_equal(ch[1].method, "sms");
    assert_string_equal(ch[2].method, "email");
    assert_int_equal(ch[0].rule, 0);
    assert_string_equal(why, "channels of severity SEV1");
    assert_int_equal(notify_choose(c, bob, "SEV2", ch, why, sizeof why), 1);
    assert_string_equal(ch[0].method, "email");
    /* ticket only, or no incident: every method the user has */
    assert_int_equal(notify_choose(c, bob, "SEV3", ch, why, sizeof why), 2);
    assert_int_equal(notify_choose(c, bob, NULL, ch, why, sizeof why), 2);
    assert_int_equal(notify_choose(c, carol, "SEV2", ch, why, sizeof why), 1);
    assert_string_equal(ch[0].method, "slack");
    assert_int_equal(notify_choose(c, dave, "SEV1", ch, why, sizeof why), 0);
    /* what bob cannot take of SEV1's channels: slack (no URL); voice is not configured */
    struct notify_dropped dr[NOTIFY_METHODS];
    const char *chosen[] = {"voice", "sms", "email"};
    assert_int_equal(notify_dropped_methods(c, bob, "SEV1", chosen, 3, dr), 4);
    assert_string_equal(dr[0].method, "slack");
    assert_string_equal(dr[0].why, "the user has no address for it");
    assert_string_equal(dr[1].method, "voice");
    assert_string_equal(dr[1].why, "notify.voice is not configured");
    /* fallback order: rule methods first (file order), then the rest as email, sms, slack,
     * webhook */
    assert_int_equal(notify_user_methods(alice, m), 4);
    assert_string_equal(m[0], "webhook");
    assert_string_equal(m[1], "sms");
    assert_string_equal(m[2], "voice"); /* named by her rule 3 */
    assert_string_equal(m[3], "email");
    assert_int_equal(notify_user_methods(dave, m), 0);
    assert_string_equal(notify_user_address(alice, "sms"), "+15550101");
    assert_null(notify_user_address(carol, "email"));
    assert_string_equal(notify_user_address(alice, "voice"), "+15550101"); /* a call: her phone */
    config_unref(c);
}

static void test_notify_config(void **state)
{
    struct config_errors errs = {0};
    struct config *c = load("severities: [{id: SEV1, name: Critical}]\n", &errs);
    assert_non_null(c);
    assert_int_equal(c->notify.throttle, MS_PER_MIN);
    assert_int_equal(c->notify.max_attempts, 8);
    assert_int_equal(c->notify.backoff, 5000);
    assert_int_equal(c->notify.max_backoff, 5 * MS_PER_MIN);
    assert_int_equal(c->notify.ack_link_ttl, 24 * MS_PER_HOUR);
    assert_null(c->notify.email.url);
    assert_null(c->notify.sms.url);
    config_unref(c);
    c = load("severities: [{id: SEV1, name: Critical}]\n"
             "notify:\n"
             "  email: {url: \"smtps://mail.example.com:465\", from: p@example.com, username: u, "
             "password: p, starttls: true}\n"
             "  sms: {url: \"https://gw.example/sms\", content_type: application/json}\n"
             "  throttle: 0s\n"
             "  max_attempts: 3\n",
             &errs);
    assert_non_null(c);
    assert_true(c->notify.email.starttls);
    assert_string_equal(c->notify.sms.content_type, "application/json");
    assert_string_equal(c->notify.sms.body,
                        "{\"to\":\"{{to}}\",\"from\":\"{{from}}\",\"body\":\"{{message}}\"}");
    assert_int_equal(c->notify.throttle, 0);
    assert_int_equal(c->notify.max_attempts, 3);
    config_unref(c);
    c = load("severities: [{id: SEV1, name: Critical}]\n"
             "notify:\n"
             "  sms: {url: \"http://gw\", username: u, password: p, auth_header: \"Basic x\"}\n"
             "  email: {url: \"smtp://m\", from: a@b, username: u}\n"
             "  backoff: 10m\n",
             &errs);
    assert_null(c);
    assert_int_equal(errs.count, 3);
    assert_non_null(strstr(errs.items[0], ":3: notify.sms.auth_header: use either"));
    assert_non_null(strstr(errs.items[1], ":4: notify.email: username and password go together"));
    assert_non_null(strstr(errs.items[2], ":5: notify.backoff: longer than max_backoff"));
    config_errors_free(&errs);
}

/* ---- notify_enqueue on a real store ---- */

struct enq {
    const struct config *cfg;
    const struct notify_message *m;
    int64_t now;
    int queued;
};

static enum result enq_job(struct store_conn *tx, void *arg, struct error *err)
{
    struct enq *e = arg;
    return notify_enqueue(tx, e->cfg, e->m, e->now, &e->queued, err);
}

static int count_rows(const struct store_notification *n, void *arg)
{
    int *c = arg;
    (*c)++;
    assert_string_equal(n->status, "pending");
    assert_string_equal(n->dkey, "step:0:1");
    /* webhook and sms at +2 (rule 1), voice at +5 (rule 3), email at +10 (rule 4) */
    int64_t want = strcmp(n->method, "voice") == 0 ? 5 : strcmp(n->method, "email") == 0 ? 10 : 2;
    assert_int_equal(n->due_at, T1 + want * MS_PER_MIN);
    assert_non_null(strstr(n->subject, "[SEV1] INC-2026-11-23-001: DB down"));
    assert_non_null(strstr(n->body, "Why you: escalation step 1"));
    return 0;
}

static int count_queued(const struct timeline_entry *e, void *arg)
{
    if (strcmp(e->kind, "notify.queued") == 0)
        (*(int *)arg)++;
    return 0;
}

static void test_enqueue_once(void **state)
{
    struct config_errors errs = {0};
    struct config *c = load(USERS_YAML, &errs);
    assert_non_null(c);
    char path[200];
    snprintf(path, sizeof path, "%s/n.db", tmp_dir);
    struct error err = {0};
    struct store *s = store_open("sqlite", path, &err);
    assert_non_null(s);
    struct incident inc;
    incident_init(&inc, "INC-2026-11-23-001", "DB down", "SEV1", NULL, NULL, NULL, false, T1);
    struct notify_message m = {.kind = NOTIFY_PAGE,
                               .key = "step:0:1",
                               .user = "alice",
                               .inc = &inc,
                               .reason = "escalation step 1"};
    struct enq e = {.cfg = c, .m = &m, .now = T1};
    assert_int_equal(store_write(s, enq_job, &e, &err), OK);
    assert_int_equal(e.queued, 4);
    assert_int_equal(store_write(s, enq_job, &e, &err), OK); /* again: nothing new */
    assert_int_equal(e.queued, 0);
    int rows = 0, queued = 0;
    struct store_conn *rd = store_reader(s, &err);
    assert_int_equal(store_notification_list(rd, inc.id, count_rows, &rows), OK);
    assert_int_equal(rows, 4);
    assert_int_equal(store_timeline_scan(rd, inc.id, count_queued, &queued), OK);
    assert_int_equal(queued, 1);
    int64_t due = 0;
    assert_int_equal(store_notification_next_due(rd, &due), OK);
    assert_int_equal(due, T1 + 2 * MS_PER_MIN);
    /* unknown user, a user with no method: 422; no key: refused */
    m.user = "zed";
    assert_int_equal(store_write(s, enq_job, &e, &err), ERR_UNPROCESSABLE);
    m.user = "dave";
    assert_int_equal(store_write(s, enq_job, &e, &err), ERR_UNPROCESSABLE);
    assert_non_null(strstr(err.message, "no contact method"));
    m.user = "alice";
    m.key = NULL;
    assert_int_not_equal(store_write(s, enq_job, &e, &err), OK);
    incident_free_fields(&inc);
    store_close(s);
    config_unref(c);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_backoff_bounds),        cmocka_unit_test(test_retry_after),
        cmocka_unit_test(test_classify_http),         cmocka_unit_test(test_utf8_fix),
        cmocka_unit_test(test_webhook_signature),     cmocka_unit_test(test_escaping_and_templates),
        cmocka_unit_test(test_render_bundle_and_sms), cmocka_unit_test(test_ack_tokens),
        cmocka_unit_test(test_choose_methods),        cmocka_unit_test(test_notify_config),
        cmocka_unit_test(test_enqueue_once),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
