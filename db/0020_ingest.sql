-- The hub's ingest (issue #16): the messages of the hub's EVENTS stream it refused, each with why. A refused
-- message is acknowledged so that it does not hold up the stream, and nothing of it reaches the event or case
-- tables; this is what remains of it, for the administrator. One row per message (its EVENTS sequence), so a
-- redelivery before the acknowledgement reached the server adds nothing. event_refused: the event itself failed the
-- record's checks (its signature, the procedure, its claim to be the hub's own), so whatever names it as a parent is
-- refused too; 0 when only this message was (its sender, a copy altered on the way), as the event may yet come honestly.
-- Not part of the record: no event, no seal.
CREATE TABLE ingest_refusal (
    stream_seq INTEGER PRIMARY KEY,
    subject TEXT NOT NULL,
    hash TEXT NOT NULL,
    reason TEXT NOT NULL,
    event_refused INTEGER NOT NULL,
    refused_at TEXT NOT NULL
);
CREATE INDEX ingest_refusal_hash ON ingest_refusal (hash) WHERE event_refused;
