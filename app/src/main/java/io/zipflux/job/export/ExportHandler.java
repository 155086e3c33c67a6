package io.zipflux.job.export;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.core.io.FileSystemResource;
import org.springframework.core.io.buffer.DataBuffer;
import org.springframework.core.io.buffer.DataBufferFactory;
import org.springframework.core.io.buffer.DefaultDataBufferFactory;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.reactive.function.BodyInserters;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebInputException;

import io.zipflux.job.DatabaseStreams;
import io.zipflux.job.Job;
import io.zipflux.job.JobExceptions;
import io.zipflux.job.JobService;
import io.zipflux.job.JobState;
import io.zipflux.security.Callers;
import io.zipflux.system.ClientStalledException;
import io.zipflux.system.HttpProperties;
import io.zipflux.system.StallClock;

/** CSV exports: start one, download its file, or stream the same CSV without a job. */
@Component
class ExportHandler {

    static final MediaType CSV = new MediaType("text", "csv", StandardCharsets.UTF_8);

    /** Query parameter (and job parameter) asking for spreadsheet-safe cells; see {@link ResponseCsv}. */
    static final String SPREADSHEET_SAFE = "spreadsheetSafe";

    private final JobService jobs;

    private final ResponseRows rows;

    private final ExportFiles files;

    private final ObjectMapper json;

    private final DatabaseStreams streams;

    private final Duration stallTimeout;

    private final DataBufferFactory buffers = DefaultDataBufferFactory.sharedInstance;

    private final Callers callers;

    ExportHandler(JobService jobs, ResponseRows rows, ExportFiles files, ObjectMapper json, DatabaseStreams streams,
            HttpProperties http, Callers callers) {
        this.jobs = jobs;
        this.callers = callers;
        this.rows = rows;
        this.files = files;
        this.json = json;
        this.streams = streams;
        this.stallTimeout = http.stallTimeout();
    }

    Mono<ServerResponse> start(ServerRequest request) {
        DateRange range = DateRange.of(request);
        boolean spreadsheetSafe = spreadsheetSafe(request);
        ObjectNode params = json.createObjectNode();
        range.writeTo(params);
        params.put(SPREADSHEET_SAFE, spreadsheetSafe);
        return callers.of(request)
                .flatMap(caller -> jobs.submit(caller, ExportWorker.TYPE, params, null, "rows",
                        request.queryParam("callbackUrl").orElse(null), job -> Mono.empty()))
                .flatMap(job -> ServerResponse.accepted()
                        .location(URI.create("/api/v1/jobs/" + job.id()))
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(job));
    }

    /** The export's file once it has SUCCEEDED (Range requests answered from the file); 409 before. */
    Mono<ServerResponse> download(ServerRequest request) {
        String id = request.pathVariable("id");
        return callers.of(request)
                .flatMap(caller -> jobs.get(id, caller))
                .filter(job -> job.type().equals(ExportWorker.TYPE))
                .switchIfEmpty(Mono.error(() -> new JobExceptions.NotFound(id)))
                .flatMap(this::file)
                .flatMap(file -> ServerResponse.ok()
                        .contentType(CSV)
                        .headers(headers -> attachment(headers, file.name()))
                        .body(BodyInserters.fromResource(new FileSystemResource(file.path()))));
    }

    /**
     * The same CSV as an export of the range, streamed as it is read; no job, no file. It holds a
     * database connection while it flows, so it takes one of the instance's database streams; it does
     * so when the body is first read, so a response never written holds none. None free: 503, before
     * any byte is sent. A client that takes nothing for {@code zipflux.http.stall-timeout} is cut, and
     * the stream released; one that reads slowly is not.
     */
    Mono<ServerResponse> stream(ServerRequest request) {
        DateRange range = DateRange.of(request);
        boolean spreadsheetSafe = spreadsheetSafe(request);
        return jobs.requireAvailable()
                .then(ServerResponse.ok()
                        .contentType(CSV)
                        .headers(headers -> attachment(headers, range.fileName()))
                        .body(Flux.using(streams::take,
                                        slot -> rows.csv(range, spreadsheetSafe).startWith(ResponseCsv.header()),
                                        DatabaseStreams.Slot::release)
                                .map(batch -> buffers.wrap(batch.bytes()))
                                .transform(this::cutWhenStalled), DataBuffer.class));
    }

    private Flux<DataBuffer> cutWhenStalled(Flux<DataBuffer> csv) {
        return StallClock.outbound(csv, stallTimeout, () -> new ClientStalledException("reading", stallTimeout));
    }

    /** {@code ?spreadsheetSafe=true|false} (default false); anything else 400. */
    private static boolean spreadsheetSafe(ServerRequest request) {
        return request.queryParam(SPREADSHEET_SAFE)
                .map(value -> switch (value.trim().toLowerCase(Locale.ROOT)) {
                    case "true" -> true;
                    case "false" -> false;
                    default -> throw new ServerWebInputException("'" + SPREADSHEET_SAFE + "' must be true or false, not '"
                            + value + "'");
                })
                .orElse(false);
    }

    private record ExportFile(Path path, String name) {
    }

    private Mono<ExportFile> file(Job job) {
        if (job.state() != JobState.SUCCEEDED) {
            return Mono.error(new JobExceptions.Conflict(job.id(), job.state(),
                    "be downloaded before it has SUCCEEDED"));
        }
        return files.existing(job.id())
                .switchIfEmpty(Mono.error(() -> gone(job)))
                .map(path -> new ExportFile(path, DateRange.of(job.params()).fileName()));
    }

    private static ErrorResponseException gone(Job job) {
        ErrorResponseException gone = new ErrorResponseException(HttpStatus.GONE);
        gone.getBody().setTitle("Export file gone");
        gone.getBody().setDetail("Export " + job.id() + " succeeded, but its file is no longer in the data folder; "
                + "start a new export.");
        return gone;
    }

    private static void attachment(HttpHeaders headers, String name) {
        headers.setContentDisposition(ContentDisposition.attachment().filename(name).build());
    }
}
