"""Shared helpers for the alert-ingest tests (test_ingest_*.py). No tests here.

docs/api.md "Alert ingest" is the spec. The servers run fixtures/ingest.yaml (see its header for
what each service's `alerts:` policy is), usually with --dev-clock. The fixtures below are
imported by the test modules (`from test_ingest_support import ing, ...`).
"""
import json
import os
import re

import pytest

from tocsin_harness import HERE

INGEST_CONFIG = os.path.join(HERE, "fixtures", "ingest.yaml")
KEY_RE = re.compile(r"^[0-9a-f]{32}$")
HEX_RE = re.compile(r"^[0-9a-f]+$")
PD_OK = {"status": "success", "message": "Event processed"}


def ingest_config(extra="", services_extra=""):
    """The fixture text; `services_extra` is inserted as the first items of `services:` (each line
    a complete `  - {...}` item), `extra` appended as top-level keys."""
    with open(INGEST_CONFIG) as f:
        text = f.read()
    if services_extra:
        assert "\nservices:\n" in text
        text = text.replace("\nservices:\n", "\nservices:\n" + services_extra.rstrip("\n") + "\n", 1)
    if extra:
        text = text.rstrip("\n") + "\n" + extra.rstrip("\n") + "\n"
    return text


@pytest.fixture
def ing(make_server):
    """A started --dev-clock server on fixtures/ingest.yaml."""
    return make_server(dev_clock=True, config_text=ingest_config())


# --- integrations ----------------------------------------------------------------------------

def integration(s, service, type_, name=None):
    body = {"service": service, "type": type_}
    if name is not None:
        body["name"] = name
    st, j = s.api("POST", "/api/v1/integrations", body)
    assert st == 201, f"integration create {body}: {st} {j}"
    assert KEY_RE.match(j["key"]), j
    return j


def key_of(s, service, type_, name=None):
    return integration(s, service, type_, name)["key"]


# --- senders ---------------------------------------------------------------------------------

def am_alert(labels, summary=None, status="firing", fingerprint=None, annotations=None):
    a = {"status": status, "labels": dict(labels),
         "annotations": dict(annotations or {}),
         "startsAt": "2026-01-01T00:00:00Z",
         "endsAt": "0001-01-01T00:00:00Z" if status == "firing" else "2026-01-01T01:00:00Z",
         "generatorURL": "http://prometheus.local/graph"}
    if summary is not None:
        a["annotations"]["summary"] = summary
    if fingerprint is not None:
        a["fingerprint"] = fingerprint
    return a


def am_payload(alerts, status=None):
    if status is None:
        status = "firing" if any(a.get("status") == "firing" for a in alerts) else "resolved"
    return {"version": "4", "groupKey": "{}:{alertname=\"x\"}", "truncatedAlerts": 0,
            "status": status, "receiver": "tocsin", "groupLabels": {}, "commonLabels": {},
            "commonAnnotations": {}, "externalURL": "http://alertmanager.local", "alerts": alerts}


def am_send(s, key, alerts=None, payload=None, raw=None, check=True):
    if payload is None and raw is None:
        payload = am_payload(alerts)
    return s.request("POST", "/api/v1/ingest/alertmanager", payload, token=key, raw=raw, check=check)


def am_ok(s, key, alerts):
    r = am_send(s, key, alerts)
    assert r.status == 200, r
    j = r.json
    assert j["status"] == "ok" and j["alerts"] == len(alerts), j
    return j


def v2_event(key, action="trigger", dedup_key=None, summary="Disk full on db-1", source="db-1",
             severity="critical", **payload_extra):
    ev = {"routing_key": key, "event_action": action}
    if dedup_key is not None:
        ev["dedup_key"] = dedup_key
    if action == "trigger":
        p = {"summary": summary, "source": source, "severity": severity}
        p.update(payload_extra)
        ev["payload"] = {k: v for k, v in p.items() if v is not None}
    return ev


def v2(s, event=None, raw=None, headers=None):
    """POST /v2/enqueue. PagerDuty's own error shape, so the tocsin error-shape check is off;
    the harness still fails the test on any 5xx."""
    return s.request("POST", "/v2/enqueue", event, token=None, raw=raw, check=False, headers=headers)


def v2_ok(s, event):
    r = v2(s, event)
    assert r.status == 202, r
    assert set(r.json) == {"status", "message", "dedup_key"}, r.json
    assert {k: r.json[k] for k in ("status", "message")} == PD_OK, r.json
    return r.json["dedup_key"]


def check_pd_invalid(r):
    assert r.status == 400, r
    j = r.json
    assert isinstance(j, dict) and set(j) == {"status", "message", "errors"}, r
    assert j["status"] == "invalid event" and j["message"] == "Event object is invalid", j
    assert isinstance(j["errors"], list) and j["errors"], j
    assert all(isinstance(e, str) and e for e in j["errors"]), j
    return j["errors"]


def generic(s, key, body=None, raw=None, check=True):
    return s.request("POST", "/api/v1/ingest/generic", body, token=key, raw=raw, check=check)


def generic_ok(s, key, body):
    r = generic(s, key, body)
    assert r.status == 202, r
    assert r.json["status"] == "ok", r.json
    return r.json


def checkin(s, key, name="nightly", body=None):
    return s.request("POST", f"/api/v1/heartbeat/{name}", body, token=key)


# --- readers ---------------------------------------------------------------------------------

def alerts(s, status="all", service=None, limit=1000):
    q = f"/api/v1/alerts?status={status}&limit={limit}"
    if service:
        q += f"&service={service}"
    st, j = s.api("GET", q)
    assert st == 200, (st, j)
    return j["alerts"]


def incident_alerts(s, iid):
    """Every alert of the incident, following next_cursor (a page holds at most 1,000)."""
    out, cursor = [], None
    while True:
        q = f"?limit=1000&cursor={cursor}" if cursor else "?limit=1000"
        st, j = s.api("GET", f"/api/v1/incidents/{iid}/alerts{q}")
        assert st == 200, (st, j)
        out += j["alerts"]
        cursor = j.get("next_cursor")
        if not cursor:
            return out


def incidents(s, status="all", service=None):
    st, j = s.api("GET", f"/api/v1/incidents?status={status}&limit=1000")
    assert st == 200, (st, j)
    out = j["incidents"]
    if service:
        out = [i for i in out if i["service"] == service]
    return out


def kinds(s, iid):
    return [e["kind"] for e in s.timeline(iid)]


def snapshot(s):
    """What a refused request must leave untouched: every alert, every incident, the chain length.
    An incident's `escalation` is left out: the engine moves it on its own, with time."""
    incs = [{k: v for k, v in i.items() if k != "escalation"} for i in incidents(s)]
    return (json.dumps(alerts(s), sort_keys=True), json.dumps(incs, sort_keys=True),
            s.verify()["entries"])
