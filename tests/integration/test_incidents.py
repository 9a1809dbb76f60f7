"""Incidents: create, ids, channels, list filters, show, PATCH (docs/api.md "Incidents")."""
import pytest

from tocsin_harness import FIXTURE_CONFIG, HEX64_RE, ID_RE, PINNED_DAY, POLICY, parse_time, secs

INCIDENT_KEYS = {
    "id", "title", "summary", "severity", "status", "service", "type", "channel", "drill",
    "created_at", "acknowledged_at", "resolved_at", "closed_at", "updated_at",
    "last_public_update_at", "postmortem", "roles", "sla",
}
SLA_KEYS = {"ack_due", "resolve_due", "next_update_due", "ack_breached", "resolve_breached", "update_overdue"}


def day_of(inc):
    return parse_time(inc["created_at"]).strftime("%Y-%m-%d")


def test_create_returns_full_incident(server):
    inc = server.create("Checkout API 502s", "SEV2", service="api", summary="502s from checkout")
    assert INCIDENT_KEYS <= set(inc), f"missing keys: {INCIDENT_KEYS - set(inc)}"
    assert SLA_KEYS <= set(inc["sla"]), f"missing sla keys: {SLA_KEYS - set(inc['sla'])}"
    assert set(inc["roles"]) >= {"commander", "tech_lead", "comms_lead", "scribe"}
    assert all(v is None for v in inc["roles"].values())
    assert inc["title"] == "Checkout API 502s"
    assert inc["summary"] == "502s from checkout"
    assert inc["severity"] == "SEV2"
    assert inc["status"] == "triggered"
    assert inc["service"] == "api"
    assert inc["type"] is None
    assert inc["drill"] is False
    parse_time(inc["created_at"])
    parse_time(inc["updated_at"])
    for k in ("acknowledged_at", "resolved_at", "closed_at", "last_public_update_at", "postmortem"):
        assert inc[k] is None, k
    assert inc["sla"]["ack_breached"] is False
    assert inc["sla"]["resolve_breached"] is False
    assert inc["sla"]["update_overdue"] is False


def test_id_format_and_counter(pinned_server):
    srv = pinned_server
    a = srv.create("first")
    b = srv.create("second")
    c = srv.create("third", "SEV1")
    assert [x["id"] for x in (a, b, c)] == [f"INC-{PINNED_DAY}-{n:03d}" for n in (1, 2, 3)]
    for inc in (a, b, c):
        assert ID_RE.match(inc["id"]).group(1) == day_of(inc) == PINNED_DAY, inc


def test_id_counter_survives_restart(pinned_server):
    srv = pinned_server
    a = srv.create("before restart")
    srv.restart()
    srv.pin_clock(PINNED_DAY + "T13:00:00Z")   # a restart resets the dev clock; same day, later
    b = srv.create("after restart")
    assert (a["id"], b["id"]) == (f"INC-{PINNED_DAY}-001", f"INC-{PINNED_DAY}-002")


def test_id_date_follows_dev_clock(pinned_server):
    a = pinned_server.create("today")
    pinned_server.advance("1d")
    b = pinned_server.create("tomorrow")
    assert a["id"] == f"INC-{PINNED_DAY}-001"
    assert b["id"] == f"INC-{PINNED_DAY[:8]}{int(PINNED_DAY[8:]) + 1:02d}-001", \
        f"the id follows the dev clock's day and the per-day counter restarts: {b['id']}"
    assert ID_RE.match(b["id"]).group(1) == day_of(b)


# The slug rules themselves (case, separators, UTF-8, the 40-byte cut) are a pure function with
# its own table in tests/unit/domain/test_incident.c (test_slug, test_slug_length,
# test_slug_cut_keeps_words_apart, test_channel). Here: that the API builds the channel from the
# pinned UTC day and the slug, including the cut and the fallback.
@pytest.mark.parametrize("title,slug", [
    ("Checkout API 502s!!", "checkout-api-502s"),
    ("abcdefghij " * 5, "abcdefghij-abcdefghij-abcdefghij-abcdefg"),
    ("日本語のタイトル", "incident"),
])
def test_channel(pinned_server, title, slug):
    inc = pinned_server.create(title)
    assert inc["channel"] == f"#inc-{PINNED_DAY}-{slug}"
    assert pinned_server.get(inc["id"])["channel"] == inc["channel"]


