"""The benchmark-set file format (``discretion-benchmark/2``, reading ``/1`` too): dataclasses, validation,
serialisation.

A file is parsed whole: every problem found is collected as a :class:`FormatIssue` naming the file, the
entry and the field, and one :class:`BenchmarkFormatError` carries them all. Nothing is returned from a
file with any issue, so a malformed file is never half-imported. ``dump_benchmark_set`` writes the
canonical form back; ``parse → dump → parse`` gives an equal set. The format is documented in
``resources/benchmarks/README.md``.

Amounts in the file are yuan, multiples or percentages written as decimal strings; they are kept as
:class:`~decimal.Decimal` here and turned into integer fen only by the engine.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any

from ..penalties import PartyKind, PenaltyKind
from .circumstances import Circumstance, CircumstanceCatalogue, dump_circumstance, parse_circumstance
from .grades import RANGE_GRADES, Grade
from .legal_basis import LegalBasis, dump_basis, parse_basis
from .validation import MISSING, BenchmarkFormatError, Collector, Reader

FORMAT = "discretion-benchmark/2"
FORMATS = ("discretion-benchmark/1", FORMAT)
"""``/2`` adds each entry's facts elements (``facts_elements``, required there); a ``/1`` set, as an agency may
have imported it before, has none and is read and written back as ``/1``."""


class BaseKind(StrEnum):
    """Case facts a fine can be computed from; amounts are integer fen in the case facts."""

    GOODS_VALUE = "goods_value"
    ILLEGAL_INCOME = "illegal_income"
    ADVERTISING_COST = "advertising_cost"
    CONSTRUCTION_COST = "construction_cost"

    @property
    def zh(self) -> str:
        return BASE_ZH[self]


BASE_ZH = {
    BaseKind.GOODS_VALUE: "货值金额",
    BaseKind.ILLEGAL_INCOME: "违法所得",
    BaseKind.ADVERTISING_COST: "广告费用",
    BaseKind.CONSTRUCTION_COST: "工程造价",
}


class AmountUnit(StrEnum):
    YUAN = "yuan"  # a fixed amount in yuan
    MULTIPLE = "multiple"  # times a base amount
    PERCENT = "percent"  # per cent of a base amount


class MeasureKind(StrEnum):
    ORDER_CORRECTION = "order_correction"  # 责令改正 / 限期改正 (Art. 28)
    ORDER_CESSATION = "order_cessation"  # 责令停止违法行为 / 停止发布广告 / 停止建设
    ORDER_DEMOLITION = "order_demolition"  # 限期拆除
    CONFISCATE_ILLEGAL_INCOME = "confiscate_illegal_income"
    CONFISCATE_ILLEGAL_PROPERTY = "confiscate_illegal_property"

    @property
    def penalty_kind(self) -> PenaltyKind | None:
        """Confiscations are penalties (Art. 9); orders to correct, stop or demolish are not."""
        return _MEASURE_PENALTY.get(self)


_MEASURE_PENALTY = {m: PenaltyKind(m.value) for m in MeasureKind if m.value in {k.value for k in PenaltyKind}}


@dataclass(frozen=True)
class AmountRange:
    """One statutory fine range in one unit. ``minimum is None`` means "not more than" (…以下).

    ``grades`` holds explicit sub-ranges (same unit) for some of ``lighter``/``general``/``heavier``;
    grades not listed use the set's split rule.
    """

    unit: AmountUnit
    maximum: Decimal
    minimum: Decimal | None = None
    base: BaseKind | None = None
    text: str = ""
    grades: Mapping[Grade, tuple[Decimal, Decimal]] = field(default_factory=dict)

    @property
    def max_only(self) -> bool:
        return self.minimum is None


@dataclass(frozen=True)
class Tier:
    """Applies while the base amount is below ``below_yuan`` (不足…); the last tier has ``None``."""

    below_yuan: Decimal | None
    amount: AmountRange


@dataclass(frozen=True)
class TieredAmount:
    """Piecewise ranges on a base amount, e.g. 食品安全法第一百二十四条: 货值金额不足一万元 / 一万元以上."""

    base: BaseKind
    tiers: tuple[Tier, ...]

    def tier_for(self, base_fen: int) -> tuple[int, Tier]:
        for index, tier in enumerate(self.tiers):
            if tier.below_yuan is None or base_fen < tier.below_yuan * 100:
                return index, tier
        raise AssertionError("validated tiers end with an open tier")


Amount = AmountRange | TieredAmount


@dataclass(frozen=True)
class FineRule:
    """The fine for some party kinds. ``basis`` overrides the entry's penalty basis (消防法第六十条第二款)."""

    party_kinds: frozenset[PartyKind]
    amount: Amount
    basis: LegalBasis | None = None
    alternatives: frozenset[PenaltyKind] = frozenset()  # e.g. 处警告或者五百元以下罚款
    condition: str | None = None  # e.g. 拒不改正的


