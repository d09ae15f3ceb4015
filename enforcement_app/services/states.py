"""Case states folded from their events, and the cache of them that spares refolding a case per step.

A cached state is used only while the case's stream heads in the database still match those it was
folded at, so another process adding events to the same file never leaves it stale.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlite_utils

from ..domain.case import CaseState, Step, step_day
from ..domain.procedure import fold
from ..domain.record import RecordedEvent, causal_order
from ..domain.refusals import NotFound
from ..store import events as event_store


def step_of(e: RecordedEvent, position: int) -> Step:
    """A step numbered by its position in the case's causal order (not the local arrival number)."""
    return Step(position, e.hash, e.kind, e.actor, e.at, step_day(e.payload, e.at), e.payload)


def fold_events(case_id: str, events: Sequence[RecordedEvent]) -> CaseState:
    """``events``: RecordedEvents, or anything with their attributes (a bundle's WireEvents)."""
    return fold(case_id, (step_of(e, n) for n, e in enumerate(causal_order(events), 1)))


def case_state(db: sqlite_utils.Database, case_id: str) -> tuple[CaseState, list[RecordedEvent]]:
    """The case folded from its events in causal order (the same order on every device), and the events."""
    events = causal_order(event_store.events_of(db, case_id))
    if not events:
        raise NotFound(f"没有该案件：{case_id}")
    return fold(case_id, (step_of(e, n) for n, e in enumerate(events, 1))), events


class CaseStates:
    """The states of the cases worked on through one connection, each with the stream heads it was folded at."""

    def __init__(self, db: sqlite_utils.Database):
        self._db = db
        self._kept: dict[str, tuple[tuple[str, ...], CaseState]] = {}

    def working(self, case_id: str) -> CaseState:
        """The case's state for recording the next step. The caller owns it from now on: it applies the new
        step to it and hands it back with :meth:`keep`."""
        heads = event_store.stream_heads(self._db, case_id)
        cached = self._kept.pop(case_id, None)
        if cached is not None and cached[0] == heads:
            return cached[1]
        return case_state(self._db, case_id)[0]

    def current(self, case_id: str) -> CaseState:
        """The case's state for reading. Do not modify it."""
        heads = event_store.stream_heads(self._db, case_id)
        cached = self._kept.get(case_id)
        if cached is not None and cached[0] == heads:
            return cached[1]
        state = case_state(self._db, case_id)[0]
        self._kept[case_id] = (heads, state)
        return state

    def keep(self, case_id: str, state: CaseState) -> None:
        self._kept[case_id] = (event_store.stream_heads(self._db, case_id), state)

    def forget(self) -> None:
        self._kept.clear()
