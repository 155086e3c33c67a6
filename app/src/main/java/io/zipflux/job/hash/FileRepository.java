package io.zipflux.job.hash;

import java.util.UUID;

import reactor.core.publisher.Mono;

import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.r2dbc.core.Parameter;
import org.springframework.stereotype.Repository;

/** Uploaded files and the job that hashes each. */
@Repository
class FileRepository {

    /** A stored file and the job hashing it. */
    record StoredFile(UUID id, UUID jobId, long size) {
    }

    private final DatabaseClient db;

    FileRepository(DatabaseClient db) {
        this.db = db;
    }

    Mono<Void> insert(UUID id, UUID jobId, String name, long size) {
        return db.sql("INSERT INTO files (id, job_id, name, size) VALUES (:id, :job, :name, :size)")
                .bind("id", id)
                .bind("job", jobId)
                .bind("name", Parameter.fromOrEmpty(name, String.class))
                .bind("size", size)
                .then();
    }

    Mono<StoredFile> find(UUID id) {
        return db.sql("SELECT id, job_id, size FROM files WHERE id = :id")
                .bind("id", id)
                .map(row -> new StoredFile(row.get("id", UUID.class), row.get("job_id", UUID.class),
                        row.get("size", Long.class)))
                .one();
    }
}
