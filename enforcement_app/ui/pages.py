"""The pages of the main window: inbox, case list, evaluation, administration."""

from __future__ import annotations

import base64
import html
import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPixmap
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSpinBox,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.case import STAGE_ZH, Stage
from ..domain.evaluation import Line, Mark, Sheet
from ..domain.officers import ROLE_ZH, Role
from ..domain.penalties import PENALTY_KIND_ZH
from ..domain.refusals import InvalidInput
from ..resources import load_json
from ..services.case_index import CaseIndex
from ..services.changes import Changes
from .forms import ActionDialog, Field
from .i18n import tr
from .models import CaseTableModel, ListTableModel

PREVIEW_PAGES = 4


def page_images(pdf: bytes, pages: int, height: int = 180) -> list[bytes]:
    """The first pages of a PDF as small PNG images (PDFium renders them; run it off the GUI thread)."""
    import io

    import pypdfium2

    document = pypdfium2.PdfDocument(pdf)
    try:
        images = []
        for n in range(min(pages, len(document))):
            page = document[n]
            scale = height / page.get_height()
            buffer = io.BytesIO()
            page.render(scale=scale).to_pil().save(buffer, "PNG")
            images.append(buffer.getvalue())
        return images
    finally:
        document.close()




def _table(model) -> QTableView:
    view = QTableView()
    view.setModel(model)
    view.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QTableView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(26)
    view.horizontalHeader().setStretchLastSection(True)
    view.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
    return view



FILED_AWAY = f"{Stage.CLOSED.value},{Stage.ARCHIVED.value}"  # the stage filter of closed and archived cases

class CasesPage(QWidget):
    """The case list; it reads through its own read-only index and is told of writes by the worker."""

    case_chosen = Signal(str)

    def __init__(self, worker, db_path: Path, today: date, actor, parent=None, *, closed_only: bool = False):
        super().__init__(parent)
        self.setObjectName("cases_page")
        self.actor = actor
        worker.changed.connect(self.on_changes)
        self.index = CaseIndex(db_path)
        self.model = CaseTableModel(self.index, today, self, db_path=db_path)
        self.model.counted.connect(self._count)
        self.model.failed.connect(self._failed)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        self.search = QLineEdit()
        self.search.setObjectName("search")
        self.search.setPlaceholderText(tr("CasesPage", "Search case number, party, cause, records…"))
        self.search.setClearButtonEnabled(True)
        bar.addWidget(self.search, 3)
        self.stage = QComboBox()
        self.stage.setObjectName("stage_filter")
        self.stage.addItem(tr("CasesPage", "All stages"), "")
        for stage in Stage:
            self.stage.addItem(STAGE_ZH[stage], stage.value)
        self.stage.addItem(tr("CasesPage", "Closed or archived"), FILED_AWAY)
        bar.addWidget(self.stage, 1)
        self.mine = QCheckBox(tr("CasesPage", "My cases"))
        self.mine.setObjectName("my_cases")
        self.overdue = QCheckBox(tr("CasesPage", "Overdue"))
        self.overdue.setObjectName("overdue_only")
        bar.addWidget(self.mine)
        bar.addWidget(self.overdue)
        self.count = QLabel()
        self.count.setObjectName("case_count")
        bar.addWidget(self.count)
        layout.addLayout(bar)
        self.table = _table(self.model)
        self.table.setObjectName("case_table")
        self.table.setSortingEnabled(True)
        self.table.horizontalHeader().setSortIndicator(4, Qt.SortOrder.DescendingOrder)
        self.table.setColumnWidth(0, 200)
        self.table.setColumnWidth(1, 330)
        self.table.setColumnWidth(2, 80)
        self.table.setColumnWidth(3, 110)
        self.table.setColumnWidth(4, 100)
        self.table.setColumnWidth(5, 200)
        self.table.doubleClicked.connect(lambda index: self.case_chosen.emit(self.model.case_id(index.row())))
        layout.addWidget(self.table)
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(200)
        self._debounce.timeout.connect(self.apply)
        self.search.textChanged.connect(lambda _: self._debounce.start())
        self.stage.currentIndexChanged.connect(lambda _: self.apply())
        self.mine.toggled.connect(lambda _: self.apply())
        self.overdue.toggled.connect(lambda _: self.apply())
        if closed_only:  # the files an evaluator scores: closed ones and archived ones
            self.stage.setCurrentIndex(self.stage.findData(FILED_AWAY))
        self.apply()

    def apply(self) -> None:
        if self.index.closed:  # a filter that fires once the window has let go of its database does nothing
            return
        self.model.reload(stage=self.stage.currentData() or None, query=self.search.text().strip() or None,
                          officer=self.actor.id if self.mine.isChecked() else None, overdue=self.overdue.isChecked())

    def on_changes(self, changes: Changes) -> None:
        """Every column of the list is the case's own record: only case changes concern it."""
        if changes.cases:
            self.model.refresh(changes.cases)

    def _count(self) -> None:
        total = self.model.total
        self.count.setStyleSheet("")
        self.count.setToolTip("")
        self.count.setText(tr("CasesPage", "counting…") if total is None else tr("CasesPage", "%n case(s)", "", total))

    def _failed(self, message: str) -> None:
        """The database cannot give the list: say so where the count stands, the whole reason on hover."""
        self.count.setText(tr("CasesPage", "list unavailable"))
        self.count.setStyleSheet("color:#c62828;")
        self.count.setToolTip(message)
        self.problem = message

    def close_index(self) -> None:
        """Stop what could still read the index (the pending filter, the count on its thread), then close it."""
        self._debounce.stop()
        self.model.stop()
        self.index.close()


