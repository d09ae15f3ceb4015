"""Rendering a case file to PDF in one pass.

Order: cover (封面) → contents (卷内目录) → the documents → closing note sheet (备考表). Only the documents
carry page numbers (bottom right), counted from 1. The cover and the contents are tables laid out like the
documents (long values wrap, nothing is shrunk); what is not known until the documents are laid out (each
document's page range, the cover's page count) is drawn in small PDF form XObjects that the cells reserve
and the canvas defines at the very end. One pass keeps the export close to bare reportlab speed.
``invariant=1`` makes the file byte-identical for the same case.

When the services hand over the agency's signer, the file is then signed as the agency (PAdES, see
:mod:`.signature`) at the case's last event time, so the signed file too is byte-identical for the same case.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from io import BytesIO
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    BaseDocTemplate,
    Flowable,
    Frame,
    NextPageTemplate,
    PageBreak,
    PageTemplate,
    Spacer,
    Table,
    TableStyle,
)

from ..domain.case import Procedure
from ..domain.labels import RETENTION_ZH
from ..services.api import CaseFileData
from .documents import (
    BODY_WIDTH,
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    MIN_SIZE,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    DocStart,
    Document,
    Styles,
    _day,
    _p,
    _penalty_text,
    build_documents,
    document_order,
)
from .fonts import CaseFileFont, Role, find_font
from .signature import sign_case_file
from .single import draw_page_signature, render_only

# Binary streams: reportlab writes images in ASCII85 by default, a quarter larger and slow to encode for
# a file of twenty photos. Every PDF reader and archive format (PDF/A included) takes binary streams.
rl_config.useA85 = 0

MARKER = "ecr-casefile/1"
CONTENTS_TOP = 44 * mm  # the contents table starts this far below the page's top edge, under the title


@dataclass
class Layout:
    """Where each document landed; filled while the pages are laid out."""

    documents: list[Document]
    font: CaseFileFont
    styles: Styles
    starts: dict[int, int] = field(default_factory=dict)  # document index -> absolute page number
    current: int = -1  # the document being laid out
    first_body_page: int = 0  # the absolute number of the page numbered 1 (0 until laid out; stays 0 without documents)
    closing_page: int = 0
    contents_pages: int = 0
    pages_cell: tuple[float, float] = (0.0, 0.0)  # width and height of a contents row's 页号 cell

    @property
    def body_offset(self) -> int:
        return (self.first_body_page or self.closing_page) - 1

    @property
    def numbered_pages(self) -> int:
        return self.closing_page - 1 - self.body_offset

    def page_range(self, index: int) -> tuple[int, int]:
        first = self.starts[index]
        last = self.starts.get(index + 1, self.closing_page) - 1
        return first - self.body_offset, last - self.body_offset


@dataclass(frozen=True)
class RenderedCaseFile:
    pdf: bytes
    pages: int
    numbered_pages: int
    documents: tuple[tuple[str, str, int, int], ...]  # (title, number, first page, last page)
    font: CaseFileFont
    signed_by: str = ""  # the fingerprint of the agency certificate that signed the file; "" when unsigned
    missing_glyphs: str = ""  # characters of the text that no face draws (printed as empty boxes)


class _Canvas(Canvas):
    """Defines the reserved forms (page ranges, cover counts) just before the file is written."""

    def __init__(self, layout: Layout, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._layout = layout

    def save(self) -> None:
        _define_forms(self, self._layout)
        super().save()


class _Template(BaseDocTemplate):
    def __init__(self, buffer, layout: Layout, moment: datetime | None = None, **kwargs):
        super().__init__(buffer, **kwargs)
        self.layout = layout
        self.moment = moment

    def beforeDocument(self) -> None:  # noqa: N802 - reportlab API
        """The file's creation and modification dates are the record's own (its last event), not 2000-01-01
        and not the moment of export: a re-export stays byte-identical and the dates say when the file's
        content was complete."""
        if self.moment is not None:
            stamp = self.canv._doc._timeStamp  # reportlab keeps the document dates here (invariant: 2000-01-01)
            stamp.t = self.moment.timestamp()
            stamp.lt = time.gmtime(stamp.t)
            stamp.YMDhms = tuple(stamp.lt)[:6]
            stamp.dhh = stamp.dmm = 0
            stamp.tzname = "UTC"

    def afterFlowable(self, flowable) -> None:  # noqa: N802 - reportlab API
        if isinstance(flowable, DocStart):
            page = self.canv.getPageNumber()
            self.layout.starts[flowable.index] = page
            self.layout.current = flowable.index
            key = f"doc{flowable.index}"
            self.canv.bookmarkPage(key)
            self.canv.addOutlineEntry(flowable.document.title, key, 0, closed=True)


class _Reserved(Flowable):
    """A cell's content drawn later: the PDF form ``name``, defined when the file is saved."""

    def __init__(self, name: str, width: float, height: float):
        super().__init__()
        self.name, self.width, self.height = name, width, height

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return self.width, self.height

    def draw(self) -> None:
        self.canv.doForm(self.name)


