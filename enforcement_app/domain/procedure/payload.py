"""Typed payloads: each action's payload is a frozen dataclass whose fields say how a form reads them.

A field is declared once, with its name, type, Chinese label and how the form reads it (``text``,
``day``, ``choice`` …). :func:`read_form` reads every declared input field of a raw payload through a
:class:`~..forms.Form`, in declaration order, so a validator only adds what crosses fields. Fields the
procedure derives (the party's name, a benchmark assessment) are declared with :func:`kept`.

:func:`decode` turns a recorded payload back into its typed value for the readers (case-file documents,
the search text); :func:`check_recorded` is the strict form of it, run on every payload before it is
recorded, so a validator that keeps an undeclared or mistyped field fails loudly in the tests instead of
writing it into the record.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from functools import cache
from typing import Any

from ..forms import AsWritten, Form, as_written

Required = bool | Callable[[Mapping[str, Any]], bool]  # a callable judges the values read so far

_READ = "read"
_SEARCH = "search"
_LABEL = "label"


@dataclasses.dataclass(frozen=True)
class Reading:
    """How the form reads one field: the :class:`Form` method, the label, and its options."""

    how: str  # text, day, moment, fen, choice, choices, ids, flag, hashes, digest
    label: str
    required: Required = True
    options: tuple[str, ...] = ()
    today: bool = False  # a date that defaults to the day the step is recorded
    default: bool = False  # a flag's default


def _field(default: Any, reading: Reading | None, search: bool, label: str = "") -> Any:
    metadata: dict[str, Any] = {_SEARCH: search, _LABEL: reading.label if reading is not None else label}
    if reading is not None:
        metadata[_READ] = reading
    if isinstance(default, list | dict | tuple) and default:
        return dataclasses.field(default_factory=lambda: default, metadata=metadata)
    return dataclasses.field(default=default, metadata=metadata)


def text(label: str, *, required: Required = True, search: bool = False) -> Any:
    return _field("", Reading("text", label, required), search)


def day(label: str, *, required: Required = True, today: bool = False) -> Any:
    return _field(None, Reading("day", label, required, today=today), False)


def moment(label: str, *, required: Required = True) -> Any:
    return _field(None, Reading("moment", label, required), False)


def fen(label: str, *, required: Required = False) -> Any:
    return _field(0, Reading("fen", label, required), False)


def choice(label: str, options: Sequence[str], *, required: Required = True) -> Any:
    return _field("", Reading("choice", label, required, tuple(options)), False)


def choices(label: str, options: Sequence[str], *, required: Required = False) -> Any:
    return _field((), Reading("choices", label, required, tuple(options)), False)


def ids(label: str, *, required: Required = True) -> Any:
    return _field((), Reading("ids", label, required), False)


def hashes(label: str, *, required: Required = False) -> Any:
    return _field((), Reading("hashes", label, required), False)


def digest(label: str) -> Any:
    return _field("", Reading("digest", label), False)


def flag(*, default: bool = False) -> Any:
    return _field(default, Reading("flag", "", default=default), False)


def kept(default: Any = None, *, search: bool = False, label: str = "") -> Any:
    """A field the validator sets itself (derived from the case, or read with rules of its own); ``label``
    names it where a person reads about it (a correction of it, say)."""
    return _field(default, None, search, label)


@dataclasses.dataclass(frozen=True)
class Payload:
    """Base of every action's payload. Subclasses are frozen dataclasses declared with the helpers above."""

    @classmethod
    def readings(cls) -> tuple[tuple[str, Reading], ...]:
        return _readings(cls)

    @classmethod
    def field_names(cls) -> frozenset[str]:
        return _field_names(cls)

    @classmethod
    def label_of(cls, name: str) -> str:
        """The field's Chinese label ('' for a field declared without one, or one it does not have)."""
        return _labels(cls).get(name, "")

    @classmethod
    def search_fields(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls) if f.metadata.get(_SEARCH))


@dataclasses.dataclass(frozen=True)
class Numbered(Payload):
    """The number of the document a step issues (see :mod:`..numbering`): never typed, allocated by the services
    when the step is recorded. ``document_no`` is the number as printed (the key older records typed it under);
    ``numbering`` the series it was drawn from (``document``, ``agency_id``, ``series``, ``year``, ``serial``),
    which the register of numbers is rebuilt from. Both are empty on a document its agency does not number."""

    document_no: str = kept("", label="文号")
    numbering: Mapping[str, Any] | None = kept()


@cache
def _field_names(cls: type[Payload]) -> frozenset[str]:
    return frozenset(f.name for f in dataclasses.fields(cls))


@cache
def _labels(cls: type[Payload]) -> dict[str, str]:
    return {f.name: f.metadata.get(_LABEL, "") for f in dataclasses.fields(cls)}


@cache
def _readings(cls: type[Payload]) -> tuple[tuple[str, Reading], ...]:
    return tuple((f.name, f.metadata[_READ]) for f in dataclasses.fields(cls) if _READ in f.metadata)


@cache
def _reading_plan(cls: type[Payload]) -> tuple[tuple[str, Reading, AsWritten, bool], ...]:
    """Per field: its name, its reading, the test of a value as the form writes it, and whether its being
    required is judged on the values read before it."""
    return tuple((name, r, as_written(r.how, r.options), callable(r.required)) for name, r in _readings(cls))


