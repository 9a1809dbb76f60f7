"""Fixtures for the seed replay suite: the integration harness (tests/integration) is reused as
is, so a server here is started, stopped and checked exactly like one there (make_server, dev
clock, PostgreSQL with TOCSIN_TEST_PG)."""
import importlib.util
import os
import sys

_INTEGRATION = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "integration")
sys.path.insert(0, _INTEGRATION)

_spec = importlib.util.spec_from_file_location("integration_conftest",
                                               os.path.join(_INTEGRATION, "conftest.py"))
_mod = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_mod)

make_server = _mod.make_server
pytest_runtest_setup = _mod.pytest_runtest_setup
