-- Permamind registry read transforms.
--
-- One module for two runtimes: HyperBEAM nodes run it with Luerl (the lua@5.3a device) over the
-- registry process state, and the gateway runs it with luaj. Portability rules and calling
-- conventions: shared/registry-contract.md section 3. In short: ASCII source, no require, no
-- integer division, bitwise operators, goto, utf8, io, os or coroutines; fold ASCII letters only;
-- never rely on pairs() order; every exported function answers {ok, data} or {ok=false, error}.

local find, sub, match, gsub, char, format = string.find, string.sub, string.match, string.gsub,
  string.char, string.format
local floor, concat, sort = math.floor, table.concat, table.sort

local DAY_MS = 86400000
-- Records written by older process code hold seconds; nothing in the registry predates 1973.
local SECONDS_BELOW = 100000000000
local MAX_TEXT_CHARS = 256
local MAX_NAME_CHARS = 128
local MAX_TAGS = 10
local DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET = 20, 100, 100000
-- Uppercase, so it can never collide with a state key: the node lowercases those.
local INDEX_KEY = "__REGISTRY_INDEX"

-- Encoders (the node's serialiser, the gateway bridge) cannot tell an empty array from an empty
-- object; every array this module builds or decodes carries this marker.
local ARRAY = { __jsonarray = true }
local function array(t)
  return setmetatable(t or {}, ARRAY)
end

---------------------------------------------------------------------------------------------
-- JSON decoding. Luerl is slow at character-by-character work, so every step jumps with
-- string.find to the next token that matters.

local decode_value

local function json_fail(pos, what)
  error("invalid registry state JSON at byte " .. pos .. ": " .. what, 0)
end

local function skip_space(s, pos)
  return find(s, "[^ \t\r\n]", pos) or (#s + 1)
end

local function utf8_encode(cp)
  if cp < 128 then
    return char(cp)
  elseif cp < 2048 then
    return char(192 + floor(cp / 64), 128 + cp % 64)
  elseif cp < 65536 then
    return char(224 + floor(cp / 4096), 128 + floor(cp / 64) % 64, 128 + cp % 64)
  end
  return char(240 + floor(cp / 262144), 128 + floor(cp / 4096) % 64, 128 + floor(cp / 64) % 64,
    128 + cp % 64)
end

local SIMPLE_ESCAPES = { ['"'] = '"', ["\\"] = "\\", ["/"] = "/", b = "\b", f = "\f", n = "\n",
  r = "\r", t = "\t" }

local function hex_at(s, pos)
  local hex = match(s, "^%x%x%x%x", pos)
  if not hex then json_fail(pos, "bad \\u escape") end
  return tonumber(hex, 16)
end

-- pos is at the opening quote; returns the string and the position after the closing quote.
local function decode_string(s, pos)
  local from = pos + 1
  local stop = find(s, '["\\]', from)
  if not stop then json_fail(pos, "unterminated string") end
  if sub(s, stop, stop) == '"' then
    return sub(s, from, stop - 1), stop + 1
  end
  local parts = {}
  while true do
    stop = find(s, '["\\]', from)
    if not stop then json_fail(pos, "unterminated string") end
    parts[#parts + 1] = sub(s, from, stop - 1)
    if sub(s, stop, stop) == '"' then
      return concat(parts), stop + 1
    end
    local esc = sub(s, stop + 1, stop + 1)
    if esc == "u" then
      local cp = hex_at(s, stop + 2)
      from = stop + 6
      if cp >= 55296 and cp <= 56319 and sub(s, from, from + 1) == "\\u" then
        local low = hex_at(s, from + 2)
        if low >= 56320 and low <= 57343 then
          cp = 65536 + (cp - 55296) * 1024 + (low - 56320)
          from = from + 6
        end
      end
      parts[#parts + 1] = utf8_encode(cp)
    else
      local plain = SIMPLE_ESCAPES[esc]
      if not plain then json_fail(stop, "bad escape") end
      parts[#parts + 1] = plain
      from = stop + 2
    end
  end
end

-- Position just after the string that opens at pos, without building it.
local function string_end(s, pos)
  local from = pos + 1
  while true do
    local stop = find(s, '["\\]', from)
    if not stop then json_fail(pos, "unterminated string") end
    if sub(s, stop, stop) == '"' then return stop + 1 end
    from = stop + 2
  end
end

local function decode_number(s, pos)
  local stop = find(s, "[^%d%.eE+%-]", pos) or (#s + 1)
  local n = tonumber(sub(s, pos, stop - 1))
  if not n then json_fail(pos, "bad number") end
  return n, stop
end

-- Download timestamps are long arrays of plain numbers: read them in one sweep.
local function decode_number_array(s, pos)
  local close = find(s, "]", pos, true)
  if not close then return nil end
  local body = sub(s, pos + 1, close - 1)
  if find(body, "[^%d%.eE+%-, \t\r\n]") then return nil end
  local list, from = array(), 1
  while true do
    local first, last = find(body, "[^, \t\r\n]+", from)
    if not first then break end
    local n = tonumber(sub(body, first, last))
    if not n then json_fail(pos, "bad number") end
    list[#list + 1] = n
    from = last + 1
  end
  return list, close + 1
end

local function decode_array(s, pos)
  local numbers, after = decode_number_array(s, pos)
  if numbers then return numbers, after end
  local list = array()
  pos = skip_space(s, pos + 1)
  if sub(s, pos, pos) == "]" then return list, pos + 1 end
  while true do
    local value
    value, pos = decode_value(s, pos)
    list[#list + 1] = value
    pos = skip_space(s, pos)
    local c = sub(s, pos, pos)
    if c == "]" then return list, pos + 1 end
    if c ~= "," then json_fail(pos, "expected , or ]") end
    pos = skip_space(s, pos + 1)
  end
end

-- Calls visit(key, valueStart) for each member and continues at the position visit returns.
local function each_member(s, pos, visit)
  pos = skip_space(s, pos + 1)
  if sub(s, pos, pos) == "}" then return pos + 1 end
  while true do
    if sub(s, pos, pos) ~= '"' then json_fail(pos, "expected a key") end
    local key
    key, pos = decode_string(s, pos)
    pos = skip_space(s, pos)
    if sub(s, pos, pos) ~= ":" then json_fail(pos, "expected :") end
    pos = skip_space(s, visit(key, skip_space(s, pos + 1)))
    local c = sub(s, pos, pos)
    if c == "}" then return pos + 1 end
    if c ~= "," then json_fail(pos, "expected , or }") end
    pos = skip_space(s, pos + 1)
  end
end

local function decode_object(s, pos)
  local object = {}
  local after = each_member(s, pos, function(key, at)
    local value, next_pos = decode_value(s, at)
    object[key] = value
    return next_pos
  end)
  return object, after
end

local LITERALS = { t = { "true", true }, f = { "false", false }, n = { "null", nil } }

decode_value = function(s, pos)
  local c = sub(s, pos, pos)
  if c == '"' then return decode_string(s, pos) end
  if c == "{" then return decode_object(s, pos) end
  if c == "[" then return decode_array(s, pos) end
  local literal = LITERALS[c]
  if literal then
    if sub(s, pos, pos + #literal[1] - 1) ~= literal[1] then json_fail(pos, "bad literal") end
    return literal[2], pos + #literal[1]
  end
  return decode_number(s, pos)
end

-- Position just after the value that starts at pos, without building it.
local function skip_value(s, pos)
  local c = sub(s, pos, pos)
  if c == '"' then return string_end(s, pos) end
  if c ~= "{" and c ~= "[" then
    return find(s, "[,}%] \t\r\n]", pos) or (#s + 1)
  end
  local depth = 0
  while true do
    local at = find(s, '[%[%]{}"]', pos)
    if not at then json_fail(pos, "unterminated value") end
    local ch = sub(s, at, at)
    if ch == '"' then
      pos = string_end(s, at)
    else
      if ch == "{" or ch == "[" then depth = depth + 1 else depth = depth - 1 end
      pos = at + 1
      if depth == 0 then return pos end
    end
  end
end

---------------------------------------------------------------------------------------------
-- Text rules shared by every query.

local ASCII_LOWER = {}
for code = 65, 90 do ASCII_LOWER[char(code)] = char(code + 32) end

-- Folds ASCII letters only: the node's string.lower corrupts UTF-8.
local function fold(text)
  return (gsub(text, "[A-Z]", ASCII_LOWER))
end

local function trim(text)
  return match(text, "^[ \t\n\v\f\r]*(.-)[ \t\n\v\f\r]*$")
end

-- Characters are code points: count every byte that does not continue a UTF-8 sequence.
local function char_count(text)
  local _, count = gsub(text, "[^\128-\191]", "")
  return count
end

local function longer_than(text, max_chars)
  return #text > max_chars and char_count(text) > max_chars
end

local function has_control_char(text)
  return find(text, "[\1-\31\127]") ~= nil or find(text, "\0", 1, true) ~= nil
    or find(text, "\194[\128-\159]") ~= nil
end

local function millis(t)
  if type(t) ~= "number" then return t end
  if t < SECONDS_BELOW then t = t * 1000 end
  return floor(t)
end

local function as_array(value)
  local list = array()
  if type(value) == "table" then
    for i = 1, #value do list[i] = value[i] end
  end
  return list
end

-- Numeric per part (1.10.0 above 1.9.0); anything that is not x.y.z sorts by its text.
local function semver_parts(version)
  local major, minor, patch = match(version, "^(%d+)%.(%d+)%.(%d+)")
  if not major then return nil end
  return { floor(tonumber(major)), floor(tonumber(minor)), floor(tonumber(patch)) }
end

local function semver_descending(a, b)
  local pa, pb = semver_parts(a), semver_parts(b)
  if pa and pb then
    for i = 1, 3 do
      if pa[i] ~= pb[i] then return pa[i] > pb[i] end
    end
  elseif pa or pb then
    return pa ~= nil
  end
  return a > b
end

---------------------------------------------------------------------------------------------
-- Domain errors travel as tables raised with error() and caught by export(); anything else
-- is a real runtime error and reaches the caller as one.

local REJECTION = {}

local function reject(kind, message)
  error(setmetatable({ kind = kind, message = message }, REJECTION), 0)
end

local function bad_request(message) reject("bad_request", message) end
local function not_found(message) reject("not_found", message) end

---------------------------------------------------------------------------------------------
-- Request parameters: the API's names, lowercased, as strings.

local function text_param(req, key, max_chars)
  local value = req[key]
  if value == nil then return nil end
  if type(value) ~= "string" then bad_request(key .. " must be text") end
  value = trim(value)
  if longer_than(value, max_chars) then
    bad_request(key .. " must be at most " .. max_chars .. " characters")
  end
  return value
end

local function integer_param(req, key, default, min, max)
  local raw = req[key]
  if raw == nil then return default end
  if type(raw) == "number" then raw = format("%d", raw) end
  if type(raw) ~= "string" or not match(raw, "^%d+$") or #raw > 16 then
    bad_request(key .. " must be a decimal integer")
  end
  local value = floor(tonumber(raw))
  if value < min or value > max then
    bad_request(key .. " must be between " .. min .. " and " .. max)
  end
  return value
end

local function skill_name_param(req)
  local name = req.name
  if type(name) ~= "string" or name == "" then bad_request("name is required") end
  if longer_than(name, MAX_NAME_CHARS) then
    bad_request("name must be at most " .. MAX_NAME_CHARS .. " characters")
  end
  if has_control_char(name) or find(name, "/", 1, true) then
    bad_request("name must not contain control characters or /")
  end
  return name
end

local function version_param(req)
  local version = req.version
  if version == nil then return nil end
  if type(version) ~= "string" or #version > 64 or not match(version, "^%d+%.%d+%.%d+$") then
    bad_request("version must look like 1.2.0")
  end
  return version
end

local function page_params(req)
  return integer_param(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT),
    integer_param(req, "offset", 0, 0, MAX_OFFSET)
end

local function tags_param(req)
  local raw = text_param(req, "tags", MAX_TEXT_CHARS * 4)
  local tags = {}
  if raw == nil then return tags end
  local from = 1
  while true do
    local first, last = find(raw, "[^,]+", from)
    if not first then break end
    local tag = trim(sub(raw, first, last))
    if tag ~= "" then tags[#tags + 1] = fold(tag) end
    from = last + 1
  end
  if #tags > MAX_TAGS then bad_request("at most " .. MAX_TAGS .. " tags") end
  return tags
end

local TIME_RANGES = { ["7"] = true, ["30"] = true, all = true }

local function time_range_param(req)
  local range = req.timerange
  if range == nil then return "all" end
  if not TIME_RANGES[range] then bad_request("timeRange must be 7, 30 or all") end
  return range
end

local function now_param(req)
  if req.now == nil then bad_request("now (ms) is required") end
  return integer_param(req, "now", 0, 0, 9999999999999999)
end

---------------------------------------------------------------------------------------------
-- The state index: sorted names, and each skill's entry decoded from the JSON string only when
-- a query needs it. A table state (the gateway's, decoded once and shared between threads) is
-- prepared in full up front, so that later calls only read it.

local function normalise_record(name, version, record)
  return {
    name = record.name or name,
    version = record.version or version,
    description = record.description,
    author = record.author,
    owner = record.owner,
    tags = as_array(record.tags),
    dependencies = as_array(record.dependencies),
    arweaveTxId = record.arweaveTxId,
    bundledFiles = as_array(record.bundledFiles),
    changelog = record.changelog,
    downloadCount = type(record.downloadCount) == "number" and floor(record.downloadCount) or 0,
    publishedAt = millis(record.publishedAt),
    updatedAt = millis(record.updatedAt),
  }
end

-- What list and search look at, computed once per skill.
local function describe_latest(name, entry)
  local version = entry.latest
  local record = type(entry.versions) == "table" and entry.versions[version]
  if type(record) ~= "table" then return nil end
  local skill = normalise_record(name, version, record)
  local tags, tag_set = {}, {}
  for i = 1, #skill.tags do
    if type(skill.tags[i]) == "string" then
      tags[#tags + 1] = fold(skill.tags[i])
      tag_set[tags[#tags]] = true
    end
  end
  local fields = { fold(skill.name or name), fold(skill.description or "") }
  for i = 1, #tags do fields[#fields + 1] = tags[i] end
  return {
    skill = skill,
    name = fields[1],
    author = fold(type(skill.author) == "string" and skill.author or ""),
    tag_set = tag_set,
    fields = fields,
    text = concat(fields, "\n"),
  }
end

local function entry_of(index, name)
  local entry = index.entries[name]
  if entry == nil and index.spans[name] then
    entry = decode_value(index.source, index.spans[name])
    index.entries[name] = entry
  end
  if type(entry) ~= "table" then return nil end
  return entry
end

local function latest_of(index, name)
  local latest = index.latest[name]
  if latest == nil then
    local entry = entry_of(index, name)
    latest = entry and describe_latest(name, entry) or false
    index.latest[name] = latest
  end
  return latest or nil
end

local function build_index(skills)
  local index = { source = skills, names = {}, entries = {}, spans = {}, latest = {} }
  if type(skills) == "string" then
    local pos = skip_space(skills, 1)
    if sub(skills, pos, pos) ~= "{" then json_fail(pos, "the skills state must be an object") end
    each_member(skills, pos, function(name, at)
      index.names[#index.names + 1] = name
      index.spans[name] = at
      return skip_value(skills, at)
    end)
  elseif type(skills) == "table" then
    for name, entry in pairs(skills) do
      if type(name) == "string" then
        index.names[#index.names + 1] = name
        index.entries[name] = entry
      end
    end
  end
  sort(index.names)
  return index
end

-- The latest version of every skill, in name order: what list and search walk through.
local function ordered_latest(index)
  local ordered = index.ordered
  if ordered == nil then
    ordered = {}
    for _, name in ipairs(index.names) do
      ordered[#ordered + 1] = latest_of(index, name)
    end
    index.ordered = ordered
  end
  return ordered
end

-- All searchable text in one string, so a search is a few string.find jumps instead of a
-- Lua loop over every skill; starts[i] is where skill i begins.
local function search_corpus(index)
  local corpus = index.corpus
  if corpus == nil then
    local texts, starts, pos = {}, {}, 1
    for i, latest in ipairs(ordered_latest(index)) do
      texts[i] = latest.text
      starts[i] = pos
      pos = pos + #latest.text + 1
    end
    corpus = { text = concat(texts, "\n"), starts = starts }
    index.corpus = corpus
  end
  return corpus
end

local function prepare(index)
  search_corpus(index)
  return index
end

local function index_of(base)
  local index = base[INDEX_KEY]
  if index == nil or index.source ~= base.skills then
    index = build_index(base.skills)
    if type(base.skills) == "table" then prepare(index) end
    base[INDEX_KEY] = index
  end
  return index
end

local function skill_entry(index, name)
  local entry = entry_of(index, name)
  if not entry then not_found("Skill '" .. name .. "' not found") end
  return entry
end

local function slice(list, offset, limit)
  local page = array()
  for i = offset + 1, math.min(#list, offset + limit) do page[#page + 1] = list[i] end
  return page
end

local function search(index, needle)
  local ordered, found = ordered_latest(index), {}
  if needle == "" then
    for i = 1, #ordered do found[i] = ordered[i].skill end
  elseif find(needle, "\n", 1, true) then
    -- the corpus separates fields with newlines: such a needle is checked field by field
    for i = 1, #ordered do
      local fields = ordered[i].fields
      for f = 1, #fields do
        if find(fields[f], needle, 1, true) then
          found[#found + 1] = ordered[i].skill
          break
        end
      end
    end
  else
    local corpus = search_corpus(index)
    local text, starts, from, i = corpus.text, corpus.starts, 1, 1
    while true do
      local at = find(text, needle, from, true)
      if not at then break end
      -- matches come in corpus order, so the skill holding one is at or after the last
      while starts[i + 1] and starts[i + 1] <= at do i = i + 1 end
      found[#found + 1] = ordered[i].skill
      i = i + 1
      from = starts[i] or (#text + 1)
    end
  end
  return found
end

-------------------------------------------------------------------------------------------
-- Download windows.

local function downloads(record)
  local stamps = record.downloadTimestamps
  if type(stamps) ~= "table" then
    return {}, type(record.downloadCount) == "number" and floor(record.downloadCount) or 0
  end
  return stamps, #stamps
end

local function count_windows(totals, record, now)
  local stamps, total = downloads(record)
  totals.all = totals.all + total
  local week_start, month_start = now - 7 * DAY_MS, now - 30 * DAY_MS
  for i = 1, #stamps do
    local t = millis(stamps[i])
    if type(t) == "number" and t <= now and t >= month_start then
      totals.month = totals.month + 1
      if t >= week_start then totals.week = totals.week + 1 end
    end
  end
end

local function put_windows(data, totals, range)
  data.downloadsTotal = totals.all
  if range == "7" or range == "all" then data.downloads7Days = totals.week end
  if range == "30" or range == "all" then data.downloads30Days = totals.month end
  return data
end

local function new_totals()
  return { all = 0, week = 0, month = 0 }
end

local function sorted_versions(entry)
  local versions = {}
  if type(entry.versions) == "table" then
    for version, record in pairs(entry.versions) do
      if type(version) == "string" and type(record) == "table" then
        versions[#versions + 1] = version
      end
    end
  end
  sort(versions, semver_descending)
  return versions
end

---------------------------------------------------------------------------------------------
-- The queries. Each is reachable on a node at .../~lua@5.3a&module=<id>/<name>/serialize~json@1.0

local function export(name, query)
  _G[name] = function(base, req)
    local ok, result = pcall(query, base or {}, req or {})
    if ok then return { ok = true, data = result } end
    if getmetatable(result) == REJECTION then
      return { ok = false, error = { kind = result.kind, message = result.message } }
    end
    error(result, 0)
  end
end

export("info", function(base)
  local index = index_of(base)
  local totals = new_totals()
  for _, name in ipairs(index.names) do
    local entry = entry_of(index, name)
    if entry and type(entry.versions) == "table" then
      for _, record in pairs(entry.versions) do
        if type(record) == "table" then totals.all = totals.all + select(2, downloads(record)) end
      end
    end
  end
  return { totalSkills = #index.names, totalDownloads = totals.all }
end)

export("search-skills", function(base, req)
  local query = text_param(req, "q", MAX_TEXT_CHARS) or ""
  local limit, offset = page_params(req)
  local found = search(index_of(base), fold(query))
  return { query = query, results = slice(found, offset, limit), total = #found,
    limit = limit, offset = offset }
end)

export("list-skills", function(base, req)
  local limit, offset = page_params(req)
  local author = text_param(req, "author", MAX_TEXT_CHARS)
  local name_part = text_param(req, "name", MAX_TEXT_CHARS)
  local tags = tags_param(req)
  author = author ~= "" and author and fold(author) or nil
  name_part = name_part ~= "" and name_part and fold(name_part) or nil
  local found = {}
  for _, latest in ipairs(ordered_latest(index_of(base))) do
    local keep = (author == nil or latest.author == author)
      and (name_part == nil or find(latest.name, name_part, 1, true) ~= nil)
    for i = 1, #tags do
      keep = keep and latest.tag_set[tags[i]] == true
    end
    if keep then found[#found + 1] = latest.skill end
  end
  local page = slice(found, offset, limit)
  return {
    skills = page,
    pagination = { total = #found, limit = limit, offset = offset, returned = #page,
      hasNextPage = offset + #page < #found, hasPrevPage = offset > 0 },
  }
end)

local function record_of(entry, name, version)
  local wanted = version or entry.latest
  local record = type(entry.versions) == "table" and entry.versions[wanted]
  if type(record) ~= "table" then
    not_found("Skill '" .. name .. "' version '" .. tostring(wanted) .. "' not found")
  end
  return record, wanted
end

export("get-skill", function(base, req)
  local name, version = skill_name_param(req), version_param(req)
  local index = index_of(base)
  local entry = skill_entry(index, name)
  if version == nil then
    local latest = latest_of(index, name)
    if latest then return latest.skill end
  end
  local record, resolved = record_of(entry, name, version)
  return normalise_record(name, resolved, record)
end)

export("get-skill-versions", function(base, req)
  local name = skill_name_param(req)
  local entry = skill_entry(index_of(base), name)
  local versions = array()
  for _, version in ipairs(sorted_versions(entry)) do
    local record = entry.versions[version]
    versions[#versions + 1] = {
      version = version,
      publishedAt = millis(record.publishedAt),
      updatedAt = millis(record.updatedAt),
      arweaveTxId = record.arweaveTxId,
      downloadCount = type(record.downloadCount) == "number" and floor(record.downloadCount) or 0,
      changelog = record.changelog,
    }
  end
  return { name = name, latest = entry.latest, total = #versions, versions = versions }
end)

export("get-download-stats", function(base, req)
  local range, now = time_range_param(req), now_param(req)
  local index = index_of(base)
  local totals = new_totals()
  if req.scope ~= nil then
    if req.scope ~= "all" then bad_request("scope must be all") end
    for _, name in ipairs(index.names) do
      local entry = entry_of(index, name)
      if entry and type(entry.versions) == "table" then
        for _, record in pairs(entry.versions) do
          if type(record) == "table" then count_windows(totals, record, now) end
        end
      end
    end
    return put_windows({ totalSkills = #index.names }, totals, range)
  end
  local name, version = skill_name_param(req), version_param(req)
  local entry = skill_entry(index, name)
  if version then
    count_windows(totals, record_of(entry, name, version), now)
  else
    for _, listed in ipairs(sorted_versions(entry)) do
      count_windows(totals, entry.versions[listed], now)
    end
  end
  return put_windows({ skillName = name, version = version }, totals, range)
end)

-- A dynamic read cannot change process state: this validates the download the forwarder is
-- about to report and answers the count the process holds now.
export("record-download", function(base, req)
  local name, version = skill_name_param(req), version_param(req)
  local entry = skill_entry(index_of(base), name)
  local record, resolved = record_of(entry, name, version)
  return { skillName = name, version = resolved, downloadCount = select(2, downloads(record)) }
end)
