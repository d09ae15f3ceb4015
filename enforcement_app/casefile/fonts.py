"""Finding the CJK faces of a case file, one per typographic role, that reportlab can embed.

A case file is set like a government document (GB/T 9704): titles in 宋体 (小标宋 where installed), the
text in 仿宋 (or a 楷 face where no 仿宋 exists), headings and form labels in 黑体, hashes in a fixed-width
face. Each role is searched on its own; see :data:`CANDIDATES` and the README's table:

=======  ==========================  ===============================  ==================================
role     Windows                     macOS                            Linux (Debian packages)
=======  ==========================  ===============================  ==================================
title    方正小标宋, SimSun 宋体      Songti 宋体                      AR PL UMing (fonts-arphic-uming)
body     FangSong 仿宋, KaiTi 楷体    STFangsong 仿宋, Kaiti 楷体      LXGW WenKai 霞鹜文楷 (fonts-lxgw-wenkai)
heading  SimHei 黑体, Microsoft YaHei STHeiti 黑体                     WenQuanYi Zen Hei (fonts-wqy-zenhei)
mono     NSimSun, Consolas           Menlo                            WenQuanYi Zen Hei Mono
=======  ==========================  ===============================  ==================================

An archive-grade case file embeds its faces (subsets), so it prints the same everywhere in twenty years.
reportlab embeds only TrueType outlines; the Noto and Source Han CJK fonts carry CFF outlines and are refused
(``postscript outlines are not supported``), so they are skipped.

A role none of its candidates serves takes another role's face (:data:`STAND_IN`); when no role finds a
face, every role uses the standard CID font STSong-Light and the note says the file is then not
archive-grade (the font is not embedded).

The override (``--font`` or ``ENFORCEMENT_CJK_FONT``) is either one file, ``path``, or ``path#index`` /
``path#PostScriptName`` for a subfont of a collection, which then serves every role, or comma-separated ``role=path[#index]`` items (roles ``title``,
``body``, ``heading``, ``mono``) that set those roles while the others are searched as usual. A file that
cannot be used is reported in the note and the role is searched as if nothing had been given.

Rare characters: no face has every glyph (AR PL UMing lacks many of CJK Extension B, all lack some
symbols), and reportlab draws a missing glyph as an empty box without a word. :meth:`CaseFileFont.runs`
therefore splits text into runs each drawn by the first face that has its glyphs: the role's own, then the
others in :data:`FALLBACK_ORDER`. A character no face has is reported (:meth:`CaseFileFont.missing`).
"""

from __future__ import annotations

import os
import sys
import zlib
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from pathlib import Path

from reportlab.pdfbase import pdfmetrics, ttfonts
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.pdfbase.ttfonts import TTFError, TTFont

ENV_VAR = "ENFORCEMENT_CJK_FONT"


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """reportlab's ToUnicode CMap of a subset (``ttfonts.makeToUnicodeCMap``), but with a character beyond the
    Basic Multilingual Plane (CJK Extension B and on: 𠮷, 𡒄; rare in text, less so in names) written as the
    UTF-16 surrogate pair the PDF format asks for. reportlab writes its code point as five hexadecimal
    digits, an entry readers drop: the glyph prints, but the name can be neither searched nor copied."""
    def utf16(code: int) -> str:
        return chr(code).encode("utf-16-be").hex().upper()

    return "\n".join([
        "/CIDInit /ProcSet findresource begin", "12 dict begin", "begincmap", "/CIDSystemInfo",
        f"<< /Registry ({fontname})", f"/Ordering ({fontname})", "/Supplement 0", ">> def", f"/CMapName /{fontname} def",
        "/CMapType 2 def", "1 begincodespacerange", f"<00> <{len(subset) - 1:02X}>", "endcodespacerange",
        f"{len(subset)} beginbfchar", *(f"<{i:02X}> <{utf16(code)}>" for i, code in enumerate(subset)), "endbfchar",
        "endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end",
    ])


ttfonts.makeToUnicodeCMap = _to_unicode_cmap  # reportlab looks it up here when it writes each subset


