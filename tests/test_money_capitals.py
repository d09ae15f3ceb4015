"""Amounts in 人民币大写 (the decision writes them beside the figures): known forms, and every amount read back
by an independent reader."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enforcement_app.domain.money import capitals

DIGIT = {c: n for n, c in enumerate("零壹贰叁肆伍陆柒捌玖")}


def read_back(text: str) -> int:
    """The fen an amount in capitals says (a reader of the written form, not the writer run backwards)."""
    text = text.removesuffix("整")
    yuan_text, _, rest = text.partition("元") if "元" in text else ("", "", text)
    total = section = digit = 0
    for ch in yuan_text:
        if ch in DIGIT:
            digit = DIGIT[ch]
        elif ch in "拾佰仟":
            section += digit * {"拾": 10, "佰": 100, "仟": 1000}[ch]
            digit = 0
        elif ch in "万亿":
            total += (section + digit) * (10_000 if ch == "万" else 100_000_000)
            section = digit = 0
    yuan = total + section + digit
    fen = 0
    digit = 0
    for ch in rest:
        if ch in DIGIT:
            digit = DIGIT[ch]
        elif ch == "角":
            fen += digit * 10
            digit = 0
        elif ch == "分":
            fen += digit
            digit = 0
    return yuan * 100 + fen


@pytest.mark.parametrize(("fen", "written"), [
    (1_000_000, "壹万元整"), (1_005_030, "壹万零伍拾元叁角"), (0, "零元整"), (5, "伍分"), (100_050_000, "壹佰万零伍佰元整"),
    (10_100, "壹佰零壹元整"), (1_000_001, "壹万元零壹分"), (10_000_500_000, "壹亿零伍仟元整"), (30_105, "叁佰零壹元零伍分"),
])
def test_known_amounts(fen, written):
    assert capitals(fen) == written


@given(st.integers(min_value=0, max_value=10**13 - 1))
def test_every_amount_reads_back_and_follows_the_rules(fen):
    text = capitals(fen)
    assert read_back(text) == fen
    assert "零零" not in text and not text.startswith("零") or fen < 100
    assert text.endswith("分") != text.endswith("整") or text.endswith("角")  # 整 after 元 or 角 alone, never after 分
