package com.permamind.gateway;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.util.BufferRecycler;
import com.fasterxml.jackson.core.util.JsonRecyclerPools;
import com.fasterxml.jackson.core.util.RecyclerPool;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * How the gateway makes its JSON factories and mappers: all of them share one bounded pool of
 * Jackson's buffers. Jackson's default keeps a thread's buffers in a thread-local, which a read on
 * a virtual thread of its own never finds again: every answer written or parsed there allocated
 * fresh buffers (about 24 KB), 18 % of all the gateway allocated in the mix (docs/java25.md,
 * "Allocation on virtual threads"). A few parses run at once on two carriers; the bound keeps a
 * burst from holding more.
 */
public final class JsonMappers {

    private static final int POOLED_RECYCLERS = 32;
    private static final RecyclerPool<BufferRecycler> BUFFERS = JsonRecyclerPools.newBoundedPool(POOLED_RECYCLERS);

    private JsonMappers() {
    }

    /** A factory builder whose factories take their buffers from the shared pool. */
    public static JsonFactoryBuilder factory() {
        return new JsonFactoryBuilder().recyclerPool(BUFFERS);
    }

    /** A new mapper of the defaults, over a factory of the shared pool. */
    public static ObjectMapper mapper() {
        return new ObjectMapper(factory().build());
    }
}