@dataclass(frozen=True)
class ResponsiblePersonFine:
    """A fine on each directly responsible person of an organisation, alongside the main fine."""

    amount: AmountRange
    basis: LegalBasis | None = None
    text: str = ""


@dataclass(frozen=True)
class Measure:
    kind: MeasureKind
    text: str
    mandatory: bool = True  # False for 可以 (e.g. 并可以没收用于违法生产经营的工具)
    base: BaseKind | None = None  # the case fact that values a confiscation (hearing threshold, Art. 63)


@dataclass(frozen=True)
class SeriousClause:
    """What the statute adds when the circumstances are serious (情节严重)."""

    penalty_kinds: frozenset[PenaltyKind]
    text: str


@dataclass(frozen=True)
class FactElement:
    """One fact the entry's provision needs established before it is applied (事实要素): the food and its
    quantity, dates and value under 食品安全法第一百二十四条, the medium, words, period and fee of an
    advertisement under 广告法第五十七条. A case's report and decision record each one; a required one
    missing leaves the facts unclear (事实不清). ``unit == "yuan"``: an amount, recorded in yuan; ``base``: the
    benchmark base the amount is (the goods value the fine is tiered on), which the two must agree on."""

    key: str  # ASCII, unique in the entry (goods_value)
    name: str  # the Chinese name printed (货值金额)
    required: bool = True
    unit: str = ""  # "" (words) or "yuan"
    base: BaseKind | None = None
    hint: str = ""  # what to write, shown with the input

    @property
    def amount(self) -> bool:
        return self.unit == "yuan"


ELEMENT_UNITS = ("yuan",)


@dataclass(frozen=True)
class EarlierWording:
    """The statute's wording of the entry's penalty before its present one (行政处罚法第三十七条: 违法行为发生时的
    规定), in force from ``valid_from`` to ``valid_to``: its clause and its fines; ``source`` says where the text
    comes from (an earlier wording is not in ``shared/domain/laws``)."""

    valid_from: date
    valid_to: date
    penalty_basis: LegalBasis
    fines: tuple[FineRule, ...]
    responsible_persons: ResponsiblePersonFine | None = None
    source: str = ""

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day <= self.valid_to


SHORT_NAME_MAX = 30  # characters: a case title is the party, the short name and 案


@dataclass(frozen=True)
class BenchmarkEntry:
    id: str
    cause: str
    violation_basis: tuple[LegalBasis, ...]
    penalty_basis: LegalBasis
    penalty_kinds: frozenset[PenaltyKind]
    measures: tuple[Measure, ...]
    fines: tuple[FineRule, ...]
    responsible_persons: ResponsiblePersonFine | None = None
    serious: SeriousClause | None = None
    circumstances: tuple[Circumstance, ...] = ()  # entry-specific, beside the shared catalogue
    note: str | None = None
    facts_elements: tuple[FactElement, ...] = ()  # none in a /1 set
    # the day the statute wording this entry encodes (its clause and range) took effect: an act from that day on
    # is assessed under it even before the set was published (None: from the set's own effective date)
    wording_from: date | None = None
    earlier: tuple[EarlierWording, ...] = ()  # the wordings before it, each with its term
    # the conduct as a case is named by it (案由: 销售无标签预包装食品), where ``cause`` is the statute's sentence;
    # optional in the file (a set imported before it was asked for), so read through ``name``
    short_name: str = ""

    @property
    def name(self) -> str:
        """What lists and case titles show: the short name, or the statute's sentence where the set gives none."""
        return self.short_name or self.cause

    def earlier_on(self, day: date) -> EarlierWording | None:
        return next((w for w in self.earlier if w.in_force_on(day)), None)

    def wording_in_force_on(self, day: date) -> bool:
        """Whether the wording this entry encodes, or one it holds as earlier, was in force on ``day``."""
        return (self.wording_from is not None and self.wording_from <= day) or self.earlier_on(day) is not None

    def element(self, key: str) -> FactElement | None:
        return next((e for e in self.facts_elements if e.key == key), None)

    @property
    def required_elements(self) -> tuple[FactElement, ...]:
        return tuple(e for e in self.facts_elements if e.required)

    @property
    def bases_used(self) -> frozenset[BaseKind]:
        """The bases the entry's fines and confiscations are computed or valued from."""
        used = {m.base for m in self.measures if m.base is not None}
        for rule in self.fines:
            amount = rule.amount
            if isinstance(amount, TieredAmount):
                used.add(amount.base)
                used.update(t.amount.base for t in amount.tiers if t.amount.base is not None)
            elif amount.base is not None:
                used.add(amount.base)
        return frozenset(used)

    def fine_for(self, party: PartyKind) -> FineRule | None:
        for rule in self.fines:
            if party in rule.party_kinds:
                return rule
        return None

    @property
    def penalty_bases(self) -> tuple[LegalBasis, ...]:
        """The entry's penalty basis followed by any party-specific ones, without repeats."""
        seen = [self.penalty_basis]
        for rule in self.fines:
            if rule.basis is not None and rule.basis not in seen:
                seen.append(rule.basis)
        return tuple(seen)


