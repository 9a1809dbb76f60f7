"""Authentication, roles and tokens (docs/api.md "Roles", "Tokens")."""
import os
import stat

import pytest

from tocsin_harness import parse_time

PROTECTED = [
    ("GET", "/api/v1/incidents", None),
    ("POST", "/api/v1/incidents", {"title": "x", "severity": "SEV1"}),
    ("GET", "/api/v1/incidents/INC-2000-01-01-001", None),
    ("GET", "/api/v1/severities", None),
    ("GET", "/api/v1/users", None),
    ("GET", "/api/v1/services", None),
    ("GET", "/api/v1/tokens", None),
    ("POST", "/api/v1/tokens", {"name": "x", "role": "admin"}),
    ("POST", "/api/v1/audit/verify", None),
    ("POST", "/api/v1/config/reload", None),
]


def test_admin_token_file_and_banner(server):
    path = os.path.join(server.data, "admin.token")
    mode = stat.S_IMODE(os.stat(path).st_mode)
    assert mode == 0o600, f"admin.token mode {oct(mode)}"
    with open(path) as f:
        content = f.read()
    assert content.strip() == server.admin_token and content in (server.admin_token, server.admin_token + "\n")
    out = server.stdout_text(1)
    assert any(server.admin_token in line for line in out.splitlines()), "first start prints the admin token"
    assert server.api("GET", "/api/v1/incidents")[0] == 200


def test_admin_token_not_reprinted_on_restart(server):
    tok = server.admin_token
    server.restart()
    with open(os.path.join(server.data, "admin.token")) as f:
        assert f.read().strip() == tok, "restart keeps the admin token"
    assert tok not in server.stdout_text(2), "the admin token is printed once, on first start only"
    assert server.api("GET", "/api/v1/incidents", token=tok)[0] == 200


@pytest.mark.parametrize("method,path,body", PROTECTED)
def test_no_credentials_is_401(server, method, path, body):
    st, j = server.api(method, path, body, token=None)
    assert st == 401, (st, j)


@pytest.mark.parametrize("header", [
    "Bearer garbage",
    "Bearer tcn_0000000000000000000000000000000000000000",
    "Bearer ",
    "Bearer",
    "Basic YWRtaW46YWRtaW4=",
    "bearer-ish",
])
def test_bad_credentials_are_401(server, header):
    st, j = server.api("GET", "/api/v1/incidents", token=None, headers={"Authorization": header})
    assert st == 401, (st, j)


def test_admin_token_with_other_scheme_is_401(server):
    st, j = server.api("GET", "/api/v1/incidents", token=None,
                       headers={"Authorization": f"Token {server.admin_token}"})
    assert st == 401


