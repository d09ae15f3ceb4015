"""The case table (each case's row, rebuilt from its events), case numbers and the evidence register.

The case table is a projection: what a case's row holds is decided by the services from its state
(:func:`enforcement_app.services.projections.case_row`); this module writes rows and answers the
queries over them (lookup, the filtered list, the inbox's candidates).
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any, NamedTuple

import sqlite_utils

from ..domain.agency import Agency
from ..domain.case import Stage
from . import case_search
from .batches import rows_for


class CaseRow(NamedTuple):
    """One case's row in the case table; the fields are its columns, in the table's order."""

    id: str
    agency_id: str
    case_no: str
    procedure: str
    stage: str
    outcome: str
    title: str
    cause: str
    party_id: str
    party_name: str
    handlers: str  # officer ids, comma-separated
    handler_names: str
    received_on: str
    filed_on: str
    decided_on: str
    closed_on: str
    fine_fen: int
    next_due: str  # the agency's next open deadline (empty once closed)
    next_due_rule: str
    review_status: str
    major: int
    search_text: str
    pending_approvals: str
    updated_at: str


CASE_COLUMNS = CaseRow._fields
_INSERT_CASE = 'INSERT INTO "case" ({}) VALUES ({})'.format(
    ", ".join(f'"{k}"' for k in CASE_COLUMNS), ", ".join("?" * len(CASE_COLUMNS)))
_UPDATE_CASE = 'UPDATE "case" SET {} WHERE id = ?'.format(", ".join(f'"{k}" = ?' for k in CASE_COLUMNS[1:]))


# the columns of a case row that follow from its events alone; the others depend on the rules and the clock
# in force when the row was written (next deadline, major-decision flag, officers' names, time written)
FACT_COLUMNS = ("agency_id", "case_no", "procedure", "stage", "outcome", "title", "cause", "party_id", "party_name", "handlers",
                "received_on", "filed_on", "decided_on", "closed_on", "fine_fen", "review_status", "search_text",
                "pending_approvals")
_FACTS = [CaseRow._fields.index(c) for c in FACT_COLUMNS]
_MODULUS = 1 << 256


def facts_digest(case_id: str, facts: Sequence[Any]) -> int:
    """One row's facts as a number; the table's digest is the sum of its rows' (mod 2^256), so that a write
    updates it by what it replaces and a check recomputes it in one pass, in any order."""
    text = json.dumps([case_id, *facts], ensure_ascii=False, separators=(",", ":"))
    return int.from_bytes(hashlib.sha256(text.encode()).digest(), "big")


def rows_digest(db: sqlite_utils.Database) -> str:
    """The digest of the case table's facts as the writes left it (kept in ``meta``, sealed with each write; a
    database from before the digest has it computed from its table)."""
    row = db.execute("SELECT value FROM meta WHERE key = 'case_rows_digest'").fetchone()
    return row[0] if row else recompute_rows_digest(db)


def recompute_rows_digest(db: sqlite_utils.Database) -> str:
    listed = ", ".join(f'"{c}"' for c in FACT_COLUMNS)
    total = 0
    for row in db.execute(f'SELECT id, {listed} FROM "case"'):
        total += facts_digest(row[0], row[1:])
    return format(total % _MODULUS, "x")


def write_case_rows(db: sqlite_utils.Database, rows: Sequence[CaseRow]) -> None:
    """Write case rows, keep the search indexes (db/0009, db/0016) and the handlers' table in step — new cases
    in bulk, known ones one by one, their index entries rewritten only when the text or the handlers have
    changed — and the digest of the table's facts. Inside the caller's transaction."""
    before: dict[str, tuple[int, str]] = {}
    replaced = 0
    listed = ", ".join(f'"{c}"' for c in FACT_COLUMNS)
    for start in range(0, len(rows), 500):
        ids = [r.id for r in rows[start:start + 500]]
        for case_id, rowid, *facts in db.execute(
                f'SELECT id, rowid, {listed} FROM "case" WHERE id IN ({",".join("?" * len(ids))})', ids):
            before[case_id] = (rowid, facts[FACT_COLUMNS.index("search_text")], facts[FACT_COLUMNS.index("handlers")])
            replaced += facts_digest(case_id, facts)
    added = sum(facts_digest(r.id, [r[i] for i in _FACTS]) for r in rows)
    total = (int(rows_digest(db), 16) + added - replaced) % _MODULUS
    db.execute("INSERT INTO meta (key, value) VALUES ('case_rows_digest', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               [format(total, "x")])
    new = [r for r in rows if r.id not in before]
    if new:
        db.conn.executemany(_INSERT_CASE, new)
        db.conn.executemany('INSERT INTO case_fts(rowid, search_text) SELECT rowid, search_text FROM "case" WHERE id = ?',
                            [(r.id,) for r in new])
        db.conn.executemany('INSERT INTO case_bigram(rowid, grams) SELECT rowid, ? FROM "case" WHERE id = ?',
                            [(case_search.case_grams(r.search_text), r.id) for r in new])
        db.conn.executemany("INSERT OR IGNORE INTO case_handler (officer_id, case_id) VALUES (?, ?)",
                            [(h, r.id) for r in new for h in _handlers(r.handlers)])
    for row in rows:
        known = before.get(row.id)
        if known is None:
            continue
        rowid, text, handlers = known
        db.execute(_UPDATE_CASE, [*row[1:], row.id])
        if text != row.search_text:
            db.execute("INSERT INTO case_fts(case_fts, rowid, search_text) VALUES ('delete', ?, ?)", [rowid, text])
            db.execute("INSERT INTO case_fts(rowid, search_text) VALUES (?, ?)", [rowid, row.search_text])
            db.execute("INSERT INTO case_bigram(case_bigram, rowid, grams) VALUES ('delete', ?, ?)", [rowid, case_search.case_grams(text)])
            db.execute("INSERT INTO case_bigram(rowid, grams) VALUES (?, ?)", [rowid, case_search.case_grams(row.search_text)])
        if handlers != row.handlers:
            db.execute("DELETE FROM case_handler WHERE case_id = ?", [row.id])
            db.conn.executemany("INSERT OR IGNORE INTO case_handler (officer_id, case_id) VALUES (?, ?)",
                           [(h, row.id) for h in _handlers(row.handlers)])


def load_new_case_rows(db: sqlite_utils.Database, rows: Iterable[CaseRow], chunk: int = 50_000) -> int:
    """The bulk path for many cases new to this table at once (a desk's first fill with an agency's cases, the
    benchmark's million): what :func:`write_case_rows` does, a table at a time instead of a row at a time — the
    case table's own indexes are dropped, the rows inserted, the indexes made again by sorting, and each search
    index filled in one pass over the new rows. Inside the caller's transaction, which must hold it all (an
    interrupted load leaves nothing, not a table without its indexes). A row whose case is already here fails
    the whole load (IntegrityError). Returns the number of rows written."""
    if not db.conn.in_transaction:  # a DROP INDEX outside one would commit at once: a failed load would leave none
        raise RuntimeError("load_new_case_rows must run inside the caller's transaction")
    base = int(rows_digest(db), 16)  # before the rows go in: a table without a digest yet has it computed from them
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'case' AND sql IS NOT NULL").fetchall()
    last = db.execute('SELECT COALESCE(MAX(rowid), 0) FROM "case"').fetchone()[0]
    for name, _sql in indexes:
        db.execute(f'DROP INDEX "{name}"')
    added, written, batch, texts = 0, 0, [], []
    for row in rows:
        batch.append(row)
        if len(batch) == chunk:
            added += _insert_new(db, batch)
            written += len(batch)
            texts.extend(r.search_text for r in batch)
            batch = []
    if batch:
        added += _insert_new(db, batch)
        written += len(batch)
        texts.extend(r.search_text for r in batch)
    # the pairs of each text are Python's work, the indexes SQLite's (which lets go of the interpreter while it
    # sorts and tokenizes): the two run side by side on a second thread, which only reads the texts in hand
    grams: list[str] = []
    pairs = threading.Thread(target=lambda: grams.extend(case_search.case_grams(t) for t in texts), name="case-grams")
    pairs.start()
    try:
        for _name, sql in indexes:
            db.execute(sql)
        db.execute('INSERT INTO case_fts(rowid, search_text) SELECT rowid, search_text FROM "case" WHERE rowid > ?', [last])
    finally:
        pairs.join()
    rowids = [r[0] for r in db.execute('SELECT rowid FROM "case" WHERE rowid > ? ORDER BY rowid', [last])]
    if len(rowids) != len(grams):  # the rows of this load, in the order they went in: nobody else writes meanwhile
        raise RuntimeError("load_new_case_rows: the rows written are not the rows loaded")
    db.conn.executemany("INSERT INTO case_bigram(rowid, grams) VALUES (?, ?)", zip(rowids, grams, strict=True))
    total = (base + added) % _MODULUS
    db.execute("INSERT INTO meta (key, value) VALUES ('case_rows_digest', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
               [format(total, "x")])
    return written


def _insert_new(db: sqlite_utils.Database, rows: list[CaseRow]) -> int:
    db.conn.executemany(_INSERT_CASE, rows)
    # in key order: each pair goes after the last instead of somewhere in the middle of the table (3x faster)
    db.conn.executemany("INSERT OR IGNORE INTO case_handler (officer_id, case_id) VALUES (?, ?)",
                        sorted((h, r.id) for r in rows for h in _handlers(r.handlers)))
    return sum(facts_digest(r.id, [r[i] for i in _FACTS]) for r in rows)


def _handlers(joined: str) -> list[str]:
    return [h for h in joined.split(",") if h]


# --- finding cases ---------------------------------------------------------------------------------------


def resolve_case(db: sqlite_utils.Database, ref: str) -> str | None:
    """The id of the case ``ref`` names: its id, an unambiguous id prefix (six characters or more), or its
    official case number."""
    row = db.execute('SELECT id FROM "case" WHERE id = ? OR case_no = ?', [ref, ref]).fetchone()
    if row:
        return row[0]
    rows = db.execute('SELECT id FROM "case" WHERE id LIKE ? LIMIT 2', [ref + "%"]).fetchall() if len(ref) >= 6 else []
    return rows[0][0] if len(rows) == 1 else None


def known_case_ids(db: sqlite_utils.Database, case_ids: Sequence[str]) -> set[str]:
    """Those of ``case_ids`` that have a row here."""
    if not case_ids:
        return set()
    return {r[0] for r in db.execute(f'SELECT id FROM "case" WHERE id IN ({",".join("?" * len(case_ids))})', list(case_ids))}


def has_cases(db: sqlite_utils.Database) -> bool:
    return db.execute('SELECT 1 FROM "case" LIMIT 1').fetchone() is not None


def case_filter(
    *, stage: str | None, officer: str | None, overdue: bool, query: str | None, year: int | None, today: date
) -> tuple[str, list[Any]]:
    """SQL conditions for the case list (see :mod:`.case_search`): each read through its own index."""
    return case_search.where(case_search.conditions(stage=stage, officer=officer, overdue=overdue, query=query, year=year, today=today))


LIST_COLUMNS = ("id", "case_no", "title", "stage", "procedure", "outcome", "party_name", "handler_names", "received_on",
                "next_due", "next_due_rule", "review_status", "major", "fine_fen")


def list_cases(db: sqlite_utils.Database, *, today: date, stage: str | None = None, officer: str | None = None,
               overdue: bool = False, query: str | None = None, year: int | None = None, limit: int | None = None,
               order: str = "received_on DESC, id DESC") -> list[dict[str, Any]]:
    """The matching cases' rows (:data:`LIST_COLUMNS`); ``order`` is an ORDER BY over the case table's columns."""
    where, args = case_filter(stage=stage, officer=officer, overdue=overdue, query=query, year=year, today=today)
    sql = f'SELECT {", ".join(LIST_COLUMNS)} FROM "case" WHERE {where} ORDER BY {order}'
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [dict(zip(LIST_COLUMNS, row, strict=True)) for row in db.execute(sql, args)]


def case_ids_matching(db: sqlite_utils.Database, query: str | None, today: date) -> list[str]:
    """Every case (``query`` empty) or those the text ``query`` finds, as the case list finds them."""
    where, args = case_filter(stage=None, officer=None, overdue=False, query=query, year=None, today=today)
    return [r[0] for r in db.execute(f'SELECT id FROM "case" WHERE {where}', args)]


def search_index_problems(db: sqlite_utils.Database) -> list[str]:
    """What is wrong with the indexes the case list reads beside the case table (db/0009, db/0016), in words: the
    handlers' table against the handlers of each row, the trigram index against the search texts it indexes,
    the pair index's own structure and its number of cases, and that every index the list names is there. (The
    pair index keeps no text to compare with: an edit of its words that keeps its structure and count is not
    found here. As the list tests every row it shows, such an edit can only hide a case from a search of one
    or two characters, never add one, nor change what a case or its file says.)"""
    found = []
    present = {r[0] for r in db.execute("SELECT name FROM sqlite_master")}
    needed = {"case_handler", "case_fts", "case_bigram", *LIST_INDEXES}
    if needed - present:
        found.append(f"案件列表所需的表或索引缺失：{'、'.join(sorted(needed - present))}")
    if not {"case_handler", "case_fts", "case_bigram"} <= present:
        return found
    try:
        extra, missing = _handler_differences(db)
    except sqlite3.DatabaseError as exc:
        return [*found, f"承办人员索引无法读取：{exc}"]
    if extra or missing:
        found.append(f"承办人员索引与案件表不符：多 {extra} 行、缺 {missing} 行")
    for table, against in (("case_fts", 1), ("case_bigram", 0)):
        try:
            db.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', ?)", [against])
        except sqlite3.DatabaseError as exc:
            found.append(f"检索索引 {table} 损坏或与案件表不符：{exc}")
    try:
        cases = db.execute('SELECT count(*) FROM "case"').fetchone()[0]
        indexed = db.execute("SELECT count(*) FROM case_bigram_docsize").fetchone()[0]
    except sqlite3.DatabaseError as exc:
        return [*found, f"二字检索索引无法读取：{exc}"]
    if indexed != cases:
        found.append(f"二字检索索引收录 {indexed} 件，案件表有 {cases} 件")
    return found


# the indexes of the case table the list reads by name (store/case_index.py SORTABLE, store/case_search.py)
LIST_INDEXES = ("case_received_id", "case_sort_case_no", "case_sort_title", "case_sort_stage", "case_sort_party",
                "case_sort_handlers", "case_sort_next_due", "case_sort_fine")


def _handler_differences(db: sqlite_utils.Database) -> tuple[int, int]:
    return db.execute("""
        WITH RECURSIVE split(case_id, officer_id, rest) AS (
            SELECT id, '', handlers || ',' FROM "case" WHERE handlers != ''
            UNION ALL
            SELECT case_id, substr(rest, 1, instr(rest, ',') - 1), substr(rest, instr(rest, ',') + 1) FROM split WHERE rest != ''),
        pairs AS (SELECT DISTINCT officer_id, case_id FROM split WHERE officer_id != '')
        SELECT (SELECT count(*) FROM (SELECT officer_id, case_id FROM case_handler EXCEPT SELECT officer_id, case_id FROM pairs)),
               (SELECT count(*) FROM (SELECT officer_id, case_id FROM pairs EXCEPT SELECT officer_id, case_id FROM case_handler))""").fetchone()


def party_ids_of(db: sqlite_utils.Database, case_ids: Sequence[str]) -> set[str]:
    """The parties of these cases (an empty id for a case without one)."""
    if not case_ids:
        return set()
    return {r[0] for r in db.execute(f'SELECT party_id FROM "case" WHERE id IN ({",".join("?" * len(case_ids))})', list(case_ids))}


# --- the inbox's candidates -------------------------------------------------------------------------------


def case_ids_in_stages(db: sqlite_utils.Database, stages: Iterable[Stage]) -> list[str]:
    values = [s.value for s in stages]
    return [r[0] for r in db.execute(f'SELECT id FROM "case" WHERE stage IN ({",".join("?" * len(values))})', values)]


def case_ids_awaiting_approval(db: sqlite_utils.Database) -> list[str]:
    return [r[0] for r in db.execute("SELECT id FROM \"case\" WHERE pending_approvals != ''")]


def deadlines_due_by(db: sqlite_utils.Database, handler: str, horizon: date) -> list[tuple[str, str, str]]:
    """``(case id, next due day, rule)`` of the open cases ``handler`` handles whose next deadline falls on
    or before ``horizon``."""
    return db.execute(
        'SELECT c.id, c.next_due, c.next_due_rule FROM case_handler h JOIN "case" c ON c.id = h.case_id WHERE h.officer_id = ? '
        "AND c.next_due != '' AND c.next_due <= ? AND c.stage NOT IN ('closed', 'archived')",
        [handler, horizon.isoformat()],
    ).fetchall()


# --- case numbers -----------------------------------------------------------------------------------------


def allocate_case_number(db: sqlite_utils.Database, agency: Agency, case_id: str, year: int) -> tuple[int, str]:
    """Reserve the agency's next serial of ``year`` for ``case_id``; returns (serial, case number). Serials
    only grow (reservations are never removed), so a number is never given twice."""
    row = db.execute(
        "SELECT COALESCE(MAX(serial), 0) + 1 FROM case_number WHERE agency_id = ? AND year = ?", [agency.id, year]
    ).fetchone()
    serial = int(row[0])
    case_no = agency.case_no(year, serial)
    db["case_number"].insert({"agency_id": agency.id, "year": year, "serial": serial, "case_id": case_id, "case_no": case_no})
    return serial, case_no


# --- the evidence register --------------------------------------------------------------------------------


def register_evidence(db: sqlite_utils.Database, sha256: str, size: int, media_type: str, original_name: str, at: str) -> None:
    """Note a file of the evidence store (once: the first registration's name and time are kept)."""
    db.execute("INSERT OR IGNORE INTO evidence (sha256, size, media_type, original_name, stored_at) VALUES (?,?,?,?,?)",
               [sha256, size, media_type, original_name, at])


def evidence_size(db: sqlite_utils.Database, sha256: str) -> int | None:
    """The registered size of the evidence file ``sha256``; None when no such file is registered."""
    row = db.execute("SELECT size FROM evidence WHERE sha256 = ?", [sha256]).fetchone()
    return None if row is None else int(row[0])


def registered_evidence(db: sqlite_utils.Database) -> set[str]:
    return {r[0] for r in db.execute("SELECT sha256 FROM evidence")}


def registered_among(db: sqlite_utils.Database, shas: Iterable[str]) -> set[str]:
    """Those of ``shas`` registered here (by the primary key: no scan of a hub's whole register)."""
    return {r[0] for r in rows_for(db, "SELECT sha256 FROM evidence WHERE sha256 IN ({})", sorted(set(shas)))}


def stored_rows(db: sqlite_utils.Database, columns: Sequence[str]) -> dict[str, tuple]:
    """Every case row's ``columns`` by case id (what verify compares with the rows rebuilt from the events)."""
    listed = ", ".join(f'"{c}"' for c in columns)
    return {row[0]: tuple(row[1:]) for row in db.execute(f'SELECT id, {listed} FROM "case"')}


def case_events_in_arrival_order(db: sqlite_utils.Database):
    """(stream, hash, parents, kind, actor, at, payload) of every case event, in arrival order: one pass over
    the table, for rebuilding every case at once."""
    return db.execute("SELECT stream, hash, parents, kind, actor, at, payload FROM event WHERE instr(stream, '/') = 0 ORDER BY seq")


def case_event_counts(db: sqlite_utils.Database) -> dict[str, int]:
    return {s: n for s, n in db.execute("SELECT stream, events FROM stream_head WHERE instr(stream, '/') = 0")}


def case_streams(db: sqlite_utils.Database) -> list[str]:
    """Every case that has events (its stream), whether or not the case table has a row for it."""
    return [r[0] for r in db.execute("SELECT stream FROM stream_head WHERE instr(stream, '/') = 0 ORDER BY stream")]


def case_numbers(db: sqlite_utils.Database, case_ids: Iterable[str]) -> dict[str, str]:
    ids = list(case_ids)
    out: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        out.update((i, n) for i, n in db.execute(f'SELECT id, case_no FROM "case" WHERE id IN ({",".join("?" * len(chunk))}) AND case_no != \'\'', chunk))
    return out


def referenced_evidence(db: sqlite_utils.Database, shas: set[str]) -> set[str]:
    """Which of ``shas`` an add_evidence event names: registered, or (should the registry lack one) named in
    an event's payload, which is read only for hashes not registered."""
    found = shas & registered_evidence(db) if len(shas) > 500 else {
        r[0] for r in db.execute(f"SELECT sha256 FROM evidence WHERE sha256 IN ({','.join('?' * len(shas))})", sorted(shas))}
    rest = shas - found
    if rest:
        found |= {r[0] for r in db.execute("SELECT json_extract(payload, '$.sha256') FROM event WHERE kind = 'add_evidence'")
                  if r[0] in rest}
    return found
