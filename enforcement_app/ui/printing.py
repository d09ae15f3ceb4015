"""Printing a document at the moment it is made, or opening it in the system's PDF viewer.

The PDF is made in the worker (the services and the case-file builder); only the asking and the painting
happen here, on the GUI thread. A printer that writes a PDF file (Qt's "print to file") gets the document's
own bytes, so the file keeps its text and is byte-identical to the case file's rendering of it; a real
printer gets the pages rendered as images at its resolution (PDFium, in the worker) and painted onto it.
"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QRect, QUrl
from PySide6.QtGui import QDesktopServices, QImage, QPainter
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import QDialog, QWidget

A4_HEIGHT_INCHES = 297 / 25.4
MAX_DPI = 300  # enough for text and a signature line; a 1200-dpi printer would otherwise ask for 14,000-pixel pages
_folder: Path | None = None


def handed_out_folder() -> Path:
    """One folder of this run for the files handed to the system's programs (a PDF viewer, an evidence file's
    player): they read them after we return, so they stay until the program ends."""
    global _folder
    if _folder is None:
        _folder = Path(tempfile.mkdtemp(prefix="ecr-handed-out-"))
        atexit.register(shutil.rmtree, _folder, True)
    return _folder


def open_in_viewer(pdf: bytes, name: str) -> Path:
    """Write ``pdf`` to a temporary file named after the document and open it in the system's viewer."""
    safe = "".join(ch for ch in name if ch not in '\\/:*?"<>|').strip() or "document"
    path = Path(tempfile.mkstemp(prefix=f"{safe}-", suffix=".pdf", dir=handed_out_folder())[1])
    path.write_bytes(pdf)
    QDesktopServices.openUrl(QUrl.fromLocalFile(str(path)))
    return path


def ask_printer(parent: QWidget | None, title: str, make_dialog: Callable[..., QPrintDialog] = QPrintDialog) -> QPrinter | None:
    """Qt's print dialog; the printer chosen, or None when cancelled. ``make_dialog`` is injectable so tests
    answer it without a window."""
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setDocName(title)
    printer.setFullPage(True)  # the PDF's pages carry their own margins
    dialog = make_dialog(printer, parent)
    dialog.setWindowTitle(title)
    return printer if dialog.exec() == QDialog.DialogCode.Accepted else None


def writes_pdf(printer: QPrinter) -> bool:
    """Whether the printer writes a PDF file (then it gets the document's bytes, not pictures of them)."""
    return printer.outputFormat() == QPrinter.OutputFormat.PdfFormat and bool(printer.outputFileName())


def raster_height(printer: QPrinter) -> int:
    """The pixel height of an A4 page at the printer's resolution, at most :data:`MAX_DPI` (what the worker
    renders pages at; painting scales them to the sheet)."""
    return round(A4_HEIGHT_INCHES * min(printer.resolution(), MAX_DPI))


def print_document(printer: QPrinter, pdf: bytes, pages: list[bytes]) -> None:
    """Send the document to ``printer``: its bytes to a PDF file, else ``pages`` (PNG images of its pages)."""
    if writes_pdf(printer):
        Path(printer.outputFileName()).write_bytes(pdf)
    else:
        paint_pages(printer, pages)


def paint_pages(printer: QPrinter, pages: list[bytes]) -> int:
    """Paint ``pages`` (PNG images) one per sheet, scaled to the sheet keeping their proportions; returns how
    many. Raises OSError when the printer cannot be opened."""
    painter = QPainter()
    if not painter.begin(printer):
        raise OSError("无法开始打印：打印机不可用")
    try:
        for n, data in enumerate(pages):
            if n:
                printer.newPage()
            image = QImage.fromData(data, "PNG")
            sheet = printer.pageLayout().fullRectPixels(printer.resolution())
            scale = min(sheet.width() / image.width(), sheet.height() / image.height())
            w, h = round(image.width() * scale), round(image.height() * scale)
            painter.drawImage(QRect((sheet.width() - w) // 2, (sheet.height() - h) // 2, w, h), image)
    finally:
        painter.end()
    return len(pages)
