"""The monthly review in the responder UI (/ui/reports, issue 17, docs/reports.md "In the UI"):
the headline figures, the bar charts drawn as inline SVG (bars counted, labels escaped, a table
for each), the downloads made with the session, the nav entry for every role, and the API's
refusal of a bad or future month shown as the page. One server for the module: the incidents are
made in June 2099 (UTC), then the dev clock moves into July (the default month is June)."""
import re

import pytest

from conftest import _teardown_all
from test_ingest_support import am_alert, am_ok, integration
from test_ui import XSS, Browser, set_password
from tocsin_harness import Server, require_bin

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, notify: [email]}
  - {id: SEV2, name: Major, ack_within: 30m, resolve_within: 4h, notify: [email]}
  - {id: SEV3, name: Minor, ack_within: 1h, resolve_within: 1d, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
  - {id: bob, name: Bob, email: bob@example.com}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [user:alice]}
services:
  - {id: api, name: API, escalation: default, alerts: {severity: SEV2}}
  - {id: db, name: Database, escalation: default}
reports:
  timezone: UTC
"""


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("ui_reports"), dev_clock=True, config_text=CONFIG)
    s.start()
    key = integration(s, "api", "alertmanager")["key"]
    # June 2099: SEV1 on db (ack 5m, resolved 30m), an alert named <script>... opens a SEV2 on
    # api, two SEV3 by hand (api, db).
    s.pin_clock("2099-06-10T10:00:00Z")
    a = s.create("db down", "SEV1", service="db")["id"]
    s.advance("5m")
    s.move(a, "acknowledged")
    s.advance("25m")
    s.move(a, "resolved")
    s.pin_clock("2099-06-12T03:00:00Z")
    am_ok(s, key, [am_alert({"alertname": XSS}, "noisy", fingerprint="x1")])
    s.pin_clock("2099-06-20T14:00:00Z")
    s.create("slow api", "SEV3", service="api")
    s.create("slow db", "SEV3", service="db")
    s.pin_clock("2099-07-02T10:00:00Z")
    set_password(s, "alice")
    set_password(s, "bob", role="viewer")
    b = Browser(s)
    assert b.signin("alice")[0].status == 303
    yield s, b
    _teardown_all([s])


def figure(html, fid):
    m = re.search(r'<figure class="chart" id="%s">(.*?)</figure>' % fid, html, re.S)
    assert m, f"no chart {fid}"
    return m.group(1)


def fig_value(html, fid):
    m = re.search(r'id="%s"><span class="label">[^<]*</span><span class="count">([^<]*)</span>'
                  % fid, html)
    assert m, f"no figure {fid}"
    return m.group(1)


def test_figures_and_charts_of_the_previous_month(env):
    s, b = env
    api = s.request("GET", "/api/v1/reports/monthly?month=2099-06").json
    r, html = b.send("GET", "/ui/reports")
    assert r.status == 200 and "<h1>Monthly review 2099-06</h1>" in html, "default: last month"
    assert 'value="2099-06"' in html
    assert fig_value(html, "fig-incidents") == "4"
    assert fig_value(html, "fig-mtta") == "5m / 5m" and fig_value(html, "fig-mttr") == "30m / 30m"
    sla = api["sla"]
    good = sla["ack_scored"] - sla["ack_breaches"]
    assert fig_value(html, "fig-ack-sla") == (
        f"{good * 100 // sla['ack_scored']}% ({good} of {sla['ack_scored']})")
    assert fig_value(html, "fig-actions") == "0 opened, 0 closed"

    sev = figure(html, "chart-severity")
    assert 'viewBox="0 0 420 ' in sev and 'width="100%"' in sev
    assert len(re.findall(r'<rect class="bar s0"', sev)) == 3
    assert re.findall(r'<text class="label"[^>]*>([^<]*)</text>', sev) == ["SEV1", "SEV2", "SEV3"]
    assert re.findall(r'<text class="value"[^>]*>([^<]*)</text>', sev) == ["1", "1", "2"]
    widths = [int(w) for w in re.findall(r'<rect class="bar s0"[^>]*width="(\d+)"', sev)]
    assert widths[2] == 160 and widths[0] == widths[1] == 80, widths
    assert '<div class="sr"><table>' in sev and '<th scope="row">SEV3</th><td>2</td>' in sev
    assert 'aria-labelledby="chart-severity-caption"' in sev

    svc = figure(html, "chart-service")
    assert re.findall(r'<text class="label"[^>]*>([^<]*)</text>', svc) == ["api", "db"]
    assert len(re.findall(r"<rect ", svc)) == 2

    pages = figure(html, "chart-pages")
    assert len(re.findall(r'<rect class="bar (?:night|off|day)"', pages)) == 3, "one stack"
    assert re.findall(r'<text class="label"[^>]*>([^<]*)</text>', pages) == ["alice"]

    trend = figure(html, "chart-trend")
    assert len(re.findall(r"<rect ", trend)) == 4 and "MTTR 2099-06" in trend


def test_labels_are_escaped_and_the_page_has_no_inline_script_or_style(env):
    s, b = env
    r, html = b.send("GET", "/ui/reports?month=2099-06")
    assert r.status == 200
    noise = figure(html, "chart-noise")
    assert "api/&lt;script&gt;alert(1)&lt;/script&gt;" in noise, "the table has it whole"
    assert re.search(r'<text class="label"[^>]*>api/&lt;script&gt;aler\u2026</text>',
                     noise), "the drawn label is cut"
    assert XSS not in html and "<script>alert" not in html
    assert " style=" not in html and "<style" not in html and "<script>" not in html
    assert "Content-Security-Policy" in r.headers and "unsafe-inline" not in r.getheader(
        "Content-Security-Policy")


def test_bad_and_future_months_show_the_api_refusal(env):
    s, b = env
    r, html = b.send("GET", "/ui/reports?month=2026-13")
    assert r.status == 400 and "month: &quot;2026-13&quot; is not a month (YYYY-MM)" in html
    r, html = b.send("GET", "/ui/reports?month=2099-08")
    assert r.status == 422 and "month: 2099-08 has not started yet" in html
    r, html = b.send("GET", "/ui/reports?month=2099-06%26format%3Dcsv")
    assert r.status == 400 and "month: not a month" in html
    r, html = b.send("GET", "/ui/reports/download?month=2099-06&format=pdf")
    assert r.status == 400 and "format: must be" in html


def test_downloads_are_made_with_the_session(env):
    s, b = env
    r, html = b.send("GET", "/ui/reports?month=2099-06")
    for fmt in ("markdown", "csv", "json"):
        assert f'href="/ui/reports/download?month=2099-06&amp;format={fmt}"' in html
    r, text = b.send("GET", "/ui/reports/download?month=2099-06&format=csv")
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/csv")
    assert 'filename="tocsin-review-2099-06.csv"' in r.getheader("Content-Disposition")
    assert "2099-06,incidents,4" in text
    r, text = b.send("GET", "/ui/reports/download?month=2099-06&format=markdown")
    assert r.status == 200 and r.getheader("Content-Type").startswith("text/markdown")
    assert "2099-06" in text
    anon = Browser(s)
    r, _ = anon.send("GET", "/ui/reports/download?month=2099-06&format=csv")
    assert r.status == 303, "signed out: to the sign-in page"


def test_viewer_has_the_nav_entry_and_the_page(env):
    s, _ = env
    v = Browser(s)
    assert v.signin("bob")[0].status == 303
    r, html = v.send("GET", "/ui/")
    assert '<a href="/ui/reports">Reports</a>' in html
    r, html = v.send("GET", "/ui/reports")
    assert r.status == 200 and 'class="here" aria-current="page">Reports' in html
    r, _ = Browser(s).send("GET", "/ui/reports")
    assert r.status == 303
