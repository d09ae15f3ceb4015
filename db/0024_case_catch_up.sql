-- At the hub: a field device that recorded its first step in a case it got otherwise (by a bundle), while the
-- fan-out had already sent on the case's earlier steps to the devices then holding it. What it did not hold then (the
-- case's events that are not ancestors of that step, its evaluation's and its party's), up to the last event stored
-- with its first (upto), is sent to it alone, a page a round (done: the local seq sent up to), and the row goes
-- (network/fanout.py). failures: rounds in which its files could not go (such a row waits behind the others).
-- Written in the transaction that stored that first step. Not part of the record: no event, no seal.
CREATE TABLE fanout_case_catch_up (
    device TEXT NOT NULL,
    stream TEXT NOT NULL,
    upto INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    failures INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device, stream)
);
