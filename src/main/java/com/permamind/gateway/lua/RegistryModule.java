package com.permamind.gateway.lua;

import com.fasterxml.jackson.core.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaClosure;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Prototype;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.StringLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JseMathLib;

/**
 * The registry's Lua module (lua/registry.lua) run with luaj, the way a HyperBEAM node runs it:
 * {@code fn(base, req, opts)} returning {@code {ok, data | error}}, serialised to JSON.
 *
 * <p>The source is compiled once. A call borrows a Lua runtime (globals with the module loaded;
 * luaj's are not thread safe) from a pool, so that any thread may call, each runtime is used by
 * one call at a time, and only as many runtimes exist as calls ever ran at once: making one costs
 * milliseconds, and a runtime per thread meant one per HTTP worker (hundreds), each made on its
 * thread's first request. The most recently returned runtime is lent first, so a few stay warm.
 * Decoded states are shared read-only between threads.
 */
public final class RegistryModule {

    public static final String CLASSPATH_LOCATION = "/lua/registry.lua";
    private static final String CANONICAL_REQUEST = "canonical-request";
    private static final LuaString FUNCTION = LuaValue.valueOf("function");

    private final byte[] source;
    private final Prototype prototype;
    private final ConcurrentLinkedDeque<Globals> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger runtimesMade = new AtomicInteger();
    private final Consumer<Globals> customise;

    private RegistryModule(byte[] source) {
        this(source, globals -> { });
    }

