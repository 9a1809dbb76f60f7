"""Stakeholder lists per severity (issue 16, "What the playbooks also ask for"): each public
update of an incident is mailed to its severity's `stakeholders`, never paged: no sms, no ack
link, nothing when the update is not public or the severity has no list; a stakeholder without
an email address is skipped on the timeline; an unknown user is refused by check-config."""
import os

import pytest

from notify_receivers import Receiver, SmtpSink
from tocsin_harness import Server, require_bin, run_bin

CONFIG = """\
severities:
  - {{id: SEV1, name: Critical, notify: [sms], stakeholders: [cto, ceo, board]}}
  - {{id: SEV2, name: Major, notify: [sms]}}
services:
  - {{id: api, name: API Gateway, escalation: default}}
users:
  - {{id: alice, email: alice@example.com, phone: "+15550101"}}
  - {{id: cto, email: cto@example.com, phone: "+15550301"}}
  - {{id: ceo, email: ceo@example.com, phone: "+15550401"}}
  - {{id: board, phone: "+15550501"}}
escalation_policies:
  - id: default
    steps:
      - {{after: 0m, notify: [user:alice]}}
notify:
  email: {{url: "{smtp}", from: pager@tocsin.test}}
  sms: {{url: "{sms}/sms", from: "+15550000"}}
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    require_bin()
    smtp, sms = SmtpSink(tmp_path_factory.mktemp("mail")), Receiver("sms")
    s = Server(tmp_path_factory.mktemp("stakeholders"), dev_clock=True,
               config_text=CONFIG.format(smtp=smtp.url, sms=sms.url))
    try:
        s.start()
        yield s, smtp, sms
    finally:
        s.teardown()
        sms.close()
        smtp.close()


def update(s, iid, message, public=True, status="investigating"):
    st, j = s.api("POST", f"/api/v1/incidents/{iid}/status",
                  {"status": status, "message": message, "public": public})
    assert st == 200, (st, j)


def test_each_public_update_mails_the_stakeholders_without_paging_them(env):
    s, smtp, sms = env
    inc = s.create(severity="SEV1", title="Checkout down", service="api")
    s.advance("0s")
    update(s, inc["id"], "We are restoring the primary database")
    s.advance("0s")
    smtp.wait_for(2)
    got = {rcpt[0]: m for (_, rcpt, m) in smtp.messages}
    assert set(got) == {"cto@example.com", "ceo@example.com"}, got.keys()
    body = got["cto@example.com"].get_body(("plain",)).get_content()
    assert "We are restoring the primary database" in body and "/ack/" not in body, body
    assert inc["id"] in got["cto@example.com"]["Subject"]
    tl = s.timeline(inc["id"])
    queued = [(e["data"]["user"], e["data"]["kind"], e["data"]["methods"]) for e in tl
              if e["kind"] == "notify.queued"]
    assert sorted(queued) == [("alice", "page", ["sms"]), ("ceo", "info", ["email"]),
                              ("cto", "info", ["email"])], queued
    skipped = [e["data"] for e in tl if e["kind"] == "stakeholders.skipped"]
    assert len(skipped) == 1 and [u["user"] for u in skipped[0]["users"]] == ["board"], skipped
    assert all(r.form()["To"] == "+15550101" for r in sms.requests), "stakeholders are not paged"
    # a second public update: mailed again; a private one: not
    update(s, inc["id"], "Failover done, watching error rates", status="identified")
    update(s, inc["id"], "internal note", public=False, status="monitoring")
    s.advance("2m")
    smtp.wait_for(4)
    s.advance("2m")
    texts = [m.get_body(("plain",)).get_content() for (_, _, m) in smtp.messages]
    assert sum("Failover done" in t for t in texts) == 2, texts
    assert not any("internal note" in t for t in texts), texts


def test_a_severity_without_stakeholders_mails_nobody(env):
    s, smtp, _ = env
    before = len(smtp.messages)
    inc = s.create(severity="SEV2", title="Slow search", service="api")
    update(s, inc["id"], "Search is slow; we are on it")
    s.advance("2m")
    paged = []
    for _ in range(5):  # a pass that met a busy store retries on the next one
        paged = [e["data"]["user"] for e in s.timeline(inc["id"]) if e["kind"] == "notify.queued"]
        if paged:
            break
        s.advance("1s")
    assert paged == ["alice"]
    assert len(smtp.messages) == before


def test_check_config_refuses_an_unknown_stakeholder(tmp_path):
    path = os.path.join(tmp_path, "c.yaml")
    with open(path, "w") as f:
        f.write(CONFIG.format(smtp="smtp://127.0.0.1:2525", sms="http://127.0.0.1:9")
                .replace("[cto, ceo, board]", "[cto, nobody]"))
    p = run_bin("check-config", path)
    assert p.returncode == 1 and f"{path}:2:" in p.stderr and "nobody" in p.stderr, p.stderr
