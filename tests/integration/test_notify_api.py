"""The notification routes' contract (docs/api.md): bad requests are a 4xx naming the field, roles
are enforced, the CLI verbs `page` and `notifications`, and bad notify config is refused with
FILE:LINE by check-config and at start.
"""
import json

import pytest

from notify_receivers import WEBHOOK_SECRET, Receiver, notify_config
from test_notify import page, rows, sync
from tocsin_harness import run_bin


@pytest.fixture
def hook():
    r = Receiver("hook")
    yield r
    r.close()


def config(hook):
    return notify_config([
        f'{{id: alice, webhook: "{hook.url}", webhook_secret: {WEBHOOK_SECRET}}}',
        "{id: nobody, name: No Methods}",
    ])


def test_page_bad_requests(make_server, hook):
    s = make_server(config_text=config(hook))
    inc = s.create(severity="SEV2", title="Bad input")
    path = f"/api/v1/incidents/{inc['id']}/page"
    cases = [
        ({"user": "zed"}, 422, "user: unknown user \"zed\" (known: alice, nobody)"),
        ({}, 400, "user:"),
        ({"user": ""}, 400, "user:"),
        ({"user": 7}, 400, "user:"),
        ({"user": "alice", "message": 5}, 400, "message:"),
        ({"user": "alice", "message": "x" * 2001}, 400, "message:"),
        ({"user": "alice", "urgent": True}, 400, "urgent"),
        ({"user": "nobody"}, 422, "user: nobody has no contact method"),
    ]
    for body, status, msg in cases:
        st, j = s.api("POST", path, body)
        assert st == status and msg in j["error"]["message"], (body, st, j)
    st, j = s.api("POST", path, raw="{nope")
    assert st == 400 and j["error"]["message"].startswith("body:")
    st, j = s.api("POST", path, raw="[1]")
    assert st == 400
    st, j = s.api("POST", "/api/v1/incidents/INC-2000-01-01-001/page", {"user": "alice"})
    assert st == 404 and j["error"]["message"].startswith("id:")
    assert rows(s, inc["id"]) == []
    assert [e["kind"] for e in s.timeline(inc["id"])] == ["incident.declared"]
    assert hook.count() == 0


def test_page_roles_and_closed_incident(make_server, hook):
    s = make_server(config_text=config(hook))
    inc = s.create(severity="SEV3", title="Roles")
    path = f"/api/v1/incidents/{inc['id']}/page"
    viewer, responder = s.make_token("viewer"), s.make_token("responder")
    st, _ = s.api("POST", path, {"user": "alice"}, token=None)
    assert st == 401
    st, j = s.api("POST", path, {"user": "alice"}, token=viewer)
    assert st == 403
    st, j = s.api("GET", f"/api/v1/incidents/{inc['id']}/notifications", token=viewer)
    assert st == 200 and j == {"notifications": [], "next_cursor": None}
    st, j = s.api("POST", path, {"user": "alice"}, token=responder)
    assert st == 201 and j["key"] == "manual:1" and j["queued"] == 1
    st, j = s.api("POST", path, {"user": "alice"}, token=responder)
    assert st == 201 and j["key"] == "manual:2"  # each manual page is its own message
    hook.wait_for(1)
    s.move(inc["id"], "resolved")
    st, j = s.api("POST", f"/api/v1/incidents/{inc['id']}/page", {"user": "alice"})
    assert st == 201  # a resolved incident may still call someone in
    st, j = s.status(inc["id"], "closed")
    assert st == 200, j
    st, j = s.api("POST", path, {"user": "alice"})
    assert st == 409 and "closed" in j["error"]["message"]
    st, j = s.api("GET", "/api/v1/incidents/INC-2000-01-01-001/notifications")
    assert st == 404


