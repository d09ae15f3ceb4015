"""The evidence of a case as a gallery: a tile per item in the order the evidence came to be (a photo when it was
taken, anything else when it was collected), with its kind, collector, time, place and what it proves; a
picture opens at full size in :class:`EvidenceViewer`, a recording or a document in the system's player or viewer.

Thumbnails are made off the GUI thread (:class:`Thumbnails`: a thread pool of its own, so that making forty of
them never holds up the services' worker, whose jobs run one at a time) and handed back as ``QImage`` through a
queued signal; the GUI thread only paints them. They are cached in memory by the file's SHA-256: an evidence
file never changes under its hash, so a thumbnail never goes stale, and two cases holding the same file share
it. They are not written to disk: the evidence is the parties' identity cards and premises, and a cache folder
outside the evidence store would keep copies of it that no backup, permission or removal of the store covers.
"""

from __future__ import annotations

import html
import os
import shutil
import struct
import wave
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QPoint, QRect, QRunnable, QSize, Qt, QThreadPool, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QDesktopServices,
    QFont,
    QGuiApplication,
    QImage,
    QImageIOHandler,
    QImageReader,
    QKeySequence,
    QPainter,
    QPen,
    QShortcut,
)
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QListView,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QStyle,
    QStyledItemDelegate,
    QVBoxLayout,
    QWidget,
)

from ..domain.evidence_media import is_picture, is_recording, recorded_steps
from ..domain.labels import EVIDENCE_KIND_ZH
from .i18n import tr
from .printing import handed_out_folder

THUMBNAIL = QSize(320, 240)  # what a thumbnail is made at (about twice the tile's picture: sharp on a HiDPI screen)
TILE_WIDTHS = (190, 280)  # a tile's narrowest and widest: the gallery's width is shared by as many as fit
CAPTION_LINES = 5
FULL_SIZE_LIMIT = 4096  # a picture opens at most this many pixels on its long side (enough to fill a 4K screen)
CACHED = 400  # thumbnails kept in memory (about 300 KB each)


@dataclass(frozen=True)
class Tile:
    """What a tile shows of one evidence item, read from the case's state (GUI thread, no file opened)."""

    sha256: str
    path: str  # the file in the evidence store ('' when it is not on this machine)
    media_type: str
    original_name: str
    kind: str  # the kind's Chinese name
    description: str
    when: str  # 'YYYY-MM-DD HH:MM': taken (a photo) or collected
    collector: str
    place: str
    proves: str
    records: str  # the steps a recording records, by name

    @property
    def picture(self) -> bool:
        return is_picture(self.media_type)

    @property
    def recording(self) -> bool:
        return is_recording(self.media_type)

    @property
    def video(self) -> bool:
        return self.media_type.startswith("video/")

    def text(self) -> str:
        """Every particular, for the tooltip and the line under the gallery."""
        parts = [f"{self.kind}：{self.description}", f"{tr('EvidenceGallery', 'Time')}：{self.when}",
                 f"{tr('EvidenceGallery', 'Collected by')}：{self.collector}"]
        if self.place:
            parts.append(f"{tr('EvidenceGallery', 'Place')}：{self.place}")
        if self.proves:
            parts.append(f"{tr('EvidenceGallery', 'Proves')}：{self.proves}")
        if self.records:
            parts.append(f"{tr('EvidenceGallery', 'Recording of')}：{self.records}")
        parts.append(f"{self.original_name}　SHA-256：{self.sha256}")
        return "\n".join(parts)


def tiles(evidence: list[Mapping[str, Any]], files: Mapping[str, Any], names: Mapping[str, str],
          step_names: Mapping[str, str]) -> list[Tile]:
    """The case's evidence items as tiles, in the order they came to be: a photo by when it was taken, any other
    item by when it was collected; items of the same minute in the order they were registered."""
    made = []
    for n, e in enumerate(evidence):
        when = str(e.get("taken_at") or e.get("collected_at") or "")[:16].replace("T", " ")
        sha = str(e.get("sha256", ""))
        made.append((when, n, Tile(
            sha256=sha, path=str(files.get(sha, "") or ""), media_type=str(e.get("media_type", "")),
            original_name=str(e.get("original_name", "")),
            kind=EVIDENCE_KIND_ZH.get(str(e.get("kind")), str(e.get("kind", ""))), description=str(e.get("description", "")),
            when=when, collector=str(e.get("taken_by") or "、".join(names.get(o, o) for o in e.get("collected_by") or ())),
            place=str(e.get("taken_place") or e.get("place") or ""), proves=str(e.get("proves", "")),
            records="、".join(step_names.get(h, h[:12]) for h in recorded_steps(e)))))
    return [tile for _when, _n, tile in sorted(made, key=lambda t: (t[0], t[1]))]


