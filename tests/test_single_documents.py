"""Documents one at a time, as they are made: one recorded document of a case, the documents of one step, and a
record typed but not yet recorded printed as a draft with lines to sign on. Real PDFs parsed back."""

from __future__ import annotations

import io

import pytest
import steps
from pypdf import PdfReader

from enforcement_app.casefile import list_documents, render_document, render_step
from enforcement_app.domain.refusals import PermissionDenied


def _text(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


INQUIRY = {"started_at": "2025-03-05T14:00", "ended_at": "2025-03-05T15:00", "place": "仲恺高新区市场监督管理局询问室",
           "recorder": "李华", "certificates_shown": True, "rights_notified": True,
           "person": {"name": "黄某", "relation": "法定代表人"}, "qa": [{"q": "酸奶从何处进货？", "a": "从批发市场进货。"}]}


def test_a_draft_inquiry_prints_as_recorded_would_with_lines_to_sign(world):
    case_id = steps.investigated(world)
    count = "SELECT count(*) FROM event WHERE stream = ?"
    events = world.services.db.execute(count, [case_id]).fetchone()[0]
    s = world.as_(world.officer_a)
    data = s.draft_case_file_data(case_id, "record_inquiry", {**INQUIRY, "officers": [world.officer_a.id, world.officer_b.id]})
    text = _text(render_step(data, data.draft))
    assert "草稿，未入卷" in text and "询问笔录" in text
    assert "问：酸奶从何处进货？" in text and "答：从批发市场进货。" in text and "张明（执法证号：44130001）" in text
    assert "被询问人签名：" in text and "询问人签名：" in text and "以上笔录我看过" in text
    assert "未留存签名" not in text and "未确认" not in text
    assert "从批发市场进货" not in _text(render_document(data, "inquiry_record", 1))  # the recorded inquiry is not the draft
    assert world.services.db.execute(count, [case_id]).fetchone()[0] == events  # nothing recorded on the case


def test_a_draft_is_only_for_those_who_may_take_the_step(world):
    case_id = steps.investigated(world)
    with pytest.raises(PermissionDenied):
        world.as_(world.evaluator).draft_case_file_data(case_id, "record_inquiry", INQUIRY)


def test_one_recorded_document_and_the_documents_of_one_step(world):
    case_id = steps.investigated(world)
    inspection = steps.inspect(world, case_id, at="2025-03-05T10:00")  # a second inspection
    data = world.as_(world.officer_a).case_file_data(case_id)
    listed = [(e.kind, e.n, e.title) for e in list_documents(data)]
    assert ("inspection_record", 2, "现场笔录（2）") in listed and listed[0][0] == "case_source"
    entry = next(e for e in list_documents(data) if e.kind == "inspection_record" and e.n == 2)
    assert entry.step == inspection and entry.day == "2025年3月5日"
    one = render_document(data, "inspection_record", 2)
    assert render_step(data, inspection) == one  # the same document, byte for byte
    text = _text(one)
    assert "现场笔录" in text and "货架上有超过保质期的酸奶12盒" in text and "草稿" not in text
    assert len(PdfReader(io.BytesIO(one)).pages) == 1
    assert next(e for e in list_documents(data) if e.kind == "filing_approval").step == ""  # made from the request and its approval
    with pytest.raises(ValueError):
        render_document(data, "inspection_record", 3)
