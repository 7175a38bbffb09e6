-- Number search and filter combinations that read an index, never a scan of the calls.
--
-- `numbers` holds each distinct digit string once with how many calls it appears in (an
-- upper bound: a call whose two sides are the same number counts twice); an FTS5 trigram
-- index over it finds every number containing a run of 3 or more digits. The calls of
-- those numbers are then read, newest first, from the two number indexes below. A run
-- found in so many calls that reading them all would cost more than walking the time
-- index instead is searched by that walk (see `store/search.rs`).
CREATE TABLE numbers (
    id     INTEGER PRIMARY KEY,
    digits TEXT    NOT NULL UNIQUE,
    calls  INTEGER NOT NULL
);
CREATE VIRTUAL TABLE numbers_fts USING fts5 (
    digits, content = 'numbers', content_rowid = 'id', tokenize = 'trigram', detail = 'none'
);
-- Numbers are never deleted nor renamed (a count may fall to 0), so only inserts reach
-- the index.
CREATE TRIGGER numbers_indexed AFTER INSERT ON numbers BEGIN
    INSERT INTO numbers_fts (rowid, digits) VALUES (NEW.id, NEW.digits);
END;

-- How many calls each combination of the equality filters holds: a filter set maps to the
-- facets it matches, each one a time-ordered range of `calls_by_facet`; an impossible
-- combination (an account with another provider) is known to be empty without a query.
CREATE TABLE facets (
    account   TEXT    NOT NULL,
    provider  TEXT    NOT NULL,
    direction TEXT    NOT NULL,
    outcome   TEXT    NOT NULL,
    calls     INTEGER NOT NULL,
    PRIMARY KEY (account, provider, direction, outcome)
) WITHOUT ROWID;

INSERT INTO numbers (digits, calls)
SELECT d, count(*) FROM (
    SELECT caller_digits AS d FROM calls WHERE caller_digits <> ''
    UNION ALL
    SELECT callee_digits FROM calls WHERE callee_digits <> ''
) GROUP BY d;
INSERT INTO facets (account, provider, direction, outcome, calls)
SELECT account, provider, direction, outcome, count(*) FROM calls
GROUP BY account, provider, direction, outcome;

CREATE TRIGGER calls_counted AFTER INSERT ON calls BEGIN
    INSERT INTO numbers (digits, calls) SELECT NEW.caller_digits, 1 WHERE NEW.caller_digits <> ''
        ON CONFLICT (digits) DO UPDATE SET calls = calls + 1;
    INSERT INTO numbers (digits, calls) SELECT NEW.callee_digits, 1 WHERE NEW.callee_digits <> ''
        ON CONFLICT (digits) DO UPDATE SET calls = calls + 1;
    INSERT INTO facets (account, provider, direction, outcome, calls)
        VALUES (NEW.account, NEW.provider, NEW.direction, NEW.outcome, 1)
        ON CONFLICT DO UPDATE SET calls = calls + 1;
END;
CREATE TRIGGER calls_uncounted AFTER DELETE ON calls BEGIN
    UPDATE numbers SET calls = calls - 1 WHERE digits IN (OLD.caller_digits, OLD.callee_digits);
    UPDATE facets SET calls = calls - 1 WHERE account = OLD.account AND provider = OLD.provider
        AND direction = OLD.direction AND outcome = OLD.outcome;
END;
CREATE TRIGGER calls_recounted
AFTER UPDATE OF caller_digits, callee_digits, direction, outcome ON calls
WHEN (OLD.caller_digits, OLD.callee_digits, OLD.direction, OLD.outcome)
    IS NOT (NEW.caller_digits, NEW.callee_digits, NEW.direction, NEW.outcome)
BEGIN
    UPDATE numbers SET calls = calls - 1 WHERE digits IN (OLD.caller_digits, OLD.callee_digits);
    INSERT INTO numbers (digits, calls) SELECT NEW.caller_digits, 1 WHERE NEW.caller_digits <> ''
        ON CONFLICT (digits) DO UPDATE SET calls = calls + 1;
    INSERT INTO numbers (digits, calls) SELECT NEW.callee_digits, 1 WHERE NEW.callee_digits <> ''
        ON CONFLICT (digits) DO UPDATE SET calls = calls + 1;
    UPDATE facets SET calls = calls - 1 WHERE account = OLD.account AND provider = OLD.provider
        AND direction = OLD.direction AND outcome = OLD.outcome;
    INSERT INTO facets (account, provider, direction, outcome, calls)
        VALUES (NEW.account, NEW.provider, NEW.direction, NEW.outcome, 1)
        ON CONFLICT DO UPDATE SET calls = calls + 1;
END;

-- Every index a page is read from covers the filters and the digits, so a walk tests them
-- in the index entries and reads only the rows it returns.
DROP INDEX calls_by_time;
DROP INDEX calls_by_account_time;
DROP INDEX calls_by_provider_time;
DROP INDEX calls_by_outcome_time;
CREATE INDEX calls_by_time ON calls (
    started_at DESC, id DESC, caller_digits, callee_digits, account, provider, direction, outcome
);
-- One time-ordered range per facet (the account decides the provider).
CREATE INDEX calls_by_facet ON calls (
    account, direction, outcome, started_at DESC, id DESC, caller_digits, callee_digits, provider
);
-- Each number's calls, newest first.
CREATE INDEX calls_by_caller ON calls (
    caller_digits, started_at DESC, id DESC, account, provider, direction, outcome
);
CREATE INDEX calls_by_callee ON calls (
    callee_digits, started_at DESC, id DESC, account, provider, direction, outcome
);
