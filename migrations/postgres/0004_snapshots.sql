-- The start snapshot (issue 13, part 3): the replayed rule state at a log size, encoded
-- (`replay::snapshot`), so a process that appends starts from it and replays only the entries
-- after it. Derived data, like the views: `sunshine audit` replays the log and compares. Only
-- the newest is kept.
CREATE TABLE snapshots (
    size  BIGINT PRIMARY KEY,
    state BYTEA NOT NULL
);
