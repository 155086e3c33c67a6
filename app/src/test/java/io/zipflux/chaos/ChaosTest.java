package io.zipflux.chaos;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shortened chaos run ({@code app/bench/chaos.sh} in small): two instances in JVMs of their own on a
 * real broker and a real PostgreSQL, 2 jobs of every type, 3 instance kills (SIGKILL), the broker killed
 * and started again, PostgreSQL restarted: every job ends, once, with the right result.
 */
class ChaosTest {

    private static final Logger log = LoggerFactory.getLogger(ChaosTest.class);

    @TempDir
    private Path work;

    @Test
    @Timeout(value = 10, unit = TimeUnit.MINUTES)
    void everyJobEndsOnceAndRightThroughKillsAndRestarts() throws Exception {
        ChaosOutcome outcome = new ChaosRun(ChaosSettings.shortened(work), log::info).run();

        log.info(outcome.lastLine());
        assertThat(outcome.jobs()).isEqualTo(8);
        assertThat(outcome.all()).as("every job accepted and ended").allMatch(ChaosJob::terminal);
        assertThat(outcome.problems()).as(outcome.lastLine()).isEmpty();
        assertThat(outcome.lost()).isZero();
        assertThat(outcome.duplicated()).isZero();
        assertThat(outcome.wrong()).isZero();
    }
}
