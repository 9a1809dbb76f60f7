"""The responder web UI (/ui/, docs/internals/ui.md): sign-in with passwords set by an admin
(PUT /api/v1/users/{id}/password, `tocsin user passwd`), the session cookie's flags, CSRF refusal,
session expiry and revocation, roles enforced as the API does, the failed sign-in limit, HTML
escaping, the security headers, the form parser's limits and the live-update stream."""
import http.client
import re
import urllib.parse

import pytest

from test_ingest_support import generic_ok, integration
from tocsin_harness import run_bin

PASSWORD = "correct horse battery"
XSS = "<script>alert(1)</script>"
FORM = "application/x-www-form-urlencoded"


class Browser:
    """A cookie-keeping client that does not follow redirects (urllib would)."""

    def __init__(self, server):
        self.server = server
        self.cookie = None
        self.csrf = None

    def send(self, method, path, form=None, raw=None, content_type=FORM, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        h = dict(headers or {})
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True).encode()
        elif raw is not None:
            body = raw if isinstance(raw, bytes) else raw.encode()
        if body is not None:
            h["Content-Type"] = content_type
        if self.cookie:
            h["Cookie"] = f"tocsin_session={self.cookie}"
        c.request(method, path, body=body, headers=h)
        r = c.getresponse()
        text = r.read().decode("utf-8", "replace")
        c.close()
        assert r.status < 500, f"{method} {path} answered {r.status}: {text[:300]}"
        m = re.search(r'name="csrf" value="([0-9a-f]+)"', text)
        if m:
            self.csrf = m.group(1)
        return r, text

    def signin(self, user, password=PASSWORD):
        r, text = self.send("POST", "/ui/signin", {"user": user, "password": password})
        if r.status == 303:
            m = re.match(r"tocsin_session=([^;]*);", r.getheader("Set-Cookie") or "")
            assert m, r.getheader("Set-Cookie")
            self.cookie = m.group(1)
            page, _ = self.send("GET", "/ui/")
            assert page.status == 200
        return r, text

    def post(self, path, form=None, csrf=True):
        form = dict(form or {})
        if csrf is True:
            form["csrf"] = self.csrf
        elif csrf:
            form["csrf"] = csrf
        return self.send("POST", path, form)


def q(server, sql, params=()):
    with server.db() as d:
        return [tuple(r) for r in d.execute(sql, params).fetchall()]


def set_password(server, user, role="responder", password=PASSWORD):
    st, j = server.api("PUT", f"/api/v1/users/{user}/password", {"password": password, "role": role})
    assert st == 200, (st, j)
    return j


@pytest.fixture
def ui(clock_server):
    set_password(clock_server, "alice")
    b = Browser(clock_server)
    r, _ = b.signin("alice")
    assert r.status == 303
    return clock_server, b


def test_signin_sets_a_strict_httponly_cookie_and_pages_carry_the_security_headers(clock_server):
    set_password(clock_server, "alice")
    b = Browser(clock_server)
    r, _ = b.send("GET", "/ui/")
    assert r.status == 303 and r.getheader("Location") == "/ui/signin"
    r, _ = b.signin("alice")
    assert r.status == 303 and r.getheader("Location") == "/ui/"
    cookie = r.getheader("Set-Cookie")
    for flag in ("HttpOnly", "SameSite=Strict", "Path=/ui", "Max-Age=43200"):
        assert flag in cookie, cookie
    assert "Secure" not in cookie, "plain http: no Secure flag"
    assert len(b.cookie) >= 40
    r, text = b.send("GET", "/ui/")
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/html")
    csp = r.getheader("Content-Security-Policy")
    assert csp and "unsafe-inline" not in csp and "default-src 'none'" in csp
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert r.getheader("X-Frame-Options") == "DENY"
    assert r.getheader("X-Content-Type-Options") == "nosniff"
    assert r.getheader("Referrer-Policy")
    assert r.getheader("Cache-Control") == "no-store"
    assert "<script>" not in text and " style=" not in text, "no inline script or style"
    # the session is a row, not the secret: the store holds only its SHA-256
    rows = q(clock_server, "SELECT id_hash, user_id FROM ui_sessions")
    assert [r[1] for r in rows] == ["alice"] and b.cookie not in rows[0][0]
    audit = q(clock_server, "SELECT kind, actor FROM timeline WHERE kind LIKE ? ORDER BY seq",
              ("user.%",))
    assert audit == [("user.password_set", "token:admin"), ("user.signed_in", "user:alice")]


