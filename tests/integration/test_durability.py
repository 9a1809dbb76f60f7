"""Durability: a 2xx means committed. kill -9 right after the answers, restart on the same data
dir, and everything answered is there and the chain verifies."""
import json
import threading

import pytest

from tocsin_harness import ID_RE


@pytest.mark.parametrize("rounds", [3])
def test_kill9_after_2xx_sequential(server, rounds):
    expected = {}  # id -> (status, [note texts])
    for rnd in range(rounds):
        for i in range(6):
            inc = server.create(f"round {rnd} incident {i}", "SEV2")
            expected[inc["id"]] = ["triggered", []]
            text = f"note r{rnd} i{i} ✓"
            st, e = server.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": text})
            assert st == 201
            expected[inc["id"]][1].append(text)
            if i % 2 == 0:
                assert server.api("POST", f"/api/v1/incidents/{inc['id']}/ack")[0] == 200
                expected[inc["id"]][0] = "acknowledged"
        server.kill9()  # immediately after the last 2xx
        server.start()
        st, j = server.api("GET", "/api/v1/incidents?status=all&limit=1000")
        assert st == 200
        have = {i["id"]: i for i in j["incidents"]}
        for iid, (status, notes) in expected.items():
            assert iid in have, f"round {rnd}: {iid} answered 201 but lost after kill -9"
            assert have[iid]["status"] == status, (iid, have[iid]["status"], status)
            dump = json.dumps(server.timeline(iid), ensure_ascii=False)
            for t in notes:
                assert t in dump, f"round {rnd}: note {t!r} lost after kill -9"
        v = server.verify()
        assert v["valid"] is True, v
    assert len(expected) == rounds * 6


def test_kill9_under_concurrent_writes(server):
    """Writers keep going while the server is killed: every write answered 2xx is there after."""
    ok_ids, ok_notes, errors = [], [], []
    lock = threading.Lock()
    stop = threading.Event()
    enough = threading.Event()
    anchor = server.create("note target", "SEV3")["id"]

    def writer(w):
        n = 0
        while not stop.is_set():
            n += 1
            try:
                if n % 2:
                    st, j = server.api("POST", "/api/v1/incidents", {"title": f"w{w} n{n}", "severity": "SEV3"})
                    if st == 201:
                        with lock:
                            ok_ids.append(j["id"])
                else:
                    text = f"w{w} note {n}"
                    st, j = server.api("POST", f"/api/v1/incidents/{anchor}/notes", {"text": text})
                    if st == 201:
                        with lock:
                            ok_notes.append(text)
                with lock:
                    if len(ok_ids) + len(ok_notes) >= 60:
                        enough.set()
            except AssertionError as e:  # a 5xx or a malformed error body
                errors.append(str(e))
                return
            except OSError:
                return  # the server is gone: this request was not answered
            except Exception as e:  # noqa: BLE001 - urllib wraps connection errors variously
                if server.alive():
                    errors.append(repr(e))
                return

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    enough.wait(timeout=120)
    server.kill9()
    stop.set()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors[:3]
    assert enough.is_set(), "the writers did not get 60 writes through"
    with lock:
        ids, notes = list(ok_ids), list(ok_notes)
    server.start()
    st, j = server.api("GET", "/api/v1/incidents?status=all&limit=1000")
    have = {i["id"] for i in j["incidents"]}
    lost = [i for i in ids if i not in have]
    assert not lost, f"{len(lost)} incidents answered 201 but lost: {lost[:5]}"
    assert len(set(ids)) == len(ids), "duplicate ids handed out"
    dump = json.dumps(server.timeline(anchor))
    lost_notes = [t for t in notes if t not in dump]
    assert not lost_notes, f"{len(lost_notes)} notes answered 201 but lost: {lost_notes[:5]}"
    assert server.verify()["valid"] is True
    # and the id counter does not hand out an id again
    new = server.create("after crash")
    assert new["id"] not in have
    assert all(ID_RE.match(i) for i in have)


def test_kill9_then_token_and_roles_persist(server):
    tok = server.make_token("responder", name="survivor")
    inc = server.create("roles persist", "SEV1")
    assert server.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/commander", {"user": "carol"})[0] == 200
    server.move(inc["id"], "resolved")
    assert server.move(inc["id"], "closed", postmortem="pm-1", postmortem_waiver="test: no post-mortem needed here")["status"] == "closed"
    server.kill9()
    server.start()
    got = server.get(inc["id"])
    assert got["roles"]["commander"] == "carol"
    assert got["status"] == "closed" and got["postmortem"] == "pm-1"
    assert server.api("GET", "/api/v1/incidents", token=tok)[0] == 200
    assert server.verify()["valid"] is True


# sqlite_only: BEGIN EXCLUSIVE takes SQLite's file write lock and the store's busy timeout runs out;
# PostgreSQL has no database-wide write lock to hold this way.
@pytest.mark.sqlite_only
def test_store_locked_is_503_and_changes_nothing(server):
    """Another process holds the database's write lock: the write is answered 503 unavailable
    (not 500, not a hang) once the store gives up, nothing is applied, reads keep working."""
    inc = server.create("before lock", "SEV3")
    before = server.verify()["entries"]
    con = server.db()
    try:
        # the engine may be writing this incident's escalation state: wait for that, then hold
        con.execute("PRAGMA busy_timeout=10000")
        con.execute("BEGIN EXCLUSIVE")
        r = server.request("POST", "/api/v1/incidents", {"title": "during lock", "severity": "SEV1"}, timeout=60,
                           allow_503=True)
        assert r.status == 503, r
        assert r.json["error"]["code"] == "unavailable"
        r = server.request("POST", f"/api/v1/incidents/{inc['id']}/ack", timeout=60, allow_503=True)
        assert r.status == 503, r
        assert server.api("GET", "/healthz", token=None)[0] == 200, "reads still work"
        assert server.get(inc["id"])["status"] == "triggered"
    finally:
        con.execute("ROLLBACK")
        con.close()
    nxt = server.create("after lock", "SEV1")
    if nxt["created_at"][:10] == inc["created_at"][:10]:
        assert nxt["id"][-3:] == "002", "the refused create did not use up an id"
    assert server.get(inc["id"])["status"] == "triggered"
    st, j = server.api("GET", "/api/v1/incidents?status=all")
    assert "during lock" not in [i["title"] for i in j["incidents"]]
    assert server.verify()["entries"] == before + 1
