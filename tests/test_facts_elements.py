"""The facts as elements, and decisions not to penalise (issue #19: 事实不清、证据不足 is a veto).

A report and a decision state the facts their benchmark entry's provision needs (食品安全法第一百二十四条: the food,
its quantity, dates, value and supplier; 广告法第五十七条: the medium, the words, the period, the fee), each as an
element beside the sentence, and are refused while one is missing or the goods value contradicts the base the
benchmark ran on; the documents print them and the evaluation flags a decision without them. Not penalising on
行政处罚法第三十三条 needs that paragraph's conditions in the record, and the decision the order to correct and the
education given; it prints as a 不予行政处罚决定书, and its 送达回证 names that document."""

from __future__ import annotations

import dataclasses
import io
import re

import pytest
import steps
from pypdf import PdfReader
from steps import rules_of

from enforcement_app.casefile import render_case_file, render_document
from enforcement_app.domain.procedure import proposal
from enforcement_app.domain.refusals import RuleViolation


def _text(pdf: bytes) -> str:
    return "".join(re.sub(r"\s+", "", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages)


def _document(world, case_id, kind: str) -> str:
    return _text(render_document(world.as_(world.evaluator).case_file_data(case_id), kind))


def _refused(call) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call()
    return caught.value


def _events(world, case_id) -> int:
    return world.services.db.execute("SELECT count(*) FROM event WHERE stream = ?", [case_id]).fetchone()[0]


@pytest.fixture
def investigated(world):
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    return case_id


# --- the facts as elements ----------------------------------------------------------------------------------


def test_a_report_missing_an_element_is_refused_naming_it(world, investigated):
    before = _events(world, investigated)
    without = {k: v for k, v in steps.ELEMENTS.items() if k not in ("supplier", "production_date")}
    refused = _refused(lambda: steps.report(world, investigated, facts_elements=without))
    (missing,) = [r for r in refused.refusals if r.rule == "facts_element_missing"]
    assert missing.field == "facts_elements" and "“生产日期或批号”、“供货者”" in missing.message
    assert "“品名”" not in missing.message and "第一百二十四条第一款" in missing.article
    unknown = _refused(lambda: steps.report(world, investigated, facts_elements={**steps.ELEMENTS, "colour": "白"}))
    assert "facts_elements.colour" in {r.field for r in unknown.refusals}
    assert _events(world, investigated) == before  # nothing recorded
    steps.report(world, investigated)
    recorded = world.services.current_state(investigated).report
    assert recorded["facts_elements"]["goods_value"] == "120.00" and recorded["facts_elements"]["food"] == steps.ELEMENTS["food"]
    assert recorded["facts"] == steps.FACTS  # the sentence stays beside its elements


def test_a_decision_missing_an_element_is_refused_and_one_given_by_its_name_is_read(world, investigated):
    steps.report(world, investigated)
    steps.notice(world, investigated)
    world.clock.set("2025-03-18T09:00")
    given = {k: v for k, v in steps.ELEMENTS.items() if k != "quantity"}
    refused = _refused(lambda: steps.decide(world, investigated, facts_elements=given))
    assert "facts_element_missing" in rules_of(refused) and "“数量”" in str(refused)
    steps.decide(world, investigated, facts_elements={**given, "数量": "12盒"})
    assert world.services.current_state(investigated).decision["facts_elements"]["quantity"] == "12盒"


def test_the_elements_carry_on_from_the_report_to_the_notice_and_the_decision(world, investigated):
    steps.report(world, investigated)
    steps.notice(world, investigated)
    world.clock.set("2025-03-18T09:00")
    payload = {**_decision_payload(), "facts_elements": None, "evidence": steps.records(world, investigated)}
    world.as_(world.head).perform(investigated, "make_decision", payload)
    state = world.services.current_state(investigated)
    assert state.notice["facts_elements"] == state.report["facts_elements"] == state.decision["facts_elements"]


def _decision_payload(**extra) -> dict:
    return {"outcome": "penalty", "penalty_kinds": ["fine", "confiscate_illegal_property"], "fine_fen": 5_000_000,
            "facts": steps.FACTS, "evidence": ["0" * 64],
            "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
            "discretion": "一般", "orders": "立即停止销售超过保质期的食品", **extra}


def test_a_goods_value_contradicting_the_benchmark_base_is_refused(world, investigated):
    bench = {"entry": "food_safety_124_1", "bases": {"goods_value": "1200", "illegal_income": "0"}}
    refused = _refused(lambda: steps.report(world, investigated, benchmark=bench, fine_yuan=70000))
    (contradiction,) = [r for r in refused.refusals if r.rule == "facts_base_contradiction"]
    assert contradiction.field == "facts_elements.goods_value"
    assert "120.00元" in contradiction.message and "1,200.00元" in contradiction.message
    # the same amount written otherwise is the same fact
    steps.report(world, investigated, benchmark={**bench, "bases": {"goods_value": "120", "illegal_income": "0"}}, fine_yuan=70000,
                 facts_elements={**steps.ELEMENTS, "goods_value": "120.00元"})
    assert world.services.current_state(investigated).benchmark["input"]["bases"]["goods_value"] == 12000


def test_the_printed_report_and_decision_state_the_elements(world, tmp_path):
    case_id, _ = steps.paid_case(world, tmp_path)
    report = _document(world, case_id, "investigation_report")
    assert "违法事实要素" in report
    for name, value in (("品名", steps.ELEMENTS["food"]), ("供货者", steps.ELEMENTS["supplier"]), ("货值金额", "120.00元"),
                        ("保质期", steps.ELEMENTS["shelf_life"])):
        assert name in report and value in report, name
    decision = _document(world, case_id, "decision")
    assert (f"经查，{steps.FACTS}（品名：{steps.ELEMENTS['food']}；数量：{steps.ELEMENTS['quantity']}；"
            f"生产日期或批号：2025年1月10日；保质期：{steps.ELEMENTS['shelf_life']}；违法情形：超过保质期20天；"
            f"货值金额：120.00元；违法所得：0.00元；供货者：{steps.ELEMENTS['supplier']}）。") in decision


def test_an_advertising_case_states_the_medium_the_words_the_period_and_the_fee(world):
    s = world.as_(world.officer_a)
    case_id = s.register_lead({"source": "inspection", "act_date": "2025-01-05", "cause": "发布含有“最佳”用语的广告",
                               "cause_entry": "advertising_57_1_advertiser", "summary": "网店页面使用绝对化用语",
                               "party_id": world.company.id, "handlers": [world.officer_a.id, world.officer_b.id]})
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    report = {"outcome": "penalty", "penalty_kinds": ["fine"], "fine_yuan": "300000", "facts": "当事人在网店发布使用“最佳”用语的广告",
              "violation": "《中华人民共和国广告法》第九条第（三）项", "basis": "《中华人民共和国广告法》第五十七条第（一）项", "discretion": "一般",
              "facts_elements": {k: v for k, v in steps.ADVERT_ELEMENTS.items() if k != "words"}}
    refused = _refused(lambda: s.perform(case_id, "submit_investigation_report", report))
    assert "“使用的用语”" in str(refused) and "第五十七条" in str(refused)
    s.perform(case_id, "submit_investigation_report", {**report, "facts_elements": steps.ADVERT_ELEMENTS})
    printed = _document(world, case_id, "investigation_report")
    for name in ("发布媒介和形式", "使用的用语", "发布期间", "广告费用"):
        assert name in printed
    assert "“全网最佳花生油”" in printed


# --- the evaluation ---------------------------------------------------------------------------------------------


def _veto_evidence(world, case_id):
    sheet = world.as_(world.evaluator).evaluation_sheet(case_id)
    return next(line for line in sheet.lines if line.item.id == "veto_evidence")


def test_the_evaluation_leaves_a_decision_with_every_element_to_the_evaluator(world, tmp_path):
    case_id, _ = steps.paid_case(world, tmp_path)
    complete = _veto_evidence(world, case_id)
    assert complete.suggestion is None and complete.findings == ()  # all there: the evaluator judges the evidence
    assert "载明《食品安全法》第一百二十四条第一款所需的事实要素" in complete.evidence and "供货者" in complete.evidence


def test_the_evaluation_flags_a_decision_whose_facts_lack_an_element(world, monkeypatch):
    # a decision recorded as an earlier version did, without the elements, still stands in the record ...
    other = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    with monkeypatch.context() as earlier:
        earlier.setattr(proposal, "facts_elements_form", lambda *args, **kwargs: None)
        steps.report(world, other, facts_elements=None)
        steps.notice(world, other)
        world.clock.set("2025-03-20T09:00")
        steps.decide(world, other, facts_elements=None)
    assert "facts_elements" not in world.services.current_state(other).decision
    # ... and the evaluation finds its facts unclear, naming the decision and the elements
    flagged = _veto_evidence(world, other)
    assert flagged.suggestion is not None and flagged.suggestion.veto
    assert all("行政处罚决定书仲高新市监处罚〔2025〕1号" in f.documents for f in flagged.findings)  # its own number series
    assert {"品名", "货值金额", "供货者"} <= {re.search("“(.+?)”", f.text).group(1) for f in flagged.findings}
    assert flagged.evidence.startswith("事实不清")


def test_an_old_record_without_elements_replays_and_prints_as_before(world, tmp_path, monkeypatch):
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    with monkeypatch.context() as earlier:
        earlier.setattr(proposal, "facts_elements_form", lambda *args, **kwargs: None)
        steps.report(world, case_id, facts_elements=None)
    world.services.close()
    from enforcement_app.services import Services

    world.services = Services(world.services.path, clock=world.clock)
    state = world.services.current_state(case_id)
    assert state.stage == "deliberation" and "facts_elements" not in state.report
    printed = _document(world, case_id, "investigation_report")
    assert steps.FACTS in printed and "违法事实要素" not in printed
    assert world.services.verify(deep=True).ok


# --- not penalising (行政处罚法第三十三条) ---------------------------------------------------------------------------


def test_a_no_penalty_report_with_a_fine_is_refused(world, investigated):
    exemption = steps.exemption(world, investigated)
    refused = _refused(lambda: steps.report(world, investigated, outcome="no_penalty", fine_fen=500_000, **exemption))
    assert {r.field for r in refused.refusals if "不能写处罚种类、罚款" in r.message} == {"fine_fen"}
    refused = _refused(lambda: steps.report(world, investigated, outcome="no_penalty", penalty_kinds=["fine"], fine_fen=500_000))
    assert "penalty_kinds" in {r.field for r in refused.refusals}
    steps.report(world, investigated, outcome="no_penalty")
    assert world.services.current_state(investigated).report["fine_fen"] == 0


@pytest.mark.parametrize(("dropped", "field"), [
    ("first_violation", "first_violation"), ("harm", "harm"), ("corrected_on", "corrected_on"), ("correction", "correction"),
    ("exemption_evidence", "exemption_evidence"), ("no_penalty_ground", "no_penalty_ground"),
])
def test_a_no_penalty_report_without_a_condition_of_art_33_is_refused(world, investigated, dropped, field):
    exemption = {k: v for k, v in steps.exemption(world, investigated).items() if k != dropped}
    payload = {"outcome": "no_penalty", "facts": steps.FACTS, "facts_elements": steps.ELEMENTS, "discretion": "首违不罚",
               "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
               **exemption}
    refused = _refused(lambda: world.as_(world.officer_a).perform(investigated, "submit_investigation_report", payload))
    assert field in {r.field for r in refused.refusals}


def test_the_conditions_are_those_of_the_paragraph_relied_on(world, investigated):
    s = world.as_(world.officer_a)
    minor = steps.exemption(world, investigated, no_penalty_ground="minor_and_corrected")
    refused = _refused(lambda: steps.report(world, investigated, outcome="no_penalty", **minor))
    (condition,) = [r for r in refused.refusals if r.field == "minor"]
    assert condition.rule == "no_penalty_condition" and "第三十三条第一款" in condition.article
    late = _refused(lambda: steps.report(world, investigated, outcome="no_penalty", corrected_on="2025-03-11"))
    assert "corrected_on" in {r.field for r in late.refusals}  # not yet corrected: not 及时改正
    elsewhere = _refused(lambda: steps.report(world, investigated, outcome="no_penalty", exemption_evidence=["1" * 64]))
    assert "exemption_evidence" in {r.field for r in elsewhere.refusals}
    disguised = _refused(lambda: steps.report(world, investigated, outcome="no_penalty", no_penalty_ground="other",
                                              exemption_basis="《中华人民共和国行政处罚法》第三十三条第一款"))
    assert "exemption_basis" in {r.field for r in disguised.refusals}
    at_odds = _refused(lambda: steps.report(world, investigated, outcome="no_penalty",
                                            benchmark={"entry": "food_safety_124_1", "bases": {"goods_value": "120"},
                                                       "circumstances": ["minor_and_corrected"]}))
    assert "no_penalty_ground" in {r.field for r in at_odds.refusals}  # the ground is the benchmark's circumstance
    s.perform(investigated, "submit_investigation_report", {
        "outcome": "no_penalty", "facts": steps.FACTS, "facts_elements": steps.ELEMENTS, "discretion": "首违不罚",
        "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
        "benchmark": {"entry": "food_safety_124_1", "bases": {"goods_value": "120"}, "circumstances": ["first_violation_exemption"]},
        **{k: v for k, v in steps.exemption(world, investigated).items() if k != "no_penalty_ground"}})
    report = world.services.current_state(investigated).report
    assert report["no_penalty_ground"] == "first_violation_exemption"  # as the benchmark was run
    assert report["exemption_basis"] == "《中华人民共和国行政处罚法》第三十三条第一款"


@pytest.fixture
def no_penalty_reported(world, investigated):
    steps.report(world, investigated, outcome="no_penalty")
    world.clock.set("2025-03-12T09:00")
    return investigated


@pytest.mark.parametrize("dropped", ["education", "educated_on", "education_form", "orders", "correction"])
def test_a_no_penalty_decision_without_the_conditions_the_order_or_the_education_is_refused(world, no_penalty_reported, dropped):
    payload = {**_no_penalty_decision(world, no_penalty_reported)}
    payload.pop(dropped)
    refused = _refused(lambda: world.as_(world.head).perform(no_penalty_reported, "make_decision", payload))
    assert dropped in {r.field for r in refused.refusals}
    if dropped.startswith("educ"):
        assert any("第三十三条第三款" in r.article for r in refused.refusals)


def _no_penalty_decision(world, case_id) -> dict:
    return {"outcome": "no_penalty", "facts": steps.FACTS, "facts_elements": steps.ELEMENTS,
            "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项",
            "discretion": "首违不罚", "orders": "立即停止销售超过保质期的食品，今后定期检查库存食品", "evidence": [],
            **steps.exemption(world, case_id), **steps.EDUCATION}


def test_a_no_penalty_decision_prints_as_its_own_document_with_the_conditions_the_order_and_the_education(world, no_penalty_reported):
    world.as_(world.head).perform(no_penalty_reported, "make_decision", _no_penalty_decision(world, no_penalty_reported))
    data = world.as_(world.evaluator).case_file_data(no_penalty_reported)
    decision = _text(render_document(data, "decision"))
    assert decision.count("不予行政处罚决定书") == 1 and "行政处罚决定书仲高新" not in decision.replace("不予行政处罚决定书仲高新", "")
    assert "仲高新市监不罚〔2025〕1号" in decision
    assert "本机关于2025年3月3日立案调查，现已调查终结" in decision
    assert f"经查，{steps.FACTS}（品名：" in decision
    assert ("鉴于当事人系初次违法（经查询国家企业信用信息公示系统和本局执法记录，当事人两年内无同类违法记录），"
            "危害后果轻微（涉案酸奶12盒均未售出，没有消费者购买食用），并已于2025年3月4日改正") in decision
    assert "有2025年3月4日现场笔录为证" in decision
    assert "根据《中华人民共和国行政处罚法》第三十三条第一款的规定，本机关决定：不予行政处罚。" in decision
    assert "依据《中华人民共和国食品安全法》第一百二十四条第一款第（五）项应当给予行政处罚" in decision
    assert "责令当事人改正：立即停止销售超过保质期的食品，今后定期检查库存食品。" in decision
    assert ("根据《中华人民共和国行政处罚法》第三十三条第三款，本机关已于2025年3月5日以在询问室当面约谈当事人，并发放"
            "《食品经营者食品安全主体责任告知书》的方式对当事人进行了教育：讲解食品安全法第三十四条") in decision
    assert "申请行政复议" in decision and "（印章）" in decision
    # not the penalty decision's layout: nothing to pay, no penalty stated
    assert not any(w in decision for w in ("缴纳罚款", "罚款人民币", "本机关决定：罚款"))
    report = _text(render_document(data, "investigation_report"))
    assert "不予行政处罚的理由：初次违法且危害后果轻微并及时改正（《中华人民共和国行政处罚法》第三十三条第一款）" in report
    assert "改正日期：2025年3月4日" in report


def test_the_receipt_of_a_no_penalty_decision_names_the_document_served(world, no_penalty_reported):
    world.as_(world.head).perform(no_penalty_reported, "make_decision", _no_penalty_decision(world, no_penalty_reported))
    assert "不予行政处罚决定书及其送达回证" in _required(world, no_penalty_reported)  # the evaluation asks for it
    world.as_(world.officer_a).perform(no_penalty_reported, "serve_document", {"document": "decision", "method": "direct", "recipient": "黄某"})
    assert "不予行政处罚决定书及其送达回证" not in _required(world, no_penalty_reported)
    reader = PdfReader(io.BytesIO(render_case_file(world.as_(world.evaluator).case_file_data(no_penalty_reported)).pdf))
    outline = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    assert "送达回证（不予行政处罚决定书）" in outline and "送达回证（行政处罚决定书）" not in outline
    page = re.sub(r"\s+", "", reader.pages[outline["送达回证（不予行政处罚决定书）"]].extract_text())
    assert "送达文书名称及文号不予行政处罚决定书仲高新市监不罚〔2025〕1号" in page


def _required(world, case_id) -> str:
    """What the evaluation finds missing of the documents a file like this one must hold."""
    sheet = world.as_(world.evaluator).evaluation_sheet(case_id)
    return "；".join(f.text for f in next(line for line in sheet.lines if line.item.id == "veto_procedure").findings)


def test_a_no_penalty_decision_from_an_earlier_version_travels_in_a_bundle(world, tmp_path, no_penalty_reported, monkeypatch):
    """A bundle's decision not to penalise, recorded before the conditions and the education were asked for, is
    judged by the rules it was recorded under: the receiving machine replays it."""
    from enforcement_app.domain.procedure import decision as decision_rules
    from enforcement_app.services import Services

    legacy = {k: v for k, v in _no_penalty_decision(world, no_penalty_reported).items()
              if k not in ("orders", *steps.EDUCATION)}
    with monkeypatch.context() as earlier:
        earlier.setattr(decision_rules, "_no_penalty_decision", lambda *args, **kwargs: None)
        world.as_(world.head).perform(no_penalty_reported, "make_decision", legacy)
    bundle = tmp_path / "case.ecb"
    world.as_(world.officer_a).export_bundle(bundle, encrypt=False)
    target = Services(tmp_path / "office.db", clock=world.clock)
    try:
        target.system_session().import_bundle(bundle, trust_new=True)
        assert target.current_state(no_penalty_reported).outcome == "no_penalty"
    finally:
        target.close()


# --- the demo ------------------------------------------------------------------------------------------------


def test_every_closed_demo_case_has_its_entrys_elements_and_its_no_penalty_the_conditions(tmp_path):
    from enforcement_app.domain.procedure.proposal import proposal_entry
    from enforcement_app.services import Services
    from enforcement_app.services.demo import build_demo

    with Services(tmp_path / "demo.db") as services:
        build_demo(services, cases=20)
        decided = [services.current_state(r[0]) for r in services.db.execute("SELECT id FROM \"case\"").fetchall()]
        decided = [s for s in decided if s.decision and s.outcome in ("penalty", "no_penalty") and s.stage in ("closed", "archived")]
        assert {s.outcome for s in decided} == {"penalty", "no_penalty"}
        for state in decided:
            entry = proposal_entry(services.benchmarks(), state.benchmark, state.cause_entry, state.act_date)
            for record in (state.report, state.decision):
                assert {e.key for e in entry.required_elements} <= set(record["facts_elements"]), state.case_no
            assert len(state.decision["facts"]) >= 120, state.decision["facts"]  # facts of realistic length
            if state.outcome == "no_penalty":
                d = state.decision
                assert d["no_penalty_ground"] == "first_violation_exemption" and d["corrected_on"] and d["exemption_evidence"]
                assert d["education"] and d["educated_on"] and d["education_form"] and d["orders"]


# --- the client's form ---------------------------------------------------------------------------------------


@pytest.mark.gui
def test_the_form_asks_for_each_element_and_for_the_conditions_only_when_no_penalty_is_proposed(qtbot):
    from enforcement_app.domain.discretion import shipped_library
    from enforcement_app.ui.forms import FORMS, ActionDialog

    entry = shipped_library().entry("food_safety_124_1")
    fields = [dataclasses.replace(f, options=tuple((e.key, e.name) for e in entry.facts_elements), hints=tuple(e.hint for e in entry.facts_elements))
              if f.key == "facts_elements" else f for f in FORMS["make_decision"]]
    sent = []
    dialog = ActionDialog("make_decision", "作出处理决定", fields, defaults={"facts_elements": {"food": "酸奶"}},
                          submit=lambda payload, done, fail: sent.append(payload))
    qtbot.addWidget(dialog)
    lines = dialog.inputs["facts_elements"].lines
    assert lines["food"].text() == "酸奶" and "进货凭证" in lines["supplier"].placeholderText()
    lines["goods_value"].setText("120")
    by_key = {f.key: f for f in dialog.fields}
    assert not dialog.shown(by_key["no_penalty_ground"]) and not dialog.shown(by_key["education"])
    payload = dialog.payload()
    assert payload["facts_elements"] == {"food": "酸奶", "goods_value": "120"}
    assert not {"no_penalty_ground", "corrected_on", "educated_on"} & set(payload)
    outcome = dialog.inputs["outcome"]
    outcome.setCurrentIndex(outcome.findData("no_penalty"))
    assert dialog.shown(by_key["no_penalty_ground"]) and dialog.shown(by_key["educated_on"])
    assert {"no_penalty_ground", "corrected_on", "educated_on"} <= set(dialog.payload())
