"""Scheduled maintenance on the public status page: POST/PATCH /api/v1/maintenances, shown as
upcoming / in progress / completed on /status, in Statuspage's scheduled-maintenances JSON and in
the Atom feed; the components it affects under_maintenance while it runs (docs/api.md "Scheduled
maintenance", docs/internals/status_page.md). One dev-clock server for the module."""
import xml.etree.ElementTree as ET

import pytest

from test_status_page import status_config
from conftest import _teardown_all
from tocsin_harness import Server, require_bin, parse_time

ATOM = "{http://www.w3.org/2005/Atom}"
MAINT_KEYS = ("id", "name", "status", "created_at", "updated_at", "monitoring_at", "resolved_at",
              "impact", "shortlink", "started_at", "page_id", "incident_updates", "components",
              "scheduled_for", "scheduled_until")


@pytest.fixture(scope="module")
def ms(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("maint"), dev_clock=True, config_text=status_config())
    s.start()
    s.pin_clock()
    yield s
    _teardown_all([s])


def at(s, minutes):
    """The server's now plus `minutes`, RFC 3339."""
    t = parse_time(s.now())
    from datetime import timedelta
    return (t + timedelta(minutes=minutes)).strftime("%Y-%m-%dT%H:%M:%SZ")


def doc(s, path):
    r = s.request("GET", path, token=None)
    assert r.status == 200, (path, r.status, r.body[:300])
    return r.json


def maint_list(s, name):
    return [m["id"] for m in doc(s, f"/api/v2/scheduled-maintenances/{name}.json")
            ["scheduled_maintenances"]]


def comp(s, name):
    return {c["name"]: c["status"] for c in doc(s, "/api/v2/components.json")["components"]}[name]


def silences_of(s, mid):
    st, j = s.api("GET", "/api/v1/silences")
    assert st == 200, j
    return [(x["service"], x["state"]) for x in j["silences"] if x["id"].startswith(mid + ".")]


def create(s, **kw):
    body = {"name": "Database upgrade", "components": ["Database"],
            "scheduled_for": at(s, 60), "scheduled_until": at(s, 180)}
    body.update(kw)
    st, j = s.api("POST", "/api/v1/maintenances", body)
    assert st == 201, (st, j)
    return j


