-- Calls as they happen: every event a provider pushed, written before it is acknowledged.
-- `key` is built by the provider's parser so that a replayed delivery has the same one:
-- the second insert is ignored and changes nothing.
CREATE TABLE live_events (
    key      TEXT    PRIMARY KEY,
    account  TEXT    NOT NULL,
    provider TEXT    NOT NULL,
    call     TEXT    NOT NULL,
    -- when it happened (the provider's clock) and when it arrived, Unix ms
    at       INTEGER NOT NULL,
    received INTEGER NOT NULL,
    -- the event as JSON (stage, numbers, details, the finished call if it carried one)
    body     TEXT    NOT NULL
) WITHOUT ROWID;
-- The live board is rebuilt at start from the last day's events.
CREATE INDEX live_events_by_received ON live_events (received);
-- A device that stopped reporting calls is told by its last event.
CREATE INDEX live_events_by_account ON live_events (account, received);

-- History rows written from live events that a later poll may bring again under the
-- provider's own call id: the poll takes the row over instead of adding a second one.
CREATE TABLE live_rows (
    call_id       INTEGER PRIMARY KEY REFERENCES calls (id) ON DELETE CASCADE,
    account       TEXT    NOT NULL,
    caller_digits TEXT    NOT NULL,
    callee_digits TEXT    NOT NULL,
    started_at    INTEGER NOT NULL
);
CREATE INDEX live_rows_by_account ON live_rows (account, started_at);

-- What the webhook listener refused or could not read, for the UI; capped by count.
CREATE TABLE refused_requests (
    id      INTEGER PRIMARY KEY,
    at      INTEGER NOT NULL,
    source  TEXT    NOT NULL,
    method  TEXT    NOT NULL,
    path    TEXT    NOT NULL,
    account TEXT,
    status  INTEGER NOT NULL,
    reason  TEXT    NOT NULL,
    head    TEXT    NOT NULL
);

-- Live routing rules, edited in the UI and held in memory by the router; each row's
-- `body` is the rule as JSON (the model's type), its id the row's.
CREATE TABLE routing_rules (
    id   INTEGER PRIMARY KEY,
    kind TEXT    NOT NULL CHECK (kind IN ('blacklist', 'vip', 'plan', 'settings')),
    body TEXT    NOT NULL
);
CREATE INDEX routing_rules_by_kind ON routing_rules (kind, id);

-- A live-made row that a poll took over is the poll's from then on.
CREATE TRIGGER live_row_taken_over AFTER UPDATE OF provider_call_id ON calls BEGIN
    DELETE FROM live_rows WHERE call_id = NEW.id;
END;
