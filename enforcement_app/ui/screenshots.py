"""``enforcement-app --demo --screenshots DIR``: every main screen, with demo data, as PNG files.

Each demo user logs in in turn (officer, legal reviewer, evaluator, administrator) and the screens they
use are opened and grabbed, so anyone can see the client without a display (``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtWidgets import QApplication, QWidget

from ..domain.refusals import RuleViolation
from ..services import Services
from ..services.api import china_now
from ..services.case_index import CaseIndex
from ..services.demo import DEMO_PASSWORD
from .window import LoginDialog, MainWindow
from .worker import ServiceThread


def settle(worker: ServiceThread, timeout: float = 30.0, extra_rounds: int = 5) -> None:
    """Run the event loop until the worker has no job left (and a few rounds more for repaints)."""
    app = QApplication.instance()
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        app.processEvents()
        if not worker.busy:
            break
        time.sleep(0.005)
    for _ in range(extra_rounds):
        app.processEvents()


def grab(widget: QWidget, folder: Path, name: str) -> Path:
    QApplication.instance().processEvents()
    path = folder / f"{name}.png"
    widget.grab().save(str(path))
    return path


def _case_in(db_path: Path, stage: str) -> str | None:
    index = CaseIndex(db_path)
    try:
        ids = index.ids(today=china_now().date(), stage=stage)
        return ids[0] if ids else None
    finally:
        index.close()


def _window(db_path: Path, login: str) -> tuple[ServiceThread, MainWindow]:
    worker = ServiceThread(db_path)
    result: list = []
    worker.logged_in.connect(result.append)
    worker.login(login, None)
    app = QApplication.instance()
    end = time.monotonic() + 30
    while not result and time.monotonic() < end:
        app.processEvents()
        time.sleep(0.005)
    window = MainWindow(worker, result[0], db_path, china_now().date())
    window.resize(1366, 768)
    window.show()
    settle(worker)
    return worker, window


def _sign_off_shot(db_path: Path, folder: Path, worker: ServiceThread, window: MainWindow, stage: str, kind: str, title: str,
                   name: str) -> list[Path]:
    """The sign-off dialog of a case in ``stage`` (the document it rests on beside the form); closes the window."""
    shots = []
    case_id = _case_in(db_path, stage)
    if case_id:
        window.show_case(case_id)
        settle(worker)
        dialog = window.workspace.start(kind, title)
        settle(worker)
        shots.append(grab(dialog, folder, name))
        dialog.reject()
    window.close()
    worker.shutdown()
    return shots


def take_all(db_path: Path, folder: Path) -> int:
    folder.mkdir(parents=True, exist_ok=True)
    with Services(db_path) as services:
        try:
            services.login("zhangming", DEMO_PASSWORD)
        except RuleViolation:
            print("错误：--screenshots 只用于演示数据库（请加 --demo 并使用新的数据库文件）", file=sys.stderr)
            return 2
    shots: list[Path] = []
    worker = ServiceThread(db_path)
    login = LoginDialog(worker, login="zhangming")
    login.show()
    shots.append(grab(login, folder, "01-login"))
    login.close()
    worker.shutdown()

    worker, window = _window(db_path, "zhangming")
    shots.append(grab(window, folder, "02-inbox"))
    window.show_page("cases")
    settle(worker)
    shots.append(grab(window, folder, "03-cases"))
    notice = _case_in(db_path, "notice") or _case_in(db_path, "investigation")
    if notice:
        window.show_case(notice)
        settle(worker)
        shots.append(grab(window, folder, "04-workspace"))
        window.workspace.tabs.setCurrentIndex(1)
        if window.workspace.evidence.count():
            window.workspace.evidence.setCurrentRow(0)
        settle(worker)
        shots.append(grab(window, folder, "05-evidence"))
    investigating = _case_in(db_path, "investigation")
    if investigating:
        window.show_case(investigating)
        settle(worker)
        dialog = window.workspace.start("submit_investigation_report", "调查终结报告")
        settle(worker)
        panel = dialog.extra
        panel.bases["goods_value"].setText("3600")
        panel.run()
        settle(worker)
        dialog.resize(900, 1000)
        shots.append(grab(dialog, folder, "06-discretion-panel"))
        dialog.close()
    window.new_case()
    settle(worker)
    if getattr(window, "new_case_dialog", None) is not None:
        window.new_case_dialog.number.setText("91441300MA4UX8Q2X1")
        shots.append(grab(window.new_case_dialog, folder, "07-new-case"))
        window.new_case_dialog.close()
    window.close()
    worker.shutdown()

    worker, window = _window(db_path, "chenjing")
    shots.append(grab(window, folder, "08-review-inbox"))
    shots += _sign_off_shot(db_path, folder, worker, window, "legal_review", "record_legal_review", "法制审核", "09-review-checklist")
    worker, window = _window(db_path, "wangjg")
    shots += _sign_off_shot(db_path, folder, worker, window, "filing", "approve_filing", "批准立案", "13-approve-filing")

    worker, window = _window(db_path, "wuzy")
    window.show_page("evaluation")
    archived = _case_in(db_path, "archived") or _case_in(db_path, "closed")
    if archived:
        window.evaluation.load(archived)
        settle(worker)
        shots.append(grab(window, folder, "10-evaluation"))
        with tempfile.TemporaryDirectory() as tmp:
            window.evaluation.export_one(str(Path(tmp) / "case.pdf"))
            settle(worker)
        shots.append(grab(window, folder, "11-export"))
    window.close()
    worker.shutdown()

    worker, window = _window(db_path, "admin")
    window.show_page("admin")
    settle(worker)
    window.admin.verify()
    settle(worker)
    shots.append(grab(window, folder, "12-administration"))
    window.close()
    worker.shutdown()
    for shot in shots:
        print(shot)
    return 0
