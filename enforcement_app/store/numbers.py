"""The register of document numbers (文号) and the device that holds the agency's numbering.

Numbers are reserved inside the caller's write transaction (begun as the writer, ``BEGIN IMMEDIATE``), so two
connections to one file take turns, and the register's key refuses a number given twice; a transaction that
rolls back takes its reservation with it, so a refused step leaves no gap.
"""

from __future__ import annotations

from typing import Any

import sqlite_utils

from ..domain.agency import format_case_no

NUMBERED_KINDS = ("issue_prior_notice", "give_hearing_notice", "make_decision", "issue_reminder", "serve_document")
"""The steps that issue a numbered document (declared with ``issues``; tests/test_document_numbers.py holds the
two equal). The index event_document_no (db/0013) is over exactly these."""
_CARRIED = ("SELECT 1 FROM event WHERE kind IN ({}) AND json_extract(CAST(payload AS TEXT), '$.document_no') = ? LIMIT 1"
            .format(", ".join(f"'{k}'" for k in NUMBERED_KINDS)))


def allocate_document_number(db: sqlite_utils.Database, *, agency_id: str, series: str, year: int, document: str,
                             case_id: str) -> tuple[int, str]:
    """Reserve the next serial of ``series`` in ``year`` for a document of ``case_id``; returns (serial, the
    number as printed). Serials only grow (reservations are never removed); a number an older record carries
    (typed before the app numbered documents, here or on a device whose events came here) is passed over.
    Call inside a write transaction."""
    row = db.execute("SELECT COALESCE(MAX(serial), 0) + 1 FROM document_number WHERE agency_id = ? AND series = ? AND year = ?",
                     [agency_id, series, year]).fetchone()
    serial = int(row[0])
    number = format_case_no(series, year, serial)
    while db.execute(_CARRIED, [number]).fetchone() is not None:
        serial += 1
        number = format_case_no(series, year, serial)
    db.execute("INSERT INTO document_number (agency_id, series, year, serial, document, case_id, document_no) VALUES (?,?,?,?,?,?,?)",
               [agency_id, series, year, serial, document, case_id, number])
    return serial, number


def register_document_number(db: sqlite_utils.Database, numbering: dict[str, Any], case_id: str, document_no: str) -> None:
    """Note a number an event of this device carries (the projection; rebuilt by verify)."""
    db.execute("INSERT OR IGNORE INTO document_number (agency_id, series, year, serial, document, case_id, document_no) "
               "VALUES (?,?,?,?,?,?,?)",
               [numbering.get("agency_id"), numbering.get("series"), numbering.get("year"), numbering.get("serial"),
                numbering.get("document"), case_id, document_no])


def document_numbers(db: sqlite_utils.Database, *, document: str | None = None) -> list[dict[str, Any]]:
    """The register (of ``document`` only, if given), by series, year and serial."""
    where, args = ("WHERE document = ?", [document]) if document else ("", [])
    cursor = db.execute(f"SELECT agency_id, series, year, serial, document, case_id, document_no FROM document_number {where} "
                        "ORDER BY agency_id, series, year, serial", args)
    columns = [c[0] for c in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor]


def numbering_device(db: sqlite_utils.Database, agency_id: str) -> str | None:
    """The device that holds the agency's numbering: the one that set the agency up (recorded its first
    ``set_agency``, earliest by moment, then hash, so every device that holds the events names the same one);
    None when no event sets it up."""
    row = db.execute("SELECT device FROM event WHERE stream = ? AND kind = 'set_agency' ORDER BY at, hash LIMIT 1",
                     [f"agency/{agency_id}"]).fetchone()
    return row[0] if row else None
