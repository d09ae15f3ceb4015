-- Discretion benchmark sets imported by the agency (the shipped ones live in resources/benchmarks).
-- Each row is the canonical export of one set version; the import event in the process record
-- ("config/benchmarks", kind import_benchmark_set) carries the same document and its SHA-256.
CREATE TABLE benchmark_set (
    id TEXT NOT NULL,
    version TEXT NOT NULL,
    issuing_body TEXT NOT NULL,
    name TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    effective_to TEXT,
    entries INTEGER NOT NULL,
    document TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL,
    PRIMARY KEY (id, version)
);
