-- The case list's filters without a text search (stage, overdue, a handler's own cases) read one covering
-- index in registration order instead of the table: 90 ms -> 20 ms for "overdue" over 100,000 cases.
CREATE INDEX case_list ON "case"(received_on, id, next_due, stage, handlers);
