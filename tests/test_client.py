"""The Qt client driven through its widgets (offscreen): log in, create a case, walk it from filing to
archive with clicks and typing — a blocked action showing its reason, a legal review by a reviewer, a
decision by a head — then export the case file as an evaluator."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from pathlib import Path

import pytest
import steps
from conftest import signed_in
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QPushButton, QWidget

pytestmark = pytest.mark.gui


@pytest.fixture(autouse=True)
def chinese(qapp):
    """The client as users get it: Simplified Chinese from the compiled translation file."""
    from enforcement_app.ui import i18n

    assert i18n.install("zh_CN"), "the zh_CN translation did not load"
    yield
    i18n.install("en")


@pytest.fixture
def clients(world, qtbot):
    """Opens logged-in windows on the test database, one worker thread each; joined at teardown."""
    from enforcement_app.ui.window import LoginDialog, MainWindow
    from enforcement_app.ui.worker import ServiceThread

    made = []

    def open_as(login: str, password: str = "secret-pass-1"):
        worker = ServiceThread(world.services.path, clock=world.clock)
        dialog = LoginDialog(worker)
        qtbot.addWidget(dialog)
        type_text(qtbot, dialog.login, login)
        type_text(qtbot, dialog.password, password)
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: dialog.officer is not None or dialog.error.text() not in ("", "正在验证…", "Checking…"), timeout=10_000)
        window = MainWindow(worker, dialog.officer, world.services.path, world.clock().date()) if dialog.officer else None
        if window is not None:
            qtbot.addWidget(window)
            window.show()
        made.append((worker, window))
        return worker, window, dialog

    yield open_as
    for worker, window in made:
        if window is not None:
            window.close()
        worker.shutdown()


def type_text(qtbot, widget, text: str) -> None:
    """Type as a user does: ASCII as key presses, Chinese as an input method commits it (QTest cannot
    press non-Latin keys), a new line as the Return key."""
    from PySide6.QtGui import QInputMethodEvent
    from PySide6.QtWidgets import QApplication

    widget.setFocus()
    for n, line in enumerate(text.split("\n")):
        if n:
            qtbot.keyClick(widget, Qt.Key.Key_Return)
        for run in _runs(line):
            if run.isascii():
                qtbot.keyClicks(widget, run)
            else:
                event = QInputMethodEvent()
                event.setCommitString(run)
                QApplication.sendEvent(widget, event)


def _runs(text: str) -> list[str]:
    runs: list[str] = []
    for ch in text:
        if runs and runs[-1][-1].isascii() == ch.isascii():
            runs[-1] += ch
        else:
            runs.append(ch)
    return runs


def settle(qtbot, worker) -> None:
    qtbot.waitUntil(lambda: not worker.busy, timeout=15_000)
    qtbot.wait(10)


def click_action(qtbot, window, kind: str):
    button = window.workspace.findChild(QPushButton, f"action_{kind}")
    assert button is not None, f"{kind} is not offered; blocked: {window.workspace.blocked.toPlainText()}"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    settle(qtbot, window.worker)
    return window.workspace.last_dialog


def submit(qtbot, window, dialog) -> None:
    """Press 记录 and expect the step to be recorded (the dialog closes); else show what the form says."""
    import shiboken6

    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    if dialog.confirm_text:  # a sign-off, closing or archiving asks first: the user says yes
        assert dialog.confirm_box is not None and dialog.confirm_box.isVisible()
        qtbot.mouseClick(dialog.confirm_box.button(dialog.confirm_box.StandardButton.Yes), Qt.MouseButton.LeftButton)
    settle(qtbot, window.worker)
    if shiboken6.isValid(dialog) and dialog.isVisible():
        errors = [label.text() for label in dialog.errors.values() if label.text()]
        pytest.fail(f"{dialog.kind} not recorded: {dialog.message.text()} {errors}")
    settle(qtbot, window.worker)  # the workspace reloads after the step


def type_into(qtbot, dialog, key: str, text: str) -> None:
    widget = dialog.inputs[key]
    widget.clear()
    type_text(qtbot, widget, text)


def set_moment(dialog, key: str, text: str) -> None:
    dialog.inputs[key].setDateTime(QDateTime.fromString(text, "yyyy-MM-ddTHH:mm"))


def check(dialog, key: str, *values: str) -> None:
    widget = dialog.inputs[key]
    for i in range(widget.count()):
        item = widget.item(i)
        item.setCheckState(Qt.CheckState.Checked if item.data(Qt.ItemDataRole.UserRole) in values else Qt.CheckState.Unchecked)


def scroll_to(widget) -> None:
    """Scroll the form a widget is in so that it shows, as a user does before clicking it (a click lands where the
    pointer is, on what is shown there)."""
    from PySide6.QtWidgets import QApplication, QScrollArea

    QApplication.processEvents()  # the form laid out as shown now (a part just shown has its place)
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None and parent.widget().isAncestorOf(widget):
            parent.ensureWidgetVisible(widget)
        parent = parent.parentWidget()


def _pen():
    from PySide6.QtGui import QInputDevice, QPointingDevice

    return QPointingDevice("test pen", 7, QInputDevice.DeviceType.Stylus, QPointingDevice.PointerType.Pen,
                           QInputDevice.Capability.Position | QInputDevice.Capability.Pressure, 1, 0)


def draw_signature(qtbot, field, row: int = 0, name: str | None = None, *, pen: bool = False) -> None:
    """Sign one row of a signatures field as a person does: open the pad, draw a stroke (with the mouse, or
    with a pen that reports pressure), confirm."""
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QMouseEvent, QTabletEvent
    from PySide6.QtWidgets import QApplication

    line = field.rows[row]
    if name is not None:
        line["name"].setText(name)
    scroll_to(line["buttons"][0])
    qtbot.mouseClick(line["buttons"][0], Qt.MouseButton.LeftButton)
    dialog = line["dialog"]
    pad = dialog.pad
    points = [QPointF(30 + 12 * i, 90 + (18 if i % 2 else -18)) for i in range(20)]
    if pen:
        device = _pen()
        kinds = [QTabletEvent.Type.TabletPress] + [QTabletEvent.Type.TabletMove] * (len(points) - 2) + [QTabletEvent.Type.TabletRelease]
        for n, (kind, point) in enumerate(zip(kinds, points, strict=True)):
            event = QTabletEvent(kind, device, point, pad.mapToGlobal(point), 0.2 + 0.04 * n, 0, 0, 0, 0, 0,
                                 Qt.KeyboardModifier.NoModifier, Qt.MouseButton.LeftButton,
                                 Qt.MouseButton.NoButton if kind == QTabletEvent.Type.TabletRelease else Qt.MouseButton.LeftButton)
            QApplication.sendEvent(pad, event)
    else:
        for n, point in enumerate(points):
            kind = QMouseEvent.Type.MouseButtonPress if n == 0 else QMouseEvent.Type.MouseMove
            QApplication.sendEvent(pad, QMouseEvent(kind, point, pad.mapToGlobal(point), Qt.MouseButton.LeftButton,
                                                    Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier))
        QApplication.sendEvent(pad, QMouseEvent(QMouseEvent.Type.MouseButtonRelease, points[-1], pad.mapToGlobal(points[-1]),
                                                Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier))
    qtbot.mouseClick(dialog.findChild(QPushButton, "confirm_signature"), Qt.MouseButton.LeftButton)
    assert line["entry"] is not None, dialog.message.text()


def test_login_refuses_a_wrong_password(clients):
    _worker, window, dialog = clients("zhangming", "wrong-password")
    assert window is None and "用户名或密码错误" in dialog.error.text()


def test_case_list_models_pass_the_model_tester(world, qtmodeltester, tmp_path):
    from enforcement_app.services.case_index import CaseIndex
    from enforcement_app.ui.models import CaseTableModel, ListTableModel

    steps.lead(world, world.company)
    steps.lead(world, world.person)
    index = CaseIndex(world.services.path)
    model = CaseTableModel(index, world.clock().date())
    model.reload()
    qtmodeltester.check(model)
    assert model.rowCount() == 2
    model.reload(query="刘某")
    assert model.rowCount() == 1
    table = ListTableModel([("a", "A"), ("b", "B")], "Test")
    table.set_items([{"a": 1, "b": "x"}, {"a": 2, "b": None}])
    qtmodeltester.check(table)
    index.close()


def test_the_case_list_repaints_only_the_rows_of_changed_cases(world, qtbot):
    """A write to one case repaints its row and keeps the others' rows and the order; a new case resets."""
    from enforcement_app.domain.case import Stage
    from enforcement_app.services.case_index import CaseIndex
    from enforcement_app.ui.models import CaseTableModel

    first = steps.lead(world, world.company)
    world.clock.advance(days=1)
    second = steps.lead(world, world.person)
    index = CaseIndex(world.services.path)
    model = CaseTableModel(index, world.clock().date())
    model.reload()
    resets, repainted = [], []
    model.modelReset.connect(lambda: resets.append(True))
    model.dataChanged.connect(lambda top, bottom: repainted.append((top.row(), bottom.row())))
    world.as_(world.officer_a).perform(first, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    model.refresh({first})
    row = [model.case_id(n) for n in range(model.rowCount())].index(first)
    assert resets == [] and repainted == [(row, row)]
    assert Stage(model.row(row)["stage"]) == world.as_(world.officer_a).view(first).state.stage != Stage.LEAD
    third = steps.lead(world, world.company)
    model.refresh({third})
    assert resets == [True] and model.rowCount() == 3 and model.total == 3
    assert [model.case_id(n) for n in range(3)] == [third, second, first]  # newest registered first
    index.close()


def test_a_general_procedure_case_through_the_widgets(world, clients, qtbot, tmp_path):
    from pypdf import PdfReader

    world.clock.set("2025-03-03T09:00")
    worker, officer, _ = clients("zhangming")
    settle(qtbot, worker)

    # a new case: the USCC is checked as it is typed
    qtbot.mouseClick(officer.findChild(QPushButton, "new_case"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    new = officer.new_case_dialog
    type_text(qtbot, new.number, "91350100M000100Y44")
    assert new.number_state.text().startswith("✘")
    new.number.clear()
    type_text(qtbot, new.number, "91350100M000100Y43")
    assert new.number_state.text().startswith("✔")
    type_text(qtbot, new.name, "惠州某某食品有限公司")
    type_text(qtbot, new.representative, "黄某")
    type_text(qtbot, new.address, "惠州市仲恺高新区和畅路8号")
    new.entry.setCurrentIndex(new.entry.findData("food_safety_124_1"))
    new.cause.clear()
    type_text(qtbot, new.cause, "销售超过保质期的食品")
    type_text(qtbot, new.summary, "群众投诉该店销售过期酸奶")
    new.act_date.setDate(datetime(2025, 2, 20).date())
    new.second.setCurrentIndex(new.second.findData(world.officer_b.id))
    qtbot.mouseClick(new.findChild(QPushButton, "create_case"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    settle(qtbot, worker)
    case_id = officer.workspace.case_id
    assert case_id and officer.stack.currentWidget() is officer.workspace

    dialog = click_action(qtbot, officer, "request_filing")
    type_into(qtbot, dialog, "facts", "投诉反映销售过期食品")
    suspected = dialog.inputs["violation"]  # the rule broken, one of the entry's: nothing chosen for the officer
    assert suspected.currentData() == "" and suspected.findData("《中华人民共和国食品安全法》第三十四条第（十）项") > 0
    suspected.setCurrentIndex(suspected.findData("《中华人民共和国食品安全法》第三十四条第（十）项"))
    type_into(qtbot, dialog, "reason", "涉嫌违反食品安全法第三十四条")
    submit(qtbot, officer, dialog)

    head_worker, head, _ = clients("wangju")
    settle(qtbot, head_worker)
    assert any(i["case_id"] == case_id and i["task"] == "approve_filing" for i in head.inbox.items)
    head.show_case(case_id)
    settle(qtbot, head_worker)
    submit(qtbot, head, click_action(qtbot, head, "approve_filing"))

    # before any investigation the report is blocked, and the window says why
    officer.workspace.reload()
    settle(qtbot, worker)
    assert "尚无立案后的调查取证记录" in officer.workspace.blocked.toPlainText()
    assert officer.workspace.findChild(QPushButton, "action_submit_investigation_report") is None

    world.clock.set("2025-03-05T12:00")
    dialog = click_action(qtbot, officer, "record_inspection")
    set_moment(dialog, "started_at", "2025-03-04T10:00")
    set_moment(dialog, "ended_at", "2025-03-04T11:00")
    type_into(qtbot, dialog, "place", "惠州市仲恺高新区惠风路1号店内")
    type_into(qtbot, dialog, "findings", "货架上有超过保质期的酸奶12盒")
    type_into(qtbot, dialog, "present", "刘某")
    draw_signature(qtbot, dialog.inputs["signatures"], 0, "刘某")
    for row in (1, 2):  # both officers sign the 现场笔录 too (the form names them)
        draw_signature(qtbot, dialog.inputs["signatures"], row)
    submit(qtbot, officer, dialog)

    photo = tmp_path / "shelf.png"
    steps.png(photo)
    dialog = officer.workspace.add_evidence([str(photo)])  # what a drop on the evidence list does
    assert dialog.inputs["kind"].currentData() == "photo" and dialog.inputs["taken_by"].text() == "张明、李华"
    type_into(qtbot, dialog, "description", "货架上的过期酸奶照片")
    set_moment(dialog, "collected_at", "2025-03-04T10:30")
    type_into(qtbot, dialog, "taken_at", "2025-03-04 10:20")
    type_into(qtbot, dialog, "taken_place", "惠州市仲恺高新区惠风路1号店内")
    type_into(qtbot, dialog, "proves", "货架上陈列超过保质期的酸奶")
    submit(qtbot, officer, dialog)
    registered = world.as_(world.officer_a).view(case_id).state.evidence
    assert registered[0]["description"] == "货架上的过期酸奶照片" and len(registered[0]["sha256"]) == 64

    dialog = click_action(qtbot, officer, "record_inquiry")
    set_moment(dialog, "started_at", "2025-03-05T09:30")
    set_moment(dialog, "ended_at", "2025-03-05T10:30")
    type_into(qtbot, dialog, "place", "询问室")
    type_into(qtbot, dialog, "recorder", "李华")
    person = dialog.inputs["person"]  # the company is the party: its legal representative is offered
    assert person.name.text() == "黄某" and person.relation.currentText() == "当事人的法定代表人（负责人）"
    person.name.clear()  # another is questioned: the shop's manager
    type_text(qtbot, person.name, "刘某")
    person.relation.setCurrentText("当事人")
    type_text(qtbot, person.id_number, "11010519491231002X")
    assert person.sex.currentText() == "女" and person.age.text() == "75"  # read from the ID number on the inquiry's day
    type_text(qtbot, person.phone, "13800000000")
    type_into(qtbot, dialog, "qa", "问：货架上的酸奶是否过期？\n答：是的，忘记下架了。")
    signatures = dialog.inputs["signatures"]
    assert [r["name"].text() for r in signatures.rows] == ["", "张明", "李华"]  # the officers are offered by name
    draw_signature(qtbot, signatures, 0, "刘某", pen=True)
    draw_signature(qtbot, signatures, 1)
    draw_signature(qtbot, signatures, 2)
    submit(qtbot, officer, dialog)
    inquiry = [st for st in world.services.current_state(case_id).steps if st.kind == "record_inquiry"][-1]
    drawn = inquiry.payload["signatures"]
    assert [e["signer"] for e in drawn] == ["interviewee", "officer", "officer"] and inquiry.payload["confirmed"]
    assert len({p[2] for p in drawn[0]["strokes"][0]}) > 5  # the pen's pressure, point by point
    assert inquiry.payload["person"] == {"name": "刘某", "relation": "当事人", "id_type": "resident_id", "id_number": "11010519491231002X",
                                         "sex": "female", "age": "75", "phone": "13800000000"}

    # the report, with the discretion panel: 150,000 yuan is above the organisation threshold (major)
    dialog = click_action(qtbot, officer, "submit_investigation_report")
    panel = dialog.extra
    settle(qtbot, worker)
    panel.entry.setCurrentIndex(panel.entry.findData("food_safety_124_1"))
    type_text(qtbot, panel.bases["goods_value"], "20000")
    qtbot.mouseClick(panel.assess_button, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert "200,000.00元" in panel.result.toPlainText() and "400,000.00元" in panel.result.toPlainText()  # 10–20 × goods value
    # the result is put into the form: the kinds the entry imposes, a fine in the recommended range, the penalty clause
    assert dialog.inputs["fine_yuan"].text() == "300000.00"
    assert dialog.inputs["basis"].text() == "《中华人民共和国食品安全法》第一百二十四条第一款"
    assert set(dialog.value(next(f for f in dialog.fields if f.key == "penalty_kinds"))) == {
        "fine", "confiscate_illegal_property", "confiscate_illegal_income"}
    assert dialog.inputs["facts_elements"].lines["goods_value"].text() == "20000"  # the base amount, as the element records it
    # 没收违法所得 and 没收违法生产经营的食品 are mandatory under Art. 124, beside the fine
    check(dialog, "penalty_kinds", "fine", "confiscate_illegal_property", "confiscate_illegal_income")
    type_into(qtbot, dialog, "fine_yuan", "150000")  # below the statutory minimum: the procedure refuses it
    type_into(qtbot, dialog, "facts", "当事人销售超过保质期的酸奶，货值金额20000元")
    violated = dialog.inputs["violation"]  # the provisions broken are the benchmark entry's, to choose from
    offered = [violated.itemData(i) for i in range(violated.count())]
    assert "《中华人民共和国食品安全法》第三十四条第（十）项" in offered and not any("第一百二十四条" in str(o) for o in offered)
    assert violated.currentData() == "《中华人民共和国食品安全法》第三十四条第（十）项"  # as the filing request named it
    type_into(qtbot, dialog, "basis", "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项")
    type_into(qtbot, dialog, "discretion", "按裁量基准")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert dialog.isVisible() and "偏离裁量基准" in dialog.errors["deviation_reason"].text()
    # the facts as the elements 食品安全法第一百二十四条 needs, one line each: a missing one is named at the field
    assert "“品名”" in dialog.errors["facts_elements"].text() and "“供货者”" in dialog.errors["facts_elements"].text()
    lines = dialog.inputs["facts_elements"].lines
    assert list(lines) == ["food", "quantity", "production_date", "shelf_life", "nonconformity", "goods_value", "illegal_income", "supplier"]
    for key, value in {**steps.ELEMENTS, "quantity": "1600盒"}.items():
        if key != "goods_value":  # filled in from the discretion panel
            type_text(qtbot, lines[key], value)
    type_into(qtbot, dialog, "fine_yuan", "300000")
    submit(qtbot, officer, dialog)
    assert world.services.current_state(case_id).report["facts_elements"]["goods_value"] == "20000.00"
    assert world.as_(world.officer_a).view(case_id).state.benchmark["grade"] == "general"

    dialog = click_action(qtbot, officer, "submit_legal_review")
    type_into(qtbot, dialog, "summary", "事实清楚，证据确凿；执法人员张明、李华")
    type_into(qtbot, dialog, "draft_decision", "拟罚款300000元")
    submit(qtbot, officer, dialog)

    reviewer_worker, reviewer, _ = clients("chenshen")
    settle(qtbot, reviewer_worker)
    assert any(i["case_id"] == case_id and i["task"] == "record_legal_review" for i in reviewer.inbox.items)
    reviewer.show_case(case_id)
    settle(qtbot, reviewer_worker)
    dialog = click_action(qtbot, reviewer, "record_legal_review")
    assert "拟罚款300000元" in dialog.findChild(type(reviewer.workspace.details), "review_materials").toPlainText()
    type_into(qtbot, dialog, "opinion", "同意")
    submit(qtbot, reviewer, dialog)

    officer.workspace.reload()
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "issue_prior_notice")
    assert "document_no" not in dialog.inputs  # the number is given when the notice is recorded, not typed
    submit(qtbot, officer, dialog)
    assert officer.workspace.message.text() == "已记录，编号：行政处罚告知书 仲高新市监罚告〔2025〕1号"
    dialog = click_action(qtbot, officer, "serve_document")
    for row in range(3):  # the recipient, and the two 送达人 the form names (the case's officers)
        draw_signature(qtbot, dialog.inputs["signatures"], row)
    submit(qtbot, officer, dialog)

    world.clock.set("2025-03-20T09:00")  # statement and hearing windows closed
    head.workspace.reload()
    settle(qtbot, head_worker)
    dialog = click_action(qtbot, head, "make_decision")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.confirm_box.button(dialog.confirm_box.StandardButton.Yes), Qt.MouseButton.LeftButton)
    settle(qtbot, head_worker)
    assert dialog.isVisible() and "第二十八条" in dialog.errors["orders"].text()  # no penalty without the order to correct
    type_into(qtbot, dialog, "orders", "立即停止销售超过保质期的食品，七日内清查库存")
    submit(qtbot, head, dialog)
    assert "行政处罚决定书 仲高新市监处罚〔2025〕1号" in head.workspace.message.text()

    officer.workspace.reload()
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "serve_document")
    for row in range(3):  # the recipient, and the two 送达人 the form names (the case's officers)
        draw_signature(qtbot, dialog.inputs["signatures"], row)
    submit(qtbot, officer, dialog)
    dialog = click_action(qtbot, officer, "record_payment")
    type_into(qtbot, dialog, "receipt_no", "NO.0001")
    submit(qtbot, officer, dialog)
    assert officer.workspace.findChild(QPushButton, "action_close_case") is None  # closing is the head's to approve
    dialog = click_action(qtbot, officer, "request_closing")
    type_into(qtbot, dialog, "summary", "罚款已缴清，建议结案")
    submit(qtbot, officer, dialog)
    assert any(i.case_id == case_id and i.task == "approve_closing" for i in world.as_(world.head).inbox())
    head.show_case(case_id)
    settle(qtbot, head_worker)
    dialog = click_action(qtbot, head, "approve_closing")
    type_into(qtbot, dialog, "opinion", "同意结案")
    submit(qtbot, head, dialog)
    officer.workspace.reload()
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "archive_case")
    type_into(qtbot, dialog, "archive_no", "20250001")
    submit(qtbot, officer, dialog)
    state = world.as_(world.officer_a).view(case_id).state
    assert state.stage == "archived" and state.paid_fen == 30_000_000

    evaluator_worker, evaluator, _ = clients("wuping")
    settle(qtbot, evaluator_worker)
    evaluator.show_page("evaluation")
    evaluator.evaluation.load(case_id)
    settle(qtbot, evaluator_worker)
    assert evaluator.evaluation.total.text().startswith("已确认得分：0/100") and "尚余 27 项未评" in evaluator.evaluation.total.text()
    target = tmp_path / "case.pdf"
    evaluator.evaluation.export_one(str(target))
    settle(qtbot, evaluator_worker)
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    assert "行政处罚决定书" in [item.title for item in reader.outline]
    assert "已导出" in evaluator.evaluation.preview.toPlainText()
    previews = [evaluator.evaluation.pages.itemAt(i).widget() for i in range(evaluator.evaluation.pages.count())]
    pixmaps = [w.pixmap() for w in previews if w is not None and w.pixmap() is not None and not w.pixmap().isNull()]
    assert len(pixmaps) == 4 and all(p.height() == 180 for p in pixmaps)  # the cover and the first pages, rendered


def test_a_head_approves_an_extension_through_its_form(world, clients, qtbot):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "request_approval")
    dialog.inputs["matter"].setCurrentIndex(dialog.inputs["matter"].findData("extension"))
    type_into(qtbot, dialog, "reason", "案情复杂，需检验")
    type_into(qtbot, dialog, "days", "30")
    submit(qtbot, officer, dialog)
    head_worker, head, _ = clients("wangju")
    settle(qtbot, head_worker)
    item = next(i for i in head.inbox.items if i["case_id"] == case_id and i["task"] == "decide_approval")
    assert item["detail"] == "延长办案期限"
    head.show_case(case_id)
    settle(qtbot, head_worker)
    dialog = click_action(qtbot, head, "decide_approval")
    assert "案情复杂，需检验" in dialog.inputs["request"].currentText()
    type_into(qtbot, dialog, "opinion", "同意延长三十日")
    submit(qtbot, head, dialog)
    decided = world.as_(world.head).view(case_id).state.approvals_decided[-1]
    assert decided["approved"] is True and decided["approver"] == world.head.id and decided["days"] == 30


def test_simple_procedure_on_the_spot_with_its_decision_form(world, clients, qtbot, tmp_path):
    from pypdf import PdfReader

    worker, officer, _ = clients("zhangming")
    settle(qtbot, worker)
    qtbot.mouseClick(officer.findChild(QPushButton, "new_case"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    new = officer.new_case_dialog
    new.procedure.setCurrentIndex(new.procedure.findData("simple"))
    assert new.simple.isVisible()
    new.kind.setCurrentIndex(new.kind.findData("person"))
    type_text(qtbot, new.name, "刘某")
    type_text(qtbot, new.number, "11010519491231002X")
    assert new.number_state.text().startswith("✔")
    type_text(qtbot, new.address, "惠州市仲恺高新区惠风路1号")
    type_text(qtbot, new.cause, "未按规定亮照经营")
    new.second.setCurrentIndex(new.second.findData(world.officer_b.id))
    type_text(qtbot, new.place, "惠风路1号店内")
    type_text(qtbot, new.facts, "当事人未在经营场所醒目位置公示营业执照")
    type_text(qtbot, new.basis, "《中华人民共和国食品安全法》第一百二十五条第二款")
    type_text(qtbot, new.form_no, "No.440001")
    type_text(qtbot, new.fine, "201")  # above the 200-yuan limit for a person (Art. 51)
    draw_signature(qtbot, new.signed, 0, "刘某")
    qtbot.mouseClick(new.findChild(QPushButton, "create_case"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert "第五十一条" in new.errors["fine_fen"].text()  # at its field, the form saying one field is to be put right
    new.fine.clear()
    type_text(qtbot, new.fine, "200")
    qtbot.mouseClick(new.findChild(QPushButton, "create_case"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert "签名后有改动" in new.errors["signatures"].text()  # the party signed for 201 yuan: the form changed, the signature must be made again
    draw_signature(qtbot, new.signed, 0, "刘某")
    qtbot.mouseClick(new.findChild(QPushButton, "create_case"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    settle(qtbot, worker)
    case_id = officer.workspace.case_id
    state = world.as_(world.officer_a).view(case_id).state
    assert state.procedure == "simple" and state.case_no and state.amount_due_fen == 20000
    target = tmp_path / "decision.pdf"
    officer.workspace.save_decision(str(target))
    settle(qtbot, worker)
    text = "".join(page.extract_text() for page in PdfReader(str(target)).pages)
    assert "当场行政处罚决定书" in text and "No.440001" in text and "200.00元" in text
    assert "当事人签名（刘某" in text and "已签收" not in text
    images = [image for page in PdfReader(str(target)).pages for image in page.images]
    assert len(images) == 1 and images[0].image.size == (480, 160)  # the party's signature, drawn on its line


def test_administration_sets_thresholds_and_registers_an_officer(world, clients, qtbot):
    worker, admin, _ = clients("admin", "admin-pass-1")
    admin.show_page("admin")
    settle(qtbot, worker)
    page = admin.admin
    qtbot.mouseClick(page.findChild(QPushButton, "policy_settings"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    dialog = page.last_dialog
    assert dialog.inputs["major_org"].text() == "100000"
    type_into(qtbot, dialog, "major_org", "50000")
    dialog.inputs["effective_from"].setDate(datetime(2025, 1, 1).date())
    submit(qtbot, admin, dialog)
    from enforcement_app.services import Services

    with Services(world.services.path) as fresh:
        assert fresh.policy_on(datetime(2025, 6, 1).date()).major_decision.fine.organisation == 5_000_000
        assert fresh.policy_on(datetime(2024, 6, 1).date()).major_decision.fine.organisation == 10_000_000
    qtbot.mouseClick(page.findChild(QPushButton, "add_officer"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    dialog = page.last_dialog
    type_into(qtbot, dialog, "name", "钱新")
    type_into(qtbot, dialog, "login", "qianxin")
    type_into(qtbot, dialog, "password", "new-pass-2026")
    type_into(qtbot, dialog, "certificate_no", "44130099")
    type_into(qtbot, dialog, "cert_area", "仲恺高新区")
    dialog.inputs["valid_from"].setDate(datetime(2024, 1, 1).date())
    dialog.inputs["valid_to"].setDate(datetime(2028, 12, 31).date())
    submit(qtbot, admin, dialog)
    settle(qtbot, worker)
    assert any(row["login"] == "qianxin" and row["certificate"] == "44130099" for row in page.model.items)


def test_the_screen_locks_and_only_the_password_unlocks_it(world, clients, qtbot):
    worker, officer, _ = clients("zhangming")
    settle(qtbot, worker)
    officer.lock.timer.setInterval(50)
    officer.lock.timer.start()
    qtbot.waitUntil(lambda: officer.lock.locked, timeout=5_000)
    assert not officer.centralWidget().isVisible()
    dialog = officer.lock.dialog
    assert dialog.login.isReadOnly() and dialog.login.text() == "zhangming"
    type_text(qtbot, dialog.password, "wrong")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "用户名或密码错误" in dialog.error.text(), timeout=5_000)
    assert officer.lock.locked
    dialog.password.clear()
    type_text(qtbot, dialog.password, "secret-pass-1")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not officer.lock.locked, timeout=5_000)
    assert officer.centralWidget().isVisible()


def test_a_correction_is_a_new_record_naming_what_it_corrects(world, clients, qtbot):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    inspection = steps.inspect(world, case_id)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "correct_record")
    dialog.inputs["corrects"].setCurrentIndex(dialog.inputs["corrects"].findData(inspection))
    assert dialog.inputs["field"].currentText() != "findings"  # the record's items by their names
    dialog.inputs["field"].setCurrentIndex(dialog.inputs["field"].findData("findings"))
    assert dialog.inputs["field"].currentText() == "检查情况" and dialog.inputs["value"].toPlainText() == "货架上有超过保质期的酸奶12盒"
    type_into(qtbot, dialog, "value", "货架上有超过保质期的酸奶13盒")
    type_into(qtbot, dialog, "reason", "清点有误，实为13盒")
    submit(qtbot, officer, dialog)
    view = world.as_(world.officer_a).view(case_id)
    assert view.events[-1].kind == "correct_record" and view.events[-1].payload["corrects"] == inspection
    assert view.state.corrections[inspection][-1]["changes"] == {"findings": "货架上有超过保质期的酸奶13盒"}
    assert next(e for e in view.events if e.hash == inspection).payload["findings"] == "货架上有超过保质期的酸奶12盒"  # history kept


def test_bundles_through_the_menus_show_what_arrived(world, clients, qtbot, tmp_path):
    from enforcement_app.services import Services
    from enforcement_app.ui.window import MainWindow
    from enforcement_app.ui.worker import ServiceThread

    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    bundle = tmp_path / "case.ecb"
    officer.export_bundle(str(bundle), only_open_case=True, plain=True)
    settle(qtbot, worker)
    assert bundle.exists() and "1 件案件" in officer.last_message

    office = tmp_path / "office.db"
    with Services(office, clock=world.clock) as services:  # the office machine, set up with its own administrator
        services.system_session().register_officer({"name": "管理员", "login": "admin", "roles": ["admin"], "password": "admin-pass-1"})
    office_worker = ServiceThread(office, clock=world.clock)
    got: list = []
    office_worker.logged_in.connect(got.append)
    office_worker.login("admin", "admin-pass-1")
    qtbot.waitUntil(lambda: bool(got), timeout=10_000)
    window = MainWindow(office_worker, got[0], office, world.clock().date())
    qtbot.addWidget(window)
    try:
        window.import_bundle(str(bundle), trust_new=True)  # the administrator compared the fingerprint
        settle(qtbot, office_worker)
        assert "新案件 1 件" in window.last_message and "批准立案" in window.last_message
        qtbot.waitUntil(lambda: window.cases.model.rowCount() == 1, timeout=5_000)
    finally:
        window.close()
        office_worker.shutdown()


def test_a_bundle_from_the_menu_is_sealed_to_the_device_chosen(world, clients, qtbot, tmp_path, monkeypatch):
    """The export asks which device the bundle is for (those whose bundles this machine has imported), and
    offers no encryption last."""
    from PySide6.QtWidgets import QInputDialog

    from enforcement_app.services import Services

    case_id = steps.lead(world, world.company)
    with Services(tmp_path / "office.db", clock=world.clock) as office:
        office.system_session().export_bundle(tmp_path / "hello.ecb", encrypt=False)
        office_id = office.device_info()["device_id"]
    world.as_(world.admin).import_bundle(tmp_path / "hello.ecb", trust_new=True)
    offered: list[list[str]] = []

    def choose_first(parent, title, label, items, current, editable):
        offered.append(list(items))
        return items[0], True

    monkeypatch.setattr(QInputDialog, "getItem", choose_first)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    bundle = tmp_path / "case.ecb"
    officer.export_bundle(str(bundle), only_open_case=True)
    settle(qtbot, worker)
    assert len(offered) == 1 and offered[0][0].endswith(f"（{office_id[:8]}）") and offered[0][-1].startswith("不加密")
    assert bundle.read_bytes().startswith(b"ecr-sealed/1\n") and f"加密给设备 {office_id}" in officer.last_message


def test_administration_changes_an_officer(world, clients, qtbot):
    worker, admin, _ = clients("admin", "admin-pass-1")
    admin.show_page("admin")
    settle(qtbot, worker)
    page = admin.admin
    row = next(n for n, r in enumerate(page.model.items) if r["login"] == "lihua")
    page.table.selectRow(row)
    qtbot.mouseClick(page.findChild(QPushButton, "edit_officer"), Qt.MouseButton.LeftButton)
    dialog = page.last_dialog
    type_into(qtbot, dialog, "revoke", "44130002")
    dialog.inputs["active"].setChecked(False)
    submit(qtbot, admin, dialog)
    settle(qtbot, worker)
    from enforcement_app.services import Services

    with Services(world.services.path) as fresh:
        lihua = fresh.officers()[world.officer_b.id]
        assert not lihua.active and lihua.certificates[0].status.value == "revoked"
    assert any(r["login"] == "lihua" and "已停用" in r["name"] for r in page.model.items)


def test_the_workspace_shows_a_fork_until_the_next_step_joins_it(world, clients, qtbot, tmp_path):
    from enforcement_app.services import Services

    case_id = steps.lead(world, world.company)
    world.as_(world.officer_a).export_bundle(tmp_path / "out.ecb", encrypt=False)
    with Services(tmp_path / "laptop2.db", clock=world.clock) as other:
        other.system_session().import_bundle(tmp_path / "out.ecb", trust_new=True)
        photo = tmp_path / "p.png"
        steps.png(photo)
        signed_in(other, "lihua").add_evidence(case_id, photo, {"kind": "audiovisual", "description": "线索照片", "source": "举报人提供",
                                                              "collected_by": [world.officer_b.id]})
        signed_in(other, "lihua").export_bundle(tmp_path / "back.ecb", cases=[case_id], encrypt=False)
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"})
    world.as_(world.admin).import_bundle(tmp_path / "back.ecb", trust_new=True)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    assert "记录出现分叉" in officer.workspace.header.text()
    head_worker, head, _ = clients("wangju")
    head.show_case(case_id)
    settle(qtbot, head_worker)
    submit(qtbot, head, click_action(qtbot, head, "approve_filing"))
    officer.workspace.reload()
    settle(qtbot, worker)
    assert "记录出现分叉" not in officer.workspace.header.text()


def _counting(monkeypatch, obj, name: str) -> list:
    """Record the calls of ``obj.name`` (their first argument, if any) and still make them."""
    calls: list = []
    original = getattr(obj, name)

    def spy(*args, **kwargs):
        calls.append(args[0] if args else None)
        return original(*args, **kwargs)

    monkeypatch.setattr(obj, name, spy)
    return calls


def test_a_write_names_the_case_it_changed_and_a_view_of_another_case_is_not_reloaded(world, clients, qtbot, monkeypatch):
    from enforcement_app.domain.case import Stage

    shown = steps.lead(world, world.company)
    other = steps.lead(world, world.person)
    worker, officer, _ = clients("zhangming")
    officer.show_case(shown)
    settle(qtbot, worker)
    loads = _counting(monkeypatch, officer.workspace, "open")
    listed = _counting(monkeypatch, officer.cases.model, "refresh")
    written = []
    worker.write(lambda session, job: session.perform(other, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"}), written.append)
    settle(qtbot, worker)
    assert written[0].result and written[0].changes.cases == {other} and not written[0].changes.tables
    assert loads == []  # the workspace shows another case
    assert listed == [{other}]  # the case list shows them all
    worker.write(lambda session, job: session.perform(shown, "request_filing", {"facts": "f", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "r"}), written.append)
    settle(qtbot, worker)
    assert written[1].changes.cases == {shown} and loads == [shown]
    assert officer.workspace.view["state"].stage != Stage.LEAD  # reloaded: the filing request shows


def test_a_failure_without_its_own_handler_is_shown_to_the_user(world, clients, qtbot):
    from PySide6.QtWidgets import QMessageBox

    from enforcement_app.domain.refusals import RuleViolation

    case_id = steps.lead(world, world.company)
    with pytest.raises(RuleViolation) as refused:  # what the services say to this officer (and record nothing)
        world.as_(world.officer_a).perform(case_id, "approve_filing", {"opinion": "同意立案"})
    worker, officer, _ = clients("zhangming")
    settle(qtbot, worker)
    worker.write(lambda session, job: session.perform(case_id, "approve_filing", {"opinion": "同意立案"}))
    settle(qtbot, worker)
    box = officer.findChild(QMessageBox, "message_box")
    assert box is not None and box.isVisible()
    assert box.text() == "\n".join(r.message for r in refused.value.refusals) == officer.last_message
    box.close()


def test_an_officer_change_refreshes_the_officer_table_not_the_case_list(world, clients, qtbot, monkeypatch):
    """Reference tables reach only the views that show them: officers the officer table (and the
    workspace, whose handlers, officer choices and certificate checks come from it), never the case list;
    the agency none of these."""
    case_id = steps.lead(world, world.company)
    worker, admin, _ = clients("admin", "admin-pass-1")
    admin.show_page("admin")
    admin.show_case(case_id)
    settle(qtbot, worker)
    officers = _counting(monkeypatch, admin.admin, "refresh")
    loads = _counting(monkeypatch, admin.workspace, "open")
    listed = _counting(monkeypatch, admin.cases.model, "refresh")
    inbox = _counting(monkeypatch, admin.inbox, "refresh")
    written = []
    worker.write(lambda session, job: session.register_officer({"name": "钱新", "login": "qianxin", "roles": ["officer"],
                                                                "password": "new-pass-2026"}), written.append)
    settle(qtbot, worker)
    assert written[0].changes.tables == {"officer"} and not written[0].changes.cases
    assert len(officers) == 1 and any(row["login"] == "qianxin" for row in admin.admin.model.items)
    assert loads == [case_id] and listed == [] and len(inbox) == 1
    agency = world.services.agency().__dict__
    worker.write(lambda session, job: session.set_agency(agency), written.append)
    settle(qtbot, worker)
    assert written[1].changes.tables == {"agency"}
    assert len(officers) == 1 and loads == [case_id] and listed == [] and len(inbox) == 1


def test_a_failed_write_still_refreshes_what_it_had_stored(world, clients, qtbot, tmp_path):
    """Evidence files are stored one by one: when the second is missing, the first is kept, and the
    workspace shows it beside the refusal."""
    case_id = steps.lead(world, world.company)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    photo = tmp_path / "shelf.png"
    steps.png(photo)
    dialog = officer.workspace.add_evidence([str(photo), str(tmp_path / "missing.png")])
    type_into(qtbot, dialog, "description", "货架照片")
    set_moment(dialog, "collected_at", "2025-03-03T08:30")
    type_into(qtbot, dialog, "taken_at", "2025-03-03 08:20")  # a photo's particulars, asked of each
    type_into(qtbot, dialog, "taken_place", "店内货架")
    type_into(qtbot, dialog, "proves", "货架陈列情况")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    settle(qtbot, worker)
    assert dialog.isVisible() and dialog.message.text()
    assert len(world.as_(world.officer_a).view(case_id).state.evidence) == 1
    assert officer.workspace.evidence.count() == 1


def test_a_head_sees_the_request_as_its_document_and_one_click_signs_nothing(world, qtbot, clients):
    case_id = steps.lead(world, world.company)
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "投诉反映销售过期食品", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "涉嫌违反食品安全法第三十四条"})
    photo = world.services.path.parent / "lead.png"
    steps.png(photo, 7)
    world.as_(world.officer_a).add_evidence(case_id, photo, {"kind": "audiovisual", "description": "线索照片", "source": "举报人提供",
                                                              "collected_by": [world.officer_a.id]})
    worker, head, _ = clients("wangju")
    head.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, head, "approve_filing")
    preview = dialog.findChild(QWidget, "sign_off_preview")
    assert preview is not None
    qtbot.waitUntil(lambda: bool(preview.images), timeout=15_000)
    assert "页" in preview.note.text() and len(preview.images) >= 2  # the case-source form and the filing request
    assert preview.images[0].pixmap().width() > 400  # pages to read, not thumbnails
    assert [b.text() for b in preview.evidence] == ["线索照片（lead.png）"]

    before = world.services.db.execute("SELECT count(*) FROM event").fetchone()[0]
    type_into(qtbot, dialog, "opinion", "同意立案调查")
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert dialog.confirm_box.isVisible() and "电子签名" in dialog.confirm_box.text()
    qtbot.mouseClick(dialog.confirm_box.button(dialog.confirm_box.StandardButton.No), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert dialog.isVisible() and world.services.db.execute("SELECT count(*) FROM event").fetchone()[0] == before

    # Escape does not throw the typed opinion away without asking
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible() and dialog.confirm_box.isVisible() and "放弃" in dialog.confirm_box.text()
    qtbot.mouseClick(dialog.confirm_box.button(dialog.confirm_box.StandardButton.No), Qt.MouseButton.LeftButton)
    assert dialog.isVisible() and dialog.inputs["opinion"].toPlainText() == "同意立案调查"

    submit(qtbot, head, dialog)
    row = world.services.db.execute("SELECT actor, payload FROM event WHERE stream = ? AND kind = 'approve_filing'", [case_id]).fetchone()
    assert row[0] == world.head.id and json.loads(row[1])["sign_off"]["key"]


def test_the_stepper_ticks_only_what_happened(world, qtbot, clients):
    """A case decided without legal review or hearing: those stages show as passed by, never ticked."""
    case_id = steps.investigated(world, world.company)
    steps.report(world, case_id, fine_yuan=8000, kinds=("fine",))
    steps.notice(world, case_id, fine_yuan=8000, kinds=("fine",))
    world.as_(world.officer_a).perform(case_id, "waive_rights", {"written": True, "statement": "放弃陈述申辩和听证"})
    steps.decide(world, case_id, fine_yuan=8000, kinds=("fine",))
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    text = officer.workspace.stepper.text()
    for done in ("✔ 立案", "✔ 调查取证", "✔ 告知"):
        assert done in text, text
    assert "✔ 法制审核" not in text and "<s>法制审核</s>（未经）" in text
    assert "✔ 听证" not in text and "<s>听证</s>（未经）" in text


def test_one_click_cannot_make_an_evaluation_final(world, clients, qtbot, tmp_path):
    """The sheet opens with every item open: suggestions are shown beside an empty decision, the final
    button is disabled and says why, one row's 确认建议 decides that row only, and a draft saves what is decided."""
    from PySide6.QtWidgets import QComboBox, QSpinBox

    from enforcement_app.store import events as event_store

    case_id, _ = steps.closed_case(world, tmp_path)
    worker, window, _ = clients("wuping")
    settle(qtbot, worker)
    window.show_page("evaluation")
    page = window.evaluation
    page.load(case_id)
    settle(qtbot, worker)
    rows = {line.item.id: n for n, line in enumerate(page.shown.lines)}
    count = len(rows)
    assert f"已评 0 项，尚余 {count} 项未评" in page.total.text() and page.total.text().startswith("已确认得分：0/100")
    assert not page.final.isEnabled() and f"尚余 {count} 项未评" in page.final.toolTip()
    suggested = page.sheet.item(rows["content_execution"], 2).text()
    assert suggested == "4/4" and page.inputs[rows["content_execution"]].text() == "未评"

    def recorded():
        return [e.payload for e in event_store.events_of(world.services.db, f"evaluation/{case_id}")]

    qtbot.mouseClick(page.final, Qt.MouseButton.LeftButton)  # disabled: nothing happens
    settle(qtbot, worker)
    assert recorded() == []
    confirm = page.confirms[rows["content_execution"]]
    assert confirm.text() == "确认建议"
    qtbot.mouseClick(confirm, Qt.MouseButton.LeftButton)
    assert page.inputs[rows["content_execution"]].value() == 4
    assert "已确认得分：4/100" in page.total.text() and f"已评 1 项，尚余 {count - 1} 项未评" in page.total.text()
    assert not page.confirms[rows["veto_transfer"]].isEnabled()  # no suggestion: the evaluator's alone
    qtbot.mouseClick(page.save, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    (draft,) = recorded()
    assert draft["final"] is False and list(draft["items"]) == ["content_execution"] and draft["open"] == count - 1
    settle(qtbot, worker)  # the page reloads the sheet the draft recorded
    assert not page.final.isEnabled() and page.inputs[rows["content_execution"]].value() == 4

    undecided = [item_id for item_id in rows if item_id != "content_execution"]
    for item_id in undecided:  # decide every row, one by one
        row = rows[item_id]
        line = page.shown.lines[row]
        if line.suggestion is not None:
            qtbot.mouseClick(page.confirms[row], Qt.MouseButton.LeftButton)
        elif isinstance(page.inputs[row], QComboBox):
            page.inputs[row].setCurrentIndex(1)  # 无否决情形
        else:
            assert isinstance(page.inputs[row], QSpinBox)
            page.inputs[row].setValue(line.item.points)
        assert page.final.isEnabled() == (item_id == undecided[-1])
    assert "尚余 0 项未评" in page.total.text()
    qtbot.mouseClick(page.final, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    final = recorded()[-1]
    assert final["final"] is True and final["open"] == 0 and final["total"] == 100


def _pdf_text(path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(str(path)).pages)


@pytest.fixture
def printed_to(monkeypatch, tmp_path):
    """Qt's print dialog answered as a user choosing "print to file (PDF)": no window, the printer writes a
    PDF file of this test. Returns the file's path."""
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QDialog

    target = tmp_path / "printed.pdf"

    def chosen(dialog):
        dialog.printer().setOutputFormat(QPrinter.OutputFormat.PdfFormat)
        dialog.printer().setOutputFileName(str(target))
        return QDialog.DialogCode.Accepted

    monkeypatch.setattr(QPrintDialog, "exec", chosen)
    return target


@pytest.fixture
def viewer(monkeypatch):
    """The system's PDF viewer: the URLs it was asked to open."""
    from PySide6.QtGui import QDesktopServices

    opened = []
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: opened.append(url) or True)
    return opened


def test_an_inquiry_is_printed_for_signing_and_the_scan_of_the_signed_paper_attached(world, clients, qtbot, tmp_path, printed_to, viewer):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)

    dialog = click_action(qtbot, officer, "record_inquiry")
    set_moment(dialog, "started_at", "2025-03-05T09:30")
    set_moment(dialog, "ended_at", "2025-03-05T10:30")
    type_into(qtbot, dialog, "place", "询问室")
    type_into(qtbot, dialog, "recorder", "李华")
    assert dialog.inputs["person"].name.text() == "黄某"  # the legal representative, offered
    type_into(qtbot, dialog, "qa", "问：酸奶从何处进货？\n答：从批发市场进货。")
    qtbot.mouseClick(dialog.findChild(QPushButton, "print_draft"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert printed_to.exists() and "已发送" in dialog.status.text(), dialog.message.text()
    text = _pdf_text(printed_to)
    assert "草稿，未入卷" in text and "问：酸奶从何处进货？" in text and "答：从批发市场进货。" in text and "黄某" in text
    assert "被询问人签名：" in text and "询问人签名：" in text and "未留存签名" not in text  # lines to sign on

    qtbot.mouseClick(dialog.findChild(QPushButton, "view_draft"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert len(viewer) == 1 and viewer[0].isLocalFile()
    opened = viewer[0].toLocalFile()
    assert opened.endswith(".pdf") and "问：酸奶从何处进货？" in _pdf_text(opened) and "草稿" in _pdf_text(opened)
    assert world.services.current_state(case_id).steps[-1].kind == "record_inspection"  # nothing recorded by printing

    # signed on paper, photographed: the photo becomes the interviewee's signature, from within the form
    signatures = dialog.inputs["signatures"]
    qtbot.mouseClick(signatures.rows[0]["buttons"][1], Qt.MouseButton.LeftButton)
    assert signatures.rows[0]["dialog"].findChild(QPushButton, "scan_from_file") is not None
    signatures.rows[0]["name"].setText("黄某")
    photo = tmp_path / "signed-inquiry.png"
    steps.png(photo, 21)
    signatures.scan_from_file(signatures.rows[0], str(photo))
    evidence = officer.workspace.evidence_dialog
    assert evidence.isVisible() and evidence.inputs["kind"].currentData() == "documentary"
    assert "被询问人黄某" in evidence.inputs["description"].toPlainText()
    set_moment(evidence, "collected_at", "2025-03-05T10:40")
    submit(qtbot, officer, evidence)
    assert signatures.rows[0]["entry"]["how"] == "scanned"
    draw_signature(qtbot, signatures, 1)
    draw_signature(qtbot, signatures, 2)
    submit(qtbot, officer, dialog)
    state = world.services.current_state(case_id)
    inquiry = [st for st in state.steps if st.kind == "record_inquiry"][-1]
    scan = next(e for e in state.evidence if e["original_name"] == "signed-inquiry.png")
    assert inquiry.payload["signatures"][0] == {"signer": "interviewee", "name": "黄某", "how": "scanned", "evidence": scan["sha256"]}

    # the recorded document, from the case's document list
    workspace = officer.workspace
    workspace.tabs.setCurrentWidget(workspace.documents_tab)
    settle(qtbot, worker)
    titles = [e.title for e in workspace.document_entries]
    assert "询问笔录" in titles and workspace.document_model.rowCount() == len(titles)
    workspace.documents.selectRow(titles.index("询问笔录"))
    qtbot.mouseClick(workspace.findChild(QPushButton, "view_document"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    recorded = _pdf_text(viewer[-1].toLocalFile())
    assert "从批发市场进货" in recorded and "扫描件见证据" in recorded and "草稿" not in recorded
    printed_to.unlink()
    qtbot.mouseClick(workspace.findChild(QPushButton, "print_document"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert printed_to.read_bytes() == Path(viewer[-1].toLocalFile()).read_bytes()  # the same document, byte for byte


def test_a_printer_that_is_not_a_file_gets_the_pages_as_images(qapp, tmp_path):
    """A real printer cannot be had offscreen; a printer painting into a PDF takes the same painting."""
    from pypdf import PdfReader
    from PySide6.QtPrintSupport import QPrinter

    from enforcement_app.ui.pages import page_images
    from enforcement_app.ui.printing import paint_pages

    page = tmp_path / "page.png"
    steps.png(page, 3, width=210, height=297)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "painted.pdf"))
    assert paint_pages(printer, [page.read_bytes(), page.read_bytes()]) == 2
    painted = PdfReader(str(tmp_path / "painted.pdf"))
    assert len(painted.pages) == 2 and list(painted.pages[0].images)
    assert len(page_images((tmp_path / "painted.pdf").read_bytes(), 9, height=200)) == 2


def test_the_sign_off_dialog_shows_what_was_corrected_since_the_last_sign_off(world, clients, qtbot):
    case_id = steps.investigated(world)
    steps.report(world, case_id, fine_yuan=150000)
    steps.submit_review(world, case_id)
    steps.review(world, case_id)
    inspection = next(s for s in world.services.current_state(case_id).steps if s.kind == "record_inspection").hash
    world.as_(world.officer_a).perform(case_id, "correct_record", {"corrects": inspection, "reason": "清点有误，实为13盒",
                                                                    "changes": {"findings": "货架上有超过保质期的酸奶13盒"}})
    head_worker, head, _ = clients("wangju")
    head.show_case(case_id)
    settle(qtbot, head_worker)
    assert "重新提交法制审核" in head.workspace.blocked.toPlainText()
    assert "货架上有超过保质期的酸奶13盒" in head.workspace.details.toPlainText()  # shown on the case too
    steps.submit_review(world, case_id)

    worker, reviewer, _ = clients("chenshen")
    reviewer.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, reviewer, "record_legal_review")
    changes = dialog.findChild(QWidget, "sign_off_changes")
    assert changes is not None and changes.isVisibleTo(dialog)
    html = changes.text()
    assert "<s>货架上有超过保质期的酸奶12盒</s>" in html and "货架上有超过保质期的酸奶13盒" in html
    assert "检查情况" in html and "清点有误，实为13盒" in html and "#c8e6c9" in html  # the new value highlighted
    type_into(qtbot, dialog, "opinion", "已审核更正后的现场笔录，同意")
    submit(qtbot, reviewer, dialog)
    assert not world.as_(world.head).view(case_id).sign_offs[-1].changed


def test_switching_users_at_one_desk_without_restarting(world, qtbot):
    """#17: an office desk is shared — the officer logs out, the head logs in on the same running client and gets
    a window of their own; quitting the login closes the program, never returning to the officer's window."""
    from enforcement_app.ui.window import Desk, LoginDialog
    from enforcement_app.ui.worker import ServiceThread

    worker = ServiceThread(world.services.path, clock=world.clock)
    try:
        first = LoginDialog(worker)
        qtbot.addWidget(first)
        type_text(qtbot, first.login, "zhangming")
        type_text(qtbot, first.password, "secret-pass-1")
        qtbot.mouseClick(first.buttons.button(first.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: first.officer is not None, timeout=10_000)
        worker.logged_in.disconnect(first._result)
        quits = []
        desk = Desk(worker, world.services.path, world.clock().date(), quit=lambda: quits.append(True))
        officer_window = desk.start(first.officer)  # the desk deletes it when the user switches: not qtbot's to close
        officer_list = officer_window.cases
        officer_list.search.setText("某某")  # a filter pending as the officer leaves the desk
        index, debounce = officer_list.index, officer_list._debounce
        qtbot.mouseClick(officer_window.findChild(QPushButton, "switch_user"), Qt.MouseButton.LeftButton)
        assert not officer_window.isVisible() and desk.dialog is not None and desk.dialog.isVisible()
        dialog = desk.dialog
        type_text(qtbot, dialog.login, "wangju")
        type_text(qtbot, dialog.password, "secret-pass-1")
        qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: desk.window is not None and desk.window is not officer_window, timeout=10_000)
        head_window = desk.window
        assert head_window.actor.login == "wangju" and head_window.isVisible() and "王局长" in head_window.windowTitle()
        # #18: the officer's window let go of its list: the timer stopped before its connection closed
        import shiboken6

        assert index.closed and (not shiboken6.isValid(debounce) or not debounce.isActive())
        settle(qtbot, worker)
        assert worker._worker.session.actor.login == "wangju"  # the officer's session (and unlocked key) is gone
        desk.switch()
        desk.dialog.reject()  # nobody logs in: the program closes
        assert quits == [True] and desk.window is None and not head_window.isVisible()
    finally:
        worker.shutdown()


def test_the_inbox_speaks_as_the_case_list_does(world, clients, qtbot):
    """#17: no internal words — an unnumbered case reads 未立案 (not a piece of its id), the time left 剩N天 / 逾期N天."""
    from enforcement_app.ui.i18n import tr

    case_id = steps.lead(world, world.company)  # no case number yet; the head's filing decision is due with the lead check
    steps.request_filing(world, case_id)
    worker, head, _ = clients("wangju")
    settle(qtbot, worker)
    item = next(i for i in head.inbox.items if i["case_id"] == case_id)
    assert item["case"] == tr("CaseTable", "(not filed)") and case_id[:12] not in item["case"]
    left = (date.fromisoformat(item["due"]) - world.clock().date()).days
    assert left > 0 and item["left"] == tr("CaseTable", "%n day(s) left", "", left)
    assert not isinstance(item["left"], int)


def test_the_process_record_shows_a_short_hash_and_the_whole_on_hover(world, clients, qtbot):
    """#17: the record gives its width to what was done; the full hash is there on demand."""
    from PySide6.QtCore import Qt as QtRole

    case_id = steps.lead(world, world.company)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    model = officer.workspace.event_model
    shown = model.data(model.index(0, 4))
    full = model.data(model.index(0, 4), QtRole.ItemDataRole.ToolTipRole)
    step = world.services.current_state(case_id).steps[0]
    assert full == step.hash and shown == step.hash[:10] + "…"
    header = officer.workspace.events.horizontalHeader()
    assert header.sectionResizeMode(3) == header.ResizeMode.Stretch and not header.stretchLastSection()


def test_each_role_lands_where_its_work_is(world, clients, qtbot, tmp_path):
    """#17: the evaluator on the files to score — closed and archived ones, by default —, the administrator on the
    agency's administration, whoever handles, reviews or approves on the inbox of their tasks."""
    archived, _ = steps.closed_case(world, tmp_path)
    worker, evaluator, _ = clients("wuping")
    settle(qtbot, worker)
    assert evaluator.stack.currentWidget() is evaluator.pages["evaluation"]
    listed = evaluator.evaluation.cases.model.all_ids()
    assert archived in listed  # an archived file is a file to score
    assert world.services.current_state(archived).stage == "archived"
    _w, admin, _ = clients("admin", "admin-pass-1")
    assert admin.stack.currentWidget() is admin.pages["admin"]
    _w, officer, _ = clients("zhangming")
    assert officer.stack.currentWidget() is officer.pages["inbox"]


def _bulk_cases(world, n: int, **overrides) -> None:
    """``n`` case rows through the store's bulk path (the list reads the case table; no events needed for it)."""
    from enforcement_app.store.cases import CaseRow, load_new_case_rows
    from enforcement_app.store.database import write_transaction

    officer = world.officer_a.id
    rows = [CaseRow(**{**dict(id=f"bulk{k:05d}", agency_id="", case_no=f"测〔2025〕{k}号", procedure="general", stage="closed",
                                outcome="", title=f"某某{k}商行案", cause="", party_id="", party_name=f"某某{k}商行",
                                handlers=officer if k % 2 else "someone-else", handler_names="", received_on=f"2025-01-{1 + k % 28:02d}",
                                filed_on="", decided_on="", closed_on="", fine_fen=k, next_due="2025-01-02" if k % 3 == 0 else "",
                                next_due_rule="", review_status="", major=0, search_text=f"某某{k}商行 消防通道", pending_approvals="",
                                updated_at=""), **overrides}) for k in range(n)]
    db = world.services.db
    with write_transaction(db):
        load_new_case_rows(db, rows)


def test_the_case_list_fetches_windows_as_it_scrolls_and_counts_apart(world, clients, qtbot, monkeypatch):
    """#18: the list holds the rows shown, not every id: 200 at first, the next window when the view reaches the
    end; its count says how many match. A count no index gives at once (two conditions, neither rare) is made on
    a thread of its own: the label says it is counting, then the number."""
    from enforcement_app.store import case_index

    _bulk_cases(world, 1300)
    _worker, window, _ = clients("zhangming")
    page = window.cases
    window.show_page("cases")
    assert page.model.rowCount() == 200 and page.model.total == 1300
    assert page.count.text() == "共 1300 件"
    page.table.scrollToBottom()
    qtbot.waitUntil(lambda: page.model.rowCount() == 400, timeout=5_000)
    assert len({page.model.case_id(n) for n in range(400)}) == 400  # windows join without a repeat
    monkeypatch.setattr(case_index, "FEW", 0)  # nothing counts as rare: the count of two conditions tests rows
    page.overdue.setChecked(True)
    page.mine.setChecked(True)
    expected = sum(1 for k in range(1300) if k % 2 and k % 3 == 0)
    assert expected > 200 and page.model.total is None and page.count.text() == "正在计数…"
    qtbot.waitUntil(lambda: page.model.total == expected, timeout=10_000)
    assert page.count.text() == f"共 {expected} 件"


def test_closing_the_window_with_a_filter_pending_reads_nothing_afterwards(world, clients, qtbot):
    """#18: the crash of the benchmark — a debounced search fired after the window had closed its database. The
    timer and the counting thread stop before the connections close, on closing and on switching user."""
    import threading

    _bulk_cases(world, 30)
    _worker, window, _ = clients("zhangming")
    page = window.cases
    page.search.setText("消防")  # starts the 200 ms debounce
    page.model._counter.ask(page.model.query())  # and a count on its thread
    assert page._debounce.isActive()
    window.close()
    assert page.index.closed and not page._debounce.isActive()
    assert not any(t.name == "case-count" and t.is_alive() for t in threading.enumerate())
    page.apply()  # what a late timer would do: nothing, and no error
    qtbot.wait(300)
    page.model.fetchMore()
    assert page.model.canFetchMore() is False


def test_the_common_acts_are_in_the_menus_with_their_shortcuts(world, clients, qtbot):
    """#17: new case, search, refresh, print and switch user from the menus and the keyboard; printing is offered
    with a case open and says why not elsewhere."""
    from PySide6.QtGui import QAction, QKeySequence

    case_id = steps.lead(world, world.company)
    _worker, window, _ = clients("zhangming")
    actions = {a.objectName(): a for a in window.findChildren(QAction) if a.objectName().startswith("menu_")}
    shortcuts = {name: a.shortcut().toString() for name, a in actions.items()}
    assert shortcuts["menu_new_case"] == QKeySequence("Ctrl+N").toString() and shortcuts["menu_search"] == QKeySequence("Ctrl+F").toString()
    assert shortcuts["menu_refresh"] == "F5" and shortcuts["menu_print"] == QKeySequence("Ctrl+P").toString()
    assert shortcuts["menu_switch_user"] == QKeySequence("Ctrl+Shift+L").toString()
    assert [m.title() for m in window.menuBar().findChildren(type(window.menuBar().actions()[0].menu())) if m.title()][:3] == ["案件(&C)", "查看(&V)", "用户(&U)"]
    window.show()
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window.windowHandle(), Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)  # as the system delivers it
    assert window.stack.currentWidget() is window.cases and window.cases.search.hasFocus()
    printing = actions["menu_print"]
    assert not printing.isEnabled() and "请先打开一件案件" in printing.toolTip()
    window.show_case(case_id)
    assert printing.isEnabled()
    switched = []
    window.switch_requested.connect(lambda: switched.append(True))
    actions["menu_switch_user"].trigger()
    assert switched == [True]
    assert window.findChild(QPushButton, "new_case").toolTip().endswith("（Ctrl+N）")


def test_the_window_opens_maximised_on_a_laptop_and_as_it_was_left(world, clients, qtbot):
    """#17: at first, maximised on a 1366×768 screen (a 1280×740 window would not fit beside the taskbar), not on a
    1920×1080 one; then as the user left it."""
    from PySide6.QtCore import QSettings, QSize

    from enforcement_app.ui.window import _wants_maximised

    class Screen:
        def __init__(self, w, h):
            self._size = QSize(w, h)

        def size(self):
            return self._size

    assert _wants_maximised(None, Screen(1366, 768)) and not _wants_maximised(None, Screen(1920, 1080))
    assert _wants_maximised("true", Screen(1920, 1080)) and not _wants_maximised("false", Screen(1366, 768))
    _worker, window, _ = clients("zhangming")
    window.showMaximized()
    window.close()
    assert QSettings().value("main/maximised") in (True, "true")
    _worker, again, _ = clients("zhangming")
    assert again.maximised
    again.present()
    assert again.isMaximized() or again.windowState() & Qt.WindowState.WindowMaximized


def test_the_deadline_table_shows_every_column_on_a_laptop_screen(world, clients, qtbot):
    """#17: on 1366×768, maximised, the case's deadline table needs no horizontal scrollbar: the basis (a long
    article) is cut short in its column and whole on hover."""
    case_id = steps.investigated(world)
    _worker, window, _ = clients("zhangming")
    window.resize(1366, 728)
    window.show()
    window.show_case(case_id)
    settle(qtbot, window.worker)
    window.workspace.split.setSizes([430, 936])  # the case's own column as narrow as a laptop leaves it
    table = window.workspace.deadlines
    model = table.model()
    assert model.rowCount() >= 2
    qtbot.wait(50)
    header = table.horizontalHeader()
    shown = sum(header.sectionSize(c) for c in range(model.columnCount()))
    assert shown <= table.viewport().width() and not table.horizontalScrollBar().isVisible()
    basis = model.index(0, 1)
    assert model.data(basis, Qt.ItemDataRole.ToolTipRole) == model.data(basis)  # the whole basis on hover


def test_a_list_whose_index_is_gone_says_so_and_verify_names_it(world, clients, qtbot):
    """#18: someone with the file drops an index the list reads: the window still opens, the list says it cannot
    be read (the reason on hover) instead of failing inside Qt, and verify --deep names the missing index."""
    import sqlite3

    _bulk_cases(world, 5)
    conn = sqlite3.connect(world.services.path)
    conn.execute("DROP INDEX case_received_id")
    conn.commit()
    conn.close()
    _worker, window, _ = clients("zhangming")
    page = window.cases
    assert page.model.rowCount() == 0 and page.count.text() == "列表无法读取（详见提示）"
    assert "verify --deep" in page.count.toolTip() and "case_received_id" in page.count.toolTip()
    report = world.services.verify(deep=True)
    assert any(p.kind == "search_index" and "case_received_id" in p.message for p in report.problems)


def test_every_step_button_says_what_it_does(world, clients, qtbot):
    """#17: each action button of the case has a tooltip in Chinese saying what it does (its form, the record, a
    personal signature where it needs one); the steps the procedure blocks are listed with their reasons."""
    case_id = steps.investigated(world)
    _worker, window, _ = clients("zhangming")
    window.show_case(case_id)
    settle(qtbot, window.worker)
    buttons = [b for b in window.workspace.actions_box.findChildren(QPushButton) if b.objectName().startswith("action_")]
    assert len(buttons) >= 3
    for button in buttons:
        tip = button.toolTip()
        assert tip.startswith(button.text()) or button.objectName() == "action_add_evidence", tip
        assert "全过程记录" in tip or "证据" in tip
    assert "证据" in window.workspace.findChild(QPushButton, "action_add_evidence").toolTip()
    assert window.workspace.blocked.toPlainText().strip() != ""


def test_the_inbox_shows_the_days_left_whole(world, clients, qtbot, app_style):
    """#17: a case overdue by a hundred days and more reads 逾期1xx天 whole in the inbox, not 逾期11…"""
    case_id = steps.investigated(world)
    world.clock.set("2025-09-30T09:00")  # long past the 90 days of the decision's time limit
    worker, window, _ = clients("zhangming")
    window.resize(1366, 728)
    window.show()
    window.show_page("inbox")
    settle(qtbot, worker)
    table = window.inbox.table
    model = table.model()
    rows = [n for n in range(model.rowCount()) if window.inbox.items[n]["case_id"] == case_id]
    assert rows
    text = model.data(model.index(rows[0], 5))
    assert text.startswith("逾期") and len(text) >= 6  # three digits of days
    qtbot.wait(20)
    assert table.horizontalHeader().sectionSize(5) >= table.sizeHintForColumn(5) > table.fontMetrics().horizontalAdvance(text)
    assert not table.horizontalScrollBar().isVisible()
