-- Entries by kind (issue 13): the site's summaries need the few entries of the kinds whose
-- bodies pages show and those that change keys, which otherwise only a read of the whole log
-- finds (12 s at 1,000,000 entries, on every build and every new log size the live server
-- serves). New entries land at the end of their kind's range, as with the bucketed indexes.
CREATE INDEX entries_by_kind ON entries (kind, seq);
