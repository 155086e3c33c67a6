-- Runs of a job whose worker died (its lease lapsed while RUNNING); at zipflux.jobs.max-attempts the
-- job fails instead of running again. A graceful stop hands a job back without counting here.
ALTER TABLE jobs ADD COLUMN abandoned int NOT NULL DEFAULT 0;

-- When retention last failed to remove a job's files: such a job waits behind the others, so a few
-- files that cannot be removed never hold up the rest.
ALTER TABLE jobs ADD COLUMN delete_failed_at timestamptz;

-- Retention finds ended jobs by age without reading the unfinished ones.
CREATE INDEX jobs_ended ON jobs (finished_at) WHERE state IN ('SUCCEEDED', 'FAILED', 'CANCELLED');

-- Rows that belong to a job go with it: retention deletes the job row, and PostgreSQL its uploads'
-- rows and its webhook delivery in the same statement.
ALTER TABLE files DROP CONSTRAINT files_job_id_fkey,
    ADD CONSTRAINT files_job_id_fkey FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE;
ALTER TABLE webhook_deliveries DROP CONSTRAINT webhook_deliveries_job_id_fkey,
    ADD CONSTRAINT webhook_deliveries_job_id_fkey FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE;
