"""The public status page (/status, /api/v2/*, /history.atom) and the security headers both web
surfaces share (docs/internals/status_page.md, docs/api.md)."""
import pytest

SECURITY = {
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def check_security_headers(r, where):
    for name, want in SECURITY.items():
        assert r.headers.get(name) == want, f"{where}: {name} is {r.headers.get(name)!r}"
    csp = r.headers.get("Content-Security-Policy") or ""
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp, f"{where}: {csp}"
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("default-src") == ["'none'"], csp
    assert directives.get("script-src") == ["'self'"], csp
    assert directives.get("style-src") == ["'self'"], csp
    assert directives.get("frame-ancestors") == ["'none'"], csp


def test_security_headers_on_every_answer(server):
    for path, token in (("/api/v1/health", None), ("/api/v1/incidents", None),
                        ("/api/v1/incidents", "admin"), ("/no/such/path", None)):
        r = server.request("GET", path, token=None if token is None else server.admin_token)
        check_security_headers(r, f"GET {path} -> {r.status}")
