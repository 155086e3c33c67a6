package io.zipflux.job.export;

import java.util.List;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.stereotype.Component;

import io.zipflux.system.DatabaseMigrations;

/**
 * {@code --seed-responses[=N]} at start: adds N (default {@value #DEFAULT_ROWS}) realistic form
 * responses, for trying exports and imports. The rows are made by PostgreSQL in one statement:
 * five forms, respondents with commas, quotes and non-ASCII names, submissions spread over the last
 * year, answers with free text (line breaks, quotes, commas), numbers, booleans and arrays.
 */
@Component
class SampleResponses implements ApplicationRunner {

    static final String OPTION = "seed-responses";

    static final int DEFAULT_ROWS = 20_000;

    private static final Logger log = LoggerFactory.getLogger(SampleResponses.class);

    private static final String INSERT = """
            INSERT INTO responses (form_id, respondent, submitted_at, answers)
            SELECT (ARRAY['customer-satisfaction', 'event-feedback', 'job-application', 'product-survey',
                          'bug-report'])[1 + i % 5],
                   (ARRAY['Ana García', 'Zoë "Z" Ångström', 'O''Brien, Seán', '李雷', 'Jean-Luc Picard',
                          'Noor al-Hassan', 'Björk Guðmundsdóttir', 'Émile Zola'])[1 + (i * 7) % 8]
                       || ' <user' || i || '@example.org>',
                   now() - random() * interval '365 days',
                   jsonb_build_object(
                       'rating', 1 + i % 5,
                       'recommend', i % 3 <> 0,
                       'comment', (ARRAY['Great, thanks!', 'Too slow; the "fast" option is missing',
                                         E'Line one\\nline two', 'Très bien — merci', '',
                                         'Needs work, honestly'])[1 + i % 6],
                       'tags', jsonb_build_array('t' || i % 10, 'web'))
            FROM generate_series(1, :rows) AS i
            """;

    private final DatabaseClient db;

    private final DatabaseMigrations migrations;

    SampleResponses(DatabaseClient db, DatabaseMigrations migrations) {
        this.db = db;
        this.migrations = migrations;
    }

    @Override
    public void run(ApplicationArguments args) {
        if (!args.containsOption(OPTION)) {
            return;
        }
        int rows = rows(args.getOptionValues(OPTION));
        log.info("Adding {} sample responses once the database is ready", rows);
        migrations.whenReady()
                .then(db.sql(INSERT).bind("rows", rows).fetch().rowsUpdated())
                .subscribe(added -> log.info("Added {} sample responses", added),
                        error -> log.warn("Could not add sample responses: {}", error.toString()));
    }

    private static int rows(List<String> values) {
        String value = values.isEmpty() || values.get(0).isBlank() ? null : values.get(0).trim();
        if (value == null) {
            return DEFAULT_ROWS;
        }
        try {
            int rows = Integer.parseInt(value.replace("_", ""));
            if (rows > 0) {
                return rows;
            }
        }
        catch (NumberFormatException ignored) {
            // reported below
        }
        throw new IllegalArgumentException("--" + OPTION + " takes a positive number of rows, not '" + value + "'");
    }
}
