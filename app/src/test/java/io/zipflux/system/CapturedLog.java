package io.zipflux.system;

import java.util.List;
import java.util.function.Predicate;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every log event of the JVM while it is open (Logback's list appender on the root logger), with its level, MDC and
 * exception; loggers can be opened to a lower level for the time of the capture.
 */
public final class CapturedLog implements AutoCloseable {

    private final ListAppender<ILoggingEvent> appender = new ListAppender<>();

    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);

    private final Logger opened;

    private final Level openedWas;

    private CapturedLog(String logger, Level level) {
        opened = logger == null ? null : (Logger) LoggerFactory.getLogger(logger);
        openedWas = opened == null ? null : opened.getLevel();
        if (opened != null) {
            opened.setLevel(level);
        }
        appender.setContext(root.getLoggerContext());
        appender.start();
        root.addAppender(appender);
    }

    /** Captures what the loggers write at their configured levels. */
    public static CapturedLog start() {
        return new CapturedLog(null, null);
    }

    /** Captures, with {@code logger} (and those below it) writing from {@code level} on. */
    public static CapturedLog start(String logger, Level level) {
        return new CapturedLog(logger, level);
    }

    /** A copy of the events so far. */
    public List<ILoggingEvent> events() {
        synchronized (appender) {
            return List.copyOf(appender.list);
        }
    }

    /** The events so far that match. */
    public List<ILoggingEvent> events(Predicate<ILoggingEvent> matching) {
        return events().stream().filter(matching).toList();
    }

    /** Waits until {@code count} events match; fails past {@code limitMillis}. */
    public List<ILoggingEvent> await(Predicate<ILoggingEvent> matching, int count, long limitMillis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + limitMillis;
        List<ILoggingEvent> found = events(matching);
        while (found.size() < count && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
            found = events(matching);
        }
        assertThat(found).as("matching log events within %d ms", limitMillis).hasSizeGreaterThanOrEqualTo(count);
        return found;
    }

    /** The event's level, logger, thread, MDC, message and exception, in one line (for failure messages). */
    public static String describe(ILoggingEvent event) {
        return event.getLevel() + " " + event.getLoggerName() + " [" + event.getThreadName() + "] " + event.getMDCPropertyMap()
                + " " + event.getFormattedMessage() + (event.getThrowableProxy() == null ? ""
                        : " " + event.getThrowableProxy().getClassName() + ": " + event.getThrowableProxy().getMessage());
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        appender.stop();
        if (opened != null) {
            opened.setLevel(openedWas);
        }
    }
}
