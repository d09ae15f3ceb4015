"""Forms that help (#17), driven through the widgets on a real database: refusals at their fields, all at once and
without moving the form; every dialog within a 1366×768 screen, its buttons outside the scroll; a 笔录 overlapping
another of its officer's questioned before it is saved; the person questioned line by line into the record and the
PDF; causes chosen by their short name; the discretion panel filling the form it sits in; no program words on screen."""

from __future__ import annotations

import html
import io
import re

import pytest
import steps
from PySide6.QtCore import QDateTime, QPoint, Qt
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGroupBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTabWidget,
    QTextBrowser,
    QWidget,
)
from test_client import (  # noqa: F401 - the client's fixtures (Chinese, logged-in windows) and its helpers
    chinese,
    click_action,
    clients,
    draw_signature,
    settle,
    submit,
    type_into,
    type_text,
)

pytestmark = pytest.mark.gui

SCREEN_HEIGHT = 768 - 40  # a 1366×768 screen less its taskbar
VIOLATION = "《中华人民共和国食品安全法》第三十四条第（十）项"


def set_moment(dialog, key: str, text: str) -> None:
    dialog.inputs[key].setDateTime(QDateTime.fromString(text, "yyyy-MM-ddTHH:mm"))


def press_record(qtbot, dialog) -> None:
    qtbot.mouseClick(dialog.buttons.button(dialog.buttons.StandardButton.Ok), Qt.MouseButton.LeftButton)


def positions(dialog) -> dict[str, tuple[int, int, int, int]]:
    """Where each field of the form is, on the form (the scrolled page, not the window)."""
    body = dialog.scroll.widget()
    out = {}
    for key, widget in dialog.inputs.items():
        corner = widget.mapTo(body, QPoint(0, 0))
        out[key] = (corner.x(), corner.y(), widget.width(), widget.height())
    return out


# --- refusals at their fields ------------------------------------------------------------------------------


def test_refusals_show_at_their_fields_all_at_once_and_nothing_moves(world, clients, qtbot, app_style):  # noqa: F811 - the fixture imported
    case_id = steps.investigated(world)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "record_inquiry")
    assert "*" in dialog.labels["place"].text() and "#c62828" in dialog.labels["place"].text()  # required, marked red
    assert "*" not in dialog.labels["signatures"].text() and "*" not in dialog.labels["rights_notified"].text()
    assert dialog.bar.hint.text() == "带 * 的为必填项。"
    set_moment(dialog, "started_at", "2025-03-05T11:00")
    set_moment(dialog, "ended_at", "2025-03-05T11:30")
    dialog.inputs["recorder"].clear()
    dialog.inputs["rights_notified"].setChecked(False)
    assert dialog.inputs["person"].name.text() == "黄某"  # the company's legal representative, offered
    type_text(qtbot, dialog.inputs["person"].id_number, "441302198507150016")  # a wrong check digit
    qtbot.waitUntil(lambda: dialog.isVisible())
    geometry, where = dialog.geometry(), positions(dialog)
    press_record(qtbot, dialog)
    settle(qtbot, worker)
    assert dialog.isVisible()
    expected = {"place": "询问地点不能为空", "recorder": "记录人不能为空", "rights_notified": "询问前应告知", "qa": "询问笔录须有问答内容"}
    for key, words in expected.items():  # every refusal at once, each at its own field
        assert words in dialog.errors[key].text(), key
        assert "#c62828" in dialog.labels[key].styleSheet()
    assert "校验码" in dialog.inputs["person"].errors["id_number"].text()  # inside the person's field, at the number
    assert dialog.errors["officers"].text() == "" and dialog.labels["officers"].styleSheet() == ""
    assert "须记录被询问人" in dialog.errors["signatures"].text()
    assert "有6处需要修改" in dialog.message.text() and dialog.bar.hint.isHidden()
    assert dialog.geometry() == geometry and positions(dialog) == where  # the form did not move
    long = dialog.errors["rights_notified"]
    assert long.toolTip() == long.text()  # a message longer than its line reads whole on hover

    # sent again, put right: the lines empty again, in place
    type_into(qtbot, dialog, "place", "询问室")
    press_record(qtbot, dialog)
    settle(qtbot, worker)
    assert dialog.errors["place"].text() == "" and "询问地点" not in dialog.message.text()
    assert positions(dialog) == where