def test_cookie_is_secure_when_the_public_url_is_https(make_server):
    s = make_server(dev_clock=True, start=False)
    text = s.fixture_text().replace('server: {listen: "127.0.0.1:8080"}',
                                    'server: {listen: "127.0.0.1:8080", public_url: "https://tocsin.example"}')
    assert "https://tocsin.example" in text
    s.write_config(text)
    s.start()
    set_password(s, "alice")
    r, _ = Browser(s).signin("alice")
    assert r.status == 303 and "; Secure" in r.getheader("Set-Cookie")


def test_wrong_password_unknown_user_and_no_password_are_refused_alike(clock_server):
    set_password(clock_server, "alice")
    for user, pw in (("alice", "not the password"), ("nobody", PASSWORD), ("bob", PASSWORD)):
        r, text = Browser(clock_server).signin(user, pw)
        assert r.status == 401, (user, r.status)
        assert "Wrong user or password." in text
        assert r.getheader("Set-Cookie") is None


def test_csrf_token_is_required_on_every_post(ui):
    server, b = ui
    inc = server.create(severity="SEV2")
    path = f"/ui/incidents/{inc['id']}/ack"
    for bad in (None, "0" * 48, b.csrf[:-1]):
        r, text = b.post(path, csrf=bad if bad else False)
        assert r.status == 403, (bad, r.status)
        assert "csrf" in text
    assert server.get(inc["id"])["status"] == "triggered", "a refused POST changed nothing"
    r, _ = b.post("/ui/signout", csrf=False)
    assert r.status == 403
    r, _ = b.post(path)
    assert r.status == 303 and r.getheader("Location") == f"/ui/incidents/{inc['id']}"
    assert server.get(inc["id"])["status"] == "acknowledged"
    actors = [(e["kind"], e["actor"]) for e in server.timeline(inc["id"])]
    assert ("incident.acknowledged", "user:alice") in actors


def test_signin_from_another_origin_is_refused(clock_server):
    set_password(clock_server, "alice")
    r, _ = Browser(clock_server).send("POST", "/ui/signin", {"user": "alice", "password": PASSWORD},
                                      headers={"Origin": "http://evil.example"})
    assert r.status == 403 and r.getheader("Set-Cookie") is None
    r, _ = Browser(clock_server).send("POST", "/ui/signin", {"user": "alice", "password": PASSWORD},
                                      headers={"Origin": clock_server.url})
    assert r.status == 303, "the browser's own origin is fine"


def test_signout_ends_the_session_at_once(ui):
    server, b = ui
    old = b.cookie
    r, _ = b.post("/ui/signout")
    assert r.status == 303 and r.getheader("Location") == "/ui/signin"
    assert "Max-Age=0" in r.getheader("Set-Cookie")
    b.cookie = old  # a copy of the cookie kept by someone: no use now
    r, _ = b.send("GET", "/ui/")
    assert r.status == 303 and r.getheader("Location") == "/ui/signin"
    r, _ = b.send("POST", "/ui/incidents/ack", {"id": "x", "csrf": b.csrf})
    assert r.status == 401


def test_admin_revocation_and_a_new_password_end_open_sessions(ui):
    server, b = ui
    st, j = server.api("DELETE", "/api/v1/users/alice/sessions")
    assert st == 200 and j["sessions_revoked"] is True
    assert b.send("GET", "/ui/")[0].status == 303
    assert b.signin("alice")[0].status == 303
    assert b.send("GET", "/ui/")[0].status == 200
    set_password(server, "alice", password="another long password")
    assert b.send("GET", "/ui/")[0].status == 303, "a new password ends the old sessions"
    assert b.signin("alice")[0].status == 401, "the old password no longer works"
    assert b.signin("alice", "another long password")[0].status == 303


def test_session_expires_after_twelve_hours(ui):
    server, b = ui
    server.advance("11h59m")
    assert b.send("GET", "/ui/")[0].status == 200
    server.advance("2m")
    r, _ = b.send("GET", "/ui/")
    assert r.status == 303 and r.getheader("Location") == "/ui/signin"