class Role(StrEnum):
    TITLE = "title"  # document titles, the cover's title, the agency's name above a title: 宋体 / 小标宋
    BODY = "body"  # the text and the filled-in values: 仿宋, or 楷体 where no 仿宋 exists
    HEADING = "heading"  # headings and the labels of forms and tables: 黑体
    MONO = "mono"  # hashes and fingerprints: a fixed-width face


# A subfont of a collection is named by its PostScript name where the order inside the file is not known
# (Apple's collections), by its index otherwise.
Subfont = int | str

_WINDOWS_FONTS = os.path.join(os.environ.get("WINDIR", r"C:\Windows"), "Fonts")
_WINDOWS_USER_FONTS = os.path.join(os.environ.get("LOCALAPPDATA", ""), "Microsoft", "Windows", "Fonts")


def _win(name: str, subfont: Subfont = 0) -> tuple[tuple[str, Subfont], ...]:
    """A Windows font in the system folder, then in the user's own (fonts installed without administrator)."""
    return ((os.path.join(_WINDOWS_FONTS, name), subfont), (os.path.join(_WINDOWS_USER_FONTS, name), subfont))


# (path, subfont) in order of preference, per platform and role
CANDIDATES: dict[str, dict[Role, tuple[tuple[str, Subfont], ...]]] = {
    "win32": {
        Role.TITLE: (*_win("FZXBSJW.TTF"), *_win("simsun.ttc"), *_win("simsun.ttf")),  # 方正小标宋简体, 宋体
        Role.BODY: (*_win("simfang.ttf"), *_win("simkai.ttf")),  # 仿宋, 楷体
        Role.HEADING: (*_win("simhei.ttf"), *_win("msyh.ttc")),  # 黑体, 微软雅黑
        Role.MONO: (*_win("simsun.ttc", 1), *_win("consola.ttf")),  # 新宋体 (fixed-width), Consolas
    },
    "darwin": {
        Role.TITLE: (("/System/Library/Fonts/Supplemental/Songti.ttc", "STSongti-SC-Regular"),
                     ("/Library/Fonts/Songti.ttc", "STSongti-SC-Regular")),
        Role.BODY: (("/System/Library/Fonts/Supplemental/STFangsong.ttf", 0), ("/Library/Fonts/STFangsong.ttf", 0),
                    ("/Library/Fonts/Microsoft/STFANGSO.TTF", 0),
                    ("/System/Library/Fonts/Supplemental/Kaiti.ttc", "STKaitiSC-Regular"), ("/Library/Fonts/Kaiti.ttc", "STKaitiSC-Regular")),
        Role.HEADING: (("/System/Library/Fonts/STHeiti Medium.ttc", "STHeitiSC-Medium"),
                       ("/System/Library/Fonts/STHeiti Light.ttc", "STHeitiSC-Light")),
        Role.MONO: (("/System/Library/Fonts/Menlo.ttc", "Menlo-Regular"),
                    ("/System/Library/Fonts/Supplemental/Courier New.ttf", 0)),
    },
    "linux": {
        Role.TITLE: (("/usr/share/fonts/truetype/arphic/uming.ttc", 0),  # UMingCN: simplified-Chinese glyph forms
                     ("/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", 0),
                     ("/usr/share/fonts/cjkuni-uming/uming.ttc", 0),  # Fedora
                     ("/usr/share/fonts/TTF/uming.ttc", 0)),  # Arch
        Role.BODY: (("/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf", 0),
                    ("/usr/share/fonts/lxgw-wenkai/LXGWWenKai-Regular.ttf", 0),
                    ("/usr/share/fonts/TTF/LXGWWenKai-Regular.ttf", 0),
                    ("/usr/share/fonts/truetype/arphic-gkai00mp/gkai00mp.ttf", 0),
                    ("/usr/share/fonts/truetype/arphic/ukai.ttc", 0)),
        Role.HEADING: (("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
                       ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 0),
                       ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 0),
                       ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
                       ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0)),
        Role.MONO: (("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 1),  # Zen Hei Mono
                    ("/usr/share/fonts/wenquanyi/wqy-zenhei/wqy-zenhei.ttc", 1),
                    ("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc", 1),
                    ("/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf", 0)),
    },
}

