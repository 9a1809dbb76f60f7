"""The monthly review (issue 17): GET /api/v1/reports/monthly?month=YYYY-MM (JSON, Markdown) and
`tocsin report monthly`: incidents by severity/service/type, MTTA/MTTR median and p90, SLA
breaches, pages per person (off hours, at night), post-mortems, action items; months in the
config's reports.timezone (here Europe/Berlin: an incident at 22:30 UTC on the 31st of May belongs
to June); drills left out; a malformed or future month is a 4xx naming `month`. One server for the
module, the dev clock moved instead of waiting."""
import json

import pytest

from tocsin_harness import Server, require_bin

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 15m, resolve_within: 1h, update_every: 30m, notify: [email], postmortem: {required: true, due: 48h}}
  - {id: SEV3, name: Minor, ack_within: 1h, resolve_within: 1d, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com, timezone: Europe/Berlin}
  - {id: bob, name: Bob, email: bob@example.com}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [user:alice]}
services:
  - {id: db, name: Database, escalation: default}
  - {id: api, name: API, escalation: default}
incident_types:
  - {id: security, name: Security}
reports:
  timezone: Europe/Berlin
drills:
  - {id: dd, title: "Game day", severity: SEV1, service: db}
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("reports"), dev_clock=True, config_text=CONFIG)
    s.start()
    # 23:30 in Berlin on May 31: May's.
    s.pin_clock("2099-05-31T21:30:00Z")
    may = s.create("late May", "SEV3", service="api")
    # its page is handled in May: a page still pending at the next pin would take June's first
    # page into its bundle (the engine and notifier run after each clock move)
    s.advance("1m")
    # 00:30 in Berlin on June 1 (22:30 UTC on May 31): June's. Ack 5m, resolve 30m.
    s.pin_clock("2099-05-31T22:30:00Z")
    a = s.create("db down", "SEV1", service="db")
    s.advance("5m")
    s.move(a["id"], "acknowledged")
    s.advance("25m")
    s.move(a["id"], "resolved")
    # June 10, 10:00 Berlin: ack 20m (breach), resolve 2h (breach).
    s.pin_clock("2099-06-10T08:00:00Z")
    b = s.create("breach in", "SEV1", service="api", type="security")
    s.advance("20m")
    s.move(b["id"], "acknowledged")
    s.advance("100m")
    s.move(b["id"], "resolved")
    st, act1 = s.api("POST", "/api/v1/actions", {"title": "add replica", "owner": "bob",
                                                  "due_in": "2d", "incident": a["id"]})
    assert st == 201, act1
    st, act2 = s.api("POST", "/api/v1/actions", {"title": "rotate keys", "due_in": "30d"})
    assert st == 201
    st, _ = s.api("POST", f"/api/v1/actions/{act2['id']}/done")
    assert st == 200
    # A drill in June: not counted.
    st, _ = s.api("POST", "/api/v1/drills", {"scenario": "dd"})
    assert st == 201
    # 00:30 Berlin on July 1: July's.
    s.pin_clock("2099-06-30T22:30:00Z")
    s.create("July one", "SEV3", service="db")
    s.pin_clock("2099-07-02T10:00:00Z")
    s.ids = {"may": may["id"], "a": a["id"], "b": b["id"]}
    yield s
    s.teardown()


def monthly(srv, month=None, fmt=None):
    q = []
    if month:
        q.append(f"month={month}")
    if fmt:
        q.append(f"format={fmt}")
    return srv.request("GET", "/api/v1/reports/monthly" + ("?" + "&".join(q) if q else ""),
                       check=False)


