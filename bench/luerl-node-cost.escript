#!/usr/bin/env escript
%% What one read costs a HyperBEAM node: the registry module under Luerl, with base.skills the
%% fixture's skills as a compact JSON string, so that every call decodes it, as calls on a node do.
%%
%% Run from the project root (defaults in brackets):
%%   escript bench/luerl-node-cost.escript [MODULE.lua [FIXTURE.json [CALLS]]]
%%   MODULE.lua    [lua/registry.lua]
%%   FIXTURE.json  [$REGISTRY_FIXTURE, else ../shared/fixtures/registry-state.json]
%%   CALLS         [20] per function
%% It prints the median and p90 milliseconds per call of get-skill (name=semver-order),
%% search-skills (q=ao) and get-skill of an unknown skill (a domain error, ok=false), under Debian's Luerl 1.0 and then under Luerl 1.3.0, the version nodes run
%% ($LUERL_1_3_EBIN, else ../shared/tools/luerl-1.3.0/ebin): each in an escript of its own, as both
%% name their modules alike, one after the other in the same run.

-mode(compile).

main(["--luerl", Luerl | Args]) ->
    {Module, Fixture, Calls} = args(Args),
    Api = api(Luerl),
    {ok, _, St0} = Api:do(read(Module), [return, {file, Module}], Api:init()),
    Skills = top_member(<<"skills">>, compact(read(Fixture))),
    io:format("~s under Luerl ~s, base.skills ~b bytes of JSON, ~b calls each~n",
              [Module, version(), byte_size(Skills), Calls]),
    bench(Api, <<"get-skill">>, {<<"name">>, <<"semver-order">>}, Skills, Calls, St0),
    bench(Api, <<"search-skills">>, {<<"q">>, <<"ao">>}, Skills, Calls, St0),
    bench(Api, <<"get-skill">>, {<<"name">>, <<"no-such-skill">>}, Skills, Calls, St0);
main(Args) ->
    args(Args),
    Ebin = os:getenv("LUERL_1_3_EBIN", "../shared/tools/luerl-1.3.0/ebin"),
    lists:foreach(fun(Luerl) -> child(["--luerl", Luerl | Args]) end, ["1.0", Ebin]).

%% The API 1.0 calls luerl_new is luerl from 1.1 on: "1.0" is Debian's, anything else the ebin
%% directory of a later build, put first on the code path.
api("1.0") -> luerl_new;
api(Ebin) ->
    true = code:add_patha(Ebin),
    luerl.

version() ->
    ok = application:load(luerl),
    {ok, Version} = application:get_key(luerl, vsn),
    Version.

child(Args) ->
    Port = open_port({spawn_executable, os:find_executable("escript")},
                     [{args, [escript:script_name() | Args]}, exit_status, stderr_to_stdout, binary]),
    relay(Port).

relay(Port) ->
    receive
        {Port, {data, Text}} -> io:put_chars(Text), relay(Port);
        {Port, {exit_status, 0}} -> ok;
        {Port, {exit_status, Status}} -> fail("a run exited with ~b", [Status])
    end.

args([]) -> args(["lua/registry.lua"]);
args([Module]) -> args([Module, os:getenv("REGISTRY_FIXTURE", "../shared/fixtures/registry-state.json")]);
args([Module, Fixture]) -> args([Module, Fixture, "20"]);
args([Module, Fixture, Calls]) -> {Module, Fixture, list_to_integer(Calls)};
args(_) -> fail("usage: escript bench/luerl-node-cost.escript [MODULE.lua [FIXTURE.json [CALLS]]]", []).