def render_case_file(data: CaseFileData, font: CaseFileFont | None = None) -> RenderedCaseFile:
    font = font or find_font()
    styles = Styles(font)
    documents = build_documents(data, styles)
    layout = Layout(documents, font, styles)
    state = data.state
    signed = ",".join(f"{h}:{o.fingerprint.replace(' ', '')}" for h, o in data.sign_offs.items() if o.valid)
    buffer = BytesIO()
    template = _Template(
        buffer,
        layout,
        data.events[-1].at if data.events else None,
        pagesize=(PAGE_WIDTH, PAGE_HEIGHT),
        leftMargin=MARGIN_LEFT,
        rightMargin=MARGIN_RIGHT,
        topMargin=MARGIN_TOP,
        bottomMargin=MARGIN_BOTTOM,
        invariant=1,
        # each page's stream starts by setting this font: the body face, not reportlab's Helvetica, so that the
        # file names no font it does not embed
        initialFontName=font.name,
        initialFontSize=12,
        title=f"{state.title}案卷",
        author=data.agency.name if data.agency else "",
        subject=f"行政处罚案卷 {state.case_no}",
        keywords=f"{MARKER} case={state.id} no={state.case_no} head={','.join(data.heads)} events={len(data.events)} signoffs={signed}",
        creator="enforcement-app",
        producer="enforcement-app (reportlab)",
    )
    height = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, BODY_WIDTH, height, leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    contents_frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, BODY_WIDTH, PAGE_HEIGHT - CONTENTS_TOP - MARGIN_BOTTOM,
                           leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="contents")
    template.addPageTemplates([
        PageTemplate("cover", [frame], onPage=partial(_cover_page, layout=layout)),
        PageTemplate("contents", [contents_frame], onPage=partial(_contents_page, layout=layout)),
        PageTemplate("body", [frame], onPage=partial(_page_number, layout=layout), onPageEnd=partial(_page_signature, layout=layout)),
        PageTemplate("closing", [frame], onPage=partial(_closing, data=data, layout=layout)),
    ])
    story: list = [*_cover(data, layout), NextPageTemplate("contents"), PageBreak(), _contents(data, layout),
                   NextPageTemplate("body" if documents else "closing"), PageBreak()]
    for index, document in enumerate(documents):
        story.append(DocStart(document, index))
        story += document.flowables
        if index == len(documents) - 1:
            story.append(NextPageTemplate("closing"))
        story.append(PageBreak())
    story.append(Spacer(1, 1))
    template.build(story, canvasmaker=partial(_Canvas, layout))
    ranges = tuple((d.title, d.number, *layout.page_range(i)) for i, d in enumerate(documents))
    pdf = buffer.getvalue()
    missing = "".join(sorted(styles.missing))
    if data.signer is None:
        return RenderedCaseFile(pdf, layout.closing_page, layout.numbered_pages, ranges, font, missing_glyphs=missing)
    signed = sign_case_file(pdf, data.signer, max(e.at for e in data.events), reason=f"行政处罚案卷 {state.case_no or state.id}",
                            location=data.agency.area if data.agency else "")
    return RenderedCaseFile(signed, layout.closing_page, layout.numbered_pages, ranges, font, data.signer.fingerprint, missing)


def render_documents(data: CaseFileData, kinds: tuple[str, ...], font: CaseFileFont | None = None) -> bytes:
    """Only the given documents, for handing to the party (e.g. the on-the-spot decision form); no
    cover, contents or page numbers. Deterministic like the case file."""
    font = font or find_font()
    return render_only(data, build_documents(data, Styles(font), kinds), font)


