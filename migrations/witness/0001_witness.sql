-- A witness's state (C2SP tlog-witness): per log, the latest checkpoint it cosigned.
-- Moving a row forward is a compare-and-swap on (size, root) (store::witness::advance), so two
-- requests can never both pass their checks against the same state; the trigger below refuses
-- a smaller size even to a buggy writer.
CREATE TABLE logs (
    origin      TEXT PRIMARY KEY NOT NULL,
    size        INTEGER NOT NULL CHECK (size >= 0),
    root        BLOB NOT NULL CHECK (length(root) = 32),
    -- The log's signed checkpoint with our cosignature line, served for monitors.
    checkpoint  TEXT NOT NULL,
    updated_at  INTEGER NOT NULL
);

CREATE TRIGGER logs_size_never_shrinks BEFORE UPDATE ON logs
WHEN NEW.size < OLD.size
BEGIN
    SELECT RAISE(ABORT, 'a witness never rolls a log back');
END;

-- Refused requests that carried a valid log signature: possible evidence of a fork, kept with
-- the request body exactly as received.
CREATE TABLE refused (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    origin      TEXT NOT NULL,
    received_at INTEGER NOT NULL,
    status      INTEGER NOT NULL,
    reason      TEXT NOT NULL,
    request     TEXT NOT NULL
);
