-- At the hub: the evidence files each device has said it holds (dev.<device>.held in its OUT, written by the ingest in
-- the transaction of its round: a device says so once it has stored the file's event, and a device holds an
-- add_evidence event only with its file). The hub takes its copy for that device out of its bucket (hub_outbound_file,
-- until that is done) and puts none there again. Not part of the record: no event, no seal.
CREATE TABLE hub_device_file (
    device TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (device, sha256)
) WITHOUT ROWID;
