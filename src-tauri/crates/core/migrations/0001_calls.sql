-- Calls of every provider, normalized. Times are Unix milliseconds, UTC.
CREATE TABLE calls (
    id               INTEGER PRIMARY KEY,
    account          TEXT    NOT NULL,
    provider         TEXT    NOT NULL CHECK (provider IN ('mtt', 'beeline', 'mts', 'mor', 'sprecord')),
    provider_call_id TEXT    NOT NULL,
    direction        TEXT    NOT NULL CHECK (direction IN ('incoming', 'outgoing')),
    outcome          TEXT    NOT NULL CHECK (outcome IN ('answered', 'missed', 'busy', 'failed', 'forwarded')),
    caller           TEXT    NOT NULL,
    callee           TEXT    NOT NULL,
    -- digits only, for "any run of digits" search
    caller_digits    TEXT    NOT NULL,
    callee_digits    TEXT    NOT NULL,
    started_at       INTEGER NOT NULL,
    ring_secs        INTEGER NOT NULL,
    talk_secs        INTEGER NOT NULL,
    total_secs       INTEGER NOT NULL,
    cost             REAL,
    currency         TEXT,
    -- the provider's handle for the recording (MTT: h323_conf_id)
    recording_ref    TEXT,
    -- provider-specific fields for the detail pane, JSON [{label, value}]
    details          TEXT    NOT NULL DEFAULT '[]',
    synced_at        INTEGER NOT NULL,
    UNIQUE (account, provider_call_id)
);

-- Newest-first keyset pagination, alone and under each common filter.
CREATE INDEX calls_by_time ON calls (started_at DESC, id DESC);
CREATE INDEX calls_by_account_time ON calls (account, started_at DESC, id DESC);
CREATE INDEX calls_by_provider_time ON calls (provider, started_at DESC, id DESC);
CREATE INDEX calls_by_outcome_time ON calls (outcome, started_at DESC, id DESC);

-- Recording parts, known once the provider has been asked for the links.
CREATE TABLE recording_parts (
    call_id     INTEGER NOT NULL REFERENCES calls (id) ON DELETE CASCADE,
    idx         INTEGER NOT NULL,
    url         TEXT    NOT NULL,
    mime        TEXT    NOT NULL,
    -- file name inside the recordings cache, once downloaded
    cached_file TEXT,
    bytes       INTEGER,
    PRIMARY KEY (call_id, idx)
);

-- One row per account: the sync cursor and the last outcome.
CREATE TABLE sync_state (
    account      TEXT PRIMARY KEY,
    cursor       INTEGER,
    last_success INTEGER,
    last_error   TEXT
);

-- Links of an older recording reference are stale once the provider names another.
CREATE TRIGGER calls_recording_changed AFTER UPDATE OF recording_ref ON calls
WHEN OLD.recording_ref IS NOT NEW.recording_ref
BEGIN
    DELETE FROM recording_parts WHERE call_id = NEW.id;
END;
