"""The tamper-evident timeline (docs/api.md "Audit"): verify, tamper with the store directly (SQLite
or PostgreSQL, through Server.db()), see the break at the right seq; the triggers that forbid
UPDATE/DELETE."""
import json

import pytest

from tocsin_harness import HEX64_RE, hexify


def populate(srv, n=3):
    ids = []
    for i in range(n):
        inc = srv.create(f"audit {i}", "SEV2")
        srv.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
        srv.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": f"note {i}"})
        ids.append(inc["id"])
    return ids


def rows(srv):
    con = srv.db()
    try:
        return [(r[0], hexify(r[1])) for r in con.execute("SELECT seq, hash FROM timeline ORDER BY seq")]
    finally:
        con.close()


def test_verify_valid(server):
    populate(server)
    v = server.verify()
    assert v["valid"] is True
    assert v["first_break_at"] is None
    r = rows(server)
    assert v["entries"] == len(r) and v["entries"] >= 9
    assert HEX64_RE.match(v["head"])
    assert v["head"] == r[-1][1], "head is the hash of the last entry"


def test_head_matches_last_api_entry(server):
    ids = populate(server, 2)
    v = server.verify()
    last = server.timeline(ids[-1])[-1]
    assert v["head"] == last["hash"]


def test_entries_grow_by_one_per_change(server):
    inc = server.create("count")
    v0 = server.verify()
    server.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "one more"})
    v1 = server.verify()
    assert v1["entries"] == v0["entries"] + 1
    assert v1["head"] != v0["head"]


def test_verify_open_to_viewer(server):
    populate(server, 1)
    v = server.verify(token=server.make_token("viewer"))
    assert v["valid"] is True


def test_triggers_forbid_update_and_delete(server):
    populate(server, 2)
    con = server.db()
    try:
        trig = con.triggers("timeline")
        assert trig, "timeline has no triggers"
        seq = con.execute("SELECT seq FROM timeline ORDER BY seq LIMIT 1 OFFSET 1").fetchone()[0]
        before = con.execute("SELECT data FROM timeline WHERE seq=?", (seq,)).fetchone()[0]
        with pytest.raises(con.Error):
            con.execute("UPDATE timeline SET data=? WHERE seq=?", ('{"tampered":true}', seq))
        with pytest.raises(con.Error):
            con.execute("DELETE FROM timeline WHERE seq=?", (seq,))
        with pytest.raises(con.Error):
            con.execute("DELETE FROM timeline")
        assert con.execute("SELECT data FROM timeline WHERE seq=?", (seq,)).fetchone()[0] == before
    finally:
        con.close()
    assert server.verify()["valid"] is True


