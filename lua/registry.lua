-- Permamind registry read transforms.
--
-- One module for two runtimes: HyperBEAM nodes run it with Luerl (the lua@5.3a device) over the
-- registry process state, and the gateway runs it with luaj. Portability rules and calling
-- conventions: shared/registry-contract.md section 3. In short: ASCII source, no require, no
-- integer division, bitwise operators, goto, utf8, io, os or coroutines; fold ASCII letters only;
-- never rely on pairs() order; every exported function answers {ok, data} or {ok=false, error}.

local find, sub, match, gsub, char, format, reverse = string.find, string.sub, string.match,
  string.gsub, string.char, string.format, string.reverse
local floor, concat, sort = math.floor, table.concat, table.sort

local DAY_MS = 86400000
-- Records written by older process code hold seconds; nothing in the registry predates 1973.
local SECONDS_BELOW = 100000000000
local MAX_TEXT_CHARS = 256
local MAX_NAME_CHARS = 128
local MAX_TAGS = 10
local DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET = "20", 100, 100000
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

local SPACE = { [" "] = true, ["\t"] = true, ["\n"] = true, ["\r"] = true }

-- The character at pos, or past white space the first one after it, and where it is. One
-- native call per token in compact JSON, which is what the node hands over.
local function next_char(s, pos)
  local c = sub(s, pos, pos)
  if SPACE[c] then
    pos = find(s, "[^ \t\r\n]", pos) or (#s + 1)
    c = sub(s, pos, pos)
  end
  return c, pos
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
  -- plain finds are native in Luerl; patterns are interpreted
  local stop = find(s, '"', from, true)
  if not stop then json_fail(pos, "unterminated string") end
  local text = sub(s, from, stop - 1)
  if not find(text, "\\", 1, true) then return text, stop + 1 end
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
    local stop = find(s, '"', from, true)
    if not stop then json_fail(pos, "unterminated string") end
    -- the quote closes the string unless an odd run of backslashes escapes it
    local slashes = 0
    while sub(s, stop - 1 - slashes, stop - 1 - slashes) == "\\" do slashes = slashes + 1 end
    if slashes % 2 == 0 then return stop + 1 end
    from = stop + 1
  end
end

local function decode_number(s, pos)
  local stop = find(s, "[^%d%.eE+%-]", pos) or (#s + 1)
  local n = tonumber(sub(s, pos, stop - 1))
  if not n then json_fail(pos, "bad number") end
  return n, stop
end

-- Where the array opening at pos closes, if it holds no string, object or array: download
-- timestamps, the bulk of a state, are such lists and are crossed with native searches only.
local NESTING = { '"', "[", "{" }

local function flat_array_end(s, pos)
  local close = find(s, "]", pos, true)
  if not close then json_fail(pos, "unterminated array") end
  for i = 1, #NESTING do
    local at = find(s, NESTING[i], pos + 1, true)
    if at and at < close then return nil end
  end
  return close
end

local function decode_number_array(s, pos)
  local close = flat_array_end(s, pos)
  if not close then return nil end
  local list, from = array(), pos + 1
  while from < close do
    local comma = find(s, ",", from, true)
    if not comma or comma > close then comma = close end
    local token = sub(s, from, comma - 1)
    local n = tonumber(token)
    if n then
      list[#list + 1] = n
    elseif find(token, "[^ \t\r\n]") then
      json_fail(from, "bad number")
    end
    from = comma + 1
  end
  return list, close + 1
end

local function decode_array(s, pos, skipped)
  local numbers, after = decode_number_array(s, pos)
  if numbers then return numbers, after end
  local list = array()
  local c, at = next_char(s, pos + 1)
  if c == "]" then return list, at + 1 end
  pos = at
  while true do
    local value
    value, pos = decode_value(s, pos, skipped)
    list[#list + 1] = value
    c, pos = next_char(s, pos)
    if c == "]" then return list, pos + 1 end
    if c ~= "," then json_fail(pos, "expected , or ]") end
    pos = pos + 1
  end
end

-- Calls visit(key, valueStart) for each member and continues at the position visit returns.
local function each_member(s, pos, visit)
  local c
  c, pos = next_char(s, pos + 1)
  if c == "}" then return pos + 1 end
  while true do
    if c ~= '"' then json_fail(pos, "expected a key") end
    local key
    key, pos = decode_string(s, pos)
    c, pos = next_char(s, pos)
    if c ~= ":" then json_fail(pos, "expected :") end
    c, pos = next_char(s, visit(key, pos + 1))
    if c == "}" then return pos + 1 end
    if c ~= "," then json_fail(pos, "expected , or }") end
    c, pos = next_char(s, pos + 1)
  end
end

-- Position just after the value that starts at pos, without building it.
local function skip_value(s, pos)
  local c
  c, pos = next_char(s, pos)
  if c == '"' then return string_end(s, pos) end
  if c ~= "{" and c ~= "[" then
    return find(s, "[,}%] \t\r\n]", pos) or (#s + 1)
  end
  local depth = 0
  while true do
    local at = find(s, '[%[%]{}"]', pos)
    if not at then json_fail(pos, "unterminated value") end
    local ch = sub(s, at, at)
    local flat_end = ch == "[" and flat_array_end(s, at)
    if ch == '"' then
      pos = string_end(s, at)
    elseif flat_end then
      pos = flat_end + 1
      if depth == 0 then return pos end
    else
      if ch == "{" or ch == "[" then depth = depth + 1 else depth = depth - 1 end
      pos = at + 1
      if depth == 0 then return pos end
    end
  end
end

-- Members named in skipped are stepped over, not decoded, at any depth.
local function decode_object(s, pos, skipped)
  local object = {}
  local after = each_member(s, pos, function(key, at)
    if skipped and skipped[key] then return skip_value(s, at) end
    local value, next_pos = decode_value(s, at, skipped)
    object[key] = value
    return next_pos
  end)
  return object, after
end

local LITERALS = { t = { "true", true }, f = { "false", false }, n = { "null", nil } }

decode_value = function(s, pos, skipped)
  local c
  c, pos = next_char(s, pos)
  if c == '"' then return decode_string(s, pos) end
  if c == "{" then return decode_object(s, pos, skipped) end
  if c == "[" then return decode_array(s, pos, skipped) end
  local literal = LITERALS[c]
  if literal then
    if sub(s, pos, pos + #literal[1] - 1) ~= literal[1] then json_fail(pos, "bad literal") end
    return literal[2], pos + #literal[1]
  end
  return decode_number(s, pos)
end

---------------------------------------------------------------------------------------------
-- Text rules shared by every query.

local ASCII_LOWER = {}
for code = 65, 90 do ASCII_LOWER[char(code)] = char(code + 32) end

-- Folds ASCII letters only: the node's string.lower corrupts UTF-8.
local function fold(text)
  return (gsub(text, "[A-Z]", ASCII_LOWER))
end

-- Each end is one anchored match over its own run of spaces, the trailing one on the reversed
-- text: "^%s*(.-)%s*$" retried its tail at every position of an inner run of spaces, so a few KB
-- of them cost millions of steps.
local function trim(text)
  -- Luerl 1.0's match finds nothing at all in an empty string
  if text == "" then return text end
  local _, leading = find(text, "^[ \t\n\v\f\r]*")
  if leading == #text then return "" end
  local _, trailing = find(reverse(text), "^[ \t\n\v\f\r]*")
  return sub(text, leading + 1, #text - trailing)
end

-- Patterns with bytes above 127 are built at load time: Luerl 1.0 reads "\ddd" escapes above
-- 127 in the source as characters and UTF-8-encodes them.
local NOT_CONTINUATION_BYTE = "[^" .. char(128) .. "-" .. char(191) .. "]"
local C1_CONTROL = char(194) .. "[" .. char(128) .. "-" .. char(159) .. "]"

-- Characters are code points: count every byte that does not continue a UTF-8 sequence.
local function char_count(text)
  local _, count = gsub(text, NOT_CONTINUATION_BYTE, "")
  return count
end

local function longer_than(text, max_chars)
  if #text <= max_chars then return false end
  -- a character is at most 4 bytes: a prefix that already holds too many spares counting the rest
  local prefix = 4 * (max_chars + 1)
  if #text > prefix and char_count(sub(text, 1, prefix)) > max_chars then return true end
  return char_count(text) > max_chars
end

local function has_control_char(text)
  return find(text, "[\1-\31\127]") ~= nil or find(text, "\0", 1, true) ~= nil
    or find(text, C1_CONTROL) ~= nil
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
-- Domain errors travel as strings raised with error() and caught by export(); anything else
-- is a real runtime error and reaches the caller as one. Never a table: Luerl 1.3.0, the nodes'
-- Lua, hands pcall's caller tostring() of an error value that is not a string ("table: 36").
-- The marker holds a control character, which no name that reaches a message can.

local REJECTION = "\1registry-rejection:"

local function reject(kind, message)
  error(REJECTION .. kind .. "\1" .. message, 0)
end

-- The kind and message of a rejection raised by reject(), found wherever the runtime put it.
local function rejection(raised)
  if type(raised) ~= "string" then return nil end
  local at = find(raised, REJECTION, 1, true)
  if not at then return nil end
  local rest = sub(raised, at + #REJECTION)
  local split = find(rest, "\1", 1, true)
  if not split then return nil end
  return { kind = sub(rest, 1, split - 1), message = sub(rest, split + 1) }
end

local function bad_request(message) reject("bad_request", message) end
local function not_found(message) reject("not_found", message) end

---------------------------------------------------------------------------------------------
-- Requests. A query first reads its request into canonical form: each parameter it takes
-- (the API's names, lowercased), checked, normalised and with its default, as text; the
-- parameters it does not take, optional ones left empty and filters that keep everything are
-- left out. It answers from that form alone, so requests with the same form get the same answer
-- and the canonical form of a canonical request is itself: the gateway keys its cache by it and
-- sends it upstream (canonical-request below).

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

-- Matched where the case of a value never shows in an answer: folded, and left out when empty.
local function folded_param(req, key, max_chars)
  local value = text_param(req, key, max_chars)
  if value == nil or value == "" then return nil end
  return fold(value)
end

-- The decimal digits without leading zeros: the text, not the number, so that no runtime's
-- rounding of a large one (Luerl reads 16 digits as a float) changes the form.
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
  return match(raw, "^0*(%d+)$")
end

-- An integer parameter of a canonical request.
local function int(text)
  return floor(tonumber(text))
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
  local limit = integer_param(req, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT)
  return limit, integer_param(req, "offset", "0", 0, MAX_OFFSET)
end

-- The parts of a comma list that are not empty.
local function comma_list(text)
  local parts, from = {}, 1
  while text do
    local first, last = find(text, "[^,]+", from)
    if not first then break end
    parts[#parts + 1] = sub(text, first, last)
    from = last + 1
  end
  return parts
end

-- A skill must carry every tag, so their order never changes the answer: sorted, it does not
-- change the canonical form either.
local function tags_param(req)
  local tags = {}
  local parts = comma_list(text_param(req, "tags", MAX_TEXT_CHARS * 4))
  for i = 1, #parts do
    local tag = trim(parts[i])
    if tag ~= "" then tags[#tags + 1] = fold(tag) end
  end
  if #tags > MAX_TAGS then bad_request("at most " .. MAX_TAGS .. " tags") end
  if #tags == 0 then return nil end
  sort(tags)
  return concat(tags, ",")
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
  return integer_param(req, "now", nil, 0, 9999999999999999)
end

---------------------------------------------------------------------------------------------
-- The state index: sorted names, and each skill's entry decoded from the JSON string only when
-- a query needs it. A table state (the gateway's, decoded once and shared between threads) is
-- prepared in full up front, so that later calls only read it.

local function download_count(record)
  return type(record.downloadCount) == "number" and floor(record.downloadCount) or 0
end

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
    downloadCount = download_count(record),
    publishedAt = millis(record.publishedAt),
    updatedAt = millis(record.updatedAt),
  }
end

-- Most queries never look at download timestamps, the bulk of the state: a light entry is
-- decoded without them (downloadCount still holds their number), and each of its versions only
-- when a query asks for that version; index.pending[name] holds where the others start.
local LIGHT = { downloadTimestamps = true }

local function decode_light_entry(index, name, at)
  local s = index.source
  local c, first = next_char(s, at)
  if c ~= "{" then return (decode_value(s, at, LIGHT)) end
  local entry, pending = {}, {}
  local after = each_member(s, first, function(key, pos)
    local value_char, value_at = next_char(s, pos)
    if key == "versions" and value_char == "{" then
      entry.versions = {}
      return each_member(s, value_at, function(version, record_at)
        pending[version] = record_at
        return skip_value(s, record_at)
      end)
    end
    local value, next_pos = decode_value(s, pos, LIGHT)
    entry[key] = value
    return next_pos
  end)
  index.pending[name] = pending
  return entry, after
end

local function version_record(index, name, entry, version)
  if type(entry.versions) ~= "table" or version == nil then return nil end
  local record = entry.versions[version]
  local pending = index.pending[name]
  if record == nil and pending and pending[version] then
    record = decode_value(index.source, pending[version], LIGHT)
    entry.versions[version] = record
    pending[version] = nil
  end
  if type(record) ~= "table" then return nil end
  return record
end

local function version_names(index, name, entry)
  local names = {}
  if type(entry.versions) == "table" then
    for version, record in pairs(entry.versions) do
      if type(version) == "string" and type(record) == "table" then names[#names + 1] = version end
    end
  end
  for version in pairs(index.pending[name] or {}) do names[#names + 1] = version end
  return names
end

-- What list and search look at, computed once per skill.
local function describe_latest(index, name, entry)
  local version = entry.latest
  local record = version_record(index, name, entry, version)
  if not record then return nil end
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

local function entry_of(index, name, light)
  local entry = index.entries[name]
  if entry == nil and index.spans[name] then
    local cache = light and index.light or index.entries
    entry = cache[name]
    if entry == nil then
      if light then
        entry = decode_light_entry(index, name, index.spans[name])
      else
        entry = decode_value(index.source, index.spans[name])
      end
      cache[name] = entry
    end
  end
  if type(entry) ~= "table" then return nil end
  return entry
end

local function latest_of(index, name)
  local latest = index.latest[name]
  if latest == nil then
    local entry = entry_of(index, name, true)
    latest = entry and describe_latest(index, name, entry) or false
    index.latest[name] = latest
  end
  return latest or nil
end

-- What a query reads of every skill: the walk that indexes a JSON state then decodes each
-- entry as it passes instead of stepping over it and coming back.
local EVERY_LIGHT, EVERY_FULL = "light", "full"

local function build_index(skills, every)
  local index = { source = skills, names = {}, entries = {}, light = {}, pending = {}, spans = {},
    latest = {} }
  if type(skills) == "string" then
    local c, pos = next_char(skills, 1)
    if c ~= "{" then json_fail(pos, "the skills state must be an object") end
    local cache = every == EVERY_LIGHT and index.light or index.entries
    each_member(skills, pos, function(name, at)
      index.names[#index.names + 1] = name
      index.spans[name] = at
      local entry, after
      if every == nil then
        return skip_value(skills, at)
      elseif every == EVERY_LIGHT then
        entry, after = decode_light_entry(index, name, at)
      else
        entry, after = decode_value(skills, at)
      end
      cache[name] = entry
      return after
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

local function index_of(base, every)
  local index = base[INDEX_KEY]
  if index == nil or index.source ~= base.skills then
    index = build_index(base.skills, every)
    if type(base.skills) == "table" then prepare(index) end
    base[INDEX_KEY] = index
  end
  return index
end

local function skill_entry(index, name, light)
  local entry = entry_of(index, name, light)
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
    return {}, download_count(record)
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

-- Every version record of a fully decoded entry, in no particular order.
local function each_record(entry, visit)
  if entry == nil or type(entry.versions) ~= "table" then return end
  for _, record in pairs(entry.versions) do
    if type(record) == "table" then visit(record) end
  end
end

local function sorted_versions(index, name, entry)
  local versions = version_names(index, name, entry)
  sort(versions, semver_descending)
  return versions
end

---------------------------------------------------------------------------------------------
-- The queries. Each is reachable on a node at .../~lua@5.3a&module=<id>/<name>/serialize~json@1.0

local function settle(ok, result)
  if ok then return { ok = true, data = result } end
  local refused = rejection(result)
  if refused then return { ok = false, error = refused } end
  error(result, 0)
end

-- Each query's read: req to its canonical request (or a rejection), without any state.
local READS = {}

local function export(name, read, answer)
  READS[name] = read
  _G[name] = function(base, req)
    return settle(pcall(function() return answer(base or {}, read(req or {})) end))
  end
end

export("info", function()
  return {}
end, function(base)
  local index = index_of(base, EVERY_FULL)
  local total = 0
  for _, name in ipairs(index.names) do
    each_record(entry_of(index, name), function(record) total = total + select(2, downloads(record)) end)
  end
  return { totalSkills = #index.names, totalDownloads = total }
end)

export("search-skills", function(req)
  local q = text_param(req, "q", MAX_TEXT_CHARS)
  local limit, offset = page_params(req)
  return { q = q ~= "" and q or nil, limit = limit, offset = offset }
end, function(base, request)
  local query, limit, offset = request.q or "", int(request.limit), int(request.offset)
  local found = search(index_of(base, EVERY_LIGHT), fold(query))
  return { query = query, results = slice(found, offset, limit), total = #found,
    limit = limit, offset = offset }
end)

export("list-skills", function(req)
  -- one statement each: the first bad parameter is the one named, in this order
  local limit, offset = page_params(req)
  local author = folded_param(req, "author", MAX_TEXT_CHARS)
  local name = folded_param(req, "name", MAX_TEXT_CHARS)
  return { limit = limit, offset = offset, author = author, name = name, tags = tags_param(req) }
end, function(base, request)
  local limit, offset = int(request.limit), int(request.offset)
  local author, name_part, tags = request.author, request.name, comma_list(request.tags)
  local found = {}
  for _, latest in ipairs(ordered_latest(index_of(base, EVERY_LIGHT))) do
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

local function record_of(index, entry, name, version)
  local wanted = version or entry.latest
  local record = version_record(index, name, entry, wanted)
  if not record then
    not_found("Skill '" .. name .. "' version '" .. tostring(wanted) .. "' not found")
  end
  return record, wanted
end

local function skill_request(req)
  local name = skill_name_param(req)
  return { name = name, version = version_param(req) }
end

export("get-skill", skill_request, function(base, request)
  local name, version = request.name, request.version
  local index = index_of(base)
  local entry = skill_entry(index, name, true)
  if version == nil then
    local latest = latest_of(index, name)
    if latest then return latest.skill end
  end
  local record, resolved = record_of(index, entry, name, version)
  return normalise_record(name, resolved, record)
end)

export("get-skill-versions", function(req)
  return { name = skill_name_param(req) }
end, function(base, request)
  local name = request.name
  local index = index_of(base)
  local entry = skill_entry(index, name, true)
  local versions = array()
  for _, version in ipairs(sorted_versions(index, name, entry)) do
    local record = version_record(index, name, entry, version)
    versions[#versions + 1] = {
      version = version,
      publishedAt = millis(record.publishedAt),
      updatedAt = millis(record.updatedAt),
      arweaveTxId = record.arweaveTxId,
      downloadCount = download_count(record),
      changelog = record.changelog,
    }
  end
  return { name = name, latest = entry.latest, total = #versions, versions = versions }
end)

-- Per skill (name, version), or for the whole registry with scope=all.
export("get-download-stats", function(req)
  local range = time_range_param(req)
  local request = { timerange = range, now = now_param(req) }
  if req.scope ~= nil then
    if req.scope ~= "all" then bad_request("scope must be all") end
    request.scope = "all"
  else
    request.name = skill_name_param(req)
    request.version = version_param(req)
  end
  return request
end, function(base, request)
  local range, now = request.timerange, int(request.now)
  local index = index_of(base, request.scope and EVERY_FULL or nil)
  local totals = new_totals()
  if request.scope then
    for _, name in ipairs(index.names) do
      each_record(entry_of(index, name), function(record) count_windows(totals, record, now) end)
    end
    return put_windows({ totalSkills = #index.names }, totals, range)
  end
  local name, version = request.name, request.version
  local entry = skill_entry(index, name)
  if version then
    count_windows(totals, record_of(index, entry, name, version), now)
  else
    each_record(entry, function(record) count_windows(totals, record, now) end)
  end
  return put_windows({ skillName = name, version = version }, totals, range)
end)

-- A dynamic read cannot change process state: this validates the download the forwarder is
-- about to report and answers the count the process holds now.
export("record-download", skill_request, function(base, request)
  local name = request.name
  local index = index_of(base)
  local entry = skill_entry(index, name, true)
  local record, resolved = record_of(index, entry, name, request.version)
  return { skillName = name, version = resolved, downloadCount = select(2, downloads(record)) }
end)

-- The canonical request of the query that req["function"] names, read from the rest of req:
-- {ok, data = its parameters} or the query's rejection, without a state. The gateway calls it
-- for every request it has not seen; a node never needs to.
_G["canonical-request"] = function(_, req)
  req = req or {}
  local read = READS[req["function"]]
  if read == nil then error("the registry module has no query " .. tostring(req["function"]), 0) end
  return settle(pcall(read, req))
end