def test_a_viewer_sees_but_is_refused_changes_as_by_the_api(clock_server):
    server = clock_server
    set_password(server, "bob", role="viewer")
    b = Browser(server)
    assert b.signin("bob")[0].status == 303
    inc = server.create(severity="SEV2", title="Viewer test")
    r, text = b.send("GET", f"/ui/incidents/{inc['id']}")
    assert r.status == 200 and "Viewer test" in text
    assert 'data-action="ack"' not in text and "/ui/declare" not in text
    r, text = b.post(f"/ui/incidents/{inc['id']}/ack")
    assert r.status == 403 and "role viewer may not do this (needs responder)" in text
    r, text = b.post("/ui/declare", {"title": "nope", "severity": "SEV3"})
    assert r.status == 403
    assert server.get(inc["id"])["status"] == "triggered"
    assert len(server.request("GET", "/api/v1/incidents").json["incidents"]) == 1


def test_failed_signins_are_limited_per_user_and_per_address(clock_server):
    server = clock_server
    set_password(server, "alice")
    set_password(server, "carol")
    b = Browser(server)
    for _ in range(5):
        assert b.signin("alice", "wrong password")[0].status == 401
    r, text = b.signin("alice")
    assert r.status == 429, "even the right password waits once the user's limit is reached"
    assert int(r.getheader("Retry-After")) >= 1 and "Too many failed sign-ins" in text
    assert b.signin("carol")[0].status == 303, "another user is not limited by alice's failures"
    server.advance("1m")
    assert b.signin("alice")[0].status == 303, "the bucket refills with time"
    # per address: failures spread over many user names still reach the address's limit
    # (the dev clock also runs with the wall clock, so the bucket refills a little meanwhile)
    tries = 0
    while tries < 40:
        status = b.signin(f"user{tries}", "wrong password")[0].status
        if status == 429:
            break
        assert status == 401
        tries += 1
    assert 20 <= tries < 40, f"the address was limited after {tries} failures"
    assert b.signin("carol")[0].status == 429


def test_titles_and_notes_are_escaped(ui):
    server, b = ui
    r, _ = b.post("/ui/declare", {"title": XSS, "severity": "SEV1", "service": "api",
                                  "summary": "<img src=x onerror=alert(2)>"})
    assert r.status == 303
    iid = r.getheader("Location").rsplit("/", 1)[1]
    assert server.get(iid)["title"] == XSS
    r, _ = b.post(f"/ui/incidents/{iid}/note", {"text": '"><b>bold</b>'})
    assert r.status == 303
    for path in ("/ui/", f"/ui/incidents/{iid}"):
        r, text = b.send("GET", path)
        assert r.status == 200
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert XSS not in text and "<img" not in text and "<b>bold" not in text
    assert "&quot;&gt;&lt;b&gt;bold&lt;/b&gt;" in text


def test_actions_go_through_the_api_and_refusals_name_the_field(ui):
    server, b = ui
    inc = server.create(severity="SEV2")
    iid = inc["id"]
    for action, form in (("status", {"status": "identified"}), ("severity", {"severity": "SEV1"}),
                         ("role", {"role": "commander", "user": "bob"}),
                         ("note", {"text": "looking"}), ("resolve", {"message": "fixed"})):
        r, text = b.post(f"/ui/incidents/{iid}/{action}", form)
        assert r.status == 303, (action, r.status, text[:300])
    j = server.get(iid)
    assert j["status"] == "resolved" and j["severity"] == "SEV1" and j["roles"]["commander"] == "bob"
    r, text = b.post(f"/ui/incidents/{iid}/status", {"status": "monitoring"})
    assert r.status == 409
    r, text = b.post(f"/ui/incidents/{iid}/severity", {"severity": "SEV9"})
    assert r.status in (400, 422) and "severity" in text
    r, text = b.post(f"/ui/incidents/{iid}/frobnicate")
    assert r.status == 404
    r, text = b.post("/ui/incidents/INC-2000-01-01-999/ack")
    assert r.status == 404
    r, text = b.post("/ui/declare", {"severity": "SEV3"})
    assert r.status == 400 and "title" in text


