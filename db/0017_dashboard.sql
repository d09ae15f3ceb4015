-- The dashboard's numbers at 100,000 cases (services/dashboard.py): each measure one pass over an index that holds
-- what it counts, instead of the table. Overdue cases by deadline: next_due with its rule (100 ms -> 15 ms when half
-- the open cases are overdue); decisions and fines of a year: the decision day with the fine; legal reviews: the
-- review status of the cases that were reviewed.
CREATE INDEX case_overdue ON "case"(next_due, next_due_rule);
CREATE INDEX case_decided ON "case"(decided_on, fine_fen);
CREATE INDEX case_review ON "case"(review_status) WHERE review_status != '';
