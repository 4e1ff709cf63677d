-- wrk script for bench/harness/wrk.py.
--
--   wrk -t2 -c16 -d10s --latency -s bench/harness/latency.lua http://127.0.0.1:PORT/path [-- "sessionid=..."]
--
-- The optional argument is sent as the Cookie header of every request. Every response outside 2xx (redirects
-- included, which wrk's own summary.errors.status does not count: it only counts status > 399) is counted per
-- status code. done() prints one line, "BENCH_RESULT " followed by a JSON object, that bench/harness/wrk.py parses.

local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function init(args)
  if args[1] ~= nil and args[1] ~= "" then
    wrk.headers["Cookie"] = args[1]
  end
  non2xx = 0
  statuses = {}
end

function response(status, headers, body)
  if status < 200 or status > 299 then
    non2xx = non2xx + 1
    local key = tostring(status)
    statuses[key] = (statuses[key] or 0) + 1
  end
end

function done(summary, latency, requests)
  local total_non2xx = 0
  local by_status = {}
  for _, thread in ipairs(threads) do
    total_non2xx = total_non2xx + (thread:get("non2xx") or 0)
    local counts = thread:get("statuses") or {}
    for code, n in pairs(counts) do
      by_status[code] = (by_status[code] or 0) + n
    end
  end
  local parts = {}
  for code, n in pairs(by_status) do
    table.insert(parts, string.format('"%s":%d', code, n))
  end
  local seconds = summary.duration / 1e6
  local rps = 0
  if seconds > 0 then
    rps = summary.requests / seconds
  end
  local e = summary.errors
  io.write(string.format(
    'BENCH_RESULT {"requests":%d,"duration_s":%.3f,"rps":%.2f,"p50_ms":%.3f,"p95_ms":%.3f,"p99_ms":%.3f,'
      .. '"max_ms":%.3f,"non2xx":%d,"non2xx_by_status":{%s},"status_errors":%d,"connect_errors":%d,'
      .. '"read_errors":%d,"write_errors":%d,"timeouts":%d}\n',
    summary.requests, seconds, rps,
    latency:percentile(50) / 1000, latency:percentile(95) / 1000, latency:percentile(99) / 1000,
    latency.max / 1000, total_non2xx, table.concat(parts, ","), e.status, e.connect, e.read, e.write, e.timeout
  ))
end