@dataclass(frozen=True)
class SplitRules:
    """Percent bands for the in-range grades.

    ``range``: percent of the span from the minimum (SAMR: lighter 0–30, general 30–70, heavier 70–100).
    ``max_only``: percent of the maximum where only a maximum is set (lighter ≤20, general 40–60, …).
    """

    range: Mapping[Grade, tuple[Decimal, Decimal]]
    max_only: Mapping[Grade, tuple[Decimal, Decimal]]


@dataclass(frozen=True)
class BenchmarkSet:
    id: str
    issuing_body: str
    version: str
    effective_from: date
    effective_to: date | None
    description: str
    split_rules: SplitRules
    entries: tuple[BenchmarkEntry, ...]
    name: str = ""
    format: str = FORMAT  # the format it was read in, and is written back in

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {entry.id: entry for entry in self.entries})

    def entry(self, entry_id: str) -> BenchmarkEntry | None:
        return self._by_id.get(entry_id)  # type: ignore[attr-defined]

    def in_force_on(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day <= self.effective_to)

    @property
    def title(self) -> str:
        return f"{self.issuing_body}《{self.name or self.id}》（{self.version}）"


# ---------------------------------------------------------------------------------------------------------
# Parsing


def _parse_band_map(reader: Reader | None, allowed: Sequence[Grade]) -> dict[Grade, tuple[Decimal, Decimal]]:
    """``{"lighter": ["0", "30"], …}`` → ordered pairs; each pair low ≤ high."""
    if reader is None or not reader.ok:
        return {}
    reader.check_keys({g.value for g in allowed})
    bands: dict[Grade, tuple[Decimal, Decimal]] = {}
    for grade in allowed:
        value = reader.raw(grade.value, required=False)
        if value is MISSING:
            continue
        if not isinstance(value, list) or len(value) != 2:
            reader.fail(grade.value, "应为 [下限, 上限] 两个数")
            continue
        low, high = reader.to_decimal(value[0], grade.value), reader.to_decimal(value[1], grade.value)
        if low is None or high is None:
            continue
        if low > high:
            reader.fail(grade.value, f"下限 {low} 大于上限 {high}")
            continue
        bands[grade] = (low, high)
    return bands


