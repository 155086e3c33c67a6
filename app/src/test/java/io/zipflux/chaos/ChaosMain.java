package io.zipflux.chaos;

import java.time.LocalTime;
import java.time.temporal.ChronoUnit;

/**
 * {@code app/bench/chaos.sh}'s harness: runs the chaos run with the full settings, changed by
 * {@code --name=value} arguments (see ChaosSettings), and prints its last line; exit status 1 when a job
 * was lost, duplicated or wrong.
 */
public final class ChaosMain {

    private ChaosMain() {
    }

    public static void main(String[] args) throws Exception {
        // The harness's own libraries (embedded PostgreSQL) log every line at INFO; the run says what matters.
        ((ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME))
                .setLevel(ch.qos.logback.classic.Level.WARN);
        ChaosSettings settings = ChaosSettings.parse(args);
        java.nio.file.Files.createDirectories(settings.work());
        ChildProcess.pidFile = settings.work().resolve("pids");
        ChaosRun run = new ChaosRun(settings, ChaosMain::log);
        // A TERM (chaos.sh's deadline, Ctrl-C) ends the run's processes too.
        Runtime.getRuntime().addShutdownHook(new Thread(run::stop, "chaos-stop"));
        ChaosOutcome outcome;
        try {
            outcome = run.run();
        }
        catch (Exception ex) {
            ex.printStackTrace();
            System.exit(2);
            return;
        }
        System.out.println(outcome.lastLine());
        System.exit(outcome.lost() + outcome.duplicated() + outcome.wrong() == 0 ? 0 : 1);
    }

    static void log(String message) {
        System.err.println("[" + LocalTime.now().truncatedTo(ChronoUnit.SECONDS) + "] " + message);
    }
}
