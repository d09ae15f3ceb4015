-- The approvals a case waits for (comma-separated matters), so that a head's inbox finds them by SQL.
ALTER TABLE "case" ADD COLUMN pending_approvals TEXT NOT NULL DEFAULT '';
CREATE INDEX case_pending_approvals ON "case"(pending_approvals) WHERE pending_approvals != '';
