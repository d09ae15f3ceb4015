-- Devices whose case bundles this database accepts, each with the public key its bundles are signed
-- with. A device is trusted once, by an administrator who has compared the key's fingerprint.
CREATE TABLE trusted_device (
    device_id TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,
    name TEXT NOT NULL DEFAULT '',
    trusted_at TEXT NOT NULL,
    trusted_by TEXT NOT NULL
);
