"""Discretion grades (裁量阶次) and the one rule that combines circumstances into a grade.

The rule (documented in ``resources/benchmarks/README.md``; keep the two in step):

1. A mandatory no-penalty circumstance (Art. 30 under 14, Art. 31 incapacity, Art. 33 ¶1 first sentence,
   Art. 33 ¶2 no fault) → ``no_penalty``, whatever else is present.
2. A discretionary no-penalty circumstance (Art. 33 ¶1 首违不罚) → ``no_penalty`` when no aggravating
   circumstance is present; otherwise it counts as one lightening circumstance below.
3. ``mitigated`` (减轻) when no aggravating circumstance is present, at least one circumstance allows
   mitigation (effect ``mitigate``: Art. 30 14–18, Art. 31 partial capacity, Art. 32) and at least two
   lightening circumstances are present in all.
4. Otherwise, if any mandatory lightening circumstance is present (应当从轻或者减轻), the grade is
   ``lighter``: a benchmark cannot override the statute's 应当, so aggravation never outweighs it.
5. Otherwise lightening and aggravating circumstances net out one for one: more lightening →
   ``lighter``, equal (including none) → ``general``, more aggravating → ``heavier``.

Adding an aggravating circumstance never lowers the grade and adding a lightening one never raises it;
``tests/discretion`` checks both properties.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .circumstances import Circumstance, Effect, Strength


class Grade(StrEnum):
    """Discretion grades (裁量阶次), declared from lightest to heaviest; ``rank`` orders them."""

    NO_PENALTY = "no_penalty"
    MITIGATED = "mitigated"
    LIGHTER = "lighter"
    GENERAL = "general"
    HEAVIER = "heavier"

    @property
    def rank(self) -> int:
        return _GRADE_RANK[self]

    @property
    def zh(self) -> str:
        return GRADE_ZH[self]


_GRADE_RANK = {grade: i for i, grade in enumerate(Grade)}
GRADE_ZH = {
    Grade.NO_PENALTY: "不予处罚",
    Grade.MITIGATED: "减轻处罚",
    Grade.LIGHTER: "从轻处罚",
    Grade.GENERAL: "一般",
    Grade.HEAVIER: "从重处罚",
}
#: Grades whose sub-range lies inside the statutory range; they are what split rules divide.
RANGE_GRADES = (Grade.LIGHTER, Grade.GENERAL, Grade.HEAVIER)



@dataclass(frozen=True)
class GradeDecision:
    grade: Grade
    reasons: tuple[str, ...]  # Chinese, each naming the circumstances and the step of the rule used


def combine(circumstances: Iterable[Circumstance]) -> GradeDecision:
    """Apply the combination rule above to the circumstances found in a case (order does not matter)."""
    present = sorted(set(circumstances), key=lambda c: c.id)
    aggravating = [c for c in present if c.effect is Effect.HEAVIER]
    absolute = [c for c in present if c.effect is Effect.NO_PENALTY and c.strength is Strength.MANDATORY]
    if absolute:
        names = "、".join(c.name for c in absolute)
        return GradeDecision(Grade.NO_PENALTY, (f"具有法定应当不予处罚情节（{names}），不予处罚，其他情节不再考虑",))
    exemptions = [c for c in present if c.effect is Effect.NO_PENALTY]
    if exemptions and not aggravating:
        names = "、".join(c.name for c in exemptions)
        return GradeDecision(Grade.NO_PENALTY, (f"具有可以不予处罚情节（{names}）且无从重情节，建议不予处罚",))
    lightening = [c for c in present if c.effect.mitigating]
    reasons: list[str] = []
    if exemptions:
        names = "、".join(c.name for c in exemptions)
        reasons.append(f"可以不予处罚情节（{names}）因同时存在从重情节不适用免罚，按从轻情节计")
    allow_mitigation = [c for c in lightening if c.effect is Effect.MITIGATE]
    if not aggravating and allow_mitigation and len(lightening) >= 2:
        names = "、".join(c.name for c in lightening)
        reasons.append(f"无从重情节，具有可以减轻的情节且从轻、减轻情节共 {len(lightening)} 项（{names}），减轻处罚")
        return GradeDecision(Grade.MITIGATED, tuple(reasons))
    mandatory = [c for c in lightening if c.strength is Strength.MANDATORY]
    if mandatory:
        names = "、".join(c.name for c in mandatory)
        suffix = "；从重情节不能抵消法定应当从轻、减轻情节" if aggravating else ""
        reasons.append(f"具有法定应当从轻或者减轻情节（{names}），从轻处罚{suffix}")
        return GradeDecision(Grade.LIGHTER, tuple(reasons))
    net = len(lightening) - len(aggravating)
    grade = Grade.LIGHTER if net > 0 else Grade.HEAVIER if net < 0 else Grade.GENERAL
    if not lightening and not aggravating:
        reasons.append("无从轻、从重情节，按一般阶次")
    else:
        reasons.append(
            f"从轻情节 {len(lightening)} 项、从重情节 {len(aggravating)} 项，相互抵消后为{grade.zh}"
            + ("阶次" if grade is Grade.GENERAL else "")
        )
    return GradeDecision(grade, tuple(reasons))