def test_close_from_the_ui_waits_for_the_post_mortem_and_an_admin_may_waive_it(clock_server):
    """A resolved SEV1 has a Close form; the close is refused (409, naming the post-mortem) until
    one is published; only an admin sees and may use the waiver field, which lands on the
    timeline (docs/postmortems.md)."""
    server = clock_server
    iid = server.create(severity="SEV1")["id"]
    server.move(iid, "resolved", message="fixed")
    set_password(server, "alice")
    b = Browser(server)
    assert b.signin("alice")[0].status == 303
    page, text = b.send("GET", f"/ui/incidents/{iid}")
    assert 'id="close"' in text and 'name="postmortem_waiver"' not in text
    r, text = b.post(f"/ui/incidents/{iid}/status", {"status": "closed"})
    assert r.status == 409 and "post" in text.lower(), (r.status, text[:300])
    r, text = b.post(f"/ui/incidents/{iid}/status",
                     {"status": "closed", "postmortem_waiver": "wiki page PM-7"})
    assert r.status == 403, (r.status, text[:300])
    assert server.get(iid)["status"] == "resolved"
    set_password(server, "bob", role="admin")
    a = Browser(server)
    assert a.signin("bob")[0].status == 303
    page, text = a.send("GET", f"/ui/incidents/{iid}")
    assert 'name="postmortem_waiver"' in text
    r, text = a.post(f"/ui/incidents/{iid}/status",
                     {"status": "closed", "postmortem_waiver": "wiki page PM-7"})
    assert r.status == 303, (r.status, text[:300])
    assert server.get(iid)["status"] == "closed"
    waived = [e for e in server.timeline(iid) if e["kind"] == "incident.postmortem_waived"]
    assert len(waived) == 1 and waived[0]["data"]["reason"] == "wiki page PM-7"


def test_bulk_acknowledge(ui):
    server, b = ui
    ids = [server.create(severity="SEV3", title=f"bulk {i}")["id"] for i in range(3)]
    r, _ = b.post("/ui/incidents/ack", {"id": ids[:2]})
    assert r.status == 303 and r.getheader("Location") == "/ui/"
    assert [server.get(i)["status"] for i in ids] == ["acknowledged", "acknowledged", "triggered"]
    r, text = b.post("/ui/incidents/ack", {"id": [ids[0], ids[2]]})
    assert r.status == 409 and ids[0] in text, "the one that failed is named"
    assert server.get(ids[2])["status"] == "acknowledged"
    assert b.post("/ui/incidents/ack", {})[0].status == 400


def test_list_is_sorted_by_severity_then_age_and_filters(ui):
    server, b = ui
    a = server.create(severity="SEV3", title="third old", service="api")
    server.advance("1m")
    c = server.create(severity="SEV1", title="first", service="db")
    server.advance("1m")
    d = server.create(severity="SEV3", title="third new", service="api", drill=True)
    _, text = b.send("GET", "/ui/")
    order = [text.index(x["id"]) for x in (c, a, d)]
    assert order == sorted(order), "SEV1 first, then the SEV3s oldest first"
    _, text = b.send("GET", "/ui/?service=api&drill=no")
    assert a["id"] in text and c["id"] not in text and d["id"] not in text
    _, text = b.send("GET", "/ui/?severity=SEV1")
    assert c["id"] in text and a["id"] not in text
    r, text = b.send("GET", "/ui/?status=bogus")
    assert r.status == 422 and "status" in text


def test_bad_forms_are_refused_with_a_message(ui):
    server, b = ui
    inc = server.create()
    path = f"/ui/incidents/{inc['id']}/note"
    r, text = b.send("POST", path, raw=f"csrf={b.csrf}&text=%zz")
    assert r.status == 400 and "text" in text
    r, text = b.send("POST", path, raw=f"csrf={b.csrf}&text=a%00b")
    assert r.status == 400
    r, text = b.send("POST", path, raw=f"csrf={b.csrf}&text=%ff%fe")
    assert r.status == 400
    r, text = b.send("POST", path, raw="&".join(f"f{i}=1" for i in range(70)))
    assert r.status == 400 and "fields" in text
    r, text = b.send("POST", path, raw='{"text":"x"}', content_type="application/json")
    assert r.status == 400 and "content-type" in text
    assert len(server.timeline(inc["id"])) == 1, "nothing was added"


def test_event_stream_carries_a_version_that_moves_with_changes(ui):
    server, b = ui
    r, text = b.send("GET", "/ui/events")
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/event-stream")
    v1 = int(re.search(r"^data: (\d+)$", text, re.M).group(1))
    assert re.search(r"^retry: \d+$", text, re.M)
    server.create()
    _, text = b.send("GET", "/ui/events")
    assert int(re.search(r"^data: (\d+)$", text, re.M).group(1)) > v1
    b.cookie = None
    assert b.send("GET", "/ui/events")[0].status == 303


def test_assets_are_served_from_the_binary(clock_server):
    b = Browser(clock_server)
    r, text = b.send("GET", "/ui/static/ui.css")
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/css") and ".sev-1" in text
    r, text = b.send("GET", "/ui/static/ui.js")
    assert r.status == 200 and "EventSource" in text
    assert b.send("GET", "/ui/static/nope.js")[0].status == 404


