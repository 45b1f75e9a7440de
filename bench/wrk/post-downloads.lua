-- POST /api/skills/{name}/downloads with {"version": "..."} for the "name version" lines of
-- $WRK_PATHS, cycling; counts statuses (202 = accepted). Writes the JSON report to $WRK_REPORT.
-- Each request comes from one of many clients (X-Forwarded-For, which the suite's gateway trusts),
-- each wrk thread its own 65,536 addresses: at 10,000 events/s a client posts about 9 a minute,
-- under the default limit of 60, so the limit is applied to every request but refuses none.
local lib = dofile((os.getenv("WRK_DIR") or "bench/wrk") .. "/report.lua")
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local events, n, i, step
counters = lib.new_counters()
local CLIENTS_PER_THREAD = 65536
local headers = { ["Content-Type"] = "application/json", ["User-Agent"] = "bench/wrk" }

function init(args)
  events = {}
  local file = os.getenv("WRK_PATHS")
  assert(file, "WRK_PATHS is not set")
  for line in io.lines(file) do
    local name, version = line:match("^(%S+)%s+(%S+)$")
    if name then
      events[#events + 1] = { "/api/skills/" .. name .. "/downloads", '{"version":"' .. version .. '"}' }
    end
  end
  n = #events
  assert(n > 0, "no events in " .. os.getenv("WRK_PATHS"))
  step = tonumber(os.getenv("WRK_THREADS") or "1")
  i = (thread_id or 1) - step
end

function request()
  i = i + step
  if i > n then i = ((i - 1) % n) + 1 end
  counters.issued = counters.issued + 1
  local client = counters.issued % CLIENTS_PER_THREAD
  headers["X-Forwarded-For"] = string.format("10.%d.%d.%d", (thread_id or 1) % 256, math.floor(client / 256), client % 256)
  return wrk.format("POST", events[i][1], headers, events[i][2])
end

function response(status, headers, body)
  lib.count_response(counters, status, nil)
end

function done(summary, latency, requests)
  lib.write(summary, latency, threads, "counters")
end
