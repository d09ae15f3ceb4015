"""罚缴分离 and its two exceptions (issue #15).

行政处罚法第六十七条：“除依照本法第六十八条、第六十九条的规定当场收缴的罚款外，作出行政处罚决定的行政机关及其执法人员不得
自行收缴罚款。”
第六十八条：“依照本法第五十一条的规定当场作出行政处罚决定，有下列情形之一，执法人员可以当场收缴罚款：（一）依法给予一百元
以下罚款的；（二）不当场收缴事后难以执行的。”
第六十九条：“在边远、水上、交通不便地区，行政机关及其执法人员依照本法第五十一条、第五十七条的规定作出罚款决定后，当事人到
指定的银行或者通过电子支付系统缴纳罚款确有困难，经当事人提出，行政机关及其执法人员可以当场收缴罚款。”
"""

from __future__ import annotations

import pytest
import steps

from enforcement_app.domain.refusals import RuleViolation

SPOT = {"place": "惠风路路口", "cause": "标签瑕疵经责令改正拒不改正", "facts": "预包装食品标签瑕疵，经责令改正拒不改正",
        "basis": "《中华人民共和国食品安全法》第一百二十五条第二款", "form_no": "No.0001", "certificates_shown": True,
        "penalty_kinds": ["fine"]}


def _spot(world, fine_yuan: int, n: int = 1) -> str:
    return world.as_(world.officer_a).record_simple_decision({
        **SPOT, "at": f"2025-03-03T1{n}:00", "form_no": f"No.000{n}", "fine_fen": fine_yuan * 100,
        "officers": [world.officer_a.id, world.officer_b.id], "party_id": world.person.id})


def _pay(world, case_id, amount_yuan: int, ground: str, **extra):
    return world.as_(world.officer_a).perform(case_id, "record_payment", {
        "amount_fen": amount_yuan * 100, "channel": "on_spot", "on_spot_ground": ground, "receipt_no": "财政票据0001", **extra})


def _rule(exc) -> str:
    found = [r for r in exc.refusals if r.rule == "collection_separated"]
    assert found, [(r.rule, r.message) for r in exc.refusals]
    return found[0].message


def test_a_fine_of_a_hundred_yuan_or_less_decided_on_the_spot_is_collected_on_the_spot(world):
    case_id = _spot(world, 100)
    _pay(world, case_id, 100, "small_fine")
    assert world.services.current_state(case_id).paid_fen == 10_000


def test_the_hundred_yuan_is_the_fine_decided_not_the_instalment(world):
    case_id = _spot(world, 200)
    with pytest.raises(RuleViolation) as refused:
        _pay(world, case_id, 50, "small_fine")  # 50 yuan paid of a 200-yuan fine
    assert "第六十八条" in _rule(refused.value) and "200.00元" in _rule(refused.value)
    _pay(world, case_id, 200, "hard_to_collect")  # Art. 68 (2) is its own ground


def test_a_decision_of_the_general_procedure_is_never_collected_on_the_spot_under_article_68(world):
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.notified_and_waived(world, case_id)
    world.clock.set("2025-03-18T09:00")
    steps.decide(world, case_id)
    world.as_(world.officer_a).perform(case_id, "serve_document", {"document": "decision", "method": "direct", "recipient": "黄某"})
    for ground in ("small_fine", "hard_to_collect"):
        with pytest.raises(RuleViolation) as refused:
            _pay(world, case_id, 100, ground)
        assert "第五十一条" in _rule(refused.value) and "罚缴分离" in _rule(refused.value)
    with pytest.raises(RuleViolation) as unasked:  # Art. 69 covers Art. 57 decisions, at the party's request only
        _pay(world, case_id, 100, "remote_area")
    assert "第六十九条" in _rule(unasked.value)
    _pay(world, case_id, 100, "remote_area", party_request="当事人所在海岛无银行网点，当事人书面申请当场缴纳")
    assert world.services.current_state(case_id).payments[-1]["party_request"].startswith("当事人所在海岛")
