-- The sync cursor becomes the provider's own value (JSON: a time window, a record id, a
-- pending CDR job). An old cursor, Unix milliseconds, is kept as a JSON number, which the
-- time-window providers still read.
ALTER TABLE sync_state RENAME COLUMN cursor TO cursor_ms;
ALTER TABLE sync_state ADD COLUMN cursor TEXT;
UPDATE sync_state SET cursor = CAST(cursor_ms AS TEXT) WHERE cursor_ms IS NOT NULL;
ALTER TABLE sync_state DROP COLUMN cursor_ms;
