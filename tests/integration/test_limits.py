"""Bounded inputs and answers (issue 14 item 3, docs/security.md "Limits", docs/api.md "Lists"):
labels, annotations and details per alert are capped (422 naming the field; nothing stored), so
the probe's 60 alerts x 60,000 labels is refused at the door; every list pages with `limit` and an
opaque `next_cursor` that reaches every item once."""
import pytest

from test_ingest_support import am_alert, am_send, generic, ingest_config, integration
from tocsin_harness import Server, require_bin


@pytest.fixture(scope="module")
def lim(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("limits"), dev_clock=True, config_text=ingest_config())
    s.start()
    yield s
    s.teardown()


def alert_count(s):
    st, j = s.api("GET", "/api/v1/alerts?status=all&limit=1000")
    assert st == 200, (st, j)
    return len(j["alerts"])


def test_labels_over_128_refused_422_naming_the_field(lim):
    key = integration(lim, "api", "alertmanager")["key"]
    before = alert_count(lim)
    many = {f"l{i}": "v" for i in range(129)}
    many["alertname"] = "Many"
    r = am_send(lim, key, [am_alert({"alertname": "Ok"}, "ok"), am_alert(many, "many")], check=False)
    assert r.status == 422, r
    msg = r.json["error"]["message"]
    assert msg.startswith("alerts[1].labels:") and "128" in msg, msg
    assert alert_count(lim) == before, "nothing of the refused request was stored"
    # exactly 128 is accepted
    ok = {f"l{i}": "v" for i in range(127)}
    ok["alertname"] = "Edge"
    assert am_send(lim, key, [am_alert(ok, "edge")], check=False).status == 200


def test_probe_60_alerts_of_60000_labels_refused_at_the_door(lim):
    """The probe's alert of 60,000 labels (sent one per request to stay near the 1 MiB body
    limit): refused with 413 or 422 before anything is stored."""
    key = integration(lim, "api", "alertmanager")["key"]
    before = alert_count(lim)
    labels = {f"k{i}": "" for i in range(60000)}
    labels["alertname"] = "Probe"
    r = am_send(lim, key, [am_alert(labels, "probe")], check=False)
    assert r.status in (413, 422), r
    assert alert_count(lim) == before


def test_label_bytes_annotations_and_details_capped(lim):
    key = integration(lim, "api", "alertmanager")["key"]
    before = alert_count(lim)
    r = am_send(lim, key, [am_alert({"alertname": "Big", "blob": "x" * 17000}, "big")], check=False)
    assert r.status == 422 and "alerts[0].labels" in r.json["error"]["message"], r
    assert "16384" in r.json["error"]["message"], r.json
    ann = {f"a{i}": "v" for i in range(129)}
    r = am_send(lim, key, [am_alert({"alertname": "Ann"}, "ann", annotations=ann)], check=False)
    assert r.status == 422 and "alerts[0].annotations" in r.json["error"]["message"], r
    r = am_send(lim, key, [am_alert({"alertname": "Ann"}, "ann",
                                    annotations={"description": "d" * 70000})], check=False)
    assert r.status == 422 and "alerts[0].annotations" in r.json["error"]["message"], r
    gkey = integration(lim, "api", "generic")["key"]
    r = generic(lim, gkey, {"summary": "s", "details": {"log": "z" * 70000}})
    assert r.status == 422 and r.json["error"]["message"].startswith("details:"), r
    r = generic(lim, gkey, {"summary": "s", "labels": {f"l{i}": "v" for i in range(200)}})
    assert r.status == 422 and r.json["error"]["message"].startswith("labels:"), r
    assert alert_count(lim) == before
    r = generic(lim, gkey, {"summary": "s", "details": {"log": "z" * 60000}})
    assert r.status == 202, r


# --- lists: limit and next_cursor --------------------------------------------------------------

def walk(s, path, key, limit):
    """Every item of a list, page by page; checks the Link header matches next_cursor."""
    items, cursor, pages = [], None, 0
    sep = "&" if "?" in path else "?"
    while True:
        url = f"{path}{sep}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        r = s.request("GET", url)
        assert r.status == 200, (url, r)
        page = r.json[key]
        assert len(page) <= limit, (url, len(page))
        items += page
        pages += 1
        cursor = r.json["next_cursor"]
        link = r.headers.get("Link") or r.headers.get("link")
        if cursor is None:
            assert link is None, link
            return items, pages
        assert link and f"cursor={cursor}" in link and 'rel="next"' in link, link
        assert pages < 100, "the cursor does not advance"


