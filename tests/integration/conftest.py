"""Fixtures for the integration tests. The harness itself lives in tocsin_harness.py.

- make_server(dev_clock=False, config_text=None, start=True) -> Server: a factory; every server it
  made is stopped at the end of the test (SIGTERM, sanitizer check, and the audit chain must still
  verify unless the test set server.expect_chain_valid = False).
- server: one started server with fixtures/test.yaml.
- clock_server: the same with --dev-clock.
- pinned_server: a clock_server whose dev clock is pinned to tocsin_harness.PINNED_AT (mid-day
  2099-06-15 UTC): for assertions on the UTC day (ids, channels, the per-day counter).
- shared_server: one server per test module, for tests that only read or add independent rows.

With TOCSIN_TEST_PG set (make integration-pg) every server runs on its own PostgreSQL database and
tests marked sqlite_only are skipped (tocsin_harness.py); tests marked pg_only (several nodes on one
database) run only then.
"""
import pytest

from tocsin_harness import Server, on_pg, require_bin


# Under pytest-xdist (make test runs PYTEST_JOBS workers, whole files per worker), the tests that
# load the machine for a minute or more run one after another on one worker: run side by side on
# two cores they starve each other and the servers of every other worker.
HEAVY_TESTS = (
    "test_ingest_durability.py::test_kill9_storm_loses_no_acknowledged_alert",
    "test_ingest_storm.py::test_storm_of_10000_alerts_is_one_incident",
    "test_escalation.py::test_ten_thousand_open_incidents_fire_on_time",
)


@pytest.hookimpl(optionalhook=True)  # without xdist (-p no:xdist) the hook is not declared
def pytest_xdist_make_scheduler(config, log):
    from xdist.scheduler import LoadFileScheduling

    class HeavyTestsTogether(LoadFileScheduling):
        def _split_scope(self, nodeid):
            if nodeid.split("[", 1)[0] in HEAVY_TESTS:
                return "heavy"
            return super()._split_scope(nodeid)

    return HeavyTestsTogether(config, log)


def pytest_runtest_setup(item):
    """sqlite_only tests are about SQLite itself (e.g. its file lock): skipped on PostgreSQL."""
    if on_pg() and item.get_closest_marker("sqlite_only"):
        pytest.skip("sqlite_only: about SQLite itself (the suite runs on PostgreSQL)")
    if not on_pg() and item.get_closest_marker("pg_only"):
        pytest.skip("pg_only: several nodes share a PostgreSQL database (make integration-pg)")


def _teardown_all(servers):
    """Tears every server down even when an earlier one's check or stop raised (anything: an
    assertion, an OSError, pytest.fail's exception); the problems are reported together after
    all of them are stopped."""
    problems = []
    for s in servers:
        try:
            s.teardown()
        except BaseException as e:  # noqa: BLE001 - collected; every server must be stopped
            problems.append(f"{s.root}: {type(e).__name__}: {e}")
    if problems:
        pytest.fail("\n\n".join(problems), pytrace=False)


@pytest.fixture
def make_server(tmp_path):
    require_bin()
    servers = []

    def make(dev_clock=False, config_text=None, start=True):
        s = Server(tmp_path / f"srv{len(servers)}", dev_clock=dev_clock, config_text=config_text)
        servers.append(s)
        if start:
            s.start()
        return s

    yield make
    _teardown_all(servers)


@pytest.fixture
def server(make_server):
    return make_server()


@pytest.fixture
def clock_server(make_server):
    return make_server(dev_clock=True)


@pytest.fixture
def pinned_server(make_server):
    s = make_server(dev_clock=True)
    s.pin_clock()
    return s


@pytest.fixture(scope="module")
def shared_server(tmp_path_factory):
    require_bin()
    s = Server(tmp_path_factory.mktemp("shared"))
    s.start()
    yield s
    _teardown_all([s])
