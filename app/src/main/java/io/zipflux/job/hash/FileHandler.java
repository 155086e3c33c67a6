package io.zipflux.job.hash;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.fasterxml.jackson.databind.ObjectMapper;
import reactor.core.publisher.Mono;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.ErrorResponseException;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;
import org.springframework.web.server.ServerWebInputException;
import org.springframework.web.server.UnsupportedMediaTypeStatusException;

import io.zipflux.job.Job;
import io.zipflux.job.JobExceptions;
import io.zipflux.job.JobService;
import io.zipflux.job.JobState;
import io.zipflux.security.Caller;
import io.zipflux.security.Callers;
import io.zipflux.system.MultipartBodies;

/** File uploads for hashing, and their hashes. */
@Component
class FileHandler {

    private static final String FIELD = "file";

    private final UploadStore uploads;

    private final FileRepository files;

    private final JobService jobs;

    private final ObjectMapper json;

    private final Callers callers;

    FileHandler(UploadStore uploads, FileRepository files, JobService jobs, ObjectMapper json, Callers callers) {
        this.callers = callers;
        this.uploads = uploads;
        this.files = files;
        this.jobs = jobs;
        this.json = json;
    }

    /** An upload read from a multipart body. */
    private record Upload(String name, long size) {
    }

    Mono<ServerResponse> upload(ServerRequest request) {
        try {
            requireFormData(request);
        }
        catch (ErrorResponseException refused) {
            return MultipartBodies.refuse(request, refused);
        }
        UUID fileId = UUID.randomUUID();
        String callbackUrl = request.queryParam("callbackUrl").orElse(null);
        return callers.of(request)
                .flatMap(caller -> jobs.requireAvailable()
                        .then(jobs.checkCallback(callbackUrl))
                        .then(jobs.requireRoom(caller))
                        .then(receive(request, fileId))
                        .flatMap(upload -> submit(caller, fileId, upload, callbackUrl)
                                .onErrorResume(error -> uploads.delete(fileId).then(Mono.error(error)))))
                .flatMap(job -> ServerResponse.accepted()
                        .contentType(MediaType.APPLICATION_JSON)
                        .bodyValue(Map.of("id", fileId, "status", "PENDING", "jobId", job.id())));
    }

    /** 415 unless the body is multipart/form-data; 400 when its Content-Type is malformed or has no boundary. */
    private static void requireFormData(ServerRequest request) {
        MediaType type = MultipartBodies.contentType(request).orElse(MediaType.APPLICATION_OCTET_STREAM);
        if (!MediaType.MULTIPART_FORM_DATA.includes(type)) {
            throw new UnsupportedMediaTypeStatusException(type, List.of(MediaType.MULTIPART_FORM_DATA));
        }
        MultipartBodies.requireBoundary(type);
    }

    /**
     * Streams the first part named "file" to disk as its events arrive, one after the other, and
     * releases everything else.
     */
    private Mono<Upload> receive(ServerRequest request, UUID fileId) {
        return uploads.write(fileId, MultipartBodies.events(request), FIELD)
                .switchIfEmpty(Mono.error(() -> new ServerWebInputException(
                        "multipart field '" + FIELD + "' with a file is required")))
                .map(stored -> new Upload(stored.name(), stored.size()));
    }

    private Mono<Job> submit(Caller caller, UUID fileId, Upload upload, String callbackUrl) {
        return jobs.submit(caller, HashWorker.TYPE,
                json.createObjectNode().put("fileId", fileId.toString()).put("size", upload.size()),
                upload.size(), "bytes", callbackUrl,
                job -> files.insert(fileId, job.id(), upload.name(), upload.size()));
    }

    Mono<ServerResponse> hash(ServerRequest request) {
        String id = request.pathVariable("id");
        return callers.of(request)
                .flatMap(caller -> jobs.requireAvailable()
                        .then(JobService.parseId(id))
                        .flatMap(fileId -> jobs.available(files.find(fileId)))
                        .flatMap(file -> visibleJob(file, caller).map(job -> view(file, job))))
                .flatMap(view -> ServerResponse.ok().contentType(MediaType.APPLICATION_JSON).bodyValue(view))
                .switchIfEmpty(Mono.defer(() -> invalidId(id)));
    }

    /** The file's hash job; empty when {@code caller} may not see it, so that the file looks unknown. */
    private Mono<Job> visibleJob(FileRepository.StoredFile file, Caller caller) {
        return jobs.get(file.jobId().toString(), caller)
                .onErrorResume(JobExceptions.NotFound.class, unseen -> Mono.empty());
    }

    private static Map<String, Object> view(FileRepository.StoredFile file, Job job) {
        Map<String, Object> view = new LinkedHashMap<>();
        view.put("id", file.id());
        view.put("status", status(job.state()));
        view.put("md5", job.state() == JobState.SUCCEEDED ? job.result().get("md5").asText() : null);
        view.put("sha256", job.state() == JobState.SUCCEEDED ? job.result().get("sha256").asText() : null);
        view.put("size", file.size());
        view.put("jobId", job.id());
        view.put("error", job.error());
        return view;
    }

    private static String status(JobState state) {
        return switch (state) {
            case SUCCEEDED -> "SUCCESS";
            case FAILED, CANCELLED -> "FAILURE";
            default -> "PENDING";
        };
    }

    private static Mono<ServerResponse> invalidId(String id) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("id", id);
        body.put("status", "INVALID_ID");
        body.put("error", "No uploaded file has this id.");
        return ServerResponse.status(HttpStatus.NOT_FOUND).contentType(MediaType.APPLICATION_JSON).bodyValue(body);
    }
}
