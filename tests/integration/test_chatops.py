"""Chat-ops (docs/chatops.md): the Slack app against a local fake of Slack's Web API, Teams cards
against a fake webhook (chat_fakes.py). One server for the module (dev clock); the kill -9 test
has its own. What is asserted: the channel named per format and unique (name_taken -> "-2"),
invites by email lookup, the topic, the pinned summary, the announcement, each change posted once,
the thread mode (SEV2), Retry-After honoured on `ratelimited`, failures on the timeline and in
/metrics, the archive after archive_after, the Teams card's shape, and one channel after a kill -9
between Slack's "created" and tocsin's record of it.
"""
import hashlib
import itertools
import hmac
import json
import os
import urllib.parse

import pytest

from chat_fakes import FakeSlack, FakeTeams, wait_for
from tocsin_harness import Server, parse_time, require_bin

TOKEN = "xoxb-test-token"
SECRET = "slack-signing-secret-0123456789"
# carol is not on Slack; zed is on Slack but not a tocsin user
USERS = {"alice@example.com": "UALICE", "bob@example.com": "UBOB", "zed@example.org": "UZED"}

CONFIG = """\
server: {{listen: "127.0.0.1:8080", public_url: "http://tocsin.test"}}
severities:
  - {{id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, notify: [email], postmortem: {{required: true, due: 48h}}}}
  - {{id: SEV2, name: Major, ack_within: 30m, notify: [email]}}
  - {{id: SEV3, name: Minor, notify: [email]}}
  - {{id: SEV4, name: Low, notify: [email]}}
users:
  - {{id: alice, name: Alice, email: alice@example.com}}
  - {{id: bob, name: Bob, email: bob@example.com}}
  - {{id: carol, name: Carol, email: carol@example.com}}
services:
  - {{id: api, name: API Gateway}}
escalation_policies:
  - id: default
    steps:
      - {{after: 0m, notify: [user:bob]}}
chatops:
  channel_format: "inc-{{date}}-{{short_name}}"
  modes: {{SEV2: thread, SEV4: none}}
  archive_after: 1h
  bridge: "https://meet.example.com/{{id}}"
  bridges: {{SEV2: "https://meet.example.com/sev2-standing-room"}}
  slack:
    api_url: "{slack}"
    bot_token_env: TEST_SLACK_TOKEN
    signing_secret_env: TEST_SLACK_SECRET
    announce_channel: incidents
  teams:
    webhook_url_env: TEST_TEAMS_URL
"""


def start(root, slack, teams):
    s = Server(root, dev_clock=True, config_text=CONFIG.format(slack=slack.url))
    s.env = {"TEST_SLACK_TOKEN": TOKEN, "TEST_SLACK_SECRET": SECRET, "TEST_TEAMS_URL": teams.url}
    s.start()
    return s


@pytest.fixture(scope="module")
def chat(tmp_path_factory):
    require_bin()
    slack, teams = FakeSlack(TOKEN, USERS), FakeTeams()
    s = start(tmp_path_factory.mktemp("chat"), slack, teams)
    yield s, slack, teams
    try:
        s.teardown()
    finally:
        slack.stop()
        teams.stop()


def ops_settled(s, iid):
    """Every chat op of the incident done (or failed): judged from the timeline's chat entries
    and the fake; returns the timeline."""
    return s.timeline(iid)


def kinds(s, iid):
    return [e["kind"] for e in s.timeline(iid)]


def channel_of(slack, name):
    chans = slack.channel_named(name)
    return chans[0]["id"] if len(chans) == 1 else None


def day(inc):
    return inc["created_at"][:10]


