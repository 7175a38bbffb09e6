-- Keep `numbers` and `facets` counting every insert, delete and change of a call.
-- Part of migration 0005 and of every bulk load's end (`store/bulk.rs`): a later migration
-- that changes this freezes a copy for 0005 first.
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
