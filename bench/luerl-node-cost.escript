#!/usr/bin/env escript
%% What one read costs a HyperBEAM node: the registry module under Luerl, with base.skills the
%% fixture's skills as a compact JSON string, so that every call decodes it, as calls on a node do.
%%
%% Run from the project root (defaults in brackets):
%%   escript bench/luerl-node-cost.escript [MODULE.lua [FIXTURE.json [CALLS]]]
%%   MODULE.lua    [lua/registry.lua]
%%   FIXTURE.json  [$REGISTRY_FIXTURE, else ../shared/fixtures/registry-state.json]
%%   CALLS         [20] per function
%% It prints the median and p90 milliseconds per call of get-skill (name=semver-order) and
%% search-skills (q=ao). This is Debian's Luerl 1.0; nodes run Luerl 1.3, so read the numbers as
%% an order of magnitude.

-mode(compile).

main(Args) ->
    {Module, Fixture, Calls} = args(Args),
    {ok, _, St0} = luerl_new:do(read(Module), [return, {file, Module}], luerl_new:init()),
    Skills = top_member(<<"skills">>, compact(read(Fixture))),
    io:format("~s under Luerl, base.skills ~b bytes of JSON, ~b calls each~n",
              [Module, byte_size(Skills), Calls]),
    bench(<<"get-skill">>, {<<"name">>, <<"semver-order">>}, Skills, Calls, St0),
    bench(<<"search-skills">>, {<<"q">>, <<"ao">>}, Skills, Calls, St0).

args([]) -> args(["lua/registry.lua"]);
args([Module]) -> args([Module, os:getenv("REGISTRY_FIXTURE", "../shared/fixtures/registry-state.json")]);
args([Module, Fixture]) -> args([Module, Fixture, "20"]);
args([Module, Fixture, Calls]) -> {Module, Fixture, list_to_integer(Calls)};
args(_) -> fail("usage: escript bench/luerl-node-cost.escript [MODULE.lua [FIXTURE.json [CALLS]]]", []).

%% Every call starts from the same state, so whatever the module caches in base is gone, as on
%% a node, where every read decodes base.skills afresh (registry-contract.md section 3).
bench(Function, {Key, Value} = Param, Skills, Calls, St0) ->
    {ok, Fn, St1} = luerl_new:get_table_keys([Function], St0),
    {[Base, ReqTable, Opts], St2} = luerl_new:encode_list([[{<<"skills">>, Skills}], [Param], []], St1),
    Call = fun() -> luerl_new:call_function(Fn, [Base, ReqTable, Opts], St2) end,
    {ok, [Result], St3} = Call(),
    Ok = proplists:get_value(<<"ok">>, luerl_new:decode(Result, St3)),
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
