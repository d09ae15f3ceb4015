"""Rule data carries effective dates; this picks the version in force on a given day."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Versioned(Generic[T]):
    version: str
    effective_from: date
    effective_to: date | None
    value: T

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)


class NoVersionInForce(LookupError):
    pass


def version_in_force(versions: Sequence[Versioned[T]], day: date) -> Versioned[T]:
    """The latest-starting version whose period covers ``day``."""
    candidates = [v for v in versions if v.in_force_on(day)]
    if not candidates:
        raise NoVersionInForce(f"{day.isoformat()} 无有效版本")
    return max(candidates, key=lambda v: v.effective_from)


def parse_date(value: str | None, field: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"{field}: 日期格式应为 YYYY-MM-DD，实际为 {value!r}") from exc