# --- the cover (封面) ----------------------------------------------------------------------------------------

COVER_SIZE = 14  # pt (四号): the cover's labels and values
COVER_LABEL_WIDTH = 32 * mm


def _cover(data: CaseFileData, layout: Layout) -> list[Flowable]:
    """The cover as the archive's model shows it: the agency and the title, then each item on its ruled line.
    A value the record does not have yet (not decided, not archived) leaves its line blank, to be filled in."""
    s, state = layout.styles, data.state
    archived = _archiving(data)
    agency = s.derive("cover_agency", s.agency, fontSize=18, leading=28)
    title = s.derive("cover_title", s.title, fontSize=30, leading=42, spaceAfter=0)
    label = s.derive("cover_label", s.label, fontSize=COVER_SIZE, leading=20, alignment=TA_RIGHT)
    value = s.derive("cover_value", s.cell, fontSize=COVER_SIZE, leading=20)
    decision = state.decision or {}
    simple = state.procedure == Procedure.SIMPLE
    half = (BODY_WIDTH - 2 * COVER_LABEL_WIDTH) / 2
    counts = _Reserved("cover_counts", half, 20)
    rows: list[tuple[Any, ...]] = [
        ("案号", state.case_no),
        ("案由", state.cause),
        ("当事人", state.party_name),
        ("处理结果", _outcome(data)),
        ("决定书文号", decision.get("document_no") or decision.get("form_no", "")),  # on the spot: the 预定格式 form's number
        ("承办人员", "、".join(_name(data, h) for h in state.handlers)),
        # a simple-procedure case is decided on the spot, never filed (行政处罚法第五十一条): its cover gives the day decided
        ("当场处罚日期" if simple else "立案日期", _day(state.filed_on) if state.filed_on else "",
         "结案日期", _day(state.closed_on) if state.closed_on else ""),
        ("立卷人", _name(data, archived.actor) if archived else "", "归档日期", _day(archived.day) if archived else ""),
        ("保管期限", RETENTION_ZH.get(str(archived.payload.get("retention", "")), "") if archived else "", "档号", state.archive_no),
        ("卷内文件", counts),
    ]
    cells, spans, style = [], [], [
        ("FONT", (0, 0), (-1, -1), value.fontName, MIN_SIZE),
        ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
        ("TOPPADDING", (0, 0), (-1, -1), 12), ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("LEFTPADDING", (0, 0), (-1, -1), 2), ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    for r, row in enumerate(rows):
        pairs = [row[i:i + 2] for i in range(0, len(row), 2)]
        line: list[Any] = []
        for text, content in pairs:
            line += [_p(f"{text}：", label), content if isinstance(content, Flowable) else _p(content, value)]
        if len(pairs) == 1:
            line += ["", ""]
            spans.append(("SPAN", (1, r), (3, r)))
            style.append(("LINEBELOW", (1, r), (3, r), 0.6, colors.black))
        else:
            style += [("LINEBELOW", (1, r), (1, r), 0.6, colors.black), ("LINEBELOW", (3, r), (3, r), 0.6, colors.black)]
        cells.append(line)
    table = Table(cells, colWidths=[COVER_LABEL_WIDTH, half, COVER_LABEL_WIDTH, half])
    table.setStyle(TableStyle(style + spans))
    numbers = s.derive("cover_numbers", s.plain, alignment=TA_CENTER)
    return [Spacer(1, 6 * mm), _p(data.agency.name if data.agency else "", agency), Spacer(1, 12 * mm),
            _p("行 政 处 罚 案 卷", title), Spacer(1, 16 * mm), table, Spacer(1, 14 * mm),
            _p("全宗号：__________    目录号：__________    案卷号：__________", numbers)]


def _cover_page(canv: Canvas, doc: BaseDocTemplate, *, layout: Layout) -> None:
    canv.bookmarkPage("cover")
    canv.addOutlineEntry("封面", "cover", 0)


def _outcome(data: CaseFileData) -> str:
    """处理结果 as the decision has it (the penalties and amounts, or no penalty, dismissal, transfer)."""
    decision = data.state.decision
    if not decision:
        return ""
    return _penalty_text(str(decision.get("outcome", "")), decision.get("penalty_kinds", ()), int(decision.get("fine_fen", 0)),
                         int(decision.get("confiscation_fen", 0)))


def _name(data: CaseFileData, officer_id: str) -> str:
    officer = data.officers.get(officer_id)
    return officer.name if officer else data.actor_names.get(officer_id, officer_id)


def _archiving(data: CaseFileData):
    """The archiving step (立卷人 = its actor, 归档日期 = its day, and the retention it set), or None."""
    return next((s for s in reversed(data.state.steps) if s.kind == "archive_case"), None)


# --- the contents (卷内目录) ---------------------------------------------------------------------------------

CONTENTS_COLUMNS = ("序号", "文号", "责任者", "题名", "日期", "页号", "备注")
CONTENTS_PADDING = 3


def _contents_widths(layout: Layout) -> list[float]:
    """序号, 日期, 页号 and 备注 as wide as their widest text in the faces found (one line each, never
    shrunk); 文号, 责任者 and 题名 share the rest, 3:3:4, and wrap."""
    body, heading = layout.font.face(Role.BODY), layout.font.face(Role.HEADING)

    def fit(*texts: str) -> float:
        return max(stringWidth(t, heading if t in CONTENTS_COLUMNS else body, MIN_SIZE) for t in texts) + 2 * CONTENTS_PADDING + 2

    number, day, pages, note = fit("序号", str(len(layout.documents))), fit("日期", "20250505"), fit("页号", "888-888"), fit("备注")
    rest = BODY_WIDTH - number - day - pages - note
    return [number, 0.3 * rest, 0.3 * rest, 0.4 * rest, day, pages, note]


def _responsible(data: CaseFileData, document: Document, rules: Mapping[str, str]) -> str:
    """责任者: who made the document, as ``resources/casefile/order.json`` says for its kind."""
    if document.responsible:
        return document.responsible
    agency = data.issuer or (data.agency.name if data.agency else "")  # in the delegating body's name (Art. 20 ¶4)
    rule = rules.get(document.kind, "agency")
    if rule == "handlers":
        return "、".join(_name(data, h) for h in data.state.handlers) or agency
    if rule == "evaluator" and data.evaluation is not None and data.evaluation.evaluator:
        return data.evaluation.evaluator
    return agency


def _contents(data: CaseFileData, layout: Layout) -> Table:
    """One row per document; the 页号 cells are reserved and filled in when the pages are known. The header
    repeats on each contents page."""
    s = layout.styles
    widths = _contents_widths(layout)
    centred = s.derive("contents_centred", s.cell, alignment=TA_CENTER)
    layout.pages_cell = (widths[5] - 2 * CONTENTS_PADDING, s.cell.leading)
    rules = {entry["kind"]: entry.get("responsible", "agency") for entry in document_order()}
    rows: list[list[Any]] = [[_p(c, s.label) for c in CONTENTS_COLUMNS]]
    for index, document in enumerate(layout.documents):
        rows.append([_p(index + 1, centred), _p(document.number, s.cell), _p(_responsible(data, document, rules), s.cell),
                     _p(document.title, s.cell), _p(_short_day(document.day), centred),
                     _Reserved(f"pages{index}", *layout.pages_cell), ""])
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), s.cell.fontName, MIN_SIZE),
        ("GRID", (0, 0), (-1, -1), 0.7, colors.black),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), 4), ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
        ("LEFTPADDING", (0, 0), (-1, -1), CONTENTS_PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), CONTENTS_PADDING),
    ]))
    return table