def _parse_range(reader: Reader | None) -> AmountRange | None:
    if reader is None or not reader.ok:
        return None
    reader.check_keys({"unit", "base", "min", "max", "text", "grades"})
    unit = reader.enum("unit", AmountUnit)
    base = reader.enum("base", BaseKind, required=unit in (AmountUnit.MULTIPLE, AmountUnit.PERCENT))
    minimum = reader.decimal("min", required=False)
    maximum = reader.decimal("max")
    text = reader.text("text", required=False) or ""
    grades = _parse_band_map(reader.child("grades", required=False), RANGE_GRADES)
    if unit == AmountUnit.YUAN and base is not None:
        reader.fail("base", "按固定金额（yuan）计算的罚款不应指定基数")
        return None
    if unit == AmountUnit.YUAN and maximum is not None and maximum != maximum.quantize(Decimal("0.01")):
        reader.fail("max", f"金额最多精确到分：{maximum}")
    if unit == AmountUnit.YUAN and minimum is not None and minimum != minimum.quantize(Decimal("0.01")):
        reader.fail("min", f"金额最多精确到分：{minimum}")
    if unit is None or maximum is None:
        return None
    if maximum == 0:
        reader.fail("max", "上限必须大于零")
        return None
    if minimum is not None and minimum > maximum:
        reader.fail("min", f"下限 {minimum} 大于上限 {maximum}")
        return None
    low_bound = minimum if minimum is not None else Decimal(0)
    for grade, (low, high) in grades.items():
        if low < low_bound or high > maximum:
            reader.fail(f"grades.{grade.value}", f"阶次幅度 [{low}, {high}] 超出法定幅度 [{low_bound}, {maximum}]")
    return AmountRange(unit, maximum, minimum, base, text, grades)


def _parse_amount(reader: Reader | None) -> Amount | None:
    if reader is None or not reader.ok:
        return None
    if "tiers" not in reader.data:
        return _parse_range(reader)
    reader.check_keys({"tiered_on", "tiers"})
    base = reader.enum("tiered_on", BaseKind)
    tiers: list[Tier] = []
    previous: Decimal | None = None
    items = list(reader.objects("tiers"))
    for index, (path, item) in enumerate(items):
        tier_reader = Reader(item, reader.errors, reader.entry, path)
        if not tier_reader.ok:
            continue
        tier_reader.check_keys({"below_yuan", "amount"})
        last = index == len(items) - 1
        below = tier_reader.decimal("below_yuan", required=not last)
        if last and below is not None:
            tier_reader.fail("below_yuan", "最后一档不设上界（适用于其余一切基数）")
        if below is not None and previous is not None and below <= previous:
            tier_reader.fail("below_yuan", f"分档界限应递增：{below} 不大于前一档的 {previous}")
        previous = below if below is not None else previous
        amount = _parse_range(tier_reader.child("amount"))
        if amount is not None:
            tiers.append(Tier(below, amount))
    if len(items) < 2:
        reader.fail("tiers", "分档至少两档；只有一档时直接写罚款幅度")
    if base is None or len(tiers) != len(items) or len(items) < 2:
        return None
    return TieredAmount(base, tuple(tiers))


def _parse_fine(reader: Reader, party_taken: set[PartyKind]) -> FineRule | None:
    if not reader.ok:
        return None
    reader.check_keys({"party", "basis", "amount", "alternatives", "condition"})
    parties = reader.enum_list("party", PartyKind)
    if "party" in reader.data and not parties:
        reader.fail("party", "至少指定一种当事人")
    for party in parties:
        if party in party_taken:
            reader.fail("party", f"当事人类型 {party.value} 已有罚款规则")
    party_taken.update(parties)
    basis = parse_basis(reader.child("basis", required=False))
    amount = _parse_amount(reader.child("amount"))
    alternatives = reader.enum_list("alternatives", PenaltyKind, required=False)
    condition = reader.text("condition", required=False)
    if not parties or amount is None:
        return None
    return FineRule(frozenset(parties), amount, basis, frozenset(alternatives), condition)


def _ascii_key(value: str) -> bool:
    return all(ch.isascii() and (ch.isalnum() or ch in "_-.") for ch in value)


