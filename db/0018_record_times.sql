-- The records that state when they began and ended (笔录: inspection, inquiry, sampling, preservation, an oral
-- statement), by their end to the minute: before a record is saved the client asks whether it overlaps another of
-- its officers' on this device, and only the records ending after it began can (store/events.records_ending_after).
CREATE INDEX event_record_end ON event(substr(json_extract(CAST(payload AS TEXT), '$.ended_at'), 1, 16))
    WHERE kind IN ('record_inquiry', 'record_inspection', 'record_preservation', 'record_sampling', 'record_statement');
