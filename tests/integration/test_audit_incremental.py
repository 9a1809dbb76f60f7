"""Incremental audit verification (issue 14; docs/security.md "Audit verification"): after a valid
pass the store keeps a checkpoint (the last seq verified, its hash); POST /api/v1/audit/verify
then checks that the entry there still carries that hash and recomputes only the entries after
it; {"full": true} (and a checkpoint whose last full pass is older than
storage.audit_full_every) recomputes the whole chain. The chain is built straight into the
stopped server's store, as test_audit_progress.py does. Both backends."""
import hashlib
import json

import pytest

from tocsin_harness import Server, require_bin

ENTRIES = 3000
MORE = 400


def canonical(seq, at, actor, kind, incident, data):
    return json.dumps([seq, at, actor, kind, incident, data], separators=(",", ":"),
                      ensure_ascii=True)


def entry_hash(prev, seq, at, actor, kind, incident, data):
    return hashlib.sha256((prev + canonical(seq, at, actor, kind, incident, data)).encode()) \
        .hexdigest()


def last_row(con):
    return next(iter(con.execute("SELECT seq, at, hash FROM timeline ORDER BY seq DESC LIMIT 1")))


def append_bulk(s, n):
    """Stops s, appends n valid entries straight into its store, starts it again. Returns the
    seq of the last entry before them and the last seq after them (read from the store, so an
    entry the server itself writes on start is counted too)."""
    s.stop()
    con = s.db()
    try:
        seq, at, prev = last_row(con)
        before = seq
        rows = []
        for i in range(n):
            seq += 1
            data = json.dumps({"i": i}, separators=(",", ":"))
            h = entry_hash(prev, seq, at, "system", "bulk.test", None, data)
            rows.append((seq, at, "system", "bulk.test", None, data, prev, h))
            prev = h
        if con.kind == "sqlite":
            con.execute("BEGIN")
        for k in range(0, len(rows), 500):
            chunk = rows[k:k + 500]
            con.execute("INSERT INTO timeline(seq, at, actor, kind, incident_id, data, prev_hash, "
                        "hash) VALUES " + ",".join(["(?,?,?,?,?,?,?,?)"] * len(chunk)),
                        [v for row in chunk for v in row])
        if con.kind == "sqlite":
            con.execute("COMMIT")
    finally:
        con.close()
    s.start()
    return before, db_last(s)


def db_last(s):
    con = s.db()
    try:
        return last_row(con)[0]
    finally:
        con.close()


def verify(s, full=None):
    st, j = s.api("POST", "/api/v1/audit/verify", None if full is None else {"full": full})
    assert st == 200, (st, j)
    return j


def set_data(s, seq, data):
    s.drop_timeline_triggers()
    con = s.db()
    try:
        assert con.execute("UPDATE timeline SET data=? WHERE seq=?", (data, seq)).rowcount == 1
    finally:
        con.close()


def rewrite_from(s, seq, data):
    """Changes entry seq's data and recomputes its hash and every later entry's prev_hash and
    hash: the chain is valid again from the genesis (what someone with write access to the
    database file and the code can do)."""
    s.drop_timeline_triggers()
    con = s.db()
    try:
        prev = next(iter(con.execute("SELECT prev_hash FROM timeline WHERE seq=?", (seq,))))[0]
        rows = list(con.execute("SELECT seq, at, actor, kind, incident_id, data FROM timeline "
                                "WHERE seq >= ? ORDER BY seq", (seq,)))
        if con.kind == "sqlite":
            con.execute("BEGIN")
        for (q, at, actor, kind, inc, d) in rows:
            if q == seq:
                d = data
            h = entry_hash(prev, q, at, actor, kind, inc, d)
            con.execute("UPDATE timeline SET data=?, prev_hash=?, hash=? WHERE seq=?",
                        (d, prev, h, q))
            prev = h
        if con.kind == "sqlite":
            con.execute("COMMIT")
    finally:
        con.close()


@pytest.fixture
def chain(make_server):
    """A server (dev clock) whose chain holds a few thousand entries, one full pass done."""
    require_bin()
    s = make_server(dev_clock=True)
    s.create("before the bulk entries")
    _, last = append_bulk(s, ENTRIES)
    v = verify(s, full=True)
    assert v["valid"] is True and v["mode"] == "full", v
    assert v["from_seq"] == 1 and v["checked"] == v["entries"] == last, v
    return s, last


