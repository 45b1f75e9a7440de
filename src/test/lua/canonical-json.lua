-- Canonical JSON, so that the registry module's results can be compared byte for byte across
-- interpreters (lua5.3, Luerl 1.0) and with the gateway's LuaJson output under luaj.
-- Runs under Luerl 1.0 itself, so it keeps to the portable subset of
-- shared/registry-contract.md section 3; in particular string.format never sees a backslash
-- (Luerl 1.0 drops it) nor %g (wrong digits) nor %.0e (an error).
--
--   local encode = dofile("canonical-json.lua")   -- the chunk returns the encoder
--   encode(value) --> compact JSON text
--
-- Tables: an array when the metatable has __jsonarray (the module marks every array it builds,
-- so an empty one stays []) or when the keys are exactly 1..n with n > 0; otherwise an object
-- with its keys in byte order (empty: {}). Object keys must be strings, and a marked array must
-- be a sequence: anything else is a bug in the module, raised as an error.
--
-- Numbers: an integral value within +-2^53 is written as an integer with %d, floats included
-- (1763769600000.0 gives 1763769600000 under both interpreters). Any other finite number, which
-- the module does not produce today, is written as ECMAScript's Number#toString does: the
-- shortest digits that read back to the same double (found with %.<p>e, whose digits Luerl gets
-- right; a subnormal may keep one digit too many), plainly for 1e-6 <= |x| < 1e21, else as
-- d.ddde+x. NaN and infinities are an error.
--
-- Strings: the same escapes as Jackson (so luaj lines match LuaJson's): \" \\ \b \t \n \f \r,
-- \u00XX with uppercase hex for the other bytes below 0x20; every other byte is copied raw, so
-- UTF-8 (or any other byte sequence) passes through unchanged.

local format, rep, sub, match, gsub = string.format, string.rep, string.sub, string.match, string.gsub
local floor, sort, concat = math.floor, table.sort, table.concat

local MAX_EXACT_INTEGER = 9007199254740992

local ESCAPES = { ['"'] = '\\"', ['\\'] = '\\\\', ['\b'] = '\\b', ['\t'] = '\\t', ['\n'] = '\\n',
  ['\f'] = '\\f', ['\r'] = '\\r' }
for byte = 0, 31 do
  local c = string.char(byte)
  ESCAPES[c] = ESCAPES[c] or '\\' .. format('u%04X', byte)
end

local function encode_string(s, out)
  out[#out + 1] = '"' .. gsub(s, '[%z\1-\31"\\]', ESCAPES) .. '"'
end

local function shortest_digits(x)
  for precision = 1, 16 do
    local text = format('%.' .. precision .. 'e', x)
    if tonumber(text) == x or precision == 16 then
      local sign, digits, exponent = match(text, '^(%-?)(%d%.%d+)e([-+]%d+)$')
      digits = gsub(gsub(digits, '%.', ''), '0+$', '')
      return sign, digits, floor(tonumber(exponent))
    end
  end
end

local function ecmascript_number(x)
  local sign, digits, exponent = shortest_digits(x)
  local k, n = #digits, exponent + 1
  if k <= n and n <= 21 then
    return sign .. digits .. rep('0', n - k)
  elseif 0 < n and n <= 21 then
    return sign .. sub(digits, 1, n) .. '.' .. sub(digits, n + 1)
  elseif -6 < n and n <= 0 then
    return sign .. '0.' .. rep('0', -n) .. digits
  end
  local mantissa = k == 1 and digits or sub(digits, 1, 1) .. '.' .. sub(digits, 2)
  return sign .. mantissa .. 'e' .. (n > 0 and '+' or '-') .. format('%d', n > 0 and n - 1 or 1 - n)
end

local function encode_number(x, out)
  if x - x ~= 0 then
    error('canonical-json: cannot encode ' .. tostring(x), 0)
  end
  if x == floor(x) and -MAX_EXACT_INTEGER <= x and x <= MAX_EXACT_INTEGER then
    out[#out + 1] = format('%d', x)
  else
    out[#out + 1] = ecmascript_number(x)
  end
end

-- n when the keys of t are exactly 1..n (0 for an empty table), nil otherwise.
local function sequence_length(t)
  local count, max = 0, 0
  for key in pairs(t) do
    if type(key) ~= 'number' or key ~= floor(key) or key < 1 then
      return nil
    end
    count = count + 1
    if key > max then max = key end
  end
  if count == max then return count end
  return nil
end

local encode_value

local function encode_table(t, out)
  local length = sequence_length(t)
  local metatable = getmetatable(t)
  if metatable and metatable.__jsonarray and not length then
    error('canonical-json: a table marked __jsonarray has keys other than 1..n', 0)
  end
  if length and (length > 0 or (metatable and metatable.__jsonarray)) then
    out[#out + 1] = '['
    for i = 1, length do
      if i > 1 then out[#out + 1] = ',' end
      encode_value(t[i], out)
    end
    out[#out + 1] = ']'
    return
  end
  local keys = {}
  for key in pairs(t) do
    if type(key) ~= 'string' then
      error('canonical-json: an object key is a ' .. type(key), 0)
    end
    keys[#keys + 1] = key
  end
  sort(keys)
  out[#out + 1] = '{'
  for i, key in ipairs(keys) do
    if i > 1 then out[#out + 1] = ',' end
    encode_string(key, out)
    out[#out + 1] = ':'
    encode_value(t[key], out)
  end
  out[#out + 1] = '}'
end

encode_value = function(value, out)
  local kind = type(value)
  if kind == 'string' then
    encode_string(value, out)
  elseif kind == 'number' then
    encode_number(value, out)
  elseif kind == 'boolean' then
    out[#out + 1] = value and 'true' or 'false'
  elseif kind == 'nil' then
    out[#out + 1] = 'null'
  elseif kind == 'table' then
    encode_table(value, out)
  else
    error('canonical-json: cannot encode a ' .. kind, 0)
  end
end

return function(value)
  local out = {}
  encode_value(value, out)
  return concat(out)
end
