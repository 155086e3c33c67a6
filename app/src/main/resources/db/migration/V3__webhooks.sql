-- Webhooks: a job may name a URL to be told when it ends (DESIGN §5a).
ALTER TABLE jobs ADD COLUMN callback_url text;

-- One delivery per job with a callback URL. Its id is the webhook-id of every attempt (the receiver
-- dedups on it); payload is the job JSON, written at the first attempt so that every retry sends the
-- same bytes. Any instance delivers a due row that it leases (lease_owner, lease_until), as job leases.
CREATE TABLE webhook_deliveries (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    job_id          uuid        NOT NULL UNIQUE REFERENCES jobs (id),
    url             text        NOT NULL,
    state           text        NOT NULL DEFAULT 'PENDING',
    attempts        int         NOT NULL DEFAULT 0,
    last_status     int,
    last_error      text,
    payload         text,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_owner     text,
    lease_until     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz,
    CONSTRAINT webhook_deliveries_state_known CHECK (state IN ('PENDING', 'DELIVERED', 'GONE', 'FAILED'))
);

CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE state = 'PENDING';

-- The delivery row is written by the statement that makes the job terminal, in its transaction,
-- whichever path that is (a worker's outcome, a cancel, the sweeper, an atomic import's commit).
CREATE FUNCTION jobs_webhook_delivery() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO webhook_deliveries (job_id, url) VALUES (NEW.id, NEW.callback_url) ON CONFLICT (job_id) DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER jobs_webhook_delivery AFTER UPDATE OF state ON jobs FOR EACH ROW
    WHEN (NEW.callback_url IS NOT NULL AND NEW.state IN ('SUCCEEDED', 'FAILED', 'CANCELLED')
          AND OLD.state IS DISTINCT FROM NEW.state)
    EXECUTE FUNCTION jobs_webhook_delivery();
