"""The automatic checks of case-file evaluation on case records built through the services, each flaw
one an evaluator catches, and the sheet's rule that only the evaluator's decisions count."""

from __future__ import annotations

from datetime import datetime

import pytest
import steps
from hypothesis import given
from hypothesis import strategies as st

from enforcement_app.domain.evaluation import Line, Mark, Sheet, apply_decisions, shipped_standards
from enforcement_app.domain.refusals import InvalidInput, RuleViolation
from enforcement_app.services.clock import CHINA


def sheet_of(world, case_id):
    return world.as_(world.evaluator).evaluation_sheet(case_id)


def line_of(world, case_id, item_id) -> Line:
    return next(line for line in sheet_of(world, case_id).lines if line.item.id == item_id)


def walk_to_close(world, case_id, *, evidence, decide_on="2025-03-18T09:00"):
    """Report, notice, decision citing ``evidence``, service, payment and close: the end of a case."""
    world.clock.set("2025-03-10T09:00")
    steps.report(world, case_id)
    steps.notice(world, case_id)
    world.clock.set(decide_on)
    steps.decide(world, case_id, evidence=evidence)
    s = world.as_(world.officer_a)
    s.perform(case_id, "serve_document", {"document": "decision", "method": "direct", "recipient": "黄某"})
    s.perform(case_id, "record_payment", {"amount_fen": 5_000_000, "channel": "bank", "receipt_no": "NO.0001"})
    steps.close(world, case_id)


def photo(world, case_id, tmp_path, n=0) -> str:
    path = tmp_path / f"photo{n}.png"
    steps.png(path, n * 40)
    return world.as_(world.officer_a).add_evidence(case_id, path, {
        "kind": "audiovisual", "description": f"现场照片{n + 1}", "source": "现场拍摄",
        "collected_by": [world.officer_a.id, world.officer_b.id], "collected_at": "2025-03-04T10:30", "place": "店内"})


def inquiry(world, case_id, at, end, *, person=None, officers=None, place="仲恺高新区市场监督管理局询问室", **extra):
    return world.as_(world.officer_a).perform(case_id, "record_inquiry", {
        "started_at": at, "ended_at": end, "place": place, "officers": officers or [world.officer_a.id, world.officer_b.id],
        "recorder": "李华", "certificates_shown": True, "rights_notified": True,
        "person": person or {"name": "刘某", "id_number": "11010519491231002X", "relation": "当事人"},
        "qa": [{"q": "货架上的酸奶是否过期？", "a": "是的。"}], **extra})


def test_a_flawless_file_gets_suggestions_only_and_no_findings(world, tmp_path):
    case_id, _ = steps.closed_case(world, tmp_path)
    sheet = sheet_of(world, case_id)
    assert not [f for line in sheet.lines for f in line.findings]
    by_id = {line.item.id: line for line in sheet.lines}
    # the checks that can only find defects found none, so they leave their items to the evaluator
    for item_id in ("content_facts", "form_filling", "form_signatures"):
        assert by_id[item_id].suggestion is None and by_id[item_id].evidence
    assert by_id["veto_procedure"].suggestion == Mark(veto=False) and "应有文书齐全" in by_id["veto_procedure"].evidence
    assert sheet.total == 0 and not sheet.complete
    assert [line.item.id for line in sheet.lines if not line.evidence] == []  # every item says what the record shows of it


def test_overlapping_records_of_one_officer_are_found(world, tmp_path):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id, at="2025-03-04T10:00")  # 10:00–11:00 in the shop
    inquiry(world, case_id, "2025-03-04T10:30", "2025-03-04T11:30")  # the same two officers, in the office
    inquiry(world, case_id, "2025-03-05T09:00", "2025-03-05T10:00")  # the next day: no conflict
    steps.identity(world, case_id, tmp_path)  # the party is proved: the overlap is the one finding
    walk_to_close(world, case_id, evidence=[photo(world, case_id, tmp_path)])
    line = line_of(world, case_id, "content_facts")
    (finding,) = line.findings
    assert finding.documents == ("现场笔录（2025-03-04 10:00—11:00）", "询问笔录（2025-03-04 10:30—11:30）")
    assert "张明、李华" in finding.text and finding.text in line.evidence
    assert line.suggestion == Mark(score=line.item.points - line.item.deduct) and line.decision is None