# The role whose face a role takes when none of its own candidates is found, in order.
STAND_IN: dict[Role, tuple[Role, ...]] = {
    Role.TITLE: (Role.BODY, Role.HEADING),
    Role.BODY: (Role.TITLE, Role.HEADING),
    Role.HEADING: (Role.BODY, Role.TITLE),
    Role.MONO: (Role.HEADING, Role.BODY, Role.TITLE),
}

# Where a character missing from a face is looked for next (the body face first: the fullest on each platform).
FALLBACK_ORDER = (Role.BODY, Role.HEADING, Role.TITLE, Role.MONO)

CID_FONT = "STSong-Light"


@dataclass(frozen=True)
class Face:
    name: str  # the registered reportlab font name
    source: str  # the file used (``path`` or ``path#index``), or the CID font's name
    embedded: bool
    glyphs: frozenset[str] | None = field(default=None, repr=False, compare=False)  # what it draws; None: unknown (CID)

    def draws(self, char: str) -> bool:
        return self.glyphs is None or char in self.glyphs


@dataclass(frozen=True)
class CaseFileFont:
    """The faces of a case file by role, and what the user should know about them (``note``; empty when
    every face is found and embedded)."""

    faces: dict[Role, Face]
    note: str = ""
    _by_name: dict[str, Face] = field(init=False, repr=False, compare=False)
    _fallbacks: tuple[Face, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {f.name: f for f in self.faces.values()})
        fallbacks: dict[str, Face] = {}
        for role in FALLBACK_ORDER:
            fallbacks.setdefault(self.faces[role].name, self.faces[role])
        object.__setattr__(self, "_fallbacks", tuple(fallbacks.values()))

    def face(self, role: Role) -> str:
        """The registered font name serving ``role``."""
        return self.faces[role].name

    @property
    def name(self) -> str:
        """The body face (the face of a text with no other role)."""
        return self.faces[Role.BODY].name

    @property
    def mono(self) -> str:
        return self.faces[Role.MONO].name

    @property
    def embedded(self) -> bool:
        return all(f.embedded for f in self.faces.values())

    @property
    def source(self) -> str:
        """Which file serves which role: ``title=…; body=…; heading=…; mono=…``."""
        return "; ".join(f"{role.value}={face.source}" for role, face in self.faces.items())

    def covers(self, text: str, face_name: str) -> bool:
        """Whether ``face_name`` draws every character of ``text`` (a CID font is taken to)."""
        face = self._by_name.get(face_name)
        return face is None or face.glyphs is None or face.glyphs.issuperset(text)

    def runs(self, text: str, face_name: str) -> list[tuple[str, str]]:
        """``text`` as (font name, part) runs: each character in ``face_name`` where that face draws it, else in
        the first face of :data:`FALLBACK_ORDER` that does; a character no face draws stays in ``face_name``
        (see :meth:`missing`). ASCII always stays in ``face_name``: every face draws it, and paragraph markup
        (``<br/>``, ``&amp;``) must not be split."""
        if self.covers(text, face_name):
            return [(face_name, text)] if text else []
        primary = self._by_name[face_name]
        others = [f for f in self._fallbacks if f.name != face_name]
        out: list[tuple[str, str]] = []
        for char in text:
            name = face_name
            if char >= "\x80" and not primary.draws(char):
                name = next((f.name for f in others if f.draws(char)), face_name)
            if out and out[-1][0] == name:
                out[-1] = (name, out[-1][1] + char)
            else:
                out.append((name, char))
        return out

    def markup(self, escaped: str, face_name: str) -> str:
        """Paragraph markup (already escaped) with the characters ``face_name`` lacks put in ``<font>`` tags."""
        runs = self.runs(escaped, face_name)
        if all(name == face_name for name, _ in runs):
            return escaped
        return "".join(part if name == face_name else f'<font face="{name}">{part}</font>' for name, part in runs)

    def missing(self, text: str) -> set[str]:
        """The characters of ``text`` that no face draws (they print as empty boxes)."""
        return {c for c in set(text) if c >= " " and not any(f.draws(c) for f in self._fallbacks)}


