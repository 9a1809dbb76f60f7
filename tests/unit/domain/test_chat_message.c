/*
 * Unit tests for chat_message.c and slack_signature.c: channel names from the format (each
 * placeholder, Slack's character rules, the 80-character cut keeping the "-N" suffix), unknown
 * placeholders refused naming them, bridge templates, chat lines, and Slack's v0 signature (a
 * known vector computed with Python's hmac, a changed byte, the 5-minute window both ways, a
 * missing header). Pure: times come in.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domain/chat_message.h"
#include "domain/slack_signature.h"
#include "util/buf.h"

#define T0 1796630400000LL /* 2026-12-07T08:00:00Z */

static struct incident inc_of(const char *title)
{
    struct incident inc = {.title = (char *)title,
                           .severity = "SEV1",
                           .service = "Checkout API",
                           .created_at = T0 + 3600000};
    snprintf(inc.id, sizeof inc.id, "INC-2026-12-07-001");
    return inc;
}

static void test_names(void **state)
{
    (void)state;
    struct incident inc = inc_of("Checkout API: 502s!");
    char out[CHAT_NAME_MAX + 1];
    chat_channel_name("inc-{date}-{short_name}", &inc, 1, out);
    assert_string_equal(out, "inc-2026-12-07-checkout-api-502s");
    chat_channel_name("#incident-{id}", &inc, 2, out);
    assert_string_equal(out, "incident-inc-2026-12-07-001-2");
    chat_channel_name("{severity}_{service} {type}", &inc, 1, out);
    assert_string_equal(out, "sev1_checkout-api-none");
    chat_channel_name(NULL, &inc, 3, out); /* the default */
    assert_string_equal(out, "inc-2026-12-07-checkout-api-502s-3");
    char long_title[200];
    memset(long_title, 'a', sizeof long_title - 1);
    long_title[sizeof long_title - 1] = '\0';
    inc.title = long_title;
    chat_channel_name("{short_name}-{short_name}-{short_name}", &inc, 12, out);
    assert_true(strlen(out) <= CHAT_NAME_MAX);
    assert_string_equal(out + strlen(out) - 3, "-12");
}

static void test_format_check(void **state)
{
    (void)state;
    char why[256];
    assert_null(chat_format_check("inc-{date}-{short_name}", why, sizeof why));
    assert_non_null(chat_format_check("inc-{dat}", why, sizeof why));
    assert_non_null(strstr(why, "{dat}"));
    assert_non_null(chat_format_check("inc-{date", why, sizeof why));
    assert_non_null(chat_format_check("", why, sizeof why));
    assert_null(chat_bridge_check("https://meet.example.com/{id}", why, sizeof why));
    assert_non_null(chat_bridge_check("https://meet.example.com/{short_name}", why, sizeof why));
    assert_non_null(chat_bridge_check("ftp://x/{id}", why, sizeof why));
    struct incident inc = inc_of("x");
    char url[CHAT_URL_MAX];
    chat_bridge_url("https://meet.example.com/{id}", &inc, url, sizeof url);
    assert_string_equal(url, "https://meet.example.com/inc-2026-12-07-001");
}

static void test_lines(void **state)
{
    (void)state;
    struct incident inc = inc_of("DB <down> & out");
    struct buf b;
    buf_init(&b, 256);
    chat_announce(&inc, "inc-x", "https://meet/1", &b);
    assert_string_equal(b.data,
                        ":rotating_light: INC-2026-12-07-001 opened - SEV1 - DB &lt;down&gt; "
                        "&amp; out - #inc-x - bridge: https://meet/1");
    buf_reset(&b);
    json_t *d = json_pack("{s:s,s:s}", "from", "SEV2", "to", "SEV1");
    assert_true(chat_change("incident.severity_changed", d, "alice", &inc, NULL, &b));
    assert_string_equal(b.data,
                        ":rotating_light: INC-2026-12-07-001 severity SEV2 -> SEV1, by alice");
    buf_reset(&b);
    assert_false(chat_change("alert.received", d, "alice", &inc, NULL, &b));
    json_decref(d);
    d = json_pack("{s:s,s:s,s:s,s:b}", "from", "acknowledged", "to", "resolved", "message", "fixed",
                  "public", 1);
    assert_true(chat_change("incident.resolved", d, "bob", &inc, NULL, &b));
    assert_non_null(strstr(b.data, "Public update:* fixed"));
    json_decref(d);
    buf_reset(&b);
    inc.roles[ROLE_COMMANDER] = "alice";
    chat_topic(&inc, "https://meet/1", NULL, &b);
    assert_string_equal(b.data, "SEV1 | triggered | Commander: alice | Bridge: https://meet/1");
    buf_free(&b);
}

/* python3: hmac.new(b"8f742231b10e8888abcd99yyyzzz85a5", b"v0:1531420618:token=x&text=hi",
 * hashlib.sha256).hexdigest() */
