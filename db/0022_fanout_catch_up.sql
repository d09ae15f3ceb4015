-- The hub's fan-out for a device enrolled (or given another scope) after the shared TODEV mark had passed events it
-- is now to receive: those events, up to where the shared mark stood when the hub first saw the device with this
-- scope (upto), are sent to it alone, done marking how far. Not part of the record: no event, no seal.
CREATE TABLE fanout_catch_up (
    device TEXT NOT NULL,
    scope TEXT NOT NULL,
    upto INTEGER NOT NULL,
    done INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (device, scope)
);