# --- making thumbnails, off the GUI thread -----------------------------------------------------------------


@dataclass(frozen=True)
class Thumbnail:
    image: QImage | None  # None: no picture (a recording, a document, a picture this machine cannot read)
    duration: float | None = None  # seconds, for a recording whose length is cheap to read
    original: QSize = field(default_factory=QSize)  # a picture's own size, upright (invalid when unknown)


def make_thumbnail(path: str, media_type: str) -> Thumbnail:
    """A thumbnail of the file (at most :data:`THUMBNAIL`, upright as its EXIF says, never enlarged), or the
    duration of a recording. Runs in a pool thread: ``QImage`` and ``QImageReader`` are safe there."""
    if is_recording(media_type):
        return Thumbnail(None, duration_of(path, media_type))
    if not is_picture(media_type):
        return Thumbnail(None)
    image, original = read_image(path, THUMBNAIL)
    return Thumbnail(image, None, original)


def read_image(path: str, bound: QSize) -> tuple[QImage | None, QSize]:
    """The picture in ``path`` scaled down (decoded at that size where the format allows it) to fit ``bound``,
    keeping its proportions and turned upright, and its own size upright; None and an invalid size when it
    cannot be read (a format without a plug-in here, such as HEIC)."""
    reader = QImageReader(path)
    reader.setDecideFormatFromContent(True)  # store files are named by their hash: no suffix to go by
    reader.setAutoTransform(True)
    size = reader.size()  # as stored: a phone's portrait photo is stored landscape, with an EXIF turn
    turned = bool(reader.transformation() & QImageIOHandler.Transformation.TransformationRotate90)
    if size.isValid():
        stored_bound = bound.transposed() if turned else bound
        if size.width() > stored_bound.width() or size.height() > stored_bound.height():
            reader.setScaledSize(size.scaled(stored_bound, Qt.AspectRatioMode.KeepAspectRatio))
    image = reader.read()
    if image.isNull():
        return None, QSize()
    return image, (size.transposed() if turned else size) if size.isValid() else image.size()


def duration_of(path: str, media_type: str) -> float | None:
    """The length in seconds of a WAV file or of an MP4/MOV/M4A/3GP file (from its ``mvhd`` box), read from a few
    headers; None for other formats (an MP3's length needs its frames counted) or a file that does not say."""
    try:
        if media_type in ("audio/wav", "audio/x-wav"):
            with wave.open(path, "rb") as w:
                return w.getnframes() / w.getframerate() if w.getframerate() else None
        if media_type in ("video/mp4", "video/quicktime", "audio/mp4", "video/3gpp", "audio/3gpp"):
            with open(path, "rb") as fh:
                return _mp4_duration(fh, os.fstat(fh.fileno()).st_size)
    except (OSError, EOFError, wave.Error, struct.error):
        return None
    return None


def _mp4_duration(fh, end: int) -> float | None:
    """Walk the ISO media boxes to ``moov/mvhd``, skipping the others (the media data) by seeking."""
    start = fh.tell()
    while start + 8 <= end:
        fh.seek(start)
        size, box = struct.unpack(">I4s", fh.read(8))
        header = 8
        if size == 1:
            size, header = struct.unpack(">Q", fh.read(8))[0], 16
        elif size == 0:
            size = end - start
        if size < header:
            return None
        if box == b"moov":
            fh.seek(start + header)
            return _mp4_duration(fh, start + size)
        if box == b"mvhd":
            version = fh.read(4)[0]
            if version == 1:
                fh.read(16)
                timescale, duration = struct.unpack(">IQ", fh.read(12))
            else:
                fh.read(8)
                timescale, duration = struct.unpack(">II", fh.read(8))
            return duration / timescale if timescale else None
        start += size
    return None