%% Every call starts from the same state, so whatever the module caches in base is gone, as on
%% a node, where every read decodes base.skills afresh (registry-contract.md section 3).
bench(Api, Function, {Key, Value} = Param, Skills, Calls, St0) ->
    {ok, Fn, St1} = Api:get_table_keys([Function], St0),
    {[Base, ReqTable, Opts], St2} = Api:encode_list([[{<<"skills">>, Skills}], [Param], []], St1),
    Call = fun() -> Api:call_function(Fn, [Base, ReqTable, Opts], St2) end,
    {ok, [Result], St3} = case Call() of
        {ok, _, _} = Answered -> Answered;
        Failed -> fail("~s ~s=~s failed: ~P", [Function, Key, Value, Failed, 4])
    end,
    Ok = proplists:get_value(<<"ok">>, Api:decode(Result, St3)),
    Micros = lists:sort([element(1, timer:tc(Call)) || _ <- lists:seq(1, Calls)]),
    io:format("~s ~s=~s: ok=~p, median ~.1f ms, p90 ~.1f ms~n",
              [Function, Key, Value, Ok, percentile(50, Micros) / 1000, percentile(90, Micros) / 1000]).

%% Nearest rank.
percentile(P, Sorted) ->
    lists:nth(max(1, ceil(P * length(Sorted) / 100)), Sorted).

%% OTP 25 has no JSON module, and only two things are needed: drop the whitespace between
%% tokens, as the process state holds its JSON, and cut out one member of the top object.
compact(Json) -> compact(Json, outside, []).

compact(<<>>, _, Acc) -> list_to_binary(lists:reverse(Acc));
compact(<<$\\, C, Rest/binary>>, inside, Acc) -> compact(Rest, inside, [C, $\\ | Acc]);
compact(<<$", Rest/binary>>, outside, Acc) -> compact(Rest, inside, [$" | Acc]);
compact(<<$", Rest/binary>>, inside, Acc) -> compact(Rest, outside, [$" | Acc]);
compact(<<C, Rest/binary>>, outside, Acc) when C =:= $\s; C =:= $\t; C =:= $\n; C =:= $\r ->
    compact(Rest, outside, Acc);
compact(<<C, Rest/binary>>, Where, Acc) -> compact(Rest, Where, [C | Acc]).

top_member(Name, <<${, Members/binary>>) -> member(<<$", Name/binary, $", $:>>, Members).

member(Key, Members) ->
    Size = byte_size(Key),
    case Members of
        <<Key:Size/binary, Rest/binary>> ->
            binary:part(Rest, 0, byte_size(Rest) - byte_size(skip_value(Rest)));
        <<$", _/binary>> ->
            <<$:, Value/binary>> = skip_value(Members),
            case skip_value(Value) of
                <<$,, Next/binary>> -> member(Key, Next);
                _ -> fail("the fixture has no top-level ~s", [Key])
            end
    end.

%% What follows the first value of a compact JSON text.
skip_value(<<$", Rest/binary>>) -> skip_string(Rest);
skip_value(<<Open, Rest/binary>>) when Open =:= ${; Open =:= $[ -> skip_members(Rest);
skip_value(Scalar) -> skip_scalar(Scalar).

skip_string(<<$\\, _, Rest/binary>>) -> skip_string(Rest);
skip_string(<<$", Rest/binary>>) -> Rest;
skip_string(<<_, Rest/binary>>) -> skip_string(Rest).

skip_members(<<Close, Rest/binary>>) when Close =:= $}; Close =:= $] -> Rest;
skip_members(<<Sep, Rest/binary>>) when Sep =:= $,; Sep =:= $: -> skip_members(Rest);
skip_members(Json) -> skip_members(skip_value(Json)).

skip_scalar(<<C, _/binary>> = Rest) when C =:= $,; C =:= $:; C =:= $}; C =:= $] -> Rest;
skip_scalar(<<_, Rest/binary>>) -> skip_scalar(Rest);
skip_scalar(<<>>) -> <<>>.

read(Path) ->
    case file:read_file(Path) of
        {ok, Content} -> Content;
        {error, Why} -> fail("~s: ~s", [Path, file:format_error(Why)])
    end.

fail(Format, Args) ->
    io:format(standard_error, Format ++ "~n", Args),
    halt(1).
