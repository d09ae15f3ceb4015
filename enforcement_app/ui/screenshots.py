"""``enforcement-app --demo --screenshots DIR``: every main screen, with demo data, as PNG files.

Each demo user logs in in turn (officer, legal reviewer, evaluator, administrator) and the screens they
use are opened and grabbed, so anyone can see the client without a display (``QT_QPA_PLATFORM=offscreen``).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from PySide6.QtCore import QRect, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from ..domain.procedure import title_of
from ..domain.refusals import RuleViolation
from ..services import Services
from ..services.api import china_now
from ..services.case_index import CaseIndex, ListQuery
from ..services.demo import DEMO_PASSWORD
from .forms import FORMS
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


def screen_size() -> QSize:
    """The screen the shots are taken on (``--screen``): the main window fills it, the dialogs fit it as they open."""
    screen = QApplication.primaryScreen()
    return screen.availableGeometry().size() if screen is not None else QSize(1366, 768)


def _case_in(db_path: Path, stage: str) -> str | None:
    index = CaseIndex(db_path)
    try:
        ids = index.ids(ListQuery(today=china_now().date(), stage=stage))
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
    window.resize(screen_size())
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


def _ids_at(db_path: Path, stage: str) -> list[str]:
    """The demo's cases at ``stage``, from the case index."""
    index = CaseIndex(db_path)
    try:
        return index.ids(ListQuery(today=china_now().date(), stage=stage))
    finally:
        index.close()


def _corrected_for_review(db_path: Path) -> str | None:
    """A returned case put right by its handler: the inspection record corrected and the case submitted to
    review again, so that the reviewer's sign-off shows what changed since the last review."""
    ids = _ids_at(db_path, "deliberation")
    with Services(db_path) as services:
        for case_id in ids:
            state = services.current_state(case_id)
            inspection = next((st for st in state.steps if st.kind == "record_inspection"), None)
            if (state.review or {}).get("outcome") != "return" or inspection is None:
                continue
            handler = services.login(services.officers()[state.handlers[0]].login, DEMO_PASSWORD)
            findings = str(inspection.payload.get("findings", ""))
            handler.perform(case_id, "correct_record", {"corrects": inspection.hash, "reason": "现场清点数量记录有误",
                                                        "changes": {"findings": findings.rstrip("。") + "，另有同类商品3件未标明价格。"}})
            submission = state.review_rounds[-1]["submission"]
            handler.perform(case_id, "submit_legal_review", {"summary": submission.get("summary", ""),
                                                             "draft_decision": submission.get("draft_decision", ""),
                                                             "corrections_made": "已更正现场笔录，补充进货单据、销售记录"})
            return case_id
    return None


def _inquiry_draft(db_path: Path, folder: Path, window: MainWindow, worker: ServiceThread) -> list[Path]:
    """The inquiry form of a case the officer handles, with its buttons to print the record for signing on
    paper, and the draft it prints."""
    from ..casefile import render_step
    from .pages import page_images

    ids = _ids_at(db_path, "investigation")
    with Services(db_path) as services:
        case_id = next((c for c in ids if window.actor.id in services.current_state(c).handlers), None)
    if case_id is None:
        return []
    window.show_case(case_id)
    settle(worker)
    dialog = window.workspace.start("record_inquiry", "询问调查")
    settle(worker)
    dialog.inputs["place"].setText("仲恺高新区市场监督管理局询问室")
    dialog.inputs["recorder"].setText("李华")
    person = dialog.inputs["person"]
    person.name.setText("黄某")
    person.id_number.setText("441302198507150015")
    person.phone.setText("13902221234")
    person.address.setText("惠州市惠城区江北街道文明一路8号")
    person.relation.setCurrentText("当事人的法定代表人（负责人）")
    dialog.inputs["qa"].setPlainText("问：我们是惠州仲恺高新区市场监督管理局执法人员，已出示执法证件，你是否看清？\n答：看清了。\n"
                                     "问：货架上的商品从何处进货？\n答：从批发市场进货，有进货单据。")
    shots = [grab(dialog, folder, "14-inquiry-print")]
    payload = dialog.payload()
    shots.append(_with_errors(dialog, worker, folder, "14c-inquiry-errors"))
    dialog.reject()
    if dialog.confirm_box is not None:
        dialog.confirm_box.done(0)
    with Services(db_path) as services:
        data = services.login("zhangming", DEMO_PASSWORD).draft_case_file_data(case_id, "record_inquiry", payload)
        page = page_images(render_step(data, data.draft), 1, height=1100)[0]
    path = folder / "14b-inquiry-draft.png"
    path.write_bytes(page)
    return [*shots, path]


