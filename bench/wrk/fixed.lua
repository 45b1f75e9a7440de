-- One URL, wrk's static request (no per-request Lua): the throughput runs of "cached reads".
-- wrk -t1 -c64 -d10s -s bench/wrk/fixed.lua http://127.0.0.1:8080/api/skills/NAME
-- Writes the JSON report to $WRK_REPORT (stdout without it).
local lib = dofile((os.getenv("WRK_DIR") or "bench/wrk") .. "/report.lua")
local threads = {}

function setup(thread)
  table.insert(threads, thread)
end

function done(summary, latency, requests)
  lib.write(summary, latency, threads, nil)
end
