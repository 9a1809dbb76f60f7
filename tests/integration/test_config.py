"""Configuration: check-config, the read-only config routes, reload by SIGHUP and by API."""
import os
import re
import signal
import subprocess
import time

import pytest

from tocsin_harness import FIXTURE_CONFIG, clean_env, parse_duration, require_bin, run_bin, secs

SEV5 = '  - {id: SEV5, name: Info, description: "Informational", notify: [email]}\n'


def with_sev5(text):
    marker = "users:\n"
    assert marker in text
    return text.replace(marker, SEV5 + marker, 1)


def poll(fn, tries=400, delay=0.05):
    """Bounded polling for an asynchronous effect (a signal being handled); not a deadline wait."""
    for _ in range(tries):
        v = fn()
        if v:
            return v
        time.sleep(delay)
    return fn()


# --- check-config -----------------------------------------------------------------------------

def test_check_config_valid_fixture():
    p = run_bin("check-config", FIXTURE_CONFIG)
    assert p.returncode == 0, p.stderr


def test_check_config_valid_examples():
    ex = os.path.join(os.path.dirname(FIXTURE_CONFIG), "..", "..", "..", "examples")
    assert os.path.isdir(ex), f"{ex}: the examples are part of the repository"
    files = sorted(f for f in os.listdir(ex) if f.endswith((".yaml", ".yml")))
    assert files, f"{ex}: no example configs (a missing examples/ fails, it is not skipped)"
    for f in files:
        p = run_bin("check-config", os.path.join(ex, f))
        assert p.returncode == 0, f"examples/{f}: {p.stderr}"


def write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text)
    return str(path)


def line_of(text, needle):
    for i, line in enumerate(text.splitlines(), 1):
        if needle in line:
            return i
    raise AssertionError(needle)


