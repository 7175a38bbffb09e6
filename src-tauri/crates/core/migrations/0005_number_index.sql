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

-- The indexes of 0001 and 0002; `read_indexes.sql` replaces them.
DROP INDEX calls_by_time;
DROP INDEX calls_by_account_time;
DROP INDEX calls_by_provider_time;
DROP INDEX calls_by_outcome_time;

