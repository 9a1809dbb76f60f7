"""Paging does what each playbook says (issue 16): what the seed replay suite (tests/seeds)
does not show on its own.

- [DRILL] on every page of a drill incident: the subject, the first line of the text, and
  `drill: true` in the webhook JSON (false for a real incident).
- Steps due together page each user once, listing every target that reached them.
- on_ack_breach: flag sends the current step's users a notice, not a page.
- Bad input is refused by check-config with the file and line, and by a reload, which keeps the
  old config: an `until` that does not exist, a step `after` beyond the round, an unknown method,
  an on_ack_breach target that resolves to nobody, a calendar with an unknown time zone, a
  combination that routes to no one; the server refuses to start with any of them."""
import os
import subprocess

from notify_receivers import WEBHOOK_SECRET, Receiver, notify_config
from tocsin_harness import clean_env, require_bin, run_bin

POLICY = """
escalation_policies:
  - id: default
    steps:
      - {after: 0m, notify: [user:alice]}
      - {after: 0m, notify: [team:ops]}
      - {after: 10m, notify: [user:bob]}
teams:
  - {id: ops, name: Ops, members: [alice, bob]}
"""


def queued(s, iid):
    return [e for e in s.timeline(iid) if e["kind"] == "notify.queued"]


def first_webhook(make_server, drill):
    hook = Receiver("hook")
    try:
        cfg = notify_config([f'{{id: alice, webhook: "{hook.url}", webhook_secret: {WEBHOOK_SECRET}}}',
                             "{id: bob, email: bob@example.com}"]) + POLICY
        s = make_server(dev_clock=True, config_text=cfg)
        inc = s.create("Game day: DB failover", "SEV1", service="api", drill=drill)
        s.advance("0s")
        data = hook.wait_for(1)[0].json()["data"]
        assert data["incident"]["id"] == inc["id"]
        return data
    finally:
        hook.close()


def test_drill_pages_say_drill_and_webhook_json_says_so(make_server):
    data = first_webhook(make_server, True)
    assert data["subject"].startswith("[DRILL] [SEV1] "), data["subject"]
    assert data["message"].startswith("[DRILL] This is a drill"), data["message"][:80]
    assert data["incident"]["drill"] is True
    data = first_webhook(make_server, False)
    assert data["incident"]["drill"] is False
    assert "[DRILL]" not in data["subject"] and "drill" not in data["message"].lower()


def test_steps_due_together_page_each_user_once(make_server):
    cfg = notify_config(["{id: alice, email: alice@example.com}",
                         "{id: bob, email: bob@example.com}"]) + POLICY
    s = make_server(dev_clock=True, config_text=cfg)
    inc = s.create("DB down", "SEV1", service="api")
    s.advance("0s")
    q = queued(s, inc["id"])
    assert sorted(e["data"]["user"] for e in q) == ["alice", "bob"], q  # alice once, not twice
    alice = [e for e in q if e["data"]["user"] == "alice"][0]
    assert "user:alice" in alice["data"]["reason"] and "team:ops" in alice["data"]["reason"]
    steps = [e for e in s.timeline(inc["id"]) if e["kind"] == "escalation.step"]
    assert len(steps) == 2  # each step is still on the timeline
    st, j = s.api("GET", f"/api/v1/incidents/{inc['id']}/notifications")
    assert sorted(n["user"] for n in j["notifications"]) == ["alice", "bob"], j


def test_flagged_breach_sends_a_notice_not_a_page(make_server):
    cfg = notify_config(["{id: alice, email: alice@example.com}",
                         "{id: bob, email: bob@example.com}"]) + POLICY.replace(
        "  - id: default\n", "  - id: default\n    on_ack_breach: flag\n")
    s = make_server(dev_clock=True, config_text=cfg)
    inc = s.create("Slow", "SEV3", service="api")
    s.advance("0s")  # the 0m step first, on its own
    s.advance("10m")  # bob's step (alone: at one look with the breach, the page would win)
    s.advance("50m")
    b = [e for e in s.timeline(inc["id"]) if e["kind"] == "escalation.ack_breach"]
    assert len(b) == 1 and b[0]["data"]["action"] == "flag", b
    notices = [e for e in queued(s, inc["id"]) if e["data"]["kind"] == "reminder"]
    assert len(notices) == 1 and notices[0]["data"]["user"] == "bob", notices  # the 10m step


