package io.zipflux.system;

import java.io.FileNotFoundException;
import java.io.UncheckedIOException;
import java.nio.file.NoSuchFileException;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Error texts shown to clients lose local paths, class names and stack frames, and keep the rest. */
class PublicErrorsTest {

    @Test
    void aFileErrorIsSaidInWordsWithoutItsPath() {
        for (Throwable error : new Throwable[] {new FileNotFoundException("/var/data/exports/x.csv.part (No such file or directory)"),
                new UncheckedIOException(new NoSuchFileException("data/uploads/42")),
                new IllegalStateException("wrapped", new NoSuchFileException("C:\\data\\x"))}) {
            assertThat(PublicErrors.describe(error)).as(error.toString())
                    .isEqualTo("a file of the server could not be read or written; the failure has been logged");
        }
    }

    @Test
    void classNamesStackFramesAndPathsAreCleanedFromForeignTexts() {
        String jackson = "JSON decoding error: Cannot deserialize value of type `io.zipflux.job.urlarchive.ArchiveRequest` "
                + "from Array value";
        assertThat(PublicErrors.clean(jackson)).isEqualTo("JSON decoding error: Cannot deserialize value of type `` from Array value");
        assertThat(PublicErrors.clean("java.io.IOException: Connection reset by peer")).isEqualTo("Connection reset by peer");
        assertThat(PublicErrors.clean("FileSystemException: /tmp/zipflux/data/x: Not a directory"))
                .isEqualTo("(a local path): Not a directory");
        assertThat(PublicErrors.clean("boom\n\tat io.zipflux.job.JobRunner.run(JobRunner.java:12)\n\tat java.base/x.Y.z(Y.java:1)"))
                .isEqualTo("boom");
        assertThat(PublicErrors.clean("java.lang.NullPointerException")).isEqualTo(PublicErrors.GENERIC);
    }

    @Test
    void urlsHostsAndPlainWordsAreKept() {
        String text = "HTTP 503 Service Unavailable from http://127.0.0.1:8080/a/b.jpg?x=1, host example.org (3 attempts in a row)";
        assertThat(PublicErrors.clean(text)).isEqualTo(text);
        for (String kept : new String[] {"Connection refused: localhost/127.0.0.1:9", "Connection refused: /127.0.0.1:9",
                "connection timed out after 5000 ms: /[::1]:8080"}) {
            assertThat(PublicErrors.describe(new IllegalArgumentException(kept))).isEqualTo(kept);
        }
    }

    @Test
    void ourOwnTextsAreKeptAsWritten() {
        assertThat(PublicErrors.isOurs(new io.zipflux.system.PublicErrorsTestError("line 3, column respondent: value too long")))
                .isTrue();
        assertThat(PublicErrors.describe(new PublicErrorsTestError("see /api/v1/jobs/x"))).isEqualTo("see /api/v1/jobs/x");
    }
}

/** An exception of zipflux's own, for the test above. */
class PublicErrorsTestError extends RuntimeException {
    PublicErrorsTestError(String message) {
        super(message);
    }
}
