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

-- The latencies of the answers wrk received, as they were measured.
--
-- Before done() sees its histogram, wrk 4 "corrects" it for coordinated omission (stats_correct in
-- wrk.c): it takes the interval every connection would have kept between its requests (the run's
-- duration / the answers per connection) and, for every answer slower than twice that, records
-- made-up answers at its latency minus one interval, minus two, ... down to one interval. That
-- models a client that stalls with the server; here a slow answer is one slow read (an upstream
-- miss) while the same server answers every other connection at once, so the made-up answers were
-- most of the tail: a server answering 2 % of requests in 300 ms and the rest in 0.3 ms showed a
-- p95 of 207 ms through wrk (0.69 ms measured). The correction only ever adds to a bin the counts
-- of the bins one, two, ... intervals above it, so walking down from the slowest bin undoes it
-- exactly. The histogram is read through LuaJIT's FFI (wrk links LuaJIT): wrk's `stats` struct,
-- a userdata holding its address.
local ffi = require("ffi")
ffi.cdef [[
  typedef struct { uint64_t count; uint64_t limit; uint64_t min; uint64_t max; uint64_t data[]; } wrk_stats;
]]

local function percentiles(values, counts, total)
  -- wrk's own rule (stats_percentile): the first bin whose running count reaches the rank
  local function at(q)
    local rank = math.floor((q / 100) * total + 0.5 + 0.5)
    local seen = 0
    for i = 1, #values do
      seen = seen + counts[i]
      if seen >= rank then return values[i] / 1000.0 end
    end
    return #values > 0 and values[#values] / 1000.0 or 0
  end
  local sum = 0
  for i = 1, #values do sum = sum + values[i] * counts[i] end
  return {
    p50 = at(50), p75 = at(75), p90 = at(90), p95 = at(95), p99 = at(99), p999 = at(99.9),
    max = #values > 0 and values[#values] / 1000.0 or 0, mean = total > 0 and sum / total / 1000.0 or 0,
  }
end

function M.measured_latency(summary, latency, connections)
  assert(connections and connections > 0, "WRK_CONNECTIONS is not set (the -c of this run)")
  local s = ffi.cast("wrk_stats **", latency)[0]
  local low, high = tonumber(s.min), tonumber(s.max)
  assert(low == latency.min and high == latency.max, "wrk's stats struct is not laid out as expected")
  local per_connection = math.floor(summary.requests / connections)
  local interval = per_connection > 0 and math.floor(summary.duration / per_connection) or math.huge
  local values, counts, total = {}, {}, 0
  if summary.requests > 0 and high >= low then
    local above = ffi.new("double[?]", interval <= high and interval or 1)
    for bin = high, low, -1 do
      local count = tonumber(s.data[bin])
      if bin > interval then
        local class = bin % interval
        count = count - above[class]
        assert(count >= 0, "wrk's latency histogram does not undo: not the correction this script knows")
        above[class] = above[class] + count
      end
      if count > 0 then
        values[#values + 1] = bin
        counts[#counts + 1] = count
        total = total + count
      end
    end
  end
  -- ascending, as percentiles() walks them
  for i = 1, math.floor(#values / 2) do
    local j = #values + 1 - i
    values[i], values[j] = values[j], values[i]
    counts[i], counts[j] = counts[j], counts[i]
  end
  assert(total <= summary.requests, "more latencies than answers after undoing wrk's correction")
  return {
    latencyMs = percentiles(values, counts, total),
    added = tonumber(s.count) - total,
    intervalMs = interval ~= math.huge and interval / 1000.0 or nil,
  }
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
  local measured = M.measured_latency(summary, latency, tonumber(os.getenv("WRK_CONNECTIONS") or ""))
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
    latencyMs = measured.latencyMs,
    -- wrk's own figures, made-up answers included (see measured_latency)
    latencyMsWrk = {
      p50 = p(50), p75 = p(75), p90 = p(90), p95 = p(95), p99 = p(99), p999 = p(99.9),
      max = latency.max / 1000.0, mean = latency.mean / 1000.0,
    },
    latencyAddedByWrk = measured.added,
    latencyIntervalMs = measured.intervalMs,
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
