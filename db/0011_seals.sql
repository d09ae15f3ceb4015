-- Seals: after every write transaction the device signs the end of its arrival chain with its Ed25519 key,
-- which lives in the OS keystore, not in this file. Whoever can edit the file can recompute every hash, but
-- cannot sign: a rewritten, cut or extended record no longer matches its last seal. Each seal names the
-- streams (cases …) its transaction wrote, so a cut can be traced to its case, and the digest of the case
-- table's facts as the transaction left them, so an edited row shows without refolding every case.
CREATE TABLE seal (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,                -- the last event sealed (its seq)
    chain TEXT NOT NULL,                 -- that event's arrival chain value
    streams TEXT NOT NULL,               -- comma-joined streams the sealed transaction wrote
    rows TEXT NOT NULL,                  -- the case table's facts digest (store.cases.rows_digest)
    device TEXT NOT NULL,
    signature TEXT NOT NULL              -- Ed25519 over seal_message(device, seq, chain, streams, rows)
);
CREATE INDEX seal_seq ON seal(seq);

CREATE TRIGGER seal_no_update BEFORE UPDATE ON seal
BEGIN
    SELECT RAISE(ABORT, 'seals are append-only');
END;
CREATE TRIGGER seal_no_delete BEFORE DELETE ON seal
BEGIN
    SELECT RAISE(ABORT, 'seals are append-only');
END;
