package com.permamind.gateway.support;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Appender;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.appender.AbstractAppender;
import org.apache.logging.log4j.core.config.LoggerConfig;
import org.apache.logging.log4j.core.config.Property;

/**
 * The lines one logger writes while it is open, at the level asked for; closing it gives the logger
 * its own level back. The tests' log configuration keeps some loggers quieter than the gateway's.
 */
public final class LogCapture implements AutoCloseable {

    private final List<String> lines = new CopyOnWriteArrayList<>();
    private final List<String> threads = new CopyOnWriteArrayList<>();
    private final LoggerContext logs;
    private final LoggerConfig logger;
    private final Level levelBefore;
    private final Appender appender;

    private LogCapture(String loggerName, Level level) {
        logs = (LoggerContext) LogManager.getContext(false);
        logger = logs.getConfiguration().getLoggerConfig(loggerName);
        levelBefore = logger.getLevel();
        appender = new AbstractAppender("capture-" + loggerName, null, null, true, Property.EMPTY_ARRAY) {
            @Override
            public void append(LogEvent event) {
                lines.add(event.getMessage().getFormattedMessage());
                threads.add(event.getThreadName());
            }
        };
        appender.start();
        logger.addAppender(appender, null, null);
        logger.setLevel(level);
        logs.updateLoggers();
    }

    public static LogCapture of(String loggerName, Level level) {
        return new LogCapture(loggerName, level);
    }

    /** The messages written so far, formatted, in order. */
    public List<String> lines() {
        return lines;
    }

    /** The thread that wrote each line. */
    public List<String> threads() {
        return threads;
    }

    @Override
    public void close() {
        logger.removeAppender(appender.getName());
        logger.setLevel(levelBefore);
        logs.updateLoggers();
    }
}