def test_show(server):
    inc = server.create("show me", "SEV1", service="db", type="security", summary="s")
    got = server.get(inc["id"])
    assert {k: got[k] for k in INCIDENT_KEYS - {"sla"}} == {k: inc[k] for k in INCIDENT_KEYS - {"sla"}}
    assert got["sla"]["ack_due"] == inc["sla"]["ack_due"]
    assert got["type"] == "security" and got["service"] == "db"


def test_show_unknown_is_404(server):
    st, j = server.api("GET", "/api/v1/incidents/INC-2000-01-01-001")
    assert st == 404
    st, j = server.api("GET", "/api/v1/incidents/nonsense")
    assert st == 404


def test_drill_flag(server):
    d = server.create("fire drill", drill=True)
    n = server.create("real one", drill=False)
    assert d["drill"] is True and n["drill"] is False
    assert server.get(d["id"])["drill"] is True


def test_list_filters(server):
    a = server.create("stays triggered", "SEV3")
    b = server.create("gets resolved", "SEV3")
    c = server.create("gets closed", "SEV3")
    d = server.create("investigating", "SEV3")
    server.move(b["id"], "resolved")
    server.move(c["id"], "resolved")
    server.move(c["id"], "closed")
    server.move(d["id"], "investigating")

    def ids(query):
        st, j = server.api("GET", "/api/v1/incidents" + query)
        assert st == 200, (query, st, j)
        assert isinstance(j.get("incidents"), list)
        return [i["id"] for i in j["incidents"]]

    assert ids("") == [d["id"], a["id"]], "default is open, newest first"
    assert ids("?status=open") == [d["id"], a["id"]]
    assert ids("?status=all") == [d["id"], c["id"], b["id"], a["id"]]
    assert ids("?status=resolved") == [b["id"]]
    assert ids("?status=closed") == [c["id"]]
    assert ids("?status=triggered") == [a["id"]]
    assert ids("?status=investigating") == [d["id"]]
    assert ids("?status=monitoring") == []
    assert ids("?status=all&limit=2") == [d["id"], c["id"]]
    assert ids("?status=all&limit=1") == [d["id"]]


def test_list_items_are_incidents(server):
    inc = server.create("listed", "SEV1")
    st, j = server.api("GET", "/api/v1/incidents")
    assert st == 200
    (item,) = j["incidents"]
    assert item["id"] == inc["id"] and item["severity"] == "SEV1" and item["channel"] == inc["channel"]
    assert "sla" in item and "roles" in item


@pytest.mark.parametrize("query", ["?status=bogus", "?status=OPEN2"])
def test_list_unknown_status_is_422(server, query):
    st, j = server.api("GET", "/api/v1/incidents" + query)
    assert st == 422
    assert j["error"]["message"].startswith("status")


@pytest.mark.parametrize("query", ["?limit=0", "?limit=1001", "?limit=abc", "?limit=-1", "?limit=1e3"])
def test_list_bad_limit(server, query):
    st, j = server.api("GET", "/api/v1/incidents" + query)
    assert st == 400, (st, j)
    assert j["error"]["message"] == "limit: must be a whole number from 1 to 1000", j


def test_patch_title_and_summary(server):
    inc = server.create("old title", "SEV3")
    st, j = server.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"title": "new title"})
    assert st == 200, j
    assert j["title"] == "new title" and j["severity"] == "SEV3"
    st, j = server.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"summary": "what we know"})
    assert st == 200, j
    assert j["summary"] == "what we know" and j["title"] == "new title"
    got = server.get(inc["id"])
    assert got["title"] == "new title" and got["summary"] == "what we know"
    kinds = [e["kind"] for e in server.timeline(inc["id"])]
    assert kinds.count("incident.updated") == 2, kinds


