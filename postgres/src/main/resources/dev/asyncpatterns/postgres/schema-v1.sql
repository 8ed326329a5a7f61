-- async-patterns PostgresJobStore schema, version 1.
-- ${table} is replaced by the store's table name (a plain identifier, validated by the store).
-- Apply with PostgresJobStore.migrate(), or copy into your migration tool (Flyway, Liquibase...)
-- with ${table} replaced; PostgresJobStore.schemaSql(table) prints it ready to use.

CREATE TABLE IF NOT EXISTS ${table} (
    id            bigserial   PRIMARY KEY,
    state         text        NOT NULL CHECK (state IN ('PENDING', 'IN_FLIGHT', 'DEAD')),
    priority      integer     NOT NULL DEFAULT 0,
    payload       bytea       NOT NULL,
    submitted_at  timestamptz NOT NULL DEFAULT now(),
    due_at        timestamptz NOT NULL DEFAULT now(),
    attempts      integer     NOT NULL DEFAULT 0,  -- failed attempts since submission or replay
    replays       integer     NOT NULL DEFAULT 0,
    history_count integer     NOT NULL DEFAULT 0,  -- rows in ${table}_attempts
    owner         text,                            -- IN_FLIGHT: the queue holding the lease
    lease_token   bigint,                          -- IN_FLIGHT: fencing token of the claim
    lease_until   timestamptz,                     -- IN_FLIGHT: expiry, compared with now()
    claimed_at    timestamptz,
    dead_at       timestamptz
);

-- claim order among due jobs
CREATE INDEX IF NOT EXISTS ${table}_claim_idx ON ${table} (priority DESC, due_at, id) WHERE state = 'PENDING';
-- when the next pending job falls due
CREATE INDEX IF NOT EXISTS ${table}_due_idx ON ${table} (due_at) WHERE state = 'PENDING';
-- expired leases, heartbeats
CREATE INDEX IF NOT EXISTS ${table}_lease_idx ON ${table} (lease_until) WHERE state = 'IN_FLIGHT';
-- dead letters, oldest first
CREATE INDEX IF NOT EXISTS ${table}_dead_idx ON ${table} (dead_at, id) WHERE state = 'DEAD';
-- the capacity check counts live jobs
CREATE INDEX IF NOT EXISTS ${table}_live_idx ON ${table} (id) WHERE state IN ('PENDING', 'IN_FLIGHT');

CREATE TABLE IF NOT EXISTS ${table}_attempts (
    job_id          bigint      NOT NULL REFERENCES ${table} (id) ON DELETE CASCADE,
    seq             bigserial,
    number          integer     NOT NULL,
    started_at      timestamptz NOT NULL,
    finished_at     timestamptz NOT NULL,
    failure_class   text        NOT NULL,
    failure_message text,
    PRIMARY KEY (job_id, seq)
);

-- one fencing token per claim
CREATE SEQUENCE IF NOT EXISTS ${table}_lease_seq;

CREATE TABLE IF NOT EXISTS ${table}_schema (
    version    integer     PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO ${table}_schema (version) VALUES (1) ON CONFLICT DO NOTHING;
