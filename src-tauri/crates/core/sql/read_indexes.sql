-- The indexes a filtered page or a number search reads (`store/search.rs`). Each covers
-- the filters and the digits, so a walk tests them in the index entries and reads only
-- the rows it returns.
-- Part of migration 0005 and of every bulk load's end (`store/bulk.rs`): a later migration
-- that changes this freezes a copy for 0005 first.
-- Pages without filters: newest first, with the digits a number search tests.
CREATE INDEX calls_by_time ON calls (started_at DESC, id DESC, caller_digits, callee_digits);
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
