"""`roles[].backup_after` (docs/config.md "Roles filled on declare"; issue 16): a role filled
automatically from its primary moves to the backup, once, when the incident is still
unacknowledged that long after; an acknowledged incident and a role a person assigned keep
their holder."""
import datetime

import pytest

from chat_fakes import wait_for
from conftest import _teardown_all
from tocsin_harness import FIXTURE_CONFIG, Server, parse_time, require_bin

ROLES = """
roles:
  - {role: commander, primary: "user:alice", backup: "user:carol", backup_after: 10m}
"""


@pytest.fixture(scope="module")
def srv(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("rolesbk"), dev_clock=True,
               config_text=open(FIXTURE_CONFIG).read() + ROLES)
    s.start()
    s.pin_clock("2099-06-15T12:00:00Z")
    yield s
    _teardown_all([s])


def assigned(srv, iid):
    return [e for e in srv.timeline(iid)
            if e["kind"] == "incident.role_assigned" and e["data"]["role"] == "commander"]


def test_backup_takes_the_role_when_nobody_acknowledges(srv):
    late = srv.create("nobody acks", "SEV1")
    acked = srv.create("acked in time", "SEV1")
    manual = srv.create("a person chose", "SEV1")
    for inc in (late, acked, manual):
        assert inc["roles"]["commander"] == "alice", inc["roles"]
    srv.move(acked["id"], "acknowledged")
    st, j = srv.api("PUT", f"/api/v1/incidents/{manual['id']}/roles/commander", {"user": "bob"})
    assert st == 200, (st, j)
    srv.advance("9m")
    assert srv.get(late["id"])["roles"]["commander"] == "alice"  # not yet
    srv.advance("2m")
    wait_for(lambda: srv.get(late["id"])["roles"]["commander"] == "carol")
    last = assigned(srv, late["id"])[-1]
    assert last["actor"] == "tocsin" and last["data"]["automatic"] is True, last
    assert last["data"]["reason"] == "primary did not acknowledge", last
    assert last["data"]["previous"] == "alice" and last["data"]["source"] == "user:carol", last
    assert srv.get(acked["id"])["roles"]["commander"] == "alice"
    assert srv.get(manual["id"])["roles"]["commander"] == "bob"
    # once: later passes move nothing
    srv.advance("30m")
    srv.create("a later one", "SEV1")  # a write the engine sees after the advance
    assert len(assigned(srv, late["id"])) == 2
    assert len(assigned(srv, manual["id"])) == 2 and len(assigned(srv, acked["id"])) == 1


HANDOFF = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV2, name: Major, ack_within: 30m, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
  - {id: bob, name: Bob, email: bob@example.com}
  - {id: carol, name: Carol, email: carol@example.com}
schedules:
  - {id: ic, timezone: UTC, rotation: {every: 1d, handoff: "09:00", users: [alice, bob]}}
services:
  - {id: api, name: API}
roles:
  - {role: commander, primary: "schedule:ic"}
"""


def to_ten(srv):
    """Moves the dev clock to the next 10:00 UTC: clear of schedule ic's 09:00 hand-off."""
    now = parse_time(srv.now())
    nxt = now.replace(hour=10, minute=0, second=0, microsecond=0)
    if nxt <= now:
        nxt += datetime.timedelta(days=1)
    srv.advance(f"{int((nxt - now).total_seconds())}s")


def test_a_schedule_hand_off_moves_the_roles_it_filled(make_server):
    """At the shift change, an open incident whose commander tocsin took from schedule:ic goes to
    the incoming on-call (automatic, reason "schedule hand-off"); one a person assigned stays;
    a resolved one is not touched."""
    srv = make_server(dev_clock=True, config_text=HANDOFF)
    to_ten(srv)
    auto = srv.create("auto filled", "SEV2", service="api")
    chosen = srv.create("a person chose", "SEV2", service="api")
    done = srv.create("resolved before", "SEV2", service="api")
    first = auto["roles"]["commander"]
    assert first in ("alice", "bob") and chosen["roles"]["commander"] == first, auto["roles"]
    st, j = srv.api("PUT", f"/api/v1/incidents/{chosen['id']}/roles/commander", {"user": "carol"})
    assert st == 200, (st, j)
    srv.move(done["id"], "resolved")
    srv.advance("23h1m")  # past the next 09:00: the other one is on call
    other = "bob" if first == "alice" else "alice"
    assert srv.get(auto["id"])["roles"]["commander"] == other
    last = assigned(srv, auto["id"])[-1]
    assert last["actor"] == "tocsin" and last["data"]["automatic"] is True, last
    assert last["data"]["reason"] == "schedule hand-off" and last["data"]["source"] == "schedule:ic"
    assert srv.get(chosen["id"])["roles"]["commander"] == "carol"
    assert srv.get(done["id"])["roles"]["commander"] == first


def test_a_role_a_rule_filled_follows_the_hand_off_and_never_goes_to_a_backup(make_server):
    """A rule's `assign` from schedule:ic: the scribe goes to the incoming on-call at the shift
    change (there is no roles: entry for it: the hand-off still looks), and a roles: entry whose
    primary is the same schedule does not move it to its backup after backup_after (a rule's
    fill has no backup)."""
    text = HANDOFF.replace("  - {id: SEV2, name: Major, ack_within: 30m, notify: [email]}\n",
                           "  - {id: SEV1, name: Critical, notify: [email]}\n"
                           "  - {id: SEV2, name: Major, ack_within: 30m, notify: [email]}\n") + \
        """  - {role: scribe, when: {severity: [SEV1]}, primary: "schedule:ic", backup: "user:carol",
     backup_after: 5m}
rules:
  - {id: scribe-from-ic, when: {severity: [SEV2]}, assign: {scribe: "schedule:ic"}}
"""
    srv = make_server(dev_clock=True, config_text=text)
    to_ten(srv)
    inc = srv.create("scribe by rule", "SEV2", service="api")
    first = inc["roles"]["scribe"]
    assert first in ("alice", "bob"), inc["roles"]
    scribe = [e for e in srv.timeline(inc["id"]) if e["kind"] == "incident.role_assigned" and
              e["data"]["role"] == "scribe"]
    assert len(scribe) == 1 and scribe[0]["data"]["rule"] == "scribe-from-ic", scribe
    st, j = srv.api("PATCH", f"/api/v1/incidents/{inc['id']}", {"severity": "SEV1"})
    assert st == 200, (st, j)
    srv.advance("1m")
    srv.advance("5m")  # past backup_after, still unacknowledged: a rule's fill stays
    assert srv.get(inc["id"])["roles"]["scribe"] == first
    srv.advance("23h")  # past the next 09:00: the other one is on call
    other = "bob" if first == "alice" else "alice"
    assert srv.get(inc["id"])["roles"]["scribe"] == other
    last = [e for e in srv.timeline(inc["id"]) if e["kind"] == "incident.role_assigned" and
            e["data"]["role"] == "scribe"][-1]
    assert last["data"]["reason"] == "schedule hand-off", last
