"""One-off customer notices (docs/api.md "Customer notices"): a CSV of affected customers, a
status template (as the seeds' customer notices) or a subject and body, mails through the outbox to
a real SMTP server (aiosmtpd), the incident's timeline, and refusals that queue nothing. One
server and one SMTP sink for the module."""
import pytest

from conftest import _teardown_all
from notify_receivers import SmtpSink, notify_config, parts
from tocsin_harness import Server, require_bin

TEMPLATE = """status_templates:
  - id: customer-degraded
    status: investigating
    title: "Service disruption: checkout"
    body: >-
      Some of your checkouts may fail. Our engineers are working on it; we will write again
      when it is fixed.
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    require_bin()
    d = tmp_path_factory.mktemp("notices")
    smtp = SmtpSink(d / "mail")
    text = notify_config(["{id: alice, name: Alice, email: alice@example.com}"], smtp=smtp,
                         throttle="0s")
    s = Server(d / "srv", config_text=text + TEMPLATE)
    try:
        s.start()
        yield s, smtp
    finally:
        _teardown_all([s])
        smtp.close()


def customer_rows(s):
    with s.db() as d:
        return d.execute("SELECT address, subject FROM notifications WHERE user_id LIKE "
                         "'customer:%' ORDER BY address").fetchall()


def notice_entries(s, iid):
    st, j = s.api("GET", f"/api/v1/incidents/{iid}/timeline")
    assert st == 200, j
    return [e for e in j["entries"] if e["kind"] == "notice.sent"]


def test_notice_from_a_template_reaches_each_customer_once(env):
    s, smtp = env
    iid = s.create(title="Checkout failing", severity="SEV2", service="api")["id"]
    csv = ('\ufeffName,Email,Plan\r\n"Lovelace, Ada",ada@example.com,pro\r\n\r\n'
           'Bob,"bob@example.org",free\r\nAda again,ADA@Example.com,pro\r\n')
    st, j = s.api("POST", f"/api/v1/incidents/{iid}/notices",
                  {"recipients": csv, "template": "customer-degraded"})
    assert st == 201, j
    assert j["recipients"] == 2 and j["id"].startswith("ntc_"), j
    assert j["subject"] == "Service disruption: checkout"
    smtp.wait_for(2)
    got = {tuple(rcpt): msg for _, rcpt, msg in smtp.messages}
    assert set(got) == {("ada@example.com",), ("bob@example.org",)}, list(got)
    for msg in got.values():
        assert msg["Subject"] == "Service disruption: checkout"
        assert "Some of your checkouts may fail" in parts(msg)[0]
    [e] = notice_entries(s, iid)
    assert e["data"] == {"id": j["id"], "template": "customer-degraded",
                         "subject": "Service disruption: checkout", "recipients": 2}, e
    assert "ada@" not in str(e), "the timeline names no customer"

    # a subject and body of its own; a second notice is a second mail to the same address
    st, j2 = s.api("POST", f"/api/v1/incidents/{iid}/notices",
                   {"recipients": "email\nada@example.com\n", "subject": "Fixed",
                    "body": "Checkout works again."})
    assert st == 201 and j2["recipients"] == 1, j2
    smtp.wait_for(3)
    assert smtp.messages[2][1] == ["ada@example.com"]
    assert parts(smtp.messages[2][2])[0].strip().startswith("Checkout works again.")
    assert [e["data"]["template"] for e in notice_entries(s, iid)] == ["customer-degraded", None]


@pytest.mark.parametrize("body,status,needle", [
    ({"recipients": "email\nnot-an-address\n", "template": "customer-degraded"}, 400,
     "recipients: line 2"),
    ({"recipients": "email\na@example.com\nb@example\n", "template": "customer-degraded"}, 400,
     "recipients: line 3"),
    ({"recipients": "name,mail\nA,a@example.com\n", "template": "customer-degraded"}, 400,
     "no `email` column"),
    ({"recipients": "email\n\"a@example.com\n", "template": "customer-degraded"}, 400,
     "never closed"),
    ({"recipients": "email\n", "template": "customer-degraded"}, 400, "no address"),
    ({"recipients": "email\na@example.com\n", "template": "nope"}, 422, "template:"),
    ({"recipients": "email\na@example.com\n", "template": "customer-degraded", "subject": "x"},
     400, "template:"),
    ({"recipients": "email\na@example.com\n", "subject": "x"}, 400, "body:"),
    ({"recipients": "email\na@example.com\n", "subject": "Outage\r\nReply-To: evil@example.org",
      "body": "y"}, 400, "subject: one line"),
    ({"template": "customer-degraded"}, 400, "recipients"),
    ({"recipients": "email\na@example.com\n", "subject": "x", "body": "y", "cc": 1}, 400, "cc"),
])
def test_bad_notices_are_refused_whole(env, body, status, needle):
    s, _ = env
    iid = s.create(title="Refused notices", severity="SEV3", service="api")["id"]
    before = customer_rows(s)
    st, j = s.api("POST", f"/api/v1/incidents/{iid}/notices", body)
    assert st == status and needle in j["error"]["message"], (st, j)
    assert customer_rows(s) == before, "nothing queued"
    assert notice_entries(s, iid) == []


def test_unknown_incident_and_roles(env):
    s, _ = env
    st, j = s.api("POST", "/api/v1/incidents/INC-2000-01-01-001/notices",
                  {"recipients": "email\na@example.com\n", "subject": "x", "body": "y"})
    assert st == 404 and j["error"]["message"].startswith("id:"), j
