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
    ({"recipients": "email,name\na@example.com," + "N" * 5000 + "\n",
      "template": "customer-degraded"}, 400, "line 2, column 2: longer than 4096 bytes"),
    ({"recipients": "email," + "h" * 5000 + "\na@example.com,x\n",
      "template": "customer-degraded"}, 400, "line 1, column 2: longer than 4096 bytes"),
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


def test_placeholders_per_customer_and_incident(env):
    s, smtp = env
    inc = s.create(title="Checkout <slow>", severity="SEV2", service="api")
    before = len(smtp.messages)
    csv = ('Name,Email,Plan\r\n"Lovelace, Ada",ph-ada@example.com,pro\r\n'
           'Bob,ph-bob@example.org,\r\n"Eve\r\nBcc: x@example.net",ph-eve@example.com,free\r\n')
    st, j = s.api("POST", f"/api/v1/incidents/{inc['id']}/notices", {
        "recipients": csv,
        "subject": "{{ customer.name }}: {{incident.id}} ({{incident.severity}})",
        "body": "Hello {{customer.name}} ({{customer.email}}, plan {{customer.plan}}):\n"
                "{{incident.title}} is {{incident.status}} on {{incident.service}} since "
                "{{incident.started_at}}. {{incident.url}}"})
    assert st == 201 and j["recipients"] == 3, j
    smtp.wait_for(before + 3)
    got = {tuple(rcpt)[0]: msg for _, rcpt, msg in smtp.messages[before:]}
    ada, bob, eve = got["ph-ada@example.com"], got["ph-bob@example.org"], got["ph-eve@example.com"]
    assert ada["Subject"] == f"Lovelace, Ada: {inc['id']} (SEV2)", ada["Subject"]
    text = parts(ada)[0]
    assert "Hello Lovelace, Ada (ph-ada@example.com, plan pro):" in text, text
    assert f"Checkout <slow> is triggered on api since {inc['created_at'][:16]}" in text, text
    assert f"/status#{inc['id']}" in text
    assert "plan ):" in parts(bob)[0]  # an empty cell is empty
    # a value with a line break stays inside the subject: no header is injected
    assert eve["Subject"].startswith("Eve  Bcc: x@example.net:"), eve["Subject"]
    assert eve["Bcc"] is None


@pytest.mark.parametrize("subject,body,needle", [
    ("x", "Dear {{customer.plan}}", "body: unknown placeholder {{customer.plan}}"),
    ("x", "{{ incident.owner }}", "body: unknown placeholder {{incident.owner}}"),
    ("{{customer}}", "y", "subject: unknown placeholder {{customer}}"),
    ("x", "Hi {{customer.name", "body: unknown placeholder {{customer.name"),
])
def test_unknown_placeholder_is_refused_before_any_mail(env, subject, body, needle):
    s, _ = env
    iid = s.create(title="Placeholders", severity="SEV3")["id"]
    rows = len(customer_rows(s))
    st, j = s.api("POST", f"/api/v1/incidents/{iid}/notices",
                  {"recipients": "name,email\nA,unk@example.com\n", "subject": subject,
                   "body": body})
    assert st == 400 and needle in j["error"]["message"], (st, j)
    assert len(customer_rows(s)) == rows
    assert notice_entries(s, iid) == []


def test_cli_notice_send(env, tmp_path):
    s, smtp = env
    from tocsin_harness import run_bin
    ADMIN = s.admin_token
    iid = s.create(title="CLI notice", severity="SEV3")["id"]
    csv, body = tmp_path / "to.csv", tmp_path / "body.txt"
    csv.write_text("email,name\ncli-a@example.com,Ann\n")
    body.write_text("Dear {{customer.name}}, {{incident.title}} is over.\n")
    before = len(smtp.messages)
    p = run_bin("notice", "send", iid, "--csv", csv, "--subject", "About {{incident.id}}",
                "--body-file", body, "--url", s.url, "--token", ADMIN)
    assert p.returncode == 0, p.stderr
    assert p.stdout.startswith("ntc_") and "1 mails queued: About {{incident.id}}" in p.stdout
    smtp.wait_for(before + 1)
    msg = smtp.messages[before][2]
    assert msg["Subject"] == f"About {iid}" and "Dear Ann, CLI notice is over." in parts(msg)[0]
    p = run_bin("notice", "send", iid, "--csv", csv, "--subject", "x", "--body-file",
                tmp_path / "missing.txt", "--url", s.url, "--token", ADMIN)
    assert p.returncode == 2 and "missing.txt" in p.stderr
    p = run_bin("notice", "send", iid, "--csv", csv, "--template", "t", "--subject", "x",
                "--url", s.url, "--token", ADMIN)
    assert p.returncode == 2 and "not both" in p.stderr
    p = run_bin("notice", "send", iid, "--csv", csv, "--subject", "{{x}}", "--body-file", body,
                "--url", s.url, "--token", ADMIN)
    assert p.returncode == 1 and "unknown placeholder {{x}}" in p.stderr, p.stderr


@pytest.mark.parametrize("field", ["subject", "body"])
def test_notice_past_the_cap_once_filled_is_refused_whole(env, field):
    """A notice that would be cut once its placeholders are filled (subject 1,000 bytes, body
    256 KiB) is refused with 400 naming the field and the customer, and nothing is queued, not
    even to the customer before it, whose notice fits."""
    s, _ = env
    note = "{{customer.note}}"
    if field == "subject":  # 800 bytes of title, then 4 notes: 8 bytes fit, 256 do not
        title = "t" * 200
        subject, body = "{{incident.title}}" * 4 + " " + note * 4, "short"
    else:  # 327 titles of 800 bytes (261,600), then 100 notes: 200 bytes fit, 6,400 do not
        title = "\U0001F600" * 200
        subject, body = "short", "{{incident.title}}" * 327 + note * 100
    assert len(subject) <= 200 and len(body) <= 20000
    iid = s.create(title=title, severity="SEV3")["id"]
    rows = len(customer_rows(s))
    csv = (f"name,email,note\nA,fits-{field}@example.com,ok\n"
           f"B,long-{field}@example.com,{'n' * 64}\n")
    st, j = s.api("POST", f"/api/v1/incidents/{iid}/notices",
                  {"recipients": csv, "subject": subject, "body": body})
    assert st == 400, (st, j)
    msg = j["error"]["message"]
    assert msg.startswith(f"{field}:") and f"long-{field}@example.com" in msg, msg
    assert "recipient 2" in msg, msg
    assert len(customer_rows(s)) == rows
    assert notice_entries(s, iid) == []
