"""Every closed demo case file holds every document its kind of case requires, each as its own document, and
the app's own evaluation finds none missing: what a records office checks first. Real demo database, real
case files rendered and read back."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from enforcement_app.casefile import render_case_file
from enforcement_app.services import Services
from enforcement_app.services.demo import build_demo

# the documents of every filed general-procedure case, then those a recorded step makes necessary
ALWAYS = ("案件来源登记表", "立案审批表", "当事人身份证明", "现场笔录", "询问笔录", "证据材料清单", "案件调查终结报告", "结案审批表")
BY_STEP = {
    "record_legal_review": ("法制审核意见书",),
    "record_collective_discussion": ("重大案件集体讨论记录",),
    "issue_prior_notice": ("行政处罚告知书", "送达回证（行政处罚告知书）"),
    "record_statement": ("陈述申辩笔录", "陈述申辩复核意见书"),
    "give_hearing_notice": ("听证通知书",),
    "hold_hearing": ("听证笔录", "听证报告"),
    "record_payment": ("罚没款缴纳凭证",),
    "issue_reminder": ("催告书",),
}
BY_OUTCOME = {
    "penalty": ("行政处罚决定审批表", "行政处罚决定书", "送达回证（行政处罚决定书）"),
    "no_penalty": ("行政处罚决定审批表", "不予行政处罚决定书", "送达回证（不予行政处罚决定书）"),
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    services = Services(tmp_path_factory.mktemp("demo") / "demo.db")
    build_demo(services, cases=30)
    yield services
    services.close()


def _closed(services):
    session = services.session("wuzy")
    return session, [r["id"] for r in session.list_cases() if r["stage"] in ("closed", "archived")]


def test_every_closed_demo_file_holds_the_documents_its_case_requires(demo):
    session, cases = _closed(demo)
    assert len(cases) >= 5
    outcomes = set()
    for case_id in cases:
        data = session.case_file_data(case_id)
        state = data.state
        if state.procedure.value != "general":
            continue
        outcome = str(state.outcome.value if state.outcome else "")
        outcomes.add(outcome)
        titles = [item.title for item in PdfReader(io.BytesIO(render_case_file(data).pdf)).outline]
        kinds = {s.kind for s in state.steps}
        if outcome == "not_filed":  # a lead refused at filing: its source and the refusal
            required = ["案件来源登记表", "不予立案审批表"]
        else:
            required = [*ALWAYS, *BY_OUTCOME.get(outcome, ()), *(t for k, ts in BY_STEP.items() if k in kinds for t in ts)]
        missing = [t for t in required if t not in titles]
        assert not missing, f"{state.case_no} ({outcome}) lacks {missing}; has {titles}"
        if outcome != "not_filed":
            assert titles.count("结案审批表") == 1
    assert {"penalty", "no_penalty", "not_filed"} <= outcomes  # the demo closes both kinds of case


def test_the_evaluation_finds_no_required_document_missing_in_a_closed_demo_file(demo):
    session, cases = _closed(demo)
    for case_id in cases:
        sheet = session.evaluation_sheet(case_id)
        missing = [f.text for line in sheet.lines for f in line.findings if f.text.startswith("缺少")]
        assert not missing, (case_id, missing)


def test_the_evaluation_suggests_no_veto_and_full_points_for_every_closed_demo_file(demo):
    """What the demo shows a new user and an evaluator first: closed files an evaluator would pass. Each
    suggestion names its evidence; only what a file not yet archived cannot have (its cover filled in at
    archiving, the archiving itself) is short."""
    session, cases = _closed(demo)
    for case_id in cases:
        sheet = session.evaluation_sheet(case_id)
        archived = session.view(case_id).state.stage.value == "archived"
        for line in sheet.lines:
            if line.suggestion is None:
                continue
            assert line.evidence, (case_id, line.item.id)
            if line.item.group == "veto":
                assert not line.suggestion.veto, (case_id, line.item.id, line.evidence)
            elif archived or line.item.id not in ("form_cover", "form_archived"):
                assert line.suggestion.score == line.item.points, (case_id, line.item.id, line.evidence)


def test_the_demo_files_cite_the_agencys_own_instruments_and_carry_its_seal(demo):
    """An evaluator reads the demo's issued documents as an agency's: they cite its published benchmark and power
    list (not the program's defaults or its ids), bear its electronic seal over its name, and the draft the
    reviewer read says what the report proposed."""
    session, cases = _closed(demo)
    agency = demo.agency()
    assert agency.seal_png and agency.seal_image
    seen_seal = 0
    for case_id in cases:
        data = session.case_file_data(case_id)
        if data.state.outcome is None or data.state.outcome.value == "not_filed":
            continue
        reader = PdfReader(io.BytesIO(render_case_file(data).pdf))
        text = "".join("".join(page.extract_text().split()) for page in reader.pages)
        for internal in ("default-2021", "系统内置缺省", "food_safety_", "advertising_57", "仅供参考"):
            assert internal not in text, (data.state.case_no, internal)
        if data.state.cause_entry:
            assert f"《{agency.name}行政处罚裁量基准》" in text or data.state.procedure.value == "simple"
            assert f"《{agency.name}行政处罚事项权责清单》" in text
        if data.state.decision and data.state.decision.get("outcome") in ("penalty", "no_penalty"):
            sealed = [n for n, page in enumerate(reader.pages) if any(im.image.size == (600, 600) for im in page.images)]
            assert sealed, data.state.case_no  # the decision (and the notice) bear the seal image
            seen_seal += 1
        for step in data.state.steps:
            if step.kind == "submit_legal_review":
                draft = step.payload["draft_decision"]
                proposal = data.state.report or {}
                assert ("不予行政处罚" in draft) == (proposal.get("outcome") == "no_penalty"), (draft, proposal.get("outcome"))
    assert seen_seal
