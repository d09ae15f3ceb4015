"""Starting the client (issue #17, set-up and start): the demo never writes into the agency's database, a
screenshot run needs no display, and a Linux desk missing Qt's X11 libraries is told which ones, by package."""

from __future__ import annotations

import argparse
import json
from datetime import datetime
from pathlib import Path

from enforcement_app.ui import main as ui_main


def _args(**given) -> argparse.Namespace:
    return argparse.Namespace(**{"db_path": None, "demo": False, "lang": None, "user": None, "screenshots": None, **given})


def test_the_demo_opens_its_own_database_never_the_agencys(tmp_path, monkeypatch):
    monkeypatch.setattr(ui_main, "default_db_path", lambda: tmp_path / "cases.db")
    monkeypatch.setattr(ui_main, "demo_db_path", lambda: tmp_path / "demo.db")
    assert ui_main.chosen_database(_args()) == (tmp_path / "cases.db", False)
    assert ui_main.chosen_database(_args(demo=True)) == (tmp_path / "demo.db", True)
    assert ui_main.chosen_database(_args(demo=True, db_path=tmp_path / "x.db")) == (tmp_path / "x.db", True)
    from enforcement_app.services import default_db_path, demo_db_path

    assert demo_db_path().parent == default_db_path().parent and demo_db_path() != default_db_path()


def test_missing_x11_libraries_are_named_by_package():
    absent = {"libxcb-icccm.so.4", "libxcb-keysyms.so.1"}

    def load(soname):
        if soname in absent:
            raise OSError(soname)

    message = ui_main.xcb_problem({}, "linux", load)
    assert "libxcb-icccm4" in message and "libxcb-keysyms1" in message and "libxcb-cursor0" not in message
    assert "apt-get install -y libxcb-icccm4 libxcb-keysyms1" in message
    assert ui_main.xcb_problem({"QT_QPA_PLATFORM": "offscreen"}, "linux", load) == ""
    assert ui_main.xcb_problem({"WAYLAND_DISPLAY": "wayland-0"}, "linux", load) == ""  # a Wayland session: Qt's own plugin
    assert "libxcb-icccm4" in ui_main.xcb_problem({"QT_QPA_PLATFORM": "xcb"}, "linux", load)
    assert ui_main.xcb_problem({}, "win32", load) == ""
    assert ui_main.xcb_problem({}, "linux", lambda soname: None) == ""


def test_the_client_stops_with_the_message_before_opening_a_window(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(ui_main, "xcb_problem", lambda: "错误：缺少 Qt 图形界面（X11/xcb）所需的系统库：libxcb-icccm4")
    monkeypatch.setattr(ui_main, "make_app", lambda language: (_ for _ in ()).throw(AssertionError("no window")))
    assert ui_main.main(["--db", str(tmp_path / "x.db")]) == 2
    assert "libxcb-icccm4" in capsys.readouterr().err
    assert not (tmp_path / "x.db").exists()  # nothing opened or created


def test_screenshots_need_no_display(tmp_path, monkeypatch):
    monkeypatch.delenv("QT_QPA_PLATFORM", raising=False)
    monkeypatch.setattr(ui_main, "xcb_problem", lambda: (_ for _ in ()).throw(AssertionError("not checked for a screenshot run")))
    seen = {}
    monkeypatch.setattr(ui_main, "make_app", lambda language: seen.setdefault("platform", ui_main.os.environ.get("QT_QPA_PLATFORM")))
    monkeypatch.setattr(ui_main, "prepare_database", lambda path, demo: None)
    import enforcement_app.ui.screenshots as screenshots

    monkeypatch.setattr(screenshots, "take_all", lambda db, folder: 0)
    assert ui_main.main(["--db", str(tmp_path / "d.db"), "--screenshots", str(tmp_path / "shots"), "--screen", "1920x1080"]) == 0
    platform, _, config = seen["platform"].partition(":configfile=")
    assert platform == "offscreen"  # with one screen of the size asked for
    (screen,) = json.loads(Path(config).read_text(encoding="utf-8"))["screens"]
    assert (screen["width"], screen["height"]) == (1920, 1080)


def test_a_moment_field_defaults_to_now_not_nine_oclock(qtbot):
    """A 笔录 is recorded as it is made: its times start at the current minute (#17: times default to now)."""
    from PySide6.QtCore import QDate, QDateTime, QTime

    from enforcement_app.domain.forms import CHINA
    from enforcement_app.ui.forms import FORMS, ActionDialog

    def china_now() -> QDateTime:  # 笔录 state China's wall clock, whatever the computer's time zone
        now = datetime.now(CHINA)
        return QDateTime(QDate(now.year, now.month, now.day), QTime(now.hour, now.minute, now.second))

    before = china_now().addSecs(-60)
    dialog = ActionDialog("record_inspection", "现场检查", FORMS["record_inspection"], submit=lambda payload, done, fail: None)
    qtbot.addWidget(dialog)
    shown = dialog.inputs["started_at"].dateTime()
    assert before <= shown <= china_now() and shown.time().second() == 0
    # the services' clock, where the workspace gives it (a test world's, a demo's): its minute
    given = ActionDialog("record_inspection", "现场检查", FORMS["record_inspection"], submit=lambda payload, done, fail: None,
                         now=datetime(2025, 3, 5, 9, 41, 17, tzinfo=CHINA))
    qtbot.addWidget(given)
    assert given.inputs["started_at"].dateTime().toString("yyyy-MM-ddTHH:mm:ss") == "2025-03-05T09:41:00"
