"""Every interface string has its Chinese translation, and the translation file compiles and loads."""

from __future__ import annotations

import ast
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TS = ROOT / "resources" / "i18n" / "enforcement_zh_CN.ts"


def _strings_in_code() -> set[tuple[str, str]]:
    found = set()
    for path in (ROOT / "enforcement_app" / "ui").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
                args = node.args[:2]
                if name in ("tr", "QT_TRANSLATE_NOOP") and len(args) == 2 and all(
                        isinstance(a, ast.Constant) and isinstance(a.value, str) for a in args):
                    found.add((args[0].value, args[1].value))
    return found


def _translations() -> dict[tuple[str, str], str]:
    out = {}
    for context in ET.parse(TS).getroot().findall("context"):
        name = context.findtext("name")
        for message in context.findall("message"):
            translation = message.find("translation")
            text = "".join(translation.itertext()).strip() if translation is not None else ""
            out[(name, message.findtext("source"))] = text
    return out


def test_every_interface_string_is_translated():
    translations = _translations()
    missing = sorted(key for key in _strings_in_code() if not translations.get(key))
    assert missing == []


def test_the_ts_file_is_what_the_translation_table_makes(tmp_path, monkeypatch):
    import importlib.util

    spec = importlib.util.spec_from_file_location("make_ts", ROOT / "tools" / "make_ts.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    monkeypatch.setattr(module, "ROOT", tmp_path)
    (tmp_path / "resources" / "i18n").mkdir(parents=True)
    module.main()
    assert (tmp_path / "resources" / "i18n" / "enforcement_zh_CN.ts").read_text(encoding="utf-8") == TS.read_text(encoding="utf-8")


@pytest.mark.gui
def test_chinese_loads_and_english_is_selectable(qapp):
    from PySide6.QtCore import QCoreApplication

    from enforcement_app.ui import i18n

    assert i18n.compiled("zh_CN") is not None
    assert i18n.install("zh_CN")
    assert QCoreApplication.translate("MainWindow", "Inbox") == "待办"
    assert QCoreApplication.translate("CaseTable", "%n day(s) left", None, 3) == "剩3天"
    i18n.install("en")
    assert QCoreApplication.translate("MainWindow", "Inbox") == "Inbox"


def test_qts_own_dialogs_speak_chinese(qapp):
    """#17: Qt's standard dialogs (the file dialog's "Look in:", "Files of type:", the message box's buttons) are
    in Chinese, from Qt's own translations, with the client's."""
    from PySide6.QtWidgets import QDialogButtonBox, QFileDialog, QLabel

    from enforcement_app.ui import i18n

    assert i18n.install("zh_CN")
    try:
        dialog = QFileDialog(None, "", "", "PDF (*.pdf)")
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)
        labels = {label.text() for label in dialog.findChildren(QLabel)}
        assert not {"Look in:", "Files of type:", "File name:"} & labels
        assert any("查找" in t or "查看" in t for t in labels) and any("文件类型" in t for t in labels)
        box = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        assert box.button(QDialogButtonBox.StandardButton.Cancel).text() == "取消"
        dialog.deleteLater()
    finally:
        i18n.install("en")
