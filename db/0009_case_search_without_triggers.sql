-- The case search index is written by the services beside the case row, not by triggers: a trigger
-- that writes to an FTS5 table opens a statement savepoint, and FTS5 flushes its pending terms to a new
-- segment at every savepoint, so each case written cost ~150 µs of index work instead of ~30 µs. The
-- index now holds only search_text, which already begins with the title, number, party and cause
-- (0004); a search matches the same cases. The services skip the index when the text is unchanged.
DROP TRIGGER case_fts_insert;
DROP TRIGGER case_fts_delete;
DROP TRIGGER case_fts_update;
DROP TABLE case_fts;
CREATE VIRTUAL TABLE case_fts USING fts5(search_text, content='case', content_rowid='rowid', tokenize='trigram');
INSERT INTO case_fts(case_fts) VALUES ('rebuild');
