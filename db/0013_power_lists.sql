-- The agency's power list (权责清单) versions it imported (the shipped default lives in
-- resources/agency/power_list.json). Each row is one version as its import event ("config/power_list",
-- kind import_power_list) records it; like every reference table, a projection of those events.
CREATE TABLE power_list_version (
    version TEXT PRIMARY KEY,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    body TEXT NOT NULL                   -- the version without its name and dates, canonical JSON
);
