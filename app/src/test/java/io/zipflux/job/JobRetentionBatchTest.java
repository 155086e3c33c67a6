package io.zipflux.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.annotation.DirtiesContext;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retention sweep deletes at most {@code zipflux.jobs.retention-batch} jobs (2 here): five old jobs,
 * there all at once and older than any other, take three sweeps. The context is closed after this
 * class: its short retention would delete the jobs of the tests that follow.
 */
@SpringBootTest(properties = {
        "zipflux.data-dir=${java.io.tmpdir}/zipflux-test-data-retention",
        "zipflux.archive.photos-dir=${java.io.tmpdir}/zipflux-test-photos",
        "zipflux.jobs.retention=2s",
        "zipflux.jobs.retention-batch=2",
})
@DirtiesContext
class JobRetentionBatchTest {

    private static final Pattern BATCH = Pattern.compile("Retention deleted (\\d+) jobs");

    @Value("${spring.r2dbc.url}")
    private String r2dbcUrl;

    @Test
    void fiveOldJobsTakeThreeSweepsOfAtMostTwo() throws Exception {
        ListAppender<ILoggingEvent> retentionLog = new ListAppender<>();
        retentionLog.start();
        Logger logger = (Logger) LoggerFactory.getLogger(JobRetention.class);
        logger.setLevel(Level.INFO);
        logger.addAppender(retentionLog);
        try (JobRows rows = new JobRows(r2dbcUrl)) {
            List<UUID> old = rows.insertEndedLongAgo("import", "retention", 5);

            rows.awaitGone(old, Duration.ofSeconds(20));

            List<Integer> batches = batches(retentionLog);
            assertThat(batches).as("jobs deleted per sweep").allSatisfy(size -> assertThat(size).isBetween(1, 2));
            assertThat(batches).as("sweeps that deleted the 5 jobs (the oldest, so the first deleted)").hasSizeGreaterThanOrEqualTo(3);
            assertThat(batches).as("full sweeps, though five were due").filteredOn(size -> size == 2).hasSizeGreaterThanOrEqualTo(2);
        }
        finally {
            logger.detachAppender(retentionLog);
        }
    }

    private static List<Integer> batches(ListAppender<ILoggingEvent> log) {
        List<Integer> sizes = new ArrayList<>();
        for (ILoggingEvent event : List.copyOf(log.list)) {
            Matcher batch = BATCH.matcher(event.getFormattedMessage());
            if (batch.find()) {
                sizes.add(Integer.parseInt(batch.group(1)));
            }
        }
        return sizes;
    }
}
