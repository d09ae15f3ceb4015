-- Each officer's personal signing keys (Ed25519), projected from the officer's events. The private half is
-- sealed under the officer's password (scrypt + AES-GCM, see services.auth.seal_key), so whoever has this
-- file holds only ciphertext; sign-offs (approvals, legal reviews, collective discussions, decisions) carry
-- a signature the public half checks. A key is in force from the event that issued it until the event that
-- issued the officer's next one (a password reset by an administrator).
CREATE TABLE officer_key (
    public_key TEXT PRIMARY KEY,          -- 64 hex digits
    officer_id TEXT NOT NULL,
    sealed TEXT NOT NULL,                 -- the private half sealed under the password
    issued_at TEXT NOT NULL,              -- the issuing event's moment
    retired_at TEXT NOT NULL DEFAULT ''   -- the moment the next key was issued ('' while in force)
);
CREATE INDEX officer_key_officer ON officer_key(officer_id);

-- The sign-offs a database already held when it was upgraded to personal keys carry no signature; every
-- later one must. (0 for a database made with personal keys.)
INSERT OR REPLACE INTO meta (key, value) SELECT 'signoffs_from_seq', CAST(COALESCE(MAX(seq), 0) AS TEXT) FROM event;
