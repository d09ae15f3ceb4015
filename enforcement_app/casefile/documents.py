"""The documents of a case file, laid out after the national model forms and filled from the record.

Each builder takes the case-file data and returns zero or more :class:`Document` (a step the case did not
have gives none: nothing is printed empty). The order of documents comes from
``resources/casefile/order.json``; inside one kind, documents follow the record.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors, textsplit
from reportlab.lib.enums import TA_CENTER, TA_LEFT, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Image, KeepTogether, Paragraph, Spacer, Table, TableStyle
from reportlab.platypus import paragraph as _paragraph

from ..domain.case import Outcome, Step
from ..domain.discretion.grades import Grade
from ..domain.discretion.numerals import from_int
from ..domain.evaluation import Sheet, conclusion_zh, mark_zh
from ..domain.evidence_media import recorded_steps
from ..domain.handwriting import INQUIRY_CONFIRMATION, SIGNER_ZH, describe
from ..domain.labels import (
    APPROVAL_MATTER_ZH,
    CASE_SOURCE_ZH,
    CLOSING_GROUND_ZH,
    DECISION_TITLE_ZH,
    EVIDENCE_KIND_ZH,
    ID_TYPE_ZH,
    NO_PENALTY_GROUND_ZH,
    PAYMENT_CHANNEL_ZH,
    REVIEW_CHECKLIST_ZH,
    REVIEW_OUTCOME_ZH,
    SERVICE_METHOD_ZH,
    SEX_ZH,
    served_document_zh,
)
from ..domain.money import capitals, format_range, format_yuan, parse_yuan
from ..domain.penalties import PENALTY_KIND_ZH, PenaltyKind
from ..domain.procedure import payload_of, title_of
from ..domain.procedure.decision import Decision
from ..domain.procedure.payload import decode
from ..domain.procedure.proposal import ProposalFields
from ..domain.procedure.signed_content import field_label, shown
from ..resources import load_json
from ..services.api import CaseFileData
from .fonts import CaseFileFont, Role

# Chinese line breaking (GB/T 15834, W3C clreq): no line starts with a closing or pausing mark. reportlab's
# list is the Japanese one, without the full-width comma, semicolon, colon, ! ? or the closing 》” ’; its CJK
# wrap hangs such a mark in the right margin rather than start the next line with it.
CANNOT_START_LINE = "，；：！？》”’…"
CANNOT_END_LINE = "“‘《（【〔「『"
textsplit.ALL_CANNOT_START += "".join(c for c in CANNOT_START_LINE if c not in textsplit.ALL_CANNOT_START)  # one-style text
_paragraph.ALL_CANNOT_START = textsplit.ALL_CANNOT_START  # text in several styles


def _split_cjk(word: str, widths: list[float], max_widths: Any) -> list[list[Any]]:
    """One-style text cut into lines that fit (reportlab's ``dumbSplit`` contract: ``[[extra_space, text], …]``),
    breaking as Chinese is set (clreq 3.1.7): a line that would start with a closing or pausing mark, or end
    with an opening one, gives its last characters to the next line instead, so marks never stand past the
    margin (in a table cell they would cross its border); a run of Latin letters or digits (an ID number)
    moves whole to the next line when it fits there."""
    bounds = list(max_widths) if isinstance(max_widths, (list, tuple)) else [max_widths]
    lines: list[list[Any]] = []
    start, n = 0, len(word)
    while start < n:
        room = bounds[min(len(lines), len(bounds) - 1)]
        end, used = start, 0.0
        while end < n and used + widths[end] <= room + textsplit._FUZZ:
            used += widths[end]
            end += 1
        if end == start:
            end += 1  # a character wider than the line: it goes alone
        if end < n:
            cut = end
            while cut > start + 1 and (word[cut] in textsplit.ALL_CANNOT_START or word[cut - 1] in CANNOT_END_LINE):
                cut -= 1
            if _latin(word[cut - 1]) and _latin(word[cut]):
                run, run_end = cut, cut
                while run > start and _latin(word[run - 1]):
                    run -= 1
                while run_end < n and _latin(word[run_end]):
                    run_end += 1
                lead = run
                while lead > start and word[lead - 1] in CANNOT_END_LINE:
                    lead -= 1  # an opening mark before it goes with it (a line of the mark alone: not moved)
                if lead > start and sum(widths[lead:run_end]) <= room:
                    cut = lead  # the run fits on the next line: it goes there whole
            end = cut
        text = word[start:end]
        lines.append([room - sum(widths[start:end]), text.rstrip()])
        start = end
        while start < n and word[start] == " ":
            start += 1  # no line starts with the space it broke at
    return lines


def _latin(char: str) -> bool:
    """A letter or digit of a Latin-script run (a number, a code, an English word), not a mark."""
    return ord(char) < 0x2000 and (char.isalnum() or char in "-_./@#")


textsplit.dumbSplit = _split_cjk  # wordSplit, the one-style path, calls it by its module name

PAGE_WIDTH = 210 * mm
PAGE_HEIGHT = 297 * mm
MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM = 28 * mm, 26 * mm, 30 * mm, 25 * mm
BODY_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT



@dataclass
class Document:
    kind: str
    title: str
    number: str  # document number (文号), or ""
    day: date | None
    flowables: list[Flowable] = field(default_factory=list)
    step: str = ""  # the hash of the one step the document is made from; "" for one made from several (see Builder.steps)
    # who signs at the foot of every page (the interviewee of a 询问笔录) and their entry (None: a line to sign on)
    page_signer: tuple[str, Mapping[str, Any] | None] | None = None
    responsible: str = ""  # 责任者 in the contents; "" = as resources/casefile/order.json says for the kind


SEAL_MARK = "（印章）"
SEAL_SIZE = 40 * mm  # the diameter of an official round seal


class _Sealed(Flowable):
    """The agency's name (right-aligned, as the line it replaces) with its seal image centred over it, as a
    stamp is pressed over the name on paper."""

    def __init__(self, name: str, style: ParagraphStyle, png: bytes):
        super().__init__()
        self.text, self.style, self.png = name, style, png
        self.name = _p(name, style)

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        self.width = available_width
        _w, self.text_height = self.name.wrap(available_width, available_height)
        return available_width, max(self.text_height, SEAL_SIZE * 0.55)

    def draw(self) -> None:
        self.name.drawOn(self.canv, 0, 0)
        text_width = min(self.width, stringWidth(self.text, self.style.fontName, self.style.fontSize))
        centre = self.width - text_width / 2
        self.canv.drawImage(ImageReader(io.BytesIO(self.png)), centre - SEAL_SIZE / 2, self.text_height / 2 - SEAL_SIZE / 2,
                            SEAL_SIZE, SEAL_SIZE, mask="auto")


class DocStart(Flowable):
    """Zero-size marker at the top of a document: the template notes its page and bookmarks it."""

    def __init__(self, document: Document, index: int):
        super().__init__()
        self.document = document
        self.index = index

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


MIN_SIZE = 10.5  # pt (五号): no text of a case file is smaller, tables and notes included


class Styles:
    """The paragraph styles of the documents, set like a government document (GB/T 9704): the agency and the
    title in the title face (宋体/小标宋), the text and filled-in values in the body face (仿宋, or 楷), headings
    and form labels in the heading face (黑体), hashes in the fixed-width face. Text is 12 pt (小四), tables
    and notes 10.5 pt (五号, :data:`MIN_SIZE`), titles 22 pt (二号).

    Every style carries ``typeset``: a paragraph's characters that its face lacks are set in the first
    face that has them (:meth:`CaseFileFont.markup`); the characters no face has are kept in ``missing``."""

    def __init__(self, font: CaseFileFont):
        title, body, heading, mono = (font.face(role) for role in (Role.TITLE, Role.BODY, Role.HEADING, Role.MONO))
        self.font = font
        self.missing: set[str] = set()
        self.agency = ParagraphStyle("agency", fontName=title, fontSize=16, leading=24, alignment=TA_CENTER, wordWrap="CJK")
        self.title = ParagraphStyle("title", fontName=title, fontSize=22, leading=32, alignment=TA_CENTER, spaceAfter=6, wordWrap="CJK")
        self.number = ParagraphStyle("number", fontName=body, fontSize=12, leading=18, alignment=TA_RIGHT, spaceAfter=6)
        # allowWidows=0: a paragraph's last line never stands alone at the top of a page
        self.body = ParagraphStyle("body", fontName=body, fontSize=12, leading=21, wordWrap="CJK", firstLineIndent=24, allowWidows=0)
        self.plain = ParagraphStyle("plain", fontName=body, fontSize=12, leading=21, wordWrap="CJK", allowWidows=0)
        self.cell = ParagraphStyle("cell", fontName=body, fontSize=MIN_SIZE, leading=15.5, wordWrap="CJK", alignment=TA_LEFT)
        self.label = ParagraphStyle("label", fontName=heading, fontSize=MIN_SIZE, leading=15.5, wordWrap="CJK", alignment=TA_CENTER)
        self.small = ParagraphStyle("small", fontName=body, fontSize=MIN_SIZE, leading=15, wordWrap="CJK")  # notes, dense tables
        self.mono = ParagraphStyle("mono", fontName=mono, fontSize=MIN_SIZE, leading=14)  # hex: breaks at spaces, long words split
        self.sign = ParagraphStyle("sign", fontName=body, fontSize=12, leading=22, alignment=TA_RIGHT, wordWrap="CJK")
        self.heading = ParagraphStyle("heading", fontName=heading, fontSize=12, leading=22, spaceBefore=6, wordWrap="CJK")
        for style in self.all():
            style.typeset = self.typeset

    def all(self) -> list[ParagraphStyle]:
        return [v for v in vars(self).values() if isinstance(v, ParagraphStyle)]

    def derive(self, name: str, parent: ParagraphStyle, **changes: Any) -> ParagraphStyle:
        """A style like ``parent`` with ``changes`` (the cover's and the contents' sizes), typeset alike."""
        style = ParagraphStyle(name, parent=parent, **changes)
        style.typeset = self.typeset
        return style

    def typeset(self, markup: str, face: str) -> str:
        if self.font.covers(markup, face):
            return markup
        self.missing |= self.font.missing(markup)
        return self.font.markup(markup, face)


class _Lines(Paragraph):
    """A paragraph whose lines break as one-style text does (:func:`_split_cjk`) when it is one style with
    line breaks (the ``\n`` of a record's text): reportlab takes text of several parts through another
    splitter, which keeps its Japanese rules; text in several faces still does."""

    def breakLinesCJK(self, maxWidths):  # noqa: N802, N803 - reportlab's names
        frags = self.frags
        first = frags[0] if frags else None
        plain = first is not None and self.style.wordWrap == "CJK" and not self.style.endDots and all(
            not hasattr(f, "cbDefn") and (f.fontName, f.fontSize, f.textColor) == (first.fontName, first.fontSize, first.textColor)
            for f in frags)
        if not plain or len(frags) == 1:
            return super().breakLinesCJK(maxWidths)
        if hasattr(self, "blPara") and getattr(self, "_splitpara", 0):
            return first.clone(kind=0, lines=self.blPara.lines)  # the part of a paragraph split across pages
        widths = list(maxWidths) if isinstance(maxWidths, (list, tuple)) else [maxWidths]
        parts, text = [], ""
        for f in frags:
            if getattr(f, "lineBreak", False):
                parts.append(text)
                text = ""
            else:
                text += f.text
        parts.append(text)
        lines: list[list[Any]] = []
        hard: set[int] = set()  # the lines a break of the text ends (kept when the paragraph is split across pages)
        for part in parts:
            room = widths[len(lines):] or widths[-1:]
            lines += textsplit.wordSplit(part, room, first.fontName, first.fontSize) if part else [[room[0], ""]]
            hard.add(len(lines) - 1)
        self._hard_ends = hard
        return first.clone(kind=0, lines=[(space, [line]) for space, line in lines], ascent=first.fontSize, descent=-0.2 * first.fontSize)

    def split(self, availWidth, availHeight):  # noqa: N803 - reportlab's names
        """Split across pages as reportlab does, the part on the next page keeping the text's own line breaks
        (reportlab rebuilds it as one run of text, which our lines are not)."""
        parts = super().split(availWidth, availHeight)
        hard = getattr(self, "_hard_ends", None)
        if len(parts) != 2 or not hard or not hasattr(self, "blPara"):
            return parts
        first, rest = parts
        texts = ["".join(line[1]) for line in self.blPara.lines]
        start = len(first.blPara.lines)
        markup = "".join(escape(t) + ("<br/>" if i in hard and i < len(texts) - 1 else "") for i, t in enumerate(texts) if i >= start)
        return [first, _Lines(markup, rest.style)]


def _p(text: Any, style: ParagraphStyle) -> Paragraph:
    markup = escape(str(text if text is not None else "")).replace("\n", "<br/>")
    typeset = getattr(style, "typeset", None)  # a style of :class:`Styles`: characters its face lacks in another face
    return _Lines(typeset(markup, style.fontName) if typeset else markup, style)


def _day(value: Any) -> str:
    """A date as the forms write it: 2025年3月5日."""
    if not value:
        return "    年  月  日"
    d = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    return f"{d.year}年{d.month}月{d.day}日"


def _moment(value: Any) -> str:
    if not value:
        return ""
    t = datetime.fromisoformat(str(value))
    return f"{t.year}年{t.month}月{t.day}日{t.hour}时{t.minute:02d}分"


def _grid(rows: Sequence[Sequence[Any]], widths: Sequence[float], *, spans: Sequence[tuple] = (), label_cols: Sequence[int] = (0,),
          header: bool = False) -> Table:
    table = Table([list(r) for r in rows], colWidths=list(widths), repeatRows=1 if header else 0)
    style = [
        *_cell_font(rows),
        ("GRID", (0, 0), (-1, -1), 0.7, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), 4),
        ("RIGHTPADDING", (0, 0), (-1, -1), 4),
    ]
    covered = {(c, r) for (c0, r0), (c1, r1) in spans for c in range(c0, c1 + 1) for r in range(r0, r1 + 1) if (c, r) != (c0, r0)}
    for col in label_cols:  # a label column's shade, but not over a value cell spanning into it
        style += [("BACKGROUND", (col, r), (col, r), colors.Color(0.95, 0.95, 0.95)) for r in range(len(rows)) if (col, r) not in covered]
    if header:
        style.append(("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)))
    style += [("SPAN", *span) for span in spans]
    table.setStyle(TableStyle(style))
    return table


def _cell_font(rows: Sequence[Sequence[Any]]) -> list[tuple]:
    """The table's own font (for its plain-text cells, e.g. the "" of a spanned cell) set to its paragraphs'
    face and to 10.5 pt: reportlab's default, 10 pt Helvetica, would otherwise be named in the file without
    being embedded, and print below the smallest size."""
    face = next((cell.style.fontName for row in rows for cell in row if isinstance(cell, Paragraph)), None)
    return [("FONT", (0, 0), (-1, -1), face, MIN_SIZE)] if face else []


class Builder:
    """Builds every document of one case file."""

    def __init__(self, data: CaseFileData, styles: Styles):
        self.data = data
        self.s = styles
        self.state = data.state
        # the name documents are made in: the delegating body's under a delegation (行政处罚法第二十条第四款)
        self.agency_name = data.issuer or (data.agency.name if data.agency else "")
        self.current: Step | None = None  # the step the document being built is made from (see steps)

    @property
    def drafting(self) -> bool:
        """Whether the document being built is of the draft step (a record printed before it is recorded)."""
        return bool(self.data.draft) and self.current is not None and self.current.hash == self.data.draft

    # --- helpers ------------------------------------------------------------------------------------------

    def name(self, officer_id: str) -> str:
        officer = self.data.officers.get(officer_id)
        return officer.name if officer else self.data.actor_names.get(officer_id, officer_id)

    def with_certificate(self, officer_id: str, day: date) -> str:
        officer = self.data.officers.get(officer_id)
        if officer is None:
            return officer_id
        cert = officer.certificate_on(day)
        return f"{officer.name}（执法证号：{cert.certificate_no if cert else '无有效证件'}）"

    def head(self, title: str, number: str = "") -> list[Flowable]:
        out: list[Flowable] = [_p(self.agency_name, self.s.agency), _p(title, self.s.title)]
        if number:
            out.append(_p(number, self.s.number))
        else:
            out.append(Spacer(1, 6))
        return out

    def party_rows(self) -> list[list[Any]]:
        c, party = self.s.cell, self.data.party
        if party is None:
            return [[_p("当事人", self.s.label), _p(self.state.party_name, c), "", ""]]
        if party.kind.value == "organisation":
            return [
                [_p("当事人", self.s.label), _p(party.name, c), _p("统一社会信用代码", self.s.label), _p(party.uscc, c)],
                [_p("法定代表人", self.s.label), _p(party.legal_representative, c), _p("联系电话", self.s.label), _p(party.phone, c)],
                [_p("地址", self.s.label), _p(party.address, c), "", ""],
            ]
        return [
            [_p("当事人", self.s.label), _p(party.name, c), _p("身份证件号码", self.s.label), _p(party.id_number, c)],
            [_p("住址", self.s.label), _p(party.address, c), _p("联系电话", self.s.label), _p(party.phone, c)],
        ]

    def party_spans(self, first_row: int) -> list[tuple]:
        party = self.data.party
        if party is None:
            return [((1, first_row), (3, first_row))]
        if party.kind.value == "organisation":
            return [((1, first_row + 2), (3, first_row + 2))]
        return []

    def signed(self, step: Step | None) -> str:
        """The electronic-signature line of a sign-off: the key's fingerprint when its signature holds, the
        reason when it does not, nothing for a record older than personal keys."""
        seal = self.data.sign_offs.get(step.hash) if step is not None else None
        if seal is None or not (seal.fingerprint or seal.problem):
            return ""
        if seal.valid:
            return f"电子签名：{self.name(seal.signer)}，密钥指纹 {seal.fingerprint}（已核验）"
        return f"电子签名无效：{seal.problem}"

    def hand_signed(self, entries, roles: tuple[str, ...], label: str) -> list[Flowable]:
        """Each signature of ``roles`` on its line: the drawn image where one was captured, the scan's evidence
        number, or the refusal with its witness. A record without any (made before signatures were captured)
        says so: nothing says 已签名 without a signature behind it."""
        chosen = [e for e in entries or () if e.get("signer") in roles]
        if not chosen and self.drafting:  # printed to be signed on paper: a line to sign on
            return [Spacer(1, 6), _signature_row(_p(f"{label}：", self.s.sign), Spacer(1, 12 * mm))]
        if not chosen:
            return [_p(f"{label}：（本记录未留存签名）", self.s.sign)]
        out: list[Flowable] = []
        for e in chosen:
            image = _signature_image(e)
            if image is None:
                out.append(_p(describe(e), self.s.sign))
                continue
            who = f"{SIGNER_ZH.get(e.get('signer', ''), '')}签名（{e.get('name', '')}）："  # when: the record's own date below
            out.append(_signature_row(_p(who, self.s.sign), image))
        return out

    def corrections_of(self, step_hash: str) -> list[Flowable]:
        """更正: a record stays as it was signed; each correction recorded after it is printed under it, field
        by field (原为…，更正为…), with its reason, who made it and when, so the reader sees both."""
        corrections = self.state.corrections.get(step_hash) if step_hash else None
        if not corrections:
            return []
        kind = next((s.kind for s in self.state.steps if s.hash == step_hash), "")
        when = {s.hash: s.day for s in self.state.steps}
        out: list[Flowable] = [Spacer(1, 8), _p("更正记录", self.s.heading)]
        for n, c in enumerate(corrections, 1):
            old = c.get("old") or {}
            fields = "；".join(f"{field_label(kind, k)}原为“{shown(old.get(k), k)}”，更正为“{shown(v, k)}”" for k, v in (c.get("changes") or {}).items())
            out.append(_p(f"{n}. {_day(when.get(c.get('event', '')))}，{self.name(str(c.get('by', '')))}更正：{fields}。"
                          f"理由：{_sentence(c.get('reason'))}", self.s.body))
        return out

    def officers_signed(self, entries) -> list[Flowable]:
        """The officers' own signatures on a 笔录, where the record has them or the paper is still to be signed
        (a record made before officers signed prints their names only, as it did)."""
        if self.drafting or any(e.get("signer") == "officer" for e in entries or ()):
            return self.hand_signed(entries, ("officer",), "执法人员签名")
        return []

    def signatures(self, *lines: str) -> list[Flowable]:
        start = Spacer(1, 10)
        start.keep_with_previous = True  # the agency's name and date never stand alone on a page (build_documents)
        out: list[Flowable] = [start]
        for line in lines:
            seal = self.seal() if line.endswith(SEAL_MARK) else None
            out.append(_Sealed(line.removesuffix(SEAL_MARK), self.s.sign, seal) if seal else _p(line, self.s.sign))
        return out

    def seal(self) -> bytes | None:
        """The agency's electronic seal over its name on an issued document: only in a file the agency's key
        signs (the PAdES signature is what makes the image a seal; an image alone proves nothing), never on a
        draft or on paper meant for a stamp."""
        agency = self.data.agency
        if agency is None or not agency.seal_png or self.data.signer is None or self.data.paper_seal or self.drafting:
            return None
        if self.data.issuer and self.data.issuer != agency.name:
            return None  # issued in the delegating body's name: its seal is stamped, the agency's own image is not it
        return agency.seal_image

    def steps(self, *kinds: str) -> Iterator[Step]:
        """The case's steps of ``kinds``, in order. While a document is built inside a loop over them,
        ``current`` is the step of that turn; once the loop is over it is what it was before, so a document
        made from steps read to the end (the filing request with its approval, the payments) has none, and
        one made in a loop that reads other steps too (the decision's approval reading the discussions)
        keeps the step of its own loop. :func:`build_documents` notes it as the document's ``step``."""
        outer = self.current
        try:
            for s in self.state.steps:
                if s.kind in kinds:
                    self.current = s
                    yield s
        finally:
            self.current = outer

    def provisions(self, p: Any) -> list[Flowable]:
        """The provision broken and the penalty provision, each by its name (one text for both in older records)."""
        if not getattr(p, "violation", ""):
            return [_p(p.basis or "—", self.s.body)]
        return [_p(f"违反的规定：{p.violation}", self.s.body), _p(f"处罚依据：{p.basis or '—'}", self.s.body)]

    def proof_of(self, decision: Step, cited: Sequence[str]) -> list[str]:
        """The evidence a decision rests on, as it states it: every 笔录 recorded before it (inspection,
        inquiry, sampling, statement, hearing), then each evidence item it cites."""
        records = RECORD_NAMES
        out = []
        for s in self.state.steps:
            if s.seq >= decision.seq:
                break
            if s.kind in records:
                who = ""
                if s.kind == "record_inquiry":
                    person = s.payload.get("person") or {}
                    who = f"，被询问人{person.get('name', '')}" if isinstance(person, Mapping) and person.get("name") else ""
                out.append(f"{_day(s.day)}{records[s.kind]}{who}")
        evidence = self.evidence_by_sha()
        out += [evidence.get(h, {}).get("description", h[:12]) for h in cited]
        return out

    def evidence_by_sha(self) -> dict[str, dict[str, Any]]:
        return {str(e.get("sha256")): dict(e) for e in self.state.evidence}

    def elements(self, values: Mapping[str, Any] | None) -> list[tuple[str, str]]:
        """The facts elements a record found, (name, what), in the order the benchmark entry declares them; an
        amount as a form writes it (3,600.00元); an element the entry does not declare under the name it was given."""
        if not values:
            return []
        declared = {e.key: e for e in self.data.facts_elements}
        keys = [e.key for e in self.data.facts_elements if e.key in values] + sorted(k for k in values if k not in declared)
        out = []
        for key in keys:
            element, value = declared.get(key), str(values[key])
            if element is not None and element.amount:
                with contextlib.suppress(ValueError):  # not an amount: printed as recorded
                    value = format_yuan(parse_yuan(value))
            out.append((element.name if element is not None else key, value))
        return out

    def facts_with_elements(self, p: Any) -> str:
        """The facts as a decision states them: the sentence, then its elements (品名：…；数量：…)."""
        found = self.elements(p.facts_elements)
        facts = str(p.facts or "").strip()
        if not found:
            return _sentence(facts)
        return facts.rstrip("。；;.") + "（" + "；".join(f"{name}：{value}" for name, value in found) + "）。"

    def named_proof(self, digest: str) -> str:
        """An evidence item or a 笔录 of the case named by its hash, as a document cites it."""
        item = self.evidence_by_sha().get(digest)
        if item is not None:
            return str(item.get("description") or digest[:12])
        step = next((s for s in self.state.steps if s.hash == digest), None)
        if step is None:
            return f"（SHA-256 {digest[:12]}…）"
        return f"{_day(step.day)}{RECORD_NAMES.get(step.kind, title_of(step.kind))}"

    def exemption(self, p: ProposalFields) -> list[str]:
        """The ground of not penalising and the conditions the record established for it, line by line."""
        ground = str(p.no_penalty_ground or "")
        if not ground:
            return []
        lines = [f"不予行政处罚的理由：{NO_PENALTY_GROUND_ZH.get(ground, ground)}（{p.exemption_basis or '—'}）"]
        for label, value in (("违法行为轻微的情形", p.minor), ("初次违法的认定", p.first_violation), ("危害后果", p.harm),
                             ("没有主观过错的事实", p.no_fault), ("改正情况", p.correction)):
            if value:
                lines.append(f"{label}：{value}")
        if p.corrected_on:
            lines.append(f"改正日期：{_day(p.corrected_on)}")
        if p.exemption_evidence:
            lines.append("证据：" + "；".join(self.named_proof(h) for h in p.exemption_evidence))
        return lines

    # --- documents ----------------------------------------------------------------------------------------

    def case_source(self) -> Iterator[Document]:
        for step in self.steps("register_lead"):
            p, c, label = payload_of(step), self.s.cell, self.s.label
            w = BODY_WIDTH
            rows = [
                [_p("案件来源", label), _p(CASE_SOURCE_ZH.get(p.source, p.source), c), _p("登记时间", label), _p(_day(p.received_on), c)],
                *self.party_rows(),
                [_p("案由", label), _p(p.cause, c), "", ""],
                [_p("违法行为发生日期", label), _p(_day(p.act_date), c), _p("承办人员", label),
                 _p("、".join(self.name(h) for h in p.handlers), c)],
                [_p("案源简要情况", label), _p(p.summary, c), "", ""],
            ]
            n = len(self.party_rows())
            spans = [((1, n + 1), (3, n + 1)), ((1, n + 3), (3, n + 3)), *self.party_spans(1)]
            yield Document("case_source", "案件来源登记表", "", step.day,
                           [*self.head("案件来源登记表"), _grid(rows, [0.17 * w, 0.35 * w, 0.18 * w, 0.30 * w], spans=spans, label_cols=(0, 2))])

    def filing_approval(self) -> Iterator[Document]:
        requests = list(self.steps("request_filing"))
        decisions = list(self.steps("approve_filing", "refuse_filing"))
        if not requests:
            return
        req, dec = requests[-1], (decisions[-1] if decisions else None)
        asked, answered = payload_of(req), payload_of(dec) if dec else None
        c, label, w = self.s.cell, self.s.label, BODY_WIDTH
        refused = dec is not None and dec.kind == "refuse_filing"
        title = "不予立案审批表" if refused else "立案审批表"
        handler_lines = "、".join(self.with_certificate(h, req.day) for h in self.state.handlers)
        rows = [
            [_p("案由", label), _p(self.state.cause, c), "", ""],
            *self.party_rows(),
            [_p("简要案情及立案理由", label), _p(f"{asked.facts}\n立案理由：{asked.reason}", c), "", ""],
            [_p("涉嫌违反的法律规定", label), _p(getattr(asked, "violation", "") or "（提请立案时未载明）", c), "", ""],
            [_p("职权来源", label), _p(self.data.powers.get((dec or req).hash, "").removeprefix("职权来源："), c), "", ""],
            [_p("承办人意见", label), _p(f"{asked.opinion or '建议立案调查。'}\n承办人：{handler_lines}\n{_day(req.day)}", c), "", ""],
            [_p("负责人审批意见", label),
             _p(f"{(getattr(answered, 'opinion', '') or getattr(answered, 'reason', '') or ('同意立案' if not refused else '')) if dec else '（待审批）'}\n"
                f"负责人：{self.name(dec.actor) if dec else ''}    {_day(dec.day) if dec else ''}\n{self.signed(dec)}".rstrip(), c), "", ""],
        ]
        n = len(self.party_rows())
        spans = [((1, 0), (3, 0)), *self.party_spans(1), *(((1, n + k), (3, n + k)) for k in range(1, 6))]
        number = self.state.case_no if not refused else ""
        yield Document("filing_approval", title, number, dec.day if dec else req.day,
                       [*self.head(title, f"案号：{number}" if number else ""),
                        _grid(rows, [0.19 * w, 0.33 * w, 0.18 * w, 0.30 * w], spans=spans, label_cols=(0,))])

    def _record_head(self, p: dict[str, Any], day: date, label: str) -> list[list[Any]]:
        c, lab = self.s.cell, self.s.label
        return [
            [_p(f"{label}时间", lab), _p(f"{_moment(p.started_at)} 至 {_moment(p.ended_at)}", c)],
            [_p(f"{label}地点", lab), _p(p.place, c)],
            [_p("执法人员及执法证号", lab), _p("、".join(self.with_certificate(o, day) for o in p.officers), c)],
        ]

    def inspection_record(self) -> Iterator[Document]:
        for n, step in enumerate(self.steps("record_inspection"), 1):
            p, w = payload_of(step), BODY_WIDTH
            rows = [*self._record_head(p, step.day, "检查"),
                    [_p("当事人", self.s.label), _p(self.state.party_name, self.s.cell)],
                    [_p("在场人", self.s.label), _p(p.present or "无", self.s.cell)]]
            body = [
                *self.head("现场笔录"),
                _grid(rows, [0.24 * w, 0.76 * w]),
                Spacer(1, 6),
                _p(f"执法人员{'已' if p.certificates_shown else '未'}向当事人出示执法证件，表明身份，告知当事人依法享有陈述、申辩和申请回避的权利。", self.s.body),
                _p("现场检查情况：", self.s.heading),
                _p(p.findings, self.s.body),
                Spacer(1, 10),
                *self.hand_signed(p.signatures, ("party", "present"), "当事人（在场人）签名"),
                *self.officers_signed(p.signatures),
                *self.signatures(f"执法人员：{'、'.join(self.name(o) for o in p.officers)}", _day(step.day)),
            ]
            yield Document("inspection_record", f"现场笔录（{n}）" if n > 1 else "现场笔录", "", step.day, body)

    def inquiry_record(self) -> Iterator[Document]:
        for n, step in enumerate(self.steps("record_inquiry"), 1):
            p, w, c, lab = payload_of(step), BODY_WIDTH, self.s.cell, self.s.label
            person = p.person or {}
            rows = [*self._record_head(p, step.day, "询问"),
                    [_p("记录人", lab), _p(p.recorder, c)],
                    *self._person_questioned_rows(person)]
            qa = []
            for item in p.qa:
                qa.append(_p(f"问：{item.get('q', '')}", self.s.plain))
                qa.append(_p(f"答：{item.get('a', '')}", self.s.plain))
            body = [
                *self.head("询问笔录"),
                _grid(rows, [0.24 * w, 0.76 * w]),
                Spacer(1, 6),
                _p(f"执法人员{'已' if p.certificates_shown else '未'}出示执法证件；"
                   f"{'已' if p.rights_notified else '未'}告知被询问人依法享有陈述、申辩及申请回避的权利和如实回答询问的义务。", self.s.body),
                Spacer(1, 4),
                *qa,
                Spacer(1, 6),
                _p(f"被询问人确认：{INQUIRY_CONFIRMATION}。" if p.confirmed or self.drafting else "（被询问人未确认笔录）", self.s.body),
                Spacer(1, 10),
                *self.hand_signed(p.signatures, ("interviewee",), "被询问人签名"),
                *self.hand_signed(p.signatures, ("officer",), "询问人签名"),
                *self.signatures(f"记录人：{p.recorder}", _day(step.day)),
            ]
            interviewee = next((e for e in p.signatures if e.get("signer") == "interviewee"), None)
            signer = ("被询问人签名", interviewee) if interviewee is not None or self.drafting else None
            yield Document("inquiry_record", f"询问笔录（{n}）" if n > 1 else "询问笔录", "", step.day, body, page_signer=signer)

    def _person_questioned_rows(self, person: Mapping[str, Any]) -> list[list[Flowable]]:
        """被询问人's particulars, each on its line as the model 询问笔录 asks them; one a record does not give (it was
        made before the form asked for it, or left for the paper) prints blank, to be filled in by hand."""
        c, lab = self.s.cell, self.s.label
        number = str(person.get("id_number", ""))
        id_type = ID_TYPE_ZH.get(str(person.get("id_type") or ("resident_id" if number else "")), str(person.get("id_type", "")))
        age = str(person.get("age", ""))
        gap = "　" * 4
        return [[_p("被询问人", lab), _p(f"{person.get('name', '')}{gap}性别：{SEX_ZH.get(str(person.get('sex', '')), '')}"
                                        f"{gap}年龄：{age + '岁' if age else ''}", c)],
                [_p("身份证件", lab), _p(f"{id_type}{gap}号码：{number}" if number else id_type, c)],
                [_p("住址", lab), _p(str(person.get("address", "")), c)],
                [_p("联系电话", lab), _p(str(person.get("phone", "")), c)],
                [_p("与本案关系", lab), _p(str(person.get("relation", "")), c)]]

    def sampling_record(self) -> Iterator[Document]:
        for step in self.steps("record_sampling"):
            p, w = payload_of(step), BODY_WIDTH
            rows = [*self._record_head(p, step.day, "抽样"), [_p("抽样物品", self.s.label), _p(p.items, self.s.cell)],
                    [_p("抽样数量", self.s.label), _p(p.quantity, self.s.cell)]]
            yield Document("sampling_record", "抽样记录", "", step.day,
                           [*self.head("抽样记录"), _grid(rows, [0.24 * w, 0.76 * w]),
                            *self.hand_signed(p.signatures, ("party", "present"), "当事人（在场人）签名"),
                            *self.officers_signed(p.signatures),
                            *self.signatures(f"执法人员：{'、'.join(self.name(o) for o in p.officers)}", _day(step.day))])

    def preservation_record(self) -> Iterator[Document]:
        """先行登记保存证据通知书及清单 (行政处罚法第五十六条): what was listed, where it is kept, signed by the party
        (or the person present) and both officers; the decision on it is due within seven days."""
        for step in self.steps("record_preservation"):
            p, w = payload_of(step), BODY_WIDTH
            rows = [*self._record_head(p, step.day, "登记保存"), [_p("登记保存的证据", self.s.label), _p(p.items, self.s.cell)],
                    [_p("保存地点", self.s.label), _p(p.kept_at, self.s.cell)]]
            note = ("经本机关负责人批准，对上列证据先行登记保存。在此期间，当事人或者有关人员不得损毁、销毁或者转移证据；"
                    "本机关将在七日内作出处理决定（《中华人民共和国行政处罚法》第五十六条）。")
            yield Document("preservation_record", "先行登记保存证据通知书", "", step.day,
                           [*self.head("先行登记保存证据通知书"), _grid(rows, [0.24 * w, 0.76 * w]), Spacer(1, 6), _p(note, self.s.body),
                            *self.hand_signed(p.signatures, ("party", "present"), "当事人（在场人）签名"),
                            *self.officers_signed(p.signatures),
                            *self.signatures(f"执法人员：{'、'.join(self.name(o) for o in p.officers)}", _day(step.day))])

    def evidence_list(self) -> Iterator[Document]:
        evidence = self.state.evidence
        if not evidence:
            return
        c, lab, w = self.s.cell, self.s.label, BODY_WIDTH
        # every picture prints at page width with its particulars (证据照片, 当事人身份证明): no thumbnail here;
        # the hash: four lines of 16 digits at 10.5 pt
        widths = [0.07 * w, 0.13 * w, 0.32 * w, 0.24 * w, 0.24 * w]
        rows: list[list[Any]] = [[_p(h, lab) for h in ("序号", "证据种类", "证据说明及来源", "收集人、时间、地点", "SHA-256")]]
        last_day = None
        for n, e in enumerate(evidence, 1):
            collected = e.get("collected_at")
            last_day = date.fromisoformat(str(collected)[:10]) if collected else last_day
            proves = f"\n证明对象：{e['proves']}" if e.get("proves") else ""
            printed = {"identity": "\n（见“当事人身份证明”）"}.get(str(e.get("kind")), "\n（见“证据照片”）" if _pictured(e) else "")
            recorded = "、".join(self.named_proof(h) for h in recorded_steps(e))
            printed += f"\n（{recorded}的音像记录）" if recorded else ""
            rows.append([
                _p(n, lab), _p(EVIDENCE_KIND_ZH.get(str(e.get("kind")), e.get("kind")), c),
                _p(f"{e.get('description', '')}{proves}\n来源：{e.get('source', '')}\n文件：{e.get('original_name', '')}（{e.get('size', 0)} 字节）{printed}", c),
                _p(f"{'、'.join(self.name(o) for o in e.get('collected_by', []))}\n{_moment(collected)}\n{e.get('place', '')}", c),
                _p(_split_hash(str(e.get("sha256", "")), 16), self.s.mono),
            ])
        yield Document("evidence_list", "证据材料清单", "", last_day,
                       [*self.head("证据材料清单"), _grid(rows, widths, label_cols=(), header=True),
                        Spacer(1, 6), _p("证据文件原件按 SHA-256 值保存于证据库，可用“enforcement-cli verify”核验未被改动。", self.s.small)])

    def party_identity(self) -> Iterator[Document]:
        """当事人身份证明: the copy of the party's identity card or business licence, as filed among the evidence,
        at a size the text on it reads, with its particulars and whether its number is the party's."""
        c, lab, w = self.s.cell, self.s.label, BODY_WIDTH
        party = self.data.party
        for n, e in enumerate(self.state.evidence, 1):
            if e.get("kind") != "identity":
                continue
            number = str(e.get("identity_no", ""))
            registered = party.identity_no if party is not None else ""
            check = "与登记一致" if number and number == registered else f"与当事人登记的{registered or '（未登记）'}不一致"
            collected = e.get("collected_at")
            rows = [
                [_p("当事人", lab), _p(self.state.party_name, c), _p("证件名称", lab), _p(e.get("identity_document", ""), c)],
                [_p("证件号码", lab), _p(f"{number}（{check}）", c), "", ""],
                [_p("证明对象", lab), _p(e.get("proves") or "当事人的主体资格（身份）", c), "", ""],
                [_p("来源", lab), _p(e.get("source", ""), c), _p("收集人", lab),
                 _p("、".join(self.name(o) for o in e.get("collected_by", [])), c)],
                [_p("收集时间、地点", lab), _p(f"{_moment(collected)}  {e.get('place', '')}", c), "", ""],
                [_p("说明", lab), _p(e.get("description", ""), c), "", ""],
                [_p("电子文件", lab), _p(f"证据材料清单第{n}项  {e.get('original_name', '')}（{e.get('size', 0)} 字节）\n"
                                         f"SHA-256：{e.get('sha256', '')}", self.s.small), "", ""],
            ]
            spans = [((1, i), (3, i)) for i in (1, 2, 4, 5, 6)]
            table = _grid(rows, [0.17 * w, 0.37 * w, 0.13 * w, 0.33 * w], spans=spans, label_cols=(0, 2))
            yield Document("party_identity", "当事人身份证明", "", date.fromisoformat(str(collected)[:10]) if collected else None,
                           [*self.head("当事人身份证明"), table, Spacer(1, 8),
                            self.picture(e, w, 150 * mm)])

    def picture(self, e, width: float, height: float) -> Flowable:
        """An evidence image scaled to fit ``width`` × ``height``, or why it cannot be shown."""
        path = self.data.evidence_files.get(str(e.get("sha256")))
        if path is None or not path.exists():
            return _p("（证据文件不在本机证据库中，未能印出）", self.s.small)
        try:
            return _page_image(path, width, height)
        except Exception:  # noqa: BLE001 - a file named .jpg that is no image (or a decompression bomb): say so
            return _p("（无法显示该图片）", self.s.small)

    def evidence_photos(self) -> Iterator[Document]:
        """证据照片: every picture among the evidence (the identity proof apart) at the width of the page, each
        with its particulars: when, where and by whom it was taken, the witness, what it proves, its number
        in the evidence list and its SHA-256. Particulars a record made before they were asked for lacks print
        as 未记录."""
        c, lab, w = self.s.cell, self.s.label, BODY_WIDTH
        items: list[Flowable] = []
        last = None
        pictured = [(n, e) for n, e in enumerate(self.state.evidence, 1) if _pictured(e) and e.get("kind") != "identity"]
        for k, (n, e) in enumerate(pictured, 1):
            taken, collected = e.get("taken_at"), e.get("collected_at")
            last = taken or collected or last

            def given(value: Any) -> str:
                return str(value) if value else "未记录"

            rows = [
                [_p("拍摄时间", lab), _p(_moment(taken) if taken else "未记录", c), _p("拍摄地点", lab), _p(given(e.get("taken_place")), c)],
                [_p("拍摄人", lab), _p(given(e.get("taken_by")), c), _p("见证人", lab), _p(e.get("witness") or "无", c)],
                [_p("证明对象", lab), _p(given(e.get("proves")), c), "", ""],
                [_p("说明及来源", lab), _p(f"{e.get('description', '')}（{e.get('source', '')}）", c), "", ""],
                [_p("收集人、时间", lab), _p(f"{'、'.join(self.name(o) for o in e.get('collected_by', []))}  {_moment(collected)}", c), "", ""],
                [_p("电子文件", lab), _p(f"证据材料清单第{n}项  {e.get('original_name', '')}\nSHA-256：{e.get('sha256', '')}", self.s.small), "", ""],
            ]
            spans = [((1, i), (3, i)) for i in range(2, 6)]
            block = [_p(f"照片{k}：{e.get('description', '')}", self.s.heading), self.picture(e, w, 118 * mm), Spacer(1, 4),
                     _grid(rows, [0.17 * w, 0.33 * w, 0.15 * w, 0.35 * w], spans=spans, label_cols=(0, 2)), Spacer(1, 10)]
            items.append(KeepTogether(block))
        if not items:
            return
        day = date.fromisoformat(str(last)[:10]) if last else None
        yield Document("evidence_photos", "证据照片", "", day, [*self.head(f"证据照片（共{len(items)}张）"), *items])

    def approval_form(self) -> Iterator[Document]:
        decided = {payload_of(s).request: s for s in self.steps("decide_approval")}
        for step in self.steps("request_approval"):
            p, c, lab, w = payload_of(step), self.s.cell, self.s.label, BODY_WIDTH
            dec = decided.get(step.hash)
            answer = payload_of(dec) if dec else None
            detail = ""
            if p.days:
                detail = f"（{p.days}日）"
            if p.items:
                detail = f"（物品：{p.items}）"
            if p.plan:
                detail = f"（方案：{p.plan}）"
            rows = [
                [_p("案号", lab), _p(self.state.case_no, c)],
                [_p("审批事项", lab), _p(APPROVAL_MATTER_ZH.get(str(p.matter), p.matter) + detail, c)],
                [_p("提请理由", lab), _p(f"{p.reason}\n承办人：{self.name(step.actor)}    {_day(step.day)}", c)],
                [_p("负责人审批意见", lab),
                 _p(f"{('同意' if answer.approved else '不同意') if answer else '（待审批）'}。{answer.opinion if answer else ''}\n"
                    f"负责人：{self.name(dec.actor) if dec else ''}    {_day(dec.day) if dec else ''}\n{self.signed(dec)}".rstrip(), c)],
            ]
            yield Document("approval_form", "有关事项审批表", "", dec.day if dec else step.day,
                           [*self.head("有关事项审批表"), _grid(rows, [0.22 * w, 0.78 * w])])

    def investigation_report(self) -> Iterator[Document]:
        for step in self.steps("submit_investigation_report"):
            p = payload_of(step)
            sections: list[tuple[str, list[Flowable]]] = [
                ("违法事实及证据", [_p(_sentence(p.facts), self.s.body), *self.elements_grid(p.facts_elements)]),
                ("法律依据", self.provisions(p)),
                ("处理意见", [_p(_proposal_text(p), self.s.body)]),
            ]
            if p.outcome == Outcome.NO_PENALTY.value and p.no_penalty_ground:
                sections.append(("不予行政处罚的理由", [_p(line, self.s.body) for line in self.exemption(p)]))
            sections.append(("裁量基准适用情况", self.discretion(p)))
            if p.opinion:
                sections.append(("承办人意见", [_p(p.opinion, self.s.body)]))
            body = [*self.head("案件调查终结报告"),
                    _p(f"案号：{self.state.case_no}    当事人：{self.state.party_name}    案由：{self.state.cause}", self.s.plain)]
            for n, (heading, flowables) in enumerate(sections, 1):
                body += [_p(f"{from_int(n)}、{heading}", self.s.heading), *flowables]
            body += self.signatures(f"承办人：{'、'.join(self.with_certificate(h, step.day) for h in self.state.handlers)}", _day(step.day))
            yield Document("investigation_report", "案件调查终结报告", "", step.day, body)

    def elements_grid(self, values: Mapping[str, Any] | None) -> list[Flowable]:
        """The facts elements as a table under the facts (违法事实要素)."""
        found = self.elements(values)
        if not found:
            return []
        w = BODY_WIDTH
        rows = [[_p(name, self.s.label), _p(value, self.s.cell)] for name, value in found]
        return [Spacer(1, 4), _p("违法事实要素：", self.s.plain), _grid(rows, [0.24 * w, 0.76 * w]), Spacer(1, 4)]

    def discretion(self, p: ProposalFields) -> list[Flowable]:
        out = [_p(p.discretion or "—", self.s.body)]
        bench = p.benchmark
        if bench:
            low, high = bench.get("statutory_range_fen") or (0, 0)
            rec = bench.get("recommended_range_fen")
            entry = f"“{bench['cause']}”" if bench.get("cause") else f" {bench.get('entry', '')}"  # recorded before the cause was kept
            out.append(_p(f"裁量基准：{bench.get('set_title') or bench.get('set', '')}，条目{entry}"
                          f"（{bench.get('penalty_basis', '')}）；法定幅度 {format_range(low, high)}；"
                          f"建议阶次 {_grade_zh(bench.get('grade'))}"
                          f"{'，建议幅度 ' + format_range(rec[0], rec[1]) if rec else ''}。", self.s.body))
            for line in bench.get("messages", []):
                out.append(_p(line, self.s.body))
        if p.deviation_reason:
            out.append(_p(f"偏离裁量基准的理由：{p.deviation_reason}", self.s.body))
        return out

    def legal_review(self) -> Iterator[Document]:
        reviews = iter(list(self.steps("record_legal_review")))
        for n, round_ in enumerate(self.state.review_rounds, 1):
            sub = round_.get("submission", {})
            review = round_.get("review")
            c, lab, w = self.s.cell, self.s.label, BODY_WIDTH
            materials = sub.get("materials") or {}
            rows = [
                [_p("送审日期", lab), _p(_day(sub.get("on")), c), _p("审核次数", lab), _p(f"第{n}次", c)],
                [_p("重大执法决定情形", lab), _p("；".join(sub.get("major_reasons", [])) or "—", c), "", ""],
                [_p("案件情况说明", lab), _p(sub.get("summary"), c), "", ""],
                [_p("处理决定代拟稿", lab), _p(sub.get("draft_decision"), c), "", ""],
            ]
            if materials.get("officers"):
                rows.append([_p("执法人员及证号", lab),
                             _p("、".join(f"{o.get('name')}（{o.get('certificate_no') or '无有效证件'}）" for o in materials["officers"]), c), "", ""])
            if materials.get("hearing"):
                rows.append([_p("听证笔录摘要", lab), _p(materials["hearing"].get("transcript"), c), "", ""])
            if sub.get("corrections_made"):
                rows.append([_p("补正情况", lab), _p(sub.get("corrections_made"), c), "", ""])
            spans = [((1, i), (3, i)) for i in range(1, len(rows))]
            body: list[Flowable] = [*self.head("法制审核意见书"), _grid(rows, [0.22 * w, 0.3 * w, 0.16 * w, 0.32 * w], spans=spans, label_cols=(0,)),
                                    Spacer(1, 8)]
            if review:
                checklist = review.get("checklist", {})
                items = [[_p(h, lab) for h in ("审核要点", "结论", "意见")]]
                for key, zh in REVIEW_CHECKLIST_ZH.items():
                    entry = checklist.get(key, {})
                    items.append([_p(zh, c), _p({"pass": "符合", "issue": "存在问题"}.get(entry.get("finding"), "—"), lab),
                                  _p(entry.get("comment") or "", c)])
                body += [_grid(items, [0.36 * w, 0.14 * w, 0.5 * w], label_cols=(), header=True), Spacer(1, 8),
                         _p(f"审核结论：{REVIEW_OUTCOME_ZH.get(str(review.get('outcome')), review.get('outcome'))}", self.s.plain),
                         _p(f"审核意见：{review.get('opinion', '')}", self.s.plain)]
                if review.get("corrections"):
                    body.append(_p(f"需补正的事项：{review.get('corrections')}", self.s.plain))
                body += self.signatures(f"法制审核人员：{self.name(str(review.get('reviewer', '')))}", _day(review.get("on")),
                                        *filter(None, [self.signed(next(reviews, None))]))
            else:
                body.append(_p("（审核中）", self.s.plain))
            yield Document("legal_review", f"法制审核意见书（第{n}次）" if len(self.state.review_rounds) > 1 else "法制审核意见书", "",
                           date.fromisoformat(str((review or sub).get("on"))[:10]) if (review or sub).get("on") else None, body)

    def collective_discussion(self) -> Iterator[Document]:
        for step in self.steps("record_collective_discussion"):
            p, c, lab, w = payload_of(step), self.s.cell, self.s.label, BODY_WIDTH
            rows = [[_p("案号", lab), _p(self.state.case_no, c)], [_p("讨论时间", lab), _p(_day(step.day), c)],
                    [_p("参加人员", lab), _p("、".join(self.name(x) for x in p.participants), c)],
                    [_p("讨论意见", lab), _p(p.opinions, c)], [_p("讨论结论", lab), _p(p.conclusion, c)]]
            yield Document("collective_discussion", "重大案件集体讨论记录", "", step.day,
                           [*self.head("重大案件集体讨论记录"), _grid(rows, [0.2 * w, 0.8 * w]),
                            *self.signatures(f"参加人员签名：{'、'.join(self.name(x) for x in p.participants)}",
                                             f"记录人：{self.name(step.actor)}    {_day(step.day)}", *filter(None, [self.signed(step)]))])

    def prior_notice(self) -> Iterator[Document]:
        for step in self.steps("issue_prior_notice"):
            p = payload_of(step)
            rights = (f"根据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你（单位）有权进行陈述和申辩。"
                      f"请在收到本告知书之日起{(p.statement_days or 5)}个工作日内提出陈述、申辩意见，逾期视为放弃。")
            if p.hearing_right:
                rights += "根据该法第六十三条、第六十四条的规定，你（单位）有权要求举行听证，请在收到本告知书之日起五个工作日内提出，逾期视为放弃。"
            body = [*self.head("行政处罚告知书", p.document_no),
                    _p(f"{self.state.party_name}：", self.s.plain),
                    _p(f"经查，{p.facts}。", self.s.body),
                    _p(f"以上事实违反了{_violated(p)}的规定。依据{p.basis}，本机关拟对你（单位）作出如下行政处罚：{_proposal_text(p)}。", self.s.body),
                    _p(rights, self.s.body),
                    *self.signatures(self.agency_name + "（印章）", _day(step.day))]
            yield Document("prior_notice", "行政处罚告知书", p.document_no, step.day, body)

    def statement_record(self) -> Iterator[Document]:
        """陈述申辩笔录: each statement and defence (an oral one signed by the party), and a written waiver."""
        for step in self.steps("record_statement", "waive_rights"):
            p = payload_of(step)
            if step.kind == "record_statement":
                body: list[Flowable] = [*self.head("陈述申辩笔录")]
                if p.form == "oral" and p.started_at:  # the 笔录's head, as on the model form
                    c, lab, w = self.s.cell, self.s.label, BODY_WIDTH
                    rows = [
                        [_p("时间", lab), _p(f"{_moment(p.started_at)} 至 {_moment(p.ended_at)}", c), "", ""],
                        [_p("地点", lab), _p(p.place, c), "", ""],
                        [_p("陈述申辩人", lab), _p(p.by, c), _p("案号", lab), _p(self.state.case_no, c)],
                        [_p("执法人员", lab), _p("、".join(self.with_certificate(o, step.day) for o in p.officers), c), "", ""],
                        [_p("记录人", lab), _p(p.recorder, c), "", ""],
                    ]
                    body += [_grid(rows, [0.16 * w, 0.42 * w, 0.12 * w, 0.30 * w], spans=[((1, i), (3, i)) for i in (0, 1, 3, 4)],
                                   label_cols=(0, 2)), Spacer(1, 6)]
                body += [_p(f"{_day(step.day)}，{p.by}以{'书面' if p.form == 'written' else '口头'}方式提出陈述、申辩：", self.s.heading),
                         _p(p.content, self.s.body)]
                if p.form == "oral":
                    body += [Spacer(1, 10), *self.hand_signed(p.signatures, ("party",), "陈述申辩人签名")]
                    if p.started_at or self.drafting or any(e.get("signer") == "officer" for e in p.signatures):
                        body += self.hand_signed(p.signatures, ("officer",), "执法人员签名")
                else:
                    body.append(_p("（当事人提交的书面陈述申辩材料附后）", self.s.plain))
            else:
                body = [*self.head("陈述申辩笔录"),
                        _p(f"{_day(step.day)}，当事人书面表示放弃陈述、申辩和听证的权利：{p.statement}", self.s.body)]
            body += self.signatures(f"承办人：{'、'.join(self.name(h) for h in self.state.handlers)}", _day(step.day))
            yield Document("statement_record", "陈述申辩笔录", "", step.day, body)

    def reexamination(self) -> Iterator[Document]:
        """复核意见 (行政处罚法第四十五条): the handlers' review of what the party said, adopted or not, and why."""
        for step in self.steps("record_reexamination"):
            p = payload_of(step)
            body = [*self.head("陈述申辩复核意见书"),
                    _p(f"案号：{self.state.case_no}    当事人：{self.state.party_name}", self.s.plain),
                    _p(f"复核结论：{'采纳' if p.adopted else '不予采纳'}当事人的陈述、申辩意见。", self.s.heading),
                    _p(p.conclusion, self.s.body),
                    *self.signatures(f"复核人：{self.name(step.actor)}", _day(step.day))]
            yield Document("reexamination", "陈述申辩复核意见书", "", step.day, body)

    def hearing_notice(self) -> Iterator[Document]:
        for step in self.steps("give_hearing_notice"):
            p = payload_of(step)
            body = [*self.head("听证通知书", p.document_no), _p(f"{self.state.party_name}：", self.s.plain),
                    _p(f"根据你（单位）的申请，本机关定于{_day(p.hearing_on)}在{p.place}"
                       f"{'公开' if p.public else '不公开'}举行听证，听证主持人：{self.name(str(p.chair))}。"
                       "你（单位）可以亲自参加听证，也可以委托一至二人代理；无正当理由拒不出席或者未经许可中途退出的，视为放弃听证权利。", self.s.body),
                    *self.signatures(self.agency_name + "（印章）", _day(step.day))]
            yield Document("hearing_notice", "听证通知书", p.document_no, step.day, body)

    def hearing_transcript(self) -> Iterator[Document]:
        for step in self.steps("hold_hearing", "record_hearing_absence"):
            p = payload_of(step)
            if step.kind == "hold_hearing":
                body = [*self.head("听证笔录"),
                        _p(f"听证时间：{_day(p.on)}    主持人：{self.name(str(p.chair))}    "
                           f"{'公开' if p.public else '不公开'}举行    委托代理人：{'、'.join(p.agents) or '无'}", self.s.plain),
                        Spacer(1, 4), _p(p.transcript, self.s.body),
                        Spacer(1, 10), *self.hand_signed(p.signatures, ("party",), "当事人签名"),
                        *self.signatures(f"主持人：{self.name(str(p.chair))}")]
            else:
                body = [*self.head("听证笔录"),
                        _p(f"{_day(p.on)}，当事人{'无正当理由拒不出席听证' if p.kind == 'absent_without_reason' else '未经许可中途退出听证'}，"
                           f"视为放弃听证权利（行政处罚法第六十五条）。{p.details}", self.s.body)]
            yield Document("hearing_transcript", "听证笔录", "", step.day, body)

    def hearing_report(self) -> Iterator[Document]:
        for step in self.steps("record_hearing_report"):
            p = payload_of(step)
            yield Document("hearing_report", "听证报告", "", step.day,
                           [*self.head("听证报告"), _p(p.content, self.s.body), _p("处理意见：", self.s.heading),
                            _p(p.recommendation, self.s.body), *self.signatures(f"听证主持人：{self.name(step.actor)}", _day(step.day))])

    def decision_approval(self) -> Iterator[Document]:
        """行政处罚决定审批表: what the head decided on, and their signed approval."""
        for step in self.steps("make_decision"):
            p, c, lab, w = payload_of(step), self.s.cell, self.s.label, BODY_WIDTH
            review = self.state.review
            discussed = list(self.steps("record_collective_discussion"))
            decided = (_proposal_text(p) if p.outcome == Outcome.PENALTY.value else
                       {"no_penalty": "不予行政处罚", "dismissal": "撤销案件", "transfer": "移送司法机关"}.get(str(p.outcome), ""))
            rows = [
                [_p("案号", lab), _p(self.state.case_no, c)],
                [_p("当事人", lab), _p(p.party_name or self.state.party_name, c)],
                [_p("违法事实", lab), _p(self.facts_with_elements(p), c)],
                [_p("违反的规定", lab), _p(_violated(p), c)],
                [_p("处罚依据", lab), _p(p.basis, c)],
                [_p("处理决定", lab), _p(decided, c)],
                *([[_p("不予处罚的理由", lab), _p("\n".join(self.exemption(p)), c)]] if p.no_penalty_ground else []),
                [_p("法制审核", lab), _p(REVIEW_OUTCOME_ZH.get(str(review.get("outcome")), "") if review else "未经法制审核", c)],
                [_p("集体讨论", lab), _p(payload_of(discussed[-1]).conclusion if discussed else "未经集体讨论", c)],
                [_p("负责人审批意见", lab),
                 _p(f"同意，作出上述决定。\n负责人：{self.name(step.actor)}    {_day(step.day)}\n{self.signed(step)}".rstrip(), c)],
            ]
            yield Document("decision_approval", "行政处罚决定审批表", "", step.day,
                           [*self.head("行政处罚决定审批表"), _grid(rows, [0.2 * w, 0.8 * w])])

    def decision(self) -> Iterator[Document]:
        for step in self.steps("make_decision"):
            p = payload_of(step)
            title = DECISION_TITLE_ZH.get(p.outcome or "penalty", "行政处罚决定书")
            if p.outcome == Outcome.NO_PENALTY.value:
                yield Document("decision", title, p.document_no, step.day, self.no_penalty_decision(step, p))
                continue
            if p.outcome == Outcome.TRANSFER.value:
                yield Document("decision", title, p.document_no, step.day, self.transfer_letter(step, p))
                continue
            who = self.party_lines(p)
            cited = self.proof_of(step, p.evidence)
            body: list[Flowable] = [*self.head(title, p.document_no), *(_p(line, self.s.plain) for line in who), Spacer(1, 6)]
            if self.state.filed_on:
                body.append(_p(f"当事人{p.party_name or self.state.party_name}涉嫌{self.state.cause}一案，本机关于{_day(self.state.filed_on)}"
                               "立案调查，现已调查终结。", self.s.body))
            body.append(_p(f"经查，{self.facts_with_elements(p)}", self.s.body))
            if cited:
                body.append(_p("上述事实有以下证据证明：" + "；".join(f"{n}. {c}" for n, c in enumerate(cited, 1)) + "。", self.s.body))
            if p.outcome == Outcome.PENALTY.value:
                body += [_p(line, self.s.body) for line in self.hearing_of_the_party(step)]
            if p.reasons:
                body.append(_p(_sentence(p.reasons), self.s.body))
            if p.outcome == Outcome.PENALTY.value:
                body += [_p(f"本机关认为，当事人的上述行为违反了{_violated(p)}的规定。{p.discretion}", self.s.body),
                         _p(f"依据{p.basis}，本机关决定：{_proposal_text(p, in_words=True)}。", self.s.body)]
                if p.measures or p.orders:
                    ordered = "、".join(m.removeprefix("责令") for m in p.measures) or "改正"
                    body.append(_p(f"依据{p.basis}和《中华人民共和国行政处罚法》第二十八条第一款，责令当事人{ordered}"
                                   + (f"：{_sentence(p.orders)}" if p.orders else "。"), self.s.body))
                body.append(_p(p.compliance, self.s.body))
            elif p.basis:
                body.append(_p(f"依据{p.basis}，本机关决定：{ {'dismissal': '撤销案件', 'transfer': '将本案移送司法机关'}.get(str(p.outcome), '')}。", self.s.body))
            if step.hash in self.data.powers:
                body.append(_p(self.data.powers[step.hash], self.s.body))
            if p.remedies:
                body.append(_p(p.remedies, self.s.body))
            body += self.signatures(f"{p.agency_name or self.agency_name}（印章）", _day(step.day))
            yield Document("decision", title, p.document_no, step.day, body)
        for step in self.steps("record_simple_decision"):
            p = payload_of(step)
            body = [*self.head("当场行政处罚决定书", p.form_no),
                    _p(f"当事人：{self.state.party_name}", self.s.plain),
                    _p(f"违法事实：{p.facts}（{_moment(p.at)}，{p.place}）", self.s.body),
                    _p(f"处罚依据：{p.basis}", self.s.body),
                    *([_p(self.data.powers[step.hash], self.s.body)] if step.hash in self.data.powers else []),
                    _p(f"处罚决定：{_penalty_text(Outcome.PENALTY.value, p.penalty_kinds, p.fine_fen, 0, in_words=True)}", self.s.body),
                    _p(f"履行方式和期限：{p.compliance}", self.s.body),
                    _p(p.remedies, self.s.body),
                    Spacer(1, 10), *self.hand_signed(p.signatures, ("party",), "当事人签收"),
                    *self.signatures(f"执法人员：{'、'.join(self.with_certificate(o, step.day) for o in p.officers)}",
                                     self.agency_name, _day(step.day))]
            yield Document("decision", "当场行政处罚决定书", p.form_no, step.day, body)

    def transfer_letter(self, step: Step, p: Decision) -> list[Flowable]:
        """涉嫌犯罪案件移送书: addressed to the organ that takes the case (行政处罚法第二十七条第一款; 《行政执法机关移送涉嫌
        犯罪案件的规定》第三条, 第八条 for what goes with it). A letter between authorities: no routes of review."""
        body: list[Flowable] = [*self.head("涉嫌犯罪案件移送书", p.document_no), _p(f"{p.transfer_to or '公安机关'}：", self.s.plain), Spacer(1, 4)]
        filed = f"，本机关于{_day(self.state.filed_on)}立案调查" if self.state.filed_on else ""
        body.append(_p(f"当事人{p.party_name or self.state.party_name}涉嫌{self.state.cause}一案{filed}。经查，{_sentence(p.facts)}", self.s.body))
        cited = self.proof_of(step, p.evidence)
        if cited:
            body.append(_p("上述事实有以下证据证明：" + "；".join(f"{n}. {c}" for n, c in enumerate(cited, 1)) + "。", self.s.body))
        why = f"：{_sentence(p.reasons).rstrip('。')}" if p.reasons else ""
        body.append(_p(f"本机关认为，当事人的上述行为涉嫌犯罪{why}。根据《中华人民共和国行政处罚法》第二十七条第一款和《行政执法机关移送涉嫌犯罪"
                       "案件的规定》第三条的规定，现将该案移送你单位，请依法审查，并将处理结果书面告知本机关。", self.s.body))
        body.append(_p("附件：1. 涉嫌犯罪案件情况的调查报告；2. 涉案物品清单；3. 有关检验报告或者鉴定意见；4. 其他有关涉嫌犯罪的材料。", self.s.body))
        if step.hash in self.data.powers:
            body.append(_p(self.data.powers[step.hash], self.s.body))
        body += self.signatures(f"{p.agency_name or self.agency_name}（印章）", _day(step.day))
        return body

    def party_lines(self, p: Decision) -> list[str]:
        """当事人 and their particulars in the model form's order: an organisation's 统一社会信用代码, 住所 and
        法定代表人（负责人）; a person's 身份证件号码 and 住址; the telephone where it is known."""
        party = self.data.party
        who = [f"当事人：{p.party_name or self.state.party_name}"]
        address = p.party_address or (party.address if party else "")
        if party is not None and party.kind.value == "organisation":
            who += [f"统一社会信用代码：{party.uscc}", f"住所：{address}", f"法定代表人（负责人）：{party.legal_representative}"]
        else:
            who += [*([f"身份证件号码：{party.id_number}"] if party is not None else []), f"住址：{address}"]
        if party is not None and party.phone:
            who.append(f"联系电话：{party.phone}")
        return who

    def hearing_of_the_party(self, decision: Step) -> list[str]:
        """How the party was heard before the decision (行政处罚法第四十四条、第四十五条、第六十四条): the prior
        notice served and the rights it stated, what the party said (or that they said nothing, or waived), the
        hearing, and what the re-examination made of it."""
        before = [s for s in self.state.steps if s.seq < decision.seq]
        notices = [s for s in before if s.kind == "issue_prior_notice"]
        if not notices:
            return []
        notice = notices[-1]
        n = payload_of(notice)
        served = next((s for s in before if s.kind == "serve_document" and s.seq > notice.seq and s.payload.get("document") == "prior_notice"), None)
        rights = "陈述、申辩" + ("和要求听证" if n.hearing_right else "")
        number = f"（{n.document_no}）" if n.document_no else ""
        lines = [f"本机关于{_day(served.day if served else notice.day)}向当事人送达了《行政处罚告知书》{number}，告知当事人拟作出行政处罚的"
                 f"内容及事实、理由、依据，并告知当事人依法享有{rights}的权利。"]
        after = [s for s in before if s.seq > notice.seq]
        said = [payload_of(s) for s in after if s.kind == "record_statement"]
        held = [payload_of(s) for s in after if s.kind == "hold_hearing"]
        if said:
            lines.append("当事人在法定期限内提出了陈述、申辩：" + "；".join(_sentence(x.content).rstrip("。") for x in said) + "。")
        elif any(s.kind == "waive_rights" for s in after):
            lines.append("当事人书面表示放弃陈述、申辩的权利。")
        elif not held:
            lines.append("当事人在法定期限内未提出陈述、申辩。")
        if held:
            lines.append(f"本机关于{_day(held[-1].on)}依法举行了听证。")
        checked = [payload_of(s) for s in after if s.kind == "record_reexamination"]
        if checked:
            lines.append(f"经复核，{_sentence(checked[-1].conclusion)}")
        return lines

    def no_penalty_decision(self, step: Step, p: Decision) -> list[Flowable]:
        """不予行政处罚决定书, after the model form: the party; the case filed and investigated; the facts with their
        elements and evidence; the provision broken and the one that would punish it; why no penalty is given,
        under which paragraph of 行政处罚法第三十三条, with the conditions the record established (what was minor,
        the harm, when and how it was corrected, and the evidence of it); the decision not to penalise; the
        order to correct (Art. 28); the education given (Art. 33 ¶3: what, when, how); the routes of review."""
        body: list[Flowable] = [*self.head("不予行政处罚决定书", p.document_no), *(_p(line, self.s.plain) for line in self.party_lines(p)),
                                Spacer(1, 6)]
        if self.state.filed_on:
            body.append(_p(f"当事人{p.party_name or self.state.party_name}涉嫌{self.state.cause}一案，本机关于{_day(self.state.filed_on)}"
                           "立案调查，现已调查终结。", self.s.body))
        body.append(_p(f"经查，{self.facts_with_elements(p)}", self.s.body))
        cited = self.proof_of(step, p.evidence)
        if cited:
            body.append(_p("上述事实有以下证据证明：" + "；".join(f"{n}. {c}" for n, c in enumerate(cited, 1)) + "。", self.s.body))
        if p.reasons:
            body.append(_p(_sentence(p.reasons), self.s.body))
        broken = f"本机关认为，当事人的上述行为违反了{_violated(p)}的规定" if (p.violation or p.basis) else "本机关认为"
        punished = f"，依据{p.basis}应当给予行政处罚" if p.violation and p.basis else ""
        ground = str(p.no_penalty_ground or "")
        if ground:
            because = _exemption_sentence(ground, p, [self.named_proof(h) for h in p.exemption_evidence])
            body.append(_p(f"{broken}{punished}。鉴于{because}，根据{p.exemption_basis}的规定，本机关决定：不予行政处罚。", self.s.body))
        else:  # a record made before the ground was recorded: its basis as it stood
            body.append(_p(f"{broken}{punished}。依据{p.basis or '—'}，本机关决定：不予行政处罚。", self.s.body))
        if p.measures or p.orders:
            ordered = "、".join(m.removeprefix("责令") for m in p.measures) or "改正"
            body.append(_p("依据《中华人民共和国行政处罚法》第二十八条第一款，责令当事人" + ordered
                           + (f"：{_sentence(p.orders)}" if p.orders else "。"), self.s.body))
        if p.education:
            when = f"于{_day(p.educated_on)}" if p.educated_on else ""
            how = f"以{p.education_form.rstrip('。')}的方式" if p.education_form else ""
            body.append(_p(f"根据《中华人民共和国行政处罚法》第三十三条第三款，本机关已{when}{how}对当事人进行了教育：{_sentence(p.education)}",
                           self.s.body))
        if step.hash in self.data.powers:
            body.append(_p(self.data.powers[step.hash], self.s.body))
        if p.remedies:
            body.append(_p(p.remedies, self.s.body))
        body += self.signatures(f"{p.agency_name or self.agency_name}（印章）", _day(step.day))
        return body

    def service_receipt(self) -> Iterator[Document]:
        """送达回证: the document and its number, the recipient, when, where and how it was served, the
        recipient's signature and the day they wrote on it (or, left at the address, the refusal with its
        witness), and both 送达人 each on a line with their signature. A receipt recorded before the 送达人 were
        named prints the officer who recorded it as the one 送达人."""
        issued = {k: v for k, v in self.state.documents_issued.items()}
        for step in self.steps("serve_document"):
            p, c, lab, w = payload_of(step), self.s.cell, self.s.label, BODY_WIDTH
            doc = str(p.document)
            servers = list(p.officers) or [step.actor]
            entries = list(p.signatures or ())
            served = served_document_zh(doc, issued.get(doc))
            rows = [
                [_p("送达文书名称及文号", lab), _p(f"{served}  {issued.get(doc, {}).get('document_no', '')}", c)],
                [_p("受送达人", lab), _p(p.recipient, c)],
                [_p("送达时间", lab), _p(_day(step.day), c)],
                [_p("送达地点", lab), _p(p.address or (self.data.party.address if self.data.party else ""), c)],
                [_p("送达方式", lab), _p(SERVICE_METHOD_ZH.get(str(p.method), p.method), c)],
                [_p("受送达人签名或盖章", lab), _receipt_cell(entries, c, p.received_on, bool(p.receipt_signed), w * 0.72 - 8)],
                [_p("见证人", lab), self._witness_cell(p, entries)],
                [_p("送达人", lab), self._servers_cell(servers, entries, step.day, w * 0.72 - 8)],
                [_p("备注", lab), _p(SERVICE_NOTES.get(str(p.method), ""), c)],
            ]
            # a receipt has a number of its own only where the agency's policy numbers receipts
            yield Document("service_receipt", f"送达回证（{served}）", p.document_no, step.day,
                           [*self.head("送达回证", p.document_no), _grid(rows, [0.28 * w, 0.72 * w])])

    def _witness_cell(self, p, entries) -> Flowable:
        refusal = next((e for e in entries if e.get("signer") == "recipient" and e.get("how") == "refused"), None)
        lines = [p.witness] if p.witness else []
        if refusal is not None and refusal.get("witness") and refusal.get("witness") != p.witness:
            lines.append(str(refusal["witness"]))
        signed = [e for e in entries if e.get("signer") == "witness"]
        if not signed:
            return _p("\n".join(lines), self.s.cell)
        return _signature_lines([(f"{e.get('name', '')}：", e) for e in signed], self.s.cell)

    def _servers_cell(self, servers: Sequence[str], entries, day: date, width: float) -> Flowable:
        """Each 送达人 with their certificate number and, beside it, their signature from the receipt."""
        signed = {str(e.get("name")): e for e in entries if e.get("signer") == "officer"}
        return _signature_lines([(self.with_certificate(o, day).replace("（", "\n（", 1), signed.get(self.name(o))) for o in servers],
                                self.s.cell, width)

    def reminder(self) -> Iterator[Document]:
        """催告书 (行政强制法第三十五条): the amount, the surcharge, by when and how to pay, the right to be heard."""
        for step in self.steps("issue_reminder"):
            p = step.payload
            decision = self.state.decision or {}
            fine, surcharge, total = int(p.get("fine_fen", 0)), int(p.get("surcharge_fen", 0)), int(p.get("outstanding_fen", 0))
            days = int(p.get("within_days", 10))
            body = [*self.head("催告书", str(p.get("document_no", ""))),
                    _p(f"{self.state.party_name}：", self.s.plain),
                    _p(f"本机关于{_day(self.state.decided_on)}作出《行政处罚决定书》（{decision.get('document_no', '')}），"
                       f"决定对你（单位）罚款{_amount(fine, True)}，缴款期限已于{_day(p.get('payment_due'))}届满，你（单位）至今未履行。", self.s.body),
                    _p(f"根据《中华人民共和国行政处罚法》第七十二条第一款第（一）项，到期不缴纳罚款的，每日按罚款数额的百分之三加处罚款，"
                       f"加处罚款的数额不得超出罚款的数额；截至{_day(step.day)}，加处罚款{_amount(surcharge, True)}。", self.s.body),
                    _p(f"根据《中华人民共和国行政强制法》第三十五条、第五十四条，现催告你（单位）自收到本催告书之日起{from_int(days)}日内，"
                       f"到指定银行或者通过电子支付系统缴纳罚款及加处罚款，合计{_amount(total, True)}。逾期仍不履行的，本机关将依法申请人民法院强制执行。", self.s.body),
                    _p("你（单位）有权进行陈述和申辩；本机关将充分听取你（单位）的意见，对提出的事实、理由和证据进行记录、复核，"
                       "事实、理由或者证据成立的，予以采纳（行政强制法第三十六条）。", self.s.body),
                    *self.signatures(f"{self.agency_name}（印章）", _day(step.day))]
            yield Document("reminder", "催告书", str(p.get("document_no", "")), step.day, body)

    def payment_record(self) -> Iterator[Document]:
        payments = list(self.steps("record_payment", "apply_court_enforcement"))
        if not payments:
            return
        c, lab, w = self.s.cell, self.s.label, BODY_WIDTH
        rows = [[_p(h, lab) for h in ("缴款日期", "金额", "方式", "凭证号")]]
        described = {str(e.get("sha256")): str(e.get("description", "")) for e in self.state.evidence}
        scans = []
        for step in payments:
            p = payload_of(step)
            if step.kind == "record_payment":
                rows.append([_p(_day(step.day), c), _p(format_yuan(int(p.amount_fen)), c),
                             _p(PAYMENT_CHANNEL_ZH.get(str(p.channel), p.channel), c), _p(p.receipt_no, c)])
                scans += [f"凭证{p.receipt_no}的照片或扫描件见证据“{described.get(sha, '')}”（{sha[:12]}…）" for sha in p.receipt_files]
            else:
                rows.append([_p(_day(step.day), c), _p("申请强制执行", c), _p(p.court, c), _p("", c)])
        body = [*self.head("罚没款缴纳凭证"), _grid(rows, [0.25 * w, 0.25 * w, 0.25 * w, 0.25 * w], label_cols=(), header=True),
                Spacer(1, 6), _p(f"应缴 {format_yuan(self.state.amount_due_fen)}，已缴 {format_yuan(self.state.paid_fen)}。", self.s.plain),
                *(_p(line, self.s.plain) for line in scans)]
        yield Document("payment_record", "罚没款缴纳凭证", "", payments[-1].day, body)

    def closing_report(self) -> Iterator[Document]:
        """结案审批表: each closing report as the handler asked for it (处理结果, 执行情况, 结案理由, the report)
        with the head's answer under their electronic signature; a report returned and asked again prints
        twice, as the record has it. A case closed by its officer before closing needed the head's approval
        prints its report, and says that no approval was asked."""
        answers = {str(payload_of(s).request): s for s in self.steps("approve_closing", "return_closing")}
        for step in self.steps("request_closing", "close_case"):
            p, c, lab, w = payload_of(step), self.s.cell, self.s.label, BODY_WIDTH
            decision = self.state.decision or {}
            if step.kind == "close_case":
                answer, result = None, _proposal_text(decode(Decision, decision)) if decision else ""
                execution = f"应缴 {format_yuan(self.state.amount_due_fen)}，已缴 {format_yuan(self.state.paid_fen)}"
                ground, report = "", f"{p.summary}\n承办人：{self.name(step.actor)}    {_day(step.day)}"
                head = "（无：本案按启用结案审批以前的程序，由承办人员直接结案，未经负责人审批）"
            else:
                answer = answers.get(step.hash)
                result, execution, ground = p.result, p.execution, CLOSING_GROUND_ZH.get(p.ground, p.ground)
                handlers = "、".join(self.with_certificate(h, step.day) for h in self.state.handlers)
                report = (f"{p.summary}\n拟结案日期：{_day(p.proposed_on)}\n"
                          f"承办人：{handlers}\n提请人：{self.name(step.actor)}    {_day(step.day)}")
                head = self._closing_answer(answer)
            rows = [
                [_p("案号", lab), _p(self.state.case_no, c), _p("案由", lab), _p(self.state.cause, c)],
                *self.party_rows(),
                [_p("立案日期", lab), _p(_day(self.state.filed_on) if self.state.filed_on else "—", c),
                 _p("决定书文号", lab), _p(decision.get("document_no") or decision.get("form_no") or "—", c)],
                [_p("处理结果", lab), _p(result, c), "", ""],
                [_p("执行情况", lab), _p(execution, c), "", ""],
                [_p("结案理由", lab), _p(ground or "—", c), "", ""],
                [_p("结案报告及承办人意见", lab), _p(report, c), "", ""],
                [_p("负责人审批意见", lab), _p(head, c), "", ""],
            ]
            n = len(self.party_rows())
            spans = [*self.party_spans(1), *(((1, i), (3, i)) for i in range(n + 2, n + 7))]
            returned = answer is not None and answer.kind == "return_closing"
            title = "结案审批表（退回）" if returned else "结案审批表"
            yield Document("closing_report", title, "", answer.day if answer else step.day,
                           [*self.head("结案审批表"), _grid(rows, [0.19 * w, 0.33 * w, 0.16 * w, 0.32 * w], spans=spans, label_cols=(0, 2))])

    def _closing_answer(self, answer: Step | None) -> str:
        if answer is None:
            return "（待审批）"
        p = payload_of(answer)
        if answer.kind == "return_closing":
            opinion = f"退回，不同意结案。退回理由：{p.reason}"
        else:
            opinion = _sentence(p.opinion or "同意结案") + f"结案日期：{_day(answer.day)}。"
        return f"{opinion}\n负责人：{self.name(answer.actor)}    {_day(answer.day)}\n{self.signed(answer)}".rstrip()

    def process_record(self) -> Iterator[Document]:
        events = self.data.events
        if not events:
            return
        c, lab, w = self.s.small, self.s.label, BODY_WIDTH
        rows: list[list[Any]] = [[_p(h, lab) for h in ("序号", "时间", "操作人", "步骤", "记录哈希（SHA-256）")]]
        for n, e in enumerate(events, 1):
            rows.append([_p(n, c), _p(e.at.strftime("%Y-%m-%d\n%H:%M:%S"), c), _p(self.name(e.actor), c),
                         _p(title_of(e.kind), c), _p(_split_hash(e.hash), self.s.mono)])
        table = _grid(rows, [0.07 * w, 0.15 * w, 0.11 * w, 0.20 * w, 0.47 * w], label_cols=(), header=True)
        heads = "，".join(self.data.heads)
        body = [*self.head("附：全过程记录"),
                _p(f"本案共 {len(events)} 条记录。每条记录的哈希为其内容的 SHA-256，后一条记录载明其前一条的哈希；"
                   "末端哈希与数据库一致即证明记录未被删改。", self.s.small), Spacer(1, 4), table, Spacer(1, 8),
                # the chain head, its QR code and how to use it stay on one page: never a page holding a QR code alone
                KeepTogether([_p(f"记录末端（链头）：{heads}", self.s.mono), Spacer(1, 6),
                              _qr(f"ecr-casefile/1;case={self.state.id};no={self.state.case_no};head={heads};events={len(events)}"),
                              _p("扫描二维码或运行“enforcement-cli verify-pdf 本文件”核对案卷与数据库。", self.s.small)])]
        yield Document("process_record", "附：全过程记录", "", events[-1].at.date(), body)

    def evaluation_sheet(self) -> Iterator[Document]:
        sheet = self.data.evaluation
        if sheet is None:
            return
        yield Document("evaluation_sheet", "附：案卷评查表", "", date.fromisoformat(sheet.on) if sheet.on else None,
                       evaluation_flowables(sheet, self.s))


def evaluation_flowables(sheet: Sheet, s: Styles) -> list[Flowable]:
    """The sheet as the evaluator left it: the system's suggestion and the evaluator's decision side by
    side (only decisions count), and a draft says so with what is still open."""
    c, lab, w = s.small, s.label, BODY_WIDTH
    group_zh = {"veto": "否决项", "form": "卷面", "content": "内容"}
    rows: list[list[Any]] = [[_p(h, lab) for h in ("类别", "评查项目", "分值", "系统建议", "评定", "依据与说明")]]
    for line in sheet.lines:
        note = line.evidence + (f"\n评查意见：{line.comment}" if line.comment else "")
        rows.append([_p(group_zh[line.item.group], c), _p(line.item.title, c), _p(line.item.points or "", lab),
                     _p(mark_zh(line, line.suggestion) if line.suggestion else "", lab),
                     _p(mark_zh(line, line.decision) if line.decision else "未评", lab), _p(note, c)])
    return [_p(sheet.standard.name, s.agency), _p("案卷评查表" + ("" if sheet.final else "（草稿）"), s.title),
            _grid(rows, [0.095 * w, 0.245 * w, 0.07 * w, 0.12 * w, 0.08 * w, 0.39 * w], label_cols=(), header=True), Spacer(1, 8),
            _p(f"评查结论：{conclusion_zh(sheet)}", s.plain),
            *([_p(f"评查人：{sheet.evaluator}    {_day(sheet.on)}", s.sign)] if sheet.evaluator else [])]


RECORD_NAMES = {"record_inspection": "现场笔录", "record_inquiry": "询问笔录", "record_sampling": "抽样记录",
                "record_statement": "陈述申辩笔录", "hold_hearing": "听证笔录"}


def _exemption_sentence(ground: str, p: Any, proof: Sequence[str]) -> str:
    """Why no penalty is given, in the words of 行政处罚法第三十三条 with what the record established for each."""
    def said(text: Any) -> str:
        return f"（{str(text).rstrip('。')}）" if text else ""

    proved = f"，有{'、'.join(proof)}为证" if proof else ""
    corrected = f"已于{_day(p.corrected_on)}改正{said(p.correction)}{proved}" if p.corrected_on else f"已及时改正{said(p.correction)}{proved}"
    if ground == "minor_and_corrected":
        return f"当事人的违法行为轻微{said(p.minor)}并{corrected}，没有造成危害后果{said(p.harm)}"
    if ground == "first_violation_exemption":
        return f"当事人系初次违法{said(p.first_violation)}，危害后果轻微{said(p.harm)}，并{corrected}"
    if ground == "no_subjective_fault":
        return f"当事人有证据足以证明没有主观过错{said(p.no_fault)}{proved}"
    if ground == "minor_under_14":
        return f"当事人于违法行为发生时不满十四周岁{proved}，本机关已责令其监护人加以管教{said(p.guardian)}"
    if ground == "mental_incapacity":
        return (f"当事人系精神病人（智力残疾人），在不能辨认或者不能控制自己行为时有违法行为{said(p.incapacity)}{proved}，"
                f"本机关已责令其监护人严加看管和治疗{said(p.guardian)}")
    return f"当事人的情形属于{NO_PENALTY_GROUND_ZH.get(ground, ground)}"


def _grade_zh(grade: Any) -> str:
    return Grade(grade).zh if grade in set(Grade) else str(grade)


def _proposal_text(p: ProposalFields, *, in_words: bool = False) -> str:
    return _penalty_text(p.outcome, p.penalty_kinds, p.fine_fen, p.confiscation_fen, in_words=in_words)


def _amount(fen: int, in_words: bool) -> str:
    """An amount in figures, and (on a decision) in capitals too: 10,000.00元（大写：壹万元整）."""
    return f"{format_yuan(fen)}（大写：{capitals(fen)}）" if in_words else format_yuan(fen)


def _penalty_text(outcome: str, kinds: Sequence[str], fine_fen: int, confiscation_fen: int, *, in_words: bool = False) -> str:
    if outcome and outcome != Outcome.PENALTY.value:
        return {"no_penalty": "不予行政处罚", "dismissal": "撤销案件", "transfer": "移送司法机关"}.get(outcome, "")
    parts = []
    for kind in kinds:
        if kind == PenaltyKind.FINE.value:
            parts.append(f"罚款{_amount(fine_fen, in_words)}")
        elif kind in ("confiscate_illegal_income", "confiscate_illegal_property") and confiscation_fen:
            parts.append(f"{PENALTY_KIND_ZH[PenaltyKind(kind)]}{_amount(confiscation_fen, in_words)}")
        else:
            parts.append(PENALTY_KIND_ZH[PenaltyKind(kind)])
    return "、".join(parts) or "—"


def _violated(p: Any) -> str:
    """The provision the party broke; an older record kept one citation for both it and the penalty."""
    return getattr(p, "violation", "") or p.basis


def _sentence(text: Any) -> str:
    text = str(text or "").strip()
    return text if not text or text[-1] in "。！？；.;)）" else text + "。"


def _split_hash(digest: str, width: int = 32) -> str:
    """A SHA-256 in lines of ``width`` hexadecimal digits, so that a narrow cell breaks it evenly."""
    return "\n".join(digest[i:i + width] for i in range(0, len(digest), width))


PAGE_IMAGE_PIXELS = 1600


def _pictured(e) -> bool:
    return str(e.get("media_type", "")).startswith("image/")


def _page_image(path, width: float, height: float) -> Image:
    """A picture of the evidence as a JPEG of at most 1600 pixels on its long side (about 260 dpi across the
    page: the text on a licence reads), scaled to fit ``width`` × ``height``. The original stays in the
    evidence store under its SHA-256. Deterministic: the same file gives the same bytes."""
    from PIL import Image as PILImage
    from PIL import ImageOps

    with PILImage.open(path) as im:
        upright = im.getexif().get(0x0112, 1) in (0, 1)  # a phone photo says in its EXIF which way is up
        if im.format == "JPEG" and im.mode in ("RGB", "L") and max(im.size) <= PAGE_IMAGE_PIXELS and upright:
            w, h = im.size  # embedded as it is: the PDF carries a JPEG as it stands
            buffer = io.BytesIO(path.read_bytes())
        else:
            im.draft("RGB", (PAGE_IMAGE_PIXELS, PAGE_IMAGE_PIXELS))
            im = ImageOps.exif_transpose(im).convert("RGB")
            im.thumbnail((PAGE_IMAGE_PIXELS, PAGE_IMAGE_PIXELS))
            buffer = io.BytesIO()
            im.save(buffer, "JPEG", quality=85, optimize=False)
            w, h = im.size
    scale = min(width / w, height / h)
    flowable = Image(io.BytesIO(buffer.getvalue()), width=w * scale, height=h * scale)
    flowable._img = _NamedJpeg(buffer.getvalue())
    return flowable


class _NamedJpeg(ImageReader):
    """A JPEG embedded as it stands, named by its bytes' SHA-256. reportlab's own reader decodes every
    picture to RGB only to name it (a third of a second for twenty photos); a JPEG is passed through to the
    PDF undecoded anyway. The name depends on the bytes alone, so re-exports stay byte-identical."""

    def __init__(self, data: bytes):
        super().__init__(io.BytesIO(data))
        self._digest = hashlib.sha256(data).digest()

    def getRGBData(self):  # noqa: N802 - reportlab's name
        self._dataA = None
        return self._digest


class _QrCode(Flowable):
    """A QR code drawn as one path of dark modules. reportlab's widget encodes the text twice and draws
    each module as its own shape; this encodes once, which keeps the export fast."""

    def __init__(self, text: str, size: float):
        super().__init__()
        from reportlab.graphics.barcode import qrencoder

        code = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
        code.addData(text)
        code.make()
        self.modules = [[code.isDark(r, c) for c in range(code.getModuleCount())] for r in range(code.getModuleCount())]
        self.size = size

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        count = len(self.modules) + 8  # four modules of quiet zone on each side
        unit = self.size / count
        path = self.canv.beginPath()
        for r, row in enumerate(self.modules):
            c = 0
            while c < len(row):
                if row[c]:
                    start = c
                    while c < len(row) and row[c]:
                        c += 1
                    path.rect((start + 4) * unit, self.size - (r + 5) * unit, (c - start) * unit, unit)
                else:
                    c += 1
        self.canv.setFillColorRGB(0, 0, 0)
        self.canv.drawPath(path, stroke=0, fill=1)


def _qr(text: str) -> Flowable:
    return _QrCode(text, 38 * mm)


# --- order ----------------------------------------------------------------------------------------------


def document_order() -> list[dict[str, str]]:
    """The legal order of documents (``resources/casefile/order.json``)."""
    return list(load_json("casefile", "order.json")["documents"])


DRAFT_MARK = "草稿，未入卷（签名后拍照或扫描，附入本记录）"


def build_documents(data: CaseFileData, styles: Styles, kinds: Sequence[str] | None = None) -> list[Document]:
    """The case's documents in the legal order (only those of ``kinds``, when given), each noting the step it
    is made from. The document of a draft step (``data.draft``) says at its head that it is a draft."""
    builder = Builder(data, styles)
    documents: list[Document] = []
    for entry in document_order():
        make: Callable[[], Iterator[Document]] | None = getattr(builder, entry["kind"], None)
        if make is None:
            raise ValueError(f"casefile/order.json: unknown document kind {entry['kind']!r}")
        if kinds is not None and entry["kind"] not in kinds:
            continue
        for document in make():
            document.step = builder.current.hash if builder.current is not None else ""
            if data.draft and document.step == data.draft:
                document.flowables.insert(0, _p(DRAFT_MARK, ParagraphStyle("draft", parent=styles.small, alignment=TA_RIGHT,
                                                                           textColor=colors.Color(0.7, 0.1, 0.1))))
            document.flowables += builder.corrections_of(document.step)
            _keep_signature_with_text(document)
            documents.append(document)
    return documents


def _keep_signature_with_text(document: Document) -> None:
    """The signature block (the agency's name, its seal, the date) goes to the next page with the paragraph
    before it rather than alone: a page holding only a seal and a date is what a records office sends back."""
    flowables = document.flowables
    at = next((n for n, f in enumerate(flowables) if getattr(f, "keep_with_previous", False)), None)
    if at is None or at == 0 or not isinstance(flowables[at - 1], Paragraph):
        return
    end = next((n for n in range(at + 1, len(flowables)) if not isinstance(flowables[n], Paragraph | _Sealed)), len(flowables))
    flowables[at - 1:end] = [KeepTogether(flowables[at - 1:end])]


def _png_size(data: bytes) -> tuple[int, int]:
    import struct

    return struct.unpack(">II", data[16:24]) if data[12:16] == b"IHDR" else (1, 1)


def _signature_image(entry) -> Flowable | None:
    """A drawn signature as an image on its line (about 12 mm high), or None when the entry has none."""
    import base64

    if entry.get("how") != "handwritten" or not entry.get("png"):
        return None
    data = base64.b64decode(entry["png"])
    width, height = _png_size(data)
    h = 12 * mm
    return Image(io.BytesIO(data), width=min(60 * mm, h * width / max(1, height)), height=h)


def _signature_row(label: Flowable, image: Flowable) -> Table:
    table = Table([[label, image]], colWidths=[0.5 * BODY_WIDTH, 0.5 * BODY_WIDTH], hAlign="LEFT")
    table.setStyle(TableStyle([*_cell_font([[label]]), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("LINEBELOW", (1, 0), (1, 0), 0.5, colors.black)]))
    return table


def _receipt_cell(entries, style, received_on: Any, legacy_signed: bool, width: float) -> Flowable:
    """The recipient's signature (or the refusal noted) with the day they wrote on the receipt."""
    recipient = [e for e in entries or () if e.get("signer") == "recipient"]
    day = f"签收日期：{_day(received_on)}" if received_on else ""
    if not recipient:
        text = "（受送达人已签收，本记录未留存签名图像）" if legacy_signed else ""
        return _p("\n".join(t for t in (text, day) if t), style)
    entry = recipient[0]
    if _signature_image(entry) is None:
        return _p("\n".join(t for t in (describe(entry), day) if t), style)
    return _signature_lines([(f"{entry.get('name', '')}：", entry)], style, width, after=day)


def _signature_lines(lines: Sequence[tuple[str, Any]], style, width: float = 0.72 * BODY_WIDTH - 8, *, after: str = "") -> Flowable:
    """One line per signer inside a table cell: who (left), their drawn signature on a rule (right), or how
    they signed when no image was drawn; ``after``: a last line (the day signed)."""
    rows = []
    for who, entry in lines:
        image = _signature_image(entry) if entry else None
        if image is None:
            note = describe(entry) if entry else "（未留存签名）"
            rows.append([_p(who, style), _p(note, style)])
        else:
            rows.append([_p(who, style), image])
    if after:
        rows.append([_p(after, style), ""])
    table = Table(rows, colWidths=[0.5 * width, 0.5 * width], hAlign="LEFT")
    table.setStyle(TableStyle([*_cell_font(rows), ("VALIGN", (0, 0), (-1, -1), "BOTTOM"), ("LEFTPADDING", (0, 0), (-1, -1), 0),
                               ("RIGHTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 3),
                               ("BOTTOMPADDING", (0, 0), (-1, -1), 5),
                               *(("LINEBELOW", (1, i), (1, i), 0.5, colors.black) for i, (_w, e) in enumerate(lines) if e)]))
    return table


SERVICE_NOTES = {
    "left_at_address": "受送达人拒绝签收，送达人在送达回证上注明拒收事由和日期，由见证人签名或者以拍照、录像等方式记录送达过程，"
                       "把文书留在受送达人的住所，视为送达。",
    "post": "邮寄送达的，以回执上注明的收件日期为送达日期。",
    "electronic": "经受送达人同意并签订送达地址确认书，以电子方式送达，到达受送达人特定系统的日期为送达日期。",
    "public_notice": "受送达人下落不明或者用其他方式无法送达，公告送达，自发出公告之日起经过规定期间，即视为送达。",
}
