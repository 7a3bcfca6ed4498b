-- Records: the rows that grow with the log (donations, spends, and the hops of each donation's
-- money), written by the append transaction itself, so they always match the log size recorded
-- in `record_size` and no process has to keep them in memory. A correction's rebuild replaces
-- them all. `views` keeps only the summaries, cached behind `view_size` as before.
--
-- Views cached before this table existed hold traces and records in the old shape: they are
-- dropped here, and the next start writes the records and views afresh from the log.
CREATE TABLE records (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE record_size (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    size INTEGER NOT NULL
);
DELETE FROM views;
DELETE FROM view_size;
