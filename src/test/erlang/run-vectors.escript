#!/usr/bin/env escript
%% escript src/test/erlang/run-vectors.escript MODULE.lua SKILLS.json VECTORS.lua [LUERL_EBIN]
%%
%% The Luerl twin of src/test/lua/run-vectors-lua53.lua, with the same arguments and output:
%% one canonical JSON line per vector. The Lua side (module, encoder, runner, vectors) runs in
%% Luerl; only file reading and printing happen here, as the node offers Lua no io.
%%
%% Without LUERL_EBIN it runs Debian's Luerl 1.0 (erlang-luerl); with it, the Luerl in that
%% directory, which must be 1.3.0 or later (the API 1.0 calls luerl_new is luerl there):
%% ../shared/tools/luerl-1.3.0/ebin is the build of the version HyperBEAM nodes run.
%%
%% Luerl raises some errors past Lua's pcall (division by zero, for one: an HTTP 500 on a
%% node). Such a crash ends the run with exit status 1, naming the vector it hit.

-mode(compile).

main([ModulePath, SkillsPath, VectorsPath]) ->
    run(luerl_new, ModulePath, SkillsPath, VectorsPath);
main([ModulePath, SkillsPath, VectorsPath, Ebin]) ->
    true = code:add_patha(Ebin),
    run(luerl, ModulePath, SkillsPath, VectorsPath);
main(_) ->
    fail("usage: escript run-vectors.escript MODULE.lua SKILLS.json VECTORS.lua [LUERL_EBIN]", []).

%% Luerl is the module of the API that 1.0 calls luerl_new and 1.3.0 calls luerl.
run(Luerl, ModulePath, SkillsPath, VectorsPath) ->
    put(luerl, Luerl),
    LuaDir = filename:join([filename:dirname(escript:script_name()), "..", "lua"]),
    St0 = Luerl:init(),
    {_, St1} = run_chunk(ModulePath, St0),
    {[Encode], St2} = run_chunk(filename:join(LuaDir, "canonical-json.lua"), St1),
    {[RunVectors], St3} = run_chunk(filename:join(LuaDir, "run-vectors.lua"), St2),
    {[Vectors], St4} = run_chunk(VectorsPath, St3),
    {Emit, St5} = Luerl:encode(fun emit/2, St4),
    put(emitted, 0),
    try Luerl:call_function(RunVectors, [Encode, read(SkillsPath), Vectors, Emit], St5) of
        {ok, _, _} -> ok;
        {lua_error, Error, _} -> fail("Lua error in vector ~b: ~P", [get(emitted) + 1, Error, 12])
    catch
        error:Crash -> fail("Luerl crashed in vector ~b: ~P", [get(emitted) + 1, Crash, 12])
    end.

%% file:write, not io:put_chars: the line's bytes go out as they are, whatever the encoding.
emit([Line], St) ->
    ok = file:write(standard_io, [Line, $\n]),
    put(emitted, get(emitted) + 1),
    {[], St}.

%% Runs a Lua file as a chunk, answering what it returns.
run_chunk(Path, St) ->
    case (get(luerl)):do(read(Path), [return, {file, Path}], St) of
        {ok, Results, St1} ->
            {Results, St1};
        {error, [{Line, Mod, Why} | _], _} ->
            fail("~s:~p: ~s", [Path, Line, Mod:format_error(Why)]);
        {lua_error, Error, _} ->
            fail("~s: Lua error ~P", [Path, Error, 12])
    end.

read(Path) ->
    case file:read_file(Path) of
        {ok, Content} -> Content;
        {error, Why} -> fail("~s: ~s", [Path, file:format_error(Why)])
    end.

fail(Format, Args) ->
    io:format(standard_error, Format ++ "~n", Args),
    halt(1).