def test_sev1_from_declare_to_close(chat):
    s, slack, teams = chat
    first = len(slack.calls)
    inc = s.create(title="Checkout API 502s", severity="SEV1", service="api")
    iid = inc["id"]
    name = f"inc-{day(inc)}-checkout-api-502s"
    cid = wait_for(lambda: channel_of(slack, name))
    # the announcement comes last in the declaration's steps
    wait_for(lambda: [p for p in slack.posts_in("incidents") if iid in p["text"]])
    assert len(slack.of("conversations.create", name=name)) == 1
    assert s.get(iid)["bridge"] == f"https://meet.example.com/{iid.lower()}"
    topic = slack.of("conversations.setTopic", channel=cid)[0].args["topic"]
    assert topic.startswith("SEV1 | triggered")
    assert f"Bridge: https://meet.example.com/{iid.lower()}" in topic
    assert "Status: http://tocsin.test/status" in topic
    summary = slack.posts_in(cid)[0]["text"]
    assert iid in summary and "Checkout API 502s" in summary
    pins = slack.of("pins.add", channel=cid)
    assert len(pins) == 1 and pins[0].args["timestamp"]
    announce = [p for p in slack.posts_in("incidents") if iid in p["text"]]
    assert len(announce) == 1
    assert announce[0]["text"].startswith(f":rotating_light: {iid} opened - SEV1 - Checkout API 502s - #{name}")
    # bob is paged at once (step 1): the escalation is posted and bob invited (looked up by email)
    wait_for(lambda: "UBOB" in slack.channels[cid]["members"])
    assert slack.of("users.lookupByEmail", email="bob@example.com")

    s.api("PUT", f"/api/v1/incidents/{iid}/roles/commander", {"user": "alice"})
    s.move(iid, "acknowledged")
    s.move(iid, "resolved", message="Rolled back the deploy", public=True)
    s.move(iid, "closed", postmortem="https://wiki.example.com/pm/1", postmortem_waiver="test: no post-mortem needed here")
    wait_for(lambda: any("closed by" in p["text"] for p in slack.posts_in(cid)))
    posts = [p["text"] for p in slack.posts_in(cid)]
    for words in ("escalated (step 1): paged bob", "alice is now commander", "acknowledged by",
                  "resolved by", "closed by"):
        assert sum(words in p for p in posts) == 1, (words, posts)
    assert any("Public update:* Rolled back the deploy" in p for p in posts)
    assert any("Post-mortem:* https://wiki.example.com/pm/1" in p for p in posts)
    assert "Commander: alice" in slack.channels[cid]["topic"]
    assert slack.channels[cid]["topic"].startswith("SEV1 | closed")
    # archived only after archive_after (1h)
    assert not slack.of("conversations.archive", channel=cid)
    s.advance("61m")
    wait_for(lambda: slack.of("conversations.archive", channel=cid))
    assert slack.channels[cid]["archived"]
    assert "chat.channel_created" in kinds(s, iid)
    # Teams heard of it too: cards for the declaration, the page, each state change
    cards = [c for c in teams.cards() if iid in json.dumps(c)]
    assert len(cards) >= 5
    texts = [c["attachments"][0]["content"]["body"][0]["text"] for c in cards]
    assert texts[0].startswith(f"\U0001F6A8 {iid} opened - SEV1"), texts[0]  # no ":rotating_light:"
    assert not any(":rotating_light:" in t or ":eyes:" in t for t in texts), texts
    # the messages as the fakes received them (CHATOPS_TRANSCRIPT=file: written there)
    transcript(f"Slack Web API, {iid} (SEV1) from declare to archive",
               slack.calls[first:], cards, write=True)


def transcript(title, calls, cards=(), write=False):
    out = os.environ.get("CHATOPS_TRANSCRIPT")
    if not out:
        return
    lines = [f"== {title}: {len(calls)} calls, in the order the fake received them", ""]
    for c in calls:
        if hasattr(c, "path"):  # Mattermost: the path asked and the JSON body
            method, args = c.path, c.body
        else:
            method = c.method
            args = {k: (json.loads(v) if k == "blocks" else v) for k, v in c.args.items()}
        lines.append(f"{method} {json.dumps(args, sort_keys=True, ensure_ascii=False)}")
        lines.append(f"  -> ok={c.ok}")
    if cards:
        lines += ["", f"== Microsoft Teams workflow webhook: {len(cards)} cards", ""]
        lines += [json.dumps(c, ensure_ascii=False, indent=1) for c in cards]
    with open(out, "w" if write else "a") as f:
        f.write("\n".join(lines) + "\n\n")


def test_taken_name_gets_a_suffix(chat):
    s, slack, teams = chat
    inc = s.create(title="Database down", severity="SEV1")
    name = f"inc-{day(inc)}-database-down"
    inc2 = s.create(title="Database down", severity="SEV1")
    cid1 = wait_for(lambda: channel_of(slack, name))
    cid2 = wait_for(lambda: channel_of(slack, name + "-2"))
    assert cid1 != cid2
    wait_for(lambda: [p for p in slack.posts_in("incidents") if inc2["id"] in p["text"]])
    assert [p for p in slack.posts_in("incidents") if inc2["id"] in p["text"]][0]["text"].endswith(
        f"#{name}-2 - bridge: https://meet.example.com/{inc2['id'].lower()}")


def test_sev2_is_a_thread_in_the_announce_channel(chat):
    s, slack, teams = chat
    inc = s.create(title="Search slow", severity="SEV2")
    iid = inc["id"]
    wait_for(lambda: [p for p in slack.posts_in("incidents") if iid in p["text"]])
    assert not slack.of("conversations.create", name=f"inc-{day(inc)}-search-slow")
    s.move(iid, "acknowledged")
    thread = wait_for(lambda: [c.args for c in slack.of("chat.postMessage")
                               if c.args.get("thread_ts") and iid in c.args["text"]
                               and "acknowledged" in c.args["text"]])
    announce = [c for c in slack.of("chat.postMessage") if iid in c.args["text"] and "opened" in c.args["text"]]
    assert len(announce) == 1 and len(thread) == 1
    assert thread[0]["thread_ts"] == announce[0].answer["ts"]
    assert thread[0]["channel"] == announce[0].answer["channel"]
    assert "bridge: https://meet.example.com/sev2-standing-room" in announce[0].args["text"]
    assert s.get(iid)["bridge"] == "https://meet.example.com/sev2-standing-room"
    assert "thread" not in kinds(s, iid)


def test_sev4_mode_none_says_nothing_in_slack(chat):
    s, slack, teams = chat
    inc = s.create(title="Typo on the pricing page", severity="SEV4")
    s.move(inc["id"], "acknowledged")
    wait_for(lambda: [c for c in teams.cards() if inc["id"] in json.dumps(c) and "acknowledged" in json.dumps(c)])
    assert not [c for c in slack.calls if inc["id"] in json.dumps(c.args)]


