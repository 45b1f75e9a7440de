-- lua5.3 src/test/lua/run-vectors-lua53.lua MODULE.lua SKILLS.json VECTORS.lua
--
-- Loads the registry module, then prints one canonical JSON line per vector of VECTORS.lua (a
-- Lua chunk returning the vectors table, see run-vectors.lua), each call getting the contents of
-- SKILLS.json as base.skills. Its Luerl twin is src/test/erlang/run-vectors.escript.

local module_path, skills_path, vectors_path = arg[1], arg[2], arg[3]
if not vectors_path then
  io.stderr:write('usage: lua5.3 run-vectors-lua53.lua MODULE.lua SKILLS.json VECTORS.lua\n')
  os.exit(2)
end

local here = string.match(arg[0], '^(.*/)') or './'

local function read_file(path)
  local file = assert(io.open(path, 'rb'))
  local content = file:read('a')
  file:close()
  return content
end

dofile(module_path)
local encode = dofile(here .. 'canonical-json.lua')
local run_vectors = dofile(here .. 'run-vectors.lua')
run_vectors(encode, read_file(skills_path), dofile(vectors_path), function(line)
  io.write(line, '\n')
end)
