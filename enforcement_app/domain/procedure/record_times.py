"""When a 笔录 was made: the records that state a start and an end (现场笔录, 询问笔录, 抽样记录, 先行登记保存 and an oral
statement's record, as their payloads declare), and when two of them overlap. One officer cannot question a person
while inspecting elsewhere: the evaluation finds such records in a closed file, and the client asks about one before
it is saved, against every record of its officers on the device."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from ..forms import CHINA
from .engine import ACTIONS
from .payload import decode


@dataclass(frozen=True)
class RecordSpan:
    """A record's time (China's wall clock, to the minute), its officers and its place."""

    kind: str
    started_at: datetime
    ended_at: datetime
    officers: frozenset[str]
    place: str

    def overlaps(self, other: RecordSpan) -> bool:
        """The two share some time: one began before the other ended (a record that ends as another begins does not)."""
        return self.started_at < other.ended_at and other.started_at < self.ended_at


@cache
def timed_kinds() -> tuple[str, ...]:
    """The actions whose record states when it began and ended (their payloads read both as moments), sorted."""
    return tuple(sorted(kind for kind, act in ACTIONS.items()
                        if {"started_at", "ended_at"} <= {name for name, r in act.payload.readings() if r.how == "moment"}))


def span_of(kind: str, payload: Mapping[str, Any]) -> RecordSpan | None:
    """The span of a recorded (or typed) record; None for another action or one without both times."""
    if kind not in timed_kinds():
        return None
    p = decode(ACTIONS[kind].payload, payload)
    start, end = p.started_at, p.ended_at
    if start is None or end is None:
        return None
    return RecordSpan(kind, _wall(start), _wall(end), frozenset(getattr(p, "officers", ()) or ()), str(getattr(p, "place", "") or "").strip())


def _wall(moment: datetime) -> datetime:
    """A moment recorded with an offset (by an earlier program) as China's wall clock, as the others are."""
    return moment if moment.tzinfo is None else moment.astimezone(CHINA).replace(tzinfo=None)
