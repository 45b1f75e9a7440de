package com.permamind.gateway;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.camel.main.BaseMainSupport;
import org.apache.camel.main.MainListenerSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Initializes, on the main thread before the context starts, the classes that the gateway's virtual
 * threads would otherwise be the first to initialize ({@value #LIST}, recorded by
 * {@code ops/record-virtual-thread-classes}).
 *
 * <p>Why: on JDK 25 a virtual thread blocked inside a class initializer, or waiting for another
 * thread's, keeps its carrier. Most initializers ask log4j for a logger, whose registry lock makes
 * a reader wait while a writer is queued; when the first requests after a start had every carrier
 * held by such readers and the queued writer was a virtual thread (creating a logger outside an
 * initializer), no virtual thread ran again (docs/java25.md, "A stall"). Initialized here, those
 * classes are never initialized on a virtual thread.
 */
public final class VirtualThreadClasses extends MainListenerSupport {

    static final String LIST = "virtual-thread-classes.txt";
    static final String SETTING = "gateway.initialize-virtual-thread-classes";
    private static final Logger LOG = LoggerFactory.getLogger(VirtualThreadClasses.class);

    @Override
    public void beforeStart(BaseMainSupport main) {
        if (!Boolean.parseBoolean(main.getCamelContext().resolvePropertyPlaceholders("{{" + SETTING + "}}"))) {
            LOG.info("Classes are initialized where first needed, virtual threads included ({}=false)", SETTING);
            return;
        }
        long started = System.nanoTime();
        List<String> names = listed();
        List<String> missing = initialize(names, VirtualThreadClasses.class.getClassLoader());
        LOG.info("Initialized the {} classes virtual threads would be first to initialize in {} ms{}",
                names.size() - missing.size(), (System.nanoTime() - started) / 1_000_000, missing.isEmpty() ? ""
                        : "; " + missing.size() + " listed are not on the class path, so the list is older than the"
                        + " dependencies (ops/record-virtual-thread-classes): " + missing.subList(0, Math.min(5, missing.size())));
    }

    /** The classes of {@value #LIST}, in the order they were first initialized. */
    static List<String> listed() {
        try (InputStream in = VirtualThreadClasses.class.getClassLoader().getResourceAsStream(LIST)) {
            if (in == null) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            try (BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                    String name = line.strip();
                    if (!name.isEmpty() && !name.startsWith("#")) {
                        names.add(name);
                    }
                }
            }
            return names;
        } catch (IOException e) {
            throw new UncheckedIOException(LIST, e);
        }
    }

    /** Initializes each class; returns those not found. */
    static List<String> initialize(List<String> names, ClassLoader loader) {
        List<String> missing = new ArrayList<>();
        for (String name : names) {
            try {
                Class.forName(name, true, loader);
            } catch (ClassNotFoundException | NoClassDefFoundError e) {
                missing.add(name);
            } catch (LinkageError e) {
                // it would fail the same on the virtual thread that first needs it
                LOG.warn("{} failed to initialize: {}", name, e.toString());
            }
        }
        return missing;
    }
}
