package io.zipflux.archive;

import org.springframework.stereotype.Component;

/**
 * Bounds how many chunks Reactor Netty requests ahead of the socket per response. Its default
 * (128) lets one slow download park 128 chunks in memory; with a small number, memory per stream
 * is chunk size × prefetch and backpressure reaches the file reads. Reactor Netty reads the
 * setting once, before the first response is written, which is why it is set while beans are made.
 */
@Component
class NetworkWritePrefetch {

    static final String PROPERTY = "reactor.netty.send.maxPrefetchSize";

    NetworkWritePrefetch(ArchiveProperties properties) {
        if (System.getProperty(PROPERTY) == null) {
            System.setProperty(PROPERTY, Integer.toString(properties.writePrefetch()));
        }
    }
}
