"""The public status page (/status, /api/v2/*, /history.atom) and the security headers both web
surfaces share (docs/internals/status_page.md, docs/api.md)."""
import re
import pytest

SECURITY = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def check_security_headers(r, where):
    for name, want in SECURITY.items():
        assert r.headers.get(name) == want, f"{where}: {name} is {r.headers.get(name)!r}"
    csp = r.headers.get("Content-Security-Policy") or ""
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: {csp}"
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == ["'none'"], csp
    assert directives.get("script-src") == ["'self'"], csp
    assert directives.get("style-src") == ["'self'"], csp
    assert directives.get("frame-ancestors") == ["'none'"], csp


def test_security_headers_on_every_answer(server):
    for path, token in (("/api/v1/health", None), ("/api/v1/incidents", None),
                        ("/api/v1/incidents", "admin"), ("/no/such/path", None)):
        r = server.request("GET", path, token=None if token is None else server.admin_token)
        check_security_headers(r, f"GET {path} -> {r.status}")


# --- the status page ---------------------------------------------------------------------------
import json
import xml.etree.ElementTree as ET

from tocsin_harness import FIXTURE_CONFIG

ATOM = "{http://www.w3.org/2005/Atom}"
XSS = "<script>alert(1)</script>"
PAGE_MAX = 50 * 1024

COMPONENT_STATES = {"operational", "degraded_performance", "partial_outage", "major_outage",
                    "under_maintenance"}
INDICATORS = {"none", "minor", "major", "critical", "maintenance"}
UPDATE_STATES = {"investigating", "identified", "monitoring", "resolved", "postmortem"}


def status_config():
    """The fixture with two services on the status page (API, Database) and one internal."""
    with open(FIXTURE_CONFIG) as f:
        text = f.read()
    text = text.replace("  - {id: api, name: API Gateway}",
                        "  - {id: api, name: API Gateway, component: API, description: \"Public REST API\"}")
    text = text.replace("  - {id: db, name: Database}",
                        "  - {id: db, name: Database, component: Database}\n"
                        "  - {id: batch, name: Batch jobs}")
    assert "component: API" in text and "component: Database" in text, "fixture changed"
    return text


@pytest.fixture
def sp(make_server):
    return make_server(config_text=status_config())


def get(s, path, headers=None):
    r = s.request("GET", path, token=None, headers=headers)
    assert r.status in (200, 304), f"GET {path}: {r.status} {r.body[:300]!r}"
    return r


def page(s):
    r = get(s, "/status")
    assert r.headers["Content-Type"].startswith("text/html"), r.headers["Content-Type"]
    return r.body.decode("utf-8")


def summary(s):
    r = get(s, "/api/v2/summary.json")
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json


def components(s):
    return {c["name"]: c["status"] for c in summary(s)["components"]}


def publish(s, iid, status, message):
    return s.move(iid, status, message=message, public=True)


def check_page_obj(p):
    assert set(p) >= {"id", "name", "url", "time_zone", "updated_at"}, p
    assert p["url"].endswith("/status") and p["time_zone"] == "Etc/UTC"


def check_component(c):
    for k in ("id", "name", "status", "created_at", "updated_at", "position", "description",
              "showcase", "start_date", "group_id", "page_id", "group", "only_show_if_degraded"):
        assert k in c, f"component lacks {k}: {c}"
    assert c["status"] in COMPONENT_STATES, c
    assert isinstance(c["position"], int) and c["group"] is False


def check_incident(i):
    for k in ("id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
              "impact", "shortlink", "started_at", "page_id", "incident_updates", "components"):
        assert k in i, f"incident lacks {k}: {i}"
    assert i["status"] in UPDATE_STATES, i
    assert i["impact"] in {"none", "minor", "major", "critical"}, i
    for u in i["incident_updates"]:
        for k in ("id", "status", "body", "incident_id", "created_at", "updated_at", "display_at",
                  "affected_components"):
            assert k in u, f"update lacks {k}: {u}"
        assert u["status"] in UPDATE_STATES and u["incident_id"] == i["id"], u