def test_a_refusal_of_no_field_shows_at_the_top(world, clients, qtbot):  # noqa: F811 - the fixture imported
    case_id = steps.investigated(world)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    dialog = officer.workspace.start("submit_legal_review", "提交法制审核")  # not offered yet: sent anyway, to see the refusal
    type_into(qtbot, dialog, "summary", "事实清楚")
    type_into(qtbot, dialog, "draft_decision", "拟罚款")
    form_at = dialog.scroll.geometry()
    press_record(qtbot, dialog)  # no investigation report yet: the procedure refuses the step itself
    settle(qtbot, worker)
    assert dialog.isVisible() and "不能办理“提交法制审核”" in dialog.message.text()
    assert all(line.text() == "" for line in dialog.errors.values())
    assert dialog.scroll.geometry() == form_at  # the strip on top kept its height: the form below did not move


# --- every dialog within the screen ----------------------------------------------------------------------


def fits(dialog: QWidget, what: str) -> None:
    QApplication.processEvents()
    frame = dialog.frameGeometry()
    assert frame.height() <= SCREEN_HEIGHT and frame.width() <= 1366, f"{what}: {frame.width()}×{frame.height()}"
    assert dialog.sizeHint().height() <= SCREEN_HEIGHT, f"{what} asks for {dialog.sizeHint().height()} pixels"
    screen = dialog.screen().availableGeometry()
    assert screen.contains(frame), f"{what} is not on the screen: {frame} in {screen}"


def buttons_outside_the_scroll(dialog, what: str) -> None:
    """OK and Cancel always in view: below the scrolled form, inside the dialog."""
    ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
    assert ok.isVisible() and not dialog.scroll.isAncestorOf(ok), what
    assert dialog.rect().contains(ok.geometry().translated(ok.parentWidget().mapTo(dialog, QPoint(0, 0)))), what


def dates_read_as_chinese_dates(dialog, kind: str) -> int:
    """#17: a date reads 2026-12-01 (a moment 2026-12-01 09:30), never "1 12 2026", and its calendar is Chinese."""
    import re

    from PySide6.QtCore import QLocale
    from PySide6.QtWidgets import QDateTimeEdit

    edits = dialog.findChildren(QDateTimeEdit)  # QDateEdit is one too
    for edit in edits:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}( \d{2}:\d{2})?", edit.text()), (kind, edit.objectName(), edit.text())
        assert edit.calendarWidget().locale().language() == QLocale.Language.Chinese, (kind, edit.objectName())
    return len(edits)


