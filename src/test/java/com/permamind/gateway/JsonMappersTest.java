package com.permamind.gateway;

import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.util.BufferRecycler;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** A read runs on a virtual thread of its own: the buffers one read gave back are the next one's. */
class JsonMappersTest {

    @Test
    void should_hand_a_later_virtual_thread_the_buffers_an_earlier_one_gave_back() throws InterruptedException {
        JsonFactory gateways = JsonMappers.factory().build();
        JsonFactory jacksonsDefault = new JsonFactory();

        assertSame(buffersOfNewVirtualThread(gateways), buffersOfNewVirtualThread(gateways));
        // what the shared pool is for: Jackson's own keeps them per thread, and a new thread starts without
        assertNotSame(buffersOfNewVirtualThread(jacksonsDefault), buffersOfNewVirtualThread(jacksonsDefault));
    }

    private static BufferRecycler buffersOfNewVirtualThread(JsonFactory factory) throws InterruptedException {
        AtomicReference<BufferRecycler> used = new AtomicReference<>();
        Thread.ofVirtual().start(() -> {
            BufferRecycler buffers = factory._getBufferRecycler();
            used.set(buffers);
            buffers.releaseToPool();
        }).join();
        return used.get();
    }
}