def test_lifecycle_on_page_json_and_feed(ms):
    name = "DB <script>alert(1)</script> upgrade"
    m = create(ms, name=name, message="We will upgrade the primary database.")
    mid = m["id"]
    assert m["status"] == "scheduled" and m["components"] == ["Database"], m
    # upcoming: listed, component untouched
    assert mid in maint_list(ms, "upcoming") and mid not in maint_list(ms, "active")
    assert silences_of(ms, mid) == [("db", "pending")]
    summ = doc(ms, "/api/v2/summary.json")
    [sm] = [x for x in summ["scheduled_maintenances"] if x["id"] == mid]
    for k in MAINT_KEYS:
        assert k in sm, f"maintenance lacks {k}: {sm}"
    assert sm["impact"] == "maintenance" and sm["status"] == "scheduled"
    assert sm["components"][0]["name"] == "Database"
    assert sm["incident_updates"][0]["body"] == "We will upgrade the primary database."
    assert comp(ms, "Database") == "operational"
    html = ms.request("GET", "/status", token=None).body.decode()
    assert "Scheduled maintenance</h2>" in html and "Maintenance in progress" not in html
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html

    # the clock starts it: no request needed, the page re-renders at scheduled_for
    etag = ms.request("GET", "/status", token=None).headers["ETag"]
    ms.advance("61m")
    assert mid in maint_list(ms, "active") and mid not in maint_list(ms, "upcoming")
    assert comp(ms, "Database") == "under_maintenance" and comp(ms, "API") == "operational"
    st = doc(ms, "/api/v2/status.json")["status"]
    assert st == {"indicator": "maintenance", "description": "Service Under Maintenance"}, st
    r = ms.request("GET", "/status", token=None, headers={"If-None-Match": etag})
    assert r.status == 200 and r.headers["ETag"] != etag
    assert "Maintenance in progress</h2>" in r.body.decode()
    # its services' alerts are silenced while it runs (one silence per service of the component)
    assert silences_of(ms, mid) == [("db", "active")]

    # people move it on: verifying (with a message), then completed
    st_, j = ms.api("PATCH", f"/api/v1/maintenances/{mid}",
                    {"status": "verifying", "message": "Checking replication."})
    assert st_ == 200 and j["status"] == "verifying", j
    [a] = [x for x in doc(ms, "/api/v2/scheduled-maintenances/active.json")
           ["scheduled_maintenances"] if x["id"] == mid]
    # newest first: the person's, the clock's start (jobs/maintenance_clock.c), the creation's
    assert [u["status"] for u in a["incident_updates"]] == ["verifying", "in_progress",
                                                           "scheduled"], a
    assert a["incident_updates"][0]["body"] == "Checking replication."
    st_, j = ms.api("PATCH", f"/api/v1/maintenances/{mid}", {"status": "completed"})
    assert st_ == 200 and j["status"] == "completed" and j["completed_at"], j
    assert silences_of(ms, mid) == []
    assert comp(ms, "Database") == "operational"
    assert doc(ms, "/api/v2/status.json")["status"]["indicator"] == "none"
    assert mid not in [x["id"] for x in doc(ms, "/api/v2/summary.json")["scheduled_maintenances"]]
    [done] = [x for x in doc(ms, "/api/v2/scheduled-maintenances.json")["scheduled_maintenances"]
              if x["id"] == mid]
    assert done["status"] == "completed" and done["resolved_at"], done
    html = ms.request("GET", "/status", token=None).body.decode()
    assert "Completed maintenance" in html
    # a completed window stays completed
    st_, j = ms.api("PATCH", f"/api/v1/maintenances/{mid}", {"message": "again"})
    assert st_ == 409 and "completed" in j["error"]["message"], j

    # the feed: one entry for it, the name as text
    feed = ET.fromstring(ms.request("GET", "/history.atom", token=None).body)
    titles = [e.find(f"{ATOM}title").text for e in feed.findall(f"{ATOM}entry")]
    assert f"Scheduled maintenance: {name}" in titles, titles
    # the API's own view
    st_, j = ms.api("GET", f"/api/v1/maintenances/{mid}")
    assert st_ == 200 and j["status"] == "completed" and len(j["updates"]) == 4, j  # the clock's start posts one
    st_, j = ms.api("GET", "/api/v1/maintenances")
    assert st_ == 200 and mid in [x["id"] for x in j["maintenances"]]


def test_clock_completes_it_at_the_planned_end(ms):
    m = create(ms, name="Clock-driven", components=["API"], scheduled_for=at(ms, 1),
               scheduled_until=at(ms, 30))
    ms.advance("2m")
    assert comp(ms, "API") == "under_maintenance"
    ms.advance("30m")
    assert comp(ms, "API") == "operational"
    st, j = ms.api("GET", f"/api/v1/maintenances/{m['id']}")
    # the clock's pass announced the start and the end, settling the stored status
    assert j["status"] == "completed" and j["set_status"] == "completed", j
    assert [u["status"] for u in j["updates"]] == ["scheduled", "in_progress", "completed"], j
    # an incident is worse than a maintenance on the same component
    m2 = create(ms, name="Overlap", components=["API"], scheduled_for=at(ms, 1),
                scheduled_until=at(ms, 30))
    ms.advance("2m")
    inc = ms.create(title="API down", severity="SEV1", service="api")
    ms.move(inc["id"], "investigating", message="Looking", public=True)
    assert comp(ms, "API") == "major_outage"
    ms.move(inc["id"], "resolved", message="Fixed", public=True)
    assert comp(ms, "API") == "under_maintenance"
    ms.api("PATCH", f"/api/v1/maintenances/{m2['id']}", {"status": "completed"})


@pytest.mark.parametrize("body,status,field", [
    ({"components": ["Nope"]}, 422, "components[0]"),
    ({"components": []}, 400, "components"),
    ({"components": "Database"}, 400, "components"),
    ({"scheduled_for": None}, 400, "scheduled_for"),
    ({"scheduled_for": "tomorrow"}, 400, "scheduled_for"),
    ({"scheduled_until": "2000-01-01T00:00:00Z"}, 400, "scheduled_until"),
    ({"status": "in_progress"}, 400, "status"),
    ({"name": ""}, 400, "name"),
    ({"colour": "red"}, 400, "colour"),
])
def test_create_refuses_bad_input(ms, body, status, field):
    full = {"name": "Bad", "components": ["Database"], "scheduled_for": at(ms, 60),
            "scheduled_until": at(ms, 120)}
    full.update(body)
    full = {k: v for k, v in full.items() if v is not None}
    st, j = ms.api("POST", "/api/v1/maintenances", full)
    assert st == status and field in j["error"]["message"], (st, j)


