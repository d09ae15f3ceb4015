"""Translations: English source strings in the code, Simplified Chinese from Qt's translation files.

``resources/i18n/enforcement_zh_CN.ts`` is the source (kept up to date with ``pyside6-lupdate``); the
compiled ``.qm`` is built from it with the ``lrelease`` that ships with PySide6 into the user's cache
folder the first time it is needed (and again whenever the ``.ts`` changes), so no generated file lives in
the source tree. Chinese is the default; ``--lang en`` or the language setting selects English.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import PySide6
from platformdirs import user_cache_dir
from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

from ..resources import resource_path

LANGUAGES = {"zh_CN": "简体中文", "en": "English"}
DEFAULT_LANGUAGE = "zh_CN"
_installed: list[QTranslator] = []


def tr(context: str, text: str, disambiguation: str | None = None, n: int = -1) -> str:
    """``QCoreApplication.translate``; lupdate finds calls by this name (``-tr-function-alias translate+=tr``)."""
    return QCoreApplication.translate(context, text, disambiguation or None, n)


def _lrelease() -> str | None:
    folder = Path(PySide6.__file__).parent
    for name in ("lrelease", "lrelease.exe", "Qt/libexec/lrelease"):
        if (folder / name).exists():
            return str(folder / name)
    return shutil.which("pyside6-lrelease") or shutil.which("lrelease")


def compiled(language: str) -> Path | None:
    """The ``.qm`` for ``language``, built from its ``.ts`` when missing or out of date."""
    source = resource_path("i18n", f"enforcement_{language}.ts")
    if not source.exists():
        return None
    digest = hashlib.sha256(source.read_bytes()).hexdigest()[:16]
    target = Path(user_cache_dir("enforcement-app", appauthor=False)) / "i18n" / f"enforcement_{language}-{digest}.qm"
    if target.exists():
        return target
    tool = _lrelease()
    if tool is None:
        print("warning: lrelease not found; the interface stays in English", file=sys.stderr)
        return None
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part.qm")
    result = subprocess.run([tool, "-silent", str(source), "-qm", str(partial)], capture_output=True, text=True, check=False)
    if result.returncode != 0 or not partial.exists():
        print(f"warning: lrelease failed: {result.stderr.strip()}", file=sys.stderr)
        return None
    partial.replace(target)
    return target


def install(language: str) -> bool:
    """Install the translators for ``language`` on the running application; True when Chinese loaded."""
    app = QCoreApplication.instance()
    for translator in _installed:
        app.removeTranslator(translator)
    _installed.clear()
    if language == "en":
        QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedStates))
        return False
    QLocale.setDefault(QLocale(QLocale.Language.Chinese, QLocale.Country.China))
    loaded = False
    qm = compiled(language)
    if qm is not None:
        translator = QTranslator(app)
        if translator.load(str(qm)):
            app.installTranslator(translator)
            _installed.append(translator)
            loaded = True
    qt_own = QTranslator(app)  # Qt's standard dialogs (file dialogs, message boxes) when available
    if qt_own.load(QLocale(), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt_own)
        _installed.append(qt_own)
    return loaded
