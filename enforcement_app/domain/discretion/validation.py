"""Whole-file validation for the discretion rule files: collect every issue, then refuse once.

Parsers read JSON through :class:`Reader`, which records a :class:`FormatIssue` (file, entry, field,
message) for each bad value and carries on, so one run reports everything wrong with a file. The caller
raises :class:`BenchmarkFormatError` if any issue was recorded; nothing from such a file is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from ..refusals import InvalidInput, Refusal


@dataclass(frozen=True)
class FormatIssue:
    file: str
    entry: str  # entry id, or "" for set-level fields
    field: str  # dotted path inside the entry (or the set)
    message: str

    def __str__(self) -> str:
        where = f"条目 {self.entry}，" if self.entry else ""
        return f"{self.file}：{where}字段 {self.field}：{self.message}"


class BenchmarkFormatError(InvalidInput):
    """A benchmark or circumstance file was refused; ``issues`` lists every problem found."""

    def __init__(self, issues: Sequence[FormatIssue]):
        self.issues = tuple(issues)
        super().__init__(
            Refusal(
                "benchmark_format",
                str(issue),
                field=f"{issue.file}#{issue.entry}.{issue.field}" if issue.entry else f"{issue.file}#{issue.field}",
            )
            for issue in self.issues
        )


class Collector:
    """Collects issues while parsing; ``at(entry, field)`` builds the message location."""

    def __init__(self, file: str):
        self.file = file
        self.issues: list[FormatIssue] = []

    def add(self, entry: str, path: str, message: str) -> None:
        self.issues.append(FormatIssue(self.file, entry, path, message))


MISSING = object()


class Reader:
    """Typed field access on one JSON object; records an issue and returns None on a bad value."""

    def __init__(self, data: Any, errors: Collector, entry: str, path: str):
        self.errors, self.entry, self.path = errors, entry, path
        self.ok = isinstance(data, Mapping)
        if not self.ok:
            errors.add(entry, path or "(根)", f"应为 JSON 对象，实际为 {type(data).__name__}")
        self.data: Mapping[str, Any] = data if self.ok else {}

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def fail(self, key: str, message: str) -> None:
        self.errors.add(self.entry, self.where(key), message)

    def check_keys(self, allowed: set[str]) -> None:
        for key in self.data:
            if key not in allowed:
                self.fail(key, "未知字段（拼写错误？）")

    def raw(self, key: str, required: bool) -> Any:
        value = self.data.get(key, MISSING)
        if value is MISSING or value is None:
            if required:
                self.fail(key, "缺少必填字段")
            return MISSING
        return value

    def text(self, key: str, required: bool = True) -> str | None:
        value = self.raw(key, required)
        if value is MISSING:
            return None
        if not isinstance(value, str) or not value.strip():
            self.fail(key, "应为非空字符串")
            return None
        return value

    def decimal(self, key: str, required: bool = True) -> Decimal | None:
        value = self.raw(key, required)
        if value is MISSING:
            return None
        return self.to_decimal(value, key)

    def to_decimal(self, value: Any, key: str) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, str | int):
            self.fail(key, f"数额应写成字符串或整数（如 \"50000\"、\"6.5\"），实际为 {value!r}")
            return None
        try:
            number = Decimal(str(value))
        except InvalidOperation:
            self.fail(key, f"不是有效的数：{value!r}")
            return None
        if not number.is_finite() or number < 0:
            self.fail(key, f"应为非负有限数：{value!r}")
            return None
        return number

    def date(self, key: str, required: bool = True) -> date | None:
        value = self.raw(key, required)
        if value is MISSING:
            return None
        try:
            return date.fromisoformat(value)
        except (TypeError, ValueError):
            self.fail(key, f"日期格式应为 YYYY-MM-DD，实际为 {value!r}")
            return None

    def enum(self, key: str, enum: type[StrEnum], required: bool = True) -> Any:
        value = self.raw(key, required)
        if value is MISSING:
            return None
        try:
            return enum(value)
        except ValueError:
            self.fail(key, f"取值应为 {'、'.join(m.value for m in enum)} 之一，实际为 {value!r}")
            return None

    def enum_list(self, key: str, enum: type[StrEnum], required: bool = True) -> list[Any]:
        value = self.raw(key, required)
        if value is MISSING:
            return []
        if not isinstance(value, list):
            self.fail(key, "应为数组")
            return []
        result = []
        for i, item in enumerate(value):
            try:
                result.append(enum(item))
            except ValueError:
                self.fail(f"{key}[{i}]", f"取值应为 {'、'.join(m.value for m in enum)} 之一，实际为 {item!r}")
        return result

    def objects(self, key: str, required: bool = True) -> Iterator[tuple[str, Any]]:
        value = self.raw(key, required)
        if value is MISSING:
            return
        if not isinstance(value, list):
            self.fail(key, "应为数组")
            return
        for i, item in enumerate(value):
            yield self.where(f"{key}[{i}]"), item

    def child(self, key: str, required: bool = True) -> Reader | None:
        value = self.raw(key, required)
        if value is MISSING:
            return None
        return Reader(value, self.errors, self.entry, self.where(key))


