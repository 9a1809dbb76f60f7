"""Contacts as escalation-step targets (issue 17): a step may page `contact:ID` (the contacts
directory: vendors, executives, legal). The contact is paged through its phone and email, is on the
timeline (escalation.step targets, notify.queued), is shown in the escalation plan of the UI, is
told without an acknowledge link, and check-config names a contact that cannot be reached."""
from test_ui import Browser, set_password
from tocsin_harness import run_bin

CONFIG = """
server: {{listen: "127.0.0.1:8080"}}
severities:
  - {{id: SEV1, name: Critical, ack_within: 1h, notify: [sms, email]}}
users:
  - {{id: alice, name: Alice, email: alice@example.com}}
contacts:
  - {{id: tam, name: AWS TAM, kind: vendor, email: tam@example.com}}
  - {{id: board, name: Board chair, kind: executive, email: board@example.com, phone: "+15550501"}}
escalation_policies:
  - id: default
    steps:
      - {{after: 0m, notify: ["user:alice"]}}
      - {{after: 10m, notify: ["contact:board"], until: resolved}}
      - {{after: 20m, notify: ["contact:tam", "user:alice"], until: resolved}}
notify:
  email: {{url: "{smtp}", from: pager@tocsin.test}}
  sms: {{url: "http://127.0.0.1:9/sms", from: "+15550000"}}
  throttle: 0s
"""


def test_escalation_steps_page_contacts(make_server, tmp_path):
    from notify_receivers import SmtpSink, parts
    smtp = SmtpSink(tmp_path / "mail")
    try:
        srv = make_server(dev_clock=True, config_text=CONFIG.format(smtp=smtp.url))
        inc = srv.create("Region down", "SEV1")
        iid = inc["id"]
        srv.advance("1s")
        st, _ = srv.api("POST", f"/api/v1/incidents/{iid}/ack")
        assert st == 200
        srv.advance("10m")
        srv.advance("10m")  # the contact steps are `until: resolved`: they fire though acked
        tl = srv.timeline(iid)
        steps = [e["data"] for e in tl if e["kind"] == "escalation.step"]
        targets = {t["target"]: t["users"] for s in steps for t in s["targets"]}
        assert targets["contact:board"] == ["contact:board"], steps
        assert targets["contact:tam"] == ["contact:tam"], steps
        queued = {(e["data"]["user"], tuple(sorted(e["data"]["methods"])))
                  for e in tl if e["kind"] == "notify.queued"}
        assert ("contact:board", ("email", "sms")) in queued, queued
        assert ("contact:tam", ("email",)) in queued, queued  # no phone: email only
        st, j = srv.api("GET", f"/api/v1/incidents/{iid}/notifications")
        assert st == 200
        rows = {(n["user"], n["method"]): n for n in j["notifications"]}
        assert rows[("contact:tam", "email")]["address"] == "tam@example.com", rows
        assert rows[("contact:board", "sms")]["address"] == "+15550501", rows
        # the contact is told, not asked to acknowledge: no link in its mail; alice's has one
        smtp.wait_for(3)
        mails = {tuple(rcpt): parts(msg)[0] for _, rcpt, msg in smtp.messages}
        tam = mails[("tam@example.com",)]
        assert iid in tam and "Acknowledge:" not in tam and "/ack/" not in tam, tam
        assert "Acknowledge:" in mails[("alice@example.com",)]
        # the escalation plan in the UI names the contact and how it is reached
        set_password(srv, "alice")
        b = Browser(srv)
        assert b.signin("alice")[0].status == 303
        r, text = b.send("GET", f"/ui/incidents/{iid}")
        assert r.status == 200
        assert "contact:tam</code> (AWS TAM, email)" in text, text[text.find('id="plan"'):][:800]
        assert "(Board chair, phone and email)" in text
    finally:
        smtp.close()


def test_check_config_names_contacts_that_cannot_be_paged(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(CONFIG.format(smtp="smtp://127.0.0.1:9")
                   .replace('"contact:tam", "user:alice"', '"contact:nobody", "user:alice"')
                   .replace("kind: vendor, email: tam@example.com", "kind: vendor"))
    r = run_bin("check-config", bad)
    assert r.returncode == 1, r.stdout
    assert 'unknown contact "nobody"' in r.stderr, r.stderr
    mute = tmp_path / "mute.yaml"
    mute.write_text(CONFIG.format(smtp="smtp://127.0.0.1:9")
                    .replace("kind: vendor, email: tam@example.com", "kind: vendor"))
    r = run_bin("check-config", mute)
    assert r.returncode == 1 and 'contact "tam" has neither a phone nor an email' in r.stderr, r.stderr
    ok = tmp_path / "ok.yaml"
    ok.write_text(CONFIG.format(smtp="smtp://127.0.0.1:9"))
    r = run_bin("check-config", ok)
    assert r.returncode == 0, r.stderr
    assert "pages contact tam, who lacks sms" in r.stderr, r.stderr