def test_ratelimited_waits_for_retry_after(chat):
    s, slack, teams = chat
    inc = s.create(title="Cache stampede", severity="SEV1")
    iid = inc["id"]
    wait_for(lambda: [p for p in slack.posts_in("incidents") if iid in p["text"]])
    cid = channel_of(slack, f"inc-{day(inc)}-cache-stampede")
    wait_for(lambda: "escalation.step" in kinds(s, iid) and any("escalated" in p["text"] for p in slack.posts_in(cid)))
    slack.ratelimit_next["chat.postMessage"] = [120]
    before = len(slack.of("chat.postMessage"))
    s.move(iid, "acknowledged")
    wait_for(lambda: "chat.retry" in kinds(s, iid))
    retry = [e for e in s.timeline(iid) if e["kind"] == "chat.retry"][0]
    assert retry["data"]["error"] == "slack chat.postMessage: ratelimited"
    # not tried again before Retry-After (the dev clock has not moved): one refused call only
    s.advance("100s")
    assert len(slack.of("chat.postMessage")) == before + 1
    s.advance("30s")
    wait_for(lambda: any("acknowledged by" in p["text"] for p in slack.posts_in(cid)))
    assert sum("acknowledged by" in p["text"] for p in slack.posts_in(cid)) == 1


def test_permanent_error_is_on_the_timeline_and_in_metrics(chat):
    s, slack, teams = chat
    inc = s.create(title="Login errors", severity="SEV1")
    iid = inc["id"]
    wait_for(lambda: [p for p in slack.posts_in("incidents") if iid in p["text"]])
    wait_for(lambda: "escalation.step" in kinds(s, iid))
    slack.fail_next["chat.postMessage"] = ["channel_not_found"]
    s.move(iid, "acknowledged")
    wait_for(lambda: "chat.failed" in kinds(s, iid))
    failed = [e for e in s.timeline(iid) if e["kind"] == "chat.failed"][0]
    assert failed["data"]["error"] == "slack chat.postMessage: channel_not_found"
    st, _ = s.api("GET", "/healthz")
    m = s.request("GET", "/metrics", token=None)
    text = m.body.decode() if isinstance(m.body, bytes) else m.body
    line = [ln for ln in text.splitlines()
            if ln.startswith('tocsin_chat_calls_total{provider="slack",result="failed"}')][0]
    assert int(line.split()[-1]) >= 1


def test_kill9_mid_declare_leaves_one_channel(tmp_path):
    require_bin()
    slack, teams = FakeSlack(TOKEN, USERS), FakeTeams()
    import threading
    slack.hold_create = threading.Event()
    s = start(tmp_path / "k", slack, teams)
    try:
        inc = s.create(title="Payments double charge", severity="SEV1")
        name = f"inc-{day(inc)}-payments-double-charge"
        assert slack.create_seen.wait(15)
        assert channel_of(slack, name)        # Slack made it; tocsin has not recorded the answer
        s.kill9()
        slack.hold_create.set()
        slack.hold_create = None
        s.restart()
        wait_for(lambda: [p for p in slack.posts_in("incidents") if inc["id"] in p["text"]])
        assert len(slack.channel_named(name)) == 1
        assert not slack.channel_named(name + "-2")
        assert len(slack.of("conversations.create")) == 2  # the retry got name_taken: ours, adopted
        created = [e for e in s.timeline(inc["id"]) if e["kind"] == "chat.channel_created"]
        assert len(created) == 1 and created[0]["data"]["id"] == channel_of(slack, name)
    finally:
        s.teardown()
        slack.stop()
        teams.stop()


# ---- commands from chat (api/chatops.c) ----

def clock_s(s):
    from tocsin_harness import parse_time
    return int(parse_time(s.now()).timestamp())


def signed(s, path, form, secret=SECRET, age=0, signature=None):
    body = urllib.parse.urlencode(form)
    ts = str(clock_s(s) - age)
    sig = "v0=" + hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    r = s.request("POST", path, raw=body, token=None, check=False,
                  headers={"Content-Type": "application/x-www-form-urlencoded",
                           "X-Slack-Request-Timestamp": ts,
                           "X-Slack-Signature": signature or sig})
    return r.status, json.loads(r.body or b"{}")


def command(s, user, text, channel="CSOMEWHERE", **kw):
    return signed(s, "/api/v1/chat/slack/commands",
                  {"token": "legacy", "command": "/tocsin", "text": text, "user_id": user,
                   "user_name": user.lower(), "channel_id": channel, "team_id": "T1",
                   "response_url": "http://127.0.0.1:1/none", "trigger_id": "1.2.3"}, **kw)


def incident_count(s):
    st, j = s.api("GET", "/api/v1/incidents?status=all&limit=500")
    return len(j["incidents"]) if isinstance(j, dict) else len(j)


