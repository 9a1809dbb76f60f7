"""`roles[].backup_after` (docs/config.md "Roles filled on declare"; issue 16): a role filled
automatically from its primary moves to the backup, once, when the incident is still
unacknowledged that long after; an acknowledged incident and a role a person assigned keep
their holder."""
import pytest

from chat_fakes import wait_for
from conftest import _teardown_all
from tocsin_harness import FIXTURE_CONFIG, Server, require_bin

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
