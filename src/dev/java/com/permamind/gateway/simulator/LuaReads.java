package com.permamind.gateway.simulator;

import java.util.Map;

/**
 * The read functions a Lua module offers the HyperBEAM emulation. The simulator runs the project's
 * module; tests swap in another one to provoke what the real module never does, such as a runtime error.
 * Calls come from worker threads, several at a time.
 */
public interface LuaReads {

    boolean hasFunction(String function);

    /**
     * @param request the query parameters, names lowercased as the node does
     * @return the JSON text of the function's result
     * @throws RuntimeException (luaj's {@code LuaError}) when the Lua code fails
     */
    String call(String function, Map<String, String> request);
}
