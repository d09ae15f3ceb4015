"""Benchmark sets in use: the shipped ones under ``resources/benchmarks`` plus any imported.

Files named ``*.json`` in that folder are benchmark sets, except ``circumstances.json``, the shared
circumstance catalogue. A set applies from its ``effective_from`` to its ``effective_to`` (inclusive).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

from ...resources import resource_path
from ..refusals import InvalidInput, NotFound
from .circumstances import CircumstanceCatalogue, parse_catalogue
from .legal_basis import BasisQuery
from .model import BenchmarkEntry, BenchmarkSet, dump_benchmark_set, parse_benchmark_set
from .validation import BenchmarkFormatError, FormatIssue

CATALOGUE_FILE = "circumstances.json"


class UnknownEntry(NotFound):
    pass


def _read_json(path: Path) -> Any:
    try:
        with path.open(encoding="utf-8") as fh:
            return json.load(fh)
    except OSError as exc:
        raise BenchmarkFormatError([FormatIssue(str(path), "", "(文件)", f"无法读取：{exc.strerror or exc}")]) from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise BenchmarkFormatError([FormatIssue(str(path), "", "(文件)", f"不是有效的 UTF-8 JSON：{exc}")]) from exc
    except RecursionError:
        raise BenchmarkFormatError([FormatIssue(str(path), "", "(文件)", "JSON 嵌套过深")]) from None
    except ValueError as exc:  # an integer of thousands of digits
        raise BenchmarkFormatError([FormatIssue(str(path), "", "(文件)", f"不是有效的 JSON：{exc}")]) from None


def load_catalogue(path: Path) -> CircumstanceCatalogue:
    return parse_catalogue(_read_json(path), str(path))


def load_benchmark_file(path: Path, catalogue: CircumstanceCatalogue) -> BenchmarkSet:
    """Parse one set file; raises :class:`BenchmarkFormatError` naming file, entry and field."""
    return parse_benchmark_set(_read_json(path), str(path), catalogue)


def write_benchmark_file(benchmark: BenchmarkSet, path: Path) -> None:
    """Export a set in the canonical form (UTF-8, Chinese unescaped, two-space indent)."""
    path.write_text(json.dumps(dump_benchmark_set(benchmark), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


@dataclass(frozen=True)
class BenchmarkLibrary:
    catalogue: CircumstanceCatalogue
    sets: tuple[BenchmarkSet, ...]

    def with_sets(self, sets: Iterable[BenchmarkSet]) -> BenchmarkLibrary:
        """A library with more sets; a set with the same id and version as one present replaces it."""
        added = tuple(sets)
        keys = {(s.id, s.version) for s in added}
        return BenchmarkLibrary(self.catalogue, tuple(s for s in self.sets if (s.id, s.version) not in keys) + added)

    def set_for(self, entry_id: str, day: date) -> BenchmarkSet | None:
        """The latest-starting set in force on ``day`` that has the entry, or None."""
        candidates = [s for s in self.sets if s.in_force_on(day) and s.entry(entry_id) is not None]
        return max(candidates, key=lambda s: s.effective_from, default=None)

    def entry(self, entry_id: str, day: date | None = None) -> BenchmarkEntry:
        """The entry as in force on ``day`` (default: the latest version of any set that has it)."""
        if day is not None:
            found = self.set_for(entry_id, day)
            if found is None:
                raise UnknownEntry(f"{day.isoformat()} 没有生效的裁量基准包含条目 {entry_id}")
            return found.entry(entry_id)  # type: ignore[return-value]
        holders = [s for s in self.sets if s.entry(entry_id) is not None]
        if not holders:
            raise UnknownEntry(f"裁量基准中没有条目 {entry_id}")
        return max(holders, key=lambda s: s.effective_from).entry(entry_id)  # type: ignore[return-value]

    def entries(self, day: date | None = None) -> tuple[tuple[BenchmarkSet, BenchmarkEntry], ...]:
        """Each entry id once, from the set in force on ``day`` (or its latest version), in file order."""
        seen: dict[str, tuple[BenchmarkSet, BenchmarkEntry]] = {}
        for benchmark in sorted(self.sets, key=lambda s: s.effective_from):
            if day is not None and not benchmark.in_force_on(day):
                continue
            for entry in benchmark.entries:
                seen[entry.id] = (benchmark, entry)
        return tuple(seen.values())

    def choices(self, day: date | None = None) -> tuple[tuple[str, str, str], ...]:
        """(id, label, cause) of each entry of :meth:`entries`, for a list to choose a case's conduct from: the label
        is the short name, followed by the penalty provision where two entries of different sets share it."""
        entries = [entry for _, entry in self.entries(day)]
        taken = [entry.name for entry in entries]
        return tuple((e.id, e.name if taken.count(e.name) == 1 else f"{e.name}（{e.penalty_basis.cite()}）", e.cause)
                     for e in entries)

    def find_by_basis(self, citation: str, day: date | None = None) -> tuple[BenchmarkEntry, ...]:
        """Entries whose penalty basis (or a party-specific one) falls under ``citation``.

        ``"食品安全法 第一百二十四条"`` finds every entry under that article; adding ``第一款第（五）项``
        narrows it. Raises :class:`InvalidInput` for a citation that cannot be read.
        """
        try:
            query = BasisQuery.parse(citation)
        except ValueError as exc:
            raise InvalidInput.at("basis", str(exc)) from exc
        return tuple(
            entry for _, entry in self.entries(day) if any(query.matches(b) for b in entry.penalty_bases)
        )


def shipped_files() -> tuple[Path, ...]:
    folder = resource_path("benchmarks")
    return tuple(sorted(p for p in folder.glob("*.json") if p.name != CATALOGUE_FILE))


@cache
def shipped_library() -> BenchmarkLibrary:
    """The catalogue and sets shipped in ``resources/benchmarks``, parsed once per process."""
    catalogue = load_catalogue(resource_path("benchmarks", CATALOGUE_FILE))
    return BenchmarkLibrary(catalogue, tuple(load_benchmark_file(p, catalogue) for p in shipped_files()))
