"""The circumstance catalogue (情节目录) shared by benchmark entries (``discretion-circumstances/1``).

A circumstance says which way it moves the grade (``effect``) and whether the law commands it (应当 →
``mandatory``) or only allows it (可以 → ``discretionary``). How several circumstances combine is
:func:`enforcement_app.discretion.grades.combine`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from ..penalties import PartyKind
from .legal_basis import LegalBasis, dump_basis, parse_basis
from .validation import BenchmarkFormatError, Collector, Reader

FORMAT = "discretion-circumstances/1"


class Effect(StrEnum):
    NO_PENALTY = "no_penalty"  # 不予处罚
    MITIGATE = "mitigate"  # 从轻或者减轻: may go below the minimum
    LIGHTER = "lighter"  # 从轻: stays inside the range
    HEAVIER = "heavier"  # 从重

    @property
    def mitigating(self) -> bool:
        return self is not Effect.HEAVIER


EFFECT_ZH = {
    Effect.NO_PENALTY: "不予处罚",
    Effect.MITIGATE: "从轻或者减轻",
    Effect.LIGHTER: "从轻",
    Effect.HEAVIER: "从重",
}


class Strength(StrEnum):
    MANDATORY = "mandatory"  # 应当
    DISCRETIONARY = "discretionary"  # 可以


STRENGTH_ZH = {Strength.MANDATORY: "应当", Strength.DISCRETIONARY: "可以"}


@dataclass(frozen=True)
class Circumstance:
    id: str
    name: str
    effect: Effect
    strength: Strength
    basis: LegalBasis | None = None
    party_kinds: frozenset[PartyKind] = frozenset(PartyKind)
    note: str | None = None  # what else follows, e.g. 责令监护人加以管教

    def describe(self) -> str:
        """``已满十四周岁不满十八周岁的未成年人（《行政处罚法》第三十条）：应当从轻或者减轻``"""
        cited = f"（{self.basis.cite()}）" if self.basis else ""
        return f"{self.name}{cited}：{STRENGTH_ZH[self.strength]}{EFFECT_ZH[self.effect]}"


def parse_circumstance(reader: Reader) -> Circumstance | None:
    if not reader.ok:
        return None
    reader.check_keys({"id", "name", "effect", "strength", "basis", "party_kinds", "note"})
    cid = reader.text("id")
    if cid is not None and not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in cid):
        reader.fail("id", f"情节编号只能由 ASCII 字母、数字和下划线组成：{cid!r}")
    name = reader.text("name")
    effect = reader.enum("effect", Effect)
    strength = reader.enum("strength", Strength)
    basis = parse_basis(reader.child("basis", required=False))
    if "basis" in reader.data and basis is None:
        return None
    parties = reader.enum_list("party_kinds", PartyKind, required=False)
    if "party_kinds" in reader.data and not parties:
        reader.fail("party_kinds", "至少指定一种当事人")
    note = reader.text("note", required=False)
    if cid is None or name is None or effect is None or strength is None:
        return None
    return Circumstance(cid, name, effect, strength, basis, frozenset(parties or PartyKind), note)


def dump_circumstance(circumstance: Circumstance) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": circumstance.id,
        "name": circumstance.name,
        "effect": circumstance.effect.value,
        "strength": circumstance.strength.value,
    }
    if circumstance.basis is not None:
        out["basis"] = dump_basis(circumstance.basis)
    if circumstance.party_kinds != frozenset(PartyKind):
        out["party_kinds"] = [p.value for p in PartyKind if p in circumstance.party_kinds]
    if circumstance.note:
        out["note"] = circumstance.note
    return out


@dataclass(frozen=True)
class CircumstanceCatalogue:
    description: str
    circumstances: tuple[Circumstance, ...]

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_key", _index(self.circumstances))

    def get(self, key: str) -> Circumstance | None:
        """By id (``minor_14_to_18``) or by Chinese name."""
        return self._by_key.get(key)  # type: ignore[attr-defined]


def _index(circumstances: Iterable[Circumstance]) -> Mapping[str, Circumstance]:
    index: dict[str, Circumstance] = {}
    for c in circumstances:
        index[c.id] = c
        index[c.name] = c
    return index


def parse_catalogue(data: Any, file: str) -> CircumstanceCatalogue:
    errors = Collector(file)
    reader = Reader(data, errors, "", "")
    if not reader.ok:
        raise BenchmarkFormatError(errors.issues)
    reader.check_keys({"format", "description", "circumstances"})
    if reader.data.get("format") != FORMAT:
        reader.fail("format", f"应为 {FORMAT}，实际为 {reader.data.get('format')!r}")
    description = reader.text("description") or ""
    found: list[Circumstance] = []
    seen: set[str] = set()
    for path, item in reader.objects("circumstances"):
        raw_id = item.get("id") if isinstance(item, Mapping) else None
        label = raw_id if isinstance(raw_id, str) and raw_id else path
        circumstance = parse_circumstance(Reader(item, errors, label, ""))
        if circumstance is None:
            continue
        for key in (circumstance.id, circumstance.name):
            if key in seen:
                errors.add(label, "id" if key == circumstance.id else "name", f"与其他情节重复：{key}")
            seen.add(key)
        found.append(circumstance)
    if errors.issues:
        raise BenchmarkFormatError(errors.issues)
    return CircumstanceCatalogue(description, tuple(found))


def dump_catalogue(catalogue: CircumstanceCatalogue) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "description": catalogue.description,
        "circumstances": [dump_circumstance(c) for c in catalogue.circumstances],
    }


class Lookup:
    """Circumstances known to one entry: the shared catalogue plus the entry's own."""

    def __init__(self, catalogue: CircumstanceCatalogue, local: Iterable[Circumstance]):
        self._catalogue = catalogue
        self._local = _index(local)

    def get(self, key: str) -> Circumstance | None:
        return self._local.get(key) or self._catalogue.get(key)
