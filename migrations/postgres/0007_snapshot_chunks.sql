-- The start snapshot in chunks (issue 13): a snapshot of a ten-million-entry ledger is hundreds
-- of megabytes, and a single value that size is copied whole several times on its way out of
-- the database; read in chunks, the copies are a chunk each. `size` is the log size the
-- snapshot is of; its bytes are its chunks in `idx` order. The snapshots stored so far become
-- one chunk each.
CREATE TABLE snapshot_chunks (
    size  BIGINT  NOT NULL,
    idx   INTEGER NOT NULL,
    bytes BYTEA   NOT NULL,
    PRIMARY KEY (size, idx)
);
INSERT INTO snapshot_chunks (size, idx, bytes) SELECT size, 0, state FROM snapshots;
DROP TABLE snapshots;
