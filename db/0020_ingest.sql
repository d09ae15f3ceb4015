-- The hub's ingest (issue #16): the messages of the hub's EVENTS stream it refused, each with why. A refused
-- message is acknowledged so that it does not hold up the stream, and nothing of it reaches the event or case
-- tables; this is what remains of it, for the administrator. One row per message (its EVENTS sequence), so a
-- redelivery before the acknowledgement reached the server adds nothing. Not part of the record: no event, no seal.
CREATE TABLE ingest_refusal (
    stream_seq INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    hash TEXT NOT NULL,
    reason TEXT NOT NULL,
    refused_at TEXT NOT NULL
);
