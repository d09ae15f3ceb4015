"""The discretion panel, in the form where the penalty is proposed or decided (report, notice, decision): the
benchmark entry by its short name, the base amounts that entry computes from (and only those), circumstances in;
statutory range, recommended grade and range and the engine's explanation out, and the result put into the
form's penalty kinds, fine and penalty provision (``assessed``). The assessment runs in the worker; the panel adds
the benchmark facts to the step's payload, so the procedure re-runs the same engine when the step is recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.discretion import BaseKind, CaseFacts, assess
from ..domain.discretion.model import BASE_ZH
from ..domain.money import parse_yuan
from ..domain.penalties import PartyKind
from .forms import fit_to_form, form_layout, with_error_line
from .i18n import tr


class DiscretionPanel(QGroupBox):
    assessed = Signal(object)  # the Assessment the user asked for, in the GUI thread: the form takes its result

    def __init__(self, worker, *, party_kind: str, act_date: date | None, entry: str = "",
                 recorded: dict[str, Any] | None = None, parent=None):
        super().__init__(tr("DiscretionPanel", "Discretion benchmark"), parent)
        self.setObjectName("discretion_panel")
        self.worker = worker
        self.party_kind = PartyKind(party_kind or "organisation")
        self.act_date = act_date or date.today()
        layout = QVBoxLayout(self)
        form = form_layout()
        self._form = form
        self.entry = fit_to_form(QComboBox())
        self.entry.setObjectName("benchmark_entry")
        self.entry.addItem(tr("DiscretionPanel", "(no benchmark entry)"), "")
        self.entry.currentIndexChanged.connect(self._show_bases)
        form.addRow(tr("DiscretionPanel", "Entry"), self.entry)
        self.bases: dict[str, QLineEdit] = {}
        self.base_rows: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        for base in BaseKind:
            edit = QLineEdit()
            edit.setObjectName(f"base_{base.value}")
            edit.setPlaceholderText(tr("DiscretionPanel", "yuan"))
            self.bases[base.value] = edit
            holder, error = with_error_line(edit, f"error_base_{base.value}")
            self.errors[base.value] = error
            self.base_rows[base.value] = holder
            form.addRow(BASE_ZH[base], holder)
        self.no_bases = QLabel(tr("DiscretionPanel", "The fine of this entry does not depend on an amount."))
        self.no_bases.setObjectName("no_bases")
        self.no_bases.setStyleSheet("color:#607d8b;")
        form.addRow(self.no_bases)
        self.circumstances = QListWidget()
        self.circumstances.setObjectName("circumstances")
        self.circumstances.setMaximumHeight(130)
        form.addRow(tr("DiscretionPanel", "Circumstances"), self.circumstances)
        layout.addLayout(form)
        self.assess_button = QPushButton(tr("DiscretionPanel", "Assess and fill in the penalty"))
        self.assess_button.setObjectName("assess")
        self.assess_button.setToolTip(tr("DiscretionPanel", "Puts the penalty kinds, a fine in the middle of the recommended range and "
                                                            "the penalty provision into the form; change them as the case requires"))
        self.assess_button.clicked.connect(self.run)
        layout.addWidget(self.assess_button)
        self.result = QTextBrowser()
        self.result.setObjectName("assessment")
        self.result.setMinimumHeight(120)
        self.result.setPlaceholderText(tr("DiscretionPanel", "Choose the entry, enter the amounts it asks for and the circumstances, "
                                                             "then assess: the statutory and recommended ranges show here."))
        layout.addWidget(self.result)
        self.summary = QLabel()
        self.summary.setObjectName("assessment_summary")
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self._bases_of: dict[str, frozenset[str]] = {}  # entry -> the bases its fines and confiscations use
        self._wanted_entry = entry
        self._recorded = recorded or {}  # the facts of the case's last proposal: the default for this one
        if self._recorded:
            self._wanted_entry = self._recorded.get("entry") or entry
            for key, fen in (self._recorded.get("bases") or {}).items():
                if key in self.bases:
                    self.bases[key].setText(f"{int(fen) / 100:.2f}")
        self._show_bases()
        worker.read(lambda session, job: _library_items(session), self._fill,
                    lambda exc: self.result.setPlainText(str(exc)))

    def _fill(self, items: dict[str, Any]) -> None:
        self._bases_of = items["bases"]
        for entry_id, name, cause in items["entries"]:
            self.entry.addItem(name, entry_id)
            self.entry.setItemData(self.entry.count() - 1, cause, Qt.ItemDataRole.ToolTipRole)
        for key, name in items["circumstances"]:
            item = QListWidgetItem(name)
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.circumstances.addItem(item)
        if self._wanted_entry:
            self.entry.setCurrentIndex(max(0, self.entry.findData(self._wanted_entry)))
        chosen = set(self._recorded.get("circumstances") or [])
        for i in range(self.circumstances.count()):
            item = self.circumstances.item(i)
            if item.data(Qt.ItemDataRole.UserRole) in chosen:
                item.setCheckState(Qt.CheckState.Checked)
        self._show_bases()

    def needed_bases(self) -> frozenset[str]:
        """The bases the chosen entry computes its fine from or values its confiscations by."""
        return self._bases_of.get(self.entry.currentData() or "", frozenset())

    def _show_bases(self, _index: int = 0) -> None:
        """Only the amounts the entry needs are asked (货值金额 for a food entry, 广告费用 for an advertising one)."""
        needed = self.needed_bases()
        for key, holder in self.base_rows.items():
            self._form.setRowVisible(holder, key in needed)
        self._form.setRowVisible(self.no_bases, bool(self.entry.currentData()) and bool(self._bases_of) and not needed)

    def chosen_circumstances(self) -> list[str]:
        return [self.circumstances.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.circumstances.count())
                if self.circumstances.item(i).checkState() == Qt.CheckState.Checked]

    def entered_bases(self) -> dict[str, str]:
        """The amounts typed for the bases the entry needs (one typed for another entry before a change is not sent)."""
        needed = self.needed_bases()
        return {k: w.text().strip() for k, w in self.bases.items() if w.text().strip() and k in needed}

    def payload(self) -> dict[str, Any]:
        entry = self.entry.currentData()
        if not entry:
            return {}
        return {"benchmark": {"entry": entry, "bases": self.entered_bases(), "circumstances": self.chosen_circumstances()}}

    def error_for(self, field: str) -> QLabel | None:
        """The line a refusal of ``benchmark.bases.<base>`` is shown on."""
        parts = field.split(".")
        return self.errors.get(parts[2]) if len(parts) == 3 and parts[:2] == ["benchmark", "bases"] else None

    def clear_errors(self) -> None:
        for error in self.errors.values():
            error.setText("")

    def run(self) -> None:
        entry = self.entry.currentData()
        self.clear_errors()
        if not entry:
            self.result.setPlainText(tr("DiscretionPanel", "Choose a benchmark entry first."))
            return
        bases = {}
        for key, text in self.entered_bases().items():
            try:
                bases[BaseKind(key)] = parse_yuan(text)
            except ValueError as exc:
                self.errors[key].setText(str(exc))
        if len(bases) < len(self.entered_bases()):
            return
        facts = CaseFacts(self.party_kind, self.act_date, max(date.today(), self.act_date), bases, tuple(self.chosen_circumstances()))

        def job(session, _job):
            services = session.services
            return assess(services.benchmarks(), entry, facts, services.policy_on(services.today()))

        self.worker.read(job, self.show, self._refused)

    def _refused(self, exc: BaseException) -> None:
        """What the engine needs and was not given, at the amount's line (货值金额 not entered); the rest in the result."""
        others = []
        for refusal in getattr(exc, "refusals", ()):
            line = self.errors.get(refusal.field)
            if line is not None and refusal.field in self.needed_bases():
                line.setText(refusal.message)
            else:
                others.append(refusal.message)
        self.result.setPlainText("\n".join(others) if hasattr(exc, "refusals") else str(exc))

    def show(self, assessment) -> None:
        rec = assessment.recommended_range
        lines = [
            f"<b>{tr('DiscretionPanel', 'Statutory range')}</b>：{assessment.statutory_range.describe(assessment.max_only)}",
            f"<b>{tr('DiscretionPanel', 'Recommended grade')}</b>：{assessment.grade.zh}",
            f"<b>{tr('DiscretionPanel', 'Recommended range')}</b>：{rec.describe(assessment.max_only) if rec else '—'}",
            f"<b>{tr('DiscretionPanel', 'Hearing right')}</b>：{'有' if assessment.hearing_right.applies else '无'}　"
            f"<b>{tr('DiscretionPanel', 'Major decision')}</b>：{'是' if assessment.major.applies else '否'}",
            "<hr/>", *(f"· {line}" for line in assessment.explanation),
        ]
        self.result.setHtml("<br/>".join(lines))
        self.summary.setText(tr("DiscretionPanel", "The penalty kinds, the fine and the penalty provision below are filled in from "
                                                   "this assessment. A fine outside the recommended range needs a written reason."))
        self.assessed.emit(assessment)


def _library_items(session) -> dict[str, Any]:
    library = session.services.benchmarks()
    entries = list(library.choices())
    bases = {entry.id: frozenset(b.value for b in entry.bases_used) for _, entry in library.entries()}
    circumstances = [(c.id, c.name) for c in library.catalogue.circumstances]
    return {"entries": entries, "bases": bases, "circumstances": circumstances}
