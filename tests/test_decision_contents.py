"""What a decision says, as the law and a case-file evaluator read it: the provision broken apart from the
penalty provision (适用法律错误 is a veto), the clause for the party's kind, the order to correct (Art. 28) and
the benchmark entry's mandatory measures, no draft wording, and every 笔录 among the evidence."""

from __future__ import annotations

import io

import pytest
import steps
from pypdf import PdfReader

from enforcement_app.casefile import render_case_file
from enforcement_app.domain.discretion.legal_basis import BasisQuery, citations, within
from enforcement_app.domain.refusals import RuleViolation

VIOLATED = "《中华人民共和国食品安全法》第三十四条第（十）项"
PENALTY = "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"
FACTS = "当事人销售超过保质期的酸奶12盒，货值金额120元"
ORDERS = "立即停止销售超过保质期的食品，七日内清查库存"


def proposal(**extra) -> dict:
    return {"outcome": "penalty", "penalty_kinds": ["fine", "confiscate_illegal_property"], "fine_yuan": "70000", "facts": FACTS,
            "facts_elements": steps.ELEMENTS, "violation": VIOLATED, "basis": PENALTY, "discretion": "依据裁量基准，本案属一般情形",
            "benchmark": {"entry": "food_safety_124_1", "bases": {"goods_value": "120", "illegal_income": "0"}}, **extra}


def reported(world, **extra) -> str:
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    world.as_(world.officer_a).perform(case_id, "submit_investigation_report", proposal(**extra))
    return case_id


def noticed(world) -> str:
    return noticed_with(world)


def noticed_with(world, **report) -> str:
    case_id = reported(world, **report)
    s = world.as_(world.officer_a)
    s.perform(case_id, "issue_prior_notice", {"penalty_kinds": ["fine", "confiscate_illegal_property"],
                                             "fine_yuan": "70000", "facts": FACTS, "basis": PENALTY})
    s.perform(case_id, "serve_document", {"document": "prior_notice", "method": "direct", "recipient": "黄某"})
    world.clock.set("2025-03-18T09:00")
    return case_id


def decide(world, case_id, **extra):
    payload = {**proposal(), "orders": ORDERS, "evidence": steps.records(world, case_id), **extra}
    payload.pop("benchmark")  # the facts of the report's assessment carry on
    return world.as_(world.head).perform(case_id, "make_decision", payload)


def refused(call) -> RuleViolation:
    with pytest.raises(RuleViolation) as caught:
        call()
    return caught.value


# --- the two citations ------------------------------------------------------------------------------------


def test_a_citation_names_a_provision_at_least_as_precisely_as_it_is_written():
    item = BasisQuery.parse("《食品安全法》第一百二十四条第一款")
    assert within(BasisQuery.parse(PENALTY), item)
    assert not within(BasisQuery.parse("《中华人民共和国食品安全法》第一百二十四条"), item)
    assert not within(BasisQuery.parse("《中华人民共和国食品安全法》第一百二十五条第一款"), item)
    assert [q.article for q in citations("《中华人民共和国食品安全法》第六十七条、第七十一条和第三十四条第（十一）项")] == [67, 71, 34]
    with pytest.raises(ValueError):
        citations("依据有关规定")


def test_the_provision_broken_is_asked_for_and_must_be_the_entrys_not_the_penalty_clause(world):
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    s = world.as_(world.officer_a)
    missing = refused(lambda: s.perform(case_id, "submit_investigation_report", proposal(violation="")))
    assert "第三十四条第（十）项" in str(missing)  # the entry's rules are offered
    as_penalty = refused(lambda: s.perform(case_id, "submit_investigation_report", proposal(violation=PENALTY)))
    assert "写成了罚则" in str(as_penalty)
    other = refused(lambda: s.perform(case_id, "submit_investigation_report",
                                      proposal(violation="《中华人民共和国广告法》第九条第（三）项")))
    assert "不是所适用裁量基准条目的违法条款" in str(other)
    wrong_clause = refused(lambda: s.perform(case_id, "submit_investigation_report",
                                             proposal(basis="《中华人民共和国食品安全法》第一百二十五条第一款")))
    assert "应引用《食品安全法》第一百二十四条第一款" in str(wrong_clause)
    s.perform(case_id, "submit_investigation_report", proposal())
    assert s.view(case_id).state.report["violation"] == VIOLATED


