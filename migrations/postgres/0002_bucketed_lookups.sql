-- As in migrations/sqlite/0002_bucketed_lookups.sql: lookups by leaf hash and by (author,
-- nonce) lead with the seq's bucket of 4,096 entries, so that an append's new keys land in a
-- few index pages rather than one page per entry anywhere in a log-sized B-tree.
DROP INDEX entries_by_author_nonce;
DROP INDEX entries_by_leaf_hash;
CREATE INDEX entries_by_bucket_leaf_hash ON entries ((seq >> 12), leaf_hash);
CREATE INDEX entries_by_bucket_author_nonce ON entries ((seq >> 12), author, nonce);