def middle_seq(srv):
    r = rows(srv)
    assert len(r) >= 5
    return r[len(r) // 2][0], r


def tamper_update(srv, seq):
    srv.drop_timeline_triggers()
    con = srv.db()
    try:
        old = con.execute("SELECT data FROM timeline WHERE seq=?", (seq,)).fetchone()[0]
        if isinstance(old, (bytes, bytearray)):
            new = b'{"tampered":true}'
        else:
            new = '{"tampered":true}'
        assert new != old
        assert con.execute("UPDATE timeline SET data=? WHERE seq=?", (new, seq)).rowcount == 1
    finally:
        con.close()


def test_tamper_update_running_server(server):
    populate(server)
    seq, r = middle_seq(server)
    tamper_update(server, seq)
    server.expect_chain_valid = False
    v = server.verify()
    assert v["valid"] is False
    assert v["first_break_at"] == seq, v
    assert v["entries"] == len(r)
    p = server.cli("audit", "verify")
    assert p.returncode == 1, (p.returncode, p.stdout, p.stderr)
    p = server.cli("audit", "verify", "--json")
    assert p.returncode == 1
    j = json.loads(p.stdout)
    assert j["valid"] is False and j["first_break_at"] == seq


def test_tamper_update_stopped_server(server):
    populate(server)
    seq, r = middle_seq(server)
    server.stop()
    tamper_update(server, seq)
    server.expect_chain_valid = False
    server.start()
    v = server.verify()
    assert v["valid"] is False and v["first_break_at"] == seq, v


def test_tamper_other_columns(server):
    populate(server)
    seq, r = middle_seq(server)
    server.drop_timeline_triggers()
    server.expect_chain_valid = False
    con = server.db()
    try:
        con.execute("UPDATE timeline SET actor='token:mallory' WHERE seq=?", (seq,))
    finally:
        con.close()
    v = server.verify()
    assert v["valid"] is False and v["first_break_at"] == seq, v


def test_tamper_delete_middle_row(server):
    populate(server)
    seq, r = middle_seq(server)
    following = r[[x[0] for x in r].index(seq) + 1][0]
    server.drop_timeline_triggers()
    server.expect_chain_valid = False
    con = server.db()
    try:
        con.execute("DELETE FROM timeline WHERE seq=?", (seq,))
    finally:
        con.close()
    v = server.verify()
    assert v["valid"] is False
    assert v["first_break_at"] == following, f"deleting seq {seq} breaks at {following}: {v}"
    assert server.cli("audit", "verify").returncode == 1


def test_tamper_recomputed_hash_still_breaks_next(server):
    """Changing a row's data and its own stored hash to anything still breaks the link to the next row."""
    populate(server)
    seq, r = middle_seq(server)
    server.drop_timeline_triggers()
    server.expect_chain_valid = False
    con = server.db()
    try:
        old = con.execute("SELECT hash FROM timeline WHERE seq=?", (seq,)).fetchone()[0]
        fake = "ab" * 32
        con.execute("UPDATE timeline SET hash=? WHERE seq=?",
                    (bytes.fromhex(fake) if isinstance(old, (bytes, bytearray)) else fake, seq))
    finally:
        con.close()
    v = server.verify()
    assert v["valid"] is False and v["first_break_at"] in (seq, seq + 1), v


def test_verify_cli_valid(server):
    populate(server, 1)
    p = server.cli("audit", "verify")
    assert p.returncode == 0, (p.stdout, p.stderr)
    p = server.cli("audit", "verify", "--json")
    assert p.returncode == 0
    j = json.loads(p.stdout)
    assert j["valid"] is True and j["entries"] == server.verify()["entries"]


def tamper_seq(srv, seq):
    srv.drop_timeline_triggers()
    srv.expect_chain_valid = False
    con = srv.db()
    try:
        con.execute("UPDATE timeline SET data=? WHERE seq=?", ('{"tampered":true}', seq))
    finally:
        con.close()


def test_tamper_first_and_last(server):
    populate(server, 2)
    r = rows(server)
    tamper_seq(server, r[-1][0])
    v = server.verify()
    assert v["valid"] is False and v["first_break_at"] == r[-1][0], v
    tamper_seq(server, r[0][0])
    v = server.verify()
    assert v["valid"] is False and v["first_break_at"] == r[0][0], "the first break is reported"


def test_truncation_keeps_chain_valid_but_moves_head(server):
    """Deleting the newest rows not yet verified leaves a valid shorter chain; only a head kept
    elsewhere shows it. Cutting the chain at or below the audit checkpoint (the last entry a
    valid pass verified) is caught by it (docs/security.md "Audit verification")."""
    populate(server, 2)
    v0 = server.verify()
    server.create("after the checkpoint")
    v1 = server.verify(token=server.make_token("viewer"))  # keeps the checkpoint at v1's head
    server.create("not verified yet")
    r = rows(server)
    assert len(r) > v1["entries"]
    server.drop_timeline_triggers()
    con = server.db()
    try:
        con.execute("DELETE FROM timeline WHERE seq=?", (r[-1][0],))
    finally:
        con.close()
    v = server.verify()
    assert v["valid"] is True and v["entries"] == len(r) - 1
    assert v["head"] == r[-2][1] and v["head"] != r[-1][1]
    # cut below the checkpoint: the entry it remembers is gone
    cp = v["entries"]
    server.expect_chain_valid = False
    con = server.db()
    try:
        con.execute("DELETE FROM timeline WHERE seq>=?", (v0["entries"],))
    finally:
        con.close()
    v = server.verify()
    assert v["valid"] is False and v["checkpoint_mismatch"] is True, v
    assert v["first_break_at"] == cp and v["mode"] == "incremental", v


def test_forged_row_breaks(server):
    populate(server, 2)
    r = rows(server)
    server.drop_timeline_triggers()
    server.expect_chain_valid = False
    con = server.db()
    try:
        cols = con.columns("timeline")
        last = dict(zip(cols, con.execute("SELECT * FROM timeline WHERE seq=?", (r[-1][0],)).fetchone()))
        last["seq"] = r[-1][0] + 1
        last["data"] = '{"text":"forged"}' if not isinstance(last["data"], bytes) else b'{"text":"forged"}'
        # a forger who copies the previous link but cannot recompute the hash
        con.execute(f"INSERT INTO timeline ({','.join(last)}) VALUES ({','.join('?' * len(last))})", list(last.values()))
    finally:
        con.close()
    v = server.verify()
    assert v["valid"] is False and v["first_break_at"] == r[-1][0] + 1, v


def test_swapped_rows_break(server):
    populate(server, 2)
    r = rows(server)
    a, b = r[2][0], r[3][0]
    server.drop_timeline_triggers()
    server.expect_chain_valid = False
    con = server.db()
    try:
        da = con.execute("SELECT data FROM timeline WHERE seq=?", (a,)).fetchone()[0]
        db_ = con.execute("SELECT data FROM timeline WHERE seq=?", (b,)).fetchone()[0]
        assert da != db_
        con.execute("UPDATE timeline SET data=? WHERE seq=?", (db_, a))
        con.execute("UPDATE timeline SET data=? WHERE seq=?", (da, b))
    finally:
        con.close()
    v = server.verify()
    assert v["valid"] is False and v["first_break_at"] == a, v


def test_writes_after_tamper_keep_break_position(server):
    populate(server, 2)
    seq, r = middle_seq(server)
    tamper_seq(server, seq)
    inc = server.create("after tamper")
    assert server.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "x"})[0] == 201
    v = server.verify()
    assert v["valid"] is False and v["first_break_at"] == seq
    assert v["entries"] == len(r) + 2


def test_empty_timeline_head_is_zeros(server):
    server.drop_timeline_triggers()
    con = server.db()
    try:
        con.execute("DELETE FROM timeline")
    finally:
        con.close()
    v = server.verify()
    assert v == {**v, "valid": True, "entries": 0, "first_break_at": None, "head": "0" * 64}, v