BAD = [
    ("until: fixed", "      - {after: 10m, notify: [user:bob], until: fixed}",
     'steps[2].until: "fixed" is not one of acknowledged, resolved'),
    ("after beyond round", "      - {after: 10m, notify: [user:bob]}\n    round: 5m",
     "steps[2].after: 10m is beyond the round (round: 5m)"),
    ("breach target", "      - {after: 10m, notify: [user:bob]}\n    on_ack_breach: team:nobody",
     'on_ack_breach: unknown team "nobody"'),
    ("unknown method", None, 'is not one of email, sms, slack, webhook, voice, ticket'),
    ("calendar zone", "      - {after: 10m, notify: [user:bob]}\ncalendars:\n"
     "  - {id: office, timezone: Mars/Olympus_Mons}",
     'calendars[0].timezone: "Mars/Olympus_Mons" is not a known time zone'),
]


def bad_config(line):
    cfg = notify_config(["{id: alice, email: alice@example.com}",
                         "{id: bob, email: bob@example.com}"]) + POLICY
    if line is None:
        return cfg.replace("notify: [email]}", "notify: [email, pager]}", 1)
    return cfg.replace("      - {after: 10m, notify: [user:bob]}", line)


def test_check_config_names_file_and_line_of_bad_paging_input(tmp_path):
    for name, line, want in BAD:
        if name == "calendar zone":  # its line: the calendar's own
            path = os.path.join(tmp_path, "zone.yaml")
            with open(path, "w") as f:
                f.write(bad_config(line))
            p = run_bin("check-config", path)
            at = bad_config(line).split("\n").index("  - {id: office, timezone: Mars/Olympus_Mons}")
            assert f"{path}:{at + 1}:" in p.stderr, p.stderr
        path = os.path.join(tmp_path, f"{name.replace(' ', '_').replace(':', '')}.yaml")
        with open(path, "w") as f:
            f.write(bad_config(line))
        p = run_bin("check-config", path)
        assert p.returncode == 1, (name, p.stdout, p.stderr)
        assert f"{path}:" in p.stderr and want in p.stderr, (name, p.stderr)
        lineno = int(p.stderr.split(f"{path}:")[1].split(":")[0])
        assert lineno > 0, (name, p.stderr)


def test_serve_refuses_to_start_with_bad_paging_input(tmp_path):
    for name, line, want in BAD:
        path = os.path.join(tmp_path, "start.yaml")
        with open(path, "w") as f:
            f.write(bad_config(line))
        data = os.path.join(tmp_path, f"data-{BAD.index((name, line, want))}")
        os.mkdir(data)
        p = subprocess.run([require_bin(), "serve", "--config", path, "--data", data, "--listen",
                            "127.0.0.1:0"], capture_output=True, text=True, env=clean_env(),
                           timeout=60, stdin=subprocess.DEVNULL)
        assert p.returncode != 0 and f"{path}:" in p.stderr and want in p.stderr, (name, p.stderr)


def test_check_config_names_a_combination_that_routes_to_no_one(tmp_path):
    path = os.path.join(tmp_path, "unrouted.yaml")
    cfg = bad_config("      - {after: 10m, notify: [user:bob]}").replace(
        "      - {after: 0m, notify: [user:alice]}\n      - {after: 0m, notify: [team:ops]}\n",
        "      - {after: 0m, notify: [user:alice], when: {severity: [SEV1]}}\n")
    cfg = cfg.replace("      - {after: 10m, notify: [user:bob]}",
                      "      - {after: 10m, notify: [user:bob], when: {severity: [SEV1]}}")
    with open(path, "w") as f:
        f.write(cfg)
    p = run_bin("check-config", path)
    assert p.returncode == 1 and "severity SEV2, no type, service api routes to no one" in p.stderr, p.stderr
    with open(path, "a") as f:
        f.write("fallback: user:alice\n")
    p = run_bin("check-config", path)
    assert p.returncode == 0, p.stderr


def test_reload_refuses_bad_paging_input_and_keeps_the_old_config(make_server):
    good = bad_config("      - {after: 10m, notify: [user:bob]}")
    s = make_server(dev_clock=True, config_text=good)
    for name, line, want in BAD:
        s.write_config(bad_config(line))
        st, j = s.api("POST", "/api/v1/config/reload")
        assert st == 422 and want in j["error"]["message"], (name, st, j)
    inc = s.create("still paging", "SEV1", service="api")  # the old config still runs
    s.advance("0s")  # the 0m step fires now, not merged with the 10m one by a late engine pass
    s.advance("10m")
    assert sorted(e["data"]["user"] for e in queued(s, inc["id"])) == ["alice", "bob", "bob"]