def test_patch_refuses_bad_moves_and_roles(ms):
    m = create(ms, name="Moves")
    mid = m["id"]
    for body, status, field in (({"status": "done"}, 400, "status"),
                                ({"scheduled_until": at(ms, 10)}, 400, "scheduled_until"),
                                ({"components": ["Nope"]}, 422, "components")):
        st, j = ms.api("PATCH", f"/api/v1/maintenances/{mid}", body)
        assert st == status and field in j["error"]["message"], (body, st, j)
    st, j = ms.api("PATCH", f"/api/v1/maintenances/{mid}", {"status": "in_progress"})
    assert st == 200 and j["status"] == "in_progress" and j["started_at"], j
    st, j = ms.api("PATCH", f"/api/v1/maintenances/{mid}", {"status": "scheduled"})
    assert st == 409 and "forward" in j["error"]["message"], j
    st, j = ms.api("PATCH", f"/api/v1/maintenances/{mid}", {"scheduled_for": at(ms, 5)})
    assert st == 409 and "scheduled_for" in j["error"]["message"], j
    st, j = ms.api("PATCH", "/api/v1/maintenances/mnt_nosuch", {"status": "completed"})
    assert st == 404 and "id" in j["error"]["message"], j
    viewer = ms.make_token("viewer")
    st, j = ms.api("PATCH", f"/api/v1/maintenances/{mid}", {"status": "completed"}, token=viewer)
    assert st == 403, j
    st, j = ms.api("GET", f"/api/v1/maintenances/{mid}", token=viewer)
    assert st == 200 and j["status"] == "in_progress", j
    st, j = ms.api("POST", "/api/v1/maintenances", {}, token=None)
    assert st == 401, j
    ms.api("PATCH", f"/api/v1/maintenances/{mid}", {"status": "completed"})


def test_ui_schedules_and_moves_a_window(ms):
    from test_ui import Browser, set_password
    set_password(ms, "alice")
    b = Browser(ms)
    assert b.signin("alice")[0].status == 303
    r, text = b.send("GET", "/ui/maintenance")
    assert r.status == 200 and 'id="add-maintenance"' in text and 'value="Database"' in text
    start = at(ms, 120)[:16]  # what a datetime-local field sends: no seconds, no zone
    end = at(ms, 240)[:16]
    form = {"name": "UI <b>window</b>", "component": ["Database", "API"], "scheduled_for": start,
            "scheduled_until": end, "message": "From the UI"}
    r, _ = b.post("/ui/maintenance", form, csrf="0" * 64)
    assert r.status == 403
    r, text = b.post("/ui/maintenance", form)
    assert r.status == 303 and r.getheader("Location") == "/ui/maintenance", (r.status, text[:300])
    st, j = ms.api("GET", "/api/v1/maintenances")
    [m] = [x for x in j["maintenances"] if x["name"] == "UI <b>window</b>"]
    assert m["components"] == ["Database", "API"] and m["scheduled_for"] == start + ":00Z", m
    assert m["created_by"] == "user:alice"
    r, text = b.send("GET", "/ui/maintenance")
    assert "UI &lt;b&gt;window&lt;/b&gt;" in text and "<b>window" not in text
    r, text = b.post(f"/ui/maintenance/{m['id']}", {"status": "in_progress", "message": "Go"})
    assert r.status == 303, text[:300]
    assert comp(ms, "API") == "under_maintenance" and comp(ms, "Database") == "under_maintenance"
    r, text = b.post(f"/ui/maintenance/{m['id']}", {"status": "scheduled"})
    assert r.status == 409 and "forward" in text
    r, text = b.post(f"/ui/maintenance/{m['id']}", {"status": "completed"})
    assert r.status == 303
    assert comp(ms, "API") == "operational"
    r, text = b.post("/ui/maintenance", dict(form, scheduled_for="soon"))
    assert r.status == 400 and "scheduled_for" in text
