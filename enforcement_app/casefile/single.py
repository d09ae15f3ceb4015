"""Documents one at a time, as they are made: printed on the spot, opened in a viewer, handed to the party.
No cover, contents or page numbers; deterministic like the case file (``invariant=1``)."""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from reportlab.platypus import PageBreak, SimpleDocTemplate

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
from .fonts import CaseFileFont, find_font


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
    return render_only(data, [documents[n - 1]])


def render_step(data: CaseFileData, step: str, font: CaseFileFont | None = None) -> bytes:
    """The document(s) made from the one step ``step`` (its hash; ``data.draft`` for a record printed before it
    is recorded, with lines to sign on). Raises ValueError when the step makes no document of its own."""
    return render_only(data, [d for d in build_documents(data, Styles(font or find_font())) if d.step == step])


def render_only(data: CaseFileData, documents: list[Document]) -> bytes:
    """``documents`` one after the other, each from a new page."""
    if not documents:
        raise ValueError("本案没有所要的文书")
    story: list = []
    for n, document in enumerate(documents):
        story += document.flowables
        if n < len(documents) - 1:
            story.append(PageBreak())
    buffer = BytesIO()
    SimpleDocTemplate(buffer, pagesize=(PAGE_WIDTH, PAGE_HEIGHT), leftMargin=MARGIN_LEFT, rightMargin=MARGIN_RIGHT,
                      topMargin=MARGIN_TOP, bottomMargin=MARGIN_BOTTOM, invariant=1, title=documents[0].title,
                      author=data.agency.name if data.agency else "", subject=data.state.case_no,
                      creator="enforcement-app").build(story)
    return buffer.getvalue()
