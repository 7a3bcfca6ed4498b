-- The published log, as in migrations/sqlite/0001_log.sql: entries (leaf bytes exactly as
-- hashed), complete Merkle subtree hashes at levels >= 1 (level 0 is entries.leaf_hash), and
-- the signed checkpoints. Integers are BIGINT throughout (seqs and sizes are 64-bit).
CREATE TABLE entries (
    seq       BIGINT PRIMARY KEY,
    leaf_hash BYTEA  NOT NULL,
    author    TEXT   NOT NULL,
    nonce     TEXT   NOT NULL,
    kind      TEXT   NOT NULL,
    leaf      BYTEA  NOT NULL
);
CREATE UNIQUE INDEX entries_by_author_nonce ON entries (author, nonce);
CREATE UNIQUE INDEX entries_by_leaf_hash ON entries (leaf_hash);

CREATE TABLE tree_nodes (
    level BIGINT NOT NULL,
    idx   BIGINT NOT NULL,
    hash  BYTEA  NOT NULL,
    PRIMARY KEY (level, idx)
);

CREATE TABLE checkpoints (
    size BIGINT PRIMARY KEY,
    note TEXT   NOT NULL
);

-- The database itself enforces append-only: history is never rewritten in place (TRUNCATE
-- included, which row triggers would not see).
CREATE FUNCTION refuse_rewrite() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% are append-only', replace(TG_TABLE_NAME, '_', ' ');
END
$$;
CREATE TRIGGER entries_append_only_update BEFORE UPDATE ON entries
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER entries_append_only_delete BEFORE DELETE ON entries
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER entries_append_only_truncate BEFORE TRUNCATE ON entries
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER tree_nodes_append_only_update BEFORE UPDATE ON tree_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER tree_nodes_append_only_delete BEFORE DELETE ON tree_nodes
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER tree_nodes_append_only_truncate BEFORE TRUNCATE ON tree_nodes
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER checkpoints_append_only_update BEFORE UPDATE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER checkpoints_append_only_delete BEFORE DELETE ON checkpoints
    FOR EACH ROW EXECUTE FUNCTION refuse_rewrite();
CREATE TRIGGER checkpoints_append_only_truncate BEFORE TRUNCATE ON checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION refuse_rewrite();

-- Derived views (balances, traces, figures) as of log size `view_size.size`, cached for readers;
-- `sunshine audit` re-derives them at that size and compares row by row. Keys compare byte by
-- byte (COLLATE "C"), as in SQLite, whatever the database's locale: prefix scans and the
-- audit's key order depend on it.
CREATE TABLE views (
    key   TEXT COLLATE "C" PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE view_size (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size BIGINT  NOT NULL
);
