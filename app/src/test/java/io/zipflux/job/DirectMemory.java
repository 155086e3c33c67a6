package io.zipflux.job;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.util.concurrent.atomic.AtomicLong;

import io.netty.util.internal.PlatformDependent;

/**
 * The peak of this JVM's direct memory (the JDK's direct buffers and Netty's own), sampled every
 * millisecond from a thread while watched, against what was in use when watching began.
 */
public final class DirectMemory implements AutoCloseable {

    private final long before = used();

    private final AtomicLong peak = new AtomicLong(before);

    private final Thread sampler = new Thread(this::sample, "direct-memory-sampler");

    private volatile boolean watching = true;

    private DirectMemory() {
        sampler.setDaemon(true);
        sampler.start();
    }

    public static DirectMemory watch() {
        return new DirectMemory();
    }

    /** How far direct memory rose above its level when watching began. */
    public long peakGrowth() {
        peak.accumulateAndGet(used(), Math::max);
        return peak.get() - before;
    }

    private void sample() {
        while (watching) {
            peak.accumulateAndGet(used(), Math::max);
            try {
                Thread.sleep(1);
            }
            catch (InterruptedException ex) {
                return;
            }
        }
    }

    private static long used() {
        long jdk = ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class).stream()
                .filter(pool -> pool.getName().equals("direct"))
                .mapToLong(BufferPoolMXBean::getMemoryUsed)
                .sum();
        return jdk + Math.max(0, PlatformDependent.usedDirectMemory());
    }

    @Override
    public void close() throws InterruptedException {
        watching = false;
        sampler.join(1000);
    }
}
