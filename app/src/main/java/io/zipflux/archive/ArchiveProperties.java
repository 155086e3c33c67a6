package io.zipflux.archive;

import java.nio.file.Path;
import java.time.Duration;
import java.time.temporal.ChronoUnit;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.convert.DurationUnit;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the archive endpoint ({@code zipflux.archive.*}); the seed's environment names are
 * mapped onto them in {@code application.yml}.
 *
 * @param photosDir folder holding one sub-folder per archive hash
 * @param chunkSize size of the buffers read from files and written to the client
 * @param largeChunkSize the buffer size used instead while little memory is in use (faster streams)
 * @param largeChunkBudget direct memory in use below which reads use the large chunk size;
 *                         above it they fall back to {@code chunkSize}, so many slow streams stay bounded
 * @param smallChunkSize the buffer size used once direct memory in use passes {@code smallChunkBudget}
 * @param smallChunkBudget direct memory in use past which reads use {@code smallChunkSize}, so that a
 *                         crowd of streams fits; empty: half the JVM's direct memory limit
 * @param streamMemoryLimit direct memory in use past which a new download is answered 503 with
 *                          Retry-After, before memory runs out for the streams already running and for
 *                          every other request; empty: three quarters of the JVM's direct memory limit
 * @param writePrefetch how many chunks may wait in the network layer per stream (memory bound)
 * @param responseDelayEnabled whether to pause between chunks (throttling, as the seed did)
 * @param responseDelay the pause between chunks; a bare number means seconds
 * @param compression the compression used when the request does not choose one
 * @param crcCacheEntries how many file CRCs to remember (36 bytes each, in memory and in
 *                        {@code <data-dir>/crc-cache/}), so downloads need not read files for them; 0: none
 * @param crcCacheSettle how long after a file's modification time a CRC read must start to be remembered:
 *                       file times are coarse, a write in the same tick as the last leaves the time unchanged
 * @param crcCacheSaveInterval how often the CRC cache is saved to the data dir when it has changed
 * @param fileIoThreads threads that read files for all downloads together
 * @param createSample whether to create a {@code sample} folder of generated photos when the
 *                     photos folder is missing, so a fresh checkout has something to download
 * @param zeroCopy whether stored file data goes from the page cache to the socket with {@code sendfile}
 *                 (plain HTTP only; TLS, compression and a response delay copy through the JVM anyway)
 * @param layoutCacheFiles how many files the cached folder layouts may hold in all (about 60 bytes
 *                         each); 0 lists the folder on every request
 */
@Validated
@ConfigurationProperties("zipflux.archive")
public record ArchiveProperties(
        @NotNull @DefaultValue("photos") Path photosDir,
        @NotNull @DefaultValue("64KB") DataSize chunkSize,
        @NotNull @DefaultValue("256KB") DataSize largeChunkSize,
        @NotNull @DefaultValue("64MB") DataSize largeChunkBudget,
        @NotNull @DefaultValue("16KB") DataSize smallChunkSize,
        DataSize smallChunkBudget,
        DataSize streamMemoryLimit,
        @Min(2) @Max(128) @DefaultValue("2") int writePrefetch,
        @DefaultValue("false") boolean responseDelayEnabled,
        @NotNull @DurationUnit(ChronoUnit.SECONDS) @DefaultValue("0s") Duration responseDelay,
        @NotNull @DefaultValue("store") Compression compression,
        @Min(0) @DefaultValue("100000") int crcCacheEntries,
        @NotNull @DefaultValue("2s") Duration crcCacheSettle,
        @NotNull @DefaultValue("30s") Duration crcCacheSaveInterval,
        @Min(1) @Max(64) @DefaultValue("4") int fileIoThreads,
        @DefaultValue("false") boolean createSample,
        @DefaultValue("true") boolean zeroCopy,
        @Min(0) @DefaultValue("1000000") int layoutCacheFiles) {

    int chunkBytes() {
        return bytes(chunkSize);
    }

    int largeChunkBytes() {
        return Math.max(chunkBytes(), bytes(largeChunkSize));
    }

    /** Never above {@code chunkSize}: small chunks are the crowd's. */
    int smallChunkBytes() {
        return Math.min(chunkBytes(), bytes(smallChunkSize));
    }

    long smallChunkBudgetBytes() {
        return smallChunkBudget != null ? smallChunkBudget.toBytes() : NetworkMemory.limit() / 2;
    }

    long streamMemoryLimitBytes() {
        return streamMemoryLimit != null ? streamMemoryLimit.toBytes() : NetworkMemory.limit() / 4 * 3;
    }

    private static int bytes(DataSize size) {
        return (int) Math.min(64 << 20, Math.max(1024, size.toBytes()));
    }

    Duration effectiveDelay() {
        return responseDelayEnabled ? responseDelay : Duration.ZERO;
    }
}
