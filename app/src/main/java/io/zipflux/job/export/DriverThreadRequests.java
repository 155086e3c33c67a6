package io.zipflux.job.export;

import io.netty.util.concurrent.EventExecutor;
import io.netty.util.internal.ThreadExecutorMap;
import org.reactivestreams.Subscription;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Operators;
import reactor.util.context.Context;

/**
 * Passes a consumer's requests for more rows to r2dbc-postgresql on the event-loop thread that
 * delivers the rows. The driver can emit a result's rows out of order when a request arrives from
 * another thread while it holds rows back (its drain loop and its fast path race): that misplaced a
 * few rows in one export of a million, whose file writer asks for more from a worker thread. On the
 * delivering thread, requests and deliveries never overlap. (The loop is found through Netty's
 * {@code ThreadExecutorMap}; off a Netty loop, requests go straight through, as before.)
 */
final class DriverThreadRequests {

    private DriverThreadRequests() {
    }

    static <T> Flux<T> apply(Flux<T> rows) {
        return rows.transform(Operators.<T, T>lift((scannable, downstream) -> new Relay<>(downstream)));
    }

    private static final class Relay<T> implements CoreSubscriber<T>, Subscription {

        private final CoreSubscriber<? super T> downstream;

        private Subscription upstream;

        /** The event loop delivering rows, known from the first one; requests before it are safe (nothing held back). */
        private volatile EventExecutor deliverer;

        Relay(CoreSubscriber<? super T> downstream) {
            this.downstream = downstream;
        }

        @Override
        public Context currentContext() {
            return downstream.currentContext();
        }

        @Override
        public void onSubscribe(Subscription subscription) {
            upstream = subscription;
            downstream.onSubscribe(this);
        }

        @Override
        public void onNext(T row) {
            if (deliverer == null) {
                deliverer = ThreadExecutorMap.currentExecutor();
            }
            downstream.onNext(row);
        }

        @Override
        public void onError(Throwable error) {
            downstream.onError(error);
        }

        @Override
        public void onComplete() {
            downstream.onComplete();
        }

        @Override
        public void request(long n) {
            EventExecutor loop = deliverer;
            if (loop == null || loop.inEventLoop()) {
                upstream.request(n);
            }
            else {
                loop.execute(() -> upstream.request(n));
            }
        }

        @Override
        public void cancel() {
            upstream.cancel();
        }
    }
}
