-- Number search walks calls newest first and tests both numbers' digits. With the digits
-- in the time index it reads the small index entries, and only the matching rows.
DROP INDEX calls_by_time;
CREATE INDEX calls_by_time ON calls (started_at DESC, id DESC, caller_digits, callee_digits);
