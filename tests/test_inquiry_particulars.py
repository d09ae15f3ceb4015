"""The person questioned in a 询问笔录 with the particulars the model record asks (name, identity document and its
number, sex, age, telephone, address, relation to the case), each refused at its own field, recorded as new optional
keys (a record made before them still reads and prints) and printed in the 询问笔录; a payment's receipt attached as
a photo or scan registered on the case and named in the 罚没款缴纳凭证. Real PDFs parsed back."""

from __future__ import annotations

import io
import re

import pytest
import steps
from pypdf import PdfReader

from enforcement_app.casefile import render_document
from enforcement_app.domain.procedure import payload_of
from enforcement_app.domain.refusals import RuleViolation


def _text(pdf: bytes) -> str:
    return re.sub(r"\s+", "", "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages))


def _inquiry(world, person, at="2025-03-05T14:00"):
    return {"started_at": at, "ended_at": at[:11] + "15:00", "place": "仲恺高新区市场监督管理局询问室",
            "officers": [world.officer_a.id, world.officer_b.id], "recorder": "李华", "certificates_shown": True,
            "rights_notified": True, "person": person, "qa": [{"q": "酸奶从何处进货？", "a": "从批发市场进货。"}]}


HUANG = {"name": "黄某", "id_type": "resident_id", "id_number": "441302198507150015", "sex": "male", "age": "39",
         "phone": "139-0222-1234", "address": "惠州市惠城区江北街道文明一路8号", "relation": "当事人的法定代表人（负责人）"}


def test_the_particulars_are_recorded_and_printed_in_the_inquiry_record(world):
    case_id = steps.investigated(world, inquire_too=False)
    digest = world.as_(world.officer_a).perform(case_id, "record_inquiry", _inquiry(world, HUANG))
    step = next(s for s in world.services.current_state(case_id).steps if s.hash == digest)
    assert dict(payload_of(step).person) == HUANG
    text = _text(render_document(world.as_(world.officer_a).case_file_data(case_id), "inquiry_record", 1))
    for printed in ("黄某", "性别：男", "年龄：39岁", "居民身份证", "号码：441302198507150015", "139-0222-1234",
                    "惠州市惠城区江北街道文明一路8号", "当事人的法定代表人（负责人）"):
        assert printed in text, printed


def test_a_record_made_before_the_particulars_still_prints_with_blanks(world):
    case_id = steps.investigated(world)  # its inquiry gives the name, the number and the relation only
    text = _text(render_document(world.as_(world.officer_a).case_file_data(case_id), "inquiry_record", 1))
    assert "刘某" in text and "居民身份证号码：11010519491231002X" in text and "与本案关系当事人" in text
    assert "性别：年龄：" in text  # left to be filled in on paper, not invented


@pytest.mark.parametrize(("changes", "field", "words"), [
    ({"sex": "female"}, "person.sex", "性别与身份证号码不符"),
    ({"age": "40"}, "person.age", "1985-07-15出生，询问之日为39周岁"),
    ({"age": "两百"}, "person.age", "年龄应为"),
    ({"phone": "请打电话"}, "person.phone", "联系电话"),
    ({"id_type": "driving_licence"}, "person.id_type", "身份证件种类"),
    ({"id_type": "passport", "id_number": ""}, "person.id_number", "请填写护照号码"),
    ({"name": " "}, "person.name", "被询问人姓名不能为空"),
])
def test_each_particular_is_refused_at_its_own_field(world, changes, field, words):
    case_id = steps.investigated(world, inquire_too=False)
    with pytest.raises(RuleViolation) as refused:
        world.as_(world.officer_a).perform(case_id, "record_inquiry", _inquiry(world, {**HUANG, **changes}))
    at_field = [r.message for r in refused.value.refusals if r.field == field]
    assert at_field and words in at_field[0]
    assert not [r for r in refused.value.refusals if r.field.startswith("person") and r.field != field]


def test_another_identity_document_is_kept_as_written(world):
    case_id = steps.investigated(world, inquire_too=False)
    person = {"name": "John Smith", "id_type": "passport", "id_number": "e 1234 5678", "sex": "male", "relation": "证人"}
    digest = world.as_(world.officer_a).perform(case_id, "record_inquiry", _inquiry(world, person))
    step = next(s for s in world.services.current_state(case_id).steps if s.hash == digest)
    assert step.payload["person"]["id_number"] == "E12345678"
    assert "护照号码：E12345678" in _text(render_document(world.as_(world.officer_a).case_file_data(case_id), "inquiry_record", 1))


def test_a_payments_receipt_is_a_registered_scan_named_in_the_payment_record(world, tmp_path):
    s = world.as_(world.officer_a)
    other = steps.investigated(world, world.person)
    world.clock.set("2025-03-10T09:00")
    steps.report(world, other, fine_yuan=6000, kinds=("fine",))
    s.perform(other, "issue_prior_notice", {"penalty_kinds": ["fine"], "fine_fen": 600_000, "facts": steps.FACTS,
                                            "violation": "《中华人民共和国食品安全法》第三十四条第（十）项",
                                            "basis": "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项"})
    s.perform(other, "serve_document", {"document": "prior_notice", "method": "direct", "recipient": "刘某"})
    s.perform(other, "waive_rights", {"written": True, "statement": "放弃"})
    world.clock.set("2025-03-18T09:00")
    steps.decide(world, other, fine_yuan=6000, kinds=("fine",))
    s.perform(other, "serve_document", {"document": "decision", "method": "direct", "recipient": "刘某"})
    scan = tmp_path / "receipt.png"
    steps.png(scan, 9)
    payment = {"on": "2025-03-17", "amount_fen": 600_000, "channel": "bank", "receipt_no": "NO.0002"}
    with pytest.raises(RuleViolation) as refused:  # a file the case does not hold
        s.perform(other, "record_payment", {**payment, "receipt_files": ["ab" * 32]})
    assert [r.field for r in refused.value.refusals] == ["receipt_files"]
    sha = s.add_evidence(other, scan, {"kind": "documentary", "description": "缴款凭证NO.0002", "source": "当事人提供的缴款凭证",
                                       "collected_by": [world.officer_a.id], "collected_at": "2025-03-18T09:00"})
    s.perform(other, "record_payment", {**payment, "receipt_files": [sha]})
    text = _text(render_document(s.case_file_data(other), "payment_record", 1))
    assert "2025年3月17日" in text and "NO.0002" in text and f"凭证NO.0002的照片或扫描件见证据“缴款凭证NO.0002”（{sha[:12]}…）" in text
