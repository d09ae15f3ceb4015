-- The outbox of the agency network (issue #16): how far this device's event table has gone onto a JetStream stream
-- of its own local nats-server (OUT). Every event with seq <= published_seq has been acknowledged by that stream,
-- the last acknowledgement naming the stream's own sequence stream_seq (so that a stream found shorter at the next
-- start, its store lost or cut short by a power failure before it synced, is noticed and refilled). The mark moves
-- only after the acknowledgements: a crash in between republishes, which the stream's Nats-Msg-Id dedup and the
-- receiver's UNIQUE event hash make harmless, and never leaves a gap. Not part of the record: no event, no seal.
CREATE TABLE outbox (
    stream TEXT PRIMARY KEY,
    published_seq INTEGER NOT NULL DEFAULT 0,
    stream_seq INTEGER NOT NULL DEFAULT 0
);
