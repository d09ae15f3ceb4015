"""Case files (案卷) as PDF: documents in legal order, contents with page ranges, the process record with
its chain head and QR code, and the evaluation sheet. Built on the services' read API; no SQL here."""

from .fonts import CaseFileFont, find_font
from .render import MARKER, RenderedCaseFile, render_case_file, render_documents
from .single import DocumentEntry, list_documents, render_document, render_step
from .verify import PdfCheck, read_marker, verify_pdf

__all__ = [
    "MARKER",
    "CaseFileFont",
    "DocumentEntry",
    "PdfCheck",
    "RenderedCaseFile",
    "find_font",
    "list_documents",
    "read_marker",
    "render_case_file",
    "render_document",
    "render_documents",
    "render_step",
    "verify_pdf",
]
