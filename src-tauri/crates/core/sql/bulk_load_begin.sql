-- A bulk load writes bare rows into an empty store; what these maintain row by row is
-- built once at its end, from `read_indexes.sql`, `counts_from_calls.sql` and
-- `count_triggers.sql`.
DROP TRIGGER calls_counted;
DROP TRIGGER calls_uncounted;
DROP TRIGGER calls_recounted;
DROP INDEX calls_by_time;
DROP INDEX calls_by_facet;
DROP INDEX calls_by_caller;
DROP INDEX calls_by_callee;
