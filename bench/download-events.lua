-- wrk script for bench/download-events: POST /api/skills/{name}/downloads for skills the fixture
-- holds, without a version (every version counts), so the forwarder delivers every event.
-- Each request comes from one of many clients (X-Forwarded-For, which the benchmark's gateway trusts),
-- each wrk thread its own 32,768 addresses: at 10,000 events/s a client posts about 18 a minute, well
-- under the per-client limit (60 a minute), so the limit is applied to every request but refuses none.
local skills = { "bundler", "cron", "dao", "bridge-cache", "crypto-signing", "bundler-token" }
local CLIENTS_PER_THREAD = 32768
local threads = 0
local index = 0
first = 0

function setup(thread)
  thread:set("first", threads * CLIENTS_PER_THREAD)
  threads = threads + 1
end

request = function()
  index = index + 1
  local n = first + index % CLIENTS_PER_THREAD
  local address = string.format("10.%d.%d.%d", math.floor(n / 65536) % 256, math.floor(n / 256) % 256, n % 256)
  return wrk.format("POST", "/api/skills/" .. skills[index % #skills + 1] .. "/downloads",
    { ["Content-Type"] = "application/json", ["User-Agent"] = "wrk-bench", ["X-Forwarded-For"] = address }, "{}")
end