def test_every_dialog_fits_a_1366_by_768_screen(world, clients, qtbot, tmp_path, app_style):  # noqa: F811 - the fixture imported
    from enforcement_app.domain.procedure import title_of
    from enforcement_app.ui.forms import FORMS

    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    photo = tmp_path / "shelf.png"
    steps.png(photo)
    workspace = officer.workspace
    dates = 0
    for kind in FORMS:
        dialog = workspace.add_evidence([str(photo)]) if kind == "add_evidence" else workspace.start(kind, title_of(kind))
        settle(qtbot, worker)
        fits(dialog, kind)
        buttons_outside_the_scroll(dialog, kind)
        dates += dates_read_as_chinese_dates(dialog, kind)
        if kind == "record_inquiry":  # the signature pad and the refusal to sign, opened from it
            field = dialog.inputs["signatures"]
            for button in (0, 2):
                field.rows[0]["buttons"][button].click()
                fits(field.rows[0]["dialog"] if button == 0 else QApplication.activeModalWidget() or field.rows[0].get("dialog"),
                     f"{kind} signature {button}")
                QApplication.activeModalWidget().close()
        dialog.done(0)
        settle(qtbot, worker)
    assert dates >= 20  # the forms' dates and moments were there to read
    officer.new_case()
    settle(qtbot, worker)
    new = officer.new_case_dialog
    fits(new, "new case")
    assert dates_read_as_chinese_dates(new, "new case") >= 1
    new.procedure.setCurrentIndex(new.procedure.findData("simple"))  # the on-the-spot decision's rows shown too
    fits(new, "new case, simple procedure")
    ok = new.buttons.button(new.buttons.StandardButton.Ok)
    assert ok.isVisible() and not new.scroll.isAncestorOf(ok)
    new.done(0)
    officer.lock.lock()
    fits(officer.lock.dialog, "lock")
    head_worker, head, login = clients("wangju")
    fits(login, "login")
    head.show_case(case_id)
    settle(qtbot, head_worker)
    for kind in ("make_decision", "record_collective_discussion"):  # the sign-offs with the documents beside the form
        dialog = head.workspace.start(kind, title_of(kind))
        settle(qtbot, head_worker)
        fits(dialog, kind)
        buttons_outside_the_scroll(dialog, kind)
        dialog.done(0)
    admin_worker, admin, _ = clients("admin", "admin-pass-1")
    admin.show_page("admin")
    settle(qtbot, admin_worker)
    for name in ("agency_settings", "policy_settings", "add_officer"):
        qtbot.mouseClick(admin.admin.findChild(QPushButton, name), Qt.MouseButton.LeftButton)
        settle(qtbot, admin_worker)
        fits(admin.admin.last_dialog, name)
        admin.admin.last_dialog.done(0)


# --- overlapping records ---------------------------------------------------------------------------------


def test_a_record_overlapping_another_of_the_same_officer_is_questioned_before_it_is_saved(world, clients, qtbot):  # noqa: F811 - the fixture imported
    first = steps.investigated(world)  # questioned by both officers on 5 March, 09:30 to 10:30
    second = steps.lead(world, world.person)
    steps.file(world, second)
    worker, officer, _ = clients("zhangming")
    officer.show_case(second)
    settle(qtbot, worker)
    count = "SELECT count(*) FROM event WHERE stream = ? AND kind = 'record_inspection'"
    dialog = click_action(qtbot, officer, "record_inspection")
    set_moment(dialog, "started_at", "2025-03-05T10:00")
    set_moment(dialog, "ended_at", "2025-03-05T11:00")
    type_into(qtbot, dialog, "place", "惠州市仲恺高新区惠风路1号")
    type_into(qtbot, dialog, "findings", "货架上有超过保质期的酸奶3盒")
    for row in range(3):
        draw_signature(qtbot, dialog.inputs["signatures"], row, "刘某" if row == 0 else None)
    press_record(qtbot, dialog)
    qtbot.waitUntil(lambda: dialog.confirm_box is not None and dialog.confirm_box.isVisible(), timeout=10_000)
    box = dialog.confirm_box
    title = world.services.current_state(first).title
    assert title in box.text() and "询问调查 2025-03-05 09:30—10:30" in box.text() and "张明、李华" in box.text()
    qtbot.mouseClick(box.button(box.StandardButton.No), Qt.MouseButton.LeftButton)  # the officer checks the times
    settle(qtbot, worker)
    assert dialog.isVisible() and world.services.db.execute(count, [second]).fetchone()[0] == 0
    dialog.confirm_box = None
    press_record(qtbot, dialog)  # asked again; this time it is recorded
    qtbot.waitUntil(lambda: dialog.confirm_box is not None and dialog.confirm_box.isVisible(), timeout=10_000)
    qtbot.mouseClick(dialog.confirm_box.button(box.StandardButton.Yes), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: world.services.db.execute(count, [second]).fetchone()[0] == 1, timeout=10_000)
    settle(qtbot, worker)
    # a record that overlaps nothing is not questioned
    dialog = click_action(qtbot, officer, "record_inspection")
    dialog.confirm_box = None
    set_moment(dialog, "started_at", "2025-03-05T11:00")
    set_moment(dialog, "ended_at", "2025-03-05T11:30")
    type_into(qtbot, dialog, "place", "惠州市仲恺高新区惠风路1号")
    type_into(qtbot, dialog, "findings", "复查")
    for row in range(3):
        draw_signature(qtbot, dialog.inputs["signatures"], row, "刘某" if row == 0 else None)
    submit(qtbot, officer, dialog)
    assert dialog.confirm_box is None


