"""Finding a CJK font reportlab can embed.

An archive-grade case file embeds its font (a subset), so it prints the same everywhere in twenty years.
reportlab embeds only TrueType outlines: SimSun/SimHei/Microsoft YaHei on Windows, Songti/STHeiti on macOS,
WenQuanYi Zen Hei / Droid Sans Fallback / AR PL on Linux. The Noto and Source Han CJK fonts carry CFF
outlines and are refused by reportlab (``postscript outlines are not supported``), so they are skipped.

Order of search: the path given (``--font`` or ``ENFORCEMENT_CJK_FONT``, ``path`` or ``path#index`` for a
collection), then the known system locations. When none works, the standard CID font STSong-Light is used
and the result says that the file is then not archive-grade (the font is not embedded).
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

ENV_VAR = "ENFORCEMENT_CJK_FONT"

# (path, subfont index) in order of preference per platform
CANDIDATES: dict[str, tuple[tuple[str, int], ...]] = {
    "win32": (
        (r"C:\Windows\Fonts\simsun.ttc", 0),
        (r"C:\Windows\Fonts\simhei.ttf", 0),
        (r"C:\Windows\Fonts\msyh.ttc", 0),
        (r"C:\Windows\Fonts\simfang.ttf", 0),
    ),
    "darwin": (
        ("/System/Library/Fonts/Supplemental/Songti.ttc", 0),
        ("/System/Library/Fonts/STHeiti Medium.ttc", 0),
        ("/Library/Fonts/Arial Unicode.ttf", 0),
        ("/System/Library/Fonts/Supplemental/Arial Unicode.ttf", 0),
    ),
    "linux": (
        ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
        ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),
        ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
        ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
        ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
    ),
}


@dataclass(frozen=True)
class CaseFileFont:
    name: str  # the registered reportlab font name
    mono: str  # a fixed-width face for hashes (the same face when the font has none)
    embedded: bool
    source: str  # the file used, or the CID font name
    note: str  # what the user should know (empty when archive-grade)


def _parse(spec: str) -> tuple[str, int]:
    path, _, index = spec.partition("#")
    return path, int(index) if index.isdigit() else 0


def _try(path: str, index: int) -> CaseFileFont | None:
    if not Path(path).is_file():
        return None
    name = f"CaseFileCJK-{Path(path).stem}-{index}"
    try:
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, path, subfontIndex=index))
    except (TTFError, OSError, ValueError, IndexError):
        return None
    mono = name
    if path.endswith("wqy-zenhei.ttc"):  # index 1 of the collection is Zen Hei Mono
        try:
            mono_name = f"{name}-mono"
            if mono_name not in pdfmetrics.getRegisteredFontNames():
                pdfmetrics.registerFont(TTFont(mono_name, path, subfontIndex=1))
            mono = mono_name
        except (TTFError, OSError, ValueError, IndexError):
            mono = name
    return CaseFileFont(name, mono, True, f"{path}#{index}" if index else path, "")


@cache
def find_font(configured: str | None = None) -> CaseFileFont:
    """The font for case files; see the module documentation for the order of search."""
    spec = configured or os.environ.get(ENV_VAR)
    tried: list[str] = []
    if spec:
        path, index = _parse(spec)
        found = _try(path, index)
        if found:
            return found
        tried.append(spec)
    platform = "win32" if sys.platform.startswith("win") else "darwin" if sys.platform == "darwin" else "linux"
    for path, index in CANDIDATES[platform]:
        found = _try(path, index)
        if found:
            return found
    cid = "STSong-Light"
    if cid not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(cid))
    note = (
        "未找到可嵌入的中文 TrueType 字体（如宋体、黑体、文泉驿正黑），已改用标准 CID 字体 STSong-Light："
        "字体未嵌入，文件在没有该字体的电脑上可能无法正确显示，不符合归档要求。"
        "可用 --font 或环境变量 ENFORCEMENT_CJK_FONT 指定字体文件。"
    )
    if tried:
        note = f"指定的字体 {tried[0]} 无法使用（不存在或为 CFF 轮廓）。" + note
    return CaseFileFont(cid, cid, False, cid, note)
