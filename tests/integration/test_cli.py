"""The client verbs against a real server: the README walk-through, --json output, exit codes
(0 done, 1 refused, 2 usage, 3 unreachable), --help on every verb."""
import json

import pytest

from tocsin_harness import ID_RE, free_port, run_bin

VERBS = ["declare", "list", "show", "ack", "status", "resolve", "close", "reopen", "assign", "note",
         "severity", "timeline", "audit", "token"]


def ok(p):
    assert p.returncode == 0, f"exit {p.returncode}\nstdout: {p.stdout}\nstderr: {p.stderr}"
    return p


def declare(srv, *extra, title="CLI incident", severity="SEV2"):
    p = ok(srv.cli("declare", "--severity", severity, "--title", title, *extra))
    first = p.stdout.splitlines()[0]
    assert ID_RE.match(first), f"declare must print the id alone on line 1: {p.stdout!r}"
    return first


def test_readme_walkthrough(server):
    iid = declare(server, "--service", "api", title="Checkout API 502s", severity="SEV2")
    inc = server.get(iid)
    assert inc["title"] == "Checkout API 502s" and inc["severity"] == "SEV2" and inc["service"] == "api"

    ok(server.cli("ack", iid))
    assert server.get(iid)["status"] == "acknowledged"

    ok(server.cli("assign", iid, "commander", "alice"))
    assert server.get(iid)["roles"]["commander"] == "alice"

    ok(server.cli("status", iid, "investigating", "-m", "Looking at the 502s", "--public"))
    got = server.get(iid)
    assert got["status"] == "investigating"
    assert got["last_public_update_at"] is not None, "--public marks a public status update"
    assert "Looking at the 502s" in json.dumps(server.timeline(iid))

    ok(server.cli("resolve", iid, "-m", "Rolled back the deploy"))
    got = server.get(iid)
    assert got["status"] == "resolved" and got["resolved_at"] is not None
    assert "Rolled back the deploy" in json.dumps(server.timeline(iid))

    p = server.cli("close", iid)
    assert p.returncode == 1, "SEV2 needs a post-mortem: the server refuses (409)"
    assert p.stderr.strip()
    p = server.cli("close", iid, "--postmortem", "https://wiki.example.com/pm/1")
    assert p.returncode == 1 and "postmortem_waiver" in p.stderr, "a link is not a post-mortem"
    ok(server.cli("close", iid, "--postmortem", "https://wiki.example.com/pm/1", "--no-postmortem",
                  "reviewed with the vendor's"))
    got = server.get(iid)
    assert got["status"] == "closed" and got["postmortem"] == "https://wiki.example.com/pm/1"

    p = ok(server.cli("audit", "verify"))
    assert p.stdout.strip()


def test_declare_options(server):
    iid = declare(server, "--service", "db", "--type", "security", "--summary", "disk full", "--drill",
                  title="Disk full", severity="SEV1")
    got = server.get(iid)
    assert got["service"] == "db" and got["type"] == "security"
    assert got["summary"] == "disk full" and got["drill"] is True and got["severity"] == "SEV1"
    iid2 = declare(server, title="No drill", severity="SEV4")
    assert server.get(iid2)["drill"] is False


def test_list_show_timeline_human_and_json(server):
    a = declare(server, title="First incident", severity="SEV3")
    b = declare(server, title="Second incident", severity="SEV1")
    ok(server.cli("resolve", a))

    p = ok(server.cli("list"))
    assert b in p.stdout and a not in p.stdout, "list shows open incidents by default"
    p = ok(server.cli("list", "--all"))
    assert a in p.stdout and b in p.stdout

    j = json.loads(ok(server.cli("list", "--json")).stdout)
    assert [i["id"] for i in j["incidents"]] == [b]
    j = json.loads(ok(server.cli("list", "--all", "--json")).stdout)
    assert [i["id"] for i in j["incidents"]] == [b, a]

    p = ok(server.cli("show", b))
    assert b in p.stdout and "Second incident" in p.stdout
    j = json.loads(ok(server.cli("show", b, "--json")).stdout)
    assert j["id"] == b and j["severity"] == "SEV1" and j["status"] == "triggered"

    p = ok(server.cli("timeline", a))
    assert p.stdout.strip()
    j = json.loads(ok(server.cli("timeline", a, "--json")).stdout)
    kinds = [e["kind"] for e in j["entries"]]
    assert kinds[0] == "incident.declared" and kinds[-1] == "incident.resolved", kinds
    assert all(e["incident_id"] == a for e in j["entries"])


