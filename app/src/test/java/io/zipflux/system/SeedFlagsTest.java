package io.zipflux.system;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SeedFlagsTest {

    @Test
    void hostAndPortFlagsBecomeServerSettings() {
        String[] args = SeedFlags.translate(new String[] {"-H", "0.0.0.0", "-P", "9000", "--debug"});

        assertThat(args).containsExactly("--server.address=0.0.0.0", "--server.port=9000", "--debug");
    }

    @Test
    void aFlagWithoutValueIsPassedOn() {
        assertThat(SeedFlags.translate(new String[] {"-P"})).containsExactly("-P");
    }
}
