"""Checking an exported case file against the database.

The exporter writes ``ecr-casefile/1 case=<id> no=<case number> head=<heads> events=<n> signoffs=<hash>:<key
fingerprint>,…`` into the PDF's Keywords. ``verify-pdf`` reads it with pypdf, checks the case's record, that
the file's chain head is still the case's, and that every sign-off the file names is in the record with a
valid signature by the key whose fingerprint the file prints on its approval block.

It also validates the file's PAdES signature (:mod:`.signature`) with pyHanko, trusting only the agency
certificates this record issued: a file changed after export (a byte of its content, an incremental update
appended), one without the signature, or one signed with another certificate fails, and the message says
which. A failed signature is reported together with what the record checks found, so that the user learns
both that the file was changed and what in it no longer matches.
"""

from __future__ import annotations

import dataclasses
import io
from dataclasses import dataclass
from pathlib import Path

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from ..services.agency_certificates import recorded_certificates
from ..services.api import Session
from ..services.signatures import case_sign_offs
from .signature import check_signature

MARKER_PREFIX = "ecr-casefile/1 "


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
    signature: str = ""  # what the check of the agency's PAdES signature found (its certificate's fingerprint when valid)


def _reader(pdf: str | Path | bytes) -> PdfReader:
    return PdfReader(io.BytesIO(pdf) if isinstance(pdf, bytes) else str(pdf))


def read_marker(pdf: str | Path | bytes) -> dict[str, str]:
    """The fields of the case-file marker (of a file, or a PDF's bytes), or an empty dict when the PDF
    carries none (or is no PDF)."""
    try:
        info = _reader(pdf).metadata or {}
    except (PdfReadError, OSError, ValueError):
        return {}
    text = str(info.get("/Keywords") or "")
    if not text.startswith(MARKER_PREFIX):
        return {}
    return dict(part.split("=", 1) for part in text.split()[1:] if "=" in part)


def _printed_text(path: str | Path) -> str:
    return "".join(page.extract_text() or "" for page in _reader(path).pages)


def sign_off_problems(session: Session, path: str | Path, case_id: str, listed: str, head: str = "") -> list[str]:
    """What is wrong with the sign-offs the file names (``hash:fingerprint``, comma-separated): each must be in
    the record with a valid signature by the key printed, and the file must name every valid sign-off the
    record held when the file was made (up to its chain ``head``), none left out."""
    services = session.services
    view = session.view(case_id)
    held = case_sign_offs(services.db, services.reference.signing_keys(), view.events)
    problems, printed = [], None
    heads = set(filter(None, head.split(",")))
    upto = max((e.seq for e in view.events if e.hash in heads), default=None)
    named = {item.partition(":")[0] for item in filter(None, listed.split(","))}
    seq_of = {e.hash: e.seq for e in view.events}
    for digest, seal in held.items():
        if seal.valid and (upto is None or seq_of[digest] <= upto) and digest not in named:
            problems.append(f"记录中的签署 {digest[:12]}…（{seal.signer[:8]}，{seal.fingerprint}）未载于案卷：案卷的签署信息被删改")
    for item in filter(None, listed.split(",")):
        digest, _, key = item.partition(":")
        seal = held.get(digest)
        if seal is None:
            problems.append(f"案卷所载的签署 {digest[:12]}… 不在本案记录中")
        elif not seal.valid:
            problems.append(f"案卷所载的签署 {digest[:12]}… 在记录中签名无效：{seal.problem}")
        elif seal.fingerprint.replace(" ", "") != key:
            problems.append(f"案卷所印的签署 {digest[:12]}… 的密钥指纹与记录中的不同")
        else:
            printed = _printed_text(path) if printed is None else printed
            if seal.fingerprint not in printed:
                problems.append(f"案卷中没有印出签署 {digest[:12]}… 的密钥指纹 {seal.fingerprint}")
    return problems


def verify_pdf(session: Session, path: str | Path) -> PdfCheck:
    marker = read_marker(path)
    if not marker.get("case"):
        return PdfCheck(False, "", "", "", "", 0, 0, f"{path} 不是本系统导出的案卷（没有案卷标记）")
    signature = check_signature(Path(path).read_bytes(), recorded_certificates(session.services))
    check = _against_record(session, path, marker)
    if signature.ok:
        return dataclasses.replace(check, message=f"{check.message}；{signature.message}", signature=signature.message)
    message = signature.message if check.ok else f"{signature.message}；{check.message}"
    return dataclasses.replace(check, ok=False, message=message, signature=signature.message)


def _against_record(session: Session, path: str | Path, marker: dict[str, str]) -> PdfCheck:
    view = session.view(marker["case"])
    report = session.verify(marker["case"])
    db_head = ",".join(view.heads)
    pdf_events, db_events = int(marker.get("events", "0") or 0), len(view.events)
    if not report.ok:
        return PdfCheck(False, marker["case"], marker.get("no", ""), marker.get("head", ""), db_head, pdf_events, db_events,
                        "数据库中本案记录未通过校验：" + "；".join(p.message for p in report.problems))
    signed = sign_off_problems(session, path, marker["case"], marker.get("signoffs", ""), marker.get("head", ""))
    if signed:
        return PdfCheck(False, marker["case"], marker.get("no", ""), marker.get("head", ""), db_head, pdf_events, db_events,
                        "；".join(signed))
    if marker.get("head") == db_head:
        return PdfCheck(True, marker["case"], marker.get("no", ""), marker["head"], db_head, pdf_events, db_events,
                        f"案卷与数据库一致：{db_events} 条记录，链头 {db_head[:16]}…")
    known = {e.hash for e in view.events}
    if all(h in known for h in marker.get("head", "").split(",") if h):
        return PdfCheck(False, marker["case"], marker.get("no", ""), marker.get("head", ""), db_head, pdf_events, db_events,
                        f"案卷导出后本案又新增了 {db_events - pdf_events} 条记录，请重新导出")
    return PdfCheck(False, marker["case"], marker.get("no", ""), marker.get("head", ""), db_head, pdf_events, db_events,
                    "案卷所载链头在数据库中不存在：案卷与本数据库的记录不一致")