def _parse_elements(reader: Reader) -> tuple[FactElement, ...] | None:
    """``facts_elements``: at least one; keys and names unique; an amount (``unit: yuan``) may name the base it is."""
    elements: list[FactElement] = []
    items = list(reader.objects("facts_elements"))
    if "facts_elements" in reader.data and not items:
        reader.fail("facts_elements", "至少列出一项事实要素")
    complete = True
    for path, item in items:
        r = Reader(item, reader.errors, reader.entry, path)
        if not r.ok:
            complete = False
            continue
        r.check_keys({"key", "name", "required", "unit", "base", "hint"})
        key, name = r.text("key"), r.text("name")
        if key is not None and not _ascii_key(key):
            r.fail("key", f"编号只能由 ASCII 字母、数字和 _-. 组成：{key!r}")
        required = r.data.get("required", True)
        if not isinstance(required, bool):
            r.fail("required", "应为 true 或 false")
        unit = r.text("unit", required=False) or ""
        if unit and unit not in ELEMENT_UNITS:
            r.fail("unit", f"取值应为 {'、'.join(ELEMENT_UNITS)} 之一，实际为 {unit!r}")
        base = r.enum("base", BaseKind, required=False)
        if base is not None and unit != "yuan":
            r.fail("base", "作为基数的要素是金额，应写 \"unit\": \"yuan\"")
        hint = r.text("hint", required=False) or ""
        for taken, what in ((key, "key"), (name, "name")):
            if taken is not None and any(getattr(e, what) == taken for e in elements):
                r.fail(what, f"与本条目的另一要素重复：{taken}")
        if base is not None and any(e.base == base for e in elements):
            r.fail("base", f"基数 {base.value} 已由另一要素记录")
        if key is None or name is None:
            complete = False
            continue
        elements.append(FactElement(key, name, bool(required), unit, base, hint))
    return tuple(elements) if complete and items else None


def _parse_fines(reader: Reader, errors: Collector, label: str) -> list[FineRule | None]:
    taken: set[PartyKind] = set()
    return [_parse_fine(Reader(item, errors, label, path), taken) for path, item in reader.objects("fines")]


def _parse_responsible(reader: Reader) -> ResponsiblePersonFine | None:
    rp_reader = reader.child("responsible_persons", required=False)
    if rp_reader is None or not rp_reader.ok:
        return None
    rp_reader.check_keys({"basis", "amount", "text"})
    rp_amount = _parse_range(rp_reader.child("amount"))
    rp_basis = parse_basis(rp_reader.child("basis", required=False))
    rp_text = rp_reader.text("text", required=False) or ""
    if rp_amount is not None and rp_amount.unit != AmountUnit.YUAN:
        rp_reader.fail("amount.unit", "责任人员罚款应为固定金额（yuan）")
        return None
    return ResponsiblePersonFine(rp_amount, rp_basis, rp_text) if rp_amount is not None else None


def _parse_earlier(reader: Reader, errors: Collector, label: str, wording_from: date | None) -> tuple[EarlierWording, ...] | None:
    """The entry's earlier wordings: each ``{in_force_from, in_force_to, penalty_basis, fines, responsible_persons?,
    source}``, ending before ``wording_from`` (which they need) and not overlapping one another."""
    out: list[EarlierWording] = []
    valid = True
    for path, item in reader.objects("earlier_wordings", required=False):
        r = Reader(item, errors, label, path)
        if not r.ok:
            valid = False
            continue
        r.check_keys({"in_force_from", "in_force_to", "penalty_basis", "fines", "responsible_persons", "source"})
        start, end = r.date("in_force_from"), r.date("in_force_to")
        basis = parse_basis(r.child("penalty_basis"))
        fines = _parse_fines(r, errors, label)
        source = r.text("source")
        if start is None or end is None or basis is None or None in fines or not fines or source is None:
            valid = False
            continue
        if end < start:
            r.fail("in_force_to", "早于 in_force_from")
            valid = False
            continue
        if wording_from is None or end >= wording_from:
            r.fail("in_force_to", "旧条文应在本条目所依据条文施行（wording_from）之前失效")
            valid = False
            continue
        out.append(EarlierWording(start, end, basis, tuple(fines), _parse_responsible(r), source))  # type: ignore[arg-type]
    out.sort(key=lambda w: w.valid_from)
    if any(b.valid_from <= a.valid_to for a, b in zip(out, out[1:], strict=False)):
        reader.fail("earlier_wordings", "旧条文的施行期间不能重叠")
        valid = False
    return tuple(out) if valid else None


