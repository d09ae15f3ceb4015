"""Capturing who signed a 笔录 or a receipt: a signature pad (mouse, touch and pen, with pressure where the
device gives it) under the exact text being signed, a scan of the signed paper chosen from the case's
evidence, or a refusal with its time, reason and witness. See :mod:`..domain.handwriting`."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPen, QTabletEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from ..domain.handwriting import HOW_ZH, SIGNER_ZH, describe, handwritten_entry, signed_text
from .i18n import tr

PAD_WIDTH, PAD_HEIGHT = 480, 160
AddScan = Callable[[str, str, Callable[[str, str], None]], None]
"""Registers a file (path) as evidence of the case for a signer (who, e.g. 被询问人黄某), then calls back with
its SHA-256 and description."""


class SignaturePad(QWidget):
    """Draw with the mouse, a finger or a pen; ``strokes`` holds [x, y, pressure, ms] per point."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("signature_pad")
        self.setFixedSize(PAD_WIDTH, PAD_HEIGHT)
        self.setAttribute(Qt.WidgetAttribute.WA_AcceptTouchEvents)  # touch arrives as synthesized mouse events
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.strokes: list[list[list[float]]] = []
        self._started = time.monotonic()
        self._pen_down = False

    def clear(self) -> None:
        self.strokes = []
        self.update()

    def _point(self, position: QPointF, pressure: float) -> list[float]:
        x = min(max(position.x(), 0.0), PAD_WIDTH - 1.0)
        y = min(max(position.y(), 0.0), PAD_HEIGHT - 1.0)
        return [round(x, 1), round(y, 1), round(max(0.0, min(1.0, pressure)), 2), int((time.monotonic() - self._started) * 1000)]

    # a pen gives its pressure through tablet events; Qt turns unhandled ones into mouse events, so a pen
    # stroke is taken here and the mouse event that follows it is ignored
    def tabletEvent(self, event: QTabletEvent) -> None:  # noqa: N802 - Qt's name
        kind = event.type()
        if kind == QTabletEvent.Type.TabletPress:
            self._pen_down = True
            self.strokes.append([self._point(event.position(), event.pressure())])
        elif kind == QTabletEvent.Type.TabletMove and self._pen_down and self.strokes:
            self.strokes[-1].append(self._point(event.position(), event.pressure()))
        elif kind == QTabletEvent.Type.TabletRelease:
            self._pen_down = False
        event.accept()
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.button() == Qt.MouseButton.LeftButton and not self._pen_down:
            self.strokes.append([self._point(event.position(), 0.5)])
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802
        if event.buttons() & Qt.MouseButton.LeftButton and self.strokes and not self._pen_down:
            self.strokes[-1].append(self._point(event.position(), 0.5))
            self.update()

    def paintEvent(self, _event) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#b0bec5"), 1, Qt.PenStyle.DashLine))
        painter.drawLine(12, PAD_HEIGHT - 30, PAD_WIDTH - 12, PAD_HEIGHT - 30)  # the line to sign on
        for stroke in self.strokes:
            for a, b in zip(stroke, stroke[1:], strict=False):
                painter.setPen(QPen(QColor("black"), 1.5 + 3 * b[2], Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap))
                painter.drawLine(QPointF(a[0], a[1]), QPointF(b[0], b[1]))
            if len(stroke) == 1:
                path = QPainterPath()
                path.addEllipse(QPointF(stroke[0][0], stroke[0][1]), 2, 2)
                painter.fillPath(path, QColor("black"))
        painter.end()


class SignatureDialog(QDialog):
    """The text being signed above the pad; 确认 makes the entry (strokes, PNG, text digest, moment)."""

    def __init__(self, kind: str, payload: dict[str, Any], signer: str, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("signature_dialog")
        self.setWindowTitle(f"{SIGNER_ZH.get(signer, '')}{name} — {tr('SignaturePad', 'Sign')}")
        self.kind, self.payload, self.signer, self.name = kind, payload, signer, name
        self.entry: dict[str, Any] | None = None
        column = QVBoxLayout(self)
        text = QPlainTextEdit(signed_text(kind, payload))
        text.setObjectName("signed_text")
        text.setReadOnly(True)
        text.setMaximumHeight(180)
        column.addWidget(QLabel(tr("SignaturePad", "The text you sign:")))
        column.addWidget(text)
        self.pad = SignaturePad()
        column.addWidget(self.pad, 0, Qt.AlignmentFlag.AlignHCenter)
        self.message = QLabel()
        self.message.setStyleSheet("color:#c62828;")
        column.addWidget(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("SignaturePad", "Confirm signature"))
        buttons.button(QDialogButtonBox.StandardButton.Ok).setObjectName("confirm_signature")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("SignaturePad", "Cancel"))
        clear = buttons.addButton(tr("SignaturePad", "Clear"), QDialogButtonBox.ButtonRole.ResetRole)
        clear.clicked.connect(self.pad.clear)
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        column.addWidget(buttons)

    def confirm(self) -> None:
        if not any(len(s) > 1 for s in self.pad.strokes):
            self.message.setText(tr("SignaturePad", "Nothing has been signed yet: sign on the line above."))
            return
        moment = datetime.now().astimezone().isoformat(timespec="seconds")
        self.entry = handwritten_entry(self.kind, self.payload, self.signer, self.name, self.pad.strokes, moment)
        self.accept()


