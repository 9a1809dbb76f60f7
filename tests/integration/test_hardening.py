"""Hardening (issue 14, docs/security.md): keys kept whole, and their documented limits."""
import pytest

from test_ingest_support import (alerts, am_alert, am_ok, am_send, generic, generic_ok,  # noqa: F401
                                 ing, integration)
from tocsin_harness import parse_time


def test_long_fingerprints_sharing_64_characters_stay_two_alerts(ing):
    """Item 5: two 100-character fingerprints with the same first 64 characters are two alerts;
    resolving one leaves the other firing (they were cut to 64 and merged)."""
    key = integration(ing, "api", "alertmanager")["key"]
    common = "f" * 64
    fp1, fp2 = common + "1" * 36, common + "2" * 36
    a1 = am_alert({"alertname": "A", "instance": "web-1"}, "one", fingerprint=fp1)
    a2 = am_alert({"alertname": "A", "instance": "web-2"}, "two", fingerprint=fp2)
    am_ok(ing, key, [a1, a2])
    got = {a["dedup_key"]: a for a in alerts(ing)}
    assert set(got) == {fp1, fp2}, sorted(got)
    assert all(a["status"] == "firing" and a["repeat_count"] == 1 for a in got.values()), got
    am_ok(ing, key, [am_alert(a1["labels"], "one", status="resolved", fingerprint=fp1)])
    got = {a["dedup_key"]: a["status"] for a in alerts(ing)}
    assert got == {fp1: "resolved", fp2: "firing"}, got


def test_fingerprint_of_255_characters_kept_256_refused_422(ing):
    key = integration(ing, "api", "alertmanager")["key"]
    fp = "é" * 255  # characters, not bytes: 510 bytes
    am_ok(ing, key, [am_alert({"alertname": "B"}, "b", fingerprint=fp)])
    assert [a["dedup_key"] for a in alerts(ing)] == [fp]
    r = am_send(ing, key, [am_alert({"alertname": "C"}, "c", fingerprint="x" * 256)])
    assert r.status == 422, r
    assert "alerts[0].fingerprint" in r.json["error"]["message"], r.json
    assert "255" in r.json["error"]["message"], r.json
    assert len(alerts(ing)) == 1, "nothing of the refused request was stored"


def test_generic_dedup_key_multibyte_kept_whole_and_too_long_is_422(ing):
    key = integration(ing, "api", "generic")["key"]
    k1, k2 = "ü" * 200 + "a", "ü" * 200 + "b"  # 402 bytes each: a 256-byte buffer cut them equal
    assert generic_ok(ing, key, {"summary": "one", "dedup_key": k1})["dedup_key"] == k1
    assert generic_ok(ing, key, {"summary": "two", "dedup_key": k2})["dedup_key"] == k2
    generic_ok(ing, key, {"action": "resolve", "dedup_key": k1})
    got = {a["dedup_key"]: a["status"] for a in alerts(ing)}
    assert got == {k1: "resolved", k2: "firing"}, got
    r = generic(ing, key, {"summary": "three", "dedup_key": "k" * 256})
    assert r.status == 422 and "dedup_key" in r.json["error"]["message"], r


# --- year 10000 (item 10) ------------------------------------------------------------------------

def test_year_9999_formats_and_year_10000_is_refused_with_422(make_server):
    """The dev clock runs to the last day of 9999: incident ids and silence times still format
    (they overran their buffers past 9999); moving the clock or a silence's end past 9999 is a
    422 naming the field."""
    s = make_server(dev_clock=True)
    s.pin_clock("9999-12-31T12:00:00Z")
    inc = s.create("the last day")
    assert inc["id"] == "INC-9999-12-31-001", inc["id"]
    st, j = s.api("POST", "/api/v1/silences", {"matchers": {"a": "b"}, "duration": "6h",
                                                "reason": "till the end"})
    # 6 h after now, which is the pinned moment plus the real seconds since (the dev clock runs
    # with the wall clock: a loaded CI run saw :01)
    assert st == 201 and j["ends_at"].startswith("9999-12-31T18:00:0"), (st, j)
    st, j = s.api("POST", "/api/v1/silences", {"matchers": {"a": "b"}, "duration": "1d",
                                                "reason": "past the end"})
    assert st == 422 and "duration" in j["error"]["message"], (st, j)
    assert "9999" in j["error"]["message"], j
    st, j = s.api("POST", "/api/v1/silences", {"matchers": {"a": "b"}, "reason": "offset",
                                                "ends_at": "9999-12-31T23:00:00-05:00"})
    assert st == 422 and j["error"]["message"].startswith("ends_at"), (st, j)
    st, j = s.api("POST", "/api/v1/silences", {"matchers": {"a": "b"}, "duration": "9999999999w",
                                                "reason": "overflow"})
    assert st in (400, 422) and "duration" in j["error"]["message"], (st, j)
    st, j = s.api("POST", "/api/v1/debug/clock", {"advance": "1d"})
    assert st == 422 and j["error"]["message"].startswith("advance"), (st, j)
    assert s.now().startswith("9999-12-31T12:"), "a refused advance does not move the clock"
    # To within a minute of the last second (the dev clock also runs with the wall clock, and a
    # loaded machine takes seconds between two requests): still fine.
    left = parse_time("9999-12-31T23:59:59Z") - parse_time(s.now())
    s.advance(f"{int(left.total_seconds()) - 60}s")
    assert s.now().startswith("9999-12-31T23:5"), s.now()
    st, j = s.api("GET", f"/api/v1/incidents/{inc['id']}")
    assert st == 200 and j["created_at"].startswith("9999-12-31T12:"), (st, j)
    assert all(t.startswith("9999-") for t in (e["at"] for e in s.timeline(inc["id"]))), "times format"
    st, j = s.api("GET", "/api/v1/silences")
    assert st == 200, (st, j)


