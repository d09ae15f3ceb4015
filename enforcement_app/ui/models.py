"""Table models: the case list (ordered ids, rows fetched by page) and small in-memory tables."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from ..domain.case import STAGE_ZH, Stage
from ..domain.money import format_yuan
from ..services.case_index import CaseIndex
from .i18n import tr

PAGE = 200
CASE_COLUMNS = (("case_no", QT_TRANSLATE_NOOP("CaseTable", "Case number")), ("title", QT_TRANSLATE_NOOP("CaseTable", "Case")), ("stage", QT_TRANSLATE_NOOP("CaseTable", "Stage")), ("handler_names", QT_TRANSLATE_NOOP("CaseTable", "Handlers")),
                ("received_on", QT_TRANSLATE_NOOP("CaseTable", "Registered")), ("next_due", QT_TRANSLATE_NOOP("CaseTable", "Next deadline")), ("fine_fen", QT_TRANSLATE_NOOP("CaseTable", "Fine")))
_ROOT = QModelIndex()


class CaseTableModel(QAbstractTableModel):
    """Holds the ordered ids of every matching case; the columns of a row are read when it is painted,
    a page of ``PAGE`` rows at a time (the Anki pattern). Sorting and filtering are SQL."""

    def __init__(self, index: CaseIndex, today: date, parent=None):
        super().__init__(parent)
        self.source = index
        self.today = today
        self.ids: list[str] = []
        self.cache: dict[str, dict[str, Any]] = {}
        self.filters: dict[str, Any] = {}
        self.sort_key, self.descending = "received_on", True

    def reload(self, **filters: Any) -> None:
        if filters:
            self.filters = {k: v for k, v in filters.items() if v not in (None, "", False)}
        self.beginResetModel()
        self.ids = self._query()
        self.cache = {}
        self.endResetModel()

    def refresh(self, case_ids: Collection[str]) -> None:
        """After a write to these cases: drop their cached rows and query the ordered ids again (a change
        may move a case into or out of the filter, or along the sort order). If the order is the same,
        only their rows are repainted and the view keeps its selection and scroll position."""
        changed = set(case_ids)
        for case_id in changed:
            self.cache.pop(case_id, None)
        ids = self._query()
        if ids != self.ids:
            self.beginResetModel()
            self.ids = ids
            self.endResetModel()
            return
        last = len(CASE_COLUMNS) - 1
        for row, case_id in enumerate(self.ids):
            if case_id in changed:
                self.dataChanged.emit(self.index(row, 0), self.index(row, last))

    def _query(self) -> list[str]:
        return self.source.ids(today=self.today, sort=self.sort_key, descending=self.descending, **self.filters)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(CASE_COLUMNS)

    def row(self, row: int) -> dict[str, Any]:
        case_id = self.ids[row]
        if case_id not in self.cache:
            start = (row // PAGE) * PAGE
            self.cache.update(self.source.rows(self.ids[start:start + PAGE]))
        return self.cache.get(case_id, {})

    def case_id(self, row: int) -> str:
        return self.ids[row]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(CASE_COLUMNS):
            return tr("CaseTable", CASE_COLUMNS[section][1])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.ids):
            return None
        key = CASE_COLUMNS[index.column()][0]
        row = self.row(index.row())
        if role == Qt.ItemDataRole.DisplayRole:
            value = row.get(key)
            if key == "stage" and value:
                return STAGE_ZH[Stage(value)]
            if key == "case_no" and not value:
                return tr("CaseTable", "(not filed)")
            if key == "fine_fen":
                return format_yuan(value) if value else ""
            if key == "next_due" and value:
                left = (date.fromisoformat(value) - self.today).days
                badge = tr("CaseTable", "overdue %n day(s)", "", -left) if left < 0 else tr("CaseTable", "%n day(s) left", "", left)
                return f"{value}（{badge}）"
            return value
        if role == Qt.ItemDataRole.ForegroundRole and key == "next_due" and row.get("next_due"):
            due = date.fromisoformat(row["next_due"])
            if due < self.today:
                return QColor("#c62828")
            if (due - self.today).days <= 3:
                return QColor("#e65100")
        if role == Qt.ItemDataRole.ToolTipRole and key == "next_due" and row.get("next_due_rule"):
            return row["next_due_rule"]
        if role == Qt.ItemDataRole.TextAlignmentRole and key == "fine_fen":
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(CASE_COLUMNS):
            return
        self.sort_key = CASE_COLUMNS[column][0]
        self.descending = order == Qt.SortOrder.DescendingOrder
        self.reload()


class ListTableModel(QAbstractTableModel):
    """A small table of dicts (inbox items, events, evaluation lines)."""

    def __init__(self, columns: Sequence[tuple[str, str]], context: str, parent=None):
        super().__init__(parent)
        self.columns = list(columns)
        self.context = context
        self.items: list[dict[str, Any]] = []
        self.colors: dict[int, QColor] = {}

    def set_items(self, items: Sequence[dict[str, Any]], colors: dict[int, QColor] | None = None) -> None:
        self.beginResetModel()
        self.items = list(items)
        self.colors = colors or {}
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.items)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.columns)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(self.columns):
            return tr(self.context, self.columns[section][1])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.items):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            value = self.items[index.row()].get(self.columns[index.column()][0])
            return "" if value is None else str(value)
        if role == Qt.ItemDataRole.ForegroundRole and index.row() in self.colors:
            return self.colors[index.row()]
        if role == Qt.ItemDataRole.ToolTipRole:  # a cell shown short (a hash) has its whole value under "<key>_full"
            full = self.items[index.row()].get(f"{self.columns[index.column()][0]}_full")
            return None if full is None else str(full)
        return None