def test_viewer_reads_but_cannot_write(server):
    inc = server.create("viewer target")
    v = server.make_token("viewer")
    assert server.api("GET", "/api/v1/incidents", token=v)[0] == 200
    assert server.api("GET", f"/api/v1/incidents/{inc['id']}", token=v)[0] == 200
    assert server.api("GET", f"/api/v1/incidents/{inc['id']}/timeline", token=v)[0] == 200
    assert server.api("GET", "/api/v1/severities", token=v)[0] == 200
    assert server.api("POST", "/api/v1/audit/verify", token=v)[0] == 200, "verify is open to every role"
    writes = [
        ("POST", "/api/v1/incidents", {"title": "x", "severity": "SEV1"}),
        ("POST", f"/api/v1/incidents/{inc['id']}/ack", None),
        ("POST", f"/api/v1/incidents/{inc['id']}/status", {"status": "investigating"}),
        ("POST", f"/api/v1/incidents/{inc['id']}/resolve", None),
        ("PATCH", f"/api/v1/incidents/{inc['id']}", {"title": "y"}),
        ("PUT", f"/api/v1/incidents/{inc['id']}/roles/commander", {"user": "alice"}),
        ("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "n"}),
        ("POST", "/api/v1/tokens", {"name": "v2", "role": "viewer"}),
        ("GET", "/api/v1/tokens", None),
        ("POST", "/api/v1/config/reload", None),
    ]
    for method, path, body in writes:
        st, j = server.api(method, path, body, token=v)
        assert st == 403, f"viewer {method} {path}: {st} {j}"
    got = server.get(inc["id"])
    assert got["status"] == "triggered" and got["title"] == "viewer target"
    st, j = server.api("GET", "/api/v1/incidents?status=all", token=v)
    assert len(j["incidents"]) == 1


def test_responder_changes_incidents_but_not_tokens(server):
    r = server.make_token("responder")
    inc = server.create("by responder", token=r)
    assert server.api("POST", f"/api/v1/incidents/{inc['id']}/ack", token=r)[0] == 200
    assert server.api("POST", f"/api/v1/incidents/{inc['id']}/notes", {"text": "n"}, token=r)[0] == 201
    st, j = server.api("POST", "/api/v1/tokens", {"name": "sneaky", "role": "admin"}, token=r)
    assert st == 403, (st, j)
    assert server.api("GET", "/api/v1/tokens", token=r)[0] == 403
    st, toks = server.api("GET", "/api/v1/tokens")
    victim = toks["tokens"][0]["id"]
    assert server.api("DELETE", f"/api/v1/tokens/{victim}", token=r)[0] == 403
    assert server.api("POST", "/api/v1/config/reload", token=r)[0] == 403
    assert "sneaky" not in [t["name"] for t in server.api("GET", "/api/v1/tokens")[1]["tokens"]]


def test_admin_creates_tokens(server):
    st, j = server.api("POST", "/api/v1/tokens", {"name": "ci-bot.1_x", "role": "responder"})
    assert st == 201, j
    assert j["id"].startswith("tok_")
    assert j["name"] == "ci-bot.1_x" and j["role"] == "responder"
    assert j["token"].startswith("tcn_") and len(j["token"]) >= 20
    parse_time(j["created_at"])
    st, lst = server.api("GET", "/api/v1/tokens")
    assert st == 200
    mine = [t for t in lst["tokens"] if t["id"] == j["id"]]
    assert len(mine) == 1
    assert set(mine[0]) >= {"id", "name", "role", "created_at", "revoked_at"}
    assert mine[0]["revoked_at"] is None
    # the new token works with its role
    assert server.create("via new token", token=j["token"])["status"] == "triggered"


def test_token_secret_never_listed(server):
    secrets = [server.make_token(r) for r in ("admin", "responder", "viewer")]
    r = server.request("GET", "/api/v1/tokens")
    assert r.status == 200
    text = r.body.decode()
    for s in secrets + [server.admin_token]:
        assert s not in text, "a token secret appears in GET /api/v1/tokens"
    for t in r.json["tokens"]:
        assert "token" not in t and "hash" not in t and "secret" not in t


def test_token_secret_not_stored_in_clear(server):
    secrets = [server.make_token("responder"), server.make_token("viewer")]
    server.create("flush something")
    blobs = server.store_bytes()
    assert blobs, "no database content found"
    for s in secrets + [server.admin_token]:
        assert s.encode() not in blobs, "a token secret is stored in clear in the database"


def test_revoked_token_is_401(server):
    st, j = server.api("POST", "/api/v1/tokens", {"name": "temp", "role": "responder"})
    tok, tid = j["token"], j["id"]
    assert server.api("GET", "/api/v1/incidents", token=tok)[0] == 200
    st, j = server.api("DELETE", f"/api/v1/tokens/{tid}")
    assert st == 200, j
    assert j["id"] == tid and j["revoked_at"] is not None
    assert "token" not in j
    assert server.api("GET", "/api/v1/incidents", token=tok)[0] == 401
    st, j = server.api("DELETE", f"/api/v1/tokens/{tid}")
    assert st == 409, "revoking twice"
    listed = [t for t in server.api("GET", "/api/v1/tokens")[1]["tokens"] if t["id"] == tid]
    assert listed and listed[0]["revoked_at"] is not None
    # still revoked after a restart
    server.restart()
    assert server.api("GET", "/api/v1/incidents", token=tok)[0] == 401


def test_revoked_name_can_be_reused(server):
    st, j = server.api("POST", "/api/v1/tokens", {"name": "rotating", "role": "viewer"})
    assert server.api("DELETE", f"/api/v1/tokens/{j['id']}")[0] == 200
    st, j2 = server.api("POST", "/api/v1/tokens", {"name": "rotating", "role": "viewer"})
    assert st == 201, "the name is unique among live tokens only"


@pytest.mark.parametrize("body,status,field", [
    ({"name": "has space", "role": "viewer"}, 400, "name"),
    ({"name": "", "role": "viewer"}, 400, "name"),
    ({"name": "n" * 65, "role": "viewer"}, 400, "name"),
    ({"name": "ok", "role": "root"}, 422, "role"),
    ({"name": "ok"}, 400, "role"),
    ({"role": "viewer"}, 400, "name"),
    ({"name": 5, "role": "viewer"}, 400, "name"),
    ({"name": "ok", "role": "viewer", "expires": "never"}, 400, "expires"),
])
def test_token_create_validation(server, body, status, field):
    st, j = server.api("POST", "/api/v1/tokens", body)
    assert st == status, (st, j)
    assert j["error"]["message"].startswith(field), j


def test_token_name_64_ok_and_taken_409(server):
    st, j = server.api("POST", "/api/v1/tokens", {"name": "n" * 64, "role": "viewer"})
    assert st == 201
    st, j = server.api("POST", "/api/v1/tokens", {"name": "n" * 64, "role": "admin"})
    assert st == 409


def test_public_endpoints_need_no_token(server):
    st, j = server.api("GET", "/healthz", token=None)
    assert st == 200
    r = server.request("GET", "/metrics", token=None)
    assert r.status == 200
    assert b"tocsin_" in r.body


def test_token_events_on_timeline(server):
    st, j = server.api("POST", "/api/v1/tokens", {"name": "audited", "role": "viewer"})
    server.api("DELETE", f"/api/v1/tokens/{j['id']}")
    con = server.db()
    try:
        kinds = [r[0] for r in con.execute("SELECT kind FROM timeline ORDER BY seq")]
        dump = " ".join(str(r) for r in con.execute("SELECT data FROM timeline"))
    finally:
        con.close()
    assert "token.created" in kinds and "token.revoked" in kinds, kinds
    assert j["token"] not in dump