def _parse(spec: str) -> tuple[str, Subfont]:
    """``path``, ``path#index`` or ``path#PostScriptName`` (a subfont of a collection)."""
    path, _, subfont = spec.partition("#")
    return path, int(subfont) if subfont.isdigit() else subfont or 0


def _parse_roles(spec: str) -> dict[str, str] | None:
    """``title=a.ttc#1,body=b.ttf`` as {role name: file}; None when ``spec`` is one file for every role."""
    items = [item.strip() for item in spec.split(",") if item.strip()]
    if not items or items[0].partition("=")[0].strip() not in set(Role):
        return None
    return {role.strip(): path.strip() for role, _, path in (item.partition("=") for item in items)}


def _open(path: str, index: int) -> TTFont | None:
    name = f"CaseFileCJK-{Path(path).stem}-{index}-{zlib.crc32(path.encode()):08x}"  # one name per file and subfont
    if name in pdfmetrics.getRegisteredFontNames():
        return pdfmetrics.getFont(name)
    try:
        return TTFont(name, path, subfontIndex=index)
    except (TTFError, OSError, ValueError, IndexError, KeyError):
        return None  # past the collection's last subfont, or not a font reportlab can embed


def _register(path: str, index: int, font: TTFont) -> Face:
    if font.fontName not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(font)
    return Face(font.fontName, f"{path}#{index}" if index else path, True, frozenset(map(chr, font.face.charToGlyph)))


@cache
def _load(path: str, subfont: Subfont) -> Face | None:
    """The face registered with reportlab, or None when the file is absent, not TrueType, or has no such
    subfont. A subfont named by its PostScript name that the collection does not hold: its first subfont."""
    if not Path(path).is_file():
        return None
    if isinstance(subfont, int):
        font = _open(path, subfont)
        return _register(path, subfont, font) if font else None
    first: tuple[int, TTFont] | None = None
    for index in range(32):
        font = _open(path, index)
        if font is None:
            break
        if font.face.name.decode("latin-1", "replace") == subfont:
            return _register(path, index, font)
        first = first or (index, font)
    return _register(path, *first) if first else None


def _platform() -> str:
    return "win32" if sys.platform.startswith("win") else "darwin" if sys.platform == "darwin" else "linux"


@cache
def find_font(configured: str | None = None) -> CaseFileFont:
    """The faces for case files; see the module documentation for the order of search and the override."""
    spec = configured or os.environ.get(ENV_VAR)
    given = (_parse_roles(spec) or dict.fromkeys(Role, spec)) if spec else {}
    found: dict[Role, Face] = {}
    unusable: list[str] = []
    for role, role_spec in given.items():
        face = _load(*_parse(role_spec)) if role in set(Role) else None
        if face is not None:
            found[Role(role)] = face
        elif role_spec not in unusable:
            unusable.append(role_spec if role in set(Role) else f"{role}={role_spec}")
    candidates = CANDIDATES[_platform()]
    for role in Role:
        if role not in found:
            face = next((f for f in (_load(p, s) for p, s in candidates.get(role, ())) if f is not None), None)
            if face is not None:
                found[role] = face
    notes = [f"指定的字体 {'、'.join(unusable)} 无法使用（不存在、不是 TrueType 字体或为 CFF 轮廓，或角色不是 "
             f"{'/'.join(Role)}）。"] if unusable else []
    if not found:
        if CID_FONT not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
        cid = Face(CID_FONT, CID_FONT, False)
        notes.append("未找到可嵌入的中文 TrueType 字体（如宋体、仿宋、黑体、文泉驿正黑），已改用标准 CID 字体 STSong-Light："
                     "字体未嵌入，文件在没有该字体的电脑上可能无法正确显示，不符合归档要求。"
                     "可用 --font 或环境变量 ENFORCEMENT_CJK_FONT 指定字体文件。")
        return CaseFileFont(dict.fromkeys(Role, cid), "".join(notes))
    faces = {role: found.get(role) or next(found[r] for r in (*STAND_IN[role], *Role) if r in found) for role in Role}
    return CaseFileFont(faces, "".join(notes))