def test_two_records_in_one_place_at_once_are_found(world, tmp_path):
    admin = world.as_(world.admin)
    cert = {"area": "仲恺高新区", "valid_from": "2024-01-01", "valid_to": "2028-12-31", "source_of_power": "市场监督管理局"}
    others = [admin.register_officer({"name": name, "login": login, "roles": ["officer"], "password": "secret-pass-1",
                                      "certificates": [{**cert, "certificate_no": no}]}).id
              for name, login, no in (("孙强", "sunqiang", "44130003"), ("周敏", "zhoumin", "44130004"))]
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    room = "仲恺高新区市场监督管理局询问室"
    inquiry(world, case_id, "2025-03-04T09:00", "2025-03-04T10:00", place=room)
    inquiry(world, case_id, "2025-03-04T09:30", "2025-03-04T10:15", place=room, officers=others,
            person={"name": "黄某", "id_number": "11010519491231002X", "relation": "法定代表人"})
    steps.identity(world, case_id, tmp_path)
    (finding,) = line_of(world, case_id, "content_facts").findings
    assert f"同一地点（{room}）" in finding.text and len(finding.documents) == 2


def test_a_questioned_person_without_identity_particulars_is_found(world, tmp_path):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    steps.inspect(world, case_id)
    inquiry(world, case_id, "2025-03-05T09:00", "2025-03-05T10:00", person={"name": "王某", "relation": "证人"})
    inquiry(world, case_id, "2025-03-05T10:30", "2025-03-05T11:00", person={"name": "赵某", "relation": "证人"})
    line = line_of(world, case_id, "form_filling")
    assert [f.documents for f in line.findings] == [("询问笔录（2025-03-05 09:00—10:00）",), ("询问笔录（2025-03-05 10:30—11:00）",)]
    assert "王某" in line.findings[0].text and line.suggestion == Mark(score=line.item.points - 2)


def test_a_record_without_signature_or_refusal_note_is_found(world, tmp_path):
    """New records cannot be made unsigned (the procedure refuses them); records made before signatures were
    captured carry only a flag, and those without it, or a refusal note, are found."""
    import dataclasses

    from enforcement_app.domain.case import Step
    from enforcement_app.domain.evaluation import pre_score, standard_on

    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    s = world.as_(world.officer_a)
    base = {"place": "惠州市仲恺高新区惠风路1号店内", "officers": [world.officer_a.id, world.officer_b.id], "certificates_shown": True,
            "findings": "货架上有超过保质期的酸奶12盒", "present": "刘某"}
    with pytest.raises(InvalidInput) as refused:
        s.perform(case_id, "record_inspection", {**base, "started_at": "2025-03-04T10:00", "ended_at": "2025-03-04T11:00", "signatures": []})
    assert "在场人的签名" in str(refused.value)
    s.perform(case_id, "record_inspection", {**base, "started_at": "2025-03-04T12:00", "ended_at": "2025-03-04T12:30"})  # signed on the pad
    state = dataclasses.replace(world.services.current_state(case_id))
    at = datetime(2025, 3, 5, 10, tzinfo=CHINA)
    old = [("record_inspection", {**base, "started_at": "2025-03-05T10:00", "ended_at": "2025-03-05T11:00", "party_signed": False}),
           ("record_inspection", {**base, "started_at": "2025-03-05T11:00", "ended_at": "2025-03-05T11:30", "party_signed": False,
                                  "refusal_note": "当事人拒绝签名，由在场人刘某见证"}),
           ("record_inquiry", {"started_at": "2025-03-05T14:00", "ended_at": "2025-03-05T15:00", "confirmed": False, "person": {"name": "刘某"}})]
    state.steps = [*state.steps, *(Step(len(state.steps) + n, f"{n:064x}", kind, world.officer_a.id, at, at.date(), p)
                                   for n, (kind, p) in enumerate(old, 1))]
    ctx = world.services.context(world.officer_a)
    line = next(x for x in pre_score(state, ctx, standard_on(ctx.today)).lines if x.item.id == "form_signatures")
    assert [f.documents for f in line.findings] == [("现场笔录（2025-03-05 10:00—11:00）",), ("询问笔录（2025-03-05 14:00—15:00）",)]
    assert "被询问人签名" in line.findings[1].text and line.suggestion == Mark(score=1)