# --- the person questioned -------------------------------------------------------------------------------


def test_the_person_questioned_goes_line_by_line_into_the_record_and_the_pdf(world, clients, qtbot):  # noqa: F811 - the fixture imported
    from pypdf import PdfReader

    from enforcement_app.casefile import render_document

    case_id = steps.investigated(world, world.person, inquire_too=False)  # the party is 刘某, a person
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "record_inquiry")
    person = dialog.inputs["person"]
    # the party as registered, the sex and the age (on the day of the inquiry) read from the ID number
    assert (person.name.text(), person.id_number.text(), person.phone.text()) == ("刘某", "11010519491231002X", "13800000000")
    assert person.id_type.currentData() == "resident_id" and person.sex.currentData() == "female"
    set_moment(dialog, "started_at", "2025-03-05T14:00")
    set_moment(dialog, "ended_at", "2025-03-05T15:00")
    assert person.age.text() == "75"
    person.address.clear()
    type_text(qtbot, person.address, "惠州市仲恺高新区惠风路1号")
    type_into(qtbot, dialog, "place", "询问室")
    type_into(qtbot, dialog, "recorder", "李华")
    type_into(qtbot, dialog, "qa", "问：酸奶从何处进货？\n答：从批发市场进货。")
    for row in range(3):
        draw_signature(qtbot, dialog.inputs["signatures"], row)
    submit(qtbot, officer, dialog)
    inquiry = [s for s in world.services.current_state(case_id).steps if s.kind == "record_inquiry"][-1]
    assert inquiry.payload["person"] == {"name": "刘某", "id_type": "resident_id", "id_number": "11010519491231002X", "sex": "female",
                                         "age": "75", "phone": "13800000000", "address": "惠州市仲恺高新区惠风路1号", "relation": "当事人"}
    pdf = render_document(world.as_(world.officer_a).case_file_data(case_id), "inquiry_record", 1)
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages))
    assert "性别：女" in text and "年龄：75岁" in text and "居民身份证号码：11010519491231002X" in text and "13800000000" in text


# --- causes by their short names -------------------------------------------------------------------------


