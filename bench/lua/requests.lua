-- Replays requests from the file named by BENCH_REQUESTS (one per line:
-- METHOD<TAB>PATH<TAB>BODY), each thread from its own offset, with the bearer token in
-- BENCH_TOKEN. Prints one JSON line: statuses, requests/s and p50/p95/p99 in microseconds.
local threads = {}
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("tid", counter)
  table.insert(threads, thread)
end

function init(args)
  reqs = {}
  statuses = {}
  local token = os.getenv("BENCH_TOKEN") or ""
  for line in io.lines(os.getenv("BENCH_REQUESTS")) do
    local method, path, body = line:match("^(%u+)\t([^\t]+)\t?(.*)$")
    local headers = {["Accept-Language"] = "el"}
    if token ~= "" then headers["Authorization"] = "Bearer " .. token end
    if body ~= nil and body ~= "" then
      headers["Content-Type"] = "application/json"
    else
      body = nil
    end
    table.insert(reqs, wrk.format(method, path, headers, body))
  end
  local n = #reqs
  local nthreads = tonumber(os.getenv("BENCH_THREADS") or "1")
  index = math.floor((tid - 1) * n / nthreads)
end

function request()
  index = index + 1
  if index > #reqs then index = 1 end
  return reqs[index]
end

function response(status, headers, body)
  local key = tostring(status)
  statuses[key] = (statuses[key] or 0) + 1
end

function done(summary, latency, requests)
  local merged = {}
  for _, thread in ipairs(threads) do
    local s = thread:get("statuses")
    for k, v in pairs(s) do merged[k] = (merged[k] or 0) + v end
  end
  local parts = {}
  for k, v in pairs(merged) do table.insert(parts, string.format('"%s": %d', k, v)) end
  local secs = summary.duration / 1e6
  io.write(string.format(
    'BENCH_JSON {"requests": %d, "seconds": %.3f, "rps": %.1f, "p50_us": %d, "p95_us": %d, ' ..
    '"p99_us": %d, "max_us": %d, "socket_errors": %d, "statuses": {%s}}\n',
    summary.requests, secs, summary.requests / secs,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), latency.max,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    table.concat(parts, ", ")))
end