def test_june_in_berlin(srv):
    r = monthly(srv, "2099-06")
    assert r.status == 200, r.json
    j = r.json
    assert j["month"] == "2099-06" and j["timezone"] == "Europe/Berlin" and j["complete"] is True
    assert j["start"] == "2099-05-31T22:00:00Z" and j["end"] == "2099-06-30T22:00:00Z"
    assert j["incidents"] == 2 and j["drills_excluded"] == 1 and j["still_open"] == 0
    assert {s["severity"]: s["count"] for s in j["by_severity"]} == {"SEV1": 2, "SEV3": 0}
    assert j["by_service"] == {"db": 1, "api": 1}
    assert j["by_type"] == {"(none)": 1, "security": 1}
    assert j["mtta"]["count"] == 2 and j["mtta"]["median"] == "5m" and j["mtta"]["p90"] == "20m"
    assert j["mttr"]["median"] == "30m" and j["mttr"]["p90"] == "2h"
    assert j["sla"] == {"ack_scored": 2, "ack_breaches": 1, "resolve_scored": 2,
                        "resolve_breaches": 1}
    pages = {p["user"]: p for p in j["pages"]}
    assert set(pages) == {"alice"} and pages["alice"]["pages"] >= 2, j["pages"]
    assert pages["alice"]["night"] >= 1, "00:30 Berlin is at night"
    assert pages["alice"]["off_hours"] >= 1 and pages["alice"]["off_hours"] < pages["alice"]["pages"]
    assert j["postmortems"]["required"] == 2 and j["postmortems"]["not_published"] == 2
    assert j["actions"] == {"opened": 2, "closed": 1, "overdue": 1}


def test_may_and_july_and_default(srv):
    may = monthly(srv, "2099-05").json
    assert may["incidents"] == 1 and may["by_service"] == {"api": 1}
    july = monthly(srv, "2099-07").json
    assert july["incidents"] == 1 and july["complete"] is False and july["actions"]["opened"] == 0
    assert monthly(srv).json["month"] == "2099-06", "default: the previous month"


def test_markdown_and_cli(srv):
    r = monthly(srv, "2099-06", "markdown")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/markdown")
    text = r.body.decode()
    assert text.startswith("# Monthly incident review: 2099-06")
    assert "| SEV1 | 2 |" in text and "| Time to acknowledge | 5m | 20m | 2 |" in text
    assert "1 of 2 acknowledgements late" in text and "| alice |" in text
    p = srv.cli("report", "monthly", "--month", "2099-06")
    assert p.returncode == 0, p.stderr
    assert p.stdout == text
    p = srv.cli("report", "monthly", "--month", "2099-06", "--json")
    assert json.loads(p.stdout)["incidents"] == 2
    p = srv.cli("report", "monthly", "--month", "2100-01")
    assert p.returncode != 0 and "month" in p.stderr


@pytest.mark.parametrize("month,status", [("2099-13", 400), ("June", 400), ("2099-6", 400),
                                          ("2099-08", 422), ("2101-01", 422)])
def test_bad_month(srv, month, status):
    r = monthly(srv, month)
    assert r.status == status and "month" in r.json["error"]["message"], r.json


def test_bad_format(srv):
    r = monthly(srv, "2099-06", "pdf")
    assert r.status == 400 and "format" in r.json["error"]["message"]


def test_month_over_month_and_csv(srv):
    j = monthly(srv, "2099-06").json
    prev = j["previous_month"]
    assert prev["month"] == "2099-05" and prev["incidents"] == 1
    assert j["month_over_month"]["incidents"] == 1 and j["month_over_month"]["pages"] >= 1
    assert j["previous_month"]["sla_breaches"] + j["month_over_month"]["sla_breaches"] == 2
    md = monthly(srv, "2099-06", "markdown").body.decode()
    assert "## Month over month" in md and "| Incidents | 2 | 1 | +1 |" in md
    r = monthly(srv, "2099-06", "csv")
    assert r.status == 200 and r.headers["Content-Type"].startswith("text/csv")
    text = r.body.decode()
    rows = text.split("\r\n")
    assert rows[0] == "month,metric,value" and rows[-1] == ""
    assert {"2099-06,incidents,2", "2099-06,by_severity.SEV1,2", "2099-06,by_service.db,1",
            "2099-06,mtta.median,5m", "2099-06,sla.ack_breaches,1",
            "2099-06,previous_month.incidents,1", "2099-06,month_over_month.incidents,1",
            "2099-06,actions.overdue,1"} <= set(rows), rows
    assert any(r.startswith("2099-06,pages.alice.night,") for r in rows)
    p = srv.cli("report", "monthly", "--month", "2099-06", "--format", "csv")
    assert p.returncode == 0 and p.stdout == text.replace("\r\n", "\n")  # text mode
    p = srv.cli("report", "monthly", "--month", "2099-06", "--format", "pdf")
    assert p.returncode == 2 and "--format" in p.stderr
