-- At the hub: a field device that recorded its first step in a case it got otherwise (by a bundle), while the
-- fan-out had already sent on the case's earlier steps to the devices then holding it. Those steps, up to the last
-- event stored with its first (upto), are sent to it alone (network/fanout.py), and the row goes. Written in the
-- transaction that stored that first step. Not part of the record: no event, no seal.
CREATE TABLE fanout_case_catch_up (
    device TEXT NOT NULL,
    stream TEXT NOT NULL,
    upto INTEGER NOT NULL,
    PRIMARY KEY (device, stream)
);
