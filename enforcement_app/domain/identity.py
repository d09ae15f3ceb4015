"""Identity numbers of parties: citizen ID (GB 11643-1999) and unified social credit code (GB 32100-2015).

Only the characters of the standards count: ASCII digits, X, and the USCC's letters. Full-width forms
typed with a Chinese input method are read as ASCII; any other digit (superscript, Arabic-Indic …) is
refused. Validators return the normalised number or raise :class:`InvalidIdentityNumber` whose message says in
plain Chinese what is wrong (length, characters, birth date, check digit), so a form can show it at the
field and nothing half-valid is stored.
"""

from __future__ import annotations

from datetime import date

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_DIGITS = frozenset("0123456789")
# full-width digits and Latin letters (as typed with a Chinese input method) read as their ASCII forms
_FULL_WIDTH = {0xFF10 + i: ord("0") + i for i in range(10)} | {0xFF21 + i: ord("A") + i for i in range(26)} | {
    0xFF41 + i: ord("a") + i for i in range(26)} | {0x3000: ord(" ")}


def _normalised(raw: str) -> str:
    return (raw or "").translate(_FULL_WIDTH).strip().upper()
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


class InvalidIdentityNumber(ValueError):
    """Carries the field name and a Chinese message."""

    def __init__(self, field: str, message: str):
        super().__init__(message)
        self.field = field
        self.message = message


def id_number_check_char(first17: str) -> str:
    total = sum(int(c) * w for c, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def validate_id_number(raw: str, *, today: date | None = None) -> str:
    """A valid 18-character citizen ID number, upper-cased; raises with the reason otherwise."""
    number = _normalised(raw)
    if len(number) != 18:
        raise InvalidIdentityNumber("id_number", f"公民身份号码应为18位，实际为{len(number)}位")
    if not set(number[:17]) <= _DIGITS or not (number[17] in _DIGITS or number[17] == "X"):
        raise InvalidIdentityNumber("id_number", "公民身份号码前17位应为数字，第18位应为数字或X")
    if number[0] == "0":
        raise InvalidIdentityNumber("id_number", "公民身份号码的地址码（前6位）无效")
    try:
        born = date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise InvalidIdentityNumber("id_number", f"公民身份号码中的出生日期 {number[6:14]} 不是有效日期") from None
    if born > (today or date.today()) or born.year < 1800:
        raise InvalidIdentityNumber("id_number", f"公民身份号码中的出生日期 {born.isoformat()} 不可能")
    expected = id_number_check_char(number[:17])
    if number[17] != expected:
        raise InvalidIdentityNumber("id_number", f"公民身份号码校验码错误：第18位应为 {expected}，实际为 {number[17]}")
    return number


def uscc_check_char(first17: str) -> str:
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(raw: str) -> str:
    """A valid 18-character unified social credit code, upper-cased; raises with the reason otherwise."""
    code = _normalised(raw)
    if len(code) != 18:
        raise InvalidIdentityNumber("uscc", f"统一社会信用代码应为18位，实际为{len(code)}位")
    bad = sorted({c for c in code if c not in USCC_ALPHABET})
    if bad:
        raise InvalidIdentityNumber(
            "uscc", f"统一社会信用代码含有不允许的字符：{'、'.join(bad)}（不使用 I、O、Z、S、V）"
        )
    if not set(code[2:8]) <= _DIGITS:
        raise InvalidIdentityNumber("uscc", "统一社会信用代码第3至8位（登记管理机关行政区划码）应为数字")
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        raise InvalidIdentityNumber("uscc", f"统一社会信用代码校验码错误：第18位应为 {expected}，实际为 {code[17]}")
    return code


def birth_date(id_number: str) -> date | None:
    """The birth date an 18-character citizen ID number carries (digits 7–14), or None when it has none."""
    number = _normalised(id_number or "")
    if len(number) != 18 or not number[6:14].isdigit():
        return None
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None


def age_on(born: date, day: date) -> int:
    """Whole years of age on ``day`` (周岁), counted as the courts count it: from the day after the birthday
    (最高人民法院法释〔2006〕1号第二条: 周岁……从周岁生日的第二天起算), so a child is not yet fourteen on the fourteenth
    birthday itself; one born on 29 February has the birthday on 28 February in a common year (the month's last
    day, 民法典第二百零二条) and is a year older from 1 March."""
    years = day.year - born.year
    if years <= 0:
        return 0
    try:
        birthday = born.replace(year=day.year)
    except ValueError:  # 29 February in a common year
        birthday = date(day.year, 2, 28)
    return years if day > birthday else years - 1
