-- The way back from the hub to the devices (issue #16). The hub's fan-out sends each event to the devices that hold
-- its case, which for a party's stream are the devices that recorded a case of that party: an index to find them.
-- hub_receipt: on a device, the hub's signed receipts for this device's record (the hub as a witness: it holds
-- these events, and with them everything they follow). Kept as received, the signature over the body's exact bytes;
-- verify checks each against the hub's key the device joined with and that every event it names is still here.
-- Not part of the record: no event, no seal (a receipt is the hub's statement, not this device's).
CREATE INDEX case_party ON "case"(party_id);
CREATE TABLE hub_receipt (
    id INTEGER PRIMARY KEY,
    body TEXT NOT NULL UNIQUE,
    signature TEXT NOT NULL,
    received_at TEXT NOT NULL
);
