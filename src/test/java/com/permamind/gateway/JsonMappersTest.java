package com.permamind.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.BufferRecycler;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** A read runs on a virtual thread of its own: the buffers earlier reads gave back are the next ones'. */
class JsonMappersTest {

    private static final int READS = 100;

    @Test
    void should_hand_later_virtual_threads_the_buffers_earlier_ones_gave_back() throws InterruptedException {
        // the pool is the gateway's one, which other tests of this JVM take from and give back to meanwhile;
        // as they would, leave a few sets in it first
        JsonFactory factory = JsonMappers.factory().build();
        List<BufferRecycler> held = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            held.add(factory._getBufferRecycler());
        }
        held.forEach(BufferRecycler::releaseToPool);
        int gateways = buffersOfNewVirtualThreads(factory);
        int jacksonsDefault = buffersOfNewVirtualThreads(new JsonFactory());

        assertTrue(gateways < READS / 2, gateways + " sets of buffers for " + READS + " reads one after another");
        // what the shared pool is for: Jackson's own keeps them per thread, and each new thread starts without
        assertEquals(READS, jacksonsDefault);
    }

    /**
     * How many distinct sets of buffers reads on new virtual threads, one after another, were given
     * (each thread's join publishes its add).
     */
    private static int buffersOfNewVirtualThreads(JsonFactory factory) throws InterruptedException {
        Set<BufferRecycler> seen = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < READS; i++) {
            Thread.ofVirtual().start(() -> {
                BufferRecycler buffers = factory._getBufferRecycler();
                seen.add(buffers);
                buffers.releaseToPool();
            }).join();
        }
        return seen.size();
    }
}
