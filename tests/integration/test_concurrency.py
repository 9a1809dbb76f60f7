"""Concurrent requests: ids stay unique and gapless, one move wins a race, the chain stays whole."""
from tocsin_harness import ID_RE, PINNED_DAY, run_threads


def test_concurrent_creates_get_unique_gapless_ids(pinned_server):
    server = pinned_server

    def fn(i):
        return [server.create(f"race {i}-{k}", "SEV4")["id"] for k in range(20)]

    ids = [x for lst in run_threads(8, fn) for x in lst]
    assert len(ids) == 160 and len(set(ids)) == 160, "duplicate incident ids under concurrency"
    assert {ID_RE.match(i).group(1) for i in ids} == {PINNED_DAY}, ids
    nums = sorted(int(ID_RE.match(i).group(2)) for i in ids)
    assert nums == list(range(1, 161)), "the per-day counter has gaps or repeats"
    assert server.verify()["valid"] is True


def test_concurrent_acks_one_wins(server):
    for round_ in range(5):
        inc = server.create(f"ack race {round_}", "SEV1")

        def fn(i, iid=inc["id"]):
            return server.api("POST", f"/api/v1/incidents/{iid}/ack")[0]

        codes = run_threads(8, fn)
        assert sorted(codes) == [200] + [409] * 7, f"exactly one ack wins: {codes}"
        kinds = [e["kind"] for e in server.timeline(inc["id"])]
        assert kinds.count("incident.acknowledged") == 1, kinds


def test_concurrent_close_and_note(server):
    """A note racing a close either lands before the close or is refused; never after it."""
    for round_ in range(5):
        inc = server.create(f"close race {round_}", "SEV3")
        server.move(inc["id"], "resolved")

        def fn(i, iid=inc["id"]):
            if i == 0:
                return ("close", server.status(iid, "closed")[0])
            return ("note", server.api("POST", f"/api/v1/incidents/{iid}/notes", {"text": f"n{i}"})[0])

        res = run_threads(6, fn)
        assert ("close", 200) in res
        entries = server.timeline(inc["id"])
        kinds = [e["kind"] for e in entries]
        assert kinds[-1] == "incident.closed", f"nothing may land after the close: {kinds}"
        notes_ok = sum(1 for what, code in res if what == "note" and code == 201)
        assert kinds.count("incident.note_added") == notes_ok
        assert all(code in (201, 409) for what, code in res if what == "note")


def test_concurrent_mixed_writes_keep_chain(server):
    incs = [server.create(f"mixed {i}", "SEV2")["id"] for i in range(4)]
    before = server.verify()["entries"]

    def fn(i):
        iid = incs[i % 4]
        notes = roles = 0
        for k in range(15):
            st, _ = server.api("POST", f"/api/v1/incidents/{iid}/notes", {"text": f"t{i} {k}"})
            notes += st == 201
            st, _ = server.api("PUT", f"/api/v1/incidents/{iid}/roles/scribe", {"user": ["alice", "bob", "carol"][k % 3]})
            roles += st == 200
        return notes, roles

    res = run_threads(8, fn)
    notes = sum(n for n, _ in res)
    roles = sum(r for _, r in res)
    assert notes == 8 * 15 and roles == 8 * 15
    v = server.verify()
    assert v["valid"] is True
    assert before + notes < v["entries"] <= before + notes + roles
    seqs = [e["seq"] for iid in incs for e in server.timeline(iid)]
    assert len(seqs) == len(set(seqs))
    assert len(seqs) == v["entries"] - (before - 4), "all entries since the declarations belong to these incidents"


def test_reload_under_load(server):
    """Config swaps while requests read it (a use-after-free here shows under ASan)."""
    base = server.fixture_text()
    alt = base.replace("  - {id: SEV4,", '  - {id: SEV5, name: Info, notify: [email]}\n  - {id: SEV4,', 1)
    stop = [False]

    def fn(i):
        n = 0
        if i == 0:
            for k in range(30):
                server.write_config(alt if k % 2 == 0 else base)
                st, j = server.api("POST", "/api/v1/config/reload")
                assert st == 200, (st, j)
            stop[0] = True
            return n
        while not stop[0]:
            if i % 3 == 0:
                st, j = server.api("GET", "/api/v1/severities")
                assert st == 200 and j["severities"][0]["id"] == "SEV1"
            elif i % 3 == 1:
                inc = server.create(f"load {i}", "SEV1")
                assert inc["sla"]["ack_due"] is not None
            else:
                st, j = server.api("GET", "/api/v1/incidents")
                assert st == 200
            n += 1
        return n

    counts = run_threads(6, fn)
    assert sum(counts) > 0
    assert server.alive()
    assert server.verify()["valid"] is True
