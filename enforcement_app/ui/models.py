"""Table models: the case list (a count and windows of rows fetched by keyset) and small in-memory tables."""

from __future__ import annotations

import threading
from collections.abc import Collection, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QColor

from ..domain.case import STAGE_ZH, Stage
from ..domain.money import format_yuan
from ..services.case_index import CaseIndex, CaseListUnavailable, ListQuery
from .i18n import tr

PAGE = 200
CASE_COLUMNS = (("case_no", QT_TRANSLATE_NOOP("CaseTable", "Case number")), ("title", QT_TRANSLATE_NOOP("CaseTable", "Case")), ("stage", QT_TRANSLATE_NOOP("CaseTable", "Stage")), ("handler_names", QT_TRANSLATE_NOOP("CaseTable", "Handlers")),
                ("received_on", QT_TRANSLATE_NOOP("CaseTable", "Registered")), ("next_due", QT_TRANSLATE_NOOP("CaseTable", "Next deadline")), ("fine_fen", QT_TRANSLATE_NOOP("CaseTable", "Fine")))
_ROOT = QModelIndex()


class CaseTableModel(QAbstractTableModel):
    """The case list: the count of the matching cases and the rows fetched so far, a window of ``PAGE`` rows at a
    time in the list's order as the view scrolls down (Qt's canFetchMore/fetchMore; each window is the rows
    after the last one fetched, by keyset, see :mod:`enforcement_app.store.case_index`). It never holds every
    matching id, so a filter costs the same on a thousand cases as on a million. A count that the indexes
    cannot give at once (several conditions, none of them rare) is counted on a thread of its own, with its
    own connection; the count shown meanwhile is none (``total`` is None) and ``counted`` fires when known.
    A list the database cannot give (its table or an index missing or damaged) shows nothing and says why
    through ``failed``."""

    counted = Signal()
    failed = Signal(str)

    def __init__(self, index: CaseIndex, today: date, parent=None, *, db_path: str | Path | None = None):
        super().__init__(parent)
        self.source = index
        self.today = today
        self.rows: list[dict[str, Any]] = []
        self.more = False
        self.total: int | None = 0
        self.filters: dict[str, Any] = {}
        self.sort_key, self.descending = "received_on", True
        self._counter = _Counter(db_path, self) if db_path is not None else None
        if self._counter is not None:
            self._counter.done.connect(self._counted)
            self._counter.failed.connect(self.failed)

    def _read(self, read, default):
        """``read()`` from the index, or ``default`` and ``failed`` when the database cannot give the list."""
        try:
            return read()
        except CaseListUnavailable as exc:
            self.failed.emit(str(exc))
            return default

    def query(self) -> ListQuery:
        return ListQuery(today=self.today, sort=self.sort_key, descending=self.descending, **self.filters)

    def reload(self, **filters: Any) -> None:
        if filters:
            self.filters = {k: v for k, v in filters.items() if v not in (None, "", False)}
        if self.source.closed:
            return
        q = self.query()
        rows = self._read(lambda: self.source.window(q, None, PAGE), None)
        if rows is None:  # ``failed`` has said why; the count stays unsaid
            self.beginResetModel()
            self.rows, self.more, self.total = [], False, 0
            self.endResetModel()
            return
        self.beginResetModel()
        self.rows, self.more = rows, len(rows) == PAGE
        self.endResetModel()
        self._count(q)

    def refresh(self, case_ids: Collection[str]) -> None:
        """After a write to these cases: read the rows shown again (a change may move a case into or out of
        the list, or along its order) and count again. If the same cases are shown in the same order, only
        the changed rows are repainted and the view keeps its selection and scroll position."""
        if self.source.closed:
            return
        q = self.query()
        rows = self._read(lambda: self.source.window(q, None, max(PAGE, len(self.rows))), None)
        if rows is None:
            return
        if [r["id"] for r in rows] != [r["id"] for r in self.rows]:
            self.beginResetModel()
            self.rows, self.more = rows, len(rows) >= max(PAGE, len(self.rows))
            self.endResetModel()
        else:
            changed = set(case_ids)
            self.rows = rows
            last = len(CASE_COLUMNS) - 1
            for n, row in enumerate(rows):
                if row["id"] in changed:
                    self.dataChanged.emit(self.index(n, 0), self.index(n, last))
        self._count(q)

    def _count(self, q: ListQuery) -> None:
        if not self.more:  # a list that ends within its first window has its count at once
            if self._counter is not None:
                self._counter.forget()
            self.total = len(self.rows)
        elif self._counter is None or self._read(lambda: self.source.cheap_count(q), True):
            self.total = self._read(lambda: self.source.count(q), None)
        else:
            self.total = None  # "counting…" until the thread has it
            self._counter.ask(q)
        self.counted.emit()

    def _counted(self, q: ListQuery, total: int) -> None:
        if q == self.query():
            self.total = total
            self.counted.emit()

    def stop(self) -> None:
        """Before the index's connection closes (the window closes, the user changes): no count is pending."""
        if self._counter is not None:
            self._counter.stop()

    def canFetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> bool:  # noqa: N802 - Qt API
        return not parent.isValid() and self.more and not self.source.closed

    def fetchMore(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> None:  # noqa: N802
        if not self.canFetchMore(parent) or not self.rows:
            return
        rows = self._read(lambda: self.source.window(self.query(), self.rows[-1], PAGE), [])
        self.more = len(rows) == PAGE
        if rows:
            self.beginInsertRows(_ROOT, len(self.rows), len(self.rows) + len(rows) - 1)
            self.rows.extend(rows)
            self.endInsertRows()

    def all_ids(self) -> list[str]:
        """Every case of the list, in its order (for work over all of them: a batch export)."""
        return [] if self.source.closed else self._read(lambda: self.source.ids(self.query()), [])

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(CASE_COLUMNS)

    def row(self, row: int) -> dict[str, Any]:
        return self.rows[row]

    def case_id(self, row: int) -> str:
        return self.rows[row]["id"]

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole and 0 <= section < len(CASE_COLUMNS):
            return tr("CaseTable", CASE_COLUMNS[section][1])
        return None

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self.rows):
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


class _Counter(QObject):
    """Counts a list on a thread of its own with its own read-only connection: one count at a time, the newest
    asked for; a count asked for while another runs stops it (SQLite asks every 1,000 steps whether to go on).
    ``stop`` ends the thread and closes its connection (call it before the window's connections close)."""

    done = Signal(object, int)
    failed = Signal(str)

    def __init__(self, db_path: str | Path, parent=None):
        super().__init__(parent)
        self.db_path = db_path
        self._wanted: ListQuery | None = None
        self._wake = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def ask(self, q: ListQuery) -> None:
        with self._wake:
            self._wanted = q  # the count running now notices it and gives way
            self._wake.notify()
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="case-count", daemon=True)
            self._thread.start()

    def forget(self) -> None:
        with self._wake:
            self._wanted = None

    def _give_way(self) -> bool:
        return self._stopping or self._wanted is not None

    def _run(self) -> None:
        index = CaseIndex(self.db_path)
        try:
            while True:
                with self._wake:
                    while self._wanted is None and not self._stopping:
                        self._wake.wait()
                    if self._stopping:
                        return
                    q, self._wanted = self._wanted, None
                try:
                    total = index.count_unless(q, self._give_way)
                except CaseListUnavailable as exc:
                    self.failed.emit(str(exc))
                    continue
                if total is not None:  # None: a newer count is wanted, or the window closes
                    self.done.emit(q, total)
        finally:
            index.close()

    def stop(self) -> None:
        with self._wake:
            self._stopping = True
            self._wake.notify()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None


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
