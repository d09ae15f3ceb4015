-- Initial schema. The event table is the record; every other table is a projection that the
-- services keep in step with it inside the same transaction, and that verify checks against it.

CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE event (
    seq INTEGER PRIMARY KEY,             -- local arrival order
    hash TEXT NOT NULL UNIQUE,           -- SHA-256 of the canonical bytes (the event id)
    stream TEXT NOT NULL,                -- case id, or party/<id>, officer/<id>, agency/<id>, config/<name>
    parents TEXT NOT NULL,               -- comma-joined hashes of the stream heads it follows
    actor TEXT NOT NULL,
    device TEXT NOT NULL,
    at TEXT NOT NULL,                    -- ISO 8601 moment with offset
    kind TEXT NOT NULL,
    payload BLOB NOT NULL,               -- canonical JSON, hashed as stored
    chain TEXT NOT NULL                  -- SHA-256(previous chain || hash): the local arrival chain
);
CREATE INDEX event_stream ON event(stream, seq);

-- Append-only: the database itself refuses to change or remove a recorded event.
CREATE TRIGGER event_no_update BEFORE UPDATE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;
CREATE TRIGGER event_no_delete BEFORE DELETE ON event
BEGIN
    SELECT RAISE(ABORT, 'events are append-only');
END;

CREATE TABLE stream_head (
    stream TEXT PRIMARY KEY,
    heads TEXT NOT NULL,                 -- comma-joined current head hashes (more than one = fork)
    events INTEGER NOT NULL
);

CREATE TABLE agency (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    seal_name TEXT NOT NULL,
    area TEXT NOT NULL,
    case_no_prefix TEXT NOT NULL,
    reconsideration_body TEXT NOT NULL DEFAULT '',
    litigation_court TEXT NOT NULL DEFAULT ''
);

CREATE TABLE officer (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    login TEXT NOT NULL UNIQUE,
    unit TEXT NOT NULL DEFAULT '',
    roles TEXT NOT NULL,                 -- JSON list of roles
    legal_qualification INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1,
    password_hash TEXT NOT NULL DEFAULT ''
);

CREATE TABLE certificate (
    certificate_no TEXT PRIMARY KEY,
    officer_id TEXT NOT NULL REFERENCES officer(id),
    area TEXT NOT NULL,
    valid_from TEXT NOT NULL,
    valid_to TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('valid', 'suspended', 'revoked')),
    source_of_power TEXT NOT NULL DEFAULT ''
);
CREATE INDEX certificate_officer ON certificate(officer_id);

CREATE TABLE party (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('person', 'organisation')),
    name TEXT NOT NULL,
    id_number TEXT NOT NULL DEFAULT '',
    uscc TEXT NOT NULL DEFAULT '',
    legal_representative TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT ''
);

CREATE TABLE "case" (
    id TEXT PRIMARY KEY,
    agency_id TEXT NOT NULL DEFAULT '',
    case_no TEXT NOT NULL DEFAULT '',
    procedure TEXT NOT NULL,
    stage TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT '',
    title TEXT NOT NULL DEFAULT '',
    cause TEXT NOT NULL DEFAULT '',
    party_id TEXT NOT NULL DEFAULT '',
    party_name TEXT NOT NULL DEFAULT '',
    handlers TEXT NOT NULL DEFAULT '',   -- comma-joined officer ids
    handler_names TEXT NOT NULL DEFAULT '',
    received_on TEXT NOT NULL DEFAULT '',
    filed_on TEXT NOT NULL DEFAULT '',
    decided_on TEXT NOT NULL DEFAULT '',
    closed_on TEXT NOT NULL DEFAULT '',
    fine_fen INTEGER NOT NULL DEFAULT 0,
    next_due TEXT NOT NULL DEFAULT '',   -- earliest open agency deadline
    next_due_rule TEXT NOT NULL DEFAULT '',
    review_status TEXT NOT NULL DEFAULT '',
    major INTEGER NOT NULL DEFAULT 0,
    search_text TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL DEFAULT ''
);
CREATE INDEX case_stage ON "case"(stage);
CREATE INDEX case_updated ON "case"(updated_at);
CREATE INDEX case_next_due ON "case"(next_due);
CREATE INDEX case_received ON "case"(received_on);

CREATE TABLE case_number (
    agency_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    serial INTEGER NOT NULL,
    case_id TEXT NOT NULL,
    case_no TEXT NOT NULL,
    PRIMARY KEY (agency_id, year, serial)
);

CREATE TABLE evidence (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    media_type TEXT NOT NULL,
    original_name TEXT NOT NULL,
    stored_at TEXT NOT NULL
);

CREATE TABLE policy_version (
    version TEXT PRIMARY KEY,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    body TEXT NOT NULL                   -- JSON, agency-policy/1 version object
);

CREATE TABLE calendar_year (
    year INTEGER PRIMARY KEY,
    body TEXT NOT NULL,                  -- JSON {"holidays": [...], "workdays": [...]}
    source TEXT NOT NULL DEFAULT ''
);

-- Full-text search over cases (title, number, party, cause and the text of their records).
CREATE VIRTUAL TABLE case_fts USING fts5(
    title, case_no, party_name, cause, search_text,
    content='case', content_rowid='rowid', tokenize='trigram'
);
CREATE TRIGGER case_fts_insert AFTER INSERT ON "case" BEGIN
    INSERT INTO case_fts(rowid, title, case_no, party_name, cause, search_text)
    VALUES (new.rowid, new.title, new.case_no, new.party_name, new.cause, new.search_text);
END;
CREATE TRIGGER case_fts_delete AFTER DELETE ON "case" BEGIN
    INSERT INTO case_fts(case_fts, rowid, title, case_no, party_name, cause, search_text)
    VALUES ('delete', old.rowid, old.title, old.case_no, old.party_name, old.cause, old.search_text);
END;
CREATE TRIGGER case_fts_update AFTER UPDATE ON "case" BEGIN
    INSERT INTO case_fts(case_fts, rowid, title, case_no, party_name, cause, search_text)
    VALUES ('delete', old.rowid, old.title, old.case_no, old.party_name, old.cause, old.search_text);
    INSERT INTO case_fts(rowid, title, case_no, party_name, cause, search_text)
    VALUES (new.rowid, new.title, new.case_no, new.party_name, new.cause, new.search_text);
END;
