"""``enforcement-app``: the Qt client.

    enforcement-app [--db PATH] [--demo] [--lang zh_CN|en] [--user LOGIN] [--screenshots DIR [--screen WxH]]

Opens the default database (created on first run) or ``--db``; ``--demo`` fills a fresh database with the
demo data first — without ``--db`` the demo's own ``demo.db`` in the data folder, never the agency's database,
and the window title says it is the demo. Users log in with their password. ``--screenshots DIR`` renders every
main screen with the data of the database (use it with ``--demo``) to PNG files and exits, with or without a
display, on a screen of ``--screen`` (1366x768 unless told); it logs in as the demo users without a password, so it
refuses a database that is not a demo database.
On Linux the client first checks the system libraries Qt's X11 platform needs and names the missing ones.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication, QDialog, QInputDialog, QLineEdit, QMessageBox

from ..domain.refusals import RuleViolation
from ..network import link
from ..services import Services, default_db_path, demo_db_path
from ..services.api import china_now
from ..services.demo import build_demo
from ..services.keys import keystore
from . import i18n
from .network_link import NetworkLink
from .window import Desk, LoginDialog, MainWindow, apply_style
from .worker import ServiceThread


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="enforcement-app", description="行政执法案件记录")
    parser.add_argument("--db", type=Path, dest="db_path", metavar="DB", help="数据库文件（默认：用户数据目录中的 cases.db）")
    parser.add_argument("--demo", action="store_true", help="向新数据库写入演示数据")
    parser.add_argument("--lang", choices=sorted(i18n.LANGUAGES), help="界面语言（默认简体中文）")
    parser.add_argument("--user", help="预填的登录名")
    parser.add_argument("--screenshots", type=Path, metavar="DIR", help="把各主要界面截图为 PNG 后退出（演示数据库）")
    parser.add_argument("--screen", default="1366x768", metavar="WxH", type=_screen_size,
                        help="截图时模拟的屏幕大小（默认 1366x768，如 1920x1080）")
    return parser.parse_args(argv)


def _screen_size(text: str) -> tuple[int, int]:
    width, _, height = text.lower().partition("x")
    if not (width.isdigit() and height.isdigit() and int(width) >= 640 and int(height) >= 480):
        raise argparse.ArgumentTypeError(f"屏幕大小应写成 宽x高（至少 640x480），如 1920x1080：{text!r}")
    return int(width), int(height)


def offscreen_platform(width: int, height: int, folder: Path) -> str:
    """Qt's offscreen platform with one screen of ``width``×``height`` (its default is 800×800), so that screenshots show
    the client as it fits a laptop's or a desktop's screen: the platform string, its configuration written in ``folder``."""
    config = folder / f"offscreen-{width}x{height}.json"
    config.write_text(json.dumps({"synchronousWindowSystemEvents": False, "windowFrameMargins": False, "screens": [
        {"name": f"Screen{width}x{height}", "x": 0, "y": 0, "width": width, "height": height, "logicalDpi": 96,
         "logicalBaseDpi": 96, "dpr": 1}]}), encoding="utf-8")
    return f"offscreen:configfile={config}"


# the shared libraries Qt's xcb platform plugin loads (Qt 6.5 and later), with the Debian package of each
XCB_LIBRARIES = {
    "libxcb-cursor.so.0": "libxcb-cursor0", "libxcb-icccm.so.4": "libxcb-icccm4", "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-image.so.0": "libxcb-image0", "libxcb-render-util.so.0": "libxcb-render-util0", "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0", "libxcb-shape.so.0": "libxcb-shape0", "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-xfixes.so.0": "libxcb-xfixes0", "libxcb-sync.so.1": "libxcb-sync1", "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-render.so.0": "libxcb-render0", "libxkbcommon.so.0": "libxkbcommon0", "libEGL.so.1": "libegl1",
    "libfontconfig.so.1": "libfontconfig1", "libdbus-1.so.3": "libdbus-1-3",
}


def missing_xcb_packages(load=ctypes.CDLL) -> list[str]:
    """The Debian packages whose libraries the xcb platform needs and this machine lacks (Qt itself would name
    only the first it misses, and not always the right one)."""
    missing = []
    for soname, package in XCB_LIBRARIES.items():
        try:
            load(soname)
        except OSError:
            missing.append(package)
    return missing


def xcb_problem(environ=os.environ, platform: str = sys.platform, load=ctypes.CDLL) -> str:
    """What stops the window opening on X11, in words and with the command that fixes it ('' when nothing does)."""
    chosen = environ.get("QT_QPA_PLATFORM") or ("wayland" if environ.get("WAYLAND_DISPLAY") else "xcb")  # as Qt chooses
    if not platform.startswith("linux") or chosen.split(";")[0].split(":")[0] != "xcb":
        return ""
    missing = missing_xcb_packages(load)
    if not missing:
        return ""
    return ("错误：缺少 Qt 图形界面（X11/xcb）所需的系统库：" + "、".join(missing) + "\n请先安装：sudo apt-get install -y " + " ".join(missing))


def chosen_database(args: argparse.Namespace) -> tuple[Path, bool]:
    """The database to open and whether it is the demo's: ``--demo`` without ``--db`` opens the demo's own."""
    if args.db_path is not None:
        return args.db_path, bool(args.demo)
    return (demo_db_path(), True) if args.demo else (default_db_path(), False)


def prepare_database(path: Path, demo: bool) -> tuple[str, bytes] | None:
    """The database made or migrated (and filled, for the demo); the device's identity if it has joined a hub, read
    while it is open here, so that the link starts without opening it again."""
    with Services(path) as services:
        if demo and not services.has_cases():
            build_demo(services)
        try:
            joined = link.settings(path) is not None
        except link.LinkError:  # said by the status bar (NetworkLink reads the settings again): the app opens all the same
            joined = False
        return link.identity_of(services) if joined else None


def make_app(language: str | None) -> QApplication:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QCoreApplication.setOrganizationName("enforcement-app")
    QCoreApplication.setApplicationName("enforcement-app")
    chosen = language or str(QSettings().value("ui/language", i18n.DEFAULT_LANGUAGE))
    i18n.install(chosen)
    apply_style(app)
    return app


def open_window(worker: ServiceThread, officer, db_path: Path, *, demo: bool = False) -> MainWindow:
    window = MainWindow(worker, officer, db_path, china_now().date(), demo=demo)
    window.present()
    return window


def ask_device_passphrase() -> str | None:
    """Where the OS has no keyring, the device key lives in a passphrase-protected file: ask for it once."""
    text, ok = QInputDialog.getText(None, QCoreApplication.translate("Main", "Device key"),
                                    QCoreApplication.translate("Main", "Passphrase of this computer's device key:"),
                                    QLineEdit.EchoMode.Password)
    return text if ok and text else None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    db_path, demo = chosen_database(args)
    if args.screenshots:  # screenshots need no display: a screen of the size asked for
        os.environ.setdefault("QT_QPA_PLATFORM", offscreen_platform(*args.screen, Path(tempfile.mkdtemp(prefix="ecr-screen-"))))
    elif problem := xcb_problem():
        print(problem, file=sys.stderr)
        return 2
    app = make_app(args.lang)
    if not args.screenshots:  # an offscreen run cannot be asked: it takes ENFORCEMENT_KEY_PASSPHRASE or the keyring
        keystore.passphrase_prompt = ask_device_passphrase
    try:
        identity = prepare_database(db_path, args.demo)
    except (OSError, ValueError, RuleViolation) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        if not args.screenshots:  # a wrong device passphrase, a file that is not a database: say so in a window
            QMessageBox.critical(None, QCoreApplication.translate("Main", "Cannot open the database"), str(exc))
        return 2
    if args.screenshots:
        from .screenshots import take_all

        return take_all(db_path, args.screenshots)
    worker = ServiceThread(db_path)
    app.aboutToQuit.connect(worker.shutdown)
    network = NetworkLink(worker, db_path, identity=identity)  # before the login: a new laptop's officers come through the network
    app.aboutToQuit.connect(network.stop)
    dialog = LoginDialog(worker, login=args.user or "", language=args.lang or str(QSettings().value("ui/language", "zh_CN")))
    if dialog.exec() != QDialog.DialogCode.Accepted or dialog.officer is None:
        network.stop()
        worker.shutdown()
        return 0
    language = dialog.language.currentData()
    if language != (args.lang or QSettings().value("ui/language", "zh_CN")):
        QSettings().setValue("ui/language", language)
        i18n.install(language)
    worker.logged_in.disconnect(dialog._result)
    desk = Desk(worker, db_path, china_now().date(), demo=demo, language=language, network=network)
    desk.start(dialog.officer)  # switching users replaces the window without restarting
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
