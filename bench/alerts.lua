-- wrk script for bench/run.sh: every request carries BATCH distinct firing alerts.
--
--   wrk -t2 -cN -dD --latency -s bench/alerts.lua URL -- FORMAT BATCH RUN [KEY]
--
-- FORMAT  am      Alertmanager's own API: POST /api/v2/alerts, a JSON array of postable alerts
--         webhook tocsin: POST /api/v1/ingest/alertmanager, an Alertmanager webhook body
--                 (version 4), KEY as the bearer token
--         ev2     tocsin: POST /v2/enqueue, a PagerDuty Events API v2 trigger, KEY as its
--                 routing_key (one event per request: BATCH must be 1)
-- BATCH   alerts per request (1 or 100 in the bench)
-- RUN     a small number unique per wrk run, so that no two requests of the whole bench carry the
--         same alert: the `instance` label is RUN-THREAD-N and N counts per thread
--
-- Both formats carry the same labels and annotations, so both servers see the same alerts.
-- done() prints one machine-readable line, "BENCHRESULT k=v ...", that run.sh parses.

local threads = {}
local tid_next = 0

function setup(thread)
  tid_next = tid_next + 1
  thread:set("tid", tid_next)
  table.insert(threads, thread)
end

local format, batch, run, key
local counter = 0
local starts_at
local path, headers

function init(args)
  format = args[1]
  batch = tonumber(args[2])
  run = tonumber(args[3])
  key = args[4]
  if (format ~= "am" and format ~= "webhook" and format ~= "ev2") or not batch or batch < 1 or
    not run or (format == "ev2" and batch ~= 1) then
    io.stderr:write("usage: alerts.lua am|webhook|ev2 BATCH RUN [KEY] (ev2: BATCH 1)\n")
    os.exit(2)
  end
  starts_at = os.date("!%Y-%m-%dT%H:%M:%SZ")
  headers = {["Content-Type"] = "application/json"}
  if format == "am" then
    path = "/api/v2/alerts"
  elseif format == "ev2" then
    path = "/v2/enqueue"
  else
    path = "/api/v1/ingest/alertmanager"
    headers["Authorization"] = "Bearer " .. key
  end
end

local function labels_json(inst)
  return '{"alertname":"BenchAlert","instance":"' .. inst ..
    '","job":"bench","severity":"warning"}'
end

local function annotations_json(inst)
  return '{"summary":"bench alert ' .. inst .. '"}'
end

local function one_alert()
  counter = counter + 1
  local inst = run .. "-" .. tid .. "-" .. counter
  if format == "am" then
    return '{"labels":' .. labels_json(inst) .. ',"annotations":' .. annotations_json(inst) ..
      ',"startsAt":"' .. starts_at .. '","generatorURL":"http://127.0.0.1/bench"}'
  end
  -- what Alertmanager itself sends to a webhook receiver for a firing alert
  return '{"status":"firing","labels":' .. labels_json(inst) ..
    ',"annotations":' .. annotations_json(inst) ..
    ',"startsAt":"' .. starts_at .. '","endsAt":"0001-01-01T00:00:00Z"' ..
    ',"generatorURL":"http://127.0.0.1/bench","fingerprint":"' ..
    string.format("%02x%02x%012x", run, tid, counter) .. '"}'
end

-- the same alert as a PagerDuty Events API v2 trigger: dedup_key distinct, labels as custom_details
local function one_event()
  counter = counter + 1
  local inst = run .. "-" .. tid .. "-" .. counter
  return '{"routing_key":"' .. key .. '","event_action":"trigger","dedup_key":"' ..
    string.format("%02x%02x%012x", run, tid, counter) .. '","payload":{"summary":"bench alert ' ..
    inst .. '","source":"' .. inst .. '","severity":"warning","custom_details":' ..
    labels_json(inst) .. '},"client":"bench"}'
end

function request()
  if format == "ev2" then
    return wrk.format("POST", path, headers, one_event())
  end
  local parts = {}
  for i = 1, batch do
    parts[i] = one_alert()
  end
  local alerts = table.concat(parts, ",")
  local body
  if format == "am" then
    body = "[" .. alerts .. "]"
  else
    body = '{"version":"4","groupKey":"{}:{alertname=\\"BenchAlert\\"}","truncatedAlerts":0,' ..
      '"status":"firing","receiver":"tocsin","groupLabels":{"alertname":"BenchAlert"},' ..
      '"commonLabels":{"alertname":"BenchAlert","job":"bench","severity":"warning"},' ..
      '"commonAnnotations":{},"externalURL":"http://127.0.0.1:9093","alerts":[' .. alerts .. ']}'
  end
  return wrk.format("POST", path, headers, body)
end

function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    "BENCHRESULT requests=%d duration_us=%d p50_us=%d p99_us=%d connect=%d read=%d write=%d status=%d timeout=%d\n",
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(99),
    e.connect, e.read, e.write, e.status, e.timeout))
end