def test_a_decision_cites_only_evidence_registered_on_the_case(world, tmp_path):
    """行政处罚法第四十六条: 证据必须经查证属实，方可作为认定案件事实的根据 — a file the case does not hold is refused."""
    case_id = steps.investigated(world)
    world.clock.set("2025-03-10T09:00")
    steps.notified_and_waived(world, case_id)
    with pytest.raises(RuleViolation) as refused:
        steps.decide(world, case_id, evidence=[*steps.records(world, case_id), "0" * 64])
    (refusal,) = [r for r in refused.value.refusals if r.rule == "evidence_unregistered"]
    assert refusal.field == "evidence" and refusal.article == "行政处罚法第四十六条" and "第四十六条" in refusal.message
    steps.decide(world, case_id)  # its own records: the 现场笔录 and the 询问笔录


def test_evidence_cited_but_not_in_the_file_is_found(world, tmp_path, monkeypatch):
    """A decision recorded by a program that did not check its evidence list (a bundle's, an older version's)."""
    other = steps.investigated(world)
    with monkeypatch.context() as older:
        older.setattr("enforcement_app.domain.procedure.decision.unregistered_evidence", lambda state, cited: [])
        walk_to_close(world, other, evidence=[photo(world, other, tmp_path), "0" * 64])
    line = line_of(world, other, "content_evidence_link")
    (finding,) = line.findings
    assert "000000000000…" in finding.text and finding.documents == ("行政处罚决定书仲高新市监处罚〔2025〕1号", "证据材料清单")
    assert line.suggestion == Mark(score=0)


def test_a_period_exceeded_is_found(world, tmp_path):
    case_id = steps.investigated(world)
    walk_to_close(world, case_id, evidence=[photo(world, case_id, tmp_path)], decide_on="2025-06-10T09:00")  # filed 3 March
    line = line_of(world, case_id, "content_deadlines")
    assert [f.documents for f in line.findings] == [("作出处罚决定期限",)]
    assert "2025-06-03" in line.findings[0].text and "行政处罚法第六十条" in line.findings[0].text
    assert line.suggestion == Mark(score=0)


def test_a_required_document_missing_suggests_the_veto(world, tmp_path):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    walk_to_close(world, case_id, evidence=[photo(world, case_id, tmp_path)])  # a photo, and no 笔录 at all
    line = line_of(world, case_id, "veto_procedure")
    assert line.suggestion == Mark(veto=True) and line.decision is None
    assert [f.documents for f in line.findings] == [("调查取证笔录（现场笔录、询问笔录或抽样记录）",)]
    evaluator = world.as_(world.evaluator)
    sheet = evaluator.record_evaluation(case_id, {"veto_procedure": {"confirm": True}})
    assert sheet.vetoed and sheet.total == 0 and not sheet.final


def test_an_evaluator_overrules_a_suggestion_only_with_a_reason(world, tmp_path):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    walk_to_close(world, case_id, evidence=[photo(world, case_id, tmp_path)])
    evaluator = world.as_(world.evaluator)
    with pytest.raises(InvalidInput, match="改变系统建议须写明理由"):
        evaluator.record_evaluation(case_id, {"veto_procedure": {"veto": False}})
    sheet = evaluator.record_evaluation(case_id, {"veto_procedure": {"veto": False, "comment": "现场笔录纸质附卷，系统外形成"}})
    line = next(line for line in sheet.lines if line.item.id == "veto_procedure")
    assert line.decision == Mark(veto=False) and not line.accepted and line.suggestion == Mark(veto=True)


# --- the sheet's arithmetic, for any suggestions and any decisions ----------------------------------------

STANDARD = shipped_standards()[0]


