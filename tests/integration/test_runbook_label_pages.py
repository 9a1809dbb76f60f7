"""Runbooks matched by the labels of an incident's alerts (issue 17): an Alertmanager alert whose
labels carry a runbook's `alert_labels` attaches that runbook to the incident it opens (GET
/api/v1/incidents/{id}/runbooks, matched_by alert_labels) and the pages sent about the incident
link it, beside the runbooks of its service; an incident without such an alert does not."""
from test_ingest_support import am_alert, am_ok, key_of

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV1, name: Critical, ack_within: 1h, notify: [email]}
  - {id: SEV2, name: Major, ack_within: 1h, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
services:
  - id: db
    name: Database
    runbooks: [RB-DB-GEN]
    alerts: {group_by: [alertname], severity_map: {critical: SEV1, warning: SEV2}}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: ["user:alice"]}
runbooks:
  - {id: RB-DB-GEN, title: Database basics, steps: ["Look at the dashboards"]}
  - {id: RB-DB-001, title: Database outage, alert_labels: ["alertname=PostgresDown"],
     url: "https://wiki.example.com/rb-db-001", steps: ["Check pg_isready", "Restart postgres"]}
  - {id: RB-DISK, title: Disk full, alert_labels: ["alertname=DiskFull"], steps: ["Free space"]}
"""


def page_bodies(srv, iid):
    con = srv.db()
    try:
        return [b for (b,) in con.execute("SELECT body FROM notifications WHERE incident_id = ? AND "
                                          "kind = 'page'", (iid,)).fetchall()]
    finally:
        con.close()


def test_alert_labels_attach_runbooks_and_pages_link_them(make_server):
    srv = make_server(dev_clock=True, config_text=CONFIG)
    key = key_of(srv, "db", "alertmanager")
    am_ok(srv, key, [am_alert({"alertname": "PostgresDown", "severity": "critical",
                               "instance": "db-1"}, summary="postgres is down")])
    other = srv.create("Replication lag", "SEV2", service="db")
    srv.advance("1s")
    st, j = srv.api("GET", "/api/v1/incidents?service=db")
    assert st == 200
    opened = [i for i in j["incidents"] if i["id"] != other["id"]]
    assert len(opened) == 1, j
    iid = opened[0]["id"]
    st, j = srv.api("GET", f"/api/v1/incidents/{iid}/runbooks")
    assert st == 200
    got = {rb["id"]: rb["matched_by"] for rb in j["runbooks"]}
    assert got == {"RB-DB-GEN": ["service"], "RB-DB-001": ["alert_labels"]}, got
    bodies = page_bodies(srv, iid)
    assert bodies, "no page queued"
    for b in bodies:
        assert "RB-DB-001: Database outage (https://wiki.example.com/rb-db-001)" in b, b
        assert "RB-DB-GEN: Database basics" in b and "RB-DISK" not in b, b
    # the incident declared by hand has no alert: only its service's runbook
    bodies = page_bodies(srv, other["id"])
    assert bodies and all("RB-DB-GEN" in b and "RB-DB-001" not in b for b in bodies), bodies