    private RegistryModule(byte[] source, Consumer<Globals> customise) {
        this.source = source;
        this.customise = customise;
        try {
            this.prototype = LuaC.instance.compile(new java.io.ByteArrayInputStream(source), "registry.lua");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        // the first runtime now: a module that fails to load fails here, and the first call is not slower
        idle.push(newRuntime());
    }

    public static RegistryModule load() {
        try (InputStream in = RegistryModule.class.getResourceAsStream(CLASSPATH_LOCATION)) {
            if (in == null) {
                throw new IllegalStateException(CLASSPATH_LOCATION + " is not on the classpath");
            }
            return new RegistryModule(in.readAllBytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static RegistryModule load(Path file) {
        try {
            return new RegistryModule(Files.readAllBytes(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The same module, with each Lua runtime changed by {@code customise} before the module loads:
     * for the simulator's node, whose Lua (Luerl) differs from luaj where the module must not rely
     * on either.
     */
    public RegistryModule withRuntime(Consumer<Globals> customise) {
        return new RegistryModule(source, customise);
    }

    /** The module's source bytes, exactly as a node would load them. */
    public byte[] source() {
        return source.clone();
    }

    // Only what the node's sandbox offers: no io, os, coroutine or debug, so a slip shows in tests.
    private Globals newRuntime() {
        runtimesMade.incrementAndGet();
        Globals globals = new Globals();
        globals.load(new JseBaseLib());
        globals.load(new PackageLib());
        globals.load(new TableLib());
        globals.load(new StringLib());
        globals.load(new JseMathLib());
        LoadState.install(globals);
        LuaC.install(globals);
        customise.accept(globals);
        new LuaClosure(prototype, globals).call();
        return globals;
    }

    public boolean hasFunction(String function) {
        Globals runtime = borrow();
        try {
            return runtime.rawget(function).isfunction();
        } finally {
            idle.push(runtime);
        }
    }

    /** How many Lua runtimes this module has made: as many as calls ran at once, at most. */
    int runtimesMade() {
        return runtimesMade.get();
    }

    private Globals borrow() {
        Globals runtime = idle.poll();
        return runtime != null ? runtime : newRuntime();
    }

    /** Decodes a {@code Skills} JSON object once and lets the module index it for later calls. */
    public RegistryState decode(String skillsJson) {
        LuaValue skills = LuaJson.decode(skillsJson);
        if (!skills.istable()) {
            throw new IllegalArgumentException("registry state must be a JSON object of skills");
        }
        return prepared((LuaTable) skills);
    }

    /** A state decoded one skill at a time, with no JSON text or tree of the whole state at once. */
    public StateBuilder stateBuilder() {
        return new StateBuilder();
    }

    private RegistryState prepared(LuaTable skills) {
        LuaTable base = new LuaTable();
        base.rawset("skills", skills);
        invoke("info", base, Map.of());
        return new RegistryState(base, skills.keyCount());
    }

    /** The {@code Skills} object of a state, a skill at a time; {@link #decode} reads the same tables from its text. */
    public final class StateBuilder {

        private final LuaTable skills = new LuaTable();
        private final Map<String, LuaString> shared = new HashMap<>();

        private StateBuilder() {
        }

        /** The skill {@code name}: {@code skill} reads its value, {@code {latest, versions}}, from its first token. */
        public void put(String name, JsonParser skill) throws IOException {
            skill.nextToken();
            LuaValue value = LuaJson.read(skill, shared);
            if (!value.isnil()) {
                skills.rawset(LuaJson.text(name, shared), value);
            }
        }

        public RegistryState build() {
            return prepared(skills);
        }
    }

    /** Calls {@code function} over a decoded state; answers the JSON of {@code {ok, data | error}}. */
    public String call(String function, RegistryState state, Map<String, String> req) {
        return LuaJson.encode(invoke(function, state.base(), req));
    }

    /**
     * The canonical request of the query {@code function} (the module's {@code canonical-request}):
     * its parameters checked, normalised and with their defaults, or the module's refusal.
     */
    public Canonical canonical(String function, Map<String, String> req) {
        LuaTable params = table(req);
        params.rawset(FUNCTION, LuaJson.utf8(function));
        LuaValue answer = invoke(CANONICAL_REQUEST, new LuaTable(), params);
        if (!answer.get("ok").toboolean()) {
            LuaValue error = answer.get("error");
            return new Canonical(null, new Refusal(text(error.get("kind")), text(error.get("message"))));
        }
        TreeMap<String, String> canonical = new TreeMap<>();
        LuaValue data = answer.get("data");
        for (Varargs entry = data.next(LuaValue.NIL); !entry.arg1().isnil(); entry = data.next(entry.arg1())) {
            canonical.put(text(entry.arg1()), text(entry.arg(2)));
        }
        return new Canonical(Collections.unmodifiableSortedMap(canonical), null);
    }

    /** A query's canonical request: its parameters, or (params null) the module's refusal. */
    public record Canonical(SortedMap<String, String> params, Refusal refusal) {
    }

    private static String text(LuaValue value) {
        if (!value.isstring()) {
            return "";
        }
        LuaString bytes = value.checkstring();
        return new String(bytes.m_bytes, bytes.m_offset, bytes.m_length, StandardCharsets.UTF_8);
    }

    /** A domain error of the module: its {@code kind} ({@code bad_request}, {@code not_found}) and message. */
    public record Refusal(String kind, String message) {
    }

    /** As a node does: {@code base.skills} is the JSON string, decoded by the module on this call. */
    public String callWithJsonState(String function, String skillsJson, Map<String, String> req) {
        LuaTable base = new LuaTable();
        base.rawset("skills", LuaJson.utf8(skillsJson));
        return LuaJson.encode(invoke(function, base, req));
    }

    private static LuaTable table(Map<String, String> req) {
        LuaTable params = new LuaTable();
        req.forEach((key, value) -> params.rawset(LuaJson.utf8(key), LuaJson.utf8(value)));
        return params;
    }

    private LuaValue invoke(String function, LuaTable base, Map<String, String> req) {
        return invoke(function, base, table(req));
    }

    private LuaValue invoke(String function, LuaTable base, LuaTable params) {
        Globals runtime = borrow();
        try {
            LuaValue fn = runtime.rawget(function);
            if (!fn.isfunction()) {
                throw new IllegalArgumentException("the registry module has no function " + function);
            }
            return fn.call(base, params, new LuaTable());
        } finally {
            // also after a Lua error, which only unwinds the call: reused as a thread reused its own
            idle.push(runtime);
        }
    }
}
