-- The seq of the entry that wrote each record row (issue 13): a correction's rebuild may start
-- from a start snapshot below its target instead of from entry 0, and then replaces only the
-- rows written by entries from that snapshot's size on, found through this column's index
-- instead of by reading every row. Every record's value names its entry as `seq` already; the
-- rows stored so far take it from there.
ALTER TABLE records ADD COLUMN seq BIGINT;
UPDATE records SET seq = (value::jsonb ->> 'seq')::bigint;
CREATE INDEX records_by_seq ON records (seq);