def test_bad_or_replayed_signature_is_401_with_nothing_done(chat):
    s, slack, teams = chat
    before = incident_count(s)
    st, j = command(s, "UALICE", "declare SEV3 Forged", signature="v0=" + "0" * 64)
    assert st == 401 and "does not match" in j["error"]["message"]
    st, j = command(s, "UALICE", "declare SEV3 Forged", secret="not-the-secret-at-all")
    assert st == 401
    st, j = command(s, "UALICE", "declare SEV3 Replayed", age=6 * 60)
    assert st == 401 and "5-minute" in j["error"]["message"]
    r = s.request("POST", "/api/v1/chat/slack/commands", raw="text=declare+SEV3+x&user_id=UALICE",
                  token=None, check=False,
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 401
    assert incident_count(s) == before
    assert not slack.of("users.info")  # not even asked who it was


def test_unlinked_user_is_told_and_nothing_happens(chat):
    s, slack, teams = chat
    before = incident_count(s)
    st, j = command(s, "UZED", "declare SEV3 Somebody else")
    assert st == 200 and j["response_type"] == "ephemeral"
    assert "not linked" in j["text"] and "zed@example.org" in j["text"]
    st, j = command(s, "UNOBODY", "declare SEV3 Nobody")
    assert st == 200 and j["response_type"] == "ephemeral" and "not linked" in j["text"]
    assert incident_count(s) == before


def test_commands_run_as_the_linked_user(chat):
    s, slack, teams = chat
    st, j = command(s, "UALICE", "declare SEV3 Disk full on db-3")
    assert st == 200 and j["response_type"] == "in_channel", j
    iid = j["text"].split()[-1]
    inc = s.get(iid)
    assert inc["title"] == "Disk full on db-3" and inc["severity"] == "SEV3"
    declared = [e for e in s.timeline(iid) if e["kind"] == "incident.declared"][0]
    assert declared["actor"] == "user:alice"
    cid = wait_for(lambda: channel_of(slack, f"inc-{day(inc)}-disk-full-on-db-3"))
    wait_for(lambda: "UALICE" in slack.channels[cid]["members"])  # the declarer is invited
    # typed in the incident's channel: no id needed
    st, j = command(s, "UALICE", "note Disk at 97%, cleaning /var/log", channel=cid)
    assert st == 200 and j["response_type"] == "in_channel", j
    assert any(e["kind"] == "incident.note_added" and e["data"]["text"].startswith("Disk at 97%")
               for e in s.timeline(iid))
    st, j = command(s, "UALICE", "status", channel=cid)
    assert j["response_type"] == "ephemeral" and "SEV3 - triggered" in j["text"]
    st, j = command(s, "UALICE", f"severity SEV2 {iid}")
    assert st == 200 and s.get(iid)["severity"] == "SEV2"
    st, j = command(s, "UALICE", "assign commander bob", channel=cid)
    assert s.get(iid)["roles"]["commander"] == "bob", j
    st, j = command(s, "UALICE", "frobnicate", channel=cid)
    assert j["response_type"] == "ephemeral" and j["text"].startswith("Usage:")
    st, j = command(s, "UALICE", "ack", channel="CNOTANINCIDENT")
    assert j["response_type"] == "ephemeral" and "Which incident" in j["text"]
    # the button on a page message
    payload = {"type": "block_actions", "user": {"id": "UALICE"}, "channel": {"id": cid},
               "actions": [{"action_id": "tocsin_ack", "value": iid, "type": "button"}]}
    st, j = signed(s, "/api/v1/chat/slack/actions", {"payload": json.dumps(payload)})
    assert st == 200 and j["response_type"] == "in_channel", j
    assert s.get(iid)["status"] == "acknowledged"
    acked = [e for e in s.timeline(iid) if e["kind"] == "incident.acknowledged"][0]
    assert acked["actor"] == "user:alice"
    wait_for(lambda: any("acknowledged by alice" in p["text"] for p in slack.posts_in(cid)))


def event(s, body, **headers):
    raw = json.dumps(body)
    ts = str(clock_s(s))
    sig = "v0=" + hmac.new(SECRET.encode(), f"v0:{ts}:{raw}".encode(), hashlib.sha256).hexdigest()
    r = s.request("POST", "/api/v1/chat/slack/events", raw=raw, token=None, check=False,
                  allow_503=True, headers=dict({"Content-Type": "application/json",
                                "X-Slack-Request-Timestamp": ts, "X-Slack-Signature": sig},
                               **headers))
    return r.status, json.loads(r.body or b"{}")


EVENT_IDS = itertools.count(1)


def reaction(user, cid, ts, name="pushpin"):
    """A reaction_added event with an event_id of its own (a retry resends the same dict)."""
    return {"type": "event_callback", "team_id": "T1", "event_id": f"Ev{next(EVENT_IDS):08d}",
            "event": {"type": "reaction_added", "user": user, "reaction": name,
                      "item": {"type": "message", "channel": cid, "ts": ts},
                      "event_ts": "1.2"}}


def test_a_marked_message_becomes_a_note_and_severity_is_posted_once(chat):
    s, slack, teams = chat
    inc = s.create(title="Memcache evictions", severity="SEV3")
    iid = inc["id"]
    cid = wait_for(lambda: channel_of(slack, f"inc-{day(inc)}-memcache-evictions"))
    # tocsin has recorded the channel once its last declaration step (the announcement) is made
    wait_for(lambda: [p for p in slack.posts_in("incidents") if iid in p["text"]])
    st, j = event(s, {"type": "url_verification", "challenge": "abc123"})
    assert st == 200 and j == {"challenge": "abc123"}
    ts = slack.user_message(cid, "UBOB", "Hit ratio back to 92% after warming")
    other = slack.user_message(cid, "UBOB", "lunch?")
    assert event(s, reaction("UBOB", cid, other, "tada"))[0] == 200  # another emoji: nothing
    ev = reaction("UBOB", cid, ts)
    st, j = event(s, ev)
    assert st == 200 and j["response_type"] == "in_channel", j
    # Slack's retry of the same event is not a second note
    assert event(s, ev, **{"X-Slack-Retry-Num": "1"})[0] == 200
    # nor is a retry of an event without event_id (nothing tells it apart)
    legacy = reaction("UBOB", cid, ts)
    del legacy["event_id"]
    assert event(s, legacy, **{"X-Slack-Retry-Num": "1"}) == (200, {"ok": True})
    # an unlinked user's reaction does nothing
    event(s, reaction("UZED", cid, ts))
    notes = [e for e in s.timeline(iid) if e["kind"] == "incident.note_added"]
    assert len(notes) == 1 and notes[0]["actor"] == "user:bob"
    assert notes[0]["data"]["text"] == "Hit ratio back to 92% after warming"
    # a forged event: 401
    r = s.request("POST", "/api/v1/chat/slack/events", raw=json.dumps(reaction("UBOB", cid, ts)),
                  token=None, check=False, headers={"Content-Type": "application/json"})
    assert r.status == 401
    # a severity change is posted once in the channel
    s.api("PATCH", f"/api/v1/incidents/{iid}", {"severity": "SEV2"})
    wait_for(lambda: any("severity SEV3 -> SEV2" in p["text"] for p in slack.posts_in(cid)))
    assert sum("severity SEV3 -> SEV2" in p["text"] for p in slack.posts_in(cid)) == 1
    wait_for(lambda: slack.channels[cid]["topic"].startswith("SEV2"))


def test_viewer_is_refused_from_chat(chat):
    s, slack, teams = chat
    st, _ = s.api("PUT", "/api/v1/users/bob/password",
                  {"password": "correct horse battery staple", "role": "viewer"})
    assert st == 200
    inc = s.create(title="Queue backlog", severity="SEV3")
    st, j = command(s, "UBOB", f"resolve {inc['id']} fixed it")
    assert st == 200 and j["response_type"] == "ephemeral"
    assert "viewer" in j["text"] and "Nothing was done" in j["text"]
    assert s.get(inc["id"])["status"] == "triggered"
    st, j = command(s, "UBOB", f"status {inc['id']}")  # reading is allowed
    assert "triggered" in j["text"]


def test_page_message_has_the_buttons(chat):
    s, slack, teams = chat
    inc = s.create(title="Webhook backlog", severity="SEV1")
    cid = wait_for(lambda: channel_of(slack, f"inc-{day(inc)}-webhook-backlog"))
    page = wait_for(lambda: [c.args for c in slack.of("chat.postMessage", channel=cid)
                             if "escalated" in c.args["text"]])[0]
    blocks = json.loads(page["blocks"])
    ids = [e["action_id"] for e in blocks[1]["elements"]]
    assert ids == ["tocsin_ack", "tocsin_escalate", "tocsin_resolve"]
    assert all(e["value"] == inc["id"] for e in blocks[1]["elements"])


def test_teams_card_shape_and_its_ack_link(chat):
    s, slack, teams = chat
    inc = s.create(title="Teams backup drill", severity="SEV1")
    iid = inc["id"]

    def page_card():
        return [c for c in teams.cards() if iid in json.dumps(c) and "escalated" in json.dumps(c)]
    card = wait_for(page_card)[0]
    assert card["type"] == "message"
    att = card["attachments"][0]
    assert att["contentType"] == "application/vnd.microsoft.card.adaptive"
    content = att["content"]
    assert content["type"] == "AdaptiveCard" and content["version"] == "1.4"
    assert content["$schema"] == "http://adaptivecards.io/schemas/adaptive-card.json"
    assert content["body"][0]["type"] == "TextBlock" and iid in content["body"][0]["text"]
    facts = {f["title"]: f["value"] for f in content["body"][1]["facts"]}
    assert facts["Severity"] == "SEV1" and facts["State"] == "triggered"
    actions = {a["title"]: a["url"] for a in content["actions"]}
    assert actions["Open incident"] == f"http://tocsin.test/ui/incidents/{iid}"
    assert actions["Join bridge"] == f"https://meet.example.com/{iid.lower()}"
    ack = actions["Acknowledge"]
    assert ack.startswith("http://tocsin.test/ack/")
    # the signed link works: it acknowledges as the paged user (bob)
    r = s.request("POST", ack[len("http://tocsin.test"):], token=None, check=False)
    assert r.status == 200, r.body[:300]
    assert s.get(iid)["status"] == "acknowledged"
    wait_for(lambda: [c for c in teams.cards() if iid in json.dumps(c) and "acknowledged by" in json.dumps(c)])


def test_a_failed_event_is_run_on_slacks_retry_and_a_done_one_is_not(chat):
    """Slack retries an event tocsin failed (X-Slack-Retry-Num, same event_id): a reaction whose
    message could not be read for a time is made a note on the retry; later retries are not."""
    s, slack, teams = chat
    inc = s.create(title="Disk latency", severity="SEV3")
    iid = inc["id"]
    cid = wait_for(lambda: channel_of(slack, f"inc-{day(inc)}-disk-latency"))
    wait_for(lambda: [p for p in slack.posts_in("incidents") if iid in p["text"]])
    ts = slack.user_message(cid, "UBOB", "p99 back under 5 ms after the rebalance")
    ev = reaction("UALICE", cid, ts)  # bob is a viewer by now
    slack.ratelimit_next["conversations.history"] = [1]  # Slack says: not now
    st, j = event(s, ev)
    assert st == 503 and "conversations.history" in j["error"]["message"], (st, j)
    assert not [e for e in s.timeline(iid) if e["kind"] == "incident.note_added"]
    st, j = event(s, ev, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_error"})
    assert st == 200 and j["response_type"] == "in_channel", (st, j)
    for n in ("2", "3"):
        assert event(s, ev, **{"X-Slack-Retry-Num": n}) == (200, {"ok": True})
    notes = [e for e in s.timeline(iid) if e["kind"] == "incident.note_added"]
    assert len(notes) == 1 and notes[0]["data"]["text"] == "p99 back under 5 ms after the rebalance"
    # kept a day: after that the same event_id is new again (Slack retries within minutes)
    s.advance("25h")
    st, j = event(s, ev, **{"X-Slack-Retry-Num": "3"})
    assert st == 200 and j["response_type"] == "in_channel", (st, j)
    assert len([e for e in s.timeline(iid) if e["kind"] == "incident.note_added"]) == 2


def test_a_retry_while_the_first_delivery_is_in_hand_is_answered_503_not_acknowledged(chat):
    """Slack retries after 3 s while the first delivery may still be running: acknowledging the
    retry would make Slack stop, and a failure of the first one then would lose the event. The
    retry gets 503; once the first delivery's claim is stale (a request that died), a retry runs
    it."""
    s, slack, teams = chat
    inc = s.create(title="Queue backlog", severity="SEV3")
    iid = inc["id"]
    cid = wait_for(lambda: channel_of(slack, f"inc-{day(inc)}-queue-backlog"))
    wait_for(lambda: [p for p in slack.posts_in("incidents") if iid in p["text"]])
    ts = slack.user_message(cid, "UALICE", "consumers scaled to 12")
    ev = reaction("UALICE", cid, ts)
    now_ms = clock_s(s) * 1000
    with s.db() as d:  # the first delivery, claimed just now and still running
        d.execute("INSERT INTO chat_events(event_id, status, received_at, claimed_at) "
                  "VALUES (?, 'running', ?, ?)", (ev["event_id"], now_ms, now_ms))
    st, j = event(s, ev, **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"})
    assert st == 503 and "still being handled" in j["error"]["message"], (st, j)
    assert not [e for e in s.timeline(iid) if e["kind"] == "incident.note_added"]
    s.advance("2m")  # the first delivery died: its claim is stale
    st, j = event(s, ev, **{"X-Slack-Retry-Num": "2", "X-Slack-Retry-Reason": "http_timeout"})
    assert st == 200 and j["response_type"] == "in_channel", (st, j)
    notes = [e for e in s.timeline(iid) if e["kind"] == "incident.note_added"]
    assert len(notes) == 1 and notes[0]["data"]["text"] == "consumers scaled to 12"


# ---- bad config (check-config names the line; the server would not start) ----

@pytest.mark.parametrize("old,new,needle,words", [
    ('channel_format: "inc-{{date}}-{{short_name}}"', 'channel_format: "inc-{{dat}}-{{short_name}}"',
     "channel_format", "unknown placeholder {dat}"),
    ("modes: {{SEV2: thread, SEV4: none}}", "modes: {{SEV2: thread, SEV4: huddle}}", "modes:",
     "huddle"),
    ("modes: {{SEV2: thread, SEV4: none}}", "modes: {{SEV2: thread, SEV9: none}}", "modes:",
     '"SEV9" is not a severity'),
    ("    bot_token_env: TEST_SLACK_TOKEN\n", "", "api_url:", "bot_token_env"),
    ('bridge: "https://meet.example.com/{{id}}"', 'bridge: "https://meet.example.com/{{room}}"',
     "bridge:", "{room}"),
    ("  teams:\n", "  mattermost:\n    url: http://127.0.0.1:9\n    team_id: t\n"
     "    announce_channel_id: a\n    bot_token_env: A\n    command_token_env: B\n  teams:\n",
     "url: http://127.0.0.1:9", "slack and mattermost are both configured"),
    ("  teams:\n", "  mattermost:\n    url: http://127.0.0.1:9\n  teams:\n",
     "url: http://127.0.0.1:9", 'missing required key "team_id"'),
])
def test_check_config_names_the_line(tmp_path, old, new, needle, words):
    from tocsin_harness import run_bin
    assert old in CONFIG
    text = CONFIG.replace(old, new).format(slack="http://127.0.0.1:9/api")
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    p = run_bin("check-config", str(path))
    assert p.returncode == 1, (p.stdout, p.stderr)
    line = next(i for i, ln in enumerate(text.splitlines(), 1) if needle in ln)
    assert f"{path}:{line}:" in p.stderr and words in p.stderr, p.stderr


def test_unset_secret_turns_slack_off_with_a_warning(tmp_path):
    from tocsin_harness import run_bin
    path = tmp_path / "ok.yaml"
    path.write_text(CONFIG.format(slack="http://127.0.0.1:9/api"))
    p = run_bin("check-config", str(path))
    assert p.returncode == 0, p.stderr
    assert "TEST_SLACK_TOKEN is not set: slack is off" in p.stderr
    assert "TEST_TEAMS_URL is not set: teams is off" in p.stderr


# ---- Mattermost: the same chat-ops on its REST API v4, slash commands and message actions ----

MM_TOKEN, MM_COMMAND_TOKEN = "mm-bot-token", "mm-slash-command-token-0123"
MM_USERS = {"alice@example.com": "alice" + "0" * 21, "bob@example.com": "bob" + "0" * 23,
            "zed@example.org": "zed" + "0" * 23}
MM_ALICE, MM_BOB, MM_ZED = MM_USERS["alice@example.com"], MM_USERS["bob@example.com"], \
    MM_USERS["zed@example.org"]


def mm_config(mm):
    head = CONFIG.split("chatops:")[0].replace("{{", "{").replace("}}", "}")
    return head + f"""chatops:
  channel_format: "inc-{{date}}-{{short_name}}"
  modes: {{SEV2: thread, SEV4: none}}
  archive_after: 1h
  bridge: "https://meet.example.com/{{id}}"
  mattermost:
    url: "{mm.url}"
    team_id: {mm.team}
    announce_channel_id: {mm.announce}
    bot_token_env: TEST_MM_TOKEN
    command_token_env: TEST_MM_COMMAND_TOKEN
    incoming_webhook_url_env: TEST_MM_HOOK
"""


@pytest.fixture(scope="module")
def mmchat(tmp_path_factory):
    from chat_fakes import FakeMattermost
    require_bin()
    mm = FakeMattermost(MM_TOKEN, MM_USERS)
    s = Server(tmp_path_factory.mktemp("mm"), dev_clock=True, config_text=mm_config(mm))
    s.env = {"TEST_MM_TOKEN": MM_TOKEN, "TEST_MM_COMMAND_TOKEN": MM_COMMAND_TOKEN,
             "TEST_MM_HOOK": mm.hook_url}
    s.start()
    yield s, mm
    try:
        s.teardown()
    finally:
        mm.stop()


def mm_command(s, user, text, channel="nochannel", token=MM_COMMAND_TOKEN):
    body = urllib.parse.urlencode({"token": token, "command": "/tocsin", "text": text,
                                   "user_id": user, "user_name": "x", "channel_id": channel,
                                   "team_id": "team" + "0" * 22})
    r = s.request("POST", "/api/v1/chat/mattermost/commands", raw=body, token=None, check=False,
                  headers={"Content-Type": "application/x-www-form-urlencoded"})
    return r.status, json.loads(r.body or b"{}")


def mm_click(s, user, integration):
    body = json.dumps({"user_id": user, "channel_id": "x", "post_id": "y", "type": "",
                       "context": integration["context"]})
    r = s.request("POST", "/api/v1/chat/mattermost/actions", raw=body, token=None, check=False,
                  headers={"Content-Type": "application/json"})
    return r.status, json.loads(r.body or b"{}")


def test_mattermost_sev1_from_declare_to_archive(mmchat):
    s, mm = mmchat
    first = len(mm.calls)
    st, j = mm_command(s, MM_ALICE, "declare SEV1 Payments down")
    assert st == 200 and j["response_type"] == "in_channel", j
    iid = j["text"].split()[-1]
    inc = s.get(iid)
    name = f"inc-{day(inc)}-payments-down"
    wait_for(lambda: [p for p in mm.posts_in(mm.announce) if iid in p["message"]])
    created = mm.of("POST /api/v4/channels", name=name)
    assert len(created) == 1 and created[0].args["team_id"] == mm.team
    cid = created[0].answer["id"]
    header = mm.channels[cid]["header"]
    assert header.startswith("SEV1 | triggered") and f"meet.example.com/{iid.lower()}" in header
    assert MM_ALICE in mm.channels[cid]["members"]  # the declarer, found by email
    assert len(mm.channels[cid]["pins"]) == 1
    announce = [p for p in mm.posts_in(mm.announce) if iid in p["message"]]
    assert len(announce) == 1 and announce[0].get("via") == "hook"  # the incoming webhook
    assert f"{iid} opened - SEV1 - Payments down - #{name}" in announce[0]["message"]
    # bob is paged: the page post carries signed buttons; bob joins the channel
    page = wait_for(lambda: [p for p in mm.posts_in(cid) if "escalated" in p["message"]])[0]
    actions = page["props"]["attachments"][0]["actions"]
    assert [a["id"] for a in actions] == ["ack", "escalate", "resolve"]
    assert actions[0]["integration"]["url"] == "http://tocsin.test/api/v1/chat/mattermost/actions"
    wait_for(lambda: MM_BOB in mm.channels[cid]["members"])
    # a forged button: 401, nothing done
    forged = {"context": dict(actions[2]["integration"]["context"], action="resolve",
                              sig="v0=" + "0" * 64)}
    st, _ = mm_click(s, MM_BOB, forged)
    assert st == 401 and s.get(iid)["status"] == "triggered"
    # the button's time is signed: an older (or newer) issued with the same signature is refused
    ctx = actions[0]["integration"]["context"]
    assert isinstance(ctx["issued"], int)
    st, _ = mm_click(s, MM_BOB, {"context": dict(ctx, issued=ctx["issued"] - 1)})
    assert st == 401 and s.get(iid)["status"] == "triggered"
    # bob clicks Acknowledge
    st, j = mm_click(s, MM_BOB, actions[0]["integration"])
    assert st == 200 and "Acknowledged" in j["ephemeral_text"], j
    inc = s.get(iid)
    assert inc["status"] == "acknowledged"
    acked = [e for e in s.timeline(iid) if e["kind"] == "incident.acknowledged"][0]
    assert acked["actor"] == "user:bob"
    # a note typed in the channel, then resolve and close
    st, j = mm_command(s, MM_ALICE, "note Failover to the second PSP", channel=cid)
    assert j["response_type"] == "in_channel", j
    assert any(e["kind"] == "incident.note_added" for e in s.timeline(iid))
    st, j = mm_command(s, MM_ALICE, "resolve PSP back", channel=cid)
    assert s.get(iid)["status"] == "resolved", j
    s.move(iid, "closed", postmortem="https://wiki.example.com/pm/7", postmortem_waiver="test: no post-mortem needed here")
    wait_for(lambda: any("closed by" in p["message"] for p in mm.posts_in(cid)))
    posts = [p["message"] for p in mm.posts_in(cid)]
    for words in ("escalated (step 1): paged bob", "acknowledged by bob", "resolved by alice",
                  "closed by"):
        assert sum(words in p for p in posts) == 1, (words, posts)
    assert any("https://wiki.example.com/pm/7" in p for p in posts)
    assert mm.channels[cid]["header"].startswith("SEV1 | closed")
    assert not mm.of("DELETE /api/v4/channels/(?P<cid>[a-z0-9]+)")
    s.advance("61m")
    wait_for(lambda: mm.channels[cid]["delete_at"])
    # a button issued more than 7 days ago is refused even with a right signature
    issued = int(parse_time(s.now()).timestamp() * 1000) - 8 * 24 * 3600 * 1000
    sig = hmac.new(MM_COMMAND_TOKEN.encode(), f"v0:mattermost-action:ack:{iid}:{issued}".encode(),
                   hashlib.sha256).hexdigest()
    st, j = mm_click(s, MM_BOB, {"context": {"action": "ack", "incident": iid, "issued": issued,
                                             "sig": "v0=" + sig}})
    assert st == 401 and "expired" in j["error"]["message"], (st, j)
    # the same with a fresh time and its signature passes the check (the incident is closed)
    issued = int(parse_time(s.now()).timestamp() * 1000)
    sig = hmac.new(MM_COMMAND_TOKEN.encode(), f"v0:mattermost-action:ack:{iid}:{issued}".encode(),
                   hashlib.sha256).hexdigest()
    st, j = mm_click(s, MM_BOB, {"context": {"action": "ack", "incident": iid, "issued": issued,
                                             "sig": "v0=" + sig}})
    assert st == 200, (st, j)
    created = [e for e in s.timeline(iid) if e["kind"] == "chat.channel_created"]
    assert created and created[0]["data"]["provider"] == "mattermost"
    transcript(f"Mattermost REST API v4 and incoming webhook, {iid} (SEV1) from declare to "
               "archive (the calls tocsin made; commands and clicks went the other way)",
               mm.calls[first:])


def test_mattermost_bad_token_unlinked_user_name_taken_and_thread(mmchat):
    s, mm = mmchat
    before = incident_count(s)
    st, j = mm_command(s, MM_ALICE, "declare SEV3 Forged", token="wrong-token-0000000000000")
    assert st == 401 and "token" in j["error"]["message"]
    st, j = mm_command(s, MM_ALICE, "declare SEV3 Forged", token="")
    assert st == 401
    st, j = mm_command(s, MM_ZED, "declare SEV3 Not linked")
    assert st == 200 and j["response_type"] == "ephemeral" and "not linked" in j["text"]
    assert "Mattermost" in j["text"] and "zed@example.org" in j["text"]
    assert incident_count(s) == before
    # a taken name gets a suffix
    inc = s.create(title="Payments down", severity="SEV1")
    name = f"inc-{day(inc)}-payments-down-2"
    wait_for(lambda: mm.channel_named(name))
    # SEV2: a thread under the announcement
    inc = s.create(title="Slow search", severity="SEV2")
    ann = wait_for(lambda: [p for p in mm.posts_in(mm.announce) if inc["id"] in p["message"]])[0]
    st, j = mm_command(s, MM_ALICE, f"ack {inc['id']}")
    assert j["response_type"] == "in_channel", j
    reply = wait_for(lambda: [p for p in mm.posts_in(mm.announce)
                              if p["root_id"] == ann["id"] and "acknowledged" in p["message"]])
    assert len(reply) == 1


def test_mattermost_failure_on_the_timeline_and_in_metrics(mmchat):
    s, mm = mmchat
    mm.fail_next["patch_channel"] = [(403, "api.context.permissions.app_error")]
    inc = s.create(title="Header refused", severity="SEV1")
    iid = inc["id"]
    failed = wait_for(lambda: [e for e in s.timeline(iid) if e["kind"] == "chat.failed"])
    assert failed[0]["data"]["call"] == "PUT /api/v4/channels/{id}/patch"
    assert "HTTP 403 api.context.permissions.app_error" in failed[0]["data"]["error"]
    r = s.request("GET", "/metrics", check=False)
    text = r.body.decode()
    assert 'tocsin_chat_calls_total{provider="mattermost",result="failed"} ' in text
    n = [ln for ln in text.splitlines()
         if ln.startswith('tocsin_chat_calls_total{provider="mattermost",result="failed"}')]
    assert int(n[0].split()[-1]) >= 1