def test_empty_page(sp):
    html = page(sp)
    assert "All Systems Operational" in html and "No incidents are open." in html
    assert "<script" not in html and "style=" not in html, "no inline script or style"
    assert 'href="/status/assets/status.css"' in html
    j = summary(sp)
    check_page_obj(j["page"])
    assert j["status"] == {"indicator": "none", "description": "All Systems Operational"}
    assert [c["name"] for c in j["components"]] == ["API", "Database"], "services with a component, in file order"
    for c in j["components"]:
        check_component(c)
        assert c["status"] == "operational"
    assert j["components"][0]["description"] == "Public REST API"
    assert j["incidents"] == [] and j["scheduled_maintenances"] == []
    assert "Batch jobs" not in html, "a service without a component is internal"


def test_public_update_shows_at_once_and_resolve_restores(sp):
    inc = sp.create(title="Checkout errors", severity="SEV2", service="api")
    assert "Checkout errors" not in page(sp), "not public before a public update"
    assert components(sp)["API"] == "operational"
    assert summary(sp)["incidents"] == []

    publish(sp, inc["id"], "investigating", "We are looking into elevated errors.")
    html = page(sp)  # the very next request: no timer, no wait
    assert "Checkout errors" in html and "We are looking into elevated errors." in html
    assert "Partial System Outage" in html
    j = summary(sp)
    assert j["status"] == {"indicator": "major", "description": "Partial System Outage"}
    assert components(sp) == {"API": "partial_outage", "Database": "operational"}
    [i] = j["incidents"]
    check_incident(i)
    assert i["id"] == inc["id"] and i["name"] == "Checkout errors" and i["impact"] == "major"
    assert i["status"] == "investigating" and i["resolved_at"] is None
    [u] = i["incident_updates"]
    assert u["body"] == "We are looking into elevated errors." and u["status"] == "investigating"
    assert u["affected_components"] == [{"code": "api", "name": "API", "old_status": "operational",
                                         "new_status": "partial_outage"}]
    assert [c["name"] for c in i["components"]] == ["API"]

    sp.move(inc["id"], "identified")  # not public: the page keeps the last public word
    publish(sp, inc["id"], "monitoring", "A fix is deployed; we are watching.")
    i = summary(sp)["incidents"][0]
    assert [u["status"] for u in i["incident_updates"]] == ["monitoring", "investigating"], "newest first"
    assert i["status"] == "monitoring" and i["monitoring_at"] is not None

    publish(sp, inc["id"], "resolved", "Errors are back to normal.")
    j = summary(sp)
    assert j["status"]["indicator"] == "none" and j["incidents"] == []
    assert components(sp)["API"] == "operational"
    html = page(sp)
    assert "All Systems Operational" in html and "Errors are back to normal." in html
    assert html.index("Past incidents") < html.index(f'<article class="incident" id="{inc["id"]}"'), \
        "now in the history"
    [i] = get(sp, "/api/v2/incidents.json").json["incidents"]
    check_incident(i)
    assert i["status"] == "resolved" and i["resolved_at"] is not None
    assert get(sp, "/api/v2/incidents/unresolved.json").json["incidents"] == []


def test_severity_maps_to_component_and_indicator(sp):
    a = sp.create(title="Slow queries", severity="SEV3", service="db")
    publish(sp, a["id"], "investigating", "Queries are slow.")
    assert components(sp)["Database"] == "degraded_performance"
    assert summary(sp)["status"]["indicator"] == "minor"
    b = sp.create(title="API down", severity="SEV1", service="api")
    publish(sp, b["id"], "identified", "The API is down.")
    j = summary(sp)
    assert components(sp) == {"API": "major_outage", "Database": "degraded_performance"}
    assert j["status"] == {"indicator": "critical", "description": "Major System Outage"}
    assert [i["impact"] for i in j["incidents"]] == ["critical", "minor"], "newest first"
    c = sp.create(title="Typo on a page", severity="SEV4")  # no service: no component
    publish(sp, c["id"], "investigating", "A typo.")
    inc = [i for i in summary(sp)["incidents"] if i["id"] == c["id"]][0]
    assert inc["impact"] == "none" and inc["components"] == []


