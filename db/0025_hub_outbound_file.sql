-- At the hub: the evidence files it put into a device's bucket (EVIDENCE_to<device>) for the events the fan-out sent
-- it. A file goes from there once that device records a step of the case that builds on the event registering it:
-- the device held the event then, and a device holds an add_evidence event only with its file (network/service.py).
-- Not part of the record: no event, no seal.
CREATE TABLE hub_outbound_file (
    device TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    PRIMARY KEY (device, sha256)
);
