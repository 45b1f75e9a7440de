-- wrk script for bench/download-events: POST /api/skills/{name}/downloads for skills the fixture
-- holds, without a version (every version counts), so the forwarder delivers every event.
local skills = { "bundler", "cron", "dao", "bridge-cache", "crypto-signing", "bundler-token" }
local index = 0

request = function()
  index = index % #skills + 1
  return wrk.format("POST", "/api/skills/" .. skills[index] .. "/downloads",
    { ["Content-Type"] = "application/json", ["User-Agent"] = "wrk-bench" }, "{}")
end
