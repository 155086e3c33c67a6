-- Idempotency-Key of job-creating requests: one row per (caller, key). A row is reserved before the
-- request runs (status NULL, locked_until renewed by the instance running it), then holds the first
-- answer, replayed to every repeat until expires_at. No foreign key to jobs: the answer is kept as sent,
-- so deleting an old job (retention) leaves the key working.
CREATE TABLE idempotency_keys (
    caller       text        NOT NULL,   -- the API key's name or the token's subject
    key          text        NOT NULL,   -- the header's value, 1 to 255 printable ASCII characters
    request      text        NOT NULL,   -- method, path and query of the first request
    token        uuid        NOT NULL,   -- the reservation of the request that runs (or ran) it
    locked_until timestamptz,            -- while running: past it, the instance is taken for lost
    body_sha256  bytea,                  -- digest of the first request's body, known once it was read
    status       int,                    -- the first answer; NULL while the first request runs
    headers      jsonb,                  -- its Content-Type and Location
    body         bytea,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    PRIMARY KEY (caller, key),
    CONSTRAINT idempotency_keys_key_shape CHECK (length(key) BETWEEN 1 AND 255)
);

CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);
