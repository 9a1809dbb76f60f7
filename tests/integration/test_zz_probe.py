import json, time
from test_oncall import config_text
from tocsin_harness import http

def test_probe(make_server):
    s = make_server(dev_clock=True, config_text=config_text())
    viewer = s.make_token("viewer")
    out = []
    def req(m, p, body=None, token=None, raw=None):
        t0 = time.time()
        kw = {} if token is None else {"token": token}
        r = s.request(m, p, body=body, raw=raw, check=False, **kw)
        out.append((m, p, str(body)[:80], r.status, round(time.time()-t0, 2), r.body[:200]))
        return r
    for q in ["?at=9999-12-31T23:59:59Z", "?at=0001-01-01T00:00:00Z", "?at=1970-01-01T00:00:00.001Z", "?at=2038-01-19T03:14:08Z", "?at=2100-03-28T01:30:00Z&schedule=sun"]:
        req("GET", "/api/v1/oncall" + q)
    req("GET", "/api/v1/schedules/sun.ics")
    req("GET", "/api/v1/schedules/hourly.ics")
    r = http("GET", s.url + "/api/v1/schedules/sun.ics?token=" + viewer)
    out.append(("ics-token", r.status))
    r = http("GET", s.url + "/api/v1/schedules/sun.ics?token=bad")
    out.append(("ics-badtoken", r.status))
    r = http("GET", s.url + "/api/v1/schedules/sun")
    out.append(("sched-notoken", r.status))
    for b in [{"user": "bob", "from": "9999-12-31T23:00:00Z", "to": "9999-12-31T23:59:59Z"},
              {"user": "bob", "from": "0001-01-01T00:00:00Z", "to": "+1h"},
              {"user": "bob", "from": "now", "to": "+1h", "layer": "nope"},
              {"user": "bob", "from": "now", "to": "+1h", "layer": "business"},
              {"user": "bob", "from": "now", "to": "+1h", "layer": "business"},
              {"user": "bob", "from": "now", "to": "+1h", "reason": "x" * 1001},
              {"user": "bob", "from": "+2h", "to": "+1h"},
              {"user": "bob", "from": "-2h", "to": "-1h"},
              {"user": "bob", "from": "now", "to": "+100y"},
              {"user": "nobody", "from": "now", "to": "+1h"},
              {"user": "bob", "from": "now", "to": "+1h", "extra": 1},
              ]:
        req("POST", "/api/v1/schedules/sun/overrides", b)
    req("POST", "/api/v1/schedules/sun/overrides", {"user": "bob", "from": "now", "to": "+1h"}, token=viewer)
    req("GET", "/api/v1/schedules/sun/overrides")
    req("GET", "/api/v1/oncall?at=9999-12-31T23:30:00Z")
    req("GET", "/api/v1/schedules/sun.ics")
    req("GET", "/api/v1/schedules")
    for o in out:
        print(o)