def test_note_severity_reopen_status(server):
    iid = declare(server, severity="SEV3")
    ok(server.cli("note", iid, "checked the dashboards ✓"))
    assert "checked the dashboards ✓" in json.dumps(server.timeline(iid), ensure_ascii=False)
    ok(server.cli("severity", iid, "SEV1"))
    assert server.get(iid)["severity"] == "SEV1"
    ok(server.cli("status", iid, "identified", "-m", "found it"))
    got = server.get(iid)
    assert got["status"] == "identified" and got["last_public_update_at"] is None
    ok(server.cli("resolve", iid))
    ok(server.cli("reopen", iid))
    assert server.get(iid)["status"] == "acknowledged"


def test_assign_clear_and_unknown(server):
    iid = declare(server)
    ok(server.cli("assign", iid, "scribe", "bob"))
    assert server.get(iid)["roles"]["scribe"] == "bob"
    p = server.cli("assign", iid, "scribe", "mallory")
    assert p.returncode == 1 and p.stderr.strip()
    p = server.cli("assign", iid, "janitor", "bob")
    assert p.returncode == 1
    assert server.get(iid)["roles"]["scribe"] == "bob"


def test_token_verbs(server):
    p = ok(server.cli("token", "create", "--name", "cli-responder", "--role", "responder"))
    secret = p.stdout.splitlines()[0]
    assert secret.startswith("tcn_") and secret == secret.strip(), f"token alone on line 1: {p.stdout!r}"
    assert server.create("made by cli token", token=secret)["status"] == "triggered"

    p = ok(server.cli("token", "create", "--name", "cli-viewer", "--role", "viewer"))
    viewer = p.stdout.splitlines()[0]
    st, _ = server.api("POST", "/api/v1/incidents", {"title": "x", "severity": "SEV1"}, token=viewer)
    assert st == 403

    p = ok(server.cli("token", "list"))
    assert "cli-responder" in p.stdout and "cli-viewer" in p.stdout
    assert secret not in p.stdout and viewer not in p.stdout
    j = json.loads(ok(server.cli("token", "list", "--json")).stdout)
    tid = next(t["id"] for t in j["tokens"] if t["name"] == "cli-responder")

    ok(server.cli("token", "revoke", tid))
    assert server.api("GET", "/api/v1/incidents", token=secret)[0] == 401
    p = server.cli("token", "revoke", tid)
    assert p.returncode == 1, "revoking twice is refused (409)"
    p = server.cli("token", "create", "--name", "bad", "--role", "root")
    assert p.returncode == 1


def test_cli_with_non_admin_token(server):
    viewer = server.make_token("viewer")
    p = server.cli("declare", "--severity", "SEV1", "--title", "nope", token=viewer)
    assert p.returncode == 1 and p.stderr.strip()
    p = server.cli("list", token=viewer)
    assert p.returncode == 0
    p = server.cli("token", "create", "--name", "x", "--role", "admin", token=server.make_token("responder"))
    assert p.returncode == 1


def test_exit_1_when_refused(server):
    p = server.cli("show", "INC-2000-01-01-001")
    assert p.returncode == 1 and p.stderr.strip(), (p.returncode, p.stderr)
    p = server.cli("declare", "--severity", "SEV9", "--title", "x")
    assert p.returncode == 1 and "SEV9" in p.stderr
    assert p.stdout.strip() == "", "nothing on stdout when refused"
    iid = declare(server)
    ok(server.cli("ack", iid))
    p = server.cli("ack", iid)
    assert p.returncode == 1 and "already acknowledged" in p.stderr
    p = server.cli("status", iid, "bogus")
    assert p.returncode == 1
    p = server.cli("status", iid, "triggered")
    assert p.returncode == 1
    p = server.cli("list", token=None)
    assert p.returncode == 1, "no token: 401 is a refusal"
    p = server.cli("list", token="garbage")
    assert p.returncode == 1


@pytest.mark.parametrize("args", [
    (),
    ("frobnicate",),
    ("declare", "--title", "no severity"),
    ("declare", "--severity", "SEV1"),
    ("declare", "--severity", "SEV1", "--title", "x", "--bogus-flag"),
    ("list", "--bogus-flag"),
    ("show",),
    ("ack",),
    ("status", "INC-2000-01-01-001"),
    ("resolve",),
    ("close",),
    ("reopen",),
    ("assign", "INC-2000-01-01-001", "commander"),
    ("note", "INC-2000-01-01-001"),
    ("severity", "INC-2000-01-01-001"),
    ("timeline",),
    ("audit",),
    ("audit", "bogus"),
    ("token",),
    ("token", "create", "--name", "x"),
    ("token", "create", "--role", "viewer"),
    ("token", "revoke"),
    ("token", "bogus"),
])
def test_exit_2_on_usage_error(server, args):
    p = server.cli(*args)
    assert p.returncode == 2, f"{args}: exit {p.returncode}\n{p.stdout}\n{p.stderr}"
    assert p.stderr.strip(), "a usage error says what is wrong on stderr"