def _contents_page(canv: Canvas, doc: BaseDocTemplate, *, layout: Layout) -> None:
    canv.saveState()
    if not layout.contents_pages:
        canv.bookmarkPage("contents")
        canv.addOutlineEntry("卷内目录", "contents", 0)
    layout.contents_pages += 1
    _draw(canv, layout, Role.TITLE, 22, PAGE_WIDTH / 2, PAGE_HEIGHT - 32 * mm, "卷 内 目 录", centred=True)
    canv.restoreState()


def _define_forms(canv: Canvas, layout: Layout) -> None:
    width, height = layout.pages_cell
    for index in range(len(layout.documents)):
        first, last = layout.page_range(index)
        canv.beginForm(f"pages{index}")
        _draw(canv, layout, Role.BODY, MIN_SIZE, width / 2, height - MIN_SIZE, str(first) if first == last else f"{first}-{last}",
              centred=True)
        canv.endForm()
    canv.beginForm("cover_counts")
    _draw(canv, layout, Role.BODY, COVER_SIZE, 0, 20 - COVER_SIZE, f"本卷共 {len(layout.documents)} 件，{layout.numbered_pages} 页")
    canv.endForm()


def _draw(canv: Canvas, layout: Layout, role: Role, size: float, x: float, y: float, text: str, *, centred: bool = False) -> None:
    """One line of ``text`` in the face of ``role``, its characters that face lacks in another face."""
    face = layout.font.face(role)
    if not layout.font.covers(text, face):
        layout.styles.missing |= layout.font.missing(text)
    runs = layout.font.runs(text, face)
    if centred:
        x -= sum(stringWidth(part, name, size) for name, part in runs) / 2
    for name, part in runs:
        canv.setFont(name, size)
        canv.drawString(x, y, part)
        x += stringWidth(part, name, size)


