package io.zipflux.job.idempotency;

import java.nio.charset.StandardCharsets;
import java.util.Random;

import org.junit.jupiter.api.Test;

import org.springframework.core.io.buffer.DefaultDataBufferFactory;

import static io.zipflux.job.idempotency.KeyedRequests.multipart;
import static io.zipflux.job.idempotency.KeyedRequests.multipartType;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The body digest, fed in pieces as a body streams: a multipart body's digest does not depend on its
 * boundary nor on where the pieces split, and any byte of content or part headers changes it.
 */
class BodyDigestTest {

    private static final byte[] CONTENT = content();

    @Test
    void aMultipartDigestIsTheSameForAnyBoundaryAndAnySplit() {
        byte[] expected = digest(multipartType("first"), multipart("first", "f.bin", CONTENT), Integer.MAX_VALUE);

        for (int piece : new int[] {1, 2, 3, 7, 64, 8191, 8193}) {
            assertThat(digest(multipartType("first"), multipart("first", "f.bin", CONTENT), piece)).as("pieces of %d", piece)
                    .isEqualTo(expected);
            assertThat(digest(multipartType("\"other-0b\""), multipart("other-0b", "f.bin", CONTENT), piece))
                    .as("another boundary, pieces of %d", piece)
                    .isEqualTo(expected);
        }
    }

    @Test
    void anyChangedByteChangesTheDigest() {
        byte[] expected = digest(multipartType("b"), multipart("b", "f.bin", CONTENT), 1000);
        byte[] changed = CONTENT.clone();
        changed[changed.length - 1] ^= 1;

        assertThat(digest(multipartType("b"), multipart("b", "f.bin", changed), 1000)).isNotEqualTo(expected);
        assertThat(digest(multipartType("b"), multipart("b", "g.bin", CONTENT), 1000)).as("a part header").isNotEqualTo(expected);
        assertThat(digest("text/csv", "a,b\n".getBytes(StandardCharsets.UTF_8), 1))
                .isNotEqualTo(digest("text/csv", "a,c\n".getBytes(StandardCharsets.UTF_8), 1));
    }

    @Test
    void contentThatLooksLikeADelimiterStartStillCounts() {
        byte[] tricky = "x\r\n--b\r\n--bb\r\n-\r\n--".getBytes(StandardCharsets.US_ASCII);
        byte[] plain = "x\r\n--bb\r\n-\r\n--".getBytes(StandardCharsets.US_ASCII);

        assertThat(digest(multipartType("bbb"), multipart("bbb", "f", tricky), 1))
                .isEqualTo(digest(multipartType("zzz"), multipart("zzz", "f", tricky), 5))
                .isNotEqualTo(digest(multipartType("bbb"), multipart("bbb", "f", plain), 1));
    }

    private static byte[] digest(String contentType, byte[] body, int piece) {
        BodyDigest digest = BodyDigest.of(contentType);
        for (int from = 0; from < body.length; from += piece) {
            int length = Math.min(piece, body.length - from);
            byte[] part = new byte[length];
            System.arraycopy(body, from, part, 0, length);
            digest.update(DefaultDataBufferFactory.sharedInstance.wrap(part));
        }
        return digest.finish();
    }

    private static byte[] content() {
        byte[] content = new byte[100_000];
        new Random(3).nextBytes(content);
        return content;
    }
}
