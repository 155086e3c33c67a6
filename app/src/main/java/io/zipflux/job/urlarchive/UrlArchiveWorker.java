package io.zipflux.job.urlarchive;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import io.zipflux.job.Job;
import io.zipflux.job.JobContext;
import io.zipflux.job.JobState;
import io.zipflux.job.JobWorker;
import io.zipflux.job.urlarchive.FetchErrors.EntryFailed;
import io.zipflux.job.urlarchive.UrlArchiveFiles.ManifestEntry;
import io.zipflux.job.urlarchive.UrlArchiveFiles.Sidecar;
import io.zipflux.system.DiskFullException;

/**
 * URL archive jobs: fetches the entries, a few at a time, to the job's folder (a run resumes what an
 * earlier one left there), names them, and writes the manifest the download is packed from. A
 * failed entry fails the job, or with {@code onError=skip} is listed in {@code skipped}. A run that
 * does not succeed leaves no file.
 */
@Component
class UrlArchiveWorker implements JobWorker {

    static final String TYPE = "url-archive";

    private final Transfers transfers;

    private final UrlArchiveFiles files;

    private final FetchProperties properties;

    private final ObjectMapper json;

    UrlArchiveWorker(Transfers transfers, UrlArchiveFiles files, FetchProperties properties, ObjectMapper json) {
        this.transfers = transfers;
        this.files = files;
        this.properties = properties;
        this.json = json;
    }

    @Override
    public String type() {
        return TYPE;
    }

    /** How one entry ended: on disk (with what its origin told), or skipped with its error. */
    private record Fetched(int entry, String url, Sidecar sidecar, String error) {
    }

    @Override
    public Mono<JsonNode> run(Job job, JobContext context) {
        ArchiveRequest request = ArchiveRequest.ofParams(job.params());
        FetchRun run = new FetchRun(job.id(), context, request.entries().size(), properties.maxTotalSize().toBytes());
        Mono<JsonNode> work = files.prepare(job.id())
                .thenMany(Flux.range(0, request.entries().size())
                        .flatMap(entry -> fetch(run, request, entry), properties.concurrency()))
                .collectSortedList(Comparator.comparingInt(Fetched::entry))
                .flatMap(fetched -> finish(run, request, fetched))
                .onErrorMap(error -> DiskFullException.explain(error, "url-archive " + job.id()));
        // A cancel stops a transfer waiting for an answer or a retry, not only one between chunks.
        return work.or(context.stopped().then(Mono.never()));
    }

    private Mono<Fetched> fetch(FetchRun run, ArchiveRequest request, int entry) {
        String url = request.entries().get(entry).url();
        return transfers.fetch(run, entry, url)
                .map(sidecar -> new Fetched(entry, url, sidecar, null))
                .onErrorResume(EntryFailed.class, failed -> request.skipFailed()
                        ? files.forget(run.jobId(), entry)
                                .doOnSuccess(forgotten -> run.drop(entry))
                                .thenReturn(new Fetched(entry, url, null, failed.getMessage()))
                        : Mono.error(new EntryFailed("entries[" + entry + "] (" + url + "): " + failed.getMessage())))
                .doOnNext(fetched -> run.ended(fetched.error() != null));
    }

    private Mono<JsonNode> finish(FetchRun run, ArchiveRequest request, List<Fetched> fetched) {
        List<Fetched> kept = fetched.stream().filter(entry -> entry.error() == null).toList();
        List<String> names = new ArrayList<>(kept.size());
        List<Boolean> given = new ArrayList<>(kept.size());
        for (Fetched entry : kept) {
            String name = request.entries().get(entry.entry()).name();
            given.add(name != null);
            names.add(name != null ? name : EntryNames.sanitize(entry.sidecar().fileName() != null
                    ? entry.sidecar().fileName() : EntryNames.fromUrl(entry.url())));
        }
        List<String> unique = EntryNames.unique(names, given);
        List<ManifestEntry> manifest = new ArrayList<>(kept.size());
        for (int i = 0; i < kept.size(); i++) {
            manifest.add(new ManifestEntry(unique.get(i), kept.get(i).entry()));
        }
        return files.saveManifest(run.jobId(), manifest)
                .then(run.checkpoint())
                .then(Mono.fromSupplier(() -> result(run, kept.size(), fetched)));
    }

    private JsonNode result(FetchRun run, int files, List<Fetched> fetched) {
        ObjectNode result = json.createObjectNode()
                .put("files", files)
                .put("bytes", run.done())
                .put("download", "/api/v1/archives/" + run.jobId() + "/download");
        ArrayNode skipped = result.putArray("skipped");
        fetched.stream()
                .filter(entry -> entry.error() != null)
                .forEach(entry -> skipped.addObject().put("url", entry.url()).put("error", entry.error()));
        return result;
    }

    /** Only a succeeded job keeps its files: a failed or cancelled one leaves nothing. */
    @Override
    public Mono<Void> ended(Job job, JobState outcome) {
        return outcome == JobState.SUCCEEDED ? Mono.empty() : files.delete(job.id());
    }
}
