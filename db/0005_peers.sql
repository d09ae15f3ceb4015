-- Other devices this database has exchanged case bundles with: what was last sent to each (the local
-- event seq up to which everything has gone), and when a bundle last came from it.
CREATE TABLE peer (
    device_id TEXT PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    sent_upto_seq INTEGER NOT NULL DEFAULT 0,
    bundles_received INTEGER NOT NULL DEFAULT 0,
    last_received_at TEXT NOT NULL DEFAULT '',
    last_sent_at TEXT NOT NULL DEFAULT ''
);
