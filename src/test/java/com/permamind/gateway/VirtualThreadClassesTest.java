package com.permamind.gateway;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The classes the gateway initializes at start for its virtual threads are all on the class path:
 * a dependency upgrade that renames or drops some fails here, the sign to record the list anew
 * (ops/record-virtual-thread-classes), since the classes it brings instead are not on it either.
 */
class VirtualThreadClassesTest {

    @Test
    void every_listed_class_is_on_the_class_path_and_initializes() {
        List<String> listed = VirtualThreadClasses.listed();
        assertTrue(listed.size() > 100, "the list holds " + listed.size() + " classes");
        assertTrue(listed.contains("org.apache.kafka.clients.producer.internals.ProducerBatch")
                        && listed.contains("org.apache.camel.support.cache.DefaultProducerCache"),
                "the classes a stall was seen initializing on virtual threads are listed (docs/java25.md, \"A stall\")");
        assertEquals(List.of(), VirtualThreadClasses.initialize(listed, getClass().getClassLoader()));
    }
}