def test_cli_page_and_notifications(make_server, hook):
    s = make_server(dev_clock=True, config_text=config(hook))
    inc = s.create(severity="SEV1", title="CLI page")
    p = s.cli("page", inc["id"], "alice", "-m", "bridge is open")
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == f"{inc['id']} paged alice by webhook (key manual:1)"
    hook.wait_for(1)
    assert "bridge is open" in hook.requests[0].json()["data"]["message"]
    sync(s)
    p = s.cli("notifications", inc["id"])
    assert p.returncode == 0, p.stderr
    lines = p.stdout.splitlines()
    assert lines[0].split()[:6] == ["ID", "USER", "METHOD", "STATUS", "TRIES", "KEY"]
    assert lines[1].split()[:6] == ["1", "alice", "webhook", "sent", "1", "manual:1"]
    p = s.cli("notifications", inc["id"], "--json")
    assert p.returncode == 0 and json.loads(p.stdout)["notifications"][0]["status"] == "sent"
    p = s.cli("page", inc["id"], "zed")
    assert p.returncode == 1 and "unknown user" in p.stderr
    p = s.cli("page", inc["id"])
    assert p.returncode == 2
    p = s.cli("page", inc["id"], "alice", "-m", "")
    assert p.returncode == 2
    p = s.cli("page", "--help")
    assert p.returncode == 0 and "usage: tocsin page" in p.stdout


BAD_CONFIGS = [
    ("users:\n  - id: alice\n    email: a@example.com\n    notify:\n      - {methods: [email, sms]}\n",
     "6: users[0].notify[0].methods[1]: sms needs the user's phone, which is not set"),
    ("users:\n  - {id: alice, webhook: \"http://127.0.0.1:1/x\"}\n",
     "3: users[0].webhook_secret: required with webhook"),
    ("users:\n  - {id: alice, webhook: \"http://127.0.0.1:1/x\", webhook_secret: whsec_c2hvcnQ=}\n",
     "3: users[0].webhook_secret: \"whsec_c2hvcnQ=\" is not a webhook secret"),
    ("users:\n  - {id: alice, slack: \"ftp://x\"}\n",
     "3: users[0].slack: \"ftp://x\" is not an http:// or https:// URL"),
    ("users:\n  - id: alice\n    email: a@example.com\n    notify: [{methods: [pager]}]\n",
     "5: users[0].notify[0].methods[0]: \"pager\" is not one of email, sms, slack, webhook"),
    ("users:\n  - id: alice\n    email: a@example.com\n    notify: [{severity: [SEV9], methods: [email]}]\n",
     "5: users[0].notify[0].severity[0]: unknown severity \"SEV9\""),
    ("notify:\n  email: {url: \"http://mail\", from: me@example.com}\n",
     "3: notify.email.url: \"http://mail\" is not an smtp:// or smtps:// URL"),
    ("notify:\n  sms: {url: \"http://gw\", body: \"Text={{text}}\"}\n",
     "3: notify.sms.body: \"Text={{text}}\" has an unknown placeholder"),
    ("notify:\n  sms: {url: \"http://gw\", content_type: text/plain}\n",
     "3: notify.sms.content_type: \"text/plain\" is not one of"),
    ("notify:\n  max_attempts: 0\n", "3: notify.max_attempts: 0 is out of range (1 to 100)"),
    ("notify:\n  throttle: soon\n", "3: notify.throttle: \"soon\" is not a duration"),
    ("notify:\n  retries: 3\n", "3: notify: unknown key \"retries\""),
]


@pytest.mark.parametrize("text,expected", BAD_CONFIGS)
def test_bad_notify_config_is_file_line(tmp_path, text, expected):
    path = tmp_path / "bad.yaml"
    path.write_text("severities: [{id: SEV1, name: Critical}]\n" + text)
    p = run_bin("check-config", path)
    assert p.returncode == 1, p.stdout
    assert f"{path}:{expected}" in p.stderr, p.stderr


def test_good_notify_config_and_defaults(tmp_path):
    path = tmp_path / "good.yaml"
    path.write_text(notify_config([
        '{id: alice, email: a@example.com, phone: "+15550101", slack: "https://hooks.example/T1", '
        f'webhook: "https://example.com/h", webhook_secret: {WEBHOOK_SECRET}, '
        'notify: [{severity: [SEV1, SEV2], methods: [sms, slack]}, {methods: [email], after: 10m}]}',
    ]))
    p = run_bin("check-config", path)
    assert p.returncode == 0, p.stderr
