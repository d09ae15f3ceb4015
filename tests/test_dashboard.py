"""The dashboard: its numbers are what the cases of a real database say (counted here from each case's own record,
folded from its events, not from the case table the dashboard reads); clicking a bar lists exactly the cases
behind it, and one of them opens in its workspace; only heads and administrators may see it."""

# ruff: noqa: F811 - the fixtures of test_client are imported, then asked for by name
from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date

import pytest
import steps
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton
from test_client import chinese, clients, settle  # noqa: F401 - fixtures

from enforcement_app.domain.refusals import PermissionDenied

SPOT = {"place": "惠风路路口", "cause": "标签瑕疵经责令改正拒不改正", "facts": "预包装食品标签瑕疵，经责令改正拒不改正",
        "basis": "《中华人民共和国食品安全法》第一百二十五条第二款", "certificates_shown": True, "penalty_kinds": ["fine"]}


def _spot(world, at: str, fine_yuan: int, n: int) -> str:
    world.clock.set(at)
    return world.as_(world.officer_a).record_simple_decision({
        **SPOT, "at": at[:16], "form_no": f"No.00{n}", "fine_fen": fine_yuan * 100,
        "officers": [world.officer_a.id, world.officer_b.id], "party_id": world.person.id})


def _decide_all(sheet) -> dict:
    """Every item decided: each suggestion confirmed, the items without one given full points and no veto."""
    return {line.item.id: ({"confirm": True} if line.suggestion else {"veto": False} if line.item.group == "veto" else {"score": line.item.points})
            for line in sheet.lines}


@pytest.fixture
def agency(world, tmp_path):
    """An agency's cases at every turn: a lead, a filing asked, investigations, a review returned and one pending,
    decisions in three months (a closed and evaluated file, a paid one, two on the spot), and time gone by since."""
    def afresh():  # each walk starts on the world's first day, as the steps expect
        world.clock.set("2025-03-03T09:00:00")

    lead = steps.lead(world, world.company)
    asked = steps.lead(world, world.person)
    steps.request_filing(world, asked)
    investigating = steps.investigated(world, world.person)
    afresh()
    returned = steps.investigated(world, world.company)
    world.clock.set("2025-03-10T09:00:00")
    steps.report(world, returned)
    steps.submit_review(world, returned)
    steps.review(world, returned, "return", corrections="补充货值金额证据")
    afresh()
    pending = steps.investigated(world, world.company)
    world.clock.set("2025-03-10T09:00:00")
    steps.report(world, pending)
    steps.submit_review(world, pending)
    afresh()
    closed, _photos = steps.closed_case(world, tmp_path)
    evaluator = world.as_(world.evaluator)
    evaluator.record_evaluation(closed, _decide_all(evaluator.evaluation_sheet(closed)), final=True)
    afresh()
    (tmp_path / "paid").mkdir()
    paid, _ = steps.paid_case(world, tmp_path / "paid")
    spots = [_spot(world, "2025-04-10T10:00:00", 200, 1), _spot(world, "2025-05-20T15:00:00", 100, 2)]
    world.clock.set("2025-09-01T09:00:00")  # months later: the open cases' deadlines have passed
    return {"lead": lead, "asked": asked, "investigating": investigating, "returned": returned, "pending": pending,
            "closed": closed, "paid": paid, "spots": spots}


def _case_ids(world) -> list[str]:
    """Every case of the database: every stream of case events (not the case table)."""
    return [r[0] for r in world.services.db.execute("SELECT DISTINCT stream FROM event WHERE instr(stream, '/') = 0")]


def _expected(world) -> dict[str, dict[str, set[str]]]:
    """Per chart, per bar: the cases it must count, from each case's state and deadlines as the domain folds them."""
    head = world.as_(world.head)
    today = world.clock().date()
    out: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    fines: dict[str, int] = Counter()
    for case_id in _case_ids(world):
        view = head.view(case_id)
        s = view.state
        out["stage"][s.stage.value].add(case_id)
        open_deadlines = sorted((d for d in view.deadlines if d.owner == "agency" and d.met_on is None), key=lambda d: d.due)
        if s.open and open_deadlines and open_deadlines[0].due < today:
            out["overdue"][open_deadlines[0].name].add(case_id)
        if s.decided_on and s.decided_on.year == today.year:
            month = s.decided_on.isoformat()[:7]
            out["decisions"][month].add(case_id)
            if int(s.decision.get("fine_fen", 0)):
                out["fines"][month].add(case_id)
                fines[month] += int(s.decision["fine_fen"])
        if s.review_pending:
            out["reviews"]["pending"].add(case_id)
        elif s.review:
            out["reviews"][s.review["outcome"]].add(case_id)
        evaluations = world.services.db.execute("SELECT payload FROM event WHERE stream = ? ORDER BY seq", [f"evaluation/{case_id}"]).fetchall()
        if evaluations:
            sheet = world.as_(world.evaluator).evaluation_sheet(case_id)
            if sheet.final:
                band = "veto" if sheet.vetoed else "below_60" if sheet.total < 60 else f"{min(sheet.total // 10 * 10, 90):03d}"
                out["evaluations"][band].add(case_id)
    out["fine_amounts"] = dict(fines)
    return out