def test_incidents_alerts_timeline_reach_every_item_by_cursor(lim):
    ids = [lim.create(f"paged {i}")["id"] for i in range(7)]
    got, pages = walk(lim, "/api/v1/incidents?status=all", "incidents", 3)
    got_ids = [i["id"] for i in got]
    assert len(got_ids) == len(set(got_ids)), "no item twice"
    assert set(ids) <= set(got_ids) and pages >= 3, (ids, got_ids)
    st, one = lim.api("GET", "/api/v1/incidents?status=all&limit=1000")
    assert [i["id"] for i in one["incidents"]] == got_ids, "pages keep the list's order"
    assert one["next_cursor"] is None

    gkey = integration(lim, "api", "generic")["key"]
    for i in range(5):
        assert generic(lim, gkey, {"summary": f"page {i}", "dedup_key": f"pg-{i}"}).status == 202
    alerts, _ = walk(lim, "/api/v1/alerts?status=all", "alerts", 2)
    aids = [a["id"] for a in alerts]
    assert aids == sorted(aids, reverse=True) and len(aids) == len(set(aids)), aids
    assert {f"pg-{i}" for i in range(5)} <= {a["dedup_key"] for a in alerts}

    iid = ids[0]
    for i in range(4):
        st, _ = lim.api("POST", f"/api/v1/incidents/{iid}/notes", {"text": f"note {i}"})
        assert st in (200, 201), st
    entries, pages = walk(lim, f"/api/v1/incidents/{iid}/timeline", "entries", 2)
    seqs = [e["seq"] for e in entries]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs) and len(seqs) >= 5, seqs
    assert len(lim.timeline(iid)) == len(seqs)


def test_bad_limit_and_cursor_are_400_naming_the_field(lim):
    for q in ("limit=0", "limit=1001", "limit=x"):
        r = lim.request("GET", f"/api/v1/incidents?{q}", check=False)
        assert r.status == 400 and r.json["error"]["message"].startswith("limit:"), (q, r)
    r = lim.request("GET", "/api/v1/incidents?cursor=nonsense", check=False)
    assert r.status == 400 and r.json["error"]["message"].startswith("cursor:"), r
    # a cursor of another list is refused, not misread
    lim.create("for a cursor")
    lim.create("for a cursor 2")
    st, j = lim.api("GET", "/api/v1/incidents?status=all&limit=1")
    r = lim.request("GET", f"/api/v1/alerts?cursor={j['next_cursor']}", check=False)
    assert r.status == 400 and r.json["error"]["message"].startswith("cursor:"), r


def test_cli_list_verbs_follow_cursors(lim):
    """The CLI reads a list page by page (TOCSIN_CLI_PAGE=2 makes the pages small): `list`
    reaches --limit across pages, `timeline`, `token list` and `silence list` read every page."""
    env = {"TOCSIN_CLI_PAGE": "2"}
    for i in range(5):
        lim.create(f"cli paged {i}")
    p = lim.cli("list", "--all", "--limit", "5", "--json", env=env)
    assert p.returncode == 0, p.stderr
    import json
    body = json.loads(p.stdout)
    assert len(body["incidents"]) == 5 and len({i["id"] for i in body["incidents"]}) == 5, body
    st, j = lim.api("GET", "/api/v1/incidents?status=all&limit=1000")
    every = len(j["incidents"])
    p = lim.cli("list", "--all", "--limit", "1000000", "--json", env=env)
    assert p.returncode == 0 and len(json.loads(p.stdout)["incidents"]) == every, p.stderr
    iid = j["incidents"][0]["id"]
    for i in range(3):
        lim.api("POST", f"/api/v1/incidents/{iid}/notes", {"text": f"cli note {i}"})
    p = lim.cli("timeline", iid, "--json", env=env)
    assert p.returncode == 0, p.stderr
    assert len(json.loads(p.stdout)["entries"]) == len(lim.timeline(iid)) >= 4
    for i in range(3):
        lim.make_token("viewer", name=f"paged-{i}")
    p = lim.cli("token", "list", "--json", env=env)
    assert p.returncode == 0, p.stderr
    names = [t["name"] for t in json.loads(p.stdout)["tokens"]]
    assert {"paged-0", "paged-1", "paged-2"} <= set(names) and len(names) == len(set(names))
    st, j = lim.api("GET", "/api/v1/tokens?limit=1000")
    assert len(j["tokens"]) == len(names)
