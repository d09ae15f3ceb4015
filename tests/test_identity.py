"""GB 11643 citizen ID and GB 32100 USCC check digits, with fixed and generated numbers."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from enforcement_app.domain.identity import (
    USCC_ALPHABET,
    InvalidIdentityNumber,
    validate_id_number,
    validate_uscc,
)

# The worked examples printed in GB 11643-1999 and GB 32100-2015, independent of the code under test.
VALID_IDS = ["11010519491231002X", "440524188001010014"]
VALID_USCCS = ["91350100M000100Y43"]


@pytest.mark.parametrize("number", VALID_IDS)
def test_valid_id_numbers(number):
    assert validate_id_number(number.lower()) == number


@pytest.mark.parametrize(
    ("number", "needle"),
    [
        ("110105194912310021", "校验码"),
        ("11010519491231002", "18位"),
        ("1101051949123100AX", "数字"),
        ("110105194913310028", "出生日期"),
    ],
)
def test_invalid_id_numbers(number, needle):
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate_id_number(number)
    assert needle in exc.value.message


@pytest.mark.parametrize("code", VALID_USCCS)
def test_valid_usccs(code):
    assert validate_uscc(code) == code


@pytest.mark.parametrize(("code", "needle"), [("91350100M000100Y44", "校验码"), ("91350100M000100YI3", "不允许"), ("9135", "18位")])
def test_invalid_usccs(code, needle):
    with pytest.raises(InvalidIdentityNumber) as exc:
        validate_uscc(code)
    assert needle in exc.value.message


def _id_check(first17: str) -> str:
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights, strict=True)) % 11]


def _uscc_check(first17: str) -> str:
    weights = [3**i % 31 for i in range(17)]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


ids = st.builds(
    lambda region, born, seq: f"{region}{born:%Y%m%d}{seq:03d}",
    st.integers(110000, 659999).map(str),
    st.dates(date(1900, 1, 1), date.today() - timedelta(days=1)),
    st.integers(0, 999),
)


@given(ids)
def test_generated_id_numbers_accept_exactly_their_check_digit(first17):
    right = _id_check(first17)
    assert validate_id_number(first17 + right) == first17 + right
    for wrong in set("0123456789X") - {right}:
        with pytest.raises(InvalidIdentityNumber):
            validate_id_number(first17 + wrong)


usccs = st.builds(
    lambda head, region, body: head + region + body,
    st.text(USCC_ALPHABET, min_size=2, max_size=2),
    st.integers(0, 999999).map(lambda n: f"{n:06d}"),
    st.text(USCC_ALPHABET, min_size=9, max_size=9),
)


@given(usccs)
def test_generated_usccs_accept_exactly_their_check_digit(first17):
    right = _uscc_check(first17)
    assert validate_uscc(first17 + right) == first17 + right
    for wrong in set(USCC_ALPHABET) - {right}:
        with pytest.raises(InvalidIdentityNumber):
            validate_uscc(first17 + wrong)


def test_full_width_digits_are_read_as_ascii_and_other_digits_are_refused():
    """GB 11643 and GB 32100 allow only 0–9 and the letters of their alphabets."""
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isalnum() else c for c in VALID_IDS[0])
    assert validate_id_number(full_width) == VALID_IDS[0]
    assert validate_uscc("".join(chr(ord(c) + 0xFEE0) for c in VALID_USCCS[0])) == VALID_USCCS[0]
    for digit in ("²", "٣", "߃"):  # superscript two, Arabic-Indic three, NKo three
        with pytest.raises(InvalidIdentityNumber) as exc:
            validate_id_number(digit + VALID_IDS[0][1:])
        assert "数字" in exc.value.message
        with pytest.raises(InvalidIdentityNumber):
            validate_uscc(VALID_USCCS[0][:3] + digit + VALID_USCCS[0][4:])


@given(st.text(min_size=18, max_size=18))
def test_any_eighteen_characters_are_a_number_or_a_clear_refusal(text):
    for validate in (validate_id_number, validate_uscc):
        try:
            number = validate(text)
        except InvalidIdentityNumber as exc:
            assert exc.message
        else:
            assert number.isascii() and len(number) == 18