def _parse_entry(data: Any, errors: Collector, index: int, catalogue: CircumstanceCatalogue,
                 with_elements: bool = True) -> BenchmarkEntry | None:
    raw_id = data.get("id") if isinstance(data, Mapping) else None
    label = raw_id if isinstance(raw_id, str) and raw_id else f"entries[{index}]"
    reader = Reader(data, errors, label, "")
    if not reader.ok:
        return None
    reader.check_keys(
        {
            "id", "cause", "short_name", "violation_basis", "penalty_basis", "penalty_kinds", "measures", "fines",
            "responsible_persons", "serious", "circumstances", "note", *(("facts_elements",) if with_elements else ()),
            "wording_from", "earlier_wordings",
        }
    )
    entry_id = reader.text("id")
    if entry_id is not None and not _ascii_key(entry_id):
        reader.fail("id", f"编号只能由 ASCII 字母、数字和 _-. 组成：{entry_id!r}")
    cause = reader.text("cause")
    short_name = _short_name(reader)
    violation = [
        parse_basis(Reader(item, errors, label, path)) for path, item in reader.objects("violation_basis")
    ]
    penalty_basis = parse_basis(reader.child("penalty_basis"))
    kinds = reader.enum_list("penalty_kinds", PenaltyKind)
    measures: list[Measure | None] = []
    for path, item in reader.objects("measures"):
        m = Reader(item, errors, label, path)
        if not m.ok:
            measures.append(None)
            continue
        m.check_keys({"kind", "text", "mandatory", "base"})
        kind, text = m.enum("kind", MeasureKind), m.text("text")
        base = m.enum("base", BaseKind, required=False)
        mandatory = m.data.get("mandatory", True)
        if not isinstance(mandatory, bool):
            m.fail("mandatory", "应为 true 或 false")
        if base is not None and kind is not None and kind.penalty_kind is None:
            m.fail("base", "只有没收类措施可以指定估值基数")
        measures.append(Measure(kind, text, bool(mandatory), base) if kind and text else None)
    fines = _parse_fines(reader, errors, label)
    if fines and PenaltyKind.FINE not in kinds:
        reader.fail("penalty_kinds", "有罚款规则（fines）时处罚种类应包含 fine")
    responsible = _parse_responsible(reader)
    wording_from = reader.date("wording_from", required=False)
    earlier = _parse_earlier(reader, errors, label, wording_from)
    serious = None
    s_reader = reader.child("serious", required=False)
    if s_reader is not None and s_reader.ok:
        s_reader.check_keys({"penalty_kinds", "text"})
        s_kinds, s_text = s_reader.enum_list("penalty_kinds", PenaltyKind), s_reader.text("text")
        if s_text:
            serious = SeriousClause(frozenset(s_kinds), s_text)
    local: list[Circumstance] = []
    for path, item in reader.objects("circumstances", required=False):
        circumstance = parse_circumstance(Reader(item, errors, label, path))
        if circumstance is None:
            continue
        if catalogue.get(circumstance.id) is not None:
            errors.add(label, f"{path}.id", f"与共享情节目录中的 {circumstance.id} 重名")
        local.append(circumstance)
    note = reader.text("note", required=False)
    elements = _parse_elements(reader) if with_elements else ()
    if (
        entry_id is None or cause is None or penalty_basis is None or None in violation or None in measures
        or None in fines or not kinds or elements is None or earlier is None
    ):
        return None
    entry = BenchmarkEntry(
        id=entry_id,
        cause=cause,
        violation_basis=tuple(violation),  # type: ignore[arg-type]
        penalty_basis=penalty_basis,
        penalty_kinds=frozenset(kinds),
        measures=tuple(measures),  # type: ignore[arg-type]
        fines=tuple(fines),  # type: ignore[arg-type]
        responsible_persons=responsible,
        serious=serious,
        circumstances=tuple(local),
        note=note,
        facts_elements=elements,
        wording_from=wording_from,
        earlier=earlier,
        short_name=short_name,
    )
    if with_elements:
        # the base a fine is computed from, or a confiscation valued by, is a fact the case must establish
        recorded = {e.base for e in elements if e.base is not None and e.required}
        for base in sorted(entry.bases_used - recorded):
            reader.fail("facts_elements", f"罚款或没收以{base.zh}（{base.value}）为据，应列为必备要素（\"base\": \"{base.value}\"）")
    return entry


def _short_name(reader: Reader) -> str:
    """The case's name for the conduct: plain Chinese words a title is made of (no program identifier, no 案 of
    its own), short enough for a list; '' where the file gives none."""
    name = reader.text("short_name", required=False)
    if name is None:
        return ""
    if len(name) > SHORT_NAME_MAX:
        reader.fail("short_name", f"简称至多{SHORT_NAME_MAX}字，实际为{len(name)}字")
    elif re.search(r"[A-Za-z_]", name) or name != name.strip():
        reader.fail("short_name", f"简称应为中文的违法行为名称（不含编号、字母或首尾空白）：{name!r}")
    elif name.endswith("案"):
        reader.fail("short_name", "简称不以“案”结尾：案件名称为当事人、简称加“案”")
    return name


