"""Documents one at a time, as they are made: printed on the spot, opened in a viewer, handed to the party.
No cover, contents or page numbers; deterministic like the case file (``invariant=1``)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from io import BytesIO

from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, PageBreak, PageTemplate

from ..domain.handwriting import describe
from ..services.api import CaseFileData
from .documents import (
    MARGIN_BOTTOM,
    MARGIN_LEFT,
    MARGIN_RIGHT,
    MARGIN_TOP,
    PAGE_HEIGHT,
    PAGE_WIDTH,
    Document,
    Styles,
    _day,
    build_documents,
)
from .fonts import CaseFileFont, Role, find_font


@dataclass(frozen=True)
class DocumentEntry:
    """One document of a case as a list shows it; ``kind`` and ``n`` (its place among the documents of its
    kind, from 1) name it for :func:`render_document`."""

    kind: str
    n: int
    title: str
    number: str
    day: str  # as the forms write it
    step: str  # the step it is made from ("" for one made from several)


def list_documents(data: CaseFileData, font: CaseFileFont | None = None) -> list[DocumentEntry]:
    """The documents of the case in the case file's order."""
    seen: dict[str, int] = {}
    out = []
    for d in build_documents(data, Styles(font or find_font())):
        seen[d.kind] = seen.get(d.kind, 0) + 1
        out.append(DocumentEntry(d.kind, seen[d.kind], d.title, d.number, _day(d.day) if d.day else "", d.step))
    return out


def render_document(data: CaseFileData, kind: str, n: int = 1, font: CaseFileFont | None = None) -> bytes:
    """The ``n``-th document of ``kind`` alone. Raises ValueError when the case has no such document."""
    documents = build_documents(data, Styles(font or find_font()), (kind,))
    if not 1 <= n <= len(documents):
        raise ValueError("本案没有所要的文书")
    return render_only(data, [documents[n - 1]], font)


def render_step(data: CaseFileData, step: str, font: CaseFileFont | None = None) -> bytes:
    """The document(s) made from the one step ``step`` (its hash; ``data.draft`` for a record printed before it
    is recorded, with lines to sign on). Raises ValueError when the step makes no document of its own."""
    font = font or find_font()
    return render_only(data, [d for d in build_documents(data, Styles(font)) if d.step == step], font)


class SignerMark(Flowable):
    """Zero-size marker at the top of a document: whose signature goes at the foot of its pages from here on."""

    def __init__(self, signer):
        super().__init__()
        self.signer = signer

    def wrap(self, available_width: float, available_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        pass


def draw_page_signature(canv: Canvas, font: str, signer) -> None:
    """The signature at the foot of a page of a document signed page by page (the interviewee's on each page
    of a 询问笔录): the drawn signature, the scan or refusal it stands for, or a line to sign on."""
    if signer is None:
        return
    label, entry = signer
    canv.saveState()
    canv.setFont(font, 10.5)
    x, y = MARGIN_LEFT, 14 * mm
    canv.drawString(x, y, f"{label}：")
    x += stringWidth(f"{label}：", font, 10.5) + 2 * mm
    if entry is not None and entry.get("how") == "handwritten" and entry.get("png"):
        image = ImageReader(BytesIO(base64.b64decode(entry["png"])))
        w, h = image.getSize()
        height = 9 * mm
        canv.drawImage(image, x, y - 2.5 * mm, width=min(45 * mm, height * w / max(1, h)), height=height, mask="auto")
    elif entry is not None:
        canv.drawString(x, y, describe(entry)[:60])
    else:
        canv.setLineWidth(0.6)
        canv.line(x, y - 1 * mm, x + 45 * mm, y - 1 * mm)
    canv.restoreState()


class _Only(BaseDocTemplate):
    signer = None

    def afterFlowable(self, flowable) -> None:  # noqa: N802 - reportlab API
        if isinstance(flowable, SignerMark):
            self.signer = flowable.signer


def render_only(data: CaseFileData, documents: list[Document], font: CaseFileFont | None = None) -> bytes:
    """``documents`` one after the other, each from a new page."""
    if not documents:
        raise ValueError("本案没有所要的文书")
    font = font or find_font()
    story: list = []
    for n, document in enumerate(documents):
        story += [SignerMark(document.page_signer), *document.flowables]
        if n < len(documents) - 1:
            story.append(PageBreak())
    buffer = BytesIO()
    template = _Only(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
                     topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1, title=documents[0].title,
                     author=data.agency.name if data.agency else "", subject=data.state.case_no, creator="enforcement-app",
                     initialFontName=font.name, initialFontSize=12)
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT, PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM, id="body")
    template.addPageTemplates([PageTemplate("only", [frame], onPageEnd=lambda canv, doc: draw_page_signature(canv, font.face(Role.HEADING), doc.signer))])
    template.build(story)
    return buffer.getvalue()