def test_the_penalty_clause_follows_the_party_and_a_sole_rule_is_filled_in(world):
    """Fire law Art. 60: ¶1(3) fines units 5,000–50,000 yuan, ¶2 fines individuals; Art. 28 is the rule broken.
    Decided by a fire and rescue agency, which the fire law makes competent (Art. 70)."""
    steps.as_fire_agency(world)
    s = world.as_(world.officer_a)
    case_id = s.register_lead({"source": "inspection", "act_date": "2025-02-20", "cause": "占用、堵塞消防通道", "cause_entry": "fire_protection_60_1_3",
                               "summary": "疏散通道堆放货物", "party_id": world.person.id, "handlers": [world.officer_a.id, world.officer_b.id]})
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    world.clock.set("2025-03-10T09:00")
    report = {"outcome": "penalty", "penalty_kinds": ["fine"], "fine_yuan": "200", "facts": "当事人在疏散通道堆放货物",
              "facts_elements": {"venue": "当事人经营的五金店（惠风路1号，营业面积80平方米）", "location": "店内通往后门安全出口的疏散通道",
                                 "conduct": "堆放纸箱装货物约30箱，通道宽度由1.4米减至0.4米", "found_on": "2025年3月4日现场检查发现"},
              "discretion": "一般情形", "benchmark": {"entry": "fire_protection_60_1_3", "bases": {}}}
    units = refused(lambda: s.perform(case_id, "submit_investigation_report", {**report, "basis": "《中华人民共和国消防法》第六十条第一款第（三）项"}))
    assert "第六十条第二款" in str(units)
    s.perform(case_id, "submit_investigation_report", {**report, "basis": "《中华人民共和国消防法》第六十条第二款"})
    assert s.view(case_id).state.report["violation"] == "《消防法》第二十八条"


# --- what the decision must contain ----------------------------------------------------------------------


def test_a_penalty_decision_orders_the_correction_and_states_the_entrys_mandatory_measures(world):
    case_id = noticed(world)
    no_order = refused(lambda: decide(world, case_id, orders=""))
    assert "correction_order" in steps.rules_of(no_order) and "第二十八条第一款" in str(no_order)
    decide(world, case_id)
    decision = world.as_(world.officer_a).view(case_id).state.decision
    assert decision["measures"] == ["责令改正"] and decision["orders"] == ORDERS


def test_a_mandatory_confiscation_is_in_the_decision_unless_its_base_was_found_nil(world):
    case_id = reported(world, penalty_kinds=["fine"], benchmark={"entry": "food_safety_124_1", "bases": {"goods_value": "120"}})
    s = world.as_(world.officer_a)
    s.perform(case_id, "issue_prior_notice", {"penalty_kinds": ["fine"],
                                             "fine_yuan": "70000", "facts": FACTS, "basis": PENALTY})
    s.perform(case_id, "serve_document", {"document": "prior_notice", "method": "direct", "recipient": "黄某"})
    world.clock.set("2025-03-18T09:00")
    missing = refused(lambda: decide(world, case_id, penalty_kinds=["fine"]))
    texts = [r.message for r in missing.refusals if r.rule == "mandatory_measure_missing"]
    # the goods (120 yuan) and the illegal income (not found nil) must be confiscated
    assert any("没收违法生产经营的食品" in t for t in texts) and any("没收违法所得" in t for t in texts)


def test_draft_wording_never_reaches_a_decision(world):
    case_id = noticed(world)
    draft = refused(lambda: decide(world, case_id, discretion="依据系统内置缺省基准（仅供参考），建议罚款65,000元至85,000元"))
    fields = {r.field for r in draft.refusals if r.rule == "draft_wording"}
    assert fields == {"discretion"}
    assert "仅供参考" in str(draft) and "建议罚款" in str(draft)
    also = refused(lambda: decide(world, case_id, facts="拟对当事人销售过期食品的行为处罚"))
    assert {r.field for r in also.refusals if r.rule == "draft_wording"} == {"facts"}


