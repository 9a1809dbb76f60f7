"""Scheduled drills and the review mailed on the 1st with two nodes on one PostgreSQL database
(issue 17): each occurrence starts one drill and each month's review is mailed once, whichever
node gets there first (a claim in the store taken with the declaration / the outbox rows). The
dev clock is shared through the store. Run only by `make integration-pg` (pg_only)."""
import pytest

from test_multinode import Cluster
from tocsin_harness import require_bin

pytestmark = pytest.mark.pg_only

CONFIG = """
server: {listen: "127.0.0.1:8080"}
severities:
  - {id: SEV2, name: Major, ack_within: 15m, notify: [email]}
users:
  - {id: alice, name: Alice, email: alice@example.com}
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [user:alice]}
services:
  - {id: db, name: Database, escalation: default}
drills:
  - id: monthly
    title: "Game day"
    severity: SEV2
    service: db
    schedule: {every: monthly, at: "2099-07-01 00:00", notice: 1h, announce_to: [alice]}
reports:
  mail_to: [alice]
  mail_at: "00:00"
"""


@pytest.fixture
def nodes(tmp_path):
    require_bin()
    c = Cluster(tmp_path, CONFIG, n=2)
    try:
        yield c.start()
    finally:
        c.teardown()


def counts(s):
    con = s.db(readonly=True)
    try:
        q = lambda sql: con.execute(sql).fetchall()[0][0]  # noqa: E731
        return (q("SELECT count(*) FROM timeline WHERE kind = 'drill.started'"),
                q("SELECT count(*) FROM timeline WHERE kind = 'drill.announced'"),
                q("SELECT count(*) FROM timeline WHERE kind = 'report.mailed'"),
                q("SELECT count(*) FROM notifications WHERE dkey = 'report:2099-06'"))
    finally:
        con.close()


def test_two_nodes_start_each_occurrence_and_mail_each_month_once(nodes):
    a, b = nodes.servers
    a.pin_clock("2099-06-30T23:30:00Z")  # the notice (1h before) is due on both nodes
    nodes.sync()
    assert counts(a) == (0, 1, 0, 0)
    b.advance("31m")  # 00:01 on July 1: the drill and June's review, on both nodes at once
    nodes.sync()
    a.advance("1m")
    nodes.sync()
    assert counts(a) == (1, 1, 1, 1)
