package io.zipflux.job.urlarchive;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Names of url-archive entries: sanitized when they come from an origin, made unique in order. */
class EntryNamesTest {

    @Test
    void namesFromAnOriginLoseSeparatorsControlCharactersAndDotOnlyForms() {
        assertThat(EntryNames.sanitize("../../etc/passwd")).isEqualTo(".._.._etc_passwd");
        assertThat(EntryNames.sanitize("a\\b\u0001c\u007f.txt")).isEqualTo("a_b_c_.txt");
        assertThat(EntryNames.sanitize("..")).isEqualTo("download");
        assertThat(EntryNames.sanitize("   ")).isEqualTo("download");
        assertThat(EntryNames.sanitize("x".repeat(300))).hasSize(EntryNames.MAX_LENGTH);
    }

    @Test
    void urlNameIsItsLastPathSegmentDecoded() {
        assertThat(EntryNames.fromUrl("http://h/a/b/photo%20one.jpg?size=2")).isEqualTo("photo one.jpg");
        assertThat(EntryNames.fromUrl("http://h/a/b/")).isEqualTo("b");
        assertThat(EntryNames.fromUrl("http://h/a%2Fb+c.bin")).isEqualTo("a/b+c.bin");
        assertThat(EntryNames.fromUrl("http://example.test")).isEqualTo("example.test");
    }

    @Test
    void derivedNamesGiveWayToGivenOnesAndGetNumberedBeforeTheExtension() {
        List<String> unique = EntryNames.unique(
                List.of("a.jpg", "a.jpg", "A.JPG", "a (1).jpg", "README", "README", "a.jpg"),
                List.of(false, false, false, false, false, false, true));

        assertThat(unique).containsExactly("a (1).jpg", "a (2).jpg", "A (3).JPG", "a (1) (1).jpg", "README", "README (1)", "a.jpg");
    }

    @Test
    void unsafeGivenNamesAreRefusedWithTheReason() {
        assertThat(EntryNames.unsafe("ok name.txt")).isEmpty();
        assertThat(EntryNames.unsafe("a/b")).hasValueSatisfying(reason -> assertThat(reason).contains("'/'"));
        assertThat(EntryNames.unsafe("..")).hasValueSatisfying(reason -> assertThat(reason).contains("not a file name"));
        assertThat(EntryNames.unsafe("a\tb")).hasValueSatisfying(reason -> assertThat(reason).contains("control"));
    }
}