def _parse_split(reader: Reader | None) -> SplitRules | None:
    if reader is None or not reader.ok:
        return None
    reader.check_keys({"range", "max_only"})
    range_bands = _parse_band_map(reader.child("range"), RANGE_GRADES)
    max_bands = _parse_band_map(reader.child("max_only"), RANGE_GRADES)
    for key, bands in (("range", range_bands), ("max_only", max_bands)):
        for grade, (low, high) in bands.items():
            if high > 100:
                reader.fail(f"{key}.{grade.value}", f"百分比不能超过 100：[{low}, {high}]")
        if len(bands) != len(RANGE_GRADES):
            reader.fail(key, "应给出 lighter、general、heavier 三个阶次的百分比")
    return SplitRules(range_bands, max_bands)


def parse_benchmark_set(data: Any, file: str, catalogue: CircumstanceCatalogue) -> BenchmarkSet:
    """Validate a whole ``discretion-benchmark/2`` (or ``/1``) document; raise one error listing every issue."""
    errors = Collector(file)
    reader = Reader(data, errors, "", "")
    if not reader.ok:
        raise BenchmarkFormatError(errors.issues)
    reader.check_keys(
        {"format", "id", "name", "issuing_body", "version", "effective_from", "effective_to", "description",
         "split_rules", "entries"}
    )
    form = reader.data.get("format")
    if form not in FORMATS:
        reader.fail("format", f"应为 {' 或 '.join(FORMATS)}，实际为 {form!r}")
    set_id = reader.text("id")
    name = reader.text("name", required=False) or ""
    issuing_body = reader.text("issuing_body")
    version = reader.text("version")
    start = reader.date("effective_from")
    end = reader.date("effective_to", required=False)
    if start and end and end < start:
        reader.fail("effective_to", f"失效日期 {end} 早于生效日期 {start}")
    description = reader.text("description")
    split = _parse_split(reader.child("split_rules"))
    entries: list[BenchmarkEntry] = []
    seen: set[str] = set()
    names: dict[str, str] = {}  # short name -> the entry that has it
    raw_entries = list(reader.objects("entries"))
    if "entries" in reader.data and not raw_entries:
        reader.fail("entries", "至少包含一个条目")
    for index, (_path, item) in enumerate(raw_entries):
        entry = _parse_entry(item, errors, index, catalogue, with_elements=form == FORMAT)
        if entry is None:
            continue
        if entry.id in seen:
            errors.add(entry.id, "id", "条目编号重复")
        seen.add(entry.id)
        if entry.short_name and entry.short_name in names:  # one name, one entry: a case chosen by it is unambiguous
            errors.add(entry.id, "short_name", f"简称与条目 {names[entry.short_name]} 相同")
        names.setdefault(entry.short_name, entry.id)
        entries.append(entry)
    if errors.issues:
        raise BenchmarkFormatError(errors.issues)
    assert set_id and issuing_body and version and start and description and split  # guaranteed by no issues
    return BenchmarkSet(set_id, issuing_body, version, start, end, description, split, tuple(entries), name, str(form))


# ---------------------------------------------------------------------------------------------------------
# Serialising: the canonical form; optional fields at their defaults are left out.


