"""Records that overlap in time: before a 笔录 is saved, the other records of its officers on this device (in any
case) whose times overlap it, by the notion the evaluation judges a closed file with
(:mod:`~enforcement_app.domain.procedure.record_times`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from ..domain.procedure import title_of
from ..domain.procedure.record_times import RecordSpan, span_of
from ..store import events as event_store
from .core import SessionCore


@dataclass(frozen=True)
class OverlappingRecord:
    """Another record whose time overlaps the one about to be saved, and the officers both name."""

    case_id: str
    case_title: str
    case_no: str
    kind: str
    title: str
    started_at: datetime
    ended_at: datetime
    officers: tuple[str, ...]  # names of the officers in both records

    def describe(self) -> str:
        """``惠州某某食品有限公司销售超过保质期的食品案（仲高新市监罚字〔2025〕1号）询问调查 2025-03-05 09:30—10:30，执法人员张明``"""
        same_day = self.started_at.date() == self.ended_at.date()
        end = self.ended_at.strftime("%H:%M" if same_day else "%Y-%m-%d %H:%M")
        case = f"{self.case_title}（{self.case_no}）" if self.case_no else self.case_title
        return f"{case}{self.title} {self.started_at.strftime('%Y-%m-%d %H:%M')}—{end}，执法人员{'、'.join(self.officers)}"


def overlapping_records(session: SessionCore, case_ref: str, kind: str, payload: Mapping[str, Any]) -> list[OverlappingRecord]:
    """The records on this device that share an officer with the record ``payload`` of ``kind`` would make on the
    case (its officers; the case's handlers where it names none), and some of its time; none for a step that is not
    such a record or does not give both times yet. Records are found by their times as recorded; one found is
    compared by its times as corrected since."""
    session.require("view_cases")
    services = session.services
    case_id = services.resolve_case(case_ref)
    mine = span_of(kind, payload)
    if mine is None or mine.ended_at <= mine.started_at:
        return []
    if not mine.officers:
        mine = RecordSpan(mine.kind, mine.started_at, mine.ended_at, frozenset(services.current_state(case_id).handlers), mine.place)
    names = {o.id: o.name for o in services.officers().values()}
    found = []
    for event in event_store.records_ending_after(services.db, mine.started_at.isoformat(timespec="minutes"),
                                                  mine.ended_at.isoformat(timespec="minutes")):
        state = services.current_state(event.stream)
        corrected = dict(event.payload)
        for correction in state.corrections.get(event.hash, ()):
            corrected.update(correction.get("changes") or {})
        other = span_of(event.kind, corrected)
        if other is None or not mine.overlaps(other) or not mine.officers & other.officers:
            continue
        found.append(OverlappingRecord(event.stream, state.title, state.case_no, event.kind, title_of(event.kind),
                                       other.started_at, other.ended_at,
                                       tuple(names.get(o, o) for o in sorted(mine.officers & other.officers))))
    return found
