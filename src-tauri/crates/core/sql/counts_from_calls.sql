-- The numbers and facets counts of the calls stored (a migration, the end of a bulk load),
-- each side grouped along its number index, so nothing is sorted but the distinct numbers.
-- Part of migration 0005 and of every bulk load's end (`store/bulk.rs`): a later migration
-- that changes this freezes a copy for 0005 first.
INSERT INTO numbers (digits, calls)
SELECT d, sum(n) FROM (
    SELECT caller_digits AS d, count(*) AS n FROM calls INDEXED BY calls_by_caller
    WHERE caller_digits <> '' GROUP BY caller_digits
    UNION ALL
    SELECT callee_digits, count(*) FROM calls INDEXED BY calls_by_callee
    WHERE callee_digits <> '' GROUP BY callee_digits
) GROUP BY d;
INSERT INTO facets (account, provider, direction, outcome, calls)
SELECT account, provider, direction, outcome, count(*) FROM calls INDEXED BY calls_by_facet
GROUP BY account, direction, outcome, provider;