def _gallery(db_path: Path, folder: Path, worker: ServiceThread, window: MainWindow) -> list[Path]:
    """The evidence gallery of a case with photos and a recording of its inquiry, at both sizes, the form a video
    dropped on it opens, and the viewer of its first photo as it opens on a 1366×768 and a 1920×1080 screen."""
    with Services(db_path) as services:
        shown = next((c for stage in ("notice", "investigation", "deliberation", "decided") for c in _ids_at(db_path, stage)
                      if any(e.get("av_record_of") for e in services.current_state(c).evidence)), None)
    if shown is None:
        return []
    window.show_case(shown)
    settle(worker)
    workspace = window.workspace
    workspace.tabs.setCurrentIndex(1)
    workspace.evidence.setCurrentRow(0)
    workspace.evidence.thumbnails.wait()
    settle(worker)
    shots = [grab(window, folder, "05-evidence")]
    window.resize(1920, 1080)
    settle(worker)
    shots.append(grab(window, folder, "05-evidence-1920"))
    window.resize(1366, 768)
    settle(worker)
    with tempfile.TemporaryDirectory() as tmp:  # a recording dropped on the gallery: its form, with the steps it may record
        recording = Path(tmp) / "现场执法记录仪录像.mp4"
        recording.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
        form = workspace.add_evidence([str(recording)])
        settle(worker)
        shots.append(grab(form, folder, "05c-register-recording"))
        form.done(0)
    photo = next((t for t in workspace.evidence.tiles if t.picture and t.kind == "照片"), None)
    if photo is not None:
        for name, screen in (("05b-evidence-viewer", QRect(0, 0, 1366, 728)), ("05b-evidence-viewer-1920", QRect(0, 0, 1920, 1040))):
            workspace.open_evidence(photo)
            viewer = workspace.viewer
            viewer.fit_to_screen(screen)
            workspace.evidence.thumbnails.wait()
            settle(worker)
            shots.append(grab(viewer, folder, name))
            viewer.close()
    return shots


def _dashboard(db_path: Path, folder: Path) -> list[Path]:
    """The dashboard as a head sees it, the cases of its biggest stage listed, at both sizes."""
    worker, window = _window(db_path, "wangjg")
    window.show_page("dashboard")
    settle(worker)
    page = window.dashboard
    stages = page.board.chart("stage") if page.board is not None else None
    if stages is not None and stages.bars:
        page.choose("stage", max(stages.bars, key=lambda b: b.count))
        settle(worker)
    shots = [grab(window, folder, "17-dashboard")]
    window.resize(1920, 1080)
    settle(worker)
    shots.append(grab(window, folder, "17-dashboard-1920"))
    window.close()
    worker.shutdown()
    return shots


def _with_errors(dialog, worker: ServiceThread, folder: Path, name: str) -> Path:
    """The form sent with what a hurried officer leaves: no place, a mistyped ID number, no answers; each refusal at
    its field. Nothing is recorded (the procedure refuses it)."""
    keep = {"place": dialog.inputs["place"].text(), "id": dialog.inputs["person"].id_number.text(), "qa": dialog.inputs["qa"].toPlainText()}
    dialog.inputs["place"].setText("")
    dialog.inputs["person"].id_number.setText("44130219850715001X")
    dialog.inputs["qa"].setPlainText("问：货架上的商品从何处进货？")
    dialog.send()
    settle(worker)
    if dialog.confirm_box is not None and dialog.confirm_box.isVisible():  # the times overlap another record: send anyway
        dialog.confirm_box.done(QMessageBox.StandardButton.Yes)
        settle(worker)
    path = grab(dialog, folder, name)
    dialog.inputs["place"].setText(keep["place"])
    dialog.inputs["person"].id_number.setText(keep["id"])
    dialog.inputs["qa"].setPlainText(keep["qa"])
    dialog.clear_errors()
    return path


