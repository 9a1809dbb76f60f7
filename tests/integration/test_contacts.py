"""The contacts directory as page targets (issue 17): `POST /api/v1/incidents/{id}/page` with
user `contact:ID` pages a contacts entry (vendor, legal, executive) through the outbox, by its
email or phone; an unknown contact, or one with neither, is a 422 naming it."""
from notify_receivers import SmtpSink, notify_config, parts

CONTACTS = """
contacts:
  - {id: legal, name: Legal team, kind: legal, email: legal@example.com}
  - {id: cfo, name: Dana CFO, kind: executive}
"""


def test_page_a_contact(make_server, tmp_path):
    smtp = SmtpSink(tmp_path / "mail")
    try:
        srv = make_server(dev_clock=True, config_text=notify_config(
            ["{id: alice, name: Alice, email: alice@example.com}"], smtp=smtp) + CONTACTS)
        inc = srv.create("customer data exposed", "SEV3", service="api")
        st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/page",
                        {"user": "contact:legal", "message": "please join the bridge"})
        assert st == 201, j
        assert [n["address"] for n in j["notifications"]] == ["legal@example.com"]
        _, rcpt, msg = smtp.wait_for(1)[0]
        assert rcpt == ["legal@example.com"] and inc["id"] in msg["Subject"]
        assert "please join the bridge" in parts(msg)[0]
        st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/page", {"user": "contact:cfo"})
        assert st == 422 and "cfo has no email or phone" in j["error"]["message"]
        st, j = srv.api("POST", f"/api/v1/incidents/{inc['id']}/page", {"user": "contact:nope"})
        assert st == 422 and 'no contact "nope"' in j["error"]["message"]
        st, j = srv.api("GET", f"/api/v1/incidents/{inc['id']}/notifications")
        assert [n["user"] for n in j["notifications"]] == ["contact:legal"], "nothing else queued"
        p = srv.cli("page", inc["id"], "contact:legal", "-m", "again")
        assert p.returncode == 0 and "paged contact:legal by email" in p.stdout, p.stdout
        srv.advance("2m")  # past the notify throttle window
        assert smtp.wait_for(2)[1][1] == ["legal@example.com"]
    finally:
        smtp.close()
