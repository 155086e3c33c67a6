-- Jobs: one row per accepted job; the row is the source of truth, Kafka only carries the id.
CREATE TABLE jobs (
    id             uuid PRIMARY KEY,
    type           text        NOT NULL,
    state          text        NOT NULL,
    params         jsonb       NOT NULL DEFAULT '{}',
    progress_done  bigint      NOT NULL DEFAULT 0,
    progress_total bigint,
    progress_unit  text        NOT NULL,
    result         jsonb,
    error          text,
    owner          text,                 -- instance running the job
    lease_until    timestamptz,          -- the owner renews it; once passed, the job is picked up again
    attempts       int         NOT NULL DEFAULT 0,
    published_at   timestamptz,          -- null: not (yet) on Kafka, the sweeper publishes it
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    started_at     timestamptz,
    paused_at      timestamptz,
    finished_at    timestamptz,
    CONSTRAINT jobs_state_known CHECK (state IN ('QUEUED', 'RUNNING', 'PAUSED', 'SUCCEEDED', 'FAILED', 'CANCELLED'))
);

CREATE INDEX jobs_newest ON jobs (created_at DESC);
CREATE INDEX jobs_by_type_state ON jobs (type, state, created_at DESC);
CREATE INDEX jobs_unfinished ON jobs (state, lease_until) WHERE state IN ('QUEUED', 'RUNNING', 'PAUSED');

-- Uploaded files waiting for, or done with, their hash job.
CREATE TABLE files (
    id         uuid PRIMARY KEY,
    job_id     uuid        NOT NULL REFERENCES jobs (id),
    name       text,
    size       bigint      NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE INDEX files_by_job ON files (job_id);