def test_the_numbers_are_what_the_cases_say(world, agency):
    board = world.as_(world.head).dashboard()
    expected = _expected(world)
    assert board.year == 2025 and board.today == date(2025, 9, 1) and board.cases == len(_case_ids(world)) == 9
    for chart in board.charts:
        counted = {bar.key: bar.count for bar in chart.bars if bar.count}
        assert counted == {key: len(ids) for key, ids in expected[chart.measure].items()}, chart.measure
    # what the walk above made, so that the comparison is not between two empty charts
    assert {k: len(v) for k, v in expected["stage"].items()} == {"lead": 1, "filing": 1, "investigation": 1, "deliberation": 1,
                                                               "legal_review": 1, "archived": 1, "execution": 3}
    assert set(expected["decisions"]) == {"2025-03", "2025-04", "2025-05"} and len(expected["decisions"]["2025-03"]) == 2
    assert {k: len(v) for k, v in expected["reviews"].items()} == {"return": 1, "pending": 1}
    assert sum(len(v) for v in expected["evaluations"].values()) == 1 and sum(len(v) for v in expected["overdue"].values()) >= 3
    fines = board.chart("fines")
    assert {bar.key: bar.amount_fen for bar in fines.bars if bar.amount_fen} == expected["fine_amounts"]
    assert fines.bars[2].amount_fen == 5_000_000 * 2 and [b.label for b in fines.bars][:3] == ["1月", "2月", "3月"]
    # every bar's list holds exactly the cases it counts
    for chart in board.charts:
        for bar in chart.bars:
            listed = {r["id"] for r in world.as_(world.head).dashboard_cases(chart.measure, bar.key)}
            assert listed == expected[chart.measure].get(bar.key, set()), (chart.measure, bar.key)
    # another year: none of these decisions
    assert not any(bar.count for bar in world.as_(world.admin).dashboard(2024).chart("decisions").bars)


def test_only_heads_and_administrators_see_the_dashboard(world, agency):
    for who in (world.officer_a, world.reviewer, world.evaluator):
        with pytest.raises(PermissionDenied, match="查看执法工作统计"):
            world.as_(who).dashboard()
        with pytest.raises(PermissionDenied):
            world.as_(who).dashboard_cases("stage", "lead")
    assert world.as_(world.admin).dashboard().cases == world.as_(world.head).dashboard().cases


def test_a_click_on_a_bar_lists_its_cases_and_one_opens_in_the_workspace(world, agency, clients, qtbot):
    worker, head, _ = clients("wangju")
    settle(qtbot, worker)
    assert head.stack.currentWidget() is head.pages["inbox"]  # a head lands on the approvals waiting for them
    head.show_page("dashboard")
    page = head.dashboard
    qtbot.waitUntil(lambda: page.board is not None, timeout=10_000)
    settle(qtbot, worker)
    expected = _expected(world)
    chart = page.charts["overdue"]
    biggest = max(expected["overdue"], key=lambda k: len(expected["overdue"][k]))
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.rect_of(biggest).center())
    settle(qtbot, worker)
    assert {r["id"] for r in page.listed} == expected["overdue"][biggest]
    assert page.model.rowCount() == len(expected["overdue"][biggest]) and biggest in page.list_title.text()
    chart = page.charts["decisions"]
    qtbot.mouseClick(chart, Qt.MouseButton.LeftButton, pos=chart.rect_of("2025-03").center())
    settle(qtbot, worker)
    assert {r["id"] for r in page.listed} == expected["decisions"]["2025-03"] == {agency["closed"], agency["paid"]}
    assert page.charts["decisions"].selected == "2025-03" and page.charts["overdue"].selected == ""
    row = next(n for n, r in enumerate(page.listed) if r["id"] == agency["paid"])
    index = page.model.index(row, 0)
    where = page.table.visualRect(index).center()
    qtbot.mouseClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=where)  # a view takes a double-click after a press
    qtbot.mouseDClick(page.table.viewport(), Qt.MouseButton.LeftButton, pos=where)
    settle(qtbot, worker)
    assert head.stack.currentWidget() is head.workspace and head.workspace.case_id == agency["paid"]


def test_the_dashboard_follows_a_new_decision(world, agency, clients, qtbot):
    worker, head, _ = clients("wangju")
    head.show_page("dashboard")
    page = head.dashboard
    qtbot.waitUntil(lambda: page.board is not None, timeout=10_000)
    before = page.board.chart("decisions").bars[8].count  # September
    _spot(world, "2025-09-01T10:00:00", 50, 3)  # recorded by another program on the file: shown on 刷新
    qtbot.mouseClick(page.findChild(QPushButton, "dashboard_refresh"), Qt.MouseButton.LeftButton)
    settle(qtbot, worker)
    assert page.board.chart("decisions").bars[8].count == before + 1


def test_officers_and_reviewers_have_no_dashboard_page_and_an_administrator_lands_on_administration(world, clients, qtbot):
    _w, officer, _ = clients("zhangming")
    _w, reviewer, _ = clients("chenshen")
    assert "dashboard" not in officer.pages and "dashboard" not in reviewer.pages
    _w, admin, _ = clients("admin", "admin-pass-1")
    assert "dashboard" in admin.pages and admin.stack.currentWidget() is admin.pages["admin"]