def test_patch_severity_recomputes_sla(server):
    inc = server.create("sev change", "SEV1")
    sla = inc["sla"]
    assert secs(inc["created_at"], sla["ack_due"]) == POLICY["SEV1"]["ack"]
    assert secs(inc["created_at"], sla["resolve_due"]) == POLICY["SEV1"]["resolve"]
    assert secs(inc["created_at"], sla["next_update_due"]) == POLICY["SEV1"]["update"]

    st, j = server.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV2"})
    assert st == 200, j
    assert j["severity"] == "SEV2"
    assert secs(sla["ack_due"], j["sla"]["ack_due"]) == POLICY["SEV2"]["ack"] - POLICY["SEV1"]["ack"]
    assert secs(inc["created_at"], j["sla"]["resolve_due"]) == POLICY["SEV2"]["resolve"]
    assert secs(inc["created_at"], j["sla"]["next_update_due"]) == POLICY["SEV2"]["update"]

    st, j = server.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV3"})
    assert st == 200, j
    assert secs(inc["created_at"], j["sla"]["ack_due"]) == POLICY["SEV3"]["ack"]
    assert secs(inc["created_at"], j["sla"]["resolve_due"]) == POLICY["SEV3"]["resolve"]
    assert j["sla"]["next_update_due"] is None, "SEV3 has no update cadence"

    st, j = server.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV4"})
    assert st == 200, j
    assert j["sla"]["ack_due"] is None and j["sla"]["resolve_due"] is None
    assert j["sla"]["next_update_due"] is None
    assert j["sla"]["ack_breached"] is False and j["sla"]["resolve_breached"] is False
    assert j["sla"]["update_overdue"] is False
    assert server.get(inc["id"])["severity"] == "SEV4"

    entries = [e for e in server.timeline(inc["id"]) if e["kind"] == "incident.severity_changed"]
    assert len(entries) == 3, entries


def test_sev4_has_no_clocks(server):
    inc = server.create("cosmetic", "SEV4")
    assert inc["sla"]["ack_due"] is None
    assert inc["sla"]["resolve_due"] is None
    assert inc["sla"]["next_update_due"] is None


def test_patch_validation(server):
    inc = server.create("patch me", "SEV3")
    path = f"/api/v1/incidents/{inc['id']}"
    st, j = server.api("PATCH", path, {})
    assert st == 400, "PATCH needs at least one field"
    st, j = server.api("PATCH", path, {"severity": "SEV9"})
    assert st == 422 and j["error"]["message"].startswith("severity")
    st, j = server.api("PATCH", path, {"title": ""})
    assert st == 400 and j["error"]["message"].startswith("title")
    st, j = server.api("PATCH", path, {"title": 7})
    assert st == 400 and j["error"]["message"].startswith("title")
    st, j = server.api("PATCH", path, {"status": "resolved"})
    assert st == 400, "status is not a PATCH field"
    st, j = server.api("PATCH", path, {"titel": "typo"})
    assert st == 400 and "titel" in j["error"]["message"]
    st, j = server.api("PATCH", "/api/v1/incidents/INC-2000-01-01-001", {"title": "x"})
    assert st == 404
    got = server.get(inc["id"])
    assert got["title"] == "patch me" and got["severity"] == "SEV3" and got["status"] == "triggered"


def test_failed_patch_changes_nothing(server):
    """One request, one transaction: a PATCH with one bad field applies none of its fields."""
    inc = server.create("atomic", "SEV3")
    st, j = server.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"title": "changed", "severity": "SEV9"})
    assert st == 422
    got = server.get(inc["id"])
    assert got["title"] == "atomic" and got["severity"] == "SEV3"
    assert [e["kind"] for e in server.timeline(inc["id"])] == ["incident.declared"]