def test_a_cause_is_chosen_by_its_short_name_and_the_case_titled_by_it(world, clients, qtbot):  # noqa: F811 - the fixture imported
    worker, officer, _ = clients("zhangming")
    settle(qtbot, worker)
    qtbot.mouseClick(officer.findChild(QPushButton, "new_case"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    new = officer.new_case_dialog
    shown = [new.entry.itemText(i) for i in range(1, new.entry.count())]
    assert "销售无标签预包装食品" in shown and not [s for s in shown if re.search(r"[A-Za-z_]", s)]
    assert all(len(s) <= 30 for s in shown)
    new.entry.setCurrentIndex(new.entry.findData("food_safety_124_1"))
    new.entry.setCurrentIndex(new.entry.findData("food_safety_125_1_2"))  # the cause follows the entry until typed
    assert new.cause.text() == "销售无标签预包装食品"
    assert "预包装食品" in new.entry.itemData(new.entry.currentIndex(), Qt.ItemDataRole.ToolTipRole)  # the statute's words on hover
    type_text(qtbot, new.number, "91350100M000100Y43")
    type_text(qtbot, new.name, "惠州某某食品有限公司")
    type_text(qtbot, new.address, "惠州市仲恺高新区和畅路8号")
    type_text(qtbot, new.representative, "黄某")
    type_text(qtbot, new.summary, "群众投诉该店销售无标签食品")
    new.second.setCurrentIndex(new.second.findData(world.officer_b.id))
    qtbot.mouseClick(new.findChild(QPushButton, "create_case"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    settle(qtbot, worker)
    state = world.services.current_state(officer.workspace.case_id)
    assert state.title == "惠州某某食品有限公司销售无标签预包装食品案" and state.cause_entry == "food_safety_125_1_2"
    officer.new_case()
    settle(qtbot, worker)
    again = officer.new_case_dialog
    type_text(qtbot, again.cause, "无中文标签")  # written by the officer: kept whatever entry is chosen
    again.entry.setCurrentIndex(again.entry.findData("food_safety_125_1_2"))
    assert again.cause.text() == "无中文标签"
    again.done(0)


# --- the discretion panel --------------------------------------------------------------------------------


def _ready_to_decide(world):
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.notified_and_waived(world, case_id)
    world.clock.set("2025-03-18T09:00")
    return case_id


def test_the_discretion_panel_asks_the_bases_its_entry_needs_and_fills_the_decision(world, clients, qtbot):  # noqa: F811 - the fixture imported
    case_id = _ready_to_decide(world)
    worker, head, _ = clients("wangju")
    head.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, head, "make_decision")
    panel = dialog.extra
    settle(qtbot, worker)
    form = dialog._form
    assert form.getWidgetPosition(panel)[0] == form.getWidgetPosition(dialog.rows["penalty_kinds"])[0] - 1  # just above the penalty
    assert panel.entry.currentData() == "food_safety_124_1" and "food_safety" not in panel.entry.currentText()

    def asked() -> set[str]:
        return {key for key, holder in panel.base_rows.items() if holder.isVisibleTo(panel)}

    assert asked() == {"goods_value", "illegal_income"}
    panel.entry.setCurrentIndex(panel.entry.findData("advertising_57_1_advertiser"))
    assert asked() == set() and panel.no_bases.isVisibleTo(panel)
    panel.entry.setCurrentIndex(panel.entry.findData("advertising_55_1"))
    assert asked() == {"advertising_cost"}
    panel.entry.setCurrentIndex(panel.entry.findData("food_safety_124_1"))
    panel.bases["goods_value"].setText("120")
    panel.bases["illegal_income"].setText("0")
    dialog.inputs["fine_yuan"].setText("1")
    qtbot.mouseClick(panel.assess_button, Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert "50,000.00元 至 100,000.00元" in panel.result.toPlainText()  # goods under ten thousand yuan: the fixed range
    assert dialog.inputs["fine_yuan"].text() == "75000.00"  # the middle of the recommended 65,000–85,000
    assert dialog.inputs["basis"].text() == "《中华人民共和国食品安全法》第一百二十四条第一款"
    kinds = dialog.inputs["penalty_kinds"]
    checked = {kinds.item(i).data(Qt.ItemDataRole.UserRole) for i in range(kinds.count())
               if kinds.item(i).checkState() == Qt.CheckState.Checked}
    assert checked == {"fine", "confiscate_illegal_property", "confiscate_illegal_income"}
    assert dialog.payload()["benchmark"] == {"entry": "food_safety_124_1", "bases": {"goods_value": "120", "illegal_income": "0"},
                                             "circumstances": []}


def test_the_notice_form_has_the_panel_where_the_penalty_is_set(world, clients, qtbot):  # noqa: F811 - the fixture imported
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id)
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "issue_prior_notice")
    settle(qtbot, worker)
    panel = dialog.extra
    assert panel is not None and panel.objectName() == "discretion_panel"
    assert dialog._form.getWidgetPosition(panel)[0] == 0  # first: the penalty kinds, the fine and the basis follow
    assert panel.entry.currentData() == "food_safety_124_1"  # the case's entry
    assert {key for key, holder in panel.base_rows.items() if holder.isVisibleTo(panel)} == {"goods_value", "illegal_income"}


# --- no internal words -----------------------------------------------------------------------------------


ALLOWED = {"PDF", "SHA", "NO", "No", "Ctrl", "Shift", "L", "USCC"}
IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:_[A-Za-z0-9]+)+|[A-Za-z]{2,}")


def shown_texts(top: QWidget) -> list[tuple[str, str]]:
    """(where, text) of every text a user sees in ``top``: labels, buttons, titles, choices, list and table items and
    headers, placeholders, tooltips, browsers, tabs — of the widgets shown (not what the user typed)."""
    out = []

    def add(widget, text):
        if text:
            out.append((f"{type(widget).__name__}#{widget.objectName()}", html.unescape(re.sub(r"<[^>]+>", " ", str(text)))))

    for w in [top, *top.findChildren(QWidget)]:
        if w is not top and not w.isVisibleTo(top) or isinstance(w, QHeaderView):  # a header: its view's model says it
            continue
        add(w, w.toolTip())
        add(w, w.windowTitle() if w.isWindow() else "")
        if isinstance(w, QLabel | QAbstractButton):
            add(w, w.text())
        elif isinstance(w, QGroupBox):
            add(w, w.title())
        elif isinstance(w, QComboBox):
            for i in range(w.count()):
                add(w, w.itemText(i))
        elif isinstance(w, QLineEdit | QPlainTextEdit):
            add(w, w.placeholderText())
        elif isinstance(w, QTextBrowser):
            add(w, w.toPlainText())
        elif isinstance(w, QTabWidget):
            for i in range(w.count()):
                add(w, w.tabText(i))
        if isinstance(w, QListWidget):
            for i in range(w.count()):
                add(w, w.item(i).text())
        elif isinstance(w, QTableWidget):
            for r in range(w.rowCount()):
                for c in range(w.columnCount()):
                    add(w, w.item(r, c).text() if w.item(r, c) else "")
        elif isinstance(w, QAbstractItemView) and w.model() is not None:
            model = w.model()
            for c in range(model.columnCount()):
                add(w, model.headerData(c, Qt.Orientation.Horizontal))
            for r in range(min(model.rowCount(), 50)):
                for c in range(model.columnCount()):
                    add(w, model.data(model.index(r, c)))
    return out


HEX = re.compile(r"[0-9a-f]{8,}")  # a hash, shown short (a digest is not a word)


def internal_words(top: QWidget, typed: set[str] = frozenset()) -> list[str]:
    return [f"{where}: {word!r} in {text[:80]!r}" for where, text in shown_texts(top)
            for word in IDENTIFIER.findall(HEX.sub(" ", text)) if word not in ALLOWED and word not in typed]


def test_no_program_words_on_any_form_or_main_page(world, clients, qtbot, tmp_path):  # noqa: F811 - the fixture imported
    from enforcement_app.domain.procedure import title_of
    from enforcement_app.ui.forms import FORMS

    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id, fine_yuan=75000, benchmark={  # assessed: the case shows its benchmark by name
        "entry": "food_safety_124_1", "bases": {"goods_value": "120", "illegal_income": "0"}, "circumstances": []})
    steps.submit_review(world, case_id)
    photo = tmp_path / "shelf.png"
    steps.png(photo)
    world.as_(world.officer_a).add_evidence(case_id, photo, steps.photo_details(world))
    typed = {"shelf", "png", *(o.login for o in world.services.officers().values())}  # a file's name, the logins: as typed
    found = []
    worker, officer, _ = clients("zhangming")
    settle(qtbot, worker)
    for page in ("inbox", "cases"):
        officer.show_page(page)
        settle(qtbot, worker)
        found += internal_words(officer, typed)
    officer.show_case(case_id)
    settle(qtbot, worker)
    for tab in range(officer.workspace.tabs.count()):
        officer.workspace.tabs.setCurrentIndex(tab)
        settle(qtbot, worker)
        found += internal_words(officer, typed)
    for kind in FORMS:
        dialog = officer.workspace.add_evidence([str(photo)]) if kind == "add_evidence" else officer.workspace.start(kind, title_of(kind))
        settle(qtbot, worker)
        if dialog.extra is not None and hasattr(dialog.extra, "run"):
            dialog.extra.run()  # the panel's assessment, as shown
            settle(qtbot, worker)
        found += internal_words(dialog, typed)
        dialog.done(0)
    officer.new_case()
    settle(qtbot, worker)
    officer.new_case_dialog.procedure.setCurrentIndex(1)
    found += internal_words(officer.new_case_dialog, typed)
    officer.new_case_dialog.done(0)
    for login, page in (("wuping", "evaluation"), ("admin", "admin")):
        w, window, _ = clients(login, "admin-pass-1" if login == "admin" else "secret-pass-1")
        window.show_page(page)
        settle(qtbot, w)
        if page == "evaluation":
            window.evaluation.load(case_id)
            settle(qtbot, w)
        found += internal_words(window, typed)
    assert found == [], "\n".join(found)