# --- the key before the body (item 12) -----------------------------------------------------------

@pytest.mark.parametrize("path,type_", [("/api/v1/ingest/alertmanager", "alertmanager"),
                                        ("/api/v1/ingest/generic", "generic")])
def test_ingest_checks_the_key_before_parsing_the_body(ing, path, type_):
    """A 1 MB garbage body with a bad (or the wrong type of) key is 401/403, not a 400 from
    parsing it; the same body with the right key is the parser's 400."""
    garbage = b"{" + b"\x01garbage[" * (1000 * 1000 // 9 - 1)
    assert len(garbage) < 1024 * 1024
    r = ing.request("POST", path, raw=garbage, token="tik_notakey")
    assert r.status == 401, r
    other = integration(ing, "api", "generic" if type_ == "alertmanager" else "alertmanager")
    r = ing.request("POST", path, raw=garbage, token=other["key"])
    assert r.status in (401, 403), r
    r = ing.request("POST", path, raw=garbage, token=None)
    assert r.status == 401, r
    right = integration(ing, "api", type_)
    r = ing.request("POST", path, raw=garbage, token=right["key"])
    assert r.status == 400, r


# --- ids at the config's maximum length (item 5's audit of fixed buffers) ------------------------

def test_policy_and_schedule_ids_of_64_characters_escalate(make_server):
    """Config ids may be 64 characters. The escalation state kept the policy id in 64 bytes (63
    characters and the NUL), so a 64-character policy was not found again after its first step;
    a `schedule:ID/LAYER` target was cut at 127 bytes."""
    from test_escalation import CONFIG, steps, users_of
    pol, sched = "p" * 64, "s" * 64
    cfg = (CONFIG.replace("  - id: default\n", f"  - id: {pol}\n")
           .replace("escalation: default}", f"escalation: {pol}}}")
           .replace("{id: secondary,", f"{{id: {sched},")
           .replace("notify: [schedule:secondary]", f"notify: [schedule:{sched}]")
           + 'fallback: "user:erin"\n')  # no policy "default" any more: unrouted would be refused
    s = make_server(dev_clock=True, config_text=cfg)
    inc = s.create("long ids", "SEV1", service="api")
    s.advance("1s")
    got = steps(s, inc["id"])
    assert len(got) == 1 and got[0]["data"]["policy"] == pol, got
    s.advance("15m")
    got = steps(s, inc["id"])
    assert [users_of(x) for x in got] == [["alice"], ["bob"]], got
    assert s.get(inc["id"])["escalation"]["policy"] == pol


# --- audit verification off the request threads (item 4) ----------------------------------------

def test_many_verifies_at_once_share_the_auditor_and_health_stays_up(make_server):
    """POST /api/v1/audit/verify runs on the auditor thread (the connection suspended): 48 viewers
    asking at once, more than the HTTP pool's threads, are all answered with the same result
    while /healthz is answered too; a verify after a new entry sees it."""
    from tocsin_harness import run_threads
    s = make_server(dev_clock=True)
    for i in range(30):
        s.create(f"chain {i}")
    viewer = s.make_token("viewer")
    want = s.verify()

    def ask(i):
        if i % 8 == 0:
            st, j = s.api("GET", "/healthz", token=None)
            return ("health", st)
        st, j = s.api("POST", "/api/v1/audit/verify", token=viewer)
        return ("verify", st, j["valid"], j["entries"], j["head"])

    got = run_threads(48, ask)
    assert sorted(set(got)) == sorted({("health", 200),
                                       ("verify", 200, True, want["entries"], want["head"])}), got
    s.create("one more")
    after = s.verify()
    assert after["valid"] and after["entries"] > want["entries"], (after, want)
