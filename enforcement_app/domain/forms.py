"""Validation of action payloads: every problem is collected with its field, then refused at once."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, timedelta, timezone
from typing import Any

from .money import MAX_FEN, parse_yuan
from .refusals import InvalidInput, Refusal, RuleViolation

_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")  # control characters other than tab and line breaks
CHINA = timezone(timedelta(hours=8))
TEXT_MAX = 20000  # characters of one text field


def _scalar(value: Any) -> bool:
    return isinstance(value, str | int | float) and not isinstance(value, bool)


class Form:
    """Reads a raw payload field by field; ``done()`` raises :class:`InvalidInput` naming every bad field."""

    def __init__(self, payload: Mapping[str, Any] | None):
        self.raw = dict(payload or {})
        self.out: dict[str, Any] = {}
        self.problems: list[Refusal] = []

    def problem(self, field: str, message: str) -> None:
        self.problems.append(Refusal("invalid_input", message, field=field))

    def text(self, key: str, label: str, *, required: bool = True, max_len: int = TEXT_MAX) -> str:
        value = self.raw.get(key)
        if value is not None and not _scalar(value):
            self.problem(key, f"{label}应为文字，实际为 {shown(value)}")
            return ""
        text = "" if value is None else str(value).strip()
        if _CONTROL.search(text):
            self.problem(key, f"{label}含有不可见的控制字符")
            return ""
        if required and not text:
            self.problem(key, f"{label}不能为空")
        elif len(text) > max_len:
            self.problem(key, f"{label}过长（最多{max_len}字）")
        if text or required:
            self.out[key] = text
        return text

    def day(self, key: str, label: str, *, required: bool = True, default: date | None = None) -> date | None:
        value = self.raw.get(key)
        if value in (None, "") and default is not None:
            value = default.isoformat()
        if value in (None, ""):
            if required:
                self.problem(key, f"{label}不能为空")
            return None
        if not isinstance(value, str | date):
            self.problem(key, f"{label}应为日期（YYYY-MM-DD），实际为 {shown(value)}")
            return None
        try:
            parsed = value if isinstance(value, date) and not isinstance(value, datetime) else date.fromisoformat(str(value))
        except ValueError:
            self.problem(key, f"{label}应为日期（YYYY-MM-DD），实际为 {value!r}")
            return None
        self.out[key] = parsed.isoformat()
        return parsed

    def moment(self, key: str, label: str, *, required: bool = True) -> datetime | None:
        value = self.raw.get(key)
        if value in (None, ""):
            if required:
                self.problem(key, f"{label}不能为空")
            return None
        if not isinstance(value, str | datetime):
            self.problem(key, f"{label}应为日期时间（YYYY-MM-DD HH:MM），实际为 {shown(value)}")
            return None
        try:
            parsed = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
        except ValueError:
            self.problem(key, f"{label}应为日期时间（YYYY-MM-DD HH:MM），实际为 {value!r}")
            return None
        if parsed.tzinfo is not None:
            # moments in a step are China's wall-clock time; one given with an offset is converted, so that
            # it compares with the others
            parsed = parsed.astimezone(CHINA).replace(tzinfo=None)
        self.out[key] = parsed.isoformat(timespec="minutes")
        return parsed

    def fen(self, key: str, label: str, *, required: bool = False) -> int:
        """Amounts arrive as integer fen (``*_fen``) or as yuan text under ``*_yuan``."""
        value = self.raw.get(key)
        yuan_key = key.removesuffix("_fen") + "_yuan"
        if value in (None, "") and self.raw.get(yuan_key) not in (None, ""):
            try:
                value = parse_yuan(str(self.raw[yuan_key]))
            except ValueError as exc:
                self.problem(key, f"{label}：{exc}")
                return 0
        if value in (None, ""):
            if required:
                self.problem(key, f"{label}不能为空")
            self.out[key] = 0
            return 0
        if isinstance(value, bool) or not isinstance(value, int):
            try:
                if not _scalar(value):
                    raise ValueError(value)
                value = int(str(value))
            except ValueError:
                self.problem(key, f"{label}应为整数（分），实际为 {value!r}")
                return 0
        if value < 0:
            self.problem(key, f"{label}不能为负数")
            return 0
        if value > MAX_FEN:
            self.problem(key, f"{label}过大：{value}")
            return 0
        self.out[key] = value
        return value

    def choice(self, key: str, label: str, options: Iterable[str], *, required: bool = True) -> str:
        value = self.raw.get(key)
        allowed = list(options)
        if value is not None and not _scalar(value):
            self.problem(key, f"{label}应为一个选项，实际为 {shown(value)}（可选：{'、'.join(allowed)}）")
            return ""
        if value in (None, ""):
            if required:
                self.problem(key, f"{label}不能为空（可选：{'、'.join(allowed)}）")
            return ""
        if str(value) not in allowed:
            self.problem(key, f"{label}无效：{value!r}（可选：{'、'.join(allowed)}）")
            return ""
        self.out[key] = str(value)
        return str(value)

    def choices(self, key: str, label: str, options: Iterable[str], *, required: bool = False) -> list[str]:
        values = self._list(key, label)
        allowed = set(options)
        bad = [v for v in values if v not in allowed]
        if bad:
            self.problem(key, f"{label}含无效项：{'、'.join(map(str, bad))}")
        if required and not values:
            self.problem(key, f"{label}不能为空")
        result = sorted(set(map(str, values)) & allowed)
        self.out[key] = result
        return result

    def _list(self, key: str, label: str) -> list[Any]:
        """A list given as a list of scalars or as text separated by commas; anything else is a problem."""
        values = self.raw.get(key) or []
        if isinstance(values, str):
            return [v for v in re.split(r"[,，、\s]+", values) if v]
        if not isinstance(values, list | tuple) or not all(_scalar(v) for v in values):
            self.problem(key, f"{label}应为列表，实际为 {shown(values)}")
            return []
        return list(values)

    def ids(self, key: str, label: str, *, required: bool = True) -> list[str]:
        values = self._list(key, label)
        result = list(dict.fromkeys(str(v) for v in values))
        if required and not result:
            self.problem(key, f"{label}不能为空")
        self.out[key] = result
        return result

    def flag(self, key: str, *, default: bool = False) -> bool:
        value = self.raw.get(key, default)
        if value is None:
            value = default
        if not isinstance(value, bool | int | str) or isinstance(value, int) and not isinstance(value, bool) and value not in (0, 1):
            self.problem(key, f"{key} 应为是或否（true/false），实际为 {shown(value)}")
            self.out[key] = default
            return default
        result = value if isinstance(value, bool) else str(value).lower() in ("1", "true", "yes", "y", "是")
        self.out[key] = result
        return result

    def hashes(self, key: str, label: str, *, required: bool = False) -> list[str]:
        values = self.ids(key, label, required=required)
        bad = [v for v in values if not _HEX64.match(v)]
        if bad:
            self.problem(key, f"{label}应为 SHA-256 值：{bad[0]}")
        return values

    def digest(self, key: str, label: str) -> str:
        raw = self.raw.get(key) or ""
        value = str(raw).strip().lower() if _scalar(raw) else ""
        if not _HEX64.match(value):
            self.problem(key, f"{label}应为 SHA-256 值（64位十六进制），实际为 {value!r}")
        self.out[key] = value
        return value

    def day_read(self, key: str) -> date | None:
        """The date read under ``key`` (None when it was empty or refused)."""
        value = self.out.get(key)
        return date.fromisoformat(value) if value else None

    def moment_read(self, key: str) -> datetime | None:
        """The moment read under ``key`` (None when it was empty or refused)."""
        value = self.out.get(key)
        return datetime.fromisoformat(value) if value else None

    def keep(self, key: str, value: Any) -> None:
        self.out[key] = value

    def passthrough(self, **types: type) -> None:
        """Keep values the services supply (a case number allocated for the step), if of their type."""
        for key, kind in types.items():
            value = self.raw.get(key)
            if value in (None, ""):
                continue
            if type(value) is not kind:
                self.problem(key, f"{key} 应为 {kind.__name__}，实际为 {shown(value)}")
                continue
            self.out[key] = value

    def done(self) -> dict[str, Any]:
        """The values read; raises when there are problems: :class:`InvalidInput` while any is the form's own
        (a value missing, malformed or out of range: exit 2), else :class:`RuleViolation` — every problem a rule
        of law that names its article (the hearing window, a penalty the notice did not state: exit 1)."""
        if self.problems:
            if all(p.article for p in self.problems):
                raise RuleViolation(self.problems)
            raise InvalidInput(self.problems)
        return self.out


# --- values already as a form writes them ---------------------------------------------------------------
# A recorded payload is what a form wrote (``Form.out``). Read again (the events of a bundle, replayed), a
# value the form's method would take without a problem and write back unchanged is kept as it is, without
# the reading: each test below says exactly that of its method, and any value it does not vouch for is read
# by the method as ever. tests/test_form_as_written.py holds them to it.

_HEX64_EXACT = re.compile(r"[0-9a-f]{64}")  # not _HEX64: its "$" also matches before a final line break
_DAY_WRITTEN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_MOMENT_WRITTEN = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}")
AsWritten = Callable[[Any, bool], bool]  # (value, required) -> the method would keep it unchanged


def _text_as_written(value: Any, required: bool) -> bool:
    return (type(value) is str and value != "" and len(value) <= TEXT_MAX and value.strip() == value
            and _CONTROL.search(value) is None)


def _day_as_written(value: Any, required: bool) -> bool:
    if type(value) is not str or _DAY_WRITTEN.fullmatch(value) is None:
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _moment_as_written(value: Any, required: bool) -> bool:
    if type(value) is not str or _MOMENT_WRITTEN.fullmatch(value) is None:
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def _fen_as_written(value: Any, required: bool) -> bool:
    return type(value) is int and 0 <= value <= MAX_FEN


def _ids_as_written(value: Any, required: bool) -> bool:
    return (type(value) is list and (bool(value) or not required) and all(type(v) is str for v in value)
            and len(set(value)) == len(value))


def _hashes_as_written(value: Any, required: bool) -> bool:
    return _ids_as_written(value, required) and all(_HEX64_EXACT.fullmatch(v) for v in value)


def _digest_as_written(value: Any, required: bool) -> bool:
    return type(value) is str and _HEX64_EXACT.fullmatch(value) is not None


def _flag_as_written(value: Any, required: bool) -> bool:
    return type(value) is bool


def _choice_as_written(options: Iterable[str]) -> AsWritten:
    allowed = frozenset(options)
    return lambda value, required: type(value) is str and value != "" and value in allowed


def _choices_as_written(options: Iterable[str]) -> AsWritten:
    allowed = frozenset(options)

    def test(value: Any, required: bool) -> bool:
        return (type(value) is list and (bool(value) or not required) and all(type(v) is str for v in value)
                and value == sorted(set(value)) and allowed.issuperset(value))
    return test


_AS_WRITTEN: dict[str, AsWritten] = {"text": _text_as_written, "day": _day_as_written, "moment": _moment_as_written,
                                     "fen": _fen_as_written, "ids": _ids_as_written, "hashes": _hashes_as_written,
                                     "digest": _digest_as_written, "flag": _flag_as_written}


def as_written(how: str, options: Iterable[str] = ()) -> AsWritten:
    """The test of a value the method ``how`` (``text``, ``day`` …, called with its defaults but for
    ``required`` and ``options``) would keep unchanged, without a problem, under any label and default."""
    if how == "choice":
        return _choice_as_written(options)
    if how == "choices":
        return _choices_as_written(options)
    return _AS_WRITTEN[how]


def shown(value: Any) -> str:
    """A wrong value as the refusal quotes it: short, whatever it is."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"
