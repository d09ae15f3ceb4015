-- On a device: the events it stored from its hub (their local seq). The hub holds them already, so the outbox does
-- not send them back up, nor their files: a desk receives every case, and would otherwise send the agency's whole
-- record back to the hub, once per desk. Written in the transaction that stores them. Not part of the record.
CREATE TABLE hub_received (
    seq INTEGER PRIMARY KEY
);