def test_password_api_checks_its_input_and_roles(clock_server):
    s = clock_server
    assert s.api("PUT", "/api/v1/users/alice/password", {"password": "short"})[0] == 400
    assert s.api("PUT", "/api/v1/users/nobody/password", {"password": PASSWORD})[0] == 404
    st, j = s.api("PUT", "/api/v1/users/alice/password", {"password": PASSWORD, "role": "root"})
    assert st == 400 and "role" in j["error"]["message"]
    assert s.api("PUT", "/api/v1/users/alice/password", {"password": PASSWORD, "x": 1})[0] == 400
    responder = s.make_token("responder")
    assert s.api("PUT", "/api/v1/users/alice/password", {"password": PASSWORD}, token=responder)[0] == 403
    assert s.api("DELETE", "/api/v1/users/alice/sessions", token=responder)[0] == 403
    hashes = q(s, "SELECT pw_hash FROM ui_logins")
    assert hashes == [], "nothing stored by refused calls"


def test_cli_user_passwd_reads_stdin(clock_server):
    s = clock_server
    env = {"TOCSIN_URL": s.url, "TOCSIN_TOKEN": s.admin_token}
    p = run_bin("user", "passwd", "carol", "--role", "admin", env=env, input=PASSWORD + "\n")
    assert p.returncode == 0, p.stderr
    assert "carol" in p.stdout and "admin" in p.stdout
    [(h, role)] = q(s, "SELECT pw_hash, role FROM ui_logins WHERE user_id = ?", ("carol",))
    assert h.startswith("$argon2id$") and PASSWORD not in h and role == "admin"
    assert Browser(s).signin("carol")[0].status == 303
    p = run_bin("user", "passwd", "nobody", env=env, input=PASSWORD + "\n")
    assert p.returncode == 1 and "nobody" in p.stderr
    p = run_bin("user", "passwd", "carol", env=env, input="")
    assert p.returncode == 2
    p = run_bin("user", "signout", "carol", env=env)
    assert p.returncode == 0


SCHEDULE = """schedules:
  - id: primary
    timezone: UTC
    rotation: {every: 1w, handoff: "mon 09:00", users: [alice, bob]}
"""


def test_oncall_page_shows_now_next_overrides_and_my_shifts(make_server):
    s = make_server(dev_clock=True, start=False)
    s.write_config(s.fixture_text() + SCHEDULE)
    s.start()
    s.pin_clock()  # 2099-06-15 (a Monday) 12:00 UTC
    set_password(s, "alice")
    st, j = s.api("POST", "/api/v1/schedules/primary/overrides",
                  {"user": "carol", "from": "2099-06-20T00:00:00Z", "to": "2099-06-21T00:00:00Z",
                   "reason": "swap <b>"})
    assert st == 201, (st, j)
    b = Browser(s)
    assert b.signin("alice")[0].status == 303
    r, text = b.send("GET", "/ui/oncall")
    assert r.status == 200
    st, now = s.api("GET", "/api/v1/oncall")
    cur = now["oncall"][0]["user"]
    assert cur in ("alice", "bob")
    row = re.search(r'<tr><td>primary</td>(.*?)</tr>', text).group(1)
    assert "2099-06-20 00:00 UTC" in row, "the shift ends where the override begins"
    assert row.index(cur) < row.index("carol"), "now, then next: the override"
    assert "/api/v1/schedules/primary.ics" in text
    assert "carol" in text and "swap &lt;b&gt;" in text
    shifts = re.search(r'id="my-shifts">(.*?)</section>', text, re.S).group(1)
    assert "primary:" in shifts


def test_alerts_page_and_silences_add_and_expire(ui):
    server, b = ui
    r, text = b.send("GET", "/ui/alerts")
    assert r.status == 200 and "Nothing is firing." in text
    r, text = b.post("/ui/silences", {"service": "api", "match": "alertname=Disk<x>",
                                      "duration": "1h", "reason": "maintenance"})
    assert r.status == 303 and r.getheader("Location") == "/ui/alerts"
    st, j = server.api("GET", "/api/v1/silences")
    [sil] = j["silences"]
    assert sil["service"] == "api" and sil["matchers"] == {"alertname": "Disk<x>"}
    assert sil["created_by"] == "user:alice"
    r, text = b.send("GET", "/ui/alerts")
    assert "alertname=Disk&lt;x&gt;" in text and sil["id"] in text
    r, text = b.post("/ui/silences", {"match": "nolabel", "duration": "1h", "reason": "x"})
    assert r.status == 400 and "match" in text
    r, text = b.post("/ui/silences", {"duration": "1h", "reason": "everything"})
    assert r.status == 400 and "matchers" in text, "the API's own refusal"
    r, _ = b.post(f"/ui/silences/{sil['id']}/expire")
    assert r.status == 303
    st, j = server.api("GET", "/api/v1/silences")
    assert j["silences"] == []
    assert b.post(f"/ui/silences/{sil['id']}/expire")[0].status == 404