def _short_day(day) -> str:
    """A date as archives write it in a contents list (DA/T 22): eight digits, 20250305."""
    return f"{day.year:04d}{day.month:02d}{day.day:02d}" if day else ""


def _page_number(canv: Canvas, doc: BaseDocTemplate, *, layout: Layout) -> None:
    """The page number, bottom right, in the title face (GB/T 9704 sets page numbers in 宋体)."""
    page = canv.getPageNumber()
    layout.first_body_page = layout.first_body_page or page
    canv.saveState()
    canv.setFont(layout.font.face(Role.TITLE), 12)
    canv.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, 14 * mm, str(page - layout.body_offset))
    canv.restoreState()


def _page_signature(canv: Canvas, doc: BaseDocTemplate, *, layout: Layout) -> None:
    if 0 <= layout.current < len(layout.documents):
        draw_page_signature(canv, layout.font.face(Role.HEADING), layout.documents[layout.current].page_signer)


# --- the closing note sheet (备考表) ---------------------------------------------------------------------------


def _closing(canv: Canvas, doc: BaseDocTemplate, *, data: CaseFileData, layout: Layout) -> None:
    layout.closing_page = canv.getPageNumber()
    s = layout.styles
    canv.saveState()
    canv.bookmarkPage("closing")
    canv.addOutlineEntry("备考表", "closing", 0)
    _draw(canv, layout, Role.TITLE, 22, PAGE_WIDTH / 2, PAGE_HEIGHT - 35 * mm, "卷 内 备 考 表", centred=True)
    left, width = MARGIN_LEFT, BODY_WIDTH
    top, height = PAGE_HEIGHT - 48 * mm, 150 * mm
    canv.setLineWidth(0.8)
    canv.rect(left, top - height, width, height)
    paragraphs = [
        _p("本卷情况说明：", s.heading),
        _p(f"本卷共有文件材料 {len(layout.documents)} 件，共 {layout.numbered_pages} 页；封面、卷内目录、备考表不编页码。", s.body),
        _p(f"本案全过程记录共 {len(data.events)} 条，记录末端（链头）：", s.body),
        *(_p(head, s.derive("closing_head", s.mono, leftIndent=24, spaceAfter=4)) for head in data.heads),
        _p("可运行“enforcement-cli verify-pdf 本文件”核对本卷与数据库记录是否一致。", s.body),
    ]
    if not layout.font.embedded:
        paragraphs.append(_p("注：本文件未嵌入字体，不符合归档要求。", s.body))
    y = top - 6 * mm
    for paragraph in paragraphs:
        _, h = paragraph.wrapOn(canv, width - 12 * mm, height)
        y -= h + 2
        paragraph.drawOn(canv, left + 6 * mm, y)
    archived = _archiving(data)
    for n, (label, value) in enumerate((("立卷人", _name(data, archived.actor) if archived else ""), ("检查人", ""),
                                        ("立卷时间", _day(archived.day) if archived else ""))):
        baseline = top - height + (30 - 10 * n) * mm
        _draw(canv, layout, Role.HEADING, 12, left + 6 * mm, baseline, f"{label}：")
        canv.setLineWidth(0.5)
        canv.line(left + 30 * mm, baseline - 1.5, left + 90 * mm, baseline - 1.5)  # a ruled line, blank until archived
        if value:
            _draw(canv, layout, Role.BODY, 12, left + 32 * mm, baseline, value)
    canv.restoreState()
