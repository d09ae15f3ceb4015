-- The case list at a million cases (an office desk holding every case of several agencies): the list no
-- longer holds every matching id, it counts and fetches windows of rows by keyset, so each sort order needs
-- an index that is already in that order, each filter a way to count its matches without scanning the
-- table, and a search of one or two characters an index of its own.

-- every sort order of the list, with the id as tie-break (received_on already has case_received_id)
CREATE INDEX case_sort_case_no ON "case"(case_no, id);
CREATE INDEX case_sort_title ON "case"(title, id);
CREATE INDEX case_sort_stage ON "case"(stage, received_on, id);  -- also the stage filter in the default order
CREATE INDEX case_sort_party ON "case"(party_name, id);
CREATE INDEX case_sort_handlers ON "case"(handler_names, id);
CREATE INDEX case_sort_next_due ON "case"(next_due, id);
CREATE INDEX case_sort_fine ON "case"(fine_fen, id);
-- replaced by the ones above: the stage and next_due filters read case_sort_stage and case_sort_next_due
DROP INDEX case_stage;
DROP INDEX case_next_due;
DROP INDEX case_list;

-- who handles which case, one row each (the handlers column is a comma-joined list, which only a scan could
-- match): "my cases", and an officer's deadlines in the inbox
CREATE TABLE case_handler (
    officer_id TEXT NOT NULL,
    case_id TEXT NOT NULL,
    PRIMARY KEY (officer_id, case_id)
) WITHOUT ROWID;
WITH RECURSIVE split(case_id, officer_id, rest) AS (
    SELECT id, '', handlers || ',' FROM "case" WHERE handlers != ''
    UNION ALL
    SELECT case_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM split WHERE rest != ''
)
INSERT OR IGNORE INTO case_handler (officer_id, case_id) SELECT officer_id, case_id FROM split WHERE officer_id != '';

-- searches of one or two characters (the trigram index of case_fts needs three): every pair of adjacent
-- letters or digits of the search text, and each one that ends a word, as words of their own
-- (case_grams(), defined on the connection by the store); rowids only, as the case list needs
CREATE VIRTUAL TABLE case_bigram USING fts5(grams, content='', detail=none, tokenize='unicode61 remove_diacritics 0');
INSERT INTO case_bigram (rowid, grams) SELECT rowid, case_grams(search_text) FROM "case";
