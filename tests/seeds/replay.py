"""The replay: one example config, one server on the dev clock pinned to REPLAY_AT (Wednesday
2099-06-17 17:00 UTC: 10:00 in Los Angeles, 13:00 in New York, 19:00 in Berlin; no rotation hands
off in the 4 hours that follow and Alchemorsel's business hours are on, so who is on call is
fixed for the whole replay), one incident per (severity, scenario), and the
clock moved one minute at a time through the horizon. A page is a notify.queued timeline entry of
kind "page" (one per user per moment: steps due together are merged); its minute is counted from
the incident's creation. Scenario "never": nobody acknowledges. Scenario "ack3": acknowledged
at +3 min.

A matrix (the expected table) maps (severity, scenario) to rows (minute, user, method, source),
where `source` cites the seed's line (or says why the config differs from the seed). The
comparison is exact: nobody early, nobody late (the clock moves a minute at a time and the page
is stamped at the engine's look: a page due at minute m is stamped at m), nobody extra, nobody
paged twice at one moment."""
import os

from tocsin_harness import parse_duration, parse_time

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
EXAMPLES = os.environ.get("TOCSIN_EXAMPLES", os.path.join(ROOT, "examples"))
REPLAY_AT = "2099-06-17T17:00:00Z"
SCENARIOS = ("never", "ack3")


def example(name):
    with open(os.path.join(EXAMPLES, f"{name}.yaml")) as f:
        return f.read()


def minute_of(at, looks):
    """The first look k whose stamp is at or after `at` (None: beyond the replay)."""
    return next((k for k, t in enumerate(looks) if at <= t), None)


def pages_of(server, iid, looks):
    """looks[k]: the server's now after the look of minute k (the dev clock is the wall clock
    plus the offset the test adds, so the stamps also carry the test's own running time; the
    minute of a page is the look that made it: the first k with stamp <= looks[k]). A user's
    contact rule with a delay (notify.queued `timing`/`after`) counts at the minute its method is
    due; a delayed method cancelled before it was tried (the incident acknowledged meanwhile)
    is not a page (a page tried and cancelled later still counts: the replay's gateways do not
    listen, so pages are retried until the ack), and one due beyond the replay is not counted."""
    out = []
    for e in server.timeline(iid):
        if e["kind"] != "notify.queued" or e["data"].get("kind") != "page":
            continue
        minute = minute_of(parse_time(e["at"]), looks)
        d = e["data"]
        timing = d.get("timing") or [{"method": m, "after": d.get("after", "0s")}
                                     for m in d["methods"]]
        for t in timing:
            late = minute + int(parse_duration(t["after"]) // 60)
            if late < len(looks):
                out.append((late, d["user"], t["method"]))
    st, j = server.api("GET", f"/api/v1/incidents/{iid}/notifications")
    assert st == 200, (st, j)
    for n in j["notifications"]:
        delayed = parse_time(n["due_at"]) > parse_time(n["created_at"])
        if n["kind"] == "page" and n["status"] == "cancelled" and delayed and not n["attempts"]:
            at = minute_of(parse_time(n["due_at"]), looks)
            if (at, n["user"], n["method"]) in out:
                out.remove((at, n["user"], n["method"]))
    return sorted(out)


def replay(make_server, name, severities, horizon=240, declare=None):
    """{(severity, scenario): sorted [(minute, user, method)]}; declare: extra fields of
    POST /api/v1/incidents (service, type, drill)."""
    s = make_server(dev_clock=True, config_text=example(name))
    s.pin_clock(REPLAY_AT)
    incs = {}
    for sev in severities:
        for sc in SCENARIOS:
            incs[(sev, sc)] = s.create(f"{name} {sev} {sc}", sev, **(declare or {}))
    looks = [parse_time(s.advance("0s"))]  # the first look (declaring kicks the engine)
    for minute in range(1, horizon + 1):
        looks.append(parse_time(s.advance("1m")))
        if minute == 3:
            for (sev, sc), inc in incs.items():
                if sc == "ack3":
                    st, j = s.api("POST", f"/api/v1/incidents/{inc['id']}/ack")
                    assert st == 200, (st, j)
    return s, {k: pages_of(s, inc["id"], looks) for k, inc in incs.items()}


def expected(matrix):
    """The matrix's rows without their sources, sorted like pages_of."""
    return {k: sorted((m, u, meth) for (m, u, meth, _src) in rows) for k, rows in matrix.items()}


def diff(got, want):
    """Readable differences, per (severity, scenario)."""
    lines = []
    for k in sorted(set(got) | set(want)):
        g, w = got.get(k, []), want.get(k, [])
        if g != w:
            extra = [x for x in g if x not in w]
            missing = [x for x in w if x not in g]
            lines.append(f"{k}: extra {extra} missing {missing}")
        dup = {x for x in g if g.count(x) > 1}
        if dup:
            lines.append(f"{k}: paged twice at one moment {sorted(dup)}")
    return "\n".join(lines)


def table(result):
    """A printable table (the report's before/after)."""
    lines = []
    for k in sorted(result):
        lines.append(f"{k[0]} {k[1]}: " + ", ".join(f"{m}m {u} {meth}" for m, u, meth in result[k]))
    return "\n".join(lines)


def rows(minute, users, methods, src):
    """Matrix rows: every user (space-separated) by every method, at minute, citing src."""
    return [(minute, u, m, src) for u in users.split() for m in methods.split()]


def check(make_server, name, severities, matrix, declare=None):
    """Replays and compares with the matrix (asserts); returns the server for further checks."""
    s, got = replay(make_server, name, severities, declare=declare)
    what = f"{name} {declare or ''}"
    if os.environ.get("TOCSIN_REPLAY_TABLES"):  # the report's tables (see the note's command)
        with open(os.environ["TOCSIN_REPLAY_TABLES"], "a") as f:
            f.write(f"## {what}\n{table(got)}\n\n")
    want = expected(matrix)
    problems = diff(got, want)
    assert not problems, f"{what}: the pages differ from the playbook's matrix:\n{problems}\n\n" \
                         f"got:\n{table(got)}"
    return s


def assert_roles_filled(server, want, source_of):
    """Every incident of the replay has the roles `want` ({role: user}) filled on declare by the
    config's `roles:` (issue 16 item 11), each an automatic incident.role_assigned entry from
    source_of[role] (the seed's named role holder, or the schedule the playbook says)."""
    st, j = server.api("GET", "/api/v1/incidents?limit=100")
    assert st == 200 and j["incidents"], (st, j)
    declared = [i for i in j["incidents"] if i["title"].endswith((" never", " ack3"))]
    assert declared, j  # the replay's own (a probe may open others)
    for inc in declared:
        got = {r: u for r, u in inc["roles"].items() if u}
        assert got == want, (inc["title"], got)
        auto = {e["data"]["role"]: e for e in server.timeline(inc["id"])
                if e["kind"] == "incident.role_assigned"}
        for role, user in want.items():
            e = auto[role]
            assert e["actor"] == "tocsin" and e["data"]["automatic"] is True, e
            assert e["data"]["source"] == source_of[role] and e["data"]["user"] == user, e
