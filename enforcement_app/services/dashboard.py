"""The dashboard: a picture of the agency's work for its heads and administrators — cases by stage, the overdue ones
by the deadline they missed, decisions and fines by month, the outcome of legal reviews, the scores of evaluated
case files — and the list of cases behind each bar.

The numbers are SQL over the case table and the evaluation streams (:mod:`..store.dashboard`); here they are
named in Chinese, put in the order a reader expects (stages in the order of the procedure, months of the year)
and checked against the permission ``view_dashboard`` (``resources/permissions.json``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from ..domain.case import STAGE_ZH, Stage
from ..domain.labels import REVIEW_OUTCOME_ZH
from ..store import dashboard as dashboard_store
from .core import SessionCore

REVIEW_ORDER = ("approve", "return", "disapprove", "pending")
REVIEW_ZH = {**REVIEW_OUTCOME_ZH, "approve": "通过", "pending": "待审核"}
EVALUATION_ORDER = ("veto", "below_60", "060", "070", "080", "090")


@dataclass(frozen=True)
class Bar:
    key: str  # the bucket, as :func:`dashboard_cases` takes it
    label: str
    count: int  # cases
    amount_fen: int = 0  # the fines of those cases (decisions and fines)


@dataclass(frozen=True)
class Chart:
    measure: str  # a key of ``store.dashboard.MEASURES``
    title: str
    bars: tuple[Bar, ...]
    note: str = ""  # what exactly is counted
    money: bool = False  # the bars are amounts (fen), not counts of cases


@dataclass(frozen=True)
class Dashboard:
    today: date
    year: int  # the year of the decisions and fines charts
    years: tuple[int, ...]  # the years with decisions, the latest first
    cases: int
    charts: tuple[Chart, ...]

    def chart(self, measure: str) -> Chart:
        return next(c for c in self.charts if c.measure == measure)


def dashboard(session: SessionCore, year: int | None = None) -> Dashboard:
    """The numbers as of today; decisions and fines of ``year`` (this year by default)."""
    session.require("view_dashboard")
    services = session.services
    db, today = services.db, services.today()
    year = year or today.year

    def counted(measure: str) -> dict[str, tuple[int, int]]:
        return dashboard_store.counts(db, measure, today=today, year=year)

    stages = counted("stage")
    overdue = counted("overdue")
    decisions, fines = counted("decisions"), counted("fines")
    reviews, evaluations = counted("reviews"), counted("evaluations")
    months = [f"{year:04d}-{m:02d}" for m in range(1, 13)]
    charts = (
        Chart("stage", "各阶段案件数", tuple(Bar(s.value, STAGE_ZH[s], stages.get(s.value, (0, 0))[0]) for s in Stage),
              f"全部案件 {sum(n for n, _ in stages.values())} 件，按当前所处阶段"),
        Chart("overdue", "逾期案件（按期限）", tuple(Bar(rule, rule, n) for rule, (n, _a) in sorted(overdue.items(), key=lambda kv: (-kv[1][0], kv[0]))),
              f"本机关的下一期限已过的未结案件，截至{today.isoformat()}"),
        Chart("decisions", f"{year}年各月作出的决定", tuple(Bar(m, f"{int(m[5:])}月", decisions.get(m, (0, 0))[0], decisions.get(m, (0, 0))[1])
                                                    for m in months), "处罚、不予处罚、撤销案件、移送，均计；按决定日期"),
        Chart("fines", f"{year}年各月决定的罚款", tuple(Bar(m, f"{int(m[5:])}月", fines.get(m, (0, 0))[0], fines.get(m, (0, 0))[1]) for m in months),
              "决定书载明的罚款金额（元），按决定日期", money=True),
        Chart("reviews", "法制审核结论", tuple(Bar(k, REVIEW_ZH[k], reviews.get(k, (0, 0))[0]) for k in REVIEW_ORDER),
              "经法制审核的案件，按最近一次审核的结论"),
        Chart("evaluations", "案卷评查得分", tuple(Bar(k, _band_zh(k), evaluations.get(k, (0, 0))[0]) for k in EVALUATION_ORDER),
              "已作出最终评查结论的案卷，按得分"),
    )
    return Dashboard(today, year, tuple(dashboard_store.decision_years(db)) or (today.year,), dashboard_store.total_cases(db), charts)


def dashboard_cases(session: SessionCore, measure: str, key: str, year: int | None = None) -> list[dict[str, Any]]:
    """The cases behind one bar of the dashboard (the case list's columns), the latest registered first."""
    session.require("view_dashboard")
    if measure not in dashboard_store.MEASURES:
        raise KeyError(measure)
    services = session.services
    today = services.today()
    return dashboard_store.cases(services.db, measure, key, today=today, year=year or today.year)


def _band_zh(key: str) -> str:
    if key == "veto":
        return "否决（不合格）"
    if key == "below_60":
        return "不足60分"
    low = int(key)
    return f"{low}分及以上" if low >= 90 else f"{low}–{low + 9}分"