#define SECRET "8f742231b10e8888abcd99yyyzzz85a5"
#define BODY "token=x&text=hi"
#define SIG "v0=af20f4280ae8a242c8b86ff31bb3b78b22919d137c384584e67c7495c6e5d9de"

static void test_signature(void **state)
{
    (void)state;
    int64_t now = 1531420618LL * 1000 + 2000;
    char sig[3 + SLACK_SIG_HEX + 1];
    slack_signature_make(SECRET, "1531420618", BODY, strlen(BODY), sig);
    assert_int_equal(strncmp(sig, "v0=", 3), 0);
    assert_int_equal(strlen(sig), 67);
    assert_int_equal(slack_signature_check(SECRET, "1531420618", sig, BODY, strlen(BODY), now),
                     SLACK_SIG_OK);
    char bad[sizeof sig];
    memcpy(bad, sig, sizeof sig);
    bad[10] = bad[10] == 'a' ? 'b' : 'a';
    assert_int_equal(slack_signature_check(SECRET, "1531420618", bad, BODY, strlen(BODY), now),
                     SLACK_SIG_BAD);
    assert_int_equal(
        slack_signature_check(SECRET, "1531420618", sig, "token=x&text=ho", strlen(BODY), now),
        SLACK_SIG_BAD);
    assert_int_equal(
        slack_signature_check("other-secret", "1531420618", sig, BODY, strlen(BODY), now),
        SLACK_SIG_BAD);
    assert_int_equal(slack_signature_check(SECRET, "1531420618", "v0=12", BODY, strlen(BODY), now),
                     SLACK_SIG_BAD);
    /* the window: 5 minutes either way */
    assert_int_equal(
        slack_signature_check(SECRET, "1531420618", sig, BODY, strlen(BODY), now + 297 * 1000LL),
        SLACK_SIG_OK);
    assert_int_equal(
        slack_signature_check(SECRET, "1531420618", sig, BODY, strlen(BODY), now + 301 * 1000LL),
        SLACK_SIG_STALE);
    assert_int_equal(
        slack_signature_check(SECRET, "1531420618", sig, BODY, strlen(BODY), now - 310 * 1000LL),
        SLACK_SIG_STALE);
    assert_int_equal(slack_signature_check(SECRET, "15314x0618", sig, BODY, strlen(BODY), now),
                     SLACK_SIG_STALE);
    assert_int_equal(slack_signature_check(SECRET, NULL, sig, BODY, strlen(BODY), now),
                     SLACK_SIG_MISSING);
    assert_int_equal(slack_signature_check(SECRET, "1531420618", NULL, BODY, strlen(BODY), now),
                     SLACK_SIG_MISSING);
    assert_int_equal(slack_signature_check("", "1531420618", sig, BODY, strlen(BODY), now),
                     SLACK_SIG_MISSING);
    /* the known vector, computed independently */
    assert_string_equal(sig, SIG);
}

/* Mattermost: the command token compared whole, and the buttons' signatures per action and
 * incident (an Acknowledge signature does not resolve, nor another incident). */
static void test_mattermost_secrets(void **state)
{
    (void)state;
    assert_true(chat_secret_equal("tok-123", "tok-123"));
    assert_false(chat_secret_equal("tok-123", "tok-124"));
    assert_false(chat_secret_equal("tok-123", "tok-12"));
    assert_false(chat_secret_equal("", ""));
    assert_false(chat_secret_equal(NULL, "x"));
    char ack[3 + SLACK_SIG_HEX + 1], res[3 + SLACK_SIG_HEX + 1], other[3 + SLACK_SIG_HEX + 1];
    chat_action_sig("k", "ack", "INC-1", 1000, ack);
    chat_action_sig("k", "resolve", "INC-1", 1000, res);
    chat_action_sig("k", "ack", "INC-2", 1000, other);
    assert_int_equal(strlen(ack), 3 + SLACK_SIG_HEX);
    assert_string_not_equal(ack, res);
    assert_string_not_equal(ack, other);
    chat_action_sig("k", "ack", "INC-1", 1001, other); /* the time is signed too */
    assert_string_not_equal(ack, other);
    chat_action_sig("k", "ack", "INC-1", 1000, res);
    assert_string_equal(ack, res);
}

static void test_emoji_chars(void **state)
{
    (void)state;
    struct buf b;
    buf_init(&b, 256);
    chat_emoji_chars(":eyes: INC-1 acknowledged :white_check_mark: :unknown: a:b ::", &b);
    assert_string_equal(b.data, "\U0001F440 INC-1 acknowledged \u2705 :unknown: a:b ::");
    buf_free(&b);
    buf_init(&b, 256);
    chat_emoji_chars(":mega:", &b);
    assert_string_equal(b.data, "\U0001F4E3");
    buf_free(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_emoji_chars),  cmocka_unit_test(test_names),
        cmocka_unit_test(test_format_check), cmocka_unit_test(test_lines),
        cmocka_unit_test(test_signature),    cmocka_unit_test(test_mattermost_secrets),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