def read_form(cls: type[Payload], raw: Mapping[str, Any], today: date, *, read_every_value: bool = False) -> Form:
    """Read every declared input field of ``raw`` into a form (problems collected, not raised). A value
    already as the form writes it (a recorded payload's, see :func:`..forms.as_written`) is kept as it is
    rather than read again, unless ``read_every_value`` (the tests compare the two)."""
    f = Form(raw)
    given, out = f.raw, f.out
    for name, r, written, judged in _reading_plan(cls):
        required = r.required(out) if judged else r.required
        if not read_every_value:
            value = given.get(name)
            if value is not None and written(value, required):
                out[name] = list(value) if type(value) is list else value
                continue
        if r.how == "text":
            f.text(name, r.label, required=required)
        elif r.how == "day":
            f.day(name, r.label, required=required, default=today if r.today else None)
        elif r.how == "moment":
            f.moment(name, r.label, required=required)
        elif r.how == "fen":
            f.fen(name, r.label, required=required)
        elif r.how == "choice":
            f.choice(name, r.label, r.options, required=required)
        elif r.how == "choices":
            f.choices(name, r.label, r.options, required=required)
        elif r.how == "ids":
            f.ids(name, r.label, required=required)
        elif r.how == "hashes":
            f.hashes(name, r.label, required=required)
        elif r.how == "digest":
            f.digest(name, r.label)
        elif r.how == "flag":
            f.flag(name, default=r.default)
        else:  # pragma: no cover - a declaration error, caught by the declaration tests
            raise ValueError(f"{cls.__name__}.{name}: unknown reading {r.how!r}")
    return f


# --- typed values from recorded payloads ---------------------------------------------------------------


class PayloadTypeError(ValueError):
    """A recorded payload whose field does not have its declared type (a validator or declaration bug)."""


@cache
def _plan(cls: type[Payload]) -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    hints = typing.get_type_hints(cls)
    return tuple((f.name, _converter(hints[f.name], f"{cls.__name__}.{f.name}")) for f in dataclasses.fields(cls))


def _converter(hint: Any, where: str) -> Callable[[Any], Any]:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is Any:
        return lambda v: v
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        convert = _converter(inner[0], where) if len(inner) == 1 else (lambda v: v)
        return lambda v: None if v is None else convert(v)
    if hint is str:
        return _typed(str, where)
    if hint is bool:
        return _typed(bool, where)
    if hint is int:
        def to_int(v: Any) -> int:
            if type(v) is not int:
                raise PayloadTypeError(f"{where}: 应为整数，实际为 {v!r}")
            return v
        return to_int
    if hint is date:
        return lambda v: v if isinstance(v, date) and not isinstance(v, datetime) else _parse(date.fromisoformat, v, where)
    if hint is datetime:
        return lambda v: v if isinstance(v, datetime) else _parse(datetime.fromisoformat, v, where)
    if origin is tuple:
        item = _converter(args[0], where) if args else (lambda v: v)

        def to_tuple(v: Any) -> tuple:
            if not isinstance(v, list | tuple):
                raise PayloadTypeError(f"{where}: 应为列表，实际为 {v!r}")
            return tuple(item(x) for x in v)
        return to_tuple
    if origin in (Mapping, dict) or hint in (Mapping, dict):
        return _typed(Mapping, where)
    raise TypeError(f"{where}: type {hint!r} is not supported in payloads")


def _typed(kind: type, where: str) -> Callable[[Any], Any]:
    def check(v: Any) -> Any:
        if not isinstance(v, kind):
            raise PayloadTypeError(f"{where}: 应为 {kind.__name__}，实际为 {v!r}")
        return v
    return check


def _parse(parse: Callable[[str], Any], v: Any, where: str) -> Any:
    try:
        return parse(str(v))
    except ValueError:
        raise PayloadTypeError(f"{where}: 日期格式无效：{v!r}") from None


@cache
def _checks(cls: type[Payload]) -> tuple[tuple[str, Callable[[Any], bool] | None, Callable[[Any], Any]], ...]:
    """Per field: a test of a value its converter surely takes (an exact JSON type; None where there is no
    such test), and the converter."""
    hints = typing.get_type_hints(cls)
    return tuple((name, _surely_typed(hints[name]), convert) for name, convert in _plan(cls))


def _surely_typed(hint: Any) -> Callable[[Any], bool] | None:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint in (str, bool, int):
        return lambda v: type(v) is hint
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        test = _surely_typed(inner[0]) if len(inner) == 1 else None
        return None if test is None else (lambda v: v is None or test(v))
    if origin is tuple and args in ((str, ...), (str,)):
        return lambda v: type(v) is list and all(type(x) is str for x in v)
    return None


def check_recorded(cls: type[Payload], payload: Mapping[str, Any]) -> None:
    """Strict: every key is a declared field of its declared type (run before a payload is recorded)."""
    if not cls.field_names().issuperset(payload):
        undeclared = sorted(set(payload) - cls.field_names())
        raise PayloadTypeError(f"{cls.__name__}: 未声明的字段 {'、'.join(undeclared)}")
    for name, surely, convert in _checks(cls):
        if name in payload:
            value = payload[name]
            if surely is None or not surely(value):
                convert(value)


def decode(cls: type[Payload], payload: Mapping[str, Any]) -> Any:
    """The typed value of a recorded payload. Lenient, for reading the record as it is: keys the
    declaration does not know are ignored, absent ones take their defaults, and a value of the wrong type
    (which ``verify`` reports as tampering) reads as the default."""
    values = {}
    for name, convert in _plan(cls):
        if name in payload:
            try:
                values[name] = convert(payload[name])
            except (PayloadTypeError, TypeError):
                continue
    return cls(**values)
