-- Shared by the bench/wrk scripts (loaded with dofile): the per-thread counters and the JSON
-- report that done() writes to $WRK_REPORT, read by the suite (PerformanceSuite).
local M = {}

local function encode(value)
  local kind = type(value)
  if kind == "table" then
    local keys = {}
    for k in pairs(value) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
    local parts = {}
    for _, k in ipairs(keys) do
      parts[#parts + 1] = encode(tostring(k)) .. ":" .. encode(value[k])
    end
    return "{" .. table.concat(parts, ",") .. "}"
  elseif kind == "number" then
    if value ~= value or value == math.huge or value == -math.huge then return "null" end
    if value == math.floor(value) and math.abs(value) < 1e15 then return string.format("%d", value) end
    return string.format("%.6f", value)
  elseif kind == "string" then
    return (string.format("%q", value):gsub("\\\n", "\\n"))
  elseif kind == "boolean" then
    return tostring(value)
  end
  return "null"
end

-- Per-thread counters live in ONE FLAT table of numbers ("status:200", "source:cache",
-- "issued"): wrk's thread:get() copies flat tables but crashes on nested ones.
function M.new_counters()
  return { issued = 0 }
end

function M.count_response(c, status, headers)
  local s = "status:" .. status
  c[s] = (c[s] or 0) + 1
  if headers then
    local name = headers["X-Registry-Source"] or headers["x-registry-source"] or "none"
    local source = "source:" .. name
    c[source] = (c[source] or 0) + 1
    -- Server-Timing: upstream;dur=12.3;desc="hyperbeam": the upstream time the gateway saw
    local timing = headers["Server-Timing"] or headers["server-timing"]
    local dur = timing and tonumber(timing:match("dur=([%d%.]+)"))
    if dur then
      c["upsum:" .. name] = (c["upsum:" .. name] or 0) + dur
      c["upcount:" .. name] = (c["upcount:" .. name] or 0) + 1
    end
  end
end

-- Writes the report; threads is the list kept by setup(), counters the name of the global that
-- holds each thread's counters (nil when the script counts nothing itself).
function M.write(summary, latency, threads, counters)
  local statuses, sources, issued, upsum, upcount = {}, {}, 0, {}, {}
  if counters then
    for _, t in ipairs(threads) do
      local c = t:get(counters)
      for k, v in pairs(c or {}) do
        local kind, name = k:match("^(%a+):(.*)$")
        if kind == "status" then
          statuses[name] = (statuses[name] or 0) + v
        elseif kind == "source" then
          sources[name] = (sources[name] or 0) + v
        elseif kind == "upsum" then
          upsum[name] = (upsum[name] or 0) + v
        elseif kind == "upcount" then
          upcount[name] = (upcount[name] or 0) + v
        elseif k == "issued" then
          issued = issued + v
        end
      end
    end
  end
  local upstream = {}
  for name, n in pairs(upcount) do upstream[name] = upsum[name] / n end
  local p = function(q) return latency:percentile(q) / 1000.0 end
  local report = {
    label = os.getenv("WRK_LABEL") or "",
    durationSec = summary.duration / 1e6,
    requests = summary.requests,
    bytes = summary.bytes,
    rps = summary.requests / (summary.duration / 1e6),
    errors = {
      connect = summary.errors.connect, read = summary.errors.read, write = summary.errors.write,
      status = summary.errors.status, timeout = summary.errors.timeout,
    },
    latencyMs = {
      p50 = p(50), p75 = p(75), p90 = p(90), p95 = p(95), p99 = p(99), p999 = p(99.9),
      max = latency.max / 1000.0, mean = latency.mean / 1000.0,
    },
    counted = counters ~= nil,
    statuses = statuses,
    sources = sources,
    issued = issued,
    upstreamMillis = upstream,
  }
  local path = os.getenv("WRK_REPORT")
  if path and path ~= "" then
    local f = assert(io.open(path, "w"))
    f:write(encode(report), "\n")
    f:close()
  else
    io.write(encode(report), "\n")
  end
end

return M
