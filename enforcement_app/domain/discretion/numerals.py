"""Chinese numerals as statutes write them (``第一百二十四条``, ``第二款``, ``第（五）项``) and back."""

from __future__ import annotations

import re

_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
_DIGIT_CHARS = "零一二三四五六七八九"

NUMERAL = "[零〇一二两三四五六七八九十百千]+"
ARTICLE_RE = re.compile(rf"^第({NUMERAL})条$")
PARAGRAPH_RE = re.compile(rf"^第({NUMERAL})款$")
ITEM_RE = re.compile(rf"^第（({NUMERAL})）项$")


def to_int(text: str) -> int:
    """``"一百二十四"`` → 124, ``"十"`` → 10, ``"一百零五"`` → 105. Raises ValueError on anything else."""
    if not text or any(ch not in _DIGITS and ch not in _UNITS for ch in text):
        raise ValueError(f"不是中文数字：{text!r}")
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        else:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
    return total + (digit or 0)


def from_int(number: int) -> str:
    """124 → ``"一百二十四"``, 10 → ``"十"``, 105 → ``"一百零五"``: the statutes' own spelling (1–9999)."""
    if not 0 < number < 10000:
        raise ValueError(f"条款序号超出范围：{number}")
    parts: list[str] = []
    pending_zero = False
    for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
        digit = number // unit % 10
        if digit == 0:
            pending_zero = bool(parts)
            continue
        if pending_zero:
            parts.append("零")
            pending_zero = False
        if not (unit == 10 and digit == 1 and not parts):
            parts.append(_DIGIT_CHARS[digit])
        parts.append(name)
    return "".join(parts)


def article(number: int) -> str:
    return f"第{from_int(number)}条"


def paragraph(number: int) -> str:
    return f"第{from_int(number)}款"


def item(number: int) -> str:
    return f"第（{from_int(number)}）项"
