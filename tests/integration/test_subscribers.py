"""Status page subscribers (docs/api.md "Status page subscribers"): the public subscribe form,
double opt-in through a real SMTP server (aiosmtpd), signed confirm and unsubscribe links, notices
of public incident updates and maintenance updates to the subscribers of the components they
touch, rate limits on the public form, the admin JSON and CSV export. One dev-clock server and one
SMTP sink for the module."""
import csv
import io
import re
import urllib.parse

import pytest

from conftest import _teardown_all
from notify_receivers import SmtpSink, notify_config, parts
from tocsin_harness import Server, http, require_bin

LINK = re.compile(r"https?://[^\s\"<>]*/status/subscribers/(sub_[0-9a-f]+)/(confirm|unsubscribe)/"
                  r"([0-9a-f]{32})")
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def config(smtp):
    text = notify_config(["{id: alice, name: Alice, email: alice@example.com}"], smtp=smtp,
                         throttle="0s")
    text = text.replace("  - {id: api, name: API Gateway}\n",
                        "  - {id: api, name: API Gateway, component: API}\n"
                        "  - {id: db, name: Database, component: Database}\n")
    assert "component: Database" in text
    return text + "server: {public_url: \"https://status.example.test\"}\n"


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    require_bin()
    d = tmp_path_factory.mktemp("subs")
    smtp = SmtpSink(d / "mail")
    s = Server(d / "srv", dev_clock=True, config_text=config(smtp))
    try:
        s.start()
        yield s, smtp
    finally:
        _teardown_all([s])
        smtp.close()


def subscribe(s, email, components=(), peer_ok=True):
    body = urllib.parse.urlencode([("email", email)] + [("component", c) for c in components])
    return http("POST", f"{s.url}/status/subscribe", body.encode(), FORM)


def subscriber_rows(s, sid):
    with s.db() as d:
        return d.execute("SELECT subject, status FROM notifications WHERE user_id = ? ORDER BY id",
                         (f"subscriber:{sid}",)).fetchall()


def mails_to(smtp, address, n):
    """The first n messages to address (waits for them)."""
    for _ in range(200):
        got = [m for _, rcpt, m in smtp.messages if rcpt == [address]]
        if len(got) >= n:
            return got
        smtp.wait_for(len(smtp.messages) + 1, timeout=20)
    raise AssertionError(f"fewer than {n} mails to {address}")


def links(msg):
    text, _ = parts(msg)
    return {m[1]: (m[0], m[2], f"/status/subscribers/{m[0]}/{m[1]}/{m[2]}")
            for m in LINK.findall(text)}


def admin_list(s):
    st, j = s.api("GET", "/api/v1/subscribers")
    assert st == 200, j
    return {x["address"]: x for x in j["subscribers"]}


def test_double_opt_in_notices_and_unsubscribe(env):
    s, smtp = env
    r = subscribe(s, "Reader@Example.com", ["API"])
    assert r.status == 200 and b"Check your mail" in r.body, r.body[:300]
    [confirm_mail] = mails_to(smtp, "reader@example.com", 1)
    assert confirm_mail["Subject"].startswith("Confirm your subscription")
    got = links(confirm_mail)
    assert set(got) == {"confirm", "unsubscribe"}, got
    sid, token, confirm_path = got["confirm"]
    assert got["unsubscribe"][1] != token  # one token per purpose
    sub = admin_list(s)["reader@example.com"]
    assert sub["state"] == "pending" and sub["components"] == ["API"] and sub["id"] == sid

    # pending: a public update tells it nothing
    inc = s.create(title="API <errors>", severity="SEV1", service="api")
    s.move(inc["id"], "investigating", message="Looking into it", public=True)
    assert len(subscriber_rows(s, sid)) == 1  # the confirmation mail only

    # the link: GET shows a button and changes nothing; a bad token is 403; POST confirms
    r = http("GET", s.url + confirm_path)
    assert r.status == 200 and b'method="post"' in r.body
    assert r.headers["Referrer-Policy"] == "no-referrer"
    assert admin_list(s)["reader@example.com"]["state"] == "pending"
    bad = confirm_path[:-1] + ("0" if confirm_path[-1] != "0" else "1")
    for path in (bad, confirm_path.replace("/confirm/", "/unsubscribe/"),
                 f"/status/subscribers/sub_000000000000/confirm/{token}"):
        r = http("POST", s.url + path, b"", FORM)
        assert r.status == 403, (path, r.status)
    r = http("POST", s.url + confirm_path, b"", FORM)
    assert r.status == 200 and b"Subscribed" in r.body
    assert admin_list(s)["reader@example.com"]["state"] == "confirmed"

    # confirmed: public updates on its component reach it, with the unsubscribe link
    s.move(inc["id"], "identified", message="Bad deploy <rolled back>", public=True)
    mails = mails_to(smtp, "reader@example.com", 2)
    notice = mails[1]
    assert "API <errors>" in notice["Subject"] and "identified" in notice["Subject"]
    text, html = parts(notice)
    assert "Bad deploy <rolled back>" in text and "&lt;rolled back&gt;" in html
    assert "https://status.example.test/status#" + inc["id"] in text
    assert "/api/v1/" not in text  # nothing internal
    unsub = links(notice)["unsubscribe"][2]
    # a private update, a note and another component's incident tell it nothing
    n = len(subscriber_rows(s, sid))
    s.move(inc["id"], "monitoring", message="private", public=False)
    other = s.create(title="DB slow", severity="SEV2", service="db")
    s.move(other["id"], "investigating", message="db", public=True)
    drill = s.create(title="Drill", severity="SEV1", service="api", drill=True)
    s.move(drill["id"], "investigating", message="drill", public=True)
    assert len(subscriber_rows(s, sid)) == n

    # a maintenance on its component
    st, m = s.api("POST", "/api/v1/maintenances", {
        "name": "Gateway upgrade", "components": ["API", "Database"],
        "scheduled_for": "2099-01-01T00:00:00Z", "scheduled_until": "2099-01-01T02:00:00Z",
        "message": "Short blip expected"})
    assert st == 201, m
    mails = mails_to(smtp, "reader@example.com", 3)
    assert "Maintenance scheduled: Gateway upgrade" in mails[2]["Subject"]
    assert "Short blip expected" in parts(mails[2])[0]

    # unsubscribe (one click: POST), then nothing more
    r = http("POST", s.url + unsub, b"List-Unsubscribe=One-Click", FORM)
    assert r.status == 200 and b"Unsubscribed" in r.body
    assert admin_list(s)["reader@example.com"]["state"] == "unsubscribed"
    n = len(subscriber_rows(s, sid))
    s.move(inc["id"], "resolved", message="All good", public=True)
    assert len(subscriber_rows(s, sid)) == n
    # the old confirm link does not bring it back
    r = http("POST", s.url + confirm_path, b"", FORM)
    assert r.status == 409


