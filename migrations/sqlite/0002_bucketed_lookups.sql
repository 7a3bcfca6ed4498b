-- Lookups by leaf hash and by (author, nonce), bucketed by seq: 4,096 entries to a bucket.
--
-- A leaf hash or a nonce is a random key, so a plain index on it takes each new entry somewhere
-- random in a B-tree as large as the whole log: a batch of 1,000 entries dirtied about a page
-- per entry per index, every one written to the WAL and checkpointed again, and the durable
-- write of a batch grew from 15 ms to 60 ms (130 ms on a slower machine) as the log reached
-- 100,000 entries. Leading the key with `seq >> 12` keeps a batch's new keys inside the last
-- bucket or two, a few dozen pages, whatever the log's size. A lookup then probes every bucket
-- (see `store::reads`): 25 index searches at 100,000 entries, which a lookup can afford.
--
-- These indexes are for finding entries, not for refusing them. A nonce used twice by one
-- author is refused by the ledger state before anything is written (and found by `sunshine
-- audit` in any stored log); a leaf hash commits to its seq, so two entries cannot share one.
DROP INDEX entries_by_author_nonce;
DROP INDEX entries_by_leaf_hash;
CREATE INDEX entries_by_bucket_leaf_hash ON entries ((seq >> 12), leaf_hash);
CREATE INDEX entries_by_bucket_author_nonce ON entries ((seq >> 12), author, nonce);
