"""The dashboard page: the agency's work in charts, for its heads and administrators. Each bar is a set of cases;
clicking it lists them below, and a case in the list opens in its workspace.

The charts are painted here with ``QPainter`` (the installed PySide6 has no QtCharts); the numbers come from the
services (``Session.dashboard``, GROUP BY queries over the case table) through the worker, as everything the
client shows.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QT_TRANSLATE_NOOP, QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from ..domain.case import STAGE_ZH, Stage
from ..domain.money import format_yuan
from ..services.changes import Changes
from ..services.dashboard import Bar, Chart, Dashboard
from .i18n import tr
from .models import ListTableModel

MONTHLY = ("decisions", "fines")
COLUMNS = ("stage", *MONTHLY)  # drawn as columns (a stage or a month under each); the others as rows, named beside them
COLORS = {"stage": "#1565c0", "overdue": "#c62828", "decisions": "#2e7d32", "fines": "#ef6c00", "reviews": "#6a1b9a",
          "evaluations": "#00838f"}
LIST_COLUMNS = [("case_no", QT_TRANSLATE_NOOP("DashboardPage", "Case number")), ("title", QT_TRANSLATE_NOOP("DashboardPage", "Case")),
                ("party_name", QT_TRANSLATE_NOOP("DashboardPage", "Party")), ("stage_name", QT_TRANSLATE_NOOP("DashboardPage", "Stage")),
                ("handler_names", QT_TRANSLATE_NOOP("DashboardPage", "Handlers")),
                ("received_on", QT_TRANSLATE_NOOP("DashboardPage", "Registered")),
                ("next_due", QT_TRANSLATE_NOOP("DashboardPage", "Next deadline")), ("fine", QT_TRANSLATE_NOOP("DashboardPage", "Fine"))]


def short_amount(fen: int) -> str:
    """An amount as a bar is labelled: ``3.5万`` from ten thousand yuan on, whole yuan below."""
    yuan = fen / 100
    return f"{yuan / 10000:.1f}万" if yuan >= 10000 else f"{yuan:,.0f}"


class BarChart(QWidget):
    """One chart of the dashboard. Rows of named bars, or columns for the months; :attr:`chosen` says which bar
    was clicked (its chart's measure, the bar)."""

    chosen = Signal(str, object)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.chart: Chart | None = None
        self.rects: list[tuple[QRect, Bar]] = []  # where each bar was laid out (what a click and a tooltip find)
        self.hovered: Bar | None = None
        self.selected = ""  # the key of the bar whose cases are listed (outlined)
        self.setMouseTracking(True)
        self.setMinimumSize(300, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_chart(self, chart: Chart) -> None:
        self.chart = chart
        self.setObjectName(f"chart_{chart.measure}")
        self.setAccessibleName(chart.title)
        self._layout()
        self.update()

    def value(self, bar: Bar) -> int:
        return bar.amount_fen if self.chart is not None and self.chart.money else bar.count

    def shown(self, bar: Bar) -> str:
        return short_amount(bar.amount_fen) if self.chart is not None and self.chart.money else str(bar.count)

    def bar_at(self, point: QPoint) -> Bar | None:
        return next((bar for rect, bar in self.rects if rect.adjusted(-2, -2, 2, 2).contains(point)), None)

    def rect_of(self, key: str) -> QRect:
        return next(rect for rect, bar in self.rects if bar.key == key)

    # --- layout and painting ------------------------------------------------------------------------------

    def _frame(self) -> QRect:
        """The area the bars take: below the title and the note."""
        return self.rect().adjusted(10, 44, -10, -6)

    def _layout(self) -> None:
        self.rects = []
        if self.chart is None or not self.chart.bars:
            return
        area = self._frame()
        top = max((self.value(b) for b in self.chart.bars), default=0) or 1
        bars = self.chart.bars
        if self.chart.measure in COLUMNS:  # columns, the name under each (on two lines if need be), the value over it
            step = area.width() / len(bars)
            under = self._label_lines(step) * (self.fontMetrics().height() + 1) + 2
            base, room = area.bottom() - under, area.height() - under - 18
            for n, bar in enumerate(bars):
                height = round(room * self.value(bar) / top)
                width = max(6, int(step * 0.64))
                left = area.left() + int(n * step + (step - width) / 2)
                self.rects.append((QRect(left, base - max(height, 1), width, max(height, 1)), bar))
            return
        label_width = min(int(area.width() * 0.42), max(self.fontMetrics().horizontalAdvance(b.label) for b in bars) + 10)
        row = min(26.0, area.height() / len(bars))
        width = area.width() - label_width - 48
        for n, bar in enumerate(bars):
            length = round(width * self.value(bar) / top)
            thickness = max(6, int(row * 0.7))
            y = area.top() + int(n * row + (row - thickness) / 2)
            self.rects.append((QRect(area.left() + label_width, y, max(length, 1), thickness), bar))

    def _label_lines(self, step: float) -> int:
        """Two lines under the columns when a name is wider than its column (a stage's four characters), else one."""
        if self.chart is None or self.chart.measure in MONTHLY:
            return 1
        widest = max((self.fontMetrics().horizontalAdvance(b.label) for b in self.chart.bars), default=0)
        return 2 if widest > step - 2 else 1

    def _column_label(self, label: str, step: float) -> str:
        """A column's name as it fits under it: a month by its number alone, a stage on two lines (已/结案, 案源/登记)."""
        widest = max(self.fontMetrics().horizontalAdvance(b.label) for b in self.chart.bars) if self.chart else 0
        if widest <= step - 2:
            return label
        if self.chart is not None and self.chart.measure in MONTHLY:  # every month alike: 1 … 12
            return label.removesuffix("月")
        if self.fontMetrics().horizontalAdvance(label) <= step - 2:
            return label
        half = len(label) // 2
        return f"{label[:half]}\n{label[half:]}"

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().resizeEvent(event)
        self._layout()

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt API
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        painter.setPen(QPen(QColor("#d5dde6")))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        if self.chart is None:
            painter.end()
            return
        title = QFont(self.font())
        title.setBold(True)
        title.setPointSizeF(self.font().pointSizeF() + 1)
        painter.setFont(title)
        painter.setPen(QColor("#1a3a5c"))
        painter.drawText(QRect(10, 6, self.width() - 20, 20), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.chart.title)
        small = QFont(self.font())
        small.setPointSizeF(max(7.5, self.font().pointSizeF() - 1))
        painter.setFont(small)
        painter.setPen(QColor("#78909c"))
        note = painter.fontMetrics().elidedText(self.chart.note, Qt.TextElideMode.ElideRight, self.width() - 20)
        painter.drawText(QRect(10, 26, self.width() - 20, 16), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, note)
        painter.setFont(self.font())
        if not any(self.value(b) for b in self.chart.bars):  # nothing to compare: say so, rather than draw rows of zeros
            painter.setPen(QColor("#90a4ae"))
            painter.drawText(self._frame(), Qt.AlignmentFlag.AlignCenter, tr("DashboardPage", "None"))
            painter.end()
            return
        color = QColor(COLORS.get(self.chart.measure, "#1565c0"))
        columns = self.chart.measure in COLUMNS
        metrics = painter.fontMetrics()
        step = self._frame().width() / len(self.chart.bars)
        under = self._label_lines(step) * (metrics.height() + 1)
        for rect, bar in self.rects:
            fill = color.lighter(125) if bar is self.hovered else color
            if self.value(bar):
                painter.fillRect(rect, fill)
            if bar.key == self.selected:
                painter.setPen(QPen(QColor("#212121"), 2))
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.drawRect(rect.adjusted(-2, -2, 2, 2))
            painter.setPen(QColor("#37474f"))
            if columns:
                painter.drawText(QRect(int(rect.center().x() - step / 2), self._frame().bottom() - under, int(step), under),
                                 Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop, self._column_label(bar.label, step))
                if self.value(bar):
                    painter.drawText(QRect(rect.center().x() - 40, rect.top() - 17, 80, 16), Qt.AlignmentFlag.AlignCenter, self.shown(bar))
            else:
                label_rect = QRect(self._frame().left(), rect.top() - 4, rect.left() - self._frame().left() - 8, rect.height() + 8)
                painter.drawText(label_rect, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                                 metrics.elidedText(bar.label, Qt.TextElideMode.ElideMiddle, label_rect.width()))
                painter.drawText(QRect(rect.right() + 6, rect.top() - 4, 60, rect.height() + 8),
                                 Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, self.shown(bar))
        painter.end()

    # --- pointing ------------------------------------------------------------------------------------------

    def tip(self, bar: Bar) -> str:
        text = f"{bar.label}：{tr('DashboardPage', '%n case(s)', '', bar.count)}"
        if self.chart is not None and self.chart.measure in MONTHLY and bar.amount_fen:
            text += f"，{tr('DashboardPage', 'fines')} {format_yuan(bar.amount_fen)}"
        return text + ("\n" + tr("DashboardPage", "Click to list them") if bar.count else "")

    def mouseMoveEvent(self, event) -> None:  # noqa: N802 - Qt API
        bar = self.bar_at(event.position().toPoint())
        if bar is not self.hovered:
            self.hovered = bar
            self.setCursor(Qt.CursorShape.PointingHandCursor if bar is not None and bar.count else Qt.CursorShape.ArrowCursor)
            self.update()
        if bar is not None:
            QToolTip.showText(event.globalPosition().toPoint(), self.tip(bar), self)
        else:
            QToolTip.hideText()

    def leaveEvent(self, event) -> None:  # noqa: N802 - Qt API
        self.hovered = None
        self.update()
        super().leaveEvent(event)

    def mousePressEvent(self, event) -> None:  # noqa: N802 - Qt API
        bar = self.bar_at(event.position().toPoint())
        if bar is not None and bar.count and self.chart is not None and event.button() == Qt.MouseButton.LeftButton:
            self.chosen.emit(self.chart.measure, bar)
            event.accept()
            return
        super().mousePressEvent(event)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt API
        return QSize(420, 250)


class DashboardPage(QWidget):
    """The charts above, the cases of the bar last clicked below; :attr:`case_chosen` when one is opened."""

    case_chosen = Signal(str)

    def __init__(self, worker, parent=None):
        super().__init__(parent)
        self.setObjectName("dashboard_page")
        self.worker = worker
        self.board: Dashboard | None = None
        self.listed: list[dict[str, Any]] = []
        self.shown_bar: tuple[str, str] | None = None  # (measure, key) of the cases listed
        self._stale = True
        worker.changed.connect(self.on_changes)
        layout = QVBoxLayout(self)
        bar = QHBoxLayout()
        heading = QLabel(tr("DashboardPage", "The agency's work"))
        heading.setStyleSheet("font-size:13pt; font-weight:600; color:#1a3a5c;")
        bar.addWidget(heading)
        self.summary = QLabel()
        self.summary.setObjectName("dashboard_summary")
        self.summary.setStyleSheet("color:#546e7a;")
        bar.addWidget(self.summary, 1)
        bar.addWidget(QLabel(tr("DashboardPage", "Decisions and fines of")))
        self.year = QComboBox()
        self.year.setObjectName("dashboard_year")
        self.year.activated.connect(lambda _n: self.refresh())
        bar.addWidget(self.year)
        refresh = QPushButton(tr("DashboardPage", "Refresh"))
        refresh.setObjectName("dashboard_refresh")
        refresh.clicked.connect(self.refresh)
        bar.addWidget(refresh)
        layout.addLayout(bar)
        self.split = QSplitter(Qt.Orientation.Vertical)
        charts = QWidget()
        grid = QGridLayout(charts)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setSpacing(8)
        self.charts: dict[str, BarChart] = {}
        for n, measure in enumerate(("stage", "overdue", "reviews", "decisions", "fines", "evaluations")):
            chart = BarChart()
            chart.chosen.connect(self.choose)
            self.charts[measure] = chart
            grid.addWidget(chart, n // 3, n % 3)
        self.split.addWidget(charts)
        below = QWidget()
        column = QVBoxLayout(below)
        column.setContentsMargins(0, 0, 0, 0)
        self.list_title = QLabel(tr("DashboardPage", "Click a bar to list its cases here; double-click a case to open it."))
        self.list_title.setObjectName("dashboard_list_title")
        self.list_title.setStyleSheet("font-weight:600; color:#1a3a5c; margin-top:4px;")
        column.addWidget(self.list_title)
        self.model = ListTableModel(LIST_COLUMNS, "DashboardPage", self)
        self.table = QTableView()
        self.table.setObjectName("dashboard_cases")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.setEditTriggers(QTableView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(24)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for n, width in enumerate((200, 300, 190, 70, 110, 90, 90, 110)):
            self.table.setColumnWidth(n, width)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)  # the case's name takes the room left
        self.table.doubleClicked.connect(lambda index: self.case_chosen.emit(self.listed[index.row()]["id"]))
        column.addWidget(self.table, 1)
        self.split.addWidget(below)
        self.split.setStretchFactor(0, 1)
        self.split.setStretchFactor(1, 1)
        self.split.setChildrenCollapsible(False)
        self._divided = False
        self.split.splitterMoved.connect(lambda *_: setattr(self, "_divided", True))
        layout.addWidget(self.split, 1)
        self.message = QLabel()
        self.message.setObjectName("dashboard_message")
        self.message.setStyleSheet("color:#b71c1c;")
        layout.addWidget(self.message)

    def refresh(self) -> None:
        year = self.year.currentData()
        self._stale = False
        self.worker.read(lambda session, job: session.dashboard(year), self._show, self._failed)

    def on_changes(self, changes: Changes) -> None:
        """The numbers are the cases': refreshed on a change of any case while shown, else when next shown."""
        if not changes.cases:
            return
        self._stale = True
        if self.isVisible():
            self.refresh()

    def showEvent(self, event) -> None:  # noqa: N802 - Qt API
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt API
        """The charts their least height (two rows of them), the list of cases the rest: the list is what is read;
        until the user moves the divider themselves."""
        super().resizeEvent(event)
        if self._divided:
            return
        total = self.split.height()
        charts = max(2 * 200 + 8, int(total * 0.58))
        self.split.setSizes([charts, max(120, total - charts)])

    def _failed(self, exc: BaseException) -> None:
        self.message.setText(str(exc))

    def _show(self, board: Dashboard) -> None:
        self.board = board
        self.message.clear()
        self.summary.setText(tr("DashboardPage", "%1 cases in all, as of %2").replace("%1", f"{board.cases:,}").replace("%2", board.today.isoformat()))
        self.year.blockSignals(True)
        self.year.clear()
        for year in sorted({*board.years, board.year}, reverse=True):
            self.year.addItem(str(year), year)
        self.year.setCurrentIndex(max(0, self.year.findData(board.year)))
        self.year.blockSignals(False)
        for chart in board.charts:
            self.charts[chart.measure].set_chart(chart)
        if self.shown_bar is not None:  # the list follows the numbers it was drawn from
            measure, key = self.shown_bar
            chart = board.chart(measure)
            bar = next((b for b in chart.bars if b.key == key), None)
            if bar is not None:
                self.choose(measure, bar)

    def choose(self, measure: str, bar: Bar) -> None:
        """List the cases behind ``bar`` of the chart ``measure``."""
        year = self.board.year if self.board is not None else None
        title = self.board.chart(measure).title if self.board is not None else measure
        self.shown_bar = (measure, bar.key)
        for name, chart in self.charts.items():
            chart.selected = bar.key if name == measure else ""
            chart.update()

        def show(rows: list[dict[str, Any]]) -> None:
            self.listed = rows
            self.list_title.setText(f"{title}：{bar.label}　" + tr("DashboardPage", "%n case(s)", "", len(rows)))
            self.model.set_items([{**r, "case_no": r["case_no"] or tr("DashboardPage", "(not filed)"),
                                   "stage_name": STAGE_ZH[Stage(r["stage"])] if r["stage"] in set(Stage) else r["stage"],
                                   "fine": format_yuan(r["fine_fen"]) if r["fine_fen"] else ""} for r in rows])

        self.worker.read(lambda session, job: session.dashboard_cases(measure, bar.key, year), show, self._failed)