POLICY = """escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [schedule:primary]}
      - {after: 15m, notify: [user:carol]}
"""


def test_incident_page_shows_the_escalation_plan(make_server):
    s = make_server(dev_clock=True, start=False)
    text = s.fixture_text().replace("{id: api, name: API Gateway}",
                                    "{id: api, name: API Gateway, escalation: default}")
    assert "escalation: default" in text
    s.write_config(text + SCHEDULE + POLICY)
    s.start()
    set_password(s, "alice")
    b = Browser(s)
    assert b.signin("alice")[0].status == 303
    inc = s.create(severity="SEV2", service="api")
    _, page = b.send("GET", f"/ui/incidents/{inc['id']}")
    m = re.search(r'<ol class="plan" id="plan">(.*?)</ol>', page)
    assert m, re.search(r"<h2>Escalation</h2>.*?</section>", page).group(0)
    plan = m.group(1)
    assert "after 0s" in plan or "after 0m" in plan
    assert "<code>schedule:primary</code>" in plan and "<code>user:carol</code>" in plan
    assert plan.count('class="next"') == 1
    assert "Policy</dt><dd>default" in page


def test_ids_that_are_not_plain_reach_no_other_route(ui):
    server, b = ui
    inc = server.create()
    for path in (f"/ui/incidents/{inc['id']}%3Fstatus=all", "/ui/incidents/..%3Fx"):
        r, _ = b.send("GET", path)
        assert r.status == 404, path
        r, _ = b.post(path + "/ack")
        assert r.status == 404, path
    r, text = b.post("/ui/incidents/ack", {"id": [f"{inc['id']}?x=1"]})
    assert r.status == 404
    assert server.get(inc["id"])["status"] == "triggered"


def test_firing_alerts_by_service_on_the_alerts_and_incident_pages(ui):
    server, b = ui
    key = integration(server, "db", "generic")["key"]
    j = generic_ok(server, key, {"summary": "Replica lag <10s>", "dedup_key": "lag"})
    iid = j["incident_id"]
    _, text = b.send("GET", "/ui/alerts")
    firing = re.search(r'id="firing">(.*?)</section>', text, re.S).group(1)
    assert "<h3>db</h3>" in firing and "Replica lag &lt;10s&gt;" in firing
    assert f'href="/ui/incidents/{iid}"' in firing
    _, text = b.send("GET", f"/ui/incidents/{iid}")
    alerts_card = re.search(r"<h2>Alerts</h2>(.*?)</section>", text, re.S).group(1)
    assert "Replica lag &lt;10s&gt;" in alerts_card and "firing" in alerts_card


def test_status_update_with_message_and_public_flag(ui):
    server, b = ui
    inc = server.create(severity="SEV1")
    _, text = b.send("GET", f"/ui/incidents/{inc['id']}")
    assert 'id="update-status"' in text and 'value="resolved"' in text
    r, _ = b.post(f"/ui/incidents/{inc['id']}/status",
                  {"status": "identified", "message": "Bad deploy <v2>", "public": "1"})
    assert r.status == 303
    j = server.get(inc["id"])
    assert j["status"] == "identified" and j["last_public_update_at"]
    [e] = [e for e in server.timeline(inc["id"]) if e["data"].get("to") == "identified"]
    assert e["data"]["public"] is True and e["data"]["message"] == "Bad deploy <v2>"
    assert e["actor"] == "user:alice"
    r, text = b.post(f"/ui/incidents/{inc['id']}/status", {"status": "monitoring", "public": "1"})
    assert r.status == 400 and "message" in text, "the API's rule: a public update needs a message"
    r, _ = b.post(f"/ui/incidents/{inc['id']}/status", {"status": "monitoring"})
    assert r.status == 303
    assert server.get(inc["id"])["status"] == "monitoring"
