-- The published log: entries (leaf bytes exactly as hashed), complete Merkle subtree hashes at
-- levels >= 1 (level 0 is entries.leaf_hash), and the signed checkpoints.
CREATE TABLE entries (
    seq       INTEGER PRIMARY KEY,
    leaf_hash BLOB    NOT NULL,
    author    TEXT    NOT NULL,
    nonce     TEXT    NOT NULL,
    kind      TEXT    NOT NULL,
    leaf      BLOB    NOT NULL
);
CREATE UNIQUE INDEX entries_by_author_nonce ON entries (author, nonce);
CREATE UNIQUE INDEX entries_by_leaf_hash ON entries (leaf_hash);

CREATE TABLE tree_nodes (
    level INTEGER NOT NULL,
    idx   INTEGER NOT NULL,
    hash  BLOB    NOT NULL,
    PRIMARY KEY (level, idx)
) WITHOUT ROWID;

CREATE TABLE checkpoints (
    size INTEGER PRIMARY KEY,
    note TEXT    NOT NULL
);

-- The database itself enforces append-only: history is never rewritten in place.
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
BEGIN SELECT RAISE(ABORT, 'entries are append-only'); END;
CREATE TRIGGER tree_nodes_append_only_update BEFORE UPDATE ON tree_nodes
BEGIN SELECT RAISE(ABORT, 'tree nodes are append-only'); END;
CREATE TRIGGER tree_nodes_append_only_delete BEFORE DELETE ON tree_nodes
BEGIN SELECT RAISE(ABORT, 'tree nodes are append-only'); END;
CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;

-- Derived views (balances, traces, figures) as of log size `view_size.size`, cached for readers;
-- `sunshine audit` re-derives them at that size and compares row by row.
CREATE TABLE views (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE view_size (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