def _num(value: Decimal) -> str:
    text = format(value, "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _dump_bands(bands: Mapping[Grade, tuple[Decimal, Decimal]]) -> dict[str, list[str]]:
    return {g.value: [_num(bands[g][0]), _num(bands[g][1])] for g in RANGE_GRADES if g in bands}


def _dump_range(rng: AmountRange) -> dict[str, Any]:
    out: dict[str, Any] = {"unit": rng.unit.value}
    if rng.base is not None:
        out["base"] = rng.base.value
    if rng.minimum is not None:
        out["min"] = _num(rng.minimum)
    out["max"] = _num(rng.maximum)
    if rng.text:
        out["text"] = rng.text
    if rng.grades:
        out["grades"] = _dump_bands(rng.grades)
    return out


def _dump_amount(amount: Amount) -> dict[str, Any]:
    if isinstance(amount, AmountRange):
        return _dump_range(amount)
    tiers = []
    for tier in amount.tiers:
        item: dict[str, Any] = {}
        if tier.below_yuan is not None:
            item["below_yuan"] = _num(tier.below_yuan)
        item["amount"] = _dump_range(tier.amount)
        tiers.append(item)
    return {"tiered_on": amount.base.value, "tiers": tiers}


def _sorted_values(values: frozenset[StrEnum], order: type[StrEnum]) -> list[str]:
    return [m.value for m in order if m in values]


def _dump_measure(measure: Measure) -> dict[str, Any]:
    out: dict[str, Any] = {"kind": measure.kind.value, "text": measure.text}
    if not measure.mandatory:
        out["mandatory"] = False
    if measure.base is not None:
        out["base"] = measure.base.value
    return out


def dump_entry(entry: BenchmarkEntry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": entry.id,
        "cause": entry.cause,
        **({"short_name": entry.short_name} if entry.short_name else {}),
        "violation_basis": [dump_basis(b) for b in entry.violation_basis],
        "penalty_basis": dump_basis(entry.penalty_basis),
        "penalty_kinds": _sorted_values(entry.penalty_kinds, PenaltyKind),
        "measures": [_dump_measure(m) for m in entry.measures],
        "fines": [],
    }
    out["fines"] = _dump_fines(entry.fines)
    if entry.responsible_persons is not None:
        out["responsible_persons"] = _dump_responsible(entry.responsible_persons)
    if entry.serious is not None:
        out["serious"] = {
            "penalty_kinds": _sorted_values(entry.serious.penalty_kinds, PenaltyKind),
            "text": entry.serious.text,
        }
    if entry.circumstances:
        out["circumstances"] = [dump_circumstance(c) for c in entry.circumstances]
    if entry.note:
        out["note"] = entry.note
    if entry.facts_elements:
        out["facts_elements"] = [_dump_element(e) for e in entry.facts_elements]
    if entry.wording_from is not None:
        out["wording_from"] = entry.wording_from.isoformat()
    if entry.earlier:
        out["earlier_wordings"] = [{"in_force_from": w.valid_from.isoformat(), "in_force_to": w.valid_to.isoformat(),
                                    "penalty_basis": dump_basis(w.penalty_basis), "fines": _dump_fines(w.fines),
                                    **({"responsible_persons": _dump_responsible(w.responsible_persons)} if w.responsible_persons else {}),
                                    "source": w.source} for w in entry.earlier]
    return out


def _dump_fines(fines: Sequence[FineRule]) -> list[dict[str, Any]]:
    out = []
    for rule in fines:
        item: dict[str, Any] = {"party": _sorted_values(rule.party_kinds, PartyKind)}
        if rule.basis is not None:
            item["basis"] = dump_basis(rule.basis)
        item["amount"] = _dump_amount(rule.amount)
        if rule.alternatives:
            item["alternatives"] = _sorted_values(rule.alternatives, PenaltyKind)
        if rule.condition:
            item["condition"] = rule.condition
        out.append(item)
    return out


def _dump_responsible(rp: ResponsiblePersonFine) -> dict[str, Any]:
    return {**({"basis": dump_basis(rp.basis)} if rp.basis else {}), "amount": _dump_range(rp.amount), **({"text": rp.text} if rp.text else {})}


def _dump_element(element: FactElement) -> dict[str, Any]:
    out: dict[str, Any] = {"key": element.key, "name": element.name}
    if not element.required:
        out["required"] = False
    if element.unit:
        out["unit"] = element.unit
    if element.base is not None:
        out["base"] = element.base.value
    if element.hint:
        out["hint"] = element.hint
    return out


def dump_benchmark_set(benchmark: BenchmarkSet) -> dict[str, Any]:
    """The canonical JSON document; ``parse_benchmark_set`` of it gives an equal set."""
    out: dict[str, Any] = {"format": benchmark.format, "id": benchmark.id}
    if benchmark.name:
        out["name"] = benchmark.name
    out.update(
        {
            "issuing_body": benchmark.issuing_body,
            "version": benchmark.version,
            "effective_from": benchmark.effective_from.isoformat(),
            "effective_to": benchmark.effective_to.isoformat() if benchmark.effective_to else None,
            "description": benchmark.description,
            "split_rules": {
                "range": _dump_bands(benchmark.split_rules.range),
                "max_only": _dump_bands(benchmark.split_rules.max_only),
            },
            "entries": [dump_entry(e) for e in benchmark.entries],
        }
    )
    return out
