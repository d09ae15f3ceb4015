"""Money is integer fen (分) everywhere; yuan appear only at the edges (forms, CLI, PDF)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import NewType

Fen = NewType("Fen", int)

FEN_PER_YUAN = 100
MAX_FEN = 10**14  # a trillion yuan: past any fine or base amount, and well inside SQLite's 64-bit integers


def yuan(amount: int | str | Decimal) -> Fen:
    """Whole or decimal yuan to fen; ``yuan(1200)`` is 120000 fen. Refuses more than two decimals."""
    try:
        value = Decimal(str(amount).replace(",", "").strip())
    except InvalidOperation as exc:
        raise ValueError(f"不是有效的金额：{amount!r}") from exc
    if not value.is_finite():
        raise ValueError(f"不是有效的金额：{amount!r}")
    if value.adjusted() > 20:  # past any amount in the law's world, and before the arithmetic overflows
        raise ValueError(f"金额过大：{str(amount)[:30]!r}")
    fen = value * FEN_PER_YUAN
    if fen != fen.to_integral_value():
        raise ValueError(f"金额最多两位小数（精确到分）：{amount!r}")
    return Fen(int(fen))


def parse_yuan(text: str) -> Fen:
    """User input in yuan (``"1,200.50"``, ``"1200元"``) to fen; negative amounts and amounts past
    :data:`MAX_FEN` (a mistyped 30-digit amount) are refused."""
    cleaned = str(text).strip().removesuffix("元").strip()
    if not cleaned:
        raise ValueError("金额不能为空")
    if len(cleaned) > 40:
        raise ValueError(f"金额过长：{cleaned[:20]}…")
    fen = yuan(cleaned)
    if fen < 0:
        raise ValueError(f"金额不能为负数：{text!r}")
    if fen > MAX_FEN:
        raise ValueError(f"金额过大（最多 {MAX_FEN // FEN_PER_YUAN:,} 元）：{cleaned}")
    return fen


def to_yuan(fen: int) -> Decimal:
    return (Decimal(fen) / FEN_PER_YUAN).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def format_yuan(fen: int) -> str:
    """``1234500`` → ``"12,345.00元"``; whole amounts keep their two decimals for forms."""
    return f"{to_yuan(fen):,.2f}元"


def format_range(low: int, high: int) -> str:
    """A fine range as a form writes it: ``50,000.00元至100,000.00元``, or ``100,000.00元以下`` when the law
    sets only a maximum."""
    return f"{format_yuan(high)}以下" if low == 0 else f"{format_yuan(low)}至{format_yuan(high)}"


_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SECTION_UNITS = ("", "万", "亿", "万亿")


def _section(n: int) -> str:
    """0 < n < 10000 in capitals, zeros inside collapsed to one 零, none at the end."""
    out, zero = "", False
    for unit, divisor in (("仟", 1000), ("佰", 100), ("拾", 10), ("", 1)):
        digit = n // divisor % 10
        if digit:
            if zero and out:
                out += "零"
            out += _DIGITS[digit] + unit
            zero = False
        else:
            zero = True
    return out


def capitals(fen: int) -> str:
    """An amount in 人民币大写 as a decision writes it beside the figures (中国人民银行《支付结算办法》附件一):
    ``1000000`` → ``壹万元整``, ``1005030`` → ``壹万零伍拾元叁角``; ``整`` after 元 or 角, never after 分."""
    if fen < 0:
        raise ValueError("金额不能为负")
    yuan, jiao, cents = fen // 100, fen // 10 % 10, fen % 10
    text = ""
    if yuan:
        sections, n = [], yuan
        while n:
            sections.append(n % 10000)
            n //= 10000
        for index in range(len(sections) - 1, -1, -1):
            value = sections[index]
            if value:
                higher = index < len(sections) - 1
                if higher and value < 1000 and not text.endswith("零"):
                    text += "零"
                text += _section(value) + _SECTION_UNITS[index]
            elif text and not text.endswith("零"):
                text += "零"
        text = text.rstrip("零") + "元"
    if not jiao and not cents:
        return (text or "零元") + "整"
    if jiao:
        text += _DIGITS[jiao] + "角"
    elif text:
        text += "零"
    if cents:
        text += _DIGITS[cents] + "分"
    return text