class InboxPage(QWidget):
    case_chosen = Signal(str)

    def __init__(self, worker, parent=None):
        super().__init__(parent)
        self.setObjectName("inbox_page")
        self.worker = worker
        worker.changed.connect(self.on_changes)
        layout = QVBoxLayout(self)
        self.summary = QLabel()
        self.summary.setObjectName("inbox_summary")
        layout.addWidget(self.summary)
        self.model = ListTableModel([("task_title", QT_TRANSLATE_NOOP("InboxPage", "Task")), ("case", QT_TRANSLATE_NOOP("InboxPage", "Case number")), ("title", QT_TRANSLATE_NOOP("InboxPage", "Case")), ("stage_name", QT_TRANSLATE_NOOP("InboxPage", "Stage")),
                                     ("due", QT_TRANSLATE_NOOP("InboxPage", "Due")), ("left", QT_TRANSLATE_NOOP("InboxPage", "Days left")), ("detail", QT_TRANSLATE_NOOP("InboxPage", "Detail"))], "InboxPage", self)
        self.table = _table(self.model)
        self.table.setObjectName("inbox_table")
        # the short columns as wide as what they hold (逾期111天 whole), the case's name and the detail share the rest
        header = self.table.horizontalHeader()
        header.setStretchLastSection(False)
        for column in range(self.model.columnCount()):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.doubleClicked.connect(lambda index: self.case_chosen.emit(self.items[index.row()]["case_id"]))
        layout.addWidget(self.table)
        self.items: list[dict[str, Any]] = []

    def refresh(self) -> None:
        self.worker.read(lambda session, job: ([i.as_dict() for i in session.inbox()], session.services.today()), self._show,
                         lambda exc: self.summary.setText(str(exc)))

    def on_changes(self, changes: Changes) -> None:
        """Tasks come from the cases; who may take them from the officers; their due dates from the policy
        (review time limit) and the calendar."""
        if changes.cases or changes.touches("officer", "policy", "calendar"):
            self.refresh()

    def _show(self, result) -> None:
        items, today = result
        colors = {}
        for n, item in enumerate(items):
            item["case"] = item["case_no"] or tr("CaseTable", "(not filed)")  # never the program's id
            if item["due"]:
                left = (date.fromisoformat(item["due"]) - today).days
                # as the case list says it: 逾期N天 / 剩N天
                item["left"] = tr("CaseTable", "overdue %n day(s)", "", -left) if left < 0 else tr("CaseTable", "%n day(s) left", "", left)
                if left < 0:
                    colors[n] = QColor("#c62828")
            else:
                item["left"] = ""
        self.items = items
        self.model.set_items(items, colors)
        overdue = sum(1 for i in items if i["overdue"])
        self.summary.setText(tr("InboxPage", "%1 task(s) waiting for you, %2 overdue").replace("%1", str(len(items))).replace("%2", str(overdue)))


SHEET_COLUMNS = (QT_TRANSLATE_NOOP("EvaluationPage", "Item"), QT_TRANSLATE_NOOP("EvaluationPage", "Points"),
                 QT_TRANSLATE_NOOP("EvaluationPage", "Suggested"), QT_TRANSLATE_NOOP("EvaluationPage", "Confirm"),
                 QT_TRANSLATE_NOOP("EvaluationPage", "Decided"), QT_TRANSLATE_NOOP("EvaluationPage", "Evidence"),
                 QT_TRANSLATE_NOOP("EvaluationPage", "Comment"))


