"""The per-day detail of the status page's uptime history (docs/api.md "Status page", "A day of
the history"): a day's bar that had a public incident or a maintenance window links to
/status/history/DAY#component-ID, a page readable without JavaScript listing, per component, that
day's public incidents and maintenance windows with their times and durations, everything
escaped; bad days are refused naming `day`. One dev-clock server for the module."""
import re

import pytest

from conftest import _teardown_all
from tocsin_harness import PINNED_AT, Server, http, require_bin

XSS = "<script>alert(1)</script> API down"


def config():
    from notify_receivers import notify_config
    text = notify_config(["{id: alice, name: Alice, email: alice@example.com}"])
    return text.replace("  - {id: api, name: API Gateway}\n",
                        "  - {id: api, name: API Gateway, component: API}\n"
                        "  - {id: db, name: Database, component: Database}\n")


@pytest.fixture(scope="module")
def sp(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("hist") / "srv", dev_clock=True, config_text=config())
    try:
        s.start()
        s.pin_clock()
        yield s
    finally:
        _teardown_all([s])


def get(s, path):
    r = http("GET", s.url + path)
    return r.status, r.body.decode()


def test_day_page_lists_incidents_and_maintenance_with_durations(sp):
    day = PINNED_AT[:10]
    inc = sp.create(title=XSS, severity="SEV1", service="api")
    sp.move(inc["id"], "investigating", message="looking", public=True)
    sp.advance("2h")
    sp.move(inc["id"], "resolved", message="fixed", public=True)
    private = sp.create(title="Private matter", severity="SEV1", service="api")
    sp.advance("1m")
    sp.move(private["id"], "resolved")
    st, m = sp.api("POST", "/api/v1/maintenances", {
        "name": "DB <upgrade>", "components": ["Database"],
        "scheduled_for": PINNED_AT[:11] + "16:00:00Z", "scheduled_until": PINNED_AT[:11] + "17:00:00Z"})
    assert st == 201, m
    st, _ = sp.api("PATCH", f"/api/v1/maintenances/{m['id']}", {"status": "in_progress"})
    assert st == 200
    sp.advance("30m")
    st, _ = sp.api("PATCH", f"/api/v1/maintenances/{m['id']}", {"status": "completed"})
    assert st == 200

    st, page = get(sp, "/status")
    assert st == 200
    assert f'href="/status/history/{day}#component-api"' in page
    assert f'href="/status/history/{day}#component-database"' in page
    yesterday_links = re.findall(r'href="/status/history/(\d{4}-\d\d-\d\d)#', page)
    assert set(yesterday_links) == {day}, "only days something happened on link"

    st, d = get(sp, f"/status/history/{day}")
    assert st == 200, d
    assert "<script>alert(1)" not in d and "&lt;script&gt;alert(1)&lt;/script&gt; API down" in d
    assert "Private matter" not in d
    api = d[d.index('id="component-api"'):d.index('id="component-database"')]
    assert f'href="/status#{inc["id"]}"' in api
    assert "2 h 0 min on this day; 2 h 0 min in all" in api, api
    assert "critical" in api
    db = d[d.index('id="component-database"'):]
    assert "Maintenance: DB &lt;upgrade&gt;" in db and "30 min on this day" in db, db
    assert 'rel="prev"' in d and 'rel="next"' not in d  # today is the last day
    assert "<script" not in d.replace("&lt;script", "")


def test_quiet_day_and_bad_days(sp):
    st, d = get(sp, "/status/history/" + PINNED_AT[:10])
    assert st == 200
    # a day with nothing: every component says so
    st, prev = get(sp, "/status/history/" + re.search(r'rel="prev" href="/status/history/([0-9-]+)"', d).group(1))
    assert st == 200 and prev.count("No incidents or maintenance.") == 2, prev
    for bad in ("2026-13-01", "2026-02-30", "yesterday", "2026-1-01"):
        st, body = get(sp, f"/status/history/{bad}")
        assert st == 400 and "day" in body, (bad, st, body)
    for far in ("1999-01-01", "9999-12-31"):
        st, body = get(sp, f"/status/history/{far}")
        assert st == 404 and "day" in body, (far, st, body)


def test_walking_every_day_is_answered_and_then_cached(sp):
    """More days than the old 16-page cache: each answers its own page, and a walk after the
    first is served from the cache (X-Status-Cache: hit), not rendered again. On PostgreSQL the
    node follows the shared change counter, which may move once meanwhile (a write of an earlier
    test): a few walks are allowed, and one of them must hit on every day (with the old cache,
    every walk missed every day)."""
    import datetime
    today = datetime.date.fromisoformat(sp.now()[:10])
    days = [(today - datetime.timedelta(days=k)).isoformat() for k in range(1, 41)]

    def walk():
        misses = []
        for day in days:
            r = http("GET", sp.url + f"/status/history/{day}")
            body = r.body.decode()
            assert r.status == 200, (day, r.status, body)
            prev = (datetime.date.fromisoformat(day) - datetime.timedelta(days=1)).isoformat()
            nxt = (datetime.date.fromisoformat(day) + datetime.timedelta(days=1)).isoformat()
            assert f'rel="prev" href="/status/history/{prev}"' in body, (day, body[:400])
            assert f'href="/status/history/{nxt}"' in body, day
            if r.headers.get("X-Status-Cache") != "hit":
                misses.append(day)
        return misses

    walk()
    for _ in range(4):
        misses = walk()
        if not misses:
            break
    assert not misses, misses
