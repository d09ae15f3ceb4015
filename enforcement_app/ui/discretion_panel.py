"""The discretion panel: base amounts and circumstances in, statutory range, recommended grade and range
and the engine's explanation out. The assessment runs in the worker; the panel adds the benchmark facts to
the step's payload, so the procedure re-runs the same engine when the step is recorded."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTextBrowser,
    QVBoxLayout,
)

from ..domain.discretion import BaseKind, CaseFacts, assess
from ..domain.discretion.model import BASE_ZH
from ..domain.money import parse_yuan
from ..domain.penalties import PartyKind
from .i18n import tr


class DiscretionPanel(QGroupBox):
    def __init__(self, worker, *, party_kind: str, act_date: date | None, entry: str = "",
                 recorded: dict[str, Any] | None = None, parent=None):
        super().__init__(tr("DiscretionPanel", "Discretion benchmark"), parent)
        self.setObjectName("discretion_panel")
        self.worker = worker
        self.party_kind = PartyKind(party_kind or "organisation")
        self.act_date = act_date or date.today()
        layout = QVBoxLayout(self)
        form = QFormLayout()
        self.entry = QComboBox()
        self.entry.setObjectName("benchmark_entry")
        self.entry.addItem(tr("DiscretionPanel", "(no benchmark entry)"), "")
        form.addRow(tr("DiscretionPanel", "Entry"), self.entry)
        self.bases: dict[str, QLineEdit] = {}
        for base in BaseKind:
            edit = QLineEdit()
            edit.setObjectName(f"base_{base.value}")
            edit.setPlaceholderText(tr("DiscretionPanel", "yuan, if the fine depends on it"))
            self.bases[base.value] = edit
            form.addRow(BASE_ZH[base], edit)
        self.circumstances = QListWidget()
        self.circumstances.setObjectName("circumstances")
        self.circumstances.setMaximumHeight(130)
        form.addRow(tr("DiscretionPanel", "Circumstances"), self.circumstances)
        layout.addLayout(form)
        self.assess_button = QPushButton(tr("DiscretionPanel", "Assess"))
        self.assess_button.setObjectName("assess")
        self.assess_button.clicked.connect(self.run)
        layout.addWidget(self.assess_button)
        self.result = QTextBrowser()
        self.result.setObjectName("assessment")
        self.result.setMinimumHeight(150)
        layout.addWidget(self.result)
        self.summary = QLabel()
        layout.addWidget(self.summary)
        self._wanted_entry = entry
        self._recorded = recorded or {}  # the facts of the case's last proposal: the default for this one
        if self._recorded:
            self._wanted_entry = self._recorded.get("entry") or entry
            for key, fen in (self._recorded.get("bases") or {}).items():
                if key in self.bases:
                    self.bases[key].setText(f"{int(fen) / 100:.2f}")
        worker.read(lambda session, job: _library_items(session), self._fill, lambda exc: self.result.setPlainText(str(exc)))

    def _fill(self, items: dict[str, list[tuple[str, str]]]) -> None:
        for entry_id, cause in items["entries"]:
            self.entry.addItem(f"{entry_id} · {cause[:38]}", entry_id)
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

    def chosen_circumstances(self) -> list[str]:
        return [self.circumstances.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.circumstances.count())
                if self.circumstances.item(i).checkState() == Qt.CheckState.Checked]

    def entered_bases(self) -> dict[str, str]:
        return {k: w.text().strip() for k, w in self.bases.items() if w.text().strip()}

    def payload(self) -> dict[str, Any]:
        entry = self.entry.currentData()
        if not entry:
            return {}
        return {"benchmark": {"entry": entry, "bases": self.entered_bases(), "circumstances": self.chosen_circumstances()}}

    def run(self) -> None:
        entry = self.entry.currentData()
        if not entry:
            self.result.setPlainText(tr("DiscretionPanel", "Choose a benchmark entry first."))
            return
        try:
            bases = {BaseKind(k): parse_yuan(v) for k, v in self.entered_bases().items()}
        except ValueError as exc:
            self.result.setPlainText(str(exc))
            return
        facts = CaseFacts(self.party_kind, self.act_date, max(date.today(), self.act_date), bases, tuple(self.chosen_circumstances()))

        def job(session, _job):
            services = session.services
            return assess(services.benchmarks(), entry, facts, services.policy_on(services.today()))

        self.worker.read(job, self.show, lambda exc: self.result.setPlainText(str(exc)))

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
        self.summary.setText(tr("DiscretionPanel", "A fine outside the recommended range needs the written reason above."))


def _library_items(session) -> dict[str, list[tuple[str, str]]]:
    library = session.services.benchmarks()
    entries = [(entry.id, entry.cause) for _, entry in library.entries()]
    circumstances = [(c.id, c.name) for c in library.catalogue.circumstances]
    return {"entries": entries, "circumstances": circumstances}