def _centred(widget: QWidget) -> QWidget:
    """A cell widget at its own height in the middle of a tall row (a bare one stretches to the row)."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(2, 2, 2, 2)
    layout.addWidget(widget, 0, Qt.AlignmentFlag.AlignVCenter)
    return box


class EvaluationPage(QWidget):
    """Closed cases, the evaluation sheet (the system's suggestions beside the evaluator's decisions), and PDF
    export (single and batch)."""

    def __init__(self, worker, db_path: Path, today: date, actor, parent=None):
        super().__init__(parent)
        self.setObjectName("evaluation_page")
        self.worker = worker
        self.case_id = ""
        worker.changed.connect(self.on_changes)
        self.split = split = QSplitter(Qt.Orientation.Horizontal, self)
        layout = QVBoxLayout(self)
        layout.addWidget(split)
        self.cases = CasesPage(worker, db_path, today, actor, self, closed_only=True)
        self.cases.table.clicked.connect(lambda index: self.load(self.cases.model.case_id(index.row())))
        self.cases.case_chosen.connect(self.load)
        split.addWidget(self.cases)
        right = QWidget()
        column = QVBoxLayout(right)
        self.title = QLabel(tr("EvaluationPage", "Choose a closed case."))
        self.title.setObjectName("evaluation_title")
        self.title.setWordWrap(True)
        column.addWidget(self.title)
        self.sheet = QTableWidget(0, len(SHEET_COLUMNS))
        self.sheet.setObjectName("evaluation_sheet")
        self.sheet.setHorizontalHeaderLabels([tr("EvaluationPage", h) for h in SHEET_COLUMNS])
        self.sheet.verticalHeader().hide()
        self.sheet.setWordWrap(True)
        column.addWidget(self.sheet, 1)
        self.total = QLabel()
        self.total.setObjectName("evaluation_total")
        column.addWidget(self.total)
        buttons = QHBoxLayout()
        self.save = QPushButton(tr("EvaluationPage", "Save draft"))
        self.save.setObjectName("record_evaluation")
        self.save.setToolTip(tr("EvaluationPage", "Records the items decided so far; the evaluation stays open."))
        self.save.clicked.connect(lambda: self.record(final=False))
        self.final = QPushButton(tr("EvaluationPage", "Save as final"))
        self.final.setObjectName("record_final_evaluation")
        self.final.clicked.connect(lambda: self.record(final=True))
        self.export = QPushButton(tr("EvaluationPage", "Export case file PDF…"))
        self.export.setObjectName("export_pdf")
        self.export.clicked.connect(self.export_one)
        self.batch = QPushButton(tr("EvaluationPage", "Export all listed…"))
        self.batch.setObjectName("export_batch")
        self.batch.clicked.connect(self.export_batch)
        buttons.addWidget(self.save)
        buttons.addWidget(self.final)
        buttons.addWidget(self.export)
        buttons.addWidget(self.batch)
        column.addLayout(buttons)
        self.preview = QTextBrowser()
        self.preview.setObjectName("export_preview")
        self.preview.setMaximumHeight(120)
        column.addWidget(self.preview)
        strip = QWidget()
        strip.setObjectName("page_previews")
        self.pages = QHBoxLayout(strip)
        self.pages.setContentsMargins(0, 0, 0, 0)
        column.addWidget(strip)
        split.addWidget(right)
        split.setSizes([400, 860])
        self.shown: Sheet | None = None  # the sheet as loaded: the suggestions and the decisions last recorded
        self.inputs: list[QWidget] = []  # the decision widget of each row
        self.confirms: list[QPushButton] = []  # each row's 确认建议
        self._update_total()

    def load(self, case_id: str) -> None:
        self.case_id = case_id
        self.worker.read(lambda session, job: (session.evaluation_sheet(case_id), session.view(case_id).state), self._show,
                         lambda exc: self.title.setText(str(exc)))

    def on_changes(self, changes: Changes) -> None:
        """The sheet is scored from the case's record and its evaluation, both noted as the case's change."""
        if self.case_id and self.case_id in changes.cases:
            self.load(self.case_id)

    def _show(self, result) -> None:
        sheet, state = result
        self.title.setText(f"<b>{html.escape(state.title)}</b>　{html.escape(state.case_no)}　{html.escape(sheet.standard.name)}")
        self.shown = sheet
        self.inputs, self.confirms = [], []
        self.sheet.setRowCount(len(sheet.lines))
        for row, line in enumerate(sheet.lines):
            self._cell(row, 0, line.item.title)
            self._cell(row, 1, str(line.item.points or tr("EvaluationPage", "veto")))
            self._cell(row, 2, self._mark_text(line, line.suggestion) if line.suggestion else tr("EvaluationPage", "none (evaluator)"))
            confirm = QPushButton(tr("EvaluationPage", "Confirm suggestion"))
            confirm.setObjectName(f"confirm_{line.item.id}")
            confirm.setEnabled(line.suggestion is not None)
            confirm.setToolTip(tr("EvaluationPage", "Take the suggested mark for this item as your decision") if line.suggestion is not None
                               else tr("EvaluationPage", "No mark is suggested for this item: decide it yourself in the next column"))
            confirm.clicked.connect(lambda _=False, r=row: self.confirm(r))
            self.confirms.append(confirm)
            self.inputs.append(self._decision_widget(line))
            self.sheet.setCellWidget(row, 3, _centred(confirm))
            self.sheet.setCellWidget(row, 4, _centred(self.inputs[-1]))
            self._cell(row, 5, line.evidence)
            self.sheet.item(row, 5).setToolTip(line.evidence)  # a long one is cut at the row's height
            self.sheet.setItem(row, 6, QTableWidgetItem(line.comment))
        header = self.sheet.horizontalHeader()
        for column, width in ((0, 170), (1, 40), (2, 64), (3, 84), (4, 84), (6, 110)):
            header.setSectionResizeMode(column, QHeaderView.ResizeMode.Interactive)
            self.sheet.setColumnWidth(column, width)
        header.setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.sheet.resizeRowsToContents()
        self._update_total()

    def _cell(self, row: int, column: int, text: str) -> None:
        cell = QTableWidgetItem(text)
        cell.setFlags(Qt.ItemFlag.ItemIsEnabled)
        self.sheet.setItem(row, column, cell)

    @staticmethod
    def _mark_text(line: Line, mark: Mark) -> str:
        if line.item.group == "veto":
            return tr("EvaluationPage", "veto") if mark.veto else tr("EvaluationPage", "no veto")
        return f"{mark.score}/{line.item.points}"

    def _decision_widget(self, line: Line) -> QWidget:
        """The evaluator's decision, open (未评) until they set it: nothing is pre-filled."""
        if line.item.group == "veto":
            combo = QComboBox()
            combo.addItem(tr("EvaluationPage", "not decided"), None)
            combo.addItem(tr("EvaluationPage", "no veto ground"), False)
            combo.addItem(tr("EvaluationPage", "veto"), True)
            combo.setCurrentIndex(0 if line.decision is None else 2 if line.decision.veto else 1)
            combo.currentIndexChanged.connect(self._update_total)
            widget: QWidget = combo
        else:
            spin = QSpinBox()
            spin.setRange(-1, line.item.points)  # -1 shows as 未评: the spin box's special value
            spin.setSpecialValueText(tr("EvaluationPage", "not decided"))
            spin.setValue(-1 if line.decision is None else int(line.decision.score or 0))
            spin.valueChanged.connect(self._update_total)
            widget = spin
        widget.setObjectName(f"score_{line.item.id}")
        return widget

    def _decision(self, row: int, line: Line) -> Mark | None:
        widget = self.inputs[row]
        if line.item.group == "veto":
            veto = widget.currentData()
            return None if veto is None else Mark(veto=bool(veto))
        return None if widget.value() < 0 else Mark(score=widget.value())

    def confirm(self, row: int) -> None:
        """Take the system's suggestion for this one item (there is no button for all)."""
        line = self.shown.lines[row]
        widget = self.inputs[row]
        if line.item.group == "veto":
            widget.setCurrentIndex(2 if line.suggestion.veto else 1)
        else:
            widget.setValue(int(line.suggestion.score or 0))

    def current(self) -> Sheet | None:
        """The sheet with the decisions as the widgets now hold them (what saving would record)."""
        if self.shown is None:
            return None
        lines = tuple(replace(line, decision=self._decision(row, line), comment=self._comment(row))
                      for row, line in enumerate(self.shown.lines))
        return replace(self.shown, lines=lines, final=False)

    def _comment(self, row: int) -> str:
        item = self.sheet.item(row, 6)
        return item.text().strip() if item else ""

    def _update_total(self, *_args) -> None:
        sheet = self.current()
        if sheet is None:
            self.total.setText("")
            self.save.setEnabled(False)
            self.final.setEnabled(False)
            self.final.setToolTip(tr("EvaluationPage", "Choose a closed case."))
            return
        verdict = tr("EvaluationPage", "fails (veto)") if sheet.vetoed else f"{sheet.total}/{sheet.standard.max_score}"
        left = len(sheet.open_items)
        progress = (tr("EvaluationPage", "%1 item(s) decided, %2 still open (%3 points)")
                    .replace("%1", str(sheet.decided)).replace("%2", str(left)).replace("%3", str(sheet.open_points)))
        recorded_final = self.shown.final and all(a.decision == b.decision for a, b in zip(sheet.lines, self.shown.lines, strict=True))
        state = tr("EvaluationPage", "final") if recorded_final else tr("EvaluationPage", "draft")
        self.total.setText(tr("EvaluationPage", "Confirmed score") + f"：{verdict}　{progress}　（{state}）")
        self.save.setEnabled(True)
        self.final.setEnabled(left == 0)
        self.final.setToolTip(tr("EvaluationPage", "Every item must be decided first: %1 still open.").replace("%1", str(left)) if left
                              else tr("EvaluationPage", "Records this evaluation as the file's conclusion."))

    def decisions(self) -> dict[str, Any]:
        """What the evaluator decided, item by item; open items are left out."""
        sheet = self.current()
        out: dict[str, Any] = {}
        for line in sheet.lines if sheet else ():
            if line.decision is not None:
                out[line.item.id] = {**line.decision.as_dict(), "comment": line.comment}
        return out

    def record(self, final: bool) -> None:
        case_id, decisions = self.case_id, self.decisions()
        self.worker.write(lambda session, job: session.record_evaluation(case_id, decisions, final=final), None,
                          lambda exc: QMessageBox.warning(self, tr("EvaluationPage", "Not recorded"), str(exc)))

    def export_one(self, path: str | None = None) -> None:
        if not self.case_id:
            return
        target = path or QFileDialog.getSaveFileName(self, tr("EvaluationPage", "Save case file"), "", "PDF (*.pdf)")[0]
        if not target:
            return
        case_id = self.case_id

        def job(session, _job):
            from ..casefile import render_case_file  # the PDF stack loads on first use, not at start

            rendered = render_case_file(session.case_file_data(case_id))
            Path(target).write_bytes(rendered.pdf)
            return rendered, page_images(rendered.pdf, PREVIEW_PAGES)

        self.worker.read(job, self._exported, lambda exc: self.preview.setPlainText(str(exc)))

    def _exported(self, result) -> None:
        rendered, images = result
        while self.pages.count():
            widget = self.pages.takeAt(0).widget()
            if widget is not None:
                widget.deleteLater()
        for png in images:  # the first pages as the evaluator will see them in the file
            label = QLabel()
            pixmap = QPixmap()
            pixmap.loadFromData(png, "PNG")
            label.setPixmap(pixmap)
            label.setStyleSheet("border:1px solid #b0bec5; background:white;")
            self.pages.addWidget(label)
        self.pages.addStretch(1)
        rows = "".join(f"<tr><td>{i + 1}</td><td>{html.escape(t)}</td><td>{html.escape(n)}</td><td>{a}–{b}</td></tr>"
                       for i, (t, n, a, b) in enumerate(rendered.documents))
        note = f"<p style='color:#b71c1c'>{html.escape(rendered.font.note)}</p>" if rendered.font.note else ""
        self.preview.setHtml(f"<p>{tr('EvaluationPage', 'Exported')}：{rendered.pages} {tr('EvaluationPage', 'pages')}</p>{note}"
                             f"<table cellpadding=2>{rows}</table>")

    def export_batch(self, folder: str | None = None) -> None:
        target = folder or QFileDialog.getExistingDirectory(self, tr("EvaluationPage", "Export to folder"))
        if not target:
            return
        ids = self.cases.model.all_ids()
        progress = QProgressDialog(tr("EvaluationPage", "Exporting case files…"), tr("EvaluationPage", "Cancel"), 0, len(ids), self)
        progress.setObjectName("export_progress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)

        def job(session, job_):
            from ..casefile import render_case_file

            done, failed = 0, []
            for n, case_id in enumerate(ids, 1):
                if job_.cancelled:
                    break
                try:
                    rendered = render_case_file(session.case_file_data(case_id))
                    name = (rendered.documents and session.view(case_id).state.case_no) or case_id
                    (Path(target) / f"{name}.pdf").write_bytes(rendered.pdf)
                    done += 1
                except (OSError, ValueError) as exc:
                    failed.append(f"{case_id}: {exc}")
                job_.progress(n, len(ids))
            return done, failed

        handle = self.worker.read(job, lambda result: self._batch_done(progress, result), lambda exc: self._batch_done(progress, (0, [str(exc)])),
                                  lambda done, total: progress.setValue(done))
        progress.canceled.connect(handle.cancel)
        progress.show()

    def _batch_done(self, progress, result) -> None:
        progress.close()
        done, failed = result
        self.preview.setPlainText(tr("EvaluationPage", "%1 case file(s) exported.").replace("%1", str(done)) + "\n" + "\n".join(failed))


class AdminPage(QWidget):
    """Officers and certificates (expiry warnings), imports, backup and verification."""

    def __init__(self, worker, parent=None):
        super().__init__(parent)
        self.setObjectName("admin_page")
        self.worker = worker
        worker.changed.connect(self.on_changes)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"<b>{tr('AdminPage', 'Officers and certificates')}</b>"))
        self.model = ListTableModel([("name", QT_TRANSLATE_NOOP("AdminPage", "Name")), ("login", QT_TRANSLATE_NOOP("AdminPage", "Login")), ("roles", QT_TRANSLATE_NOOP("AdminPage", "Roles")), ("certificate", QT_TRANSLATE_NOOP("AdminPage", "Certificate")),
                                     ("valid_to", QT_TRANSLATE_NOOP("AdminPage", "Valid until")), ("warning", QT_TRANSLATE_NOOP("AdminPage", "Warning"))], "AdminPage", self)
        self.table = _table(self.model)
        self.table.setObjectName("officer_table")
        layout.addWidget(self.table, 2)
        buttons = QHBoxLayout()
        settings = QHBoxLayout()
        for name, label, slot in (("agency_settings", QT_TRANSLATE_NOOP("AdminPage", "Agency and case numbers…"), self.agency_settings),
                                  ("policy_settings", QT_TRANSLATE_NOOP("AdminPage", "Thresholds and review time limit…"), self.policy_settings),
                                  ("add_officer", QT_TRANSLATE_NOOP("AdminPage", "Add officer…"), self.add_officer),
                                  ("edit_officer", QT_TRANSLATE_NOOP("AdminPage", "Change the selected officer…"), self.edit_officer),
                                  ("restore", QT_TRANSLATE_NOOP("AdminPage", "Restore a backup…"), self.restore)):
            button = QPushButton(tr("AdminPage", label))
            button.setObjectName(name)
            button.clicked.connect(slot)
            settings.addWidget(button)
        layout.insertLayout(1, settings)
        for name, label, slot in (("import_benchmarks", QT_TRANSLATE_NOOP("AdminPage", "Import benchmark set…"), self.import_benchmarks),
                                  ("import_power_list", QT_TRANSLATE_NOOP("AdminPage", "Import power list…"), self.import_power_list),
                                  ("set_seal", QT_TRANSLATE_NOOP("AdminPage", "Electronic seal image…"), self.set_seal),
                                  ("import_calendar", QT_TRANSLATE_NOOP("AdminPage", "Import holiday calendar…"), self.import_calendar),
                                  ("backup", QT_TRANSLATE_NOOP("AdminPage", "Back up…"), self.backup),
                                  ("verify", QT_TRANSLATE_NOOP("AdminPage", "Verify records"), self.verify)):
            button = QPushButton(tr("AdminPage", label))
            button.setObjectName(name)
            button.clicked.connect(slot)
            buttons.addWidget(button)
        layout.addLayout(buttons)
        self.output = QTextBrowser()
        self.output.setObjectName("admin_output")
        layout.addWidget(self.output, 1)

    def refresh(self) -> None:
        def job(session, _job):
            services = session.services
            today = services.today()
            warn_days = services.policy_on(today).certificate_expiry_warning_days
            rows = []
            for o in sorted(services.officers().values(), key=lambda o: o.login):
                cert = o.certificate_on(today)
                warning = ""
                if cert is None and o.has_role(Role.OFFICER):
                    warning = "无有效执法证"
                elif cert is not None and (cert.valid_to - today).days <= warn_days:
                    warning = f"执法证将于{(cert.valid_to - today).days}日后到期"
                rows.append({"id": o.id, "role_values": sorted(r.value for r in o.roles), "qualified": o.legal_qualification,
                             "active": o.active, "name": o.name + ("" if o.active else "（已停用）"), "login": o.login, "roles": "、".join(ROLE_ZH[r] for r in sorted(o.roles, key=lambda r: r.value))
                             + ("（法律职业资格）" if o.legal_qualification else ""),
                             "certificate": cert.certificate_no if cert else "", "valid_to": cert.valid_to.isoformat() if cert else "",
                             "warning": warning})
            return rows

        def show(rows):
            self.model.set_items(rows, {n: QColor("#c62828") for n, r in enumerate(rows) if r["warning"]})
            for column, width in enumerate((90, 100, 220, 150, 100)):
                self.table.setColumnWidth(column, width)

        self.worker.read(job, show, lambda exc: self.output.setPlainText(str(exc)))

    def on_changes(self, changes: Changes) -> None:
        """The officer table shows the officers, and the certificate warnings the policy's warning period."""
        if changes.touches("officer", "policy"):
            self.refresh()

    def _dialog(self, key: str, title: str, fields, defaults, run) -> ActionDialog:
        """A settings form; ``run(session, payload)`` writes in the worker, refusals come back to it."""

        def submit(payload, done, fail):
            self.worker.write(lambda session, job: run(session, payload), lambda w: (done(w), self._report(f"✔ {title}")), fail)

        dialog = ActionDialog(key, title, fields, defaults=defaults, submit=submit, parent=self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.last_dialog = dialog
        dialog.open()
        return dialog

    def agency_settings(self) -> None:
        keys = (("name", QT_TRANSLATE_NOOP("AdminPage", "Agency name")), ("seal_name", QT_TRANSLATE_NOOP("AdminPage", "Seal name")),
                ("area", QT_TRANSLATE_NOOP("AdminPage", "Area")), ("case_no_prefix", QT_TRANSLATE_NOOP("AdminPage", "Case number prefix")),
                ("reconsideration_body", QT_TRANSLATE_NOOP("AdminPage", "Reconsideration body")),
                ("litigation_court", QT_TRANSLATE_NOOP("AdminPage", "Court for litigation")))

        def show(agency):
            defaults = {k: getattr(agency, k, "") for k, _ in keys} if agency else {}
            fields = [Field(k, tr("AdminPage", label), required=k not in ("reconsideration_body", "litigation_court")) for k, label in keys]
            self._dialog("agency_settings", tr("AdminPage", "Agency and case numbers"), fields, defaults,
                         lambda session, payload: session.set_agency(payload))

        self.worker.read(lambda session, job: session.services.agency(), show, lambda exc: self._report(str(exc)))

    def policy_settings(self) -> None:
        fields = [Field("effective_from", tr("AdminPage", "In force from"), "date"),
                  Field("hearing_person", tr("AdminPage", "Hearing right: fines on persons from (yuan)")),
                  Field("hearing_org", tr("AdminPage", "Hearing right: fines on organisations from (yuan)")),
                  Field("major_person", tr("AdminPage", "Major decision: fines on persons from (yuan)")),
                  Field("major_org", tr("AdminPage", "Major decision: fines on organisations from (yuan)")),
                  Field("review_days", tr("AdminPage", "Legal review time limit (working days)")),
                  Field("major_kinds", tr("AdminPage", "Major decision: penalty kinds"), "kinds",
                        tuple((k.value, zh) for k, zh in PENALTY_KIND_ZH.items()), required=False),
                  Field("after_hearing", tr("AdminPage", "Major decision: decided after a hearing"), "bool"),
                  Field("benchmark_deviation", tr("AdminPage", "Major decision: deviating from the benchmark"), "bool"),
                  Field("flagged_complex", tr("AdminPage", "Major decision: flagged complex by the handler"), "bool"),
                  Field("transfer", tr("AdminPage", "Major decision: transfer to judicial organs"), "bool")]

        def show(policy):
            defaults = {"hearing_person": policy["hearing"]["fine_person_yuan"], "hearing_org": policy["hearing"]["fine_organisation_yuan"],
                        "major_person": policy["major_decision"]["fine_person_yuan"],
                        "major_org": policy["major_decision"]["fine_organisation_yuan"], "review_days": policy["legal_review"]["days"],
                        "major_kinds": policy["major_decision"]["penalty_kinds"],
                        **{k: policy["major_decision"][k] for k in ("after_hearing", "benchmark_deviation", "flagged_complex", "transfer")}}

            def run(session, payload):
                version = json.loads(json.dumps(policy))  # a new version on top of the one shipped
                try:
                    version["hearing"]["fine_person_yuan"] = int(payload["hearing_person"])
                    version["hearing"]["fine_organisation_yuan"] = int(payload["hearing_org"])
                    version["major_decision"]["fine_person_yuan"] = int(payload["major_person"])
                    version["major_decision"]["fine_organisation_yuan"] = int(payload["major_org"])
                    version["legal_review"]["days"] = int(payload["review_days"])
                    version["major_decision"]["penalty_kinds"] = list(payload.get("major_kinds", []))
                    for flag in ("after_hearing", "benchmark_deviation", "flagged_complex", "transfer"):
                        version["major_decision"][flag] = bool(payload.get(flag))
                except (KeyError, ValueError) as exc:
                    raise InvalidInput.at("review_days", "金额和天数应为整数") from exc
                version.update({"version": f"local-{payload['effective_from']}", "effective_from": payload["effective_from"],
                                "effective_to": None})
                session.set_policy(version)
                return version["version"]

            self._dialog("policy_settings", tr("AdminPage", "Thresholds and review time limit"), fields, defaults, run)

        self.worker.read(lambda session, job: load_json("agency", "policy.json")["versions"][-1], show, lambda exc: self._report(str(exc)))

    def add_officer(self) -> None:
        roles = tuple((r.value, zh) for r, zh in ROLE_ZH.items())
        fields = [Field("name", tr("AdminPage", "Name")), Field("login", tr("AdminPage", "Login")),
                  Field("password", tr("AdminPage", "Initial password")), Field("roles", tr("AdminPage", "Roles"), "kinds", roles),
                  Field("legal_qualification", tr("AdminPage", "Legal professional qualification"), "bool", default=False),
                  Field("certificate_no", tr("AdminPage", "Certificate"), required=False),
                  Field("cert_area", tr("AdminPage", "Area of the certificate"), required=False),
                  Field("valid_from", tr("AdminPage", "Valid from"), "date"), Field("valid_to", tr("AdminPage", "Valid until"), "date")]

        def run(session, payload):
            data = {k: payload.get(k) for k in ("name", "login", "password", "roles", "legal_qualification")}
            if payload.get("certificate_no"):
                data["certificates"] = [{"certificate_no": payload["certificate_no"], "area": payload.get("cert_area", ""),
                                         "valid_from": payload["valid_from"], "valid_to": payload["valid_to"]}]
            return session.register_officer(data)

        self._dialog("add_officer", tr("AdminPage", "Add officer"), fields, {"roles": ["officer"]}, run)

    def edit_officer(self) -> None:
        rows = self.table.selectionModel().selectedRows()
        if not rows:
            self._report(tr("AdminPage", "Select an officer in the table first."))
            return
        row = self.model.items[rows[0].row()]
        roles = tuple((r.value, zh) for r, zh in ROLE_ZH.items())
        fields = [Field("roles", tr("AdminPage", "Roles"), "kinds", roles),
                  Field("legal_qualification", tr("AdminPage", "Legal professional qualification"), "bool"),
                  Field("active", tr("AdminPage", "Account active"), "bool"),
                  Field("revoke", tr("AdminPage", "Certificate to revoke"), required=False),
                  Field("certificate_no", tr("AdminPage", "New certificate"), required=False),
                  Field("cert_area", tr("AdminPage", "Area of the certificate"), required=False),
                  Field("valid_from", tr("AdminPage", "Valid from"), "date"), Field("valid_to", tr("AdminPage", "Valid until"), "date"),
                  Field("new_password", tr("AdminPage", "New password (a new signing key is issued)"), required=False)]
        defaults = {"roles": row["role_values"], "legal_qualification": row["qualified"], "active": row["active"]}

        def run(session, payload):
            changes: dict[str, Any] = {"roles": payload.get("roles", []), "legal_qualification": payload.get("legal_qualification"),
                                       "active": payload.get("active")}
            if payload.get("revoke"):
                changes["certificate_status"] = {"certificate_no": payload["revoke"], "status": "revoked"}
            if payload.get("certificate_no"):
                changes["add_certificate"] = {"certificate_no": payload["certificate_no"], "area": payload.get("cert_area", ""),
                                              "valid_from": payload["valid_from"], "valid_to": payload["valid_to"]}
            if payload.get("new_password"):
                session.reset_password(row["id"], payload["new_password"])
            return session.update_officer(row["id"], changes)

        self._dialog("edit_officer", f"{tr('AdminPage', 'Change officer')}：{row['name']}", fields, defaults, run)

    def restore(self, backup: str | None = None, target: str | None = None) -> None:
        backup = backup or QFileDialog.getExistingDirectory(self, tr("AdminPage", "Backup to restore"))  # a backup is a folder
        if not backup:
            return
        target = target or QFileDialog.getSaveFileName(self, tr("AdminPage", "Restore into a new database file"), "", "SQLite (*.db)")[0]
        if target:  # a read: the restored copy is a new file, this database is not written
            self.worker.read(lambda session, job: session.restore(backup, target),
                             lambda p: self._report(tr("AdminPage", "Restored to %1; open it with --db.").replace("%1", str(p))),
                             lambda exc: self._report(str(exc)))

    def _report(self, text: str) -> None:
        self.output.setPlainText(text)

    def import_benchmarks(self, path: str | None = None) -> None:
        path = path or QFileDialog.getOpenFileName(self, tr("AdminPage", "Benchmark set"), "", "JSON (*.json)")[0]
        if path:
            self.worker.write(lambda session, job: session.import_benchmarks(path),
                              lambda w: self._report(f"{w.result['status']}: {w.result['title']}，{w.result['entries']}"),
                              lambda exc: self._report(str(exc)))

    def import_power_list(self, path: str | None = None) -> None:
        """The agency's power list (权责清单): the versions of a file, checked whole (nothing is recorded from a
        file with any problem)."""
        path = path or QFileDialog.getOpenFileName(self, tr("AdminPage", "Power list"), "", "JSON (*.json)")[0]
        if path:
            self.worker.write(lambda session, job: session.import_power_list(path),
                              lambda w: self._report("\n".join(f"{r['status']}: {r['title']}（{r['version']}，{r['effective_from']}）"
                                                               for r in w.result)),
                              lambda exc: self._report(str(exc)))

    def set_seal(self, path: str | None = None) -> None:
        """The agency's electronic seal image (a transparent, square-ish PNG), checked before it is recorded; it is
        printed over the agency's name on the documents of case files the agency's key signs."""
        path = path or QFileDialog.getOpenFileName(self, tr("AdminPage", "Electronic seal image"), "", "PNG (*.png)")[0]
        if not path:
            return

        def job(session, _job):
            data = Path(path).read_bytes()
            session.set_agency({"seal_png": base64.b64encode(data).decode()})
            return len(data)

        self.worker.write(job, lambda w: self._report(tr("AdminPage", "Seal image set (%1 KB)").replace("%1", str(w.result // 1024))),
                          lambda exc: self._report(str(exc)))

    def import_calendar(self, path: str | None = None) -> None:
        path = path or QFileDialog.getOpenFileName(self, tr("AdminPage", "Holiday calendar"), "", "JSON (*.json)")[0]
        if not path:
            return

        def job(session, _job):
            data = json.loads(Path(path).read_text(encoding="utf-8"))
            session.import_calendar(int(data["year"]), data, Path(path).name)
            return data["year"]

        self.worker.write(job, lambda w: self._report(f"{w.result} ✔"), lambda exc: self._report(str(exc)))

    def backup(self, path: str | None = None) -> None:
        path = path or QFileDialog.getSaveFileName(self, tr("AdminPage", "Back up to"))[0]  # the new backup folder
        if path:
            self.worker.read(lambda session, job: session.backup(path), lambda p: self._report(f"✔ {p}"), lambda exc: self._report(str(exc)))

    def verify(self) -> None:
        progress = QProgressDialog(tr("AdminPage", "Verifying every record and evidence file…"), tr("AdminPage", "Cancel"), 0, 0, self)
        progress.setObjectName("verify_progress")
        progress.setWindowModality(Qt.WindowModality.WindowModal)
        progress.show()

        def job(session, job_):
            def check(done: int) -> None:
                job_.progress(done, 0)
                if job_.cancelled:
                    raise InterruptedError(tr("AdminPage", "Verification cancelled."))
            return session.verify(progress=check)

        def show(report):
            progress.close()
            if report.ok:
                self._report(tr("AdminPage", "All %1 records and %2 evidence files verified.").replace("%1", str(report.events)).replace("%2", str(report.evidence_files)))
            else:
                self._report("\n".join(p.message for p in report.problems))

        handle = self.worker.read(job, show, lambda exc: (progress.close(), self._report(str(exc))),
                                  lambda done, _total: progress.setLabelText(
                                      tr("AdminPage", "Verified %1 records…").replace("%1", f"{done:,}")))
        progress.canceled.connect(handle.cancel)
