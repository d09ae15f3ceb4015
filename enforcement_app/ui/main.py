"""``enforcement-app``: the Qt client.

Until the client issue lands this is a read-only main window over the services: the case list (model/view,
rows fetched lazily by id) and the selected case's stage, deadlines, allowed and blocked actions and its
process record.
"""

from __future__ import annotations

import argparse
import html
import sys
from datetime import date
from pathlib import Path

from PySide6.QtCore import QAbstractTableModel, QModelIndex, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QApplication,
    QLabel,
    QMainWindow,
    QSplitter,
    QTableView,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from ..domain.case import STAGE_ZH, Stage
from ..services import Services, Session
from ..store.database import default_db_path

COLUMNS = [("case_no", "案件编号"), ("title", "案件名称"), ("stage", "阶段"), ("handler_names", "承办人"), ("received_on", "登记日期"), ("next_due", "下一期限")]


class CaseTableModel(QAbstractTableModel):
    """Holds the ordered case ids; row data is fetched by id when first painted (the Anki pattern)."""

    def __init__(self, session: Session, today: date):
        super().__init__()
        self.session = session
        self.today = today
        self.ids: list[str] = []
        self.rows: dict[str, dict] = {}
        self.reload()

    def reload(self) -> None:
        self.beginResetModel()
        self.ids = [r[0] for r in self.session.db.execute('SELECT id FROM "case" ORDER BY received_on DESC, id DESC')]
        self.rows = {}
        self.endResetModel()

    def rowCount(self, parent=QModelIndex()) -> int:  # noqa: N802 - Qt API
        return 0 if parent.isValid() else len(self.ids)

    def columnCount(self, parent=QModelIndex()) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(COLUMNS)

    def _row(self, row: int) -> dict:
        case_id = self.ids[row]
        if case_id not in self.rows:
            start = max(0, row - 50)
            chunk = self.ids[start : row + 150]
            marks = ",".join("?" * len(chunk))
            cursor = self.session.db.execute(
                f'SELECT id, case_no, title, stage, handler_names, received_on, next_due, next_due_rule FROM "case" WHERE id IN ({marks})', chunk
            )
            for r in cursor:
                self.rows[r[0]] = dict(zip(["id", "case_no", "title", "stage", "handler_names", "received_on", "next_due", "next_due_rule"], r, strict=True))
        return self.rows[case_id]

    def data(self, index: QModelIndex, role: int = Qt.ItemDataRole.DisplayRole):
        if not index.isValid():
            return None
        row = self._row(index.row())
        key = COLUMNS[index.column()][0]
        if role == Qt.ItemDataRole.DisplayRole:
            value = row[key]
            if key == "stage":
                return STAGE_ZH[Stage(value)]
            if key == "next_due" and value:
                left = (date.fromisoformat(value) - self.today).days
                return f"{row['next_due_rule']}：{'逾期' + str(-left) + '天' if left < 0 else '剩' + str(left) + '天'}"
            if key == "case_no" and not value:
                return "（未立案）"
            return value
        if role == Qt.ItemDataRole.ForegroundRole and key == "next_due" and row["next_due"]:
            if row["next_due"] < self.today.isoformat():
                return QColor("#c62828")
        return None

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole):  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return COLUMNS[section][1]
        return None

    def case_id(self, row: int) -> str:
        return self.ids[row]


class MainWindow(QMainWindow):
    def __init__(self, session: Session):
        super().__init__()
        self.session = session
        self.setWindowTitle(f"行政执法案件记录 — {session.services.agency().name if session.services.agency() else '未设置执法主体'}")
        self.model = CaseTableModel(session, session.services.today())
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QTableView.SelectionBehavior.SelectRows)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setColumnWidth(0, 190)
        self.table.setColumnWidth(1, 330)
        self.detail = QTextBrowser()
        splitter = QSplitter()
        left = QWidget()
        layout = QVBoxLayout(left)
        layout.addWidget(QLabel(f"案件（共 {self.model.rowCount()} 件）"))
        layout.addWidget(self.table)
        splitter.addWidget(left)
        splitter.addWidget(self.detail)
        splitter.setSizes([760, 560])
        self.setCentralWidget(splitter)
        self.table.selectionModel().currentRowChanged.connect(lambda cur, _prev: self.show_case(cur.row()))
        self.resize(1340, 740)
        if self.model.rowCount():
            self.table.selectRow(0)

    def show_case(self, row: int) -> None:
        if row < 0:
            return
        data = self.session.view(self.model.case_id(row)).as_dict()
        e = html.escape
        parts = [f"<h3>{e(data['case_no'] or '（未立案）')}</h3><p><b>{e(data['title'])}</b><br>阶段：{e(data['stage_name'])}</p>"]
        if data["major_decision"]:
            parts.append("<p style='color:#8d6e00'>重大执法决定：" + e("；".join(data["major_decision"])) + "</p>")
        parts.append("<h4>期限</h4><ul>" + "".join(
            f"<li style='color:{'#c62828' if d['status'] == 'overdue' else '#222'}'>{e(d['name'])}（{e(d['basis'])}）至 {d['due']} [{d['status']}]</li>"
            for d in data["deadlines"]) + "</ul>")
        parts.append("<h4>可办理</h4><p>" + e("、".join(a["title"] for a in data["allowed_actions"]) or "—") + "</p>")
        parts.append("<h4>受阻</h4><ul>" + "".join(
            f"<li><b>{e(b['title'])}</b>：{e('；'.join(r['message'] for r in b['reasons']))}</li>" for b in data["blocked_actions"]) + "</ul>")
        parts.append("<h4>全过程记录</h4><ol>" + "".join(
            f"<li>{ev['at'][:16].replace('T', ' ')} {e(self.session.services.permissions.title(ev['kind']))} <small>{ev['hash'][:12]}</small></li>"
            for ev in data["events"]) + "</ol>")
        self.detail.setHtml("".join(parts))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="enforcement-app", description="行政执法案件记录")
    parser.add_argument("--db", type=Path, help=f"数据库文件（默认 {default_db_path()}）")
    parser.add_argument("--demo", action="store_true", help="新数据库中写入演示数据")
    parser.add_argument("--user", default="zhangming", help="以哪个用户身份打开（登录在客户端议题中实现）")
    parser.add_argument("--screenshot", type=Path, help="把主窗口渲染为 PNG 后退出")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    services = Services(args.db or default_db_path())
    if args.demo and not services.db.execute('SELECT COUNT(*) FROM "case"').fetchone()[0]:
        from ..services.demo import build_demo

        build_demo(services)
    officer = services.officer_by_login(args.user) or next(iter(services.officers().values()), None)
    if officer is None:
        sys.stderr.write("数据库中没有用户：请先运行 enforcement-cli init，或用 --demo 写入演示数据\n")
        return 2
    window = MainWindow(Session(services, officer))
    if args.screenshot:
        window.show()
        app.processEvents()
        window.grab().save(str(args.screenshot))
        services.close()
        return 0
    window.show()
    code = app.exec()
    services.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