class RefusalDialog(QDialog):
    """A refusal to sign: when, the reason stated, and a witness or an audio-visual item of the case."""

    def __init__(self, signer: str, name: str, audiovisual: Sequence[tuple[str, str]], parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("refusal_dialog")
        self.setWindowTitle(f"{SIGNER_ZH.get(signer, '')}{name} — {tr('SignaturePad', 'Refused to sign')}")
        self.signer, self.name = signer, name
        self.entry: dict[str, Any] | None = None
        form = QFormLayout(self)
        self.reason = QLineEdit()
        self.reason.setObjectName("refusal_reason")
        self.witness = QLineEdit()
        self.witness.setObjectName("refusal_witness")
        self.av = QComboBox()
        self.av.setObjectName("refusal_av")
        self.av.addItem(tr("SignaturePad", "(none)"), "")
        for sha, description in audiovisual:
            self.av.addItem(description, sha)
        form.addRow(tr("SignaturePad", "Reason stated"), self.reason)
        form.addRow(tr("SignaturePad", "Witness who signs"), self.witness)
        form.addRow(tr("SignaturePad", "Or the audio-visual record"), self.av)
        self.message = QLabel()
        self.message.setStyleSheet("color:#c62828;")
        form.addRow(self.message)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("SignaturePad", "Record the refusal"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("SignaturePad", "Cancel"))
        buttons.accepted.connect(self.confirm)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def confirm(self) -> None:
        reason, witness, av = self.reason.text().strip(), self.witness.text().strip(), self.av.currentData() or ""
        if not reason:
            self.message.setText(tr("SignaturePad", "State the reason given for refusing."))
            return
        if not witness and not av:
            self.message.setText(tr("SignaturePad", "A refusal needs a witness who signs, or an audio-visual record of it."))
            return
        self.entry = {"signer": self.signer, "name": self.name, "how": "refused",
                      "at": datetime.now().astimezone().isoformat(timespec="seconds"), "reason": reason, "witness": witness,
                      "av_evidence": av}
        self.accept()


class SignaturesField(QWidget):
    """One row per signer of a record: role, name, and how they signed (drawn, scanned paper, refused)."""

    def __init__(self, kind: str, signers: Sequence[tuple[str, str]], evidence: Sequence[tuple[str, str]],
                 audiovisual: Sequence[tuple[str, str]], payload: Callable[[], dict[str, Any]], parent: QWidget | None = None,
                 add_scan: AddScan | None = None):
        super().__init__(parent)
        self.kind = kind
        self.evidence, self.audiovisual, self.payload = list(evidence), list(audiovisual), payload
        self.add_scan = add_scan
        self.rows: list[dict[str, Any]] = []
        self.column = QVBoxLayout(self)
        self.column.setContentsMargins(0, 0, 0, 0)
        for role, name in signers:
            self.add_row(role, name)
        add = QPushButton(tr("SignaturePad", "Add a signer"))
        add.setObjectName("add_signer")
        add.clicked.connect(lambda: self.add_row("witness", ""))
        self.column.addWidget(add)

    def add_row(self, role: str, name: str) -> dict[str, Any]:
        line = QWidget()
        line.setObjectName("signer_row")
        layout = QHBoxLayout(line)
        layout.setContentsMargins(0, 0, 0, 0)
        combo = QComboBox()
        for value, label in SIGNER_ZH.items():
            combo.addItem(label, value)
        combo.setCurrentIndex(max(0, combo.findData(role)))
        who = QLineEdit(name)
        who.setPlaceholderText(tr("SignaturePad", "Name"))
        status = QLabel(tr("SignaturePad", "not signed"))
        status.setObjectName("signer_status")
        status.setStyleSheet("color:#c62828;")
        row: dict[str, Any] = {"role": combo, "name": who, "status": status, "entry": None}
        buttons = []
        for how, slot in (("handwritten", self._draw), ("scanned", self._scan), ("refused", self._refuse)):
            button = QPushButton(HOW_ZH[how])
            button.setObjectName(f"sign_{how}")
            button.clicked.connect(lambda _=False, row=row, slot=slot: slot(row))
            buttons.append(button)
        row["buttons"] = buttons
        for widget in (combo, who, *buttons, status):
            layout.addWidget(widget)
        self.column.insertWidget(len(self.rows), line)
        self.rows.append(row)
        return row

    def _who(self, row: dict[str, Any]) -> tuple[str, str]:
        return row["role"].currentData(), row["name"].text().strip()

    def _set(self, row: dict[str, Any], entry: dict[str, Any] | None) -> None:
        row["entry"] = entry
        if entry is None:
            return
        row["status"].setText("✔ " + (HOW_ZH[entry["how"]] if entry["how"] == "handwritten" else describe(entry)))
        row["status"].setStyleSheet("color:#2e7d32;")

    def _draw(self, row: dict[str, Any]) -> SignatureDialog:
        role, name = self._who(row)
        dialog = SignatureDialog(self.kind, self.payload(), role, name or SIGNER_ZH.get(role, ""), self)
        dialog.accepted.connect(lambda: self._set(row, dialog.entry))
        row["dialog"] = dialog
        dialog.open()
        return dialog

    def _scan(self, row: dict[str, Any]) -> None:
        """Choose the photo or scan of the signed paper among the case's evidence, or (when the form can add
        evidence) take it from a file now: printed, signed on paper, photographed, attached."""
        role, name = self._who(row)
        if not self.evidence and self.add_scan is None:
            row["status"].setText(tr("SignaturePad", "add the photo or scan as evidence of the case first"))
            return
        choice = QComboBox(self)
        choice.setObjectName("scan_choice")
        for sha, description in self.evidence:
            choice.addItem(description, sha)
        dialog = QDialog(self)
        dialog.setObjectName("scan_dialog")
        dialog.setWindowTitle(tr("SignaturePad", "The signed paper"))
        form = QFormLayout(dialog)
        form.addRow(tr("SignaturePad", "Evidence item"), choice)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.button(QDialogButtonBox.StandardButton.Ok).setEnabled(bool(self.evidence))
        buttons.button(QDialogButtonBox.StandardButton.Ok).setToolTip(
            tr("SignaturePad", "The scan named is the one kept as signed") if self.evidence
            else tr("SignaturePad", "No scan is registered on this case yet: register the signed paper as evidence first"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("SignaturePad", "Cancel"))
        if self.add_scan is not None:
            from_file = buttons.addButton(tr("SignaturePad", "From a photo or scan file…"), QDialogButtonBox.ButtonRole.ActionRole)
            from_file.setObjectName("scan_from_file")
            from_file.clicked.connect(lambda: self._choose_scan(row))
        buttons.accepted.connect(dialog.accept)
        buttons.rejected.connect(dialog.reject)
        form.addRow(buttons)
        dialog.accepted.connect(lambda: self._set(row, {"signer": role, "name": name, "how": "scanned", "evidence": choice.currentData()}))
        row["dialog"] = dialog
        dialog.open()

    def _choose_scan(self, row: dict[str, Any]) -> None:
        path, _ = QFileDialog.getOpenFileName(self, tr("SignaturePad", "The signed paper"), "",
                                              tr("SignaturePad", "Photos and scans (*.jpg *.jpeg *.png *.heic *.pdf *.tif *.tiff)"))
        if path:
            self.scan_from_file(row, path)

    def scan_from_file(self, row: dict[str, Any], path: str) -> None:
        """Register ``path`` as evidence of the case (its particulars asked as for any evidence), then sign
        ``row`` with it."""
        assert self.add_scan is not None
        role, name = self._who(row)
        if row.get("dialog") is not None:
            row["dialog"].reject()

        def added(sha: str, description: str) -> None:
            self.evidence.append((sha, description))
            self._set(row, {"signer": role, "name": name, "how": "scanned", "evidence": sha})

        self.add_scan(path, f"{SIGNER_ZH.get(role, '')}{name}", added)

    def _refuse(self, row: dict[str, Any]) -> RefusalDialog:
        role, name = self._who(row)
        dialog = RefusalDialog(role, name or SIGNER_ZH.get(role, ""), self.audiovisual, self)
        dialog.accepted.connect(lambda: self._set(row, dialog.entry))
        row["dialog"] = dialog
        dialog.open()
        return dialog

    def entries(self) -> list[dict[str, Any]]:
        """The entries made, each under the role and name its row now shows."""
        out = []
        for row in self.rows:
            if row["entry"] is not None:
                role, name = self._who(row)
                out.append({**row["entry"], "signer": role, "name": name or row["entry"]["name"]})
        return out
