"""What a write changed, so each view refreshes only on changes that concern it (as Anki's ``OpChanges``).

Every event recorded through the services notes its stream here; the client's worker takes the record
after each write operation and hands it to the views with the result.
"""

from __future__ import annotations

from dataclasses import dataclass

# the reference tables a stream prefix projects into
TABLE_OF_STREAM = {
    "officer": "officer",
    "party": "party",
    "agency": "agency",
    "config/policy": "policy",
    "config/calendar": "calendar",
    "config/benchmarks": "benchmarks",
    "config/power_list": "power_list",
    "device": "devices",
    "evaluation": "evaluation",
}
REFERENCE_TABLES = frozenset(TABLE_OF_STREAM.values())


@dataclass(frozen=True)
class Changes:
    """The cases (by id) whose record changed, and the reference tables that changed."""

    cases: frozenset[str] = frozenset()
    tables: frozenset[str] = frozenset()

    def __or__(self, other: Changes) -> Changes:
        return Changes(self.cases | other.cases, self.tables | other.tables)

    def __bool__(self) -> bool:
        return bool(self.cases or self.tables)

    def touches(self, *tables: str) -> bool:
        return any(t in self.tables for t in tables)

    @classmethod
    def of_stream(cls, stream: str) -> Changes:
        """A case stream is the case's id; the others are ``prefix/id``. An evaluation changes its case's file."""
        if "/" not in stream:
            return cls(cases=frozenset({stream}))
        prefix, _, rest = stream.partition("/")
        table = TABLE_OF_STREAM.get(stream) or TABLE_OF_STREAM.get(prefix)
        cases = frozenset({rest}) if prefix == "evaluation" else frozenset()
        return cls(cases=cases, tables=frozenset({table}) if table else frozenset())


class ChangeLog:
    """Collects the changes of the writes since it was last taken. Owned by one ``Services`` (one thread)."""

    def __init__(self) -> None:
        self._changes = Changes()

    def note(self, changes: Changes) -> None:
        self._changes = self._changes | changes

    def take(self) -> Changes:
        taken, self._changes = self._changes, Changes()
        return taken
