"""The discretion engine: case facts + a benchmark entry → an :class:`Assessment`.

Money is integer fen throughout. Statutory ranges and grade sub-ranges are computed exactly (fractions
of the base amount in fen) and rounded once, towards the inside of the range: lower bounds round up to
the next fen and upper bounds round down, so a recommendation never exceeds the statutory maximum nor
falls below the statutory minimum. A grade band that holds no whole fen collapses to the one fen
nearest its lower bound inside the statutory range.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from .. import money
from ..money import Fen
from ..penalties import PENALTY_KIND_ZH, SEVERITY, PartyKind, PenaltyKind
from ..policy import AgencyPolicy, Statute
from ..refusals import InvalidInput, Refusal, RuleViolation
from .circumstances import Circumstance, Effect, Lookup, Strength
from .grades import Grade, combine
from .library import BenchmarkLibrary, UnknownEntry
from .model import (
    AmountRange,
    AmountUnit,
    BaseKind,
    BenchmarkEntry,
    BenchmarkSet,
    FineRule,
    Measure,
    MeasureKind,
    SplitRules,
    TieredAmount,
)

#: The catalogue id whose presence brings in the entry's ``serious`` clause (情节严重).
SERIOUS = "serious_circumstances"

PARTY_ZH = {PartyKind.PERSON: "公民", PartyKind.ORGANISATION: "法人或者其他组织"}
HEARING_ARTICLE = "《行政处罚法》第六十三条第一款"
SIMPLE_KINDS = frozenset({PenaltyKind.FINE, PenaltyKind.WARNING})


@dataclass(frozen=True)
class FenRange:
    low: Fen
    high: Fen

    def __contains__(self, amount: object) -> bool:
        return isinstance(amount, int) and self.low <= amount <= self.high

    def describe(self, max_only: bool = False) -> str:
        if max_only and self.low == 0:
            return f"不超过 {format_yuan(self.high)}"
        return f"{format_yuan(self.low)} 至 {format_yuan(self.high)}"

    def to_yuan(self) -> list[int | float]:
        return [_yuan_number(self.low), _yuan_number(self.high)]


def format_yuan(fen: int) -> str:
    """``money.format_yuan`` for the non-negative amounts the engine handles, in integer arithmetic.

    The engine formats several amounts per assessment; the Decimal round trip of the general function
    was a quarter of its run time. ``tests/discretion`` checks that both agree.
    """
    if fen < 0:
        return money.format_yuan(fen)
    return f"{fen // 100:,}.{fen % 100:02d}元"


def _yuan_number(fen: int) -> int | float:
    """Yuan as a JSON number: whole yuan as an int, otherwise the two-decimal value."""
    return fen // 100 if fen % 100 == 0 else round(fen / 100, 2)


@dataclass(frozen=True)
class CaseFacts:
    """What the engine needs of a case. Base amounts are fen; circumstances are catalogue ids or names.

    ``decision_date`` defaults to ``act_date`` (then no later benchmark version is considered).
    """

    party_kind: PartyKind
    act_date: date
    decision_date: date | None = None
    bases: Mapping[BaseKind, Fen] = field(default_factory=dict)
    circumstances: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for base, amount in self.bases.items():
            if not isinstance(amount, int) or amount < 0:
                raise InvalidInput.at(base.value, f"{base.zh}应为非负整数分，实际为 {amount!r}")
        if self.decision_date is not None and self.decision_date < self.act_date:
            raise InvalidInput.at("decision_date", "决定日期不能早于违法行为发生日期")

    @property
    def decided_on(self) -> date:
        return self.decision_date or self.act_date


@dataclass(frozen=True)
class Finding:
    """A yes/no conclusion with the reasons (Chinese) that led to it."""

    applies: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ResponsiblePersonAssessment:
    text: str
    statutory_range: FenRange
    recommended_range: FenRange | None


@dataclass(frozen=True)
class Assessment:
    entry: str
    cause: str
    benchmark_id: str
    benchmark_version: str
    party_kind: PartyKind
    penalty_basis: str
    violation_basis: tuple[str, ...]
    statutory_range: FenRange
    max_only: bool
    grade: Grade
    recommended_range: FenRange | None  # None for no_penalty
    penalty_kinds: frozenset[PenaltyKind]
    alternatives: frozenset[PenaltyKind]
    measures: tuple[Measure, ...]
    responsible_person: ResponsiblePersonAssessment | None
    fine_condition: str | None
    circumstances: tuple[str, ...]  # catalogue ids applied
    simple_procedure: Finding
    hearing_right: Finding
    major: Finding
    deviation_is_major: bool  # the agency's catalogue lists benchmark deviations as major decisions
    explanation: tuple[str, ...]
    # 不予行政处罚 by the law's 应当 (Art. 30 under 14, Art. 31, Art. 33 ¶1 first sentence, ¶2): each circumstance
    # as described with its article; a penalty is refused, not a deviation
    bars: tuple[Circumstance, ...] = ()
    # 应当从轻或者减轻 (Art. 30 fourteen to eighteen, Art. 32): the fine must stay within the lighter grade's ceiling
    # or go below the statutory minimum (减轻), either as the law commands
    mandatory_mitigation: tuple[Circumstance, ...] = ()
    lighter_ceiling: Fen | None = None  # the lighter grade's upper bound within the statutory range

    def to_json(self) -> dict[str, Any]:
        rp = self.responsible_person
        return {
            "entry": self.entry,
            "cause": self.cause,
            "benchmark_id": self.benchmark_id,
            "benchmark_version": self.benchmark_version,
            "party_kind": self.party_kind.value,
            "penalty_basis": self.penalty_basis,
            "violation_basis": list(self.violation_basis),
            "statutory_range": self.statutory_range.to_yuan(),
            "max_only": self.max_only,
            "grade": self.grade.value,
            "grade_zh": self.grade.zh,
            "recommended_range": self.recommended_range.to_yuan() if self.recommended_range else None,
            "penalty_kinds": [k.value for k in PenaltyKind if k in self.penalty_kinds],
            "alternatives": [k.value for k in PenaltyKind if k in self.alternatives],
            "measures": [
                {"kind": m.kind.value, "text": m.text, "mandatory": m.mandatory} for m in self.measures
            ],
            "responsible_person": None
            if rp is None
            else {
                "text": rp.text,
                "statutory_range": rp.statutory_range.to_yuan(),
                "recommended_range": rp.recommended_range.to_yuan() if rp.recommended_range else None,
            },
            "fine_condition": self.fine_condition,
            "circumstances": list(self.circumstances),
            "simple_procedure": self.simple_procedure.applies,
            "hearing_right": self.hearing_right.applies,
            "major": self.major.applies,
            "findings": {
                "simple_procedure": list(self.simple_procedure.reasons),
                "hearing_right": list(self.hearing_right.reasons),
                "major": list(self.major.reasons),
            },
            "explanation": list(self.explanation),
        }


# ---------------------------------------------------------------------------------------------------------
# Ranges


@lru_cache(maxsize=1024)
def _ratio(value: Decimal) -> tuple[int, int]:
    """A decimal from the rule file as an exact integer ratio (numerator, denominator > 0)."""
    return value.as_integer_ratio()


def _ceil_div(numerator: int, denominator: int) -> int:
    return -(-numerator // denominator)


@dataclass(frozen=True)
class _Range:
    """One statutory range resolved against the case's base amount.

    Exact bounds are kept as integer numerators over one common denominator (fen × ``denominator``)
    so that every band is computed without rounding until the single ceil/floor at the end.
    """

    spec: AmountRange
    factor: tuple[int, int]  # fen per unit of the spec, as a ratio
    low: int
    high: int
    denominator: int
    fen: FenRange

    def band(self, grade: Grade, split: SplitRules) -> tuple[FenRange, str]:
        """The grade's sub-range in fen, with the rule used (for the explanation)."""
        spec = self.spec
        if grade in spec.grades:
            low, high = spec.grades[grade]
            (ln, ld), (hn, hd), (fn, fd) = _ratio(low), _ratio(high), self.factor
            exact = ((ln * fn, ld * fd), (hn * fn, hd * fd))
            rule = f"本条目规定的{grade.zh}幅度 {_unit_text(spec, low, high)}"
        elif spec.max_only:
            low, high = split.max_only[grade]
            (ln, ld), (hn, hd) = _ratio(low), _ratio(high)
            exact = ((self.high * ln, self.denominator * 100 * ld), (self.high * hn, self.denominator * 100 * hd))
            rule = f"只设上限的，{grade.zh}为上限的 {_pct(low, high)}"
        else:
            low, high = split.range[grade]
            (ln, ld), (hn, hd) = _ratio(low), _ratio(high)
            span = self.high - self.low
            exact = (
                (self.low * 100 * ld + span * ln, self.denominator * 100 * ld),
                (self.low * 100 * hd + span * hn, self.denominator * 100 * hd),
            )
            rule = f"{grade.zh}为法定幅度自下限起的 {_pct(low, high)}"
        lo = min(max(_ceil_div(*exact[0]), self.fen.low), self.fen.high)
        hi = max(min(exact[1][0] // exact[1][1], self.fen.high), lo)
        return FenRange(Fen(lo), Fen(hi)), rule


def _pct(low: Any, high: Any) -> str:
    return f"{high}%以下" if low == 0 else f"{low}%至{high}%"


def _unit_text(spec: AmountRange, low: Any, high: Any) -> str:
    if spec.unit is AmountUnit.YUAN:
        return f"{low}元至{high}元"
    base = spec.base.zh if spec.base else ""
    if spec.unit is AmountUnit.MULTIPLE:
        return f"{base}的{low}倍至{high}倍"
    return f"{base}的{low}%至{high}%"


def _base_amount(base: BaseKind, facts: CaseFacts, entry: BenchmarkEntry) -> int:
    try:
        return facts.bases[base]
    except KeyError:
        raise InvalidInput.at(
            base.value, f"“{entry.name}”的罚款按{base.zh}计算，请录入案件事实{base.zh}"
        ) from None


def _resolve(spec: AmountRange, facts: CaseFacts, entry: BenchmarkEntry) -> _Range:
    if spec.unit is AmountUnit.YUAN:
        fn, fd = 100, 1
    else:
        assert spec.base is not None  # validated: base amounts for multiples and percentages
        fn = _base_amount(spec.base, facts, entry)
        fd = 1 if spec.unit is AmountUnit.MULTIPLE else 100
    an, ad = _ratio(spec.minimum) if spec.minimum is not None else (0, 1)
    hn, hd = _ratio(spec.maximum)
    denominator = ad * hd * fd
    low, high = an * hd * fn, hn * ad * fn
    fen_low, fen_high = _ceil_div(low, denominator), high // denominator
    if fen_low > fen_high:
        raise InvalidInput.at(
            spec.base.value if spec.base else "amount",
            f"按{spec.base.zh if spec.base else '金额'}计算的罚款幅度不足一分，无法确定罚款数额",
        )
    return _Range(spec, (fn, fd), low, high, denominator, FenRange(Fen(fen_low), Fen(fen_high)))


def _select_range(rule: FineRule, facts: CaseFacts, entry: BenchmarkEntry) -> tuple[AmountRange, str | None]:
    amount = rule.amount
    if not isinstance(amount, TieredAmount):
        return amount, None
    base_fen = _base_amount(amount.base, facts, entry)
    index, tier = amount.tier_for(base_fen)
    if tier.below_yuan is not None:
        where = f"不足 {format_yuan(int(tier.below_yuan * 100))}"
    else:
        previous = amount.tiers[index - 1].below_yuan
        where = f"{format_yuan(int(previous * 100))}以上"  # type: ignore[operator]
    return tier.amount, f"{amount.base.zh} {format_yuan(base_fen)}，{where}，适用：{tier.amount.text}"


# ---------------------------------------------------------------------------------------------------------
# Findings


@lru_cache(maxsize=64)
def _simple_limit(day: date, party: PartyKind) -> tuple[int, str]:
    value = Statute(day).simple_procedure_limit(party)
    return value.value * 100, value.article


def _simple_procedure(
    grade: Grade, kinds: frozenset[PenaltyKind], alternatives: frozenset[PenaltyKind],
    recommended: FenRange | None, facts: CaseFacts,
) -> Finding:
    if grade is Grade.NO_PENALTY or recommended is None:
        return Finding(False, ("不予处罚，不作出行政处罚决定，不适用简易程序",))
    limit, article = _simple_limit(facts.decided_on, facts.party_kind)
    cite = f"《行政处罚法》{article}"
    other = kinds - SIMPLE_KINDS
    if other:
        names = "、".join(PENALTY_KIND_ZH[k] for k in PenaltyKind if k in other)
        return Finding(False, (f"拟给予{names}，超出{cite}规定的警告或者罚款，不适用简易程序",))
    party = PARTY_ZH[facts.party_kind]
    if recommended.high <= limit:
        return Finding(
            True,
            (f"建议罚款不超过 {format_yuan(recommended.high)}，在{cite}对{party}{format_yuan(limit)}以下的限额内，"
             "违法事实确凿并有法定依据的，可以适用简易程序当场作出决定",),
        )
    reasons = [f"建议罚款上限 {format_yuan(recommended.high)} 超过{cite}对{party}{format_yuan(limit)}的限额，适用普通程序"]
    if PenaltyKind.WARNING in alternatives:
        reasons.append(f"如仅给予警告，可以依{cite}适用简易程序")
    return Finding(False, tuple(reasons))


def _hearing(
    policy: AgencyPolicy, grade: Grade, kinds: frozenset[PenaltyKind], recommended: FenRange | None,
    measures: Sequence[Measure], facts: CaseFacts,
) -> Finding:
    if grade is Grade.NO_PENALTY or recommended is None:
        return Finding(False, ("不予处罚，无听证事项",))
    rule = policy.hearing
    source = f"（听证较大数额标准：{policy.named}）"
    reasons: list[str] = []
    threshold = rule.fine.for_party(facts.party_kind)
    if recommended.high >= threshold:
        reasons.append(
            f"建议罚款上限 {format_yuan(recommended.high)} 达到较大数额 {format_yuan(threshold)}，"
            f"应当告知听证权利（{HEARING_ARTICLE}第（一）项）"
        )
    confiscation = rule.confiscation.for_party(facts.party_kind)
    for measure in measures:
        if measure.kind.penalty_kind is None or not measure.mandatory or measure.base is None:
            continue
        value = facts.bases.get(measure.base)
        if value is not None and value >= confiscation:
            reasons.append(
                f"{measure.text}，{measure.base.zh} {format_yuan(value)} 达到较大数额 {format_yuan(confiscation)}，"
                f"应当告知听证权利（{HEARING_ARTICLE}第（二）项）"
            )
    heavy = kinds & rule.penalty_kinds
    if heavy:
        names = "、".join(PENALTY_KIND_ZH[k] for k in PenaltyKind if k in heavy)
        reasons.append(f"拟给予{names}，应当告知听证权利（{HEARING_ARTICLE}第（三）项、第（四）项）")
    if not reasons:
        return Finding(False, (f"建议罚款上限 {format_yuan(recommended.high)} 未达到较大数额 {format_yuan(threshold)}，"
                               f"且无其他应当听证的处罚种类，不告知听证权利{source}",))
    return Finding(True, (*reasons, source.strip("（）")))


def _major(
    policy: AgencyPolicy, grade: Grade, kinds: frozenset[PenaltyKind], recommended: FenRange | None,
    hearing: Finding, facts: CaseFacts, *, commanded: bool = False,
) -> Finding:
    if grade is Grade.NO_PENALTY or recommended is None:
        return Finding(False, ("不予处罚，不属于重大执法决定（仍应依法进行教育并记录）",))
    catalogue = policy.major_decision
    reasons: list[str] = []
    threshold = catalogue.fine.for_party(facts.party_kind)
    if recommended.high >= threshold:
        reasons.append(f"建议罚款上限 {format_yuan(recommended.high)} 达到重大执法决定目录的 {format_yuan(threshold)}")
    heavy = kinds & catalogue.penalty_kinds
    if heavy:
        names = "、".join(PENALTY_KIND_ZH[k] for k in PenaltyKind if k in heavy)
        reasons.append(f"拟给予{names}，属于重大执法决定目录所列处罚种类")
    if grade is Grade.MITIGATED and catalogue.benchmark_deviation and not commanded:  # the law's own 减轻 is no deviation
        reasons.append("减轻处罚（低于法定最低限）属于偏离裁量基准（benchmark deviation），列入重大执法决定")
    source = f"重大执法决定目录：{policy.named}"
    if reasons:
        return Finding(True, (*reasons, f"应当经法制审核（《行政处罚法》第五十八条）；{source}"))
    notes = [f"未达到重大执法决定目录标准（{source}）"]
    if hearing.applies and catalogue.after_hearing:
        notes.append("如举行听证，听证后作出的决定属于重大执法决定，应当经法制审核")
    return Finding(False, tuple(notes))


# ---------------------------------------------------------------------------------------------------------
# Assessment


def _resolve_circumstances(entry: BenchmarkEntry, facts: CaseFacts, lookup: Lookup) -> tuple[Circumstance, ...]:
    found: list[Circumstance] = []
    problems: list[Refusal] = []
    for key in facts.circumstances:
        circumstance = lookup.get(key)
        if circumstance is None:
            problems.append(Refusal("unknown_circumstance", f"未知情节：{key}（见情节目录）", field="circumstances"))
        elif facts.party_kind not in circumstance.party_kinds:
            problems.append(
                Refusal(
                    "circumstance_party_kind",
                    f"情节“{circumstance.name}”只适用于"
                    + "、".join(PARTY_ZH[p] for p in PartyKind if p in circumstance.party_kinds),
                    field="circumstances",
                )
            )
        elif circumstance not in found:
            found.append(circumstance)
    if problems:
        raise InvalidInput(problems)
    return tuple(found)


def _assess_in(
    benchmark: BenchmarkSet, entry: BenchmarkEntry, facts: CaseFacts, policy: AgencyPolicy, lookup: Lookup
) -> Assessment:
    rule = entry.fine_for(facts.party_kind)
    if rule is None:
        raise InvalidInput.at(
            "party_kind", f"裁量基准“{entry.name}”没有对{PARTY_ZH[facts.party_kind]}的罚款规定"
        )
    circumstances = _resolve_circumstances(entry, facts, lookup)
    decision = combine(circumstances)
    grade = decision.grade
    basis = rule.basis or entry.penalty_basis
    explanation = [
        f"适用裁量基准：{benchmark.title}“{entry.name}”（{entry.cause}）" if entry.short_name else
        f"适用裁量基准：{benchmark.title}“{entry.cause}”",
        f"违法依据：{'；'.join(b.cite() for b in entry.violation_basis)}；处罚依据：{basis.cite()}",
    ]
    spec, tier_line = _select_range(rule, facts, entry)
    if tier_line:
        explanation.append(tier_line)
    else:
        explanation.append(f"法定罚款：{spec.text}")
    resolved = _resolve(spec, facts, entry)
    explanation.append(f"法定罚款幅度：{resolved.fen.describe(spec.max_only)}")
    if rule.condition:
        explanation.append(f"罚款仅适用于：{rule.condition}")
    explanation.extend(f"情节：{c.describe()}" for c in circumstances)
    explanation.extend(f"裁量阶次：{reason}" for reason in decision.reasons)

    recommended: FenRange | None
    if grade is Grade.NO_PENALTY:
        recommended = None
        explanation.append("裁量结果：不予处罚")
        explanation.extend(f"另：{c.note}" for c in circumstances if c.note and c.effect.value == "no_penalty")
    elif grade is Grade.MITIGATED and resolved.fen.low > 0:
        recommended = FenRange(Fen(0), Fen(resolved.fen.low - 1))
        commanding = [c for c in circumstances if c.effect is Effect.MITIGATE and c.strength is Strength.MANDATORY]
        explanation.append(
            f"减轻处罚：罚款低于法定最低限 {format_yuan(resolved.fen.low)}，依照{bar_article(commanding)}为法律所允许，不属于偏离裁量基准"
            if commanding else f"减轻处罚：罚款低于法定最低限 {format_yuan(resolved.fen.low)}，须书面说明理由并经法制审核"
        )
    elif grade is Grade.MITIGATED:
        recommended, rule_text = resolved.band(Grade.LIGHTER, benchmark.split_rules)
        explanation.append(
            f"减轻处罚：法定罚款无下限，按{rule_text}掌握（{recommended.describe()}）"
            + ("，或者给予警告" if PenaltyKind.WARNING in rule.alternatives else "")
        )
    else:
        recommended, rule_text = resolved.band(grade, benchmark.split_rules)
        explanation.append(f"{grade.zh}阶次罚款幅度：{recommended.describe()}（{rule_text}）")
    if recommended is not None and PenaltyKind.WARNING in rule.alternatives:
        explanation.append(f"亦可依{basis.cite()}给予警告")

    responsible = None
    if entry.responsible_persons is not None and facts.party_kind is PartyKind.ORGANISATION:
        rp = entry.responsible_persons
        rp_range = _resolve(rp.amount, facts, entry)
        rp_band = None
        if grade is not Grade.NO_PENALTY:
            rp_grade = Grade.LIGHTER if grade is Grade.MITIGATED else grade
            rp_band = rp_range.band(rp_grade, benchmark.split_rules)[0]
        responsible = ResponsiblePersonAssessment(rp.text or rp.amount.text, rp_range.fen, rp_band)
        explanation.append(
            f"同时对{rp.text or '责任人员'}：{rp.amount.text}；法定幅度 {rp_range.fen.describe()}"
            + (f"，建议 {rp_band.describe()}" if rp_band else "")
        )

    if grade is Grade.NO_PENALTY:
        measures = tuple(m for m in entry.measures if m.kind.penalty_kind is None)
        kinds: frozenset[PenaltyKind] = frozenset()
        alternatives: frozenset[PenaltyKind] = frozenset()
    else:
        measures = entry.measures
        # The statute's kinds, less the ones that only stand in for the fine (警告); confiscations are
        # recommended only through the entry's mandatory measures (可以没收 stays a choice); the fine stays.
        all_alternatives = frozenset().union(*(r.alternatives for r in entry.fines))
        confiscations = {m.penalty_kind for m in MeasureKind if m.penalty_kind is not None}
        kinds = (
            (entry.penalty_kinds - all_alternatives - confiscations)
            | {PenaltyKind.FINE}
            | {m.kind.penalty_kind for m in measures if m.mandatory and m.kind.penalty_kind is not None}
        )
        alternatives = rule.alternatives
        if entry.serious is not None and any(c.id == SERIOUS for c in circumstances):
            kinds |= entry.serious.penalty_kinds
            explanation.append(f"情节严重：{entry.serious.text}（{entry.penalty_basis.cite()}）")
    if measures:
        explanation.append("措施：" + "；".join(m.text + ("" if m.mandatory else "（可以）") for m in measures))

    bars = tuple(c for c in circumstances if c.effect is Effect.NO_PENALTY and c.strength is Strength.MANDATORY)
    commanded = tuple(c for c in circumstances if c.effect is Effect.MITIGATE and c.strength is Strength.MANDATORY)
    ceiling = resolved.band(Grade.LIGHTER, benchmark.split_rules)[0].high if commanded else None
    if commanded and not bars:
        explanation.append(f"法定应当从轻或者减轻：{'、'.join(c.describe() for c in commanded)}；罚款不得超过从轻阶次上限 "
                           f"{format_yuan(ceiling)}（可低于法定最低限减轻处罚）")  # type: ignore[arg-type]
    simple = _simple_procedure(grade, kinds, alternatives, recommended, facts)
    hearing = _hearing(policy, grade, kinds, recommended, measures, facts)
    major = _major(policy, grade, kinds, recommended, hearing, facts, commanded=bool(commanded))
    explanation.extend(f"简易程序：{r}" for r in simple.reasons)
    explanation.extend(f"听证：{r}" for r in hearing.reasons)
    explanation.extend(f"法制审核：{r}" for r in major.reasons)
    if entry.note:
        explanation.append(f"说明：{entry.note}")

    return Assessment(
        entry=entry.id,
        cause=entry.cause,
        benchmark_id=benchmark.id,
        benchmark_version=benchmark.version,
        party_kind=facts.party_kind,
        penalty_basis=basis.cite(),
        violation_basis=tuple(b.cite() for b in entry.violation_basis),
        statutory_range=resolved.fen,
        max_only=spec.max_only,
        grade=grade,
        recommended_range=recommended,
        penalty_kinds=kinds,
        alternatives=alternatives,
        measures=measures,
        responsible_person=responsible,
        fine_condition=rule.condition,
        circumstances=tuple(c.id for c in circumstances),
        simple_procedure=simple,
        hearing_right=hearing,
        major=major,
        deviation_is_major=policy.major_decision.benchmark_deviation,
        explanation=tuple(explanation),
        bars=bars,
        mandatory_mitigation=commanded,
        lighter_ceiling=Fen(ceiling) if ceiling is not None else None,
    )


def severity_key(assessment: Assessment) -> tuple[int, int, int, int, int, int]:
    """How heavy an assessment is, for 从旧兼从轻 (Art. 37). Smaller is lighter; compared in order:

    1. no penalty at all is lighter than any penalty;
    2. the heaviest penalty kind recommended (Art. 9 order, ``penalties.SEVERITY``);
    3. the recommended fine's upper bound, then 4. its lower bound;
    5. the statutory maximum, then 6. the statutory minimum.
    """
    recommended = assessment.recommended_range
    return (
        0 if assessment.grade is Grade.NO_PENALTY else 1,
        max((SEVERITY[k] for k in assessment.penalty_kinds), default=0),
        recommended.high if recommended else 0,
        recommended.low if recommended else 0,
        assessment.statutory_range.high,
        assessment.statutory_range.low,
    )


def assess(library: BenchmarkLibrary, entry_id: str, facts: CaseFacts, policy: AgencyPolicy) -> Assessment:
    """Assess one cause (行政处罚法第三十七条: 适用违法行为发生时的法律、法规、规章的规定；但是，作出行政处罚决定时，
    法律、法规、规章已被修改或者废止，且新的规定处罚较轻或者不认为是违法的，适用新的规定).

    The benchmark version in force on the act date applies. An act before the set took effect is assessed under
    the entry when the statute wording it encodes was already in force (``wording_from``), or an earlier wording
    it holds was. Where an earlier wording was in force on the act date, the act is judged under it unless the
    present wording is strictly lighter by :func:`severity_key`; likewise a different set version in force on the
    decision date applies only if strictly lighter. Raises :class:`UnknownEntry` if neither the entry's sets nor
    its statute wordings reach back to the act date, and :class:`InvalidInput` for missing or contradictory facts.
    """
    old = library.set_for(entry_id, facts.act_date)
    if old is None:
        holders = [s for s in library.sets if s.entry(entry_id) is not None]
        if not holders:
            raise UnknownEntry(f"裁量基准中没有条目 {entry_id}")
        old = library.set_for(entry_id, facts.decided_on) or max(holders, key=lambda s: s.effective_from)
        if not old.entry(entry_id).wording_in_force_on(facts.act_date):  # type: ignore[union-attr]
            raise UnknownEntry(f"违法行为发生时（{facts.act_date.isoformat()}）没有生效的裁量基准包含条目 {entry_id}，"
                               "其所依据的条文当时亦未施行")
    chosen = _by_wording(old, old.entry(entry_id), facts, policy, library)  # type: ignore[arg-type]
    new = library.set_for(entry_id, facts.decided_on)
    if new is None or new is old:
        return chosen
    entry = new.entry(entry_id)
    candidate = _assess_in(new, entry, facts, policy, _lookup(library, entry))  # type: ignore[arg-type]
    when = f"违法行为发生时适用 {old.version} 版，作出决定时 {new.version} 版已生效"
    if severity_key(candidate) < severity_key(chosen):
        note = f"从旧兼从轻：{when}且处罚较轻，适用新版（《行政处罚法》第三十七条）"
        return _with_note(candidate, note)
    note = f"从旧兼从轻：{when}但处罚不轻于旧版，适用违法行为发生时的 {old.version} 版（《行政处罚法》第三十七条）"
    return _with_note(chosen, note)


def _by_wording(benchmark: BenchmarkSet, entry: BenchmarkEntry, facts: CaseFacts, policy: AgencyPolicy,
                library: BenchmarkLibrary) -> Assessment:
    """The entry assessed under the statute wording in force on the act date: its present one, or — when an earlier
    wording was in force then — that one unless the present wording, in force on the decision date, is lighter."""
    lookup = _lookup(library, entry)
    present = _assess_in(benchmark, entry, facts, policy, lookup)
    earlier = entry.earlier_on(facts.act_date)
    if earlier is None:
        return present
    then = replace(entry, penalty_basis=earlier.penalty_basis, fines=earlier.fines,
                   responsible_persons=earlier.responsible_persons)  # the old wording's own, never the new one's
    former = _assess_in(benchmark, then, facts, policy, lookup)
    when = (f"违法行为发生时（{facts.act_date.isoformat()}）适用{earlier.penalty_basis.cite()}（{earlier.valid_from.isoformat()}至"
            f"{earlier.valid_to.isoformat()}施行的条文，{earlier.source}），作出决定时适用{entry.penalty_basis.cite()}")
    if facts.decided_on > earlier.valid_to and severity_key(present) < severity_key(former):
        return _with_note(present, f"从旧兼从轻：{when}；新的规定处罚较轻，适用新的规定（《行政处罚法》第三十七条）")
    return _with_note(former, f"从旧兼从轻：{when}；新的规定处罚不轻于旧的规定，适用违法行为发生时的规定（《行政处罚法》第三十七条）")


def assess_causes(
    library: BenchmarkLibrary, entry_ids: Sequence[str], facts: CaseFacts, policy: AgencyPolicy
) -> tuple[Assessment, ...]:
    """One assessment per cause, in order; every cause must assess, or the first failure is raised."""
    return tuple(assess(library, entry_id, facts, policy) for entry_id in entry_ids)


def _lookup(library: BenchmarkLibrary, entry: BenchmarkEntry) -> Lookup:
    return Lookup(library.catalogue, entry.circumstances)


def _with_note(assessment: Assessment, note: str) -> Assessment:
    lines = list(assessment.explanation)
    return replace(assessment, explanation=(lines[0], note, *lines[1:]))


# ---------------------------------------------------------------------------------------------------------
# Checking a proposed penalty


@dataclass(frozen=True)
class PenaltyCheck:
    """The verdict on a proposed fine. ``accepted`` is False iff ``refusals`` is non-empty.

    ``deviation`` is True when the proposal leaves the benchmark (below the minimum or outside the
    recommended grade range); a deviation needs a written reason and, under the agency's catalogue,
    makes the decision major (``legal_review``).
    """

    accepted: bool
    deviation: bool
    legal_review: bool
    refusals: tuple[Refusal, ...]
    messages: tuple[str, ...]
    mitigated: bool = False  # below the statutory minimum as a 应当从轻或者减轻 circumstance allows (减轻), not a deviation

    def raise_if_refused(self) -> None:
        if self.refusals:
            raise RuleViolation(self.refusals)


def _check_amount(
    label: str, amount: int, statutory: FenRange, recommended: FenRange | None, basis: str,
    refusals: list[Refusal], messages: list[str],
) -> bool:
    """Checks one amount; returns True if it deviates from the benchmark."""
    if amount < 0:
        refusals.append(Refusal("negative_fine", f"{label}不能为负数", field="fine"))
        return False
    if amount > statutory.high:
        refusals.append(
            Refusal(
                "fine_above_statutory_maximum",
                f"{label} {format_yuan(amount)} 超过法定最高限额 {format_yuan(statutory.high)}（{basis}），不得作出",
                article=basis,
                field="fine",
            )
        )
        return False
    if amount < statutory.low:
        messages.append(f"{label} {format_yuan(amount)} 低于法定最低限 {format_yuan(statutory.low)}，属于减轻处罚")
        return True
    if recommended is None:
        messages.append(f"裁量结果为不予处罚，拟处{label} {format_yuan(amount)} 偏离裁量基准")
        return True
    if amount not in recommended:
        messages.append(f"{label} {format_yuan(amount)} 超出建议幅度 {recommended.describe()}，偏离裁量基准")
        return True
    messages.append(f"{label} {format_yuan(amount)} 在建议幅度 {recommended.describe()} 内")
    return False


def check_penalty(
    assessment: Assessment,
    fine: Fen | None,
    reason: str = "",
    responsible_person_fine: Fen | None = None,
) -> PenaltyCheck:
    """Check a proposed fine (fen; ``None`` = no fine) against an assessment.

    Refused: any amount above the statutory maximum or negative; a deviation without a written reason.
    A deviation with a reason is accepted and marked for legal review when the agency's catalogue
    lists benchmark deviations (``AgencyPolicy.major_decision.benchmark_deviation``).
    """
    refusals: list[Refusal] = []
    messages: list[str] = []
    deviation = False
    if assessment.bars:
        return _barred(assessment, fine)
    if assessment.mandatory_mitigation and fine is not None:
        return _commanded(assessment, fine, reason, responsible_person_fine)
    if fine is None and assessment.grade is not Grade.NO_PENALTY:
        if PenaltyKind.WARNING in assessment.alternatives:
            messages.append(f"不处罚款而给予警告，为{assessment.penalty_basis}规定的可选处罚种类")
        else:
            deviation = _check_amount(
                "罚款", 0, assessment.statutory_range, assessment.recommended_range, assessment.penalty_basis,
                refusals, messages,
            )
    elif fine is not None:
        deviation = _check_amount(
            "罚款", fine, assessment.statutory_range, assessment.recommended_range, assessment.penalty_basis,
            refusals, messages,
        )
    rp = assessment.responsible_person
    if responsible_person_fine is not None:
        if rp is None:
            refusals.append(Refusal("no_responsible_person_fine", "本条目没有对责任人员处罚款的规定", field="responsible_person_fine"))
        else:
            deviation |= _check_amount(
                "责任人员罚款", responsible_person_fine, rp.statutory_range, rp.recommended_range,
                assessment.penalty_basis, refusals, messages,
            )
    if deviation and not reason.strip():
        refusals.append(
            Refusal(
                "benchmark_deviation_reason",
                "偏离裁量基准（含减轻处罚）须书面说明理由，并报法制审核",
                field="reason",
            )
        )
    legal_review = assessment.major.applies or (deviation and assessment.deviation_is_major)
    if deviation and reason.strip():
        messages.append(f"偏离裁量基准的理由：{reason.strip()}")
        if assessment.deviation_is_major:
            messages.append("偏离裁量基准（benchmark deviation），属于重大执法决定，应当经法制审核")
    return PenaltyCheck(not refusals, deviation, legal_review, tuple(refusals), tuple(messages))


def bar_article(circumstances: Sequence[Circumstance]) -> str:
    """The articles of the law's 应当 circumstances, as a refusal cites them: ``行政处罚法第三十条``."""
    cited: list[str] = []
    for c in circumstances:
        if c.basis is not None:
            text = f"{c.basis.law}{c.basis.article}{c.basis.paragraph or ''}"
            if text not in cited:
                cited.append(text)
    return "、".join(cited)


def _barred(assessment: Assessment, fine: Fen | None) -> PenaltyCheck:
    """不予行政处罚 where the law says so: no fine, whatever reason is written (a bar is not a deviation)."""
    names = "、".join(c.describe() for c in assessment.bars)
    article = bar_article(assessment.bars)
    if not fine:
        return PenaltyCheck(True, False, False, (), (f"{names}：不予行政处罚",))
    refusal = Refusal("mandatory_no_penalty", f"当事人{names.replace('：应当不予处罚', '')}，依照{article}的规定不予行政处罚，"
                      f"不得处以罚款（拟罚款 {format_yuan(fine)}）；书面理由不能改变法律的规定", article, "fine")
    return PenaltyCheck(False, False, False, (refusal,), ())


def _commanded(assessment: Assessment, fine: Fen, reason: str, responsible_person_fine: Fen | None) -> PenaltyCheck:
    """应当从轻或者减轻 (Art. 30, 32): a fine within the lighter grade, or below the statutory minimum (减轻, an
    allowed result of one such circumstance, not a deviation); above the lighter grade it is refused."""
    names = "、".join(c.name for c in assessment.mandatory_mitigation)
    article = bar_article(assessment.mandatory_mitigation)
    statutory, ceiling = assessment.statutory_range, assessment.lighter_ceiling
    refusals: list[Refusal] = []
    messages: list[str] = []
    mitigated = False
    if fine < 0:
        refusals.append(Refusal("negative_fine", "罚款不能为负数", field="fine"))
    elif fine > statutory.high:
        refusals.append(Refusal("fine_above_statutory_maximum", f"罚款 {format_yuan(fine)} 超过法定最高限额 {format_yuan(statutory.high)}"
                                f"（{assessment.penalty_basis}），不得作出", assessment.penalty_basis, "fine"))
    elif ceiling is not None and fine > ceiling:
        refusals.append(Refusal("mandatory_mitigation", f"当事人具有{names}的情形，依照{article}的规定应当从轻或者减轻行政处罚：罚款 "
                                f"{format_yuan(fine)} 超过从轻处罚幅度上限 {format_yuan(ceiling)}，不得作出", article, "fine"))
    elif fine < statutory.low:
        mitigated = True
        messages.append(f"罚款 {format_yuan(fine)} 低于法定最低限 {format_yuan(statutory.low)}，依照{article}减轻处罚（{names}）")
    else:
        messages.append(f"罚款 {format_yuan(fine)} 在从轻处罚幅度内（不超过 {format_yuan(ceiling or statutory.high)}），依照{article}从轻处罚（{names}）")
    deviation = False
    rp = assessment.responsible_person
    if responsible_person_fine is not None:  # the responsible person's fine: judged by the benchmark as before
        if rp is None:
            refusals.append(Refusal("no_responsible_person_fine", "本条目没有对责任人员处罚款的规定", field="responsible_person_fine"))
        else:
            deviation = _check_amount("责任人员罚款", responsible_person_fine, rp.statutory_range, rp.recommended_range,
                                      assessment.penalty_basis, refusals, messages)
    if deviation and not reason.strip():
        refusals.append(Refusal("benchmark_deviation_reason", "偏离裁量基准（含减轻处罚）须书面说明理由，并报法制审核", field="reason"))
    legal_review = assessment.major.applies or (deviation and assessment.deviation_is_major)
    return PenaltyCheck(not refusals, deviation, legal_review, tuple(refusals), tuple(messages), mitigated)
