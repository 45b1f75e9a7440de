-- Replays the request paths of $WRK_PATHS (one per line, e.g. a Zipf mix or distinct keys), each
-- thread from its own position, and counts status codes and X-Registry-Source values.
--   WRK_PATHS   file of paths (required)
--   WRK_ONCE    "1": every path at most once; a thread stops when its share is used up, so a run
--               of distinct keys never repeats one (the run is still bounded by -d)
--   WRK_REPORT  where done() writes the JSON report
--   WRK_THINK_MS  mean pause of a connection between an answer and its next request (a client's
--               think time), drawn from an exponential distribution; unset or 0: no pause
-- wrk -t1 -c1000 -d30s --timeout 10s -s bench/wrk/paths.lua http://127.0.0.1:8080
local lib = dofile((os.getenv("WRK_DIR") or "bench/wrk") .. "/report.lua")
local threads = {}
local thread_count = 0

function setup(thread)
  thread_count = thread_count + 1
  thread:set("thread_id", thread_count)
  table.insert(threads, thread)
end

local paths, n, i, step, once, stopping
counters = lib.new_counters()

function init(args)
  paths = {}
  local file = os.getenv("WRK_PATHS")
  assert(file, "WRK_PATHS is not set")
  for line in io.lines(file) do
    if line ~= "" then paths[#paths + 1] = line end
  end
  n = #paths
  assert(n > 0, "no paths in " .. os.getenv("WRK_PATHS"))
  once = os.getenv("WRK_ONCE") == "1"
  -- threads interleave: thread k takes paths k, k+T, k+2T... (T = number of threads)
  step = tonumber(os.getenv("WRK_THREADS") or "1")
  i = (thread_id or 1) - step
end

function request()
  i = i + step
  if i > n then
    if once then
      if not stopping then
        stopping = true
        wrk.thread:stop()
      end
      i = n
    else
      i = ((i - 1) % n) + 1
    end
  end
  counters.issued = counters.issued + 1
  return wrk.format("GET", paths[i])
end

local think_ms = tonumber(os.getenv("WRK_THINK_MS") or "0")
if think_ms > 0 then
  -- wrk measures a request's latency from when it is written, so the pause is not in it
  function delay()
    return math.floor(-think_ms * math.log(1 - math.random()) + 0.5)
  end
end

function response(status, headers, body)
  lib.count_response(counters, status, headers)
end

function done(summary, latency, requests)
  lib.write(summary, latency, threads, "counters")
end