def test_title_and_summary_limits(server):
    assert server.create("t" * 200)["title"] == "t" * 200
    st, j = server.api("POST", "/api/v1/incidents", {"title": "t" * 201, "severity": "SEV3"})
    assert st == 400 and j["error"]["message"].startswith("title")
    assert server.create("long summary", summary="s" * 10000)["summary"] == "s" * 10000
    st, j = server.api("POST", "/api/v1/incidents", {"title": "x", "severity": "SEV3", "summary": "s" * 10001})
    assert st == 400 and j["error"]["message"].startswith("summary")


def test_unicode_title_round_trips(server):
    title = "Zahlungsausfall — Café ✓ 日本"
    inc = server.create(title)
    assert inc["title"] == title
    assert server.get(inc["id"])["title"] == title


def test_declared_timeline_entry(server):
    inc = server.create("declared", "SEV2", service="api")
    (e,) = server.timeline(inc["id"])
    assert e["kind"] == "incident.declared"
    assert e["incident_id"] == inc["id"]
    assert isinstance(e["seq"], int)
    assert HEX64_RE.match(e["hash"]) and HEX64_RE.match(e["prev_hash"])
    assert e["actor"].startswith("token:")
    parse_time(e["at"])
    assert isinstance(e["data"], dict)


def test_list_default_limit_is_100(server):
    for i in range(101):
        server.create(f"bulk {i}", "SEV4")
    st, j = server.api("GET", "/api/v1/incidents")
    assert len(j["incidents"]) == 100
    st, j = server.api("GET", "/api/v1/incidents?limit=1000")
    assert len(j["incidents"]) == 101


def test_counter_grows_to_four_digits(pinned_server):
    """The per-day counter grows past 999 (INC-...-1000), and newest-first stays right."""
    import http.client
    import json as _json
    server = pinned_server
    c = http.client.HTTPConnection("127.0.0.1", server.port, timeout=60)
    h = {"Authorization": f"Bearer {server.admin_token}", "Content-Type": "application/json"}
    last = None
    try:
        for i in range(1001):
            c.request("POST", "/api/v1/incidents", _json.dumps({"title": f"n{i}", "severity": "SEV4"}), h)
            r = c.getresponse()
            body = r.read()
            assert r.status == 201, body
            last = _json.loads(body)
    finally:
        c.close()
    assert last["id"] == f"INC-{PINNED_DAY}-1001", last["id"]
    assert server.get(f"INC-{PINNED_DAY}-001")["title"] == "n0"
    st, j = server.api("GET", "/api/v1/incidents?limit=3")
    assert [int(i["id"].rsplit("-", 1)[1]) for i in j["incidents"]] == [1001, 1000, 999], "newest first past 999"


def test_type_default_severity(make_server):
    text = open(FIXTURE_CONFIG).read().replace("- {id: security, name: Security}",
                                               "- {id: security, name: Security, severity: SEV1}", 1)
    srv = make_server(config_text=text)
    st, j = srv.api("POST", "/api/v1/incidents", {"title": "breach", "type": "security"})
    assert st == 201, j
    assert j["severity"] == "SEV1" and j["type"] == "security"
    assert secs(j["created_at"], j["sla"]["ack_due"]) == POLICY["SEV1"]["ack"]
    st, j = srv.api("POST", "/api/v1/incidents", {"title": "explicit", "type": "security", "severity": "SEV3"})
    assert st == 201 and j["severity"] == "SEV3", "an explicit severity wins over the type's default"
    st, j = srv.api("POST", "/api/v1/incidents", {"title": "no type"})
    assert st == 400 and j["error"]["message"].startswith("severity")
    p = srv.cli("declare", "--type", "security", "--title", "via cli")
    assert p.returncode == 0, p.stderr
    assert srv.get(p.stdout.splitlines()[0])["severity"] == "SEV1"


def test_list_item_equals_show(server):
    inc = server.create("same shape", "SEV2", service="api")
    server.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/commander", {"user": "alice"})
    st, j = server.api("GET", "/api/v1/incidents")
    (item,) = j["incidents"]
    assert item == server.get(inc["id"])
