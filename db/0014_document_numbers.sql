-- The register of document numbers (文号) this device allocated, one row per number, like case_number for
-- case numbers: a projection of the events that issued the documents (their payload's numbering), rebuilt
-- and compared by verify. A series is the prefix a number is formatted with, per agency and year; serials
-- only grow, and the key refuses a number given twice.
CREATE TABLE document_number (
    agency_id TEXT NOT NULL,
    series TEXT NOT NULL,                -- the prefix, e.g. 仲高新市监罚告
    year INTEGER NOT NULL,
    serial INTEGER NOT NULL,
    document TEXT NOT NULL,              -- the kind of document (prior_notice, decision, no_penalty_decision …)
    case_id TEXT NOT NULL,
    document_no TEXT NOT NULL,           -- as printed: 仲高新市监罚告〔2026〕1号
    PRIMARY KEY (agency_id, series, year, serial)
);

-- The numbers the steps that issue documents carry, typed by hand before the app numbered them among them:
-- a new number skips one that an older record already carries (see store/numbers.py).
CREATE INDEX event_document_no ON event(json_extract(CAST(payload AS TEXT), '$.document_no'))
    WHERE kind IN ('issue_prior_notice', 'give_hearing_notice', 'make_decision', 'issue_reminder', 'serve_document');
