"""Checking an exported case file against the database.

The exporter writes ``ecr-casefile/1 case=<id> no=<case number> head=<heads> events=<n>`` into the PDF's
Keywords. reportlab leaves the document information dictionary uncompressed, so it is read straight from
the bytes; no PDF library is needed at run time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..services.api import Session

MARKER_PREFIX = "ecr-casefile/1 "

_ESCAPES = {ord("n"): b"\n", ord("r"): b"\r", ord("t"): b"\t", ord("b"): b"\b", ord("f"): b"\f"}


def _literal_string(data: bytes, start: int) -> bytes:
    """The bytes of the PDF literal string whose ``(`` is at ``start`` (escapes resolved)."""
    out, depth, i = bytearray(), 0, start
    while i < len(data):
        ch = data[i]
        if ch == 0x5C:  # backslash
            i += 1
            nxt = data[i]
            if 0x30 <= nxt <= 0x37:
                digits = re.match(rb"[0-7]{1,3}", data[i:i + 3]).group(0)  # type: ignore[union-attr]
                out.append(int(digits, 8) & 0xFF)
                i += len(digits)
                continue
            out += _ESCAPES.get(nxt, bytes([nxt]))
        elif ch == 0x28:  # (
            depth += 1
            if depth > 1:
                out.append(ch)
        elif ch == 0x29:  # )
            depth -= 1
            if depth == 0:
                return bytes(out)
            out.append(ch)
        else:
            out.append(ch)
        i += 1
    return bytes(out)


@dataclass(frozen=True)
class PdfCheck:
    ok: bool
    case_id: str
    case_no: str
    pdf_head: str
    db_head: str
    pdf_events: int
    db_events: int
    message: str


def read_marker(pdf: bytes) -> dict[str, str]:
    """The fields of the case-file marker, or an empty dict when the PDF carries none."""
    at = pdf.rfind(b"/Keywords (")
    if at < 0:
        return {}
    raw = _literal_string(pdf, at + len(b"/Keywords "))
    text = raw[2:].decode("utf-16-be", errors="replace") if raw.startswith(b"\xfe\xff") else raw.decode("latin-1")
    if not text.startswith(MARKER_PREFIX):
        return {}
    return dict(part.split("=", 1) for part in text.split()[1:] if "=" in part)


def verify_pdf(session: Session, path: str | Path) -> PdfCheck:
    data = Path(path).read_bytes()
    marker = read_marker(data)
    if not marker.get("case"):
        return PdfCheck(False, "", "", "", "", 0, 0, f"{path} 不是本系统导出的案卷（没有案卷标记）")
    view = session.view(marker["case"])
    report = session.verify(marker["case"])
    db_head = ",".join(view.heads)
    pdf_events, db_events = int(marker.get("events", "0") or 0), len(view.events)
    if not report.ok:
        return PdfCheck(False, marker["case"], marker.get("no", ""), marker.get("head", ""), db_head, pdf_events, db_events,
                        "数据库中本案记录未通过校验：" + "；".join(p.message for p in report.problems))
    if marker.get("head") == db_head:
        return PdfCheck(True, marker["case"], marker.get("no", ""), marker["head"], db_head, pdf_events, db_events,
                        f"案卷与数据库一致：{db_events} 条记录，链头 {db_head[:16]}…")
    known = {e.hash for e in view.events}
    if all(h in known for h in marker.get("head", "").split(",") if h):
        return PdfCheck(False, marker["case"], marker.get("no", ""), marker.get("head", ""), db_head, pdf_events, db_events,
                        f"案卷导出后本案又新增了 {db_events - pdf_events} 条记录，请重新导出")
    return PdfCheck(False, marker["case"], marker.get("no", ""), marker.get("head", ""), db_head, pdf_events, db_events,
                    "案卷所载链头在数据库中不存在：案卷与本数据库的记录不一致")
