"""The agency (执法主体) and its case-number scheme."""

from __future__ import annotations

import base64
import binascii
import io
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    seal_name: str
    area: str
    case_no_prefix: str  # e.g. 仲高新市监罚字
    reconsideration_body: str = ""  # 行政复议机关 named in decisions (Art. 59(5))
    litigation_court: str = ""  # 有管辖权的人民法院
    seal_png: str = field(default="", repr=False)  # the electronic seal's image, PNG in base64 ("" = none: stamped on paper)

    @property
    def seal_image(self) -> bytes | None:
        return base64.b64decode(self.seal_png) if self.seal_png else None

    def case_no(self, year: int, serial: int) -> str:
        """``仲高新市监罚字〔2026〕12号``."""
        return format_case_no(self.case_no_prefix, year, serial)

    @property
    def code(self) -> str:
        """The agency's code in document numbers (机关代字), which the policy's document-number prefixes start
        with (``{code}罚告``): its case-number prefix less the closing 罚字 (or 罚), the way SAMR agencies form
        both from one code (仲高新市监罚字 → 仲高新市监). A prefix of another shape is the code as it is."""
        for suffix in ("罚字", "罚"):
            if self.case_no_prefix.endswith(suffix) and len(self.case_no_prefix) > len(suffix):
                return self.case_no_prefix[: -len(suffix)]
        return self.case_no_prefix


SEAL_MAX_BYTES = 512 * 1024
SEAL_PIXELS = (120, 2400)  # the image's sides, in pixels: readable at 40 mm, not a photograph of the office


def seal_problem(seal_png: str) -> str:
    """Why a seal image cannot be used ('' when it can): base64 of a PNG of sensible size, square-ish, with
    transparency so that the agency's name shows through it as under a real stamp."""
    if not seal_png:
        return ""
    try:
        data = base64.b64decode(seal_png, validate=True)
    except (binascii.Error, ValueError):
        return "印章图片应为 PNG 文件（base64）"
    if len(data) > SEAL_MAX_BYTES:
        return f"印章图片过大（{len(data) // 1024} KB，应不超过 {SEAL_MAX_BYTES // 1024} KB）"
    if not data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "印章图片应为 PNG 文件"
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as im:
            im.verify()
        with Image.open(io.BytesIO(data)) as im:
            w, h = im.size
            transparent = im.mode in ("RGBA", "LA", "PA") or "transparency" in im.info
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError):
        return "印章图片无法读取"
    low, high = SEAL_PIXELS
    if not (low <= w <= high and low <= h <= high) or max(w, h) > 1.5 * min(w, h):
        return f"印章图片应近似正方形，边长 {low}–{high} 像素（实际 {w}×{h}）"
    if not transparent:
        return "印章图片应有透明背景，使机关名称透过印章可见"
    return ""


def format_case_no(prefix: str, year: int, serial: int) -> str:
    """A number of a series (a case number, a document number): ``prefix〔year〕serial号``."""
    if serial < 1:
        raise ValueError("案件序号从1开始")
    return f"{prefix}〔{year}〕{serial}号"