def test_check_config_unknown_key(tmp_path):
    text = open(FIXTURE_CONFIG).read().replace("services:\n", "services:\n  - {id: web, name: Web, colour: blue}\n", 1)
    path = write(tmp_path, "unknown.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1, (p.returncode, p.stderr)
    ln = line_of(text, "colour: blue")
    assert f"{path}:{ln}:" in p.stderr, p.stderr
    assert "colour" in p.stderr


def test_check_config_unknown_top_level_key(tmp_path):
    text = open(FIXTURE_CONFIG).read() + "sevrities: []\n"
    path = write(tmp_path, "top.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1
    assert f"{path}:{line_of(text, 'sevrities')}:" in p.stderr, p.stderr
    assert "sevrities" in p.stderr


def test_check_config_bad_duration(tmp_path):
    text = open(FIXTURE_CONFIG).read().replace("ack_within: 30m", "ack_within: 30 minutes", 1)
    path = write(tmp_path, "dur.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1
    assert f"{path}:{line_of(text, '30 minutes')}:" in p.stderr, p.stderr


def test_check_config_reports_every_error(tmp_path):
    text = open(FIXTURE_CONFIG).read()
    text = text.replace("ack_within: 1h,", "ack_within: 1x,", 1)
    text = text.replace("- {id: db, name: Database}", "- {id: db, name: Database, owner: dba}", 1)
    path = write(tmp_path, "two.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1
    lines = [l for l in p.stderr.splitlines() if l.startswith(path + ":")]
    assert any(l.startswith(f"{path}:{line_of(text, '1x,')}:") for l in lines), p.stderr
    assert any(l.startswith(f"{path}:{line_of(text, 'owner: dba')}:") for l in lines), p.stderr


def test_check_config_duplicate_id(tmp_path):
    text = open(FIXTURE_CONFIG).read()
    text = text.replace("  - {id: alice,", "  - {id: bob,", 1)  # duplicate id
    path = write(tmp_path, "dup.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1
    assert re.search(re.escape(path) + r":\d+: .*bob", p.stderr), p.stderr


def test_check_config_unknown_severity_in_list_item(tmp_path):
    text = open(FIXTURE_CONFIG).read().replace("notify: [email]}", "notify: [email], colour: red}", 1)
    path = write(tmp_path, "sev.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1
    assert f"{path}:{line_of(text, 'colour: red')}:" in p.stderr, p.stderr


@pytest.mark.parametrize("text", ["severities: [\n", "severities: []\n", "", "just a string\n", "- a\n- b\n"])
def test_check_config_broken_files(tmp_path, text):
    path = write(tmp_path, "broken.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1, (text, p.returncode, p.stderr)
    assert path in p.stderr


def test_check_config_missing_file(tmp_path):
    p = run_bin("check-config", str(tmp_path / "nope.yaml"))
    assert p.returncode == 1
    assert "nope.yaml" in p.stderr


def test_check_config_usage():
    p = run_bin("check-config")
    assert p.returncode == 2


def test_serve_refuses_invalid_config(tmp_path):
    path = write(tmp_path, "bad.yaml", "severities: [{id: SEV1, bogus: 1}]\n")
    data = tmp_path / "data"
    data.mkdir()
    p = subprocess.run([require_bin(), "serve", "--config", path, "--data", str(data), "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, env=clean_env(), timeout=60, stdin=subprocess.DEVNULL)
    assert p.returncode != 0
    assert f"{path}:1:" in p.stderr, p.stderr


# --- config routes ----------------------------------------------------------------------------

def test_get_severities(server):
    st, j = server.api("GET", "/api/v1/severities")
    assert st == 200
    sev = {s["id"]: s for s in j["severities"]}
    assert [s["id"] for s in j["severities"]] == ["SEV1", "SEV2", "SEV3", "SEV4"]
    s1 = sev["SEV1"]
    assert s1["name"] == "Critical" and s1["description"] == "Complete outage" and s1["rank"] == 1
    assert parse_duration(s1["ack_within"]) == 900
    assert parse_duration(s1["resolve_within"]) == 3600
    assert parse_duration(s1["update_every"]) == 1800
    assert s1["notify"] == ["sms", "email", "slack"]
    assert s1["postmortem"]["required"] is True and parse_duration(s1["postmortem"]["due"]) == 48 * 3600
    assert s1["ack_within"] == "15m", "durations as strings like \"15m\""
    s3 = sev["SEV3"]
    assert parse_duration(s3["resolve_within"]) == 86400
    assert s3["update_every"] is None
    assert s3["postmortem"]["required"] is False
    s4 = sev["SEV4"]
    assert s4["ack_within"] is None and s4["resolve_within"] is None and s4["update_every"] is None
    assert s4["rank"] == 4


def test_get_users(server):
    st, j = server.api("GET", "/api/v1/users")
    assert st == 200
    users = {u["id"]: u for u in j["users"]}
    assert set(users) == {"alice", "bob", "carol"}
    assert users["alice"] == {**users["alice"], "name": "Alice", "email": "alice@example.com", "phone": "+15550101"}


def test_get_services(server):
    st, j = server.api("GET", "/api/v1/services")
    assert st == 200
    assert {s["id"]: s["name"] for s in j["services"]} == {"api": "API Gateway", "db": "Database"}


def test_get_incident_types(server):
    st, j = server.api("GET", "/api/v1/incident_types")
    assert st == 200
    assert [t["id"] for t in j["incident_types"]] == ["security"]
    assert j["incident_types"][0]["name"] == "Security"


def test_config_routes_readable_by_viewer(server):
    v = server.make_token("viewer")
    for path in ("/api/v1/severities", "/api/v1/users", "/api/v1/services", "/api/v1/incident_types"):
        assert server.api("GET", path, token=v)[0] == 200, path


# --- reload -----------------------------------------------------------------------------------

def severity_ids(srv):
    st, j = srv.api("GET", "/api/v1/severities")
    assert st == 200
    return [s["id"] for s in j["severities"]]


def reload_entries(srv):
    con = srv.db()
    try:
        return con.execute("SELECT count(*) FROM timeline WHERE kind='config.reloaded'").fetchone()[0]
    finally:
        con.close()


def test_reload_api_valid(server):
    n0 = reload_entries(server)
    server.write_config(with_sev5(server.fixture_text()))
    st, j = server.api("POST", "/api/v1/config/reload")
    assert st == 200 and j == {"reloaded": True}, j
    assert "SEV5" in severity_ids(server), "the reload is synchronous"
    inc = server.create("new severity", "SEV5")
    assert inc["severity"] == "SEV5" and inc["sla"]["ack_due"] is None
    assert reload_entries(server) == n0 + 1, "config.reloaded on the timeline"
    assert server.verify()["valid"] is True


def test_reload_api_invalid_keeps_old(server):
    server.write_config(server.fixture_text() + "bogus_key: 1\n")
    st, j = server.api("POST", "/api/v1/config/reload")
    assert st == 422, (st, j)
    assert "bogus_key" in j["error"]["message"]
    assert severity_ids(server) == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert server.create("still works", "SEV1")["severity"] == "SEV1"
    assert reload_entries(server) == 0


def log_count(srv, needle):
    """How many lines of the running server's stderr log contain needle."""
    return sum(needle in line for line in srv.stderr_text().splitlines())


def refused(srv):
    return log_count(srv, f"config: reload of {srv.config_path} refused")


def test_reload_sighup_valid(server):
    n0 = reload_entries(server)
    server.write_config(with_sev5(server.fixture_text()))
    server.signal(signal.SIGHUP)
    assert poll(lambda: reload_entries(server) == n0 + 1), "no config.reloaded entry after SIGHUP"
    # the reload is recorded, then swapped in (app.c: a reload that cannot be recorded is not
    # applied): the signal is handled on its own thread, so the swap may follow a moment later
    assert poll(lambda: "SEV5" in severity_ids(server)), \
        "SIGHUP recorded a reload but did not load the new severity"
    con = server.db()
    try:
        actor = con.execute("SELECT actor FROM timeline WHERE kind='config.reloaded'").fetchone()[0]
    finally:
        con.close()
    assert actor == "system"
    assert server.create("after SIGHUP", "SEV5")["severity"] == "SEV5"
    assert server.alive()


def test_reload_sighup_invalid_then_valid(server):
    server.write_config("severities: [ {id: SEV1, ack_within: soon} \n")  # broken YAML
    server.signal(signal.SIGHUP)
    assert poll(lambda: refused(server) == 1), \
        f"the SIGHUP with a broken file was not handled (no refusal logged):\n{server.stderr_text()[-2000:]}"
    # handled and refused: the old config is still the one answering, nothing recorded
    assert severity_ids(server) == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert reload_entries(server) == 0
    server.create("during bad config", "SEV4")
    server.write_config(with_sev5(server.fixture_text()))
    server.signal(signal.SIGHUP)
    assert poll(lambda: reload_entries(server) == 1), "the valid SIGHUP after a refused one was not recorded"
    assert poll(lambda: "SEV5" in severity_ids(server))  # recorded, then swapped in
    assert refused(server) == 1
    assert server.alive()


def test_reload_changes_sla_of_open_incidents(server):
    inc = server.create("policy change", "SEV1")
    server.write_config(server.fixture_text().replace("ack_within: 15m", "ack_within: 5m", 1))
    assert server.api("POST", "/api/v1/config/reload")[0] == 200
    got = server.get(inc["id"])
    assert secs(got["created_at"], got["sla"]["ack_due"]) == 300, "sla uses the policy loaded at request time"


def test_reload_removing_users_keeps_old_incidents_readable(server):
    inc = server.create("carol's", "SEV3")
    assert server.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/scribe", {"user": "carol"})[0] == 200
    text = server.fixture_text().replace('  - {id: carol, name: Carol, email: carol@example.com, phone: "+15550103"}\n', "")
    assert "carol" not in text
    server.write_config(text)
    assert server.api("POST", "/api/v1/config/reload")[0] == 200
    got = server.get(inc["id"])
    assert got["roles"]["scribe"] == "carol"
    st, j = server.api("PUT", f"/api/v1/incidents/{inc['id']}/roles/tech_lead", {"user": "carol"})
    assert st == 422


def test_sighup_with_missing_file_keeps_old(server):
    os.remove(server.config_path)
    server.signal(signal.SIGHUP)
    assert poll(lambda: refused(server) == 1), \
        f"the SIGHUP with no config file was not handled (no refusal logged):\n{server.stderr_text()[-2000:]}"
    assert severity_ids(server) == ["SEV1", "SEV2", "SEV3", "SEV4"]
    assert reload_entries(server) == 0
    st, j = server.api("POST", "/api/v1/config/reload")
    assert st == 422, (st, j)
    assert refused(server) == 2
    assert server.alive()
    server.write_config(server.fixture_text())


def test_many_sighups(server):
    server.write_config(with_sev5(server.fixture_text()))
    for _ in range(20):
        server.signal(signal.SIGHUP)
    # Signals that arrive while one is pending coalesce: at least one reload, at most 20, each
    # one recorded, none refused.
    assert poll(lambda: reload_entries(server) >= 1), "20 SIGHUPs and no config.reloaded entry"
    assert poll(lambda: "SEV5" in severity_ids(server))  # recorded, then swapped in (above)
    assert poll(lambda: log_count(server, "config: SIGHUP, reloading") == reload_entries(server)), \
        (log_count(server, "config: SIGHUP, reloading"), reload_entries(server))
    assert 1 <= reload_entries(server) <= 20 and refused(server) == 0
    assert server.alive()
    assert server.verify()["valid"] is True


def test_sigterm_exits_cleanly(server):
    server.create("x")
    server.stop()
    assert server.exit_codes[-1] == 0, f"exit code after SIGTERM: {server.exit_codes[-1]}"
    server.start()


def test_check_config_duplicate_map_key(tmp_path):
    text = open(FIXTURE_CONFIG).read().replace("- {id: api, name: API Gateway}", "- {id: api, name: API Gateway, name: Other}", 1)
    path = write(tmp_path, "dupkey.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1
    assert f"{path}:{line_of(text, 'name: Other')}:" in p.stderr and "name" in p.stderr, p.stderr


def test_check_config_yes_is_not_boolean(tmp_path):
    text = open(FIXTURE_CONFIG).read().replace("postmortem: {required: false}", "postmortem: {required: no}", 1)
    path = write(tmp_path, "bool.yaml", text)
    p = run_bin("check-config", path)
    assert p.returncode == 1
    assert f"{path}:{line_of(text, 'required: no')}:" in p.stderr, p.stderr


def test_check_config_errors_sorted_by_line(tmp_path):
    text = open(FIXTURE_CONFIG).read()
    text = text.replace("- {id: db, name: Database}", "- {id: db, name: Database, owner: dba}", 1)
    text = text.replace("ack_within: 15m,", "ack_within: 15x,", 1)
    path = write(tmp_path, "sorted.yaml", text)
    p = run_bin("check-config", path)
    nums = [int(l[len(path) + 1:].split(":")[0]) for l in p.stderr.splitlines() if l.startswith(path + ":")]
    assert len(nums) >= 2 and nums == sorted(nums), p.stderr


def test_reload_api_lists_every_error(server):
    text = server.fixture_text().replace("ack_within: 15m,", "ack_within: 15x,", 1) + "bogus_key: 1\n"
    server.write_config(text)
    st, j = server.api("POST", "/api/v1/config/reload")
    assert st == 422
    errs = j["error"].get("errors")
    assert isinstance(errs, list) and len(errs) >= 2, j
    assert any("15x" in e for e in errs) and any("bogus_key" in e for e in errs), errs


def test_max_body_from_config(make_server):
    text = open(FIXTURE_CONFIG).read().replace('server: {listen: "127.0.0.1:8080"}',
                                               'server: {listen: "127.0.0.1:8080", max_body: 2MiB}', 1)
    srv = make_server(config_text=text)
    big = {"title": "x", "severity": "SEV3", "summary": "a" * (1536 * 1024)}
    st, j = srv.api("POST", "/api/v1/incidents", big)
    assert st == 400, "1.5 MiB is under a 2 MiB max_body: judged on content (summary too long)"
    big["summary"] = "a" * (2 * 1024 * 1024 + 10)
    st, j = srv.api("POST", "/api/v1/incidents", big)
    assert st == 413
