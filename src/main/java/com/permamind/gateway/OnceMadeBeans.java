package com.permamind.gateway;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.apache.camel.CamelConfiguration;

/**
 * A configuration whose bean methods make each bean once. camel-main post-processes a configuration
 * it found by package scan twice (when it makes the instance, then when it loads the configurations),
 * calling every eager {@code @BindToRegistry} method again: a bean with side effects (meters,
 * breakers, caches, log lines) must still be made only once.
 */
public abstract class OnceMadeBeans implements CamelConfiguration {

    private final Map<String, Object> made = new ConcurrentHashMap<>();

    @SuppressWarnings("unchecked")
    protected <T> T once(String name, Supplier<T> factory) {
        return (T) made.computeIfAbsent(name, bean -> factory.get());
    }
}
