-- Runs test vectors against the registry module's global functions and renders each result as
-- one line of canonical JSON (canonical-json.lua), identically under every interpreter, so that
-- their lines can be compared. Portable like the module: it runs under Luerl 1.0 as well.
--
--   local run_vectors = dofile("run-vectors.lua")      -- the chunk returns the runner
--   run_vectors(encode, skills_json, vectors, emit)    -- emit(line) once per vector, in order
--
-- vectors: { { fn = "get-skill", req = { name = "x" } }, ... }; each call is
-- _G[fn]({ skills = skills_json }, req, {}), as a node makes it (the module decodes the string).
--
-- A Lua error becomes {"luaerror":<error value>}. lua5.3 prefixes a string message with
-- "chunk:line: " and Luerl does not, so that prefix is dropped; runtime errors (indexing nil...)
-- are still worded differently by each interpreter, only error("...") messages compare.
-- Emitting line by line lets a caller tell which vector an uncatchable Luerl crash hit.

local function without_position(message)
  if type(message) == 'string' then
    return (string.gsub(message, '^[^:\n]*:%d+: ', ''))
  end
  return message
end

local function render(encode, skills_json, vector)
  local ok, line = pcall(function()
    local fn = _G[vector.fn]
    if type(fn) ~= 'function' then
      error('the module has no function ' .. tostring(vector.fn), 0)
    end
    return encode(fn({ skills = skills_json }, vector.req, {}))
  end)
  if ok then
    return line
  end
  return encode({ luaerror = without_position(line) })
end

return function(encode, skills_json, vectors, emit)
  for _, vector in ipairs(vectors) do
    emit(render(encode, skills_json, vector))
  end
end