def test_incremental_checks_only_the_new_entries(chain):
    s, cp = chain
    before, last = append_bulk(s, MORE)
    assert before >= cp and last - cp >= MORE
    v = verify(s)
    assert v["valid"] is True and v["mode"] == "incremental", v
    assert v["from_seq"] == cp + 1 and v["checked"] == last - cp, (v, cp, last)
    assert v["entries"] == last and v["first_break_at"] is None, v
    con = s.db()
    try:
        assert v["head"] == last_row(con)[2]
    finally:
        con.close()
    # nothing new: nothing recomputed, the checkpoint already at the head
    v = verify(s)
    assert v["mode"] == "incremental" and v["checked"] == 0 and v["from_seq"] == last + 1, v
    assert v["valid"] is True and v["entries"] == last, v
    # progress shows the last pass's kind
    st, p = s.api("GET", "/api/v1/audit/verify")
    assert st == 200 and p["last"]["mode"] == "incremental" and p["last"]["checked"] == 0, p
    # the CLI says which kind ran; --full recomputes everything
    p = s.cli("audit", "verify")
    assert p.returncode == 0 and "incremental pass: 0 checked" in p.stdout, (p.stdout, p.stderr)
    p = s.cli("audit", "verify", "--full", "--json")
    assert p.returncode == 0, (p.stdout, p.stderr)
    j = json.loads(p.stdout)
    assert j["mode"] == "full" and j["from_seq"] == 1 and j["checked"] == j["entries"] >= last, j
    # bad input names the field
    st, j = s.api("POST", "/api/v1/audit/verify", {"full": "yes"})
    assert st == 400 and "full" in j["error"]["message"], (st, j)
    st, j = s.api("POST", "/api/v1/audit/verify", {"fast": True})
    assert st == 400 and "fast" in j["error"]["message"], (st, j)


def test_a_full_pass_runs_by_itself_when_the_last_is_older_than_audit_full_every(chain):
    s, _ = chain
    s.advance("6d")
    assert verify(s)["mode"] == "incremental"
    s.advance("1d")  # 7 d (the default) since the full pass of the fixture
    v = verify(s)
    assert v["mode"] == "full" and v["valid"] is True and v["from_seq"] == 1, v
    assert v["checked"] == v["entries"], v
    assert verify(s)["mode"] == "incremental", "the full pass renewed the checkpoint"


def test_tamper_after_the_checkpoint_is_found_and_the_checkpoint_stays(chain):
    s, cp = chain
    _, last = append_bulk(s, MORE)
    bad = cp + MORE // 2
    set_data(s, bad, '{"tampered":true}')
    s.expect_chain_valid = False
    for _ in range(2):  # a broken chain never moves the checkpoint forward
        v = verify(s)
        assert v["valid"] is False and v["first_break_at"] == bad, v
        assert v["mode"] == "incremental" and v["from_seq"] == cp + 1, v
        assert v["checkpoint_mismatch"] is False, v
    v = verify(s, full=True)
    assert v["valid"] is False and v["first_break_at"] == bad and v["mode"] == "full", v
    # the failed full pass cleared the checkpoint: the next default pass is a full one
    v = verify(s)
    assert v["mode"] == "full" and v["valid"] is False and v["first_break_at"] == bad, v


def test_a_rewritten_prefix_is_caught_by_the_checkpoint_hash(chain):
    s, cp = chain
    bad = cp // 2
    rewrite_from(s, bad, '{"rewritten":true}')
    s.expect_chain_valid = False
    v = verify(s)
    assert v["valid"] is False and v["mode"] == "incremental", v
    assert v["checkpoint_mismatch"] is True and v["first_break_at"] == cp, v
    assert str(cp) in v["error"], v
    p = s.cli("audit", "verify")
    assert p.returncode == 1 and f"BROKEN at seq {cp}" in p.stdout, (p.stdout, p.stderr)
    # from the genesis the rewritten chain is consistent: only the checkpoint shows the change,
    # and a full pass reports it too (then clears the checkpoint, as every failed full pass)
    v = verify(s, full=True)
    assert v["valid"] is False and v["checkpoint_mismatch"] is True, v
    assert v["first_break_at"] == cp and v["mode"] == "full", v


def test_a_prefix_edit_that_left_hashes_alone_needs_a_full_pass(chain):
    s, cp = chain
    bad = cp // 3
    set_data(s, bad, '{"tampered":true}')
    s.expect_chain_valid = False
    v = verify(s)
    # the documented limit: an incremental pass trusts the rows before the checkpoint
    assert v["valid"] is True and v["mode"] == "incremental" and v["checked"] == 0, v
    v = verify(s, full=True)
    assert v["valid"] is False and v["first_break_at"] == bad and v["mode"] == "full", v
    assert v["checkpoint_mismatch"] is False, v
