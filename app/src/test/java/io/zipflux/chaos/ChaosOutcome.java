package io.zipflux.chaos;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Consumer;

/** The verdict of a chaos run: jobs by category, with why, and the time from the last fault to the last job's end. */
record ChaosOutcome(int jobs, int lost, int duplicated, int wrong, double recoveredSeconds, List<String> problems,
        List<ChaosJob> all) {

    static ChaosOutcome judge(List<ChaosJob> jobs, ChaosChecks checks, double recoveredSeconds) throws Exception {
        int lost = 0;
        int duplicated = 0;
        int wrong = 0;
        List<String> problems = new ArrayList<>();
        for (ChaosJob job : jobs) {
            ChaosChecks.Verdict verdict = checks.judge(job);
            if (verdict == null) {
                continue;
            }
            switch (verdict.category()) {
                case "lost" -> lost++;
                case "duplicated" -> duplicated++;
                default -> wrong++;
            }
            problems.add(verdict.category() + ": " + job + ": " + verdict.why());
        }
        return new ChaosOutcome(jobs.size(), lost, duplicated, wrong, recoveredSeconds, problems, jobs);
    }

    /** The run's last line. */
    String lastLine() {
        return String.format(Locale.ROOT, "chaos: jobs %d, lost %d, duplicated %d, wrong %d, recovered in %.1f s",
                jobs, lost, duplicated, wrong, recoveredSeconds);
    }

    /** Problems, what clients saw, jobs no answer named, instance logs; not the last line (the caller prints it). */
    void report(Consumer<String> log, List<String> otherJobs, List<ChaosInstance> instances) {
        problems.forEach(problem -> log.accept(problem));
        long retried = all.stream().filter(job -> !job.failedTries.isEmpty()).count();
        log.accept("submissions that needed more than one try: " + retried + " of " + all.size());
        all.stream().filter(job -> job.type.equals("import"))
                .forEach(job -> log.accept("import " + job.label + ": " + job.state() + " " + job.notes
                        + (job.last == null ? "" : " error: " + job.last.path("error").asText())
                        + (job.failedTries.isEmpty() ? "" : "; failed tries " + job.failedTries.size() + ", last: "
                                + job.failedTries.get(job.failedTries.size() - 1))));
        all.stream().filter(job -> job.terminal() && !job.firstTerminal.path("state").asText().equals("SUCCEEDED")
                        && !job.type.equals("import"))
                .forEach(job -> log.accept("not SUCCEEDED: " + job + ": " + job.firstTerminal));
        log.accept("jobs in the table that no answer named: " + otherJobs.size());
        otherJobs.forEach(other -> log.accept("  " + other));
        instances.forEach(instance -> log.accept("log of " + instance.name() + ": " + instance.log()));
    }
}