def test_the_decision_as_printed_cites_both_provisions_the_orders_and_every_record(world, tmp_path):
    case_id = noticed(world)
    decide(world, case_id)
    rendered = render_case_file(world.as_(world.evaluator).case_file_data(case_id))
    text = "".join("".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(rendered.pdf)).pages)
    start = text.rindex("行政处罚决定书", 0, text.index("本机关决定"))  # the decision itself, not its line in the 目录
    decision = text[start:text.index("（印章）", start)]
    assert f"违反了{VIOLATED}的规定" in decision and f"依据{PENALTY}，本机关决定" in decision
    assert "责令当事人改正：" + ORDERS in decision
    assert "现场笔录" in decision and "询问笔录，被询问人刘某" in decision  # the 笔录 are evidence too
    # no draft wording: 拟 only where the decision recounts the notice in Art. 44's words (告知当事人拟作出的行政处罚内容)
    assert not any(w in decision.replace("告知当事人拟作出行政处罚的", "") for w in ("仅供参考", "建议罚款", "拟"))
    assert "告知当事人依法享有陈述、申辩的权利" in decision or "告知当事人依法享有陈述、申辩和要求听证的权利" in decision
    notice = text[text.rindex("行政处罚告知书", 0, text.index("拟对你（单位）")):]
    assert f"违反了{VIOLATED}的规定。依据{PENALTY}" in notice


# --- what the evaluation reads in a decision as recorded -------------------------------------------------


def _line(world, case_id, item_id):
    return next(line for line in world.as_(world.evaluator).evaluation_sheet(case_id).lines if line.item.id == item_id)


def test_the_evaluation_finds_the_penalty_clause_cited_as_the_rule_broken_in_a_decision_as_recorded(world, monkeypatch):
    """A decision made by a program that did not tell the two citations apart (violation = penalty clause)
    stands in the record; the evaluation suggests the veto 适用依据错误 and no points for 适用法律, naming it."""
    from enforcement_app.domain.procedure import proposal as proposal_rules

    with monkeypatch.context() as earlier:
        earlier.setattr(proposal_rules, "provisions", lambda *args, **kwargs: None)
        case_id = noticed_with(world, violation=PENALTY)
        decide(world, case_id, violation=PENALTY)
    veto, content = _line(world, case_id, "veto_law"), _line(world, case_id, "content_law")
    assert veto.suggestion.veto and content.suggestion.score == 0
    assert any("写成了罚则" in f.text and f.documents[0].startswith("行政处罚决定书") for f in veto.findings)


def test_a_lawful_decision_passes_the_evaluations_provision_and_measure_checks(world):
    case_id = noticed(world)
    decide(world, case_id)
    veto, content, measures = (_line(world, case_id, i) for i in ("veto_law", "content_law", "content_decision"))
    assert veto.suggestion.veto is False and content.suggestion.score == content.item.points
    assert measures.suggestion.score == measures.item.points and "责令改正" in measures.evidence


def test_a_decision_without_its_order_to_correct_or_its_own_number_is_marked_down():
    from enforcement_app.domain.case import CaseState
    from enforcement_app.domain.evaluation import CHECKS

    state = CaseState(id="c", case_no="仲高新市监罚字〔2025〕1号")
    state.decision = {"outcome": "penalty", "document_no": "仲高新市监罚字〔2025〕1号", "penalty_kinds": ["fine"],
                      "benchmark": {"penalty_basis": "《食品安全法》第一百二十四条第一款", "input": {"bases": {"goods_value": 12000}},
                                    "measures": [{"kind": "confiscate_illegal_property", "text": "没收违法生产经营的食品", "mandatory": True,
                                                  "base": "goods_value"}]}}
    verdict = CHECKS["measures_stated"](state, None, None)
    texts = [f.text for f in verdict.findings]
    assert verdict.passed is False and len(texts) == 3
    assert any("与立案编号相同" in t for t in texts) and any("第二十八条" in t for t in texts) and any("没收违法生产经营的食品" in t for t in texts)