@st.composite
def sheets_and_decisions(draw):
    lines, decisions = [], {}
    for item in STANDARD.items:
        veto = item.group == "veto"
        suggestion = draw(st.none() | (st.booleans().map(lambda v: Mark(veto=v)) if veto
                                       else st.integers(0, item.points).map(lambda n: Mark(score=n))))
        lines.append(Line(item, "依据", suggestion))
        choice = draw(st.sampled_from(("open", "confirm", "own")))
        if choice == "confirm" and suggestion is not None:
            decisions[item.id] = {"confirm": True}
        elif choice == "own":
            decisions[item.id] = {"veto": draw(st.booleans())} if veto else {"score": draw(st.integers(0, item.points))}
            decisions[item.id]["comment"] = "评查人员意见"
    return Sheet(STANDARD, tuple(lines)), decisions


@given(sheets_and_decisions(), st.booleans())
def test_only_decisions_count_and_final_needs_every_item(case, final):
    sheet, decisions = case
    if final and len(decisions) < len(sheet.lines):
        with pytest.raises(InvalidInput, match=r"尚有\d+项评查项目未评定"):
            apply_decisions(sheet, decisions, final=True)
        final = False
    decided = apply_decisions(sheet, decisions, final=final)
    assert decided.decided == len(decisions) and len(decided.open_items) == len(sheet.lines) - len(decisions)
    assert decided.final == final and decided.complete == (len(decisions) == len(sheet.lines))
    marks = {line.item.id: line.decision for line in decided.lines}
    if any(m is not None and m.veto for m in marks.values()):
        assert decided.vetoed and decided.total == 0
    else:
        assert decided.total == sum(m.score for m in marks.values() if m is not None and m.score is not None) <= STANDARD.max_score
    for line in decided.lines:
        assert line.accepted == (decisions.get(line.item.id, {}).get("confirm") is True or (line.decision is not None and line.decision == line.suggestion))
    assert apply_decisions(sheet, {}).total == 0  # suggestions alone never score


def test_a_lead_not_filed_is_not_vetoed_for_what_only_a_filed_case_has(world):
    case_id = steps.lead(world, world.company)
    world.as_(world.officer_a).perform(case_id, "request_filing", {"facts": "投诉反映销售过期食品", "violation": "《中华人民共和国食品安全法》第三十四条第（十）项", "reason": "涉嫌违反食品安全法第三十四条"})
    world.as_(world.head).perform(case_id, "refuse_filing", {"reason": "经核查，违法事实不存在"})
    by_id = {line.item.id: line for line in sheet_of(world, case_id).lines}
    assert by_id["veto_officers"].suggestion == Mark(veto=False) and "不予立案" in by_id["veto_officers"].evidence
    assert by_id["veto_procedure"].suggestion == Mark(veto=False) and not by_id["veto_procedure"].findings


def test_the_cli_records_a_draft_and_refuses_final_while_items_are_open(world, tmp_path, monkeypatch, capsys):
    import json

    from enforcement_app.cli.main import main as cli

    case_id, _ = steps.closed_case(world, tmp_path)
    sheet = sheet_of(world, case_id)
    world.services.close()
    monkeypatch.setenv("ENFORCEMENT_PASSWORD", "secret-pass-1")
    base = ["--db", str(world.services.path), "--user", "wuping", "evaluate", case_id]
    one = json.dumps({"content_execution": {"confirm": True}})
    assert cli([*base, "--record", one, "--final"]) == 2
    assert "尚有26项评查项目未评定" in capsys.readouterr().err
    assert cli([*base, "--record", one]) == 0
    out = capsys.readouterr().out
    assert "草稿：已评1项，尚余26项未评" in out and "4/4    4/4" in out  # the suggestion beside the decision
    every = {line.item.id: ({"confirm": True} if line.suggestion else {"veto": False} if line.item.group == "veto"
                            else {"score": line.item.points}) for line in sheet.lines}
    assert cli([*base, "--record", json.dumps(every), "--final", "--json"]) == 0
    recorded = json.loads(capsys.readouterr().out)
    assert recorded["final"] and recorded["open"] == 0 and recorded["total"] == 100
