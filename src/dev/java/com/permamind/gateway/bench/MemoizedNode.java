package com.permamind.gateway.bench;

import com.permamind.gateway.lua.RegistryModule;
import com.permamind.gateway.lua.RegistryState;
import com.permamind.gateway.simulator.LuaReads;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The simulated HyperBEAM node's Lua, computed once per distinct request and then answered from
 * memory: the same bytes, at the node's simulated latency, but without spending this machine's
 * two cores on Lua again. A real node runs on its own CPUs; here it shares them with the gateway,
 * and under a mix that misses the gateway's cache the node's Lua (searches over 5,000 skills)
 * would otherwise be what is measured. The state never changes during a run, so an answer for a
 * request never changes either. Off with {@code BENCH_NODE_MEMO=0}.
 */
final class MemoizedNode implements LuaReads {

    private final RegistryModule module = RegistryModule.load();
    private final RegistryState state;
    private final ConcurrentHashMap<String, String> answers = new ConcurrentHashMap<>();
    private final AtomicLong computed = new AtomicLong();
    private final AtomicLong remembered = new AtomicLong();

    MemoizedNode(String skillsJson) {
        this.state = module.decode(skillsJson);
    }

    @Override
    public boolean hasFunction(String function) {
        return module.hasFunction(function);
    }

    @Override
    public String call(String function, Map<String, String> request) {
        String key = function + new TreeMap<>(request);
        String known = answers.get(key);
        if (known != null) {
            remembered.incrementAndGet();
            return known;
        }
        String answer = module.call(function, state, request);
        answers.putIfAbsent(key, answer);
        computed.incrementAndGet();
        return answer;
    }

    long computed() {
        return computed.get();
    }

    long remembered() {
        return remembered.get();
    }
}