# --- payment and service: when, how, by whom; the receipt ------------------------------------------------


def test_a_payment_records_its_day_and_attaches_the_receipt_scan(world, clients, qtbot, tmp_path):  # noqa: F811 - the fixture imported
    case_id = _ready_to_decide(world)
    steps.decide(world, case_id)  # on 18 March
    world.clock.set("2025-03-20T09:00")
    worker, officer, _ = clients("zhangming")
    officer.show_case(case_id)
    settle(qtbot, worker)
    dialog = click_action(qtbot, officer, "serve_document")  # when (the services' day), how and by whom
    assert dialog.inputs["on"].date().toString("yyyy-MM-dd") == "2025-03-20"
    assert dialog.inputs["method"].currentData() == "direct" and len(dialog.value(dialog.fields[[f.key for f in dialog.fields].index("officers")])) == 2
    dialog.inputs["on"].setDate(dialog.inputs["on"].date().addDays(-1))
    for row in range(3):
        draw_signature(qtbot, dialog.inputs["signatures"], row)
    submit(qtbot, officer, dialog)
    served = world.services.current_state(case_id).documents_served["decision"]
    assert served["on"] == "2025-03-19" and served["method"] == "direct" and len(served["officers"]) == 2

    dialog = click_action(qtbot, officer, "record_payment")
    assert dialog.inputs["on"].date().toString("yyyy-MM-dd") == "2025-03-20"
    type_into(qtbot, dialog, "receipt_no", "NO.0002")
    scan = tmp_path / "receipt.png"
    steps.png(scan, 11)
    dialog.inputs["receipt_files"].attach_file(str(scan))
    evidence = officer.workspace.evidence_dialog
    assert evidence.isVisible() and evidence.inputs["kind"].currentData() == "documentary"
    assert evidence.inputs["description"].toPlainText() == "缴款凭证NO.0002"
    submit(qtbot, officer, evidence)
    attached = dialog.inputs["receipt_files"].list
    assert attached.count() == 1 and attached.item(0).text() == "缴款凭证NO.0002"
    submit(qtbot, officer, dialog)
    state = world.services.current_state(case_id)
    sha = next(e["sha256"] for e in state.evidence if e["original_name"] == "receipt.png")
    assert state.payments[-1]["receipt_files"] == [sha] and state.payments[-1]["on"] == "2025-03-20"
