-- Which derivation of the record rows the stored ones are (`RECORD_DERIVATION` in
-- src/money/books/records.rs): rows of another derivation count as missing and the next start
-- writes them all afresh. Records written before this column existed are of derivation 1, the
-- first to be numbered.
ALTER TABLE record_size ADD COLUMN derivation BIGINT NOT NULL DEFAULT 1;
