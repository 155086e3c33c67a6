-- API keys: only a SHA-256 of each key is kept (a key is 32 random bytes, so a fast hash is enough;
-- the clear key is shown once, when it is created).
CREATE TABLE api_keys (
    name       text PRIMARY KEY,
    key_hash   bytea       NOT NULL UNIQUE,
    role       text        NOT NULL,
    revoked    boolean     NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz,
    CONSTRAINT api_keys_role_known CHECK (role IN ('client', 'admin')),
    CONSTRAINT api_keys_name_shape CHECK (name ~ '^[A-Za-z0-9._@-]{1,64}$')
);

-- The principal that created a job (an API key's name or a token's subject). Jobs from before
-- credentials existed have none and are seen by admins only.
ALTER TABLE jobs ADD COLUMN created_by text;

CREATE INDEX jobs_by_creator ON jobs (created_by, created_at DESC);
CREATE INDEX jobs_active_by_creator ON jobs (created_by) WHERE state IN ('QUEUED', 'RUNNING', 'PAUSED');
