package io.zipflux.chaos;

import java.net.URI;
import java.net.http.HttpRequest;
import java.time.Duration;
import java.util.List;

/**
 * Reads every accepted job from the API about once a second, through the faults and after: it
 * catches the first terminal snapshot of each, and any change after it (a job run to a second result).
 */
final class ChaosWatch implements AutoCloseable {

    private final ChaosApi api;

    private final List<ChaosJob> jobs;

    private final Thread thread;

    private volatile boolean stopped;

    ChaosWatch(ChaosApi api, List<ChaosJob> jobs) {
        this.api = api;
        this.jobs = jobs;
        this.thread = new Thread(this::run, "chaos-watch");
        this.thread.setDaemon(true);
    }

    void start() {
        thread.start();
    }

    /** Reads each accepted job once (one try each; a job an instance could not answer for is read next round). */
    void readAll() throws InterruptedException {
        for (ChaosJob job : jobs) {
            if (!job.accepted()) {
                continue;
            }
            ChaosApi.Answer answer = api.send(base -> HttpRequest.newBuilder(URI.create(base + "/api/v1/jobs/" + job.id)).GET(),
                    Duration.ZERO);
            if (answer.status() == 200) {
                job.seen(answer.json());
            }
            else if (answer.status() == 404) {
                job.missing = true;
            }
        }
    }

    private void run() {
        while (!stopped) {
            try {
                readAll();
                Thread.sleep(1000);
            }
            catch (InterruptedException ex) {
                return;
            }
        }
    }

    @Override
    public void close() throws InterruptedException {
        stopped = true;
        thread.interrupt();
        thread.join(10_000);
    }
}