def _penalty_form(db_path: Path, folder: Path, login: str, stage: str, kind: str, name: str) -> list[Path]:
    """The form where the penalty is set (the notice, the decision) with the discretion panel assessed: the result
    filled into the kinds, the fine and the penalty provision."""
    case_id = _case_in(db_path, stage)
    if case_id is None:
        return []
    worker, window = _window(db_path, login)
    try:
        window.show_case(case_id)
        settle(worker)
        dialog = window.workspace.start(kind, title_of(kind))
        settle(worker)
        panel = dialog.extra
        for base in panel.needed_bases():
            if not panel.bases[base].text():
                panel.bases[base].setText("3600")
        panel.run()
        settle(worker)
        shots = [grab(dialog, folder, name)]
        dialog.done(0)
        return shots
    finally:
        window.close()
        worker.shutdown()


def _every_form(db_path: Path, folder: Path, login: str, stage: str) -> list[Path]:
    """Each step's form, opened on a case of ``stage`` as ``login``, as it opens (forms/<action>.png): to see that each
    fits the screen and asks in plain words."""
    case_id = _case_in(db_path, stage)
    if case_id is None:
        return []
    (folder / "forms").mkdir(exist_ok=True)
    worker, window = _window(db_path, login)
    shots = []
    try:
        window.show_case(case_id)
        settle(worker)
        with tempfile.TemporaryDirectory() as tmp:
            photo = Path(tmp) / "现场照片.png"
            QImage(64, 48, QImage.Format.Format_RGB32).save(str(photo))
            for kind in FORMS:
                dialog = (window.workspace.add_evidence([str(photo)]) if kind == "add_evidence"
                          else window.workspace.start(kind, title_of(kind)))
                settle(worker)
                shots.append(grab(dialog, folder / "forms", kind))
                dialog.done(0)
    finally:
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
        shots += _gallery(db_path, folder, worker, window)
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
        shots.append(grab(dialog, folder, "06-discretion-panel"))
        dialog.close()
        shots += _inquiry_draft(db_path, folder, window, worker)
    decided = _case_in(db_path, "closed") or _case_in(db_path, "archived") or notice  # a general case: many documents
    if decided:
        window.show_case(decided)
        settle(worker)
        window.workspace.tabs.setCurrentWidget(window.workspace.documents_tab)
        settle(worker)
        window.workspace.documents.selectRow(0)
        shots.append(grab(window, folder, "15-documents"))

    window.new_case()
    settle(worker)
    if getattr(window, "new_case_dialog", None) is not None:
        window.new_case_dialog.number.setText("91441300MA4UX8Q2X1")
        shots.append(grab(window.new_case_dialog, folder, "07-new-case"))
        window.new_case_dialog.close()
    window.close()
    worker.shutdown()

    corrected = _corrected_for_review(db_path)
    worker, window = _window(db_path, "chenjing")
    shots.append(grab(window, folder, "08-review-inbox"))
    if corrected:
        window.show_case(corrected)
        settle(worker)
        dialog = window.workspace.start("record_legal_review", "法制审核")
        settle(worker)
        shots.append(grab(dialog, folder, "16-sign-off-changes"))
        dialog.reject()
    shots += _sign_off_shot(db_path, folder, worker, window, "legal_review", "record_legal_review", "法制审核", "09-review-checklist")
    worker, window = _window(db_path, "wangjg")
    shots += _sign_off_shot(db_path, folder, worker, window, "filing", "approve_filing", "批准立案", "13-approve-filing")
    shots += _dashboard(db_path, folder)

    shots += _penalty_form(db_path, folder, "zhangming", "deliberation", "issue_prior_notice", "17-notice-discretion")
    shots += _penalty_form(db_path, folder, "wangjg", "notice", "make_decision", "18-decision-discretion")
    shots += _every_form(db_path, folder, "zhangming", "investigation")

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