@pytest.mark.parametrize("args", [
    ("list",),
    ("show", "INC-2000-01-01-001"),
    ("declare", "--severity", "SEV1", "--title", "x"),
    ("ack", "INC-2000-01-01-001"),
    ("audit", "verify"),
    ("token", "list"),
])
def test_exit_3_when_unreachable(args):
    url = f"http://127.0.0.1:{free_port()}"
    p = run_bin(*args, env={"TOCSIN_URL": url, "TOCSIN_TOKEN": "tcn_whatever"})
    assert p.returncode == 3, f"{args}: exit {p.returncode}\n{p.stderr}"
    assert p.stderr.strip()


def test_exit_3_after_server_stops(server):
    iid = declare(server)
    url = server.url
    server.stop()
    p = run_bin("show", iid, env={"TOCSIN_URL": url, "TOCSIN_TOKEN": server.admin_token})
    assert p.returncode == 3
    server.start()


def test_url_flag_overrides_env(server):
    dead = f"http://127.0.0.1:{free_port()}"
    p = server.cli("list", "--url", server.url, url=dead)
    assert p.returncode == 0, p.stderr


@pytest.mark.parametrize("verb", VERBS)
def test_help_exits_0(verb):
    p = run_bin(verb, "--help", env={"TOCSIN_URL": f"http://127.0.0.1:{free_port()}"})
    assert p.returncode == 0, f"{verb} --help: exit {p.returncode}\n{p.stderr}"
    assert verb in (p.stdout + p.stderr), "help names the verb"


@pytest.mark.parametrize("args", [("token", "create", "--help"), ("audit", "verify", "--help"),
                                  ("check-config", "--help"), ("serve", "--help"), ("--help",),
                                  ("store", "copy", "--help"), ("store", "backup", "--help"),
                                  ("store", "restore", "--help")])
def test_help_exits_0_more(args):
    p = run_bin(*args)
    assert p.returncode == 0, f"{args}: exit {p.returncode}\n{p.stderr}"
    assert (p.stdout + p.stderr).strip()


def test_cli_escapes_text(server):
    nasty = 'quote " backslash \\ tab\t newline\n unicode ✓ %s %n {"a":1}'
    iid = declare(server, "--summary", nasty, title='Title with "quotes" \\ and ✓')
    got = server.get(iid)
    assert got["title"] == 'Title with "quotes" \\ and ✓'
    assert got["summary"] == nasty
    ok(server.cli("note", iid, nasty))
    assert server.timeline(iid)[-1]["data"]["text"] == nasty
    ok(server.cli("status", iid, "investigating", "-m", nasty))
    assert nasty in json.dumps(server.timeline(iid)[-1]["data"]) or \
        server.timeline(iid)[-1]["data"].get("message") == nasty


def test_cli_url_with_trailing_slash(server):
    p = server.cli("list", url=server.url + "/")
    assert p.returncode == 0, p.stderr


def test_cli_odd_ids_are_refused_not_crashed(server):
    for bad in ["INC 1", "../../healthz", "INC-2026-01-01-001?x=1", "%2e%2e", "a/b", ""]:
        p = server.cli("show", bad)
        assert p.returncode in (1, 2), (bad, p.returncode, p.stdout, p.stderr)
        assert not p.stdout.strip().startswith("{\"status\":\"ok\""), "path traversal reached /healthz"


# `tocsin --help` lists every verb, in this order (the product surface: the order is the one the
# verb table had before the verbs were declared per file; src/cli/verbs.def keeps it).
ALL_VERBS = ["serve", "check-config", "declare", "list", "show", "ack", "status", "resolve", "close",
             "reopen", "assign", "note", "severity", "timeline", "audit", "token", "user",
             "integration", "alerts", "silence", "heartbeats", "check", "store", "oncall",
             "override", "page", "notifications", "nodes", "postmortem", "action", "checklist",
             "tick", "runbook", "drill", "report", "playbook", "status-page", "escalate",
             "field", "failed-resolution", "notice"]


def test_help_lists_every_verb_in_order():
    p = run_bin("--help")
    assert p.returncode == 0, p.stderr
    listed = [line.split()[0] for line in p.stdout.splitlines() if line.startswith("  ")]
    assert listed == ALL_VERBS, listed
