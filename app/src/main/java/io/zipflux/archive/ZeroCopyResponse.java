package io.zipflux.archive;

import java.nio.channels.FileChannel;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufHolder;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.DefaultFileRegion;
import io.netty.handler.codec.http.HttpContentCompressor;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.http.server.HttpServerResponse;

import org.springframework.http.server.reactive.AbstractServerHttpResponse;
import org.springframework.http.server.reactive.ServerHttpResponse;

/**
 * Writes a response body of buffers and file regions straight to Reactor Netty, so that file bytes go
 * from the page cache to the socket with {@code sendfile} while headers, descriptors and the central
 * directory go as small buffers between them. Spring commits the response first (status, headers,
 * cookies, its before-commit actions such as security headers) without writing; Reactor Netty then sends
 * the headers with the first object. Only on a plain HTTP/1.1 connection without compression: TLS,
 * compression and HTTP/2 need the bytes in the JVM, and get the copying path.
 */
final class ZeroCopyResponse {

    private final ServerHttpResponse response;

    private final HttpServerResponse netty;

    private ZeroCopyResponse(ServerHttpResponse response, HttpServerResponse netty) {
        this.response = response;
        this.netty = netty;
    }

    /** The zero-copy writer of this response, when its connection allows one. */
    static Optional<ZeroCopyResponse> of(ServerHttpResponse response) {
        if (!(response instanceof AbstractServerHttpResponse reactive)
                || !(reactive.getNativeResponse() instanceof HttpServerResponse netty)
                || !(netty instanceof Connection connection)) {
            return Optional.empty();
        }
        ChannelPipeline pipeline = connection.channel().pipeline();
        boolean plain = pipeline.get(SslHandler.class) == null && pipeline.get(HttpContentCompressor.class) == null
                && !(connection.channel() instanceof Http2StreamChannel);
        return plain ? Optional.of(new ZeroCopyResponse(response, netty)) : Optional.empty();
    }

    /** Sends {@code body}: {@link ByteBuf}s and {@link Region}s, in order, each released once written or dropped. */
    Mono<Void> write(Flux<Object> body) {
        return response.setComplete()
                .then(Mono.defer(() -> netty.sendObject(body).then()));
    }

    static ByteBuf bytes(byte[] bytes, int from, int to) {
        return Unpooled.wrappedBuffer(bytes, from, to - from);
    }

    /**
     * The files one response has opened and Netty has not yet released. A stream cut short (client gone,
     * error) closes them: a region opened ahead and caught between operators when the stream is cancelled
     * would otherwise keep its file open for good.
     */
    static final class OpenFiles {

        private final Set<Region> open = ConcurrentHashMap.newKeySet();

        Region region(FileChannel file, long position, long count) {
            Region region = new Region(file, position, count, open);
            open.add(region);
            return region;
        }

        /** Closes the files of regions not released yet (closing twice is harmless; Netty's release then does nothing more). */
        void closeAll() {
            for (Region region : open) {
                region.closeFile();
            }
            open.clear();
        }
    }

    /**
     * File bytes for {@code sendfile}: Netty's native transport sends a {@link DefaultFileRegion} with it.
     * It is also a (contentless) {@link ByteBufHolder} only because Reactor Netty drops outbound messages
     * whose size it reads as 0, which it does for every other file region; closes its file when released.
     */
    static final class Region extends DefaultFileRegion implements ByteBufHolder {

        private final FileChannel file;

        private final Set<Region> open;

        private Region(FileChannel file, long position, long count, Set<Region> open) {
            super(file, position, count);
            this.file = file;
            this.open = open;
        }

        @Override
        protected void deallocate() {
            super.deallocate();
            open.remove(this);
        }

        void closeFile() {
            FileIo.closeQuietly(file);
        }

        @Override
        public ByteBuf content() {
            return Unpooled.EMPTY_BUFFER;
        }

        @Override
        public ByteBufHolder copy() {
            throw new UnsupportedOperationException("a file region is sent, never copied");
        }

        @Override
        public ByteBufHolder duplicate() {
            throw new UnsupportedOperationException("a file region is sent, never duplicated");
        }

        @Override
        public ByteBufHolder retainedDuplicate() {
            throw new UnsupportedOperationException("a file region is sent, never duplicated");
        }

        @Override
        public ByteBufHolder replace(ByteBuf content) {
            throw new UnsupportedOperationException("a file region is sent, never replaced");
        }

        @Override
        public Region retain() {
            super.retain();
            return this;
        }

        @Override
        public Region retain(int increment) {
            super.retain(increment);
            return this;
        }

        @Override
        public Region touch() {
            super.touch();
            return this;
        }

        @Override
        public Region touch(Object hint) {
            super.touch(hint);
            return this;
        }
    }
}
