package io.zipflux.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

import io.zipflux.job.ResponsesTable;

/**
 * One chaos run: PostgreSQL, a Kafka broker, an origin and two zipflux instances on loopback; N jobs of
 * each type submitted while the faults strike; then the wait until every accepted job is terminal, and
 * the checks. Every process it started is ended when it returns.
 */
final class ChaosRun {

    private final ChaosSettings settings;

    private final Consumer<String> log;

    private final List<AutoCloseable> started = new java.util.concurrent.CopyOnWriteArrayList<>();

    ChaosRun(ChaosSettings settings, Consumer<String> log) {
        this.settings = settings;
        this.log = log;
    }

    ChaosOutcome run() throws Exception {
        try {
            return runStarted();
        }
        finally {
            stop();
        }
    }

    /** Ends every process and service this run started, last started first (also from a shutdown hook). */
    synchronized void stop() {
        for (int i = started.size() - 1; i >= 0; i--) {
            try {
                started.get(i).close();
            }
            catch (Exception ex) {
                log.accept("stopping: " + ex);
            }
        }
        started.clear();
    }

    private ChaosOutcome runStarted() throws Exception {
        Random random = new Random(settings.seed());
        Path work = settings.work();
        Files.createDirectories(work);
        ChaosPostgres postgres = ChaosPostgres.start(work.resolve("postgres"));
        started.add(postgres);
        ChaosKafka kafka = ChaosKafka.start(work.resolve("kafka"), Duration.ofSeconds(120));
        started.add(kafka::kill);
        ChaosOrigin origin = ChaosOrigin.start(100);
        started.add(origin);
        log.accept("services: PostgreSQL " + postgres.r2dbcUrl() + ", Kafka " + kafka.bootstrap() + " (seed " + settings.seed() + ")");

        Map<String, String> environment = environment(postgres, kafka);
        String key = ChaosKeys.createAdmin(settings.jar(), environment, work);
        List<ChaosInstance> instances = List.of(ChaosInstance.create("chaos-a", work, settings.jar(), environment),
                ChaosInstance.create("chaos-b", work, settings.jar(), environment));
        for (ChaosInstance instance : instances) {
            instance.start();
            started.add(instance::kill);
        }
        for (ChaosInstance instance : instances) {
            instance.awaitRunningJobs(Duration.ofSeconds(180));
        }
        try (ResponsesTable table = new ResponsesTable(postgres.r2dbcUrl())) {
            table.insertMany("chaos-export", ChaosWorkload.EXPORT_ROWS, OffsetDateTime.parse(ChaosWorkload.EXPORT_FROM + "T00:00:00Z"));
        }
        log.accept("instances ready: " + instances.stream().map(i -> i.name() + " " + i.baseUrl()).toList());

        ChaosApi api = new ChaosApi(instances, key);
        List<ChaosJob> jobs = ChaosWorkload.jobs(settings.jobsPerType(), origin, random);
        ChaosWatch watch = new ChaosWatch(api, jobs);
        started.add(watch);
        watch.start();
        // Submissions are tried again until the wait after the faults is over (however long the faults took).
        AtomicLong submitDeadline = new AtomicLong(System.nanoTime() + TimeUnit.HOURS.toNanos(1));
        ExecutorService submissions = submit(jobs, new ChaosSubmitter(api, submitDeadline::get));
        long lastFault = new ChaosFaults(settings, instances, kafka, postgres, random, log).run();
        submitDeadline.set(lastFault + settings.recoveryLimit().toNanos());
        log.accept("faults over; waiting (at most " + settings.recoveryLimit().toSeconds() + " s) for every job to end");

        long deadline = lastFault + settings.recoveryLimit().toNanos();
        submissions.shutdown();
        submissions.awaitTermination(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
        while (System.nanoTime() < deadline && !jobs.stream().allMatch(job -> !job.accepted() || job.terminal())) {
            Thread.sleep(500);
        }
        submissions.shutdownNow();
        watch.close();
        watch.readAll();
        // Recovered: when the last job ended (or the wait ended, if one never did), counted from the last fault.
        long recovered = jobs.stream().allMatch(ChaosJob::terminal)
                ? jobs.stream().mapToLong(job -> job.terminalAt).max().orElse(lastFault) : System.nanoTime();
        try (ResponsesTable table = new ResponsesTable(postgres.r2dbcUrl())) {
            ChaosOutcome outcome = ChaosOutcome.judge(jobs, new ChaosChecks(api, table, origin),
                    Math.max(0, recovered - lastFault) / 1e9);
            outcome.report(log, ChaosJobsTable.others(postgres.r2dbcUrl(), jobs), instances);
            return outcome;
        }
    }

    /** Submits the jobs spread over {@code submitOver}, a few at once. */
    private ExecutorService submit(List<ChaosJob> jobs, ChaosSubmitter submitter) {
        var pool = Executors.newScheduledThreadPool(8);
        long step = settings.submitOver().toMillis() / Math.max(1, jobs.size());
        for (int i = 0; i < jobs.size(); i++) {
            ChaosJob job = jobs.get(i);
            pool.schedule(() -> {
                submitter.submit(job);
                return null;
            }, i * step, TimeUnit.MILLISECONDS);
        }
        return pool;
    }

    /**
     * What both instances share (DESIGN §0 names): the services, the data folder, loose limits. The lease
     * stays at its default: a short one (the tests' 3 s) lapses on a live instance of a busy machine.
     */
    private Map<String, String> environment(ChaosPostgres postgres, ChaosKafka kafka) {
        Map<String, String> environment = new LinkedHashMap<>();
        environment.put("SPRING_KAFKA_BOOTSTRAP_SERVERS", kafka.bootstrap());
        environment.put("SPRING_R2DBC_URL", postgres.r2dbcUrl());
        environment.put("SPRING_R2DBC_USERNAME", "postgres");
        environment.put("SPRING_R2DBC_PASSWORD", "postgres");
        environment.put("ZIPFLUX_DATA_DIR", settings.work().resolve("data").toString());
        environment.put("PHOTOS_DIR", settings.work().resolve("photos").toString());
        environment.put("ZIPFLUX_SECURITY_MAX_ACTIVE_JOBS", "10000");
        environment.put("ZIPFLUX_FETCH_ALLOWED_ADDRESSES", "127.0.0.1/32");
        // Jobs that last a few seconds each, so that faults strike them while they run.
        environment.put("ZIPFLUX_JOBS_HASH_MAX_RATE", "1MB");
        environment.put("ZIPFLUX_JOBS_EXPORT_MAX_RATE", "4000");
        // Every kill here ends a run with its worker dying: that is what poison jobs count (zipflux.jobs.max-attempts,
        // proven by PoisonJobTest). The run asks whether jobs survive the kills, so a job may lose them all.
        environment.put("ZIPFLUX_JOBS_MAX_ATTEMPTS", "100");
        return environment;
    }
}
