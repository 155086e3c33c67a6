package io.zipflux.job.hash;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.UUID;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import org.springframework.stereotype.Component;

import io.zipflux.job.Job;
import io.zipflux.job.JobContext;
import io.zipflux.job.JobState;
import io.zipflux.job.JobWorker;
import io.zipflux.job.Throttle;

/**
 * Hash jobs: MD5 and SHA-256 of an uploaded file in one pass, a chunk at a time on the bounded
 * elastic pool, with progress in bytes and pause/cancel honoured between chunks (no chunk is read
 * while the job is paused), optionally rate-limited.
 */
@Component
class HashWorker implements JobWorker {

    static final String TYPE = "hash";

    private static final int CHUNK = 1 << 20;

    private final UploadStore uploads;

    private final ObjectMapper json;

    /** {@code zipflux.jobs.hash.max-rate}: bytes hashed per second (0: no limit), to spare the disk. */
    private final long maxBytesPerSecond;

    HashWorker(UploadStore uploads, ObjectMapper json, HashProperties properties) {
        this.uploads = uploads;
        this.json = json;
        this.maxBytesPerSecond = properties.maxRate().toBytes();
    }

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Mono<JsonNode> run(Job job, JobContext context) {
        Path file = uploads.pathOf(fileId(job));
        Throttle throttle = Throttle.perSecond(maxBytesPerSecond);
        return Mono.using(() -> new FileDigests(file),
                digests -> chunks(digests)
                        .concatMap(done -> context.checkpoint(done).then(throttle.after(done)), 0)
                        .then(Mono.fromSupplier(() -> result(digests))),
                FileDigests::close);
    }

    /** The upload is only input: once its job has ended, whatever the outcome, it goes. */
    @Override
    public Mono<Void> ended(Job job, JobState outcome) {
        return uploads.delete(fileId(job));
    }

    static UUID fileId(Job job) {
        return UUID.fromString(job.params().get("fileId").asText());
    }

    private JsonNode result(FileDigests digests) {
        return json.createObjectNode()
                .put("md5", digests.md5())
                .put("sha256", digests.sha256())
                .put("size", digests.done);
    }

    private Flux<Long> chunks(FileDigests digests) {
        return Flux.<Long>generate(sink -> {
            try {
                long done = digests.next();
                if (done < 0) {
                    sink.complete();
                }
                else {
                    sink.next(done);
                }
            }
            catch (IOException ex) {
                sink.error(ex);
            }
        }).subscribeOn(Schedulers.boundedElastic());
    }

    /** Reads a file once, feeding both digests. */
    private static final class FileDigests implements AutoCloseable {

        private final FileChannel channel;

        private final MessageDigest md5 = digest("MD5");

        private final MessageDigest sha256 = digest("SHA-256");

        private final ByteBuffer buffer = ByteBuffer.allocateDirect(CHUNK);

        private long done;

        FileDigests(Path file) throws IOException {
            this.channel = FileChannel.open(file, StandardOpenOption.READ);
        }

        /** Digests the next chunk; answers the bytes done so far, or -1 at the end. */
        long next() throws IOException {
            buffer.clear();
            int read = channel.read(buffer);
            if (read < 0) {
                return -1;
            }
            buffer.flip();
            md5.update(buffer.duplicate());
            sha256.update(buffer);
            done += read;
            return done;
        }

        String md5() {
            return HexFormat.of().formatHex(md5.digest());
        }

        String sha256() {
            return HexFormat.of().formatHex(sha256.digest());
        }

        @Override
        public void close() {
            try {
                channel.close();
            }
            catch (IOException ignored) {
                // read-only: nothing is lost
            }
        }

        private static MessageDigest digest(String algorithm) {
            try {
                return MessageDigest.getInstance(algorithm);
            }
            catch (NoSuchAlgorithmException ex) {
                throw new IllegalStateException(algorithm + " is part of every Java runtime", ex);
            }
        }
    }
}