def format_duration(seconds: float) -> str:
    total = round(seconds)
    hours, rest = divmod(total, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class _Relay(QObject):
    """Lives on the GUI thread; a pool thread emits through it, so the slot runs on the GUI thread (queued)."""

    done = Signal(str, object)


class _Job(QRunnable):
    def __init__(self, key: str, make: Callable[[], Any], relay: _Relay):
        super().__init__()
        self.key, self.make, self.relay = key, make, relay

    def run(self) -> None:
        try:
            result = self.make()
        except Exception:  # noqa: BLE001 - a file that cannot be read shows as a tile without a picture
            result = None
        self.relay.done.emit(self.key, result)


class Thumbnails(QObject):
    """Thumbnails made in a pool of threads of its own and kept in memory by SHA-256 (see the module's docstring).
    Used from the GUI thread: :meth:`get` answers from the cache, :meth:`request` queues what is missing, and
    :attr:`made` says when a thumbnail has arrived."""

    made = Signal(str)  # the SHA-256 of the file whose thumbnail arrived

    def __init__(self, parent: QObject | None = None):
        super().__init__(parent)
        self.pool = QThreadPool(self)
        self.pool.setMaxThreadCount(2)  # the services' worker keeps a core
        self.cache: OrderedDict[str, Thumbnail] = OrderedDict()
        self._queued: set[str] = set()
        self._relay = _Relay(self)
        self._relay.done.connect(self._arrived)
        self.make = make_thumbnail  # what makes one (the tests count and time the calls)

    def get(self, sha256: str) -> Thumbnail | None:
        thumbnail = self.cache.get(sha256)
        if thumbnail is not None:
            self.cache.move_to_end(sha256)
        return thumbnail

    def request(self, sha256: str, path: str, media_type: str) -> None:
        if not path or sha256 in self.cache or sha256 in self._queued:
            return
        self._queued.add(sha256)
        make = self.make
        self.pool.start(_Job(sha256, lambda: make(path, media_type), self._relay))

    def load_full(self, path: str, done: Callable[[QImage | None], None]) -> None:
        """The whole picture (at most :data:`FULL_SIZE_LIMIT` on its long side), read in the pool; ``done`` gets it
        on the GUI thread."""
        relay = _Relay(self)

        def arrived(_key: str, image: Any) -> None:
            relay.deleteLater()
            done(image)

        relay.done.connect(arrived)
        self.pool.start(_Job(path, lambda: read_image(path, QSize(FULL_SIZE_LIMIT, FULL_SIZE_LIMIT))[0], relay))

    def _arrived(self, sha256: str, thumbnail: Any) -> None:
        self._queued.discard(sha256)
        self.cache[sha256] = thumbnail if isinstance(thumbnail, Thumbnail) else Thumbnail(None)
        while len(self.cache) > CACHED:
            self.cache.popitem(last=False)
        self.made.emit(sha256)

    def wait(self, msecs: int = 30_000) -> bool:
        return self.pool.waitForDone(msecs)


_shared: Thumbnails | None = None


def thumbnails() -> Thumbnails:
    """The one cache of the program (an evidence file is the same in every case that holds it)."""
    global _shared
    if _shared is None:
        _shared = Thumbnails(QGuiApplication.instance())
    return _shared


# --- opening a file in the system's player or viewer ---------------------------------------------------------

def copy_for_opening(path: str, original_name: str) -> Path:
    """A copy of a store file under its original name's suffix, for the system's player (the store names files by
    their hash alone, which no player recognises). Copied, not linked: a player may write beside what it opens,
    and the store's file stays read-only and untouched. Runs off the GUI thread (a video is gigabytes)."""
    suffix = Path(original_name).suffix.lower()
    stem = "".join(ch for ch in Path(original_name).stem if ch not in '\\/:*?"<>|').strip() or "evidence"
    target = handed_out_folder() / Path(path).name[:16] / f"{stem}{suffix}"
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(target.name + ".part")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
    return target


def open_with_system(path: str, original_name: str, pool: Thumbnails, report: Callable[[str], None]) -> None:
    """Copy the file out (in the pool) and open the copy with the program the system gives its kind."""
    relay = _Relay(pool)

    def copied(_key: str, target: Any) -> None:
        relay.deleteLater()
        if target is None:
            report(tr("EvidenceGallery", "The file could not be copied out of the evidence store to be opened."))
            return
        QDesktopServices.openUrl(QUrl.fromLocalFile(str(target)))
        report(tr("EvidenceGallery", "Opened “%1” with the system's program.").replace("%1", original_name))

    relay.done.connect(copied)
    report(tr("EvidenceGallery", "Preparing “%1” to be opened…").replace("%1", original_name))
    pool.pool.start(_Job(path, lambda: copy_for_opening(path, original_name), relay))


# --- the gallery ----------------------------------------------------------------------------------------------


class _TileDelegate(QStyledItemDelegate):
    """Paints a tile: the thumbnail fitted into its picture area (or a placeholder saying what the item is), then
    the kind and time, the description, the collector, the place and what it proves, each on a line of its own."""

    def __init__(self, gallery: EvidenceGallery):
        super().__init__(gallery)
        self.gallery = gallery

    def sizeHint(self, option, index) -> QSize:  # noqa: N802 - Qt API
        return self.gallery.tile_size

    def paint(self, painter: QPainter, option, index) -> None:
        tile: Tile = index.data(Qt.ItemDataRole.UserRole)
        if tile is None:
            return
        r = option.rect.adjusted(4, 4, -4, -4)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.setPen(QPen(QColor("#1565c0"), 2) if selected else QPen(QColor("#d5dde6"), 1))
        painter.setBrush(QColor("#e8f0fb") if selected else QColor("white"))
        painter.drawRoundedRect(r, 4, 4)
        box = QRect(r.left() + 6, r.top() + 6, r.width() - 12, self.gallery.picture_height)
        self._picture(painter, box, tile)
        font = QFont(option.font)
        font.setPointSizeF(max(7.5, font.pointSizeF() - 1))
        painter.setFont(font)
        metrics = painter.fontMetrics()
        left, width, y = r.left() + 6, r.width() - 12, box.bottom() + 6
        # the kind, and when on the same line, right-aligned: the time is never cut, the kind gives way
        when_width = metrics.horizontalAdvance(tile.when) + 4
        painter.setPen(QColor("#546e7a"))
        painter.drawText(QRect(left + width - when_width, y, when_width, metrics.height()), Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, tile.when)
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(QColor("#1a3a5c"))
        painter.drawText(QRect(left, y, width - when_width - 4, metrics.height()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                         painter.fontMetrics().elidedText(tile.kind, Qt.TextElideMode.ElideRight, width - when_width - 4))
        font.setBold(False)
        painter.setFont(font)
        y += metrics.height() + 1
        lines = [(tile.description, "#212121"), (f"{tr('EvidenceGallery', 'By')} {tile.collector}", "#546e7a"),
                 (f"{tr('EvidenceGallery', 'At')} {tile.place}" if tile.place else "", "#546e7a"),
                 (f"{tr('EvidenceGallery', 'Recording of')} {tile.records}" if tile.records else
                  f"{tr('EvidenceGallery', 'Proves')} {tile.proves}" if tile.proves else "", "#546e7a")]
        for text, color in lines:
            if not text:
                continue
            painter.setPen(QColor(color))
            painter.drawText(QRect(left, y, width, metrics.height()), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                             metrics.elidedText(text, Qt.TextElideMode.ElideRight, width))
            y += metrics.height() + 1
        painter.restore()

    def _picture(self, painter: QPainter, box: QRect, tile: Tile) -> None:
        thumbnail = self.gallery.thumbnails.get(tile.sha256)
        if thumbnail is not None and thumbnail.image is not None:
            image = thumbnail.image
            fitted = image.size().scaled(box.size(), Qt.AspectRatioMode.KeepAspectRatio)
            if image.width() <= box.width() and image.height() <= box.height():
                fitted = image.size()  # a small picture is not blown up
            target = QRect(QPoint(box.left() + (box.width() - fitted.width()) // 2, box.top() + (box.height() - fitted.height()) // 2), fitted)
            painter.fillRect(box, QColor("#eceff1"))
            painter.drawImage(target, image)
            return
        painter.fillRect(box, QColor("#263238") if tile.recording else QColor("#eceff1"))
        if tile.recording:
            glyph = "▶" if tile.video else "♪"
            kind = tr("EvidenceGallery", "Video") if tile.video else tr("EvidenceGallery", "Audio")
            length = f"　{format_duration(thumbnail.duration)}" if thumbnail is not None and thumbnail.duration else ""
            caption, color = f"{kind}{length}", QColor("white")
        elif not tile.path:
            glyph, caption, color = "?", tr("EvidenceGallery", "File not on this machine"), QColor("#b71c1c")
        elif tile.picture and thumbnail is None:
            glyph, caption, color = "…", tr("EvidenceGallery", "Making the thumbnail…"), QColor("#78909c")
        elif tile.picture:
            glyph, caption, color = "🖼", tr("EvidenceGallery", "Cannot be shown here (%1)").replace(
                "%1", Path(tile.original_name).suffix.lstrip(".").upper() or tile.media_type), QColor("#78909c")
        else:
            glyph, caption, color = "📄", Path(tile.original_name).suffix.lstrip(".").upper() or tr("EvidenceGallery", "File"), QColor("#546e7a")
        painter.setPen(color)
        big = QFont(painter.font())
        big.setPointSize(30)
        painter.setFont(big)
        painter.drawText(box.adjusted(0, 0, 0, -30), Qt.AlignmentFlag.AlignCenter, glyph)
        small = QFont(painter.font())
        small.setPointSize(9)
        painter.setFont(small)
        painter.drawText(box.adjusted(4, box.height() - 34, -4, -4), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, caption)


class EvidenceGallery(QListWidget):
    """The case's evidence as tiles in time order; files dropped here are offered for registration; a double
    click opens the item (:attr:`opened` with its :class:`Tile`)."""

    dropped = Signal(list)
    opened = Signal(object)

    def __init__(self, pool: Thumbnails | None = None, parent=None):
        super().__init__(parent)
        self.setObjectName("evidence_list")
        self.thumbnails = pool or thumbnails()
        self.setViewMode(QListView.ViewMode.IconMode)
        self.setFlow(QListView.Flow.LeftToRight)
        self.setWrapping(True)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setMovement(QListView.Movement.Static)
        self.setUniformItemSizes(True)
        self.setSpacing(0)  # the tiles keep their own margin (see _TileDelegate.paint)
        self.tile_size = QSize(TILE_WIDTHS[0], 240)
        self.picture_height = 132
        self.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.setItemDelegate(_TileDelegate(self))
        self.setAcceptDrops(True)
        self.setMouseTracking(True)
        self.tiles: list[Tile] = []
        self.thumbnails.made.connect(self._arrived)
        self.itemActivated.connect(lambda item: self.opened.emit(item.data(Qt.ItemDataRole.UserRole)))

    def show_tiles(self, shown: list[Tile]) -> None:
        self.clear()
        self.tiles = list(shown)
        for tile in self.tiles:
            item = QListWidgetItem()
            item.setData(Qt.ItemDataRole.UserRole, tile)
            item.setToolTip(tile.text())
            self.addItem(item)
            if tile.picture or tile.recording:
                self.thumbnails.request(tile.sha256, tile.path, tile.media_type)

    def tile(self, row: int) -> Tile:
        return self.tiles[row]

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """Share the width among as many tiles as fit at their narrowest (none wider than their widest); the picture
        keeps 4:3 and the caption its lines."""
        width = max(TILE_WIDTHS[0], self.viewport().width() - 2)
        columns = max(1, width // TILE_WIDTHS[0])
        tile_width = min(TILE_WIDTHS[1], width // columns)
        self.picture_height = (tile_width - 20) * 3 // 4
        line = self.fontMetrics().height()  # the caption's font is a point smaller: this leaves its spacing
        size = QSize(tile_width, self.picture_height + 24 + CAPTION_LINES * line)
        if size != self.tile_size:
            self.tile_size = size
            self.setGridSize(size)
        super().resizeEvent(event)

    def _arrived(self, sha256: str) -> None:
        for row, tile in enumerate(self.tiles):
            if tile.sha256 == sha256:
                self.update(self.indexFromItem(self.item(row)))

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802 - Qt API
        item = self.itemAt(event.position().toPoint())
        if item is not None:
            self.opened.emit(item.data(Qt.ItemDataRole.UserRole))
            event.accept()
            return
        super().mouseDoubleClickEvent(event)

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt API
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dragMoveEvent(self, event) -> None:  # noqa: N802
        if event.mimeData().hasUrls():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802
        paths = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            self.dropped.emit(paths)
            event.acceptProposedAction()


# --- the viewer ------------------------------------------------------------------------------------------------


VIEWER_CHROME = QSize(40, 130)  # the viewer's room beside and below the picture: margins, caption, buttons


def viewer_size(available: QSize, picture: QSize, chrome: QSize = VIEWER_CHROME) -> QSize:
    """The viewer's size on a screen whose free area is ``available``: the picture at its size plus the room of the
    caption and buttons (``chrome``), shrunk to fit within the area less a margin for the window's frame and
    title, never below a size that reads (or the area, if smaller)."""
    room = QSize(max(320, available.width() - 48), max(240, available.height() - 64))
    wanted = QSize(picture.width() + chrome.width(), picture.height() + chrome.height()) if picture.isValid() else room
    least = QSize(min(640, room.width()), min(480, room.height()))
    return wanted.boundedTo(room).expandedTo(least)


def fitted(picture: QSize, area: QRect) -> QRect:
    """Where a picture of size ``picture`` is painted in ``area``: as large as fits, proportions kept (never
    cropped, never stretched), centred; not enlarged beyond its own size."""
    if not picture.isValid() or picture.isEmpty():
        return QRect()
    size = picture if picture.width() <= area.width() and picture.height() <= area.height() else \
        picture.scaled(area.size(), Qt.AspectRatioMode.KeepAspectRatio)
    return QRect(QPoint(area.left() + (area.width() - size.width()) // 2, area.top() + (area.height() - size.height()) // 2), size)


class PictureView(QWidget):
    """Paints one picture fitted into the widget (see :func:`fitted`)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("evidence_picture")
        self.image: QImage | None = None
        self.original = QSize()  # the picture's own size (the image shown may be a thumbnail of it until it loads)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(240, 180)

    def show_image(self, image: QImage | None, original: QSize | None = None) -> None:
        self.image = image
        self.original = original or (image.size() if image is not None else QSize())
        self.update()

    def shown_rect(self) -> QRect:
        """Where the picture is painted now: fitted as its own size would be, the image drawn into that rect."""
        if self.image is None:
            return QRect()
        return fitted(self.original if self.original.isValid() else self.image.size(), self.rect().adjusted(4, 4, -4, -4))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("#37474f"))
        if self.image is not None:
            painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            painter.drawImage(self.shown_rect(), self.image)
        painter.end()


class EvidenceViewer(QDialog):
    """A picture of the case's evidence at full size, fitted to the window (proportions kept, never cropped), with
    its particulars; ←/→ go to the previous and next picture in the gallery's order."""

    def __init__(self, tiles_: list[Tile], index: int, pool: Thumbnails, parent=None):
        super().__init__(parent)
        self.setObjectName("evidence_viewer")
        self.pictures = [t for t in tiles_ if t.picture]
        self.pool = pool
        self.index = max(0, min(index, len(self.pictures) - 1))
        layout = QVBoxLayout(self)
        self.view = PictureView()
        layout.addWidget(self.view, 1)
        self.caption = QLabel()
        self.caption.setObjectName("viewer_caption")
        self.caption.setWordWrap(True)
        self.caption.setTextFormat(Qt.TextFormat.RichText)
        self.caption.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.caption)
        buttons = QHBoxLayout()
        self.previous = QPushButton(tr("EvidenceGallery", "← Previous"))
        self.previous.setObjectName("viewer_previous")
        self.previous.clicked.connect(lambda: self.go(-1))
        self.following = QPushButton(tr("EvidenceGallery", "Next →"))
        self.following.setObjectName("viewer_next")
        self.following.clicked.connect(lambda: self.go(1))
        self.system = QPushButton(tr("EvidenceGallery", "Open in the system's viewer"))
        self.system.setObjectName("viewer_system")
        self.system.clicked.connect(self._open_with_system)
        close = QPushButton(tr("EvidenceGallery", "Close"))
        close.setObjectName("viewer_close")
        close.clicked.connect(self.accept)
        for button in (self.previous, self.following, self.system):
            button.setAutoDefault(False)  # Enter closes the viewer; it never steps to another picture
        close.setDefault(True)
        for button in (self.previous, self.following):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.system)
        buttons.addWidget(close)
        layout.addLayout(buttons)
        self.status = QLabel()
        self.status.setObjectName("viewer_status")
        self.status.setStyleSheet("color:#607d8b;")
        buttons.insertWidget(2, self.status)
        QShortcut(QKeySequence(Qt.Key.Key_Left), self, activated=lambda: self.go(-1))
        QShortcut(QKeySequence(Qt.Key.Key_Right), self, activated=lambda: self.go(1))
        self.loaded: QImage | None = None
        self._show()

    def fit_to_screen(self, area: QRect | None = None) -> None:
        """Size the window to the picture, within the free area of its screen (or ``area``), and centre it there."""
        if area is None:
            screen = (self.parentWidget().screen() if self.parentWidget() is not None else None) or QGuiApplication.primaryScreen()
            area = screen.availableGeometry()
        size = viewer_size(area.size(), self._original())
        self.resize(size)
        self.move(area.left() + (area.width() - size.width()) // 2, area.top() + (area.height() - size.height()) // 2)

    def _original(self) -> QSize:
        """The shown picture's own size, as its thumbnail learnt it (invalid before it is made: the viewer then
        takes the whole free area)."""
        if not self.pictures:
            return QSize()
        thumbnail = self.pool.get(self.pictures[self.index].sha256)
        return thumbnail.original if thumbnail is not None else QSize()

    def go(self, step: int) -> None:
        if 0 <= self.index + step < len(self.pictures):
            self.index += step
            self._show()

    def _show(self) -> None:
        if not self.pictures:
            return
        tile = self.pictures[self.index]
        self.setWindowTitle(f"{tile.kind}：{tile.description}（{self.index + 1}/{len(self.pictures)}）")
        e = html.escape
        self.caption.setText(f"<b>{e(tile.kind)}：{e(tile.description)}</b>　{e(tile.when)}　{e(tile.collector)}"
                             + (f"　{e(tile.place)}" if tile.place else "")
                             + (f"<br/>{tr('EvidenceGallery', 'Proves')}：{e(tile.proves)}" if tile.proves else "")
                             + f"<br/><span style='color:#607d8b'>{e(tile.original_name)}　SHA-256：<tt>{e(tile.sha256)}</tt></span>")
        self.previous.setEnabled(self.index > 0)
        self.following.setEnabled(self.index < len(self.pictures) - 1)
        self.loaded = None
        thumbnail = self.pool.get(tile.sha256)
        original = self._original()
        self.view.show_image(thumbnail.image if thumbnail else None, original if original.isValid() else None)
        if not tile.path:
            self.status.setText(tr("EvidenceGallery", "The file is not on this machine."))
            return
        self.status.setText(tr("EvidenceGallery", "Loading the picture…"))
        shown = tile.sha256

        def arrived(image: QImage | None) -> None:
            if not self.pictures or self.pictures[self.index].sha256 != shown:
                return  # the user has gone on to another picture
            if image is None:
                self.status.setText(tr("EvidenceGallery", "This picture cannot be shown here; open it in the system's viewer."))
                return
            self.loaded = image
            self.view.show_image(image, original if original.isValid() else image.size())
            size = original if original.isValid() else image.size()
            self.status.setText(f"{size.width()}×{size.height()}")

        self.pool.load_full(tile.path, arrived)

    def _open_with_system(self) -> None:
        if self.pictures:
            tile = self.pictures[self.index]
            open_with_system(tile.path, tile.original_name, self.pool, self.status.setText)