def test_subscribe_form_limits_and_bad_input(env):
    s, smtp = env
    for email, comps in (("not-an-address", ()), ("a@b", ()), ("x@example.com", ["Nope"]),
                         ("<x>@example.com", ())):
        r = subscribe(s, email, comps)
        assert r.status == 400, (email, r.status)
    # one address: 3 confirmation mails, then 429 with Retry-After
    codes = [subscribe(s, "again@example.com").status for _ in range(4)]
    assert codes[:3] == [200, 200, 200] and codes[3] == 429, codes
    r = subscribe(s, "again@example.com")
    assert r.status == 429 and int(r.headers["Retry-After"]) >= 1
    # the page carries the form
    r = http("GET", f"{s.url}/status")
    assert b'action="/status/subscribe"' in r.body and b'name="component" value="API"' in r.body


def test_csv_export_for_admins(env):
    s, _ = env
    s.advance("2m")  # the form's limits refill (they run on the app clock)
    assert subscribe(s, "=cmd@example.com").status == 200
    r = s.request("GET", "/api/v1/subscribers.csv")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.body.decode())))
    assert rows[0] == ["id", "kind", "address", "state", "components", "created_at",
                       "confirmed_at", "unsubscribed_at"]
    by_addr = {row[2]: row for row in rows[1:]}
    assert "'=cmd@example.com" in by_addr, by_addr.keys()  # no formula for a spreadsheet
    assert by_addr.get("reader@example.com", ["", "", "", "unsubscribed"])[3] == "unsubscribed"
    viewer = s.make_token("viewer")
    assert s.request("GET", "/api/v1/subscribers.csv", token=viewer).status == 403
    assert s.request("GET", "/api/v1/subscribers", token=None).status == 401
    st, j = s.api("GET", "/api/v1/subscribers?state=nope")
    assert st == 400 and "state" in j["error"]["message"]


def test_the_admin_list_is_paged_by_cursor(env):
    """GET /api/v1/subscribers answers at most `limit` subscribers and a next_cursor (docs/api.md
    "Lists"); following the cursors gives every subscriber once, in the list's order."""
    s, _ = env
    st, whole = s.api("GET", "/api/v1/subscribers?limit=1000")
    assert st == 200 and len(whole["subscribers"]) >= 2, whole
    assert whole["next_cursor"] is None
    seen, cursor = [], None
    for _ in range(len(whole["subscribers"]) + 1):
        st, j = s.api("GET", "/api/v1/subscribers?limit=1" + (f"&cursor={cursor}" if cursor else ""))
        assert st == 200 and len(j["subscribers"]) <= 1, j
        seen += [x["id"] for x in j["subscribers"]]
        cursor = j["next_cursor"]
        if not cursor:
            break
    assert seen == [x["id"] for x in whole["subscribers"]]
    st, j = s.api("GET", "/api/v1/subscribers?limit=0")
    assert st == 400 and "limit" in j["error"]["message"], j
    st, j = s.api("GET", "/api/v1/subscribers?cursor=bm90LWEtY3Vyc29y")
    assert st == 400 and "cursor" in j["error"]["message"], j
