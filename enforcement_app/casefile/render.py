"""Rendering a case file to PDF in one pass.

Order: cover (封面) → contents (卷内目录) → the documents → closing note sheet (备考表). Only the documents
carry page numbers (bottom right), counted from 1. The contents and the cover's page count are not known
until the documents are laid out, so they are PDF form XObjects: the pages reserve them (the number of
contents pages is fixed by the number of documents) and the canvas defines them at the very end. One
pass keeps the export close to bare reportlab speed. ``invariant=1`` makes the file byte-identical for
the same case.

When the services hand over the agency's signer, the file is then signed as the agency (PAdES, see
:mod:`.signature`) at the case's last event time, so the signed file too is byte-identical for the same case.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial
from io import BytesIO

from reportlab import rl_config
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Frame, NextPageTemplate, PageBreak, PageTemplate, Spacer

from ..services.api import CaseFileData
from .documents import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    DocStart,
    Document,
    Styles,
    _day,
    build_documents,
)
from .fonts import CaseFileFont, find_font
from .signature import sign_case_file
from .single import draw_page_signature, render_only

# Binary streams: reportlab writes images in ASCII85 by default, a quarter larger and slow to encode for
# a file of twenty photos. Every PDF reader and archive format (PDF/A included) takes binary streams.
rl_config.useA85 = 0

ROWS_PER_CONTENTS_PAGE = 22
MARKER = "ecr-casefile/1"
RETENTION_ZH = {"permanent": "永久", "30_years": "30年"}


@dataclass
class Layout:
    """Where each document landed; filled while the pages are laid out."""

    documents: list[Document]
    contents_pages: int
    font: CaseFileFont
    starts: dict[int, int] = field(default_factory=dict)  # document index -> absolute page number
    current: int = -1  # the document being laid out
    closing_page: int = 0

    @property
    def body_offset(self) -> int:
        return 1 + self.contents_pages

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


class _Canvas(Canvas):
    """Defines the reserved forms (contents, cover counts) just before the file is written."""

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


def render_case_file(data: CaseFileData, font: CaseFileFont | None = None) -> RenderedCaseFile:
    font = font or find_font()
    styles = Styles(font)
    documents = build_documents(data, styles)
    layout = Layout(documents, max(1, math.ceil(len(documents) / ROWS_PER_CONTENTS_PAGE)), font)
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
        title=f"{state.title}案卷",
        author=data.agency.name if data.agency else "",
        subject=f"行政处罚案卷 {state.case_no}",
        keywords=f"{MARKER} case={state.id} no={state.case_no} head={','.join(data.heads)} events={len(data.events)} signoffs={signed}",
        creator="enforcement-app",
        producer="enforcement-app (reportlab)",
    )
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM,
                  leftPadding=0, rightPadding=0, topPadding=0, bottomPadding=0, id="body")
    template.addPageTemplates([
        PageTemplate("cover", [frame], onPage=partial(_cover, data=data, layout=layout)),
        PageTemplate("contents", [frame], onPage=partial(_contents_page, layout=layout)),
        PageTemplate("body", [frame], onPage=partial(_page_number, layout=layout), onPageEnd=partial(_page_signature, layout=layout)),
        PageTemplate("closing", [frame], onPage=partial(_closing, data=data, layout=layout)),
    ])
    story: list = [NextPageTemplate("contents"), Spacer(1, 1), PageBreak()]
    for page in range(layout.contents_pages):
        if page == layout.contents_pages - 1:
            story.append(NextPageTemplate("body"))
        story += [Spacer(1, 1), PageBreak()]
    for index, document in enumerate(documents):
        story.append(DocStart(document, index))
        story += document.flowables
        if index == len(documents) - 1:
            story.append(NextPageTemplate("closing"))
        story.append(PageBreak())
    if not documents:
        story.insert(-1, NextPageTemplate("closing"))
    story.append(Spacer(1, 1))
    template.build(story, canvasmaker=partial(_Canvas, layout))
    ranges = tuple((d.title, d.number, *layout.page_range(i)) for i, d in enumerate(documents))
    pdf = buffer.getvalue()
    if data.signer is None:
        return RenderedCaseFile(pdf, layout.closing_page, layout.numbered_pages, ranges, font)
    signed = sign_case_file(pdf, data.signer, max(e.at for e in data.events), reason=f"行政处罚案卷 {state.case_no or state.id}",
                            location=data.agency.area if data.agency else "")
    return RenderedCaseFile(signed, layout.closing_page, layout.numbered_pages, ranges, font, data.signer.fingerprint)


def render_documents(data: CaseFileData, kinds: tuple[str, ...], font: CaseFileFont | None = None) -> bytes:
    """Only the given documents, for handing to the party (e.g. the on-the-spot decision form); no
    cover, contents or page numbers. Deterministic like the case file."""
    font = font or find_font()
    return render_only(data, build_documents(data, Styles(font), kinds), font)


# --- pages drawn on the canvas ---------------------------------------------------------------------------


def _centered(canv: Canvas, font: str, size: float, y: float, text: str) -> None:
    canv.setFont(font, size)
    canv.drawCentredString(PAGE_WIDTH / 2, y, text)


def _fit(canv: Canvas, font: str, size: float, x: float, y: float, text: str, width: float) -> None:
    """Draw text shrunk as needed to fit ``width``."""
    actual = stringWidth(text, font, size)
    if actual > width:
        size = max(5.5, size * width / actual)
    canv.setFont(font, size)
    canv.drawString(x, y, text)


def _cover(canv: Canvas, doc: BaseDocTemplate, *, data: CaseFileData, layout: Layout) -> None:
    font = layout.font.name
    state = data.state
    canv.saveState()
    canv.bookmarkPage("cover")
    canv.addOutlineEntry("封面", "cover", 0)
    _centered(canv, font, 15, PAGE_HEIGHT - 45 * mm, data.agency.name if data.agency else "")
    _centered(canv, font, 30, PAGE_HEIGHT - 75 * mm, "行 政 处 罚 案 卷")
    decision = state.decision or {}
    archive_no = state.archive_no or ""
    rows = [
        ("案件名称", state.title),
        ("案    号", state.case_no or "（未立案）"),
        ("决定书文号", decision.get("document_no", "") or "—"),
        ("执法主体", data.agency.name if data.agency else ""),
        ("承办人员", "、".join(data.officers[h].name for h in state.handlers if h in data.officers)),
        ("立案日期", _day(state.filed_on) if state.filed_on else "—"),
        ("结案日期", _day(state.closed_on) if state.closed_on else "—"),
        ("保管期限", RETENTION_ZH.get(_retention(data), "")),
        ("档    号", archive_no or "—"),
        ("本卷件数、页数", ""),
    ]
    left, width, row_h = 30 * mm, PAGE_WIDTH - 60 * mm, 13 * mm
    top = PAGE_HEIGHT - 100 * mm
    canv.setLineWidth(0.8)
    for n, (label, value) in enumerate(rows):
        y = top - n * row_h
        canv.rect(left, y - row_h, width, row_h)
        canv.line(left + 38 * mm, y - row_h, left + 38 * mm, y)
        _fit(canv, font, 12, left + 4 * mm, y - row_h + 4.5 * mm, label, 32 * mm)
        _fit(canv, font, 12, left + 42 * mm, y - row_h + 4.5 * mm, str(value), width - 46 * mm)
    canv.doForm("cover_counts")  # drawn at the end, when the counts are known
    y = top - len(rows) * row_h - 14 * mm
    _centered(canv, font, 11, y, "全宗号：__________    目录号：__________    案卷号：__________")
    canv.restoreState()


def _contents_page(canv: Canvas, doc: BaseDocTemplate, *, layout: Layout) -> None:
    page = canv.getPageNumber() - 2  # 0-based index among the contents pages
    canv.saveState()
    if page == 0:
        canv.bookmarkPage("contents")
        canv.addOutlineEntry("卷内目录", "contents", 0)
    _centered(canv, layout.font.name, 20, PAGE_HEIGHT - 30 * mm, "卷 内 目 录")
    canv.doForm(f"contents{page}")
    canv.restoreState()


CONTENTS_COLUMNS = (("序号", 11 * mm), ("文书名称", 58 * mm), ("文号", 42 * mm), ("日期", 21 * mm), ("页号", 13 * mm), ("备注", 0))


def _define_forms(canv: Canvas, layout: Layout) -> None:
    font = layout.font.name
    left, top, row_h = MARGIN_LEFT, PAGE_HEIGHT - 42 * mm, 9.5 * mm
    total_width = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    widths = [w or total_width - sum(c[1] for c in CONTENTS_COLUMNS) for _, w in CONTENTS_COLUMNS]
    for page in range(layout.contents_pages):
        canv.beginForm(f"contents{page}")
        canv.setLineWidth(0.7)
        chunk = list(enumerate(layout.documents))[page * ROWS_PER_CONTENTS_PAGE:(page + 1) * ROWS_PER_CONTENTS_PAGE]
        rows = [[c for c, _ in CONTENTS_COLUMNS]]
        for index, document in chunk:
            first, last = layout.page_range(index)
            pages = str(first) if first == last else f"{first}-{last}"
            rows.append([str(index + 1), document.title, document.number, _short_day(document.day), pages, ""])
        for r, row in enumerate(rows):
            y = top - r * row_h
            x = left
            for c, text in enumerate(row):
                canv.rect(x, y - row_h, widths[c], row_h)
                if text:
                    size = 10.5 if r else 11
                    if r == 0 or c in (0, 4):
                        canv.setFont(font, size)
                        canv.drawCentredString(x + widths[c] / 2, y - row_h + 3.3 * mm, text)
                    else:
                        _fit(canv, font, size, x + 1.5 * mm, y - row_h + 3.3 * mm, text, widths[c] - 3 * mm)
                x += widths[c]
        canv.endForm()
    canv.beginForm("cover_counts")
    left, width, row_h = 30 * mm, PAGE_WIDTH - 60 * mm, 13 * mm
    y = PAGE_HEIGHT - 100 * mm - 9 * row_h
    _fit(canv, font, 12, left + 42 * mm, y - row_h + 4.5 * mm,
         f"本卷共 {len(layout.documents)} 件，{layout.numbered_pages} 页", width - 46 * mm)
    canv.endForm()


def _short_day(day) -> str:
    return f"{day.year}.{day.month:02d}.{day.day:02d}" if day else ""


def _page_number(canv: Canvas, doc: BaseDocTemplate, *, layout: Layout) -> None:
    canv.saveState()
    canv.setFont(layout.font.name, 10.5)
    canv.drawRightString(PAGE_WIDTH - MARGIN_RIGHT, 14 * mm, str(canv.getPageNumber() - layout.body_offset))
    canv.restoreState()


def _page_signature(canv: Canvas, doc: BaseDocTemplate, *, layout: Layout) -> None:
    if 0 <= layout.current < len(layout.documents):
        draw_page_signature(canv, layout.font.name, layout.documents[layout.current].page_signer)


def _closing(canv: Canvas, doc: BaseDocTemplate, *, data: CaseFileData, layout: Layout) -> None:
    layout.closing_page = canv.getPageNumber()
    font = layout.font.name
    state = data.state
    canv.saveState()
    canv.bookmarkPage("closing")
    canv.addOutlineEntry("备考表", "closing", 0)
    _centered(canv, font, 20, PAGE_HEIGHT - 35 * mm, "卷 内 备 考 表")
    left, width = MARGIN_LEFT, PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    top, height = PAGE_HEIGHT - 48 * mm, 150 * mm
    canv.setLineWidth(0.8)
    canv.rect(left, top - height, width, height)
    text = canv.beginText(left + 6 * mm, top - 10 * mm)
    text.setFont(font, 12)
    text.setLeading(22)
    lines = [
        "本卷情况说明：",
        f"    本卷共有文件材料 {len(layout.documents)} 件，共 {layout.numbered_pages} 页"
        "（封面、卷内目录、备考表不编页码）。",
        f"    本案全过程记录共 {len(data.events)} 条，记录末端（链头）：",
        *(f"    {head}" for head in data.heads),
        "    可运行“enforcement-cli verify-pdf 本文件”核对本卷与数据库记录是否一致。",
    ]
    if layout.font.note:
        lines.append("    注：本文件未嵌入字体，不符合归档要求。")
    for line in lines:
        if len(line) > 60:
            text.setFont(layout.font.mono if line.startswith("    ") and all(ch in "0123456789abcdef ," for ch in line) else font, 9)
        text.textLine(line)
        text.setFont(font, 12)
    canv.drawText(text)
    handlers = "、".join(data.officers[h].name for h in state.handlers if h in data.officers)
    filed_on = _closing_day(data)
    canv.setFont(font, 12)
    canv.drawString(left + 6 * mm, top - height + 30 * mm, f"立卷人：{handlers}")
    canv.drawString(left + 6 * mm, top - height + 20 * mm, "检查人：")
    canv.drawString(left + 6 * mm, top - height + 10 * mm, f"立卷时间：{filed_on}")
    canv.restoreState()


def _retention(data: CaseFileData) -> str:
    for step in reversed(data.state.steps):
        if step.kind == "archive_case":
            return str(step.payload.get("retention", ""))
    return ""


def _closing_day(data: CaseFileData) -> str:
    for step in reversed(data.state.steps):
        if step.kind == "archive_case":
            return _day(step.day)
    return _day(data.state.closed_on) if data.state.closed_on else ""
