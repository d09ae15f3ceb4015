-- The X25519 public key of each trusted device, as the signed manifests of its bundles name it: a bundle
-- for that device is encrypted to it. Empty until a bundle from the device has named one.
ALTER TABLE trusted_device ADD COLUMN agreement_key TEXT NOT NULL DEFAULT '';
