-- A suspension or revocation takes effect on a day and does not reach back: steps taken before it
-- stay lawful, and case files exported before and after it say the same.
ALTER TABLE certificate ADD COLUMN status_from TEXT NOT NULL DEFAULT '';
