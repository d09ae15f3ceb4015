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