def test_xss_title_and_message_are_text(sp):
    inc = sp.create(title=XSS, severity="SEV2", service="api")
    publish(sp, inc["id"], "investigating", f"body {XSS} & \"quotes\" 'single'")
    html = page(sp)
    assert "<script" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&amp; &quot;quotes&quot; &#39;single&#39;" in html
    assert summary(sp)["incidents"][0]["name"] == XSS, "JSON carries the text as it is"
    feed = ET.fromstring(get(sp, "/history.atom").body)
    [entry] = feed.findall(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").text == XSS


def test_private_and_drill_incidents_absent(sp):
    priv = sp.create(title="Private trouble", severity="SEV1", service="api")
    sp.move(priv["id"], "investigating", message="internal note")  # not public
    drill = sp.create(title="Fire drill", severity="SEV1", service="db", drill=True)
    publish(sp, drill["id"], "investigating", "Drill update")
    html = page(sp)
    for text in ("Private trouble", "internal note", "Fire drill", "Drill update"):
        assert text not in html
    j = summary(sp)
    assert j["incidents"] == [] and j["status"]["indicator"] == "none"
    assert set(components(sp).values()) == {"operational"}
    body = get(sp, "/api/v2/incidents.json").body + get(sp, "/history.atom").body
    assert b"Private trouble" not in body and b"Fire drill" not in body


def test_statuspage_documents(sp):
    inc = sp.create(title="Queue backlog", severity="SEV2", service="db")
    publish(sp, inc["id"], "investigating", "Jobs are delayed.")
    s = summary(sp)
    st = get(sp, "/api/v2/status.json").json
    assert set(st) == {"page", "status"} and st["status"] == s["status"]
    check_page_obj(st["page"])
    comps = get(sp, "/api/v2/components.json").json
    assert set(comps) == {"page", "components"} and comps["components"] == s["components"]
    unres = get(sp, "/api/v2/incidents/unresolved.json").json
    assert set(unres) == {"page", "incidents"} and unres["incidents"] == s["incidents"]
    assert set(s) == {"page", "components", "incidents", "scheduled_maintenances", "status"}
    for path in ("/api/v2/scheduled-maintenances.json",
                 "/api/v2/scheduled-maintenances/upcoming.json",
                 "/api/v2/scheduled-maintenances/active.json"):
        j = get(sp, path).json
        assert set(j) == {"page", "scheduled_maintenances"} and j["scheduled_maintenances"] == [], path
    assert get(sp, "/status.json").json == s, "/status.json is summary.json"
    r = get(sp, "/api/v2/summary.json")
    assert r.headers["Access-Control-Allow-Origin"] == "*"


def test_atom_feed(sp):
    a = sp.create(title="First", severity="SEV3", service="api")
    publish(sp, a["id"], "investigating", "One & two")
    publish(sp, a["id"], "resolved", "Fixed <b>now</b>")
    b = sp.create(title="Second", severity="SEV2", service="db")
    publish(sp, b["id"], "identified", "Found it")
    for path in ("/history.atom", "/status/feed.atom"):
        r = get(sp, path)
        assert r.headers["Content-Type"].startswith("application/atom+xml")
        feed = ET.fromstring(r.body)  # well-formed XML
        assert feed.tag == f"{ATOM}feed"
        for k in ("id", "title", "updated", "author"):
            assert feed.find(f"{ATOM}{k}") is not None, k
        entries = feed.findall(f"{ATOM}entry")
        assert [e.find(f"{ATOM}title").text for e in entries] == ["Second", "First"]
        first = entries[1]
        assert first.find(f"{ATOM}id").text.endswith("/status#" + a["id"])
        content = first.find(f"{ATOM}content")
        assert content.get("type") == "html"
        # the content is HTML text: the update's own markup arrives escaped inside it
        assert "One &amp; two" in content.text and "Fixed &lt;b&gt;now&lt;/b&gt;" in content.text
        assert content.text.index("Fixed") < content.text.index("One"), "newest update first"


def test_etag_and_304(sp):
    for path in ("/status", "/api/v2/summary.json", "/history.atom"):
        r = get(sp, path)
        etag, lm = r.headers["ETag"], r.headers["Last-Modified"]
        assert etag.startswith('"') and lm.endswith("GMT"), (etag, lm)
        assert "no-store" not in r.headers.get("Cache-Control", ""), path
        r2 = get(sp, path, headers={"If-None-Match": etag})
        assert r2.status == 304 and r2.body == b"" and r2.headers["ETag"] == etag, path
        r3 = get(sp, path, headers={"If-Modified-Since": lm})
        assert r3.status == 304, path
        assert get(sp, path, headers={"If-None-Match": '"other"'}).status == 200
    inc = sp.create(title="Changes the page", severity="SEV2", service="api")
    r = get(sp, "/status")
    sp.move(inc["id"], "identified", message="private")
    assert get(sp, "/status", headers={"If-None-Match": r.headers["ETag"]}).status == 304, \
        "a private change re-renders the same bytes, so the ETag holds"
    publish(sp, inc["id"], "monitoring", "Now public")
    r2 = get(sp, "/status", headers={"If-None-Match": r.headers["ETag"]})
    assert r2.status == 200 and r2.headers["ETag"] != r.headers["ETag"]
    assert b"Now public" in r2.body


def test_headers_and_assets(sp):
    for path in ("/status", "/api/v2/summary.json", "/history.atom", "/status/assets/status.css"):
        check_security_headers(get(sp, path), path)
    css = get(sp, "/status/assets/status.css")
    assert css.headers["Content-Type"].startswith("text/css") and b".component" in css.body
    assert get(sp, "/status/assets/status.css", headers={"If-None-Match": css.headers["ETag"]}).status == 304
    r = sp.request("GET", "/status/assets/nope.css", token=None)
    assert r.status == 404 and "nope.css" in r.json["error"]["message"]
    r = sp.request("POST", "/status", token=None, raw=b"{}")
    assert r.status == 405


def test_page_stays_under_50kb(sp):
    body = "x" * 1500
    for n in range(40):
        inc = sp.create(title=f"Incident number {n} {XSS}", severity="SEV3", service="api")
        publish(sp, inc["id"], "investigating", f"{n} {body} <&>")
        publish(sp, inc["id"], "resolved", f"done {n} {body}")
    live = sp.create(title="Still open", severity="SEV2", service="db")
    publish(sp, live["id"], "investigating", "Open one")
    r = get(sp, "/status")
    assert len(r.body) < PAGE_MAX, len(r.body)
    html = r.body.decode()
    assert "Still open" in html and "Incident number 39" in html, "active and newest past shown"
    assert "more incidents in the feed and the JSON" in html
    assert len(get(sp, "/api/v2/incidents.json").json["incidents"]) == 41


def test_page_follows_config_reload(sp):
    assert [c["name"] for c in summary(sp)["components"]] == ["API", "Database"]
    sp.write_config(status_config().replace("component: Database", "component: Storage"))
    st, j = sp.api("POST", "/api/v1/config/reload")
    assert st == 200, j
    assert [c["name"] for c in summary(sp)["components"]] == ["API", "Storage"]


def test_failing_probe_marks_component_down(make_server):
    from test_ingest_probes import Target
    from test_ingest_support import ingest_config
    t = Target()
    try:
        t.set("/health", 200, "OK")
        svc = (f'  - {{id: site, name: Site, component: Website, probe: {{url: "{t.url("/health")}", '
               f'every: 30s, timeout: 2s, fail_after: 2, recover_after: 1}}}}\n')
        s = make_server(dev_clock=True, config_text=ingest_config(services_extra=svc))
        s.advance("0")  # the first probe round
        assert components(s)["Website"] == "operational"
        t.set("/health", 500, "boom")
        s.advance("30s")
        assert components(s)["Website"] == "operational", "fail_after 2: one failure is not down"
        s.advance("30s")
        assert components(s)["Website"] == "major_outage"
        j = summary(s)
        assert j["status"]["indicator"] == "critical" and j["incidents"] == [], \
            "the probe's incident is not public; the component state is"
        assert "Major outage" in page(s)
        t.set("/health", 200, "OK")
        s.advance("30s")
        assert components(s)["Website"] == "operational"
        assert summary(s)["status"]["indicator"] == "none"
        # today's uptime bar comes from the probe results: ok, fail, fail, ok
        today = s.now()[:10]
        bars = website_bars(page(s))
        assert f'class="d" title="{today}: 50.00% up"' in bars, bars[-400:]
    finally:
        t.close()


EXPORTED = ["index.html", "status/index.html", "status/assets/status.css", "status.json",
            "api/v2/summary.json", "api/v2/status.json", "api/v2/components.json",
            "api/v2/incidents.json", "api/v2/incidents/unresolved.json",
            "api/v2/scheduled-maintenances.json", "api/v2/scheduled-maintenances/upcoming.json",
            "api/v2/scheduled-maintenances/active.json", "history.atom", "status/feed.atom"]


def test_export_static_copy(sp, tmp_path):
    import os
    # a resolved public incident with a published post-mortem: /status links its page
    done = sp.create(title="Checkout 502s", severity="SEV2", service="api")
    publish(sp, done["id"], "resolved", "Rolled back")
    st, pm = sp.api("POST", f"/api/v1/incidents/{done['id']}/postmortem", {})
    assert st == 201, pm
    assert sp.api("PATCH", f"/api/v1/postmortems/{pm['id']}",
                  {"summary": "Exported post-mortem summary."})[0] == 200
    for state in ("in_review", "published"):
        assert sp.api("PATCH", f"/api/v1/postmortems/{pm['id']}", {"state": state})[0] == 200
    inc = sp.create(title=XSS, severity="SEV2", service="api")
    publish(sp, inc["id"], "investigating", "Exported update")
    out = tmp_path / "site"
    p = sp.cli("status-page", "export", str(out), token=None)
    assert p.returncode == 0, p.stderr
    # and each day page the bars link to (a public incident today: at least today's)
    days = set(re.findall(r'href="/status/history/([0-9-]{10})#', (out / "index.html").read_text()))
    assert days, "the bars link to today's page"
    # and each post-mortem page the incidents link to
    pms = set(re.findall(r'href="/status/incidents/([^"/]+)/postmortem"',
                         (out / "index.html").read_text()))
    assert pms == {done["id"]}, pms
    pm_file = out / f"status/incidents/{done['id']}/postmortem/index.html"
    assert "Exported post-mortem summary." in pm_file.read_text()
    assert pm_file.read_bytes() == get(sp, f"/status/incidents/{done['id']}/postmortem").body
    assert f"{len(EXPORTED) + len(days) + 1} files written" in p.stdout, (p.stdout, days)
    for name in EXPORTED + [f"status/history/{d}/index.html" for d in days]:
        assert (out / name).is_file(), name
    assert XSS not in (out / f"status/history/{min(days)}/index.html").read_text()
    # the same page, but for the uptime figures: today counts up to the render's time, and on
    # PostgreSQL the node's own shared write counter may render the page once more meanwhile
    def steady(b):
        return re.sub(rb'<ol class="bars">.*?</p>', b"", b, flags=re.S)
    assert steady((out / "index.html").read_bytes()) == steady(get(sp, "/status").body)
    assert (out / "api/v2/summary.json").read_bytes() == get(sp, "/api/v2/summary.json").body
    assert json.loads((out / "status.json").read_text())["incidents"][0]["name"] == XSS
    ET.fromstring((out / "history.atom").read_bytes())
    assert not [n for n in os.listdir(out) if ".tmp." in n], "no temporary files left"

    # a server that is not there: exit 3, and the copy already written stays whole
    before = (out / "index.html").read_bytes()
    p = sp.cli("status-page", "export", str(out), token=None, url="http://127.0.0.1:1")
    assert p.returncode == 3, (p.returncode, p.stderr)
    assert (out / "index.html").read_bytes() == before

    p = sp.cli("status-page", "export", token=None)
    assert p.returncode == 2 and "usage" in p.stderr
    p = sp.cli("status-page", "publish", str(out), token=None)
    assert p.returncode == 2, p.stderr
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    p = sp.cli("status-page", "export", str(blocker / "x"), token=None)
    assert p.returncode == 1 and "error:" in p.stderr, (p.returncode, p.stderr)


def test_status_page_config(make_server):
    text = status_config() + "status_page:\n  title: \"Acme <Status>\"\n  history: 1\n"
    s = make_server(config_text=text)
    for n in range(3):
        inc = s.create(title=f"Old {n}", severity="SEV3", service="api")
        publish(s, inc["id"], "resolved", f"done {n}")
    html = page(s)
    assert "<title>Acme &lt;Status&gt;</title>" in html and "<h1>Acme &lt;Status&gt;</h1>" in html
    shown = [t for t in ("Old 0", "Old 1", "Old 2") if f">{t}</span></h3>" in html]
    assert shown == ["Old 2"], f"history: 1 -> {shown}"
    j = summary(s)
    assert j["page"]["name"] == "Acme <Status>"
    assert [i["name"] for i in get(s, "/api/v2/incidents.json").json["incidents"]] == ["Old 2"]
    feed = ET.fromstring(get(s, "/history.atom").body)
    assert feed.find(f"{ATOM}title").text == "Acme <Status> - incident history"


@pytest.mark.parametrize("body,needle", [
    ("status_page:\n  history: -1\n", "history"),
    ("status_page:\n  uptime_days: 0\n", "uptime_days"),
    ("status_page:\n  title: \"\"\n", "title"),
    ("status_page:\n  colour: red\n", "colour"),
])
def test_status_page_config_errors(tmp_path, body, needle):
    from tocsin_harness import run_bin
    path = tmp_path / "c.yaml"
    path.write_text(status_config() + body)
    p = run_bin("check-config", str(path))
    assert p.returncode == 1, (p.returncode, p.stderr)
    assert p.returncode != 0 and needle in p.stderr and "status_page" in p.stderr, p.stderr


def website_bars(html, name="Website"):
    start = html.index(f'<span class="name">{name}</span>')
    return html[start:html.index("</ol>", start)]


def test_uptime_bars_from_public_incidents(make_server):
    from tocsin_harness import PINNED_DAY
    s = make_server(dev_clock=True, config_text=status_config())
    s.pin_clock(down=True)  # 2099-06-15T12:00:00Z: tocsin's record of this day begins
    s.create(title="Private, opens the record", severity="SEV4")
    s.advance("1h")
    inc = s.create(title="Hour-long outage", severity="SEV1", service="api")
    publish(s, inc["id"], "investigating", "Down")
    s.advance("1h")
    publish(s, inc["id"], "resolved", "Up again")
    s.advance("11h")  # 2099-06-16T01:00Z
    html = page(s)
    bars = website_bars(html, "API")
    assert bars.count("<li ") == 90, "uptime_days: 90 bars"
    # 12:00-24:00 recorded, 1 h of major_outage: 11/12 up; the title names the incident
    assert f'class="d" title="{PINNED_DAY}: 91.67% up; Hour-long outage"' in bars, bars[-600:]
    assert 'class="u" title="2099-06-16: 100% up"' in bars
    assert 'class="n" title="2099-06-14: no data"' in bars, "before the record: no data"
    db = website_bars(html, "Database")
    assert f'class="u" title="{PINNED_DAY}: 100% up"' in db, "another component is not touched"
    assert len(html.encode()) < PAGE_MAX

    # tocsin down from 2099-06-16T01:00Z for two days and 5 h (to 06-18T06:00Z), an outage
    # open across the gap: only its recorded part counts, and the days it covers are "no data"
    inc = s.create(title="Across the gap", severity="SEV1", service="api")
    publish(s, inc["id"], "investigating", "Down again")
    s.advance("1h")  # 02:00: 1 h down of 2 h recorded on 06-16
    s.advance("52h", down=True)  # 2099-06-18T06:00Z
    s.restart()  # a real stop and start too: the new run continues the record
    s.advance("6h")  # 12:00: the outage was still open: 6 h of 6 h recorded down
    publish(s, inc["id"], "resolved", "Fixed")
    s.advance("6h")  # 18:00: 6 down of 12 recorded
    bars = website_bars(page(s), "API")
    for day in ("2099-06-16", "2099-06-18"):  # the restart's seconds are not recorded either
        m = re.search(f'title="{day}: ([0-9.]+)% up; Across the gap"', bars)
        assert m and abs(float(m.group(1)) - 50) < 0.1, (day, bars[-900:])
    assert 'class="n" title="2099-06-17: no data; Across the gap"' in bars, "not running: no data"
    st, j = s.api("POST", "/api/v1/debug/clock", {"advance": "1s", "down": "yes"})
    assert st == 400 and "down" in j["error"]["message"], j


def test_cli_public_update_and_later_edits_show(sp):
    inc = sp.create(title="Login failures", severity="SEV2", service="api")
    p = sp.cli("status", inc["id"], "identified", "-m", "A bad deploy; rolling back.", "--public")
    assert p.returncode == 0, p.stderr
    html = page(sp)
    assert "Login failures" in html and "A bad deploy; rolling back." in html
    assert summary(sp)["incidents"][0]["status"] == "identified"
    st, j = sp.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV1", "title": "Login down"})
    assert st == 200, j
    assert components(sp)["API"] == "major_outage", "a severity change re-renders the page"
    assert summary(sp)["status"]["indicator"] == "critical"
    assert "Login down" in page(sp) and summary(sp)["incidents"][0]["name"] == "Login down"


def test_component_groups(make_server):
    text = status_config().replace(
        "  - {id: batch, name: Batch jobs}",
        "  - {id: batch, name: Batch jobs}\n  - {id: web, name: Website, component: Web app}")
    text += "status_page:\n  groups:\n    - {name: Backend, components: [Database, API]}\n"
    s = make_server(config_text=text)
    inc = s.create(title="DB slow", severity="SEV3", service="db")
    publish(s, inc["id"], "investigating", "Slow queries")
    comps = summary(s)["components"]
    names = [(c["name"], c["group"], c["group_id"]) for c in comps]
    assert names == [("Backend", True, None), ("API", False, "group-backend"),
                     ("Database", False, "group-backend"), ("Web app", False, None)], names
    group = comps[0]
    assert group["components"] == ["api", "database"] and group["status"] == "degraded_performance"
    assert [c["position"] for c in comps] == [1, 2, 3, 4]
    html = page(s)
    start = html.index('id="group-backend"')
    assert html.index('id="component-api"') > start and html.index('id="component-database"') > start
    assert html.index('id="component-web-app"') > html.index("</ul></li>", start), "outside the group"


@pytest.mark.parametrize("groups,needle", [
    ("    - {name: G, components: [Nope]}\n", '"Nope" is not the component of any service'),
    ("    - {name: G, components: [API]}\n    - {name: H, components: [API]}\n",
     '"API" is already in group "G"'),
    ("    - {name: G, components: []}\n", "components"),
])
def test_component_group_errors(tmp_path, groups, needle):
    from tocsin_harness import run_bin
    path = tmp_path / "c.yaml"
    path.write_text(status_config() + "status_page:\n  groups:\n" + groups)
    p = run_bin("check-config", str(path))
    assert p.returncode == 1 and needle in p.stderr, p.stderr
