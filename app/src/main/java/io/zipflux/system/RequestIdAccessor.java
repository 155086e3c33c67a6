package io.zipflux.system;

import io.micrometer.context.ThreadLocalAccessor;
import org.slf4j.MDC;

/** Carries the request id between the Reactor context and the logging MDC, so that log lines on any thread of a request name it. */
final class RequestIdAccessor implements ThreadLocalAccessor<String> {

    @Override
    public Object key() {
        return RequestIds.KEY;
    }

    @Override
    public String getValue() {
        return MDC.get(RequestIds.KEY);
    }

    @Override
    public void setValue(String value) {
        MDC.put(RequestIds.KEY, value);
    }

    @Override
    public void setValue() {
        MDC.remove(RequestIds.KEY);
    }
}
