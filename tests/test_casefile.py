"""Case-file PDFs parsed back: order, contents page ranges against the real pages, page numbers only on
the documents, key fields as text, one bookmark per document, the embedded font, byte-identical
re-export, the process record with its chain head, and the check of a PDF against the database."""

from __future__ import annotations

import io
import os
import re

import pytest
import steps
from pypdf import PdfReader

from enforcement_app.casefile import fonts, read_marker, render_case_file, verify_pdf
from enforcement_app.casefile.documents import document_order
from enforcement_app.cli.main import main as cli
from enforcement_app.domain.refusals import InvalidInput, PermissionDenied, RuleViolation

_closed_case = steps.closed_case


@pytest.fixture
def exported(world, tmp_path):
    case_id, hashes = _closed_case(world, tmp_path)
    data = world.as_(world.evaluator).case_file_data(case_id)
    rendered = render_case_file(data)
    return world, case_id, hashes, data, rendered, PdfReader(io.BytesIO(rendered.pdf))


def _outline(reader) -> list[tuple[str, int]]:
    return [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]


def test_documents_in_legal_order_with_one_bookmark_each(exported):
    _world, _case, _hashes, _data, rendered, reader = exported
    outline = _outline(reader)
    titles = [t for t, _ in outline]
    assert titles[0] == "封面" and titles[1] == "卷内目录" and titles[-1] == "备考表"
    assert titles[2:-1] == [d[0] for d in rendered.documents]
    # the kinds appear in the configured legal order, and a step the case did not have is left out
    kinds = [k["title"] for k in document_order()]
    positions = [next(i for i, k in enumerate(kinds) if t.startswith(k.split("（")[0][:4])) for t in titles[2:-1]]
    assert positions == sorted(positions)
    assert not any("听证" in t or "法制审核" in t for t in titles)
    assert len(reader.pages) == rendered.pages


def test_contents_page_ranges_match_the_real_pages(exported):
    _world, _case, _hashes, data, rendered, reader = exported
    outline = _outline(reader)
    starts = [page for _, page in outline[2:-1]]
    body_offset = starts[0]  # the cover and the contents pages (pypdf counts from 0), unnumbered
    assert outline[1] == ("卷内目录", 1) and body_offset >= 2
    rows = _contents_rows(reader, body_offset, rendered.documents)
    agency, handlers = data.agency.name, "、".join(data.officers[h].name for h in data.state.handlers)
    for n, ((title, number, first, last), start) in enumerate(zip(rendered.documents, starts, strict=True)):
        assert first == start + 1 - body_offset
        next_start = starts[n + 1] if n + 1 < len(starts) else outline[-1][1]
        assert last == next_start - body_offset
        pages = str(first) if first == last else f"{first}-{last}"
        assert rows[n]["pages"] == pages and rows[n]["number"] == number
        # 责任者: the agency for what it issues in its name, the officers in charge for their records
        expected = agency if title in ("行政处罚告知书", "行政处罚决定书", "附：全过程记录") else handlers if title.startswith(
            ("询问笔录", "现场笔录", "立案审批表", "送达回证", "结案审批表")) else rows[n]["responsible"]
        assert rows[n]["responsible"] == expected and expected in (agency, handlers), title
    cover = reader.pages[0].extract_text()
    assert f"本卷共 {len(rendered.documents)} 件，{rendered.numbered_pages} 页" in cover


def _bottom_right(page) -> list[str]:
    """Text drawn in the bottom-right corner (below 20 mm, right of the middle) of a page."""
    found = []

    def visit(text, cm, tm, font_dict, font_size):
        x, y = cm[4] + tm[4], cm[5] + tm[5]
        if text.strip() and y < 20 * 72 / 25.4 and x > 105 * 72 / 25.4:
            found.append(text.strip())

    page.extract_text(visitor_text=visit)
    return found


def _contents_rows(reader, body_offset: int, documents) -> list[dict[str, str]]:
    """Each contents row read back from the contents pages' text: 序号, 文号, 责任者, 题名, 日期 (eight
    digits), 页号, in this order (a cell may wrap over several lines; whitespace is dropped)."""
    flat = re.sub(r"\s+", "", "".join(reader.pages[i].extract_text() for i in range(1, body_offset)))
    assert flat.startswith("卷内目录序号文号责任者题名日期页号备注")
    rows, position = [], 0
    for n, (title, number, first, last) in enumerate(documents, 1):
        pages = str(first) if first == last else f"{first}-{last}"
        found = re.compile(rf"{n}(?P<number>{re.escape(number)})(?P<responsible>\D+?){re.escape(title)}(?P<day>\d{{8}})(?P<pages>{pages})").search(
            flat, position)
        assert found, (n, title, flat[position:position + 80])
        rows.append(found.groupdict())
        position = found.end()
    return rows


def test_page_numbers_only_on_document_pages(exported):
    _world, _case, _hashes, _data, rendered, reader = exported
    corners = [_bottom_right(p) for p in reader.pages]
    assert corners[2:-1] == [[str(n)] for n in range(1, rendered.numbered_pages + 1)]
    assert corners[0] == corners[1] == corners[-1] == []  # cover, contents, closing note sheet


def test_key_fields_of_each_document_are_present(exported):
    world, _case, hashes, data, _rendered, reader = exported
    text = "\n".join(p.extract_text() for p in reader.pages)
    flat = re.sub(r"\s+", "", text)
    state = data.state
    for needle in (state.case_no, "惠州某某食品有限公司", "91350100M000100Y43", "44130001", "44130002", "以上笔录我看过（或者已向我宣读过），与我说的相符",
                   "50,000.00元", "申请行政复议", "提起行政诉讼", "NO.0001", "20250001", "现场照片1"):
        assert needle in flat, needle
    for digest in hashes:
        assert digest[:32] in flat and digest[32:] in flat
    assert data.heads[0] in flat  # the chain head closes the process record
    assert f"本案共{len(data.events)}条记录" in flat


def test_metadata_marker_and_embedded_font(exported):
    _world, case_id, _hashes, data, rendered, reader = exported
    meta = reader.metadata
    assert meta.title == f"{data.state.title}案卷"
    assert meta.author == "惠州仲恺高新技术产业开发区市场监督管理局"
    assert data.state.case_no in meta.subject
    signed = ",".join(f"{h}:{o.fingerprint.replace(' ', '')}" for h, o in data.sign_offs.items() if o.valid)
    assert data.sign_offs and signed.count(":") == len(data.sign_offs)  # every sign-off of the case, each signature valid
    assert read_marker(rendered.pdf) == {"case": case_id, "no": data.state.case_no, "head": data.heads[0], "events": str(len(data.events)),
                                         "signoffs": signed}
    if not rendered.font.embedded:
        pytest.skip("no TrueType CJK font on this machine")
    embedded = set()
    for page in reader.pages:
        for ref in page["/Resources"].get("/Font", {}).values():
            font = ref.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object().get("/FontDescriptor")
                if descriptor is not None and "/FontFile2" in descriptor.get_object():
                    embedded.add(str(font["/BaseFont"]))
    assert embedded and all("+" in name for name in embedded)  # TrueType outlines, embedded as a subset


def test_re_export_is_byte_identical(exported):
    _world, _case, _hashes, data, rendered, _reader = exported
    assert render_case_file(data).pdf == rendered.pdf


def test_qr_code_matrix_is_reportlab_s_encoding(exported):
    from reportlab.graphics.barcode import qrencoder

    from enforcement_app.casefile.documents import _QrCode

    text = "ecr-casefile/1;case=abc;no=仲高新市监罚字〔2025〕1号;head=" + "0" * 64
    ours = _QrCode(text, 100).modules
    reference = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    reference.addData(text)
    reference.make()
    assert ours == [[reference.isDark(r, c) for c in range(reference.getModuleCount())] for r in range(reference.getModuleCount())]


def test_verify_pdf_against_the_database(exported, tmp_path):
    world, case_id, _hashes, data, rendered, _reader = exported
    session = world.as_(world.evaluator)
    path = tmp_path / "case.pdf"
    path.write_bytes(rendered.pdf)
    assert verify_pdf(session, path).ok
    # a chain head the database never had: the file does not belong to this record
    forged = tmp_path / "forged.pdf"
    forged.write_bytes(rendered.pdf.replace(_encode_utf16(data.heads[0]), _encode_utf16("f" * 64)))
    check = verify_pdf(session, forged)
    assert not check.ok and "不存在" in check.message
    # a PDF that is not a case file
    plain = tmp_path / "plain.pdf"
    plain.write_bytes(rendered.pdf.replace(b"/Keywords (", b"/Keyword_ ("))
    assert not verify_pdf(session, plain).ok


def test_verify_pdf_says_when_the_case_moved_on(world, tmp_path):
    case_id, _hashes = _closed_case(world, tmp_path, archive=False)
    path = tmp_path / "early.pdf"
    path.write_bytes(render_case_file(world.as_(world.evaluator).case_file_data(case_id)).pdf)
    world.as_(world.officer_a).perform(case_id, "archive_case", {"archive_no": "20250001", "retention": "30_years"})
    check = verify_pdf(world.as_(world.evaluator), path)
    assert not check.ok and "新增了 1 条记录" in check.message


def _encode_utf16(text: str) -> bytes:
    return b"".join(f"\\000{ch}".encode() if ch.isalnum() else ch.encode() for ch in text)


def test_a_file_without_a_truetype_font_says_it_is_not_archive_grade(monkeypatch):
    monkeypatch.setattr(fonts, "CANDIDATES", {"linux": {}, "win32": {}, "darwin": {}})
    font = fonts.find_font.__wrapped__("/no/such/font.ttf")
    assert not font.embedded and "不符合归档要求" in font.note and "/no/such/font.ttf" in font.note


def decide_all(sheet, **overrides):
    """Every item decided: each suggestion confirmed, the items without one given full points and no veto."""
    out = {line.item.id: ({"confirm": True} if line.suggestion else {"veto": False} if line.item.group == "veto" else {"score": line.item.points})
           for line in sheet.lines}
    return {**out, **overrides}


def test_evaluation_suggests_what_the_record_shows_and_counts_only_decisions(world, tmp_path):
    case_id, _hashes = _closed_case(world, tmp_path)
    evaluator = world.as_(world.evaluator)
    sheet = evaluator.evaluation_sheet(case_id)
    by_id = {line.item.id: line for line in sheet.lines}
    assert by_id["content_officers"].suggestion.score == 6 and "44130001" in by_id["content_officers"].evidence
    assert by_id["content_evidence_link"].suggestion.score == 6
    assert by_id["content_service"].suggestion.score == 6 and by_id["content_execution"].suggestion.score == 4
    assert by_id["veto_procedure"].suggestion.veto is False
    # nothing counts before the evaluator decides: no score, every item open
    assert all(line.decision is None for line in sheet.lines) and sheet.total == 0 and len(sheet.open_items) == len(sheet.lines)
    scores = decide_all(sheet, form_signatures={"score": 2})
    with pytest.raises(InvalidInput, match="扣分须写明扣分理由"):
        evaluator.record_evaluation(case_id, scores)
    with pytest.raises(InvalidInput, match="改变系统建议须写明理由"):
        evaluator.record_evaluation(case_id, {**scores, "content_officers": {"score": 0}})
    with pytest.raises(InvalidInput, match="0 至 3"):
        evaluator.record_evaluation(case_id, {**scores, "form_signatures": {"score": 4}})
    scores["form_signatures"] = {"score": 2, "comment": "询问笔录缺被询问人逐页签名"}
    with pytest.raises(PermissionDenied):
        world.as_(world.head).record_evaluation(case_id, scores, final=True)  # only evaluators evaluate
    open_one = {k: v for k, v in scores.items() if k != "content_law"}
    with pytest.raises(InvalidInput, match=r"尚有\d+项评查项目未评定.*定性准确"):
        evaluator.record_evaluation(case_id, open_one, final=True)
    draft = evaluator.record_evaluation(case_id, open_one)  # a draft may leave items open
    assert not draft.final and [line.item.id for line in draft.open_items] == ["content_law"]
    assert draft.total == sheet.standard.max_score - 1 - 10
    stored = evaluator.record_evaluation(case_id, scores, final=True)
    assert stored.complete and stored.final and stored.total == sheet.standard.max_score - 1 and stored.evaluator == "吴评查"
    reader = PdfReader(io.BytesIO(render_case_file(evaluator.case_file_data(case_id)).pdf))
    assert "附：案卷评查表" in [t for t, _ in _outline(reader)]
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "评查结论：99分（满分100分）" in text and "询问笔录缺被询问人逐页签名" in text and "（草稿）" not in text


def test_the_recorded_evaluation_keeps_each_suggestion_beside_the_decision(world, tmp_path):
    from enforcement_app.store import events as event_store

    case_id, _hashes = _closed_case(world, tmp_path)
    evaluator = world.as_(world.evaluator)
    sheet = evaluator.evaluation_sheet(case_id)
    evaluator.record_evaluation(case_id, decide_all(sheet, content_execution={"score": 2, "comment": "缴款凭证为复印件"}))
    evaluator.record_evaluation(case_id, decide_all(sheet), final=True)
    draft, final = (e.payload for e in event_store.events_of(world.services.db, f"evaluation/{case_id}"))
    assert draft["final"] is False and final["final"] is True and final["open"] == 0
    changed = draft["items"]["content_execution"]
    assert changed["suggested"]["score"] == 4 and "NO.0001" in changed["suggested"]["evidence"]
    assert changed["decided"] == {"score": 2} and changed["comment"] == "缴款凭证为复印件"
    assert final["items"]["veto_transfer"] == {"suggested": None, "decided": {"veto": False}, "comment": ""}  # the evaluator's alone
    assert final["items"]["veto_body"]["suggested"]["veto"] is False and "职权来源：法定职权" in final["items"]["veto_body"]["suggested"]["evidence"]


def test_an_open_case_cannot_be_evaluated_and_deadline_failures_show(world, tmp_path):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-06-05T09:00")  # past the 90-day decision limit with no extension
    with pytest.raises(RuleViolation, match="尚未结案"):
        world.as_(world.evaluator).record_evaluation(case_id, {})
    line = next(line for line in world.as_(world.evaluator).evaluation_sheet(case_id).lines if line.item.id == "content_deadlines")
    assert line.suggestion.score == 0 and line.decision is None and "作出处罚决定期限" in line.evidence


def test_cli_single_and_batch_export_with_a_failure_reported(world, tmp_path, capsys, monkeypatch):
    first, _ = _closed_case(world, tmp_path)
    world.clock.set("2025-03-03T09:00")  # a second case over the same days
    second, _ = _closed_case(world, tmp_path / "..")
    world.services.close()
    db = str(world.services.path)
    out = tmp_path / "one.pdf"
    assert cli(["--db", db, "--user", "wuping", "export-pdf", first, "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    assert cli(["--db", db, "--user", "wuping", "export-pdf", first, "--out", str(out)]) == 2  # never overwrites
    assert cli(["--db", db, "--user", "wuping", "verify-pdf", str(out)]) == 0
    from enforcement_app.cli import casefile_cmd

    real = casefile_cmd.render_case_file

    def flaky(data, font=None):
        if data.state.id == second:
            raise OSError("磁盘已满")
        return real(data, font)

    monkeypatch.setattr(casefile_cmd, "render_case_file", flaky)
    capsys.readouterr()
    assert cli(["--db", db, "--user", "wuping", "export-pdf", "--stage", "archived", "--out-dir", str(tmp_path / "batch")]) == 1
    report = capsys.readouterr().out
    assert "导出 1/2 个案卷" in report and "磁盘已满" in report
    assert len(os.listdir(tmp_path / "batch")) == 1
    assert cli(["--db", db, "--user", "wuping", "evaluate", first, "--json"]) == 0


def test_an_evidence_file_that_is_no_image_does_not_stop_the_export(world, tmp_path):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    fake = tmp_path / "scan.jpg"
    fake.write_bytes(b"not really a jpeg" * 100)
    world.as_(world.officer_a).add_evidence(case_id, fake, {"kind": "documentary", "description": "扫描件", "source": "当事人提供",
                                                             "collected_by": [world.officer_a.id]})
    rendered = render_case_file(world.as_(world.evaluator).case_file_data(case_id))
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "无法显示该图片" in re.sub(r"\s+", "", text)  # on its picture page, where it would print


def test_each_approval_block_prints_its_signer_and_key_fingerprint(exported):
    world, _case_id, _hashes, data, _rendered, reader = exported
    kinds = {s.hash: s.kind for s in data.state.steps}
    # a fine this size needs no legal review; the case closes on the head's signed approval
    assert sorted(kinds[h] for h in data.sign_offs) == ["approve_closing", "approve_filing", "make_decision"]
    pages = [page.extract_text() for page in reader.pages]
    outline = dict(_outline(reader))
    for document, kind in (("立案审批表", "approve_filing"), ("行政处罚决定审批表", "make_decision"), ("结案审批表", "approve_closing")):
        sign_off = next(o for h, o in data.sign_offs.items() if kinds[h] == kind)
        page = pages[outline[document]]
        assert sign_off.valid and f"密钥指纹 {sign_off.fingerprint}（已核验）" in page.replace("\n", "")
        assert world.services.officers()[sign_off.signer].name in page


def test_verify_pdf_refuses_a_file_whose_sign_off_differs_from_the_record(exported, tmp_path):
    import dataclasses

    world, _case_id, _hashes, data, _rendered, _reader = exported
    session = world.as_(world.evaluator)
    digest, seal = next(iter(data.sign_offs.items()))
    other = dataclasses.replace(seal, fingerprint="0000 1111 2222 3333")
    path = tmp_path / "other-key.pdf"
    path.write_bytes(render_case_file(dataclasses.replace(data, sign_offs={**data.sign_offs, digest: other})).pdf)
    check = verify_pdf(session, path)
    assert not check.ok and "密钥指纹与记录中的不同" in check.message
    gone = tmp_path / "unknown.pdf"
    gone.write_bytes(render_case_file(dataclasses.replace(data, sign_offs={**data.sign_offs, "e" * 64: seal})).pdf)
    check = verify_pdf(session, gone)
    assert not check.ok and "不在本案记录中" in check.message


def test_the_decision_writes_the_amount_in_capitals_and_no_draft_wording(exported):
    _world, _case, _hashes, _data, _rendered, reader = exported
    outline = dict(_outline(reader))
    page = re.sub(r"\s+", "", reader.pages[outline["行政处罚决定书"]].extract_text())
    assert "罚款50,000.00元（大写：伍万元整）" in page
    for draft in ("仅供参考", "拟罚", "拟处", "代拟", "（草稿）"):
        assert draft not in page, draft


def test_the_file_is_dated_by_its_record(exported):
    _world, _case, _hashes, data, _rendered, reader = exported
    last = data.events[-1].at.astimezone(__import__("datetime").timezone.utc)
    assert reader.metadata.creation_date.replace(tzinfo=None) == last.replace(tzinfo=None, microsecond=0)
    assert reader.metadata.modification_date == reader.metadata.creation_date


def test_statement_and_its_review_are_separate_documents_and_an_oral_one_is_signed(world, tmp_path):
    from enforcement_app.casefile import render_documents

    case_id = steps.investigated(world, world.company)
    steps.report(world, case_id, fine_yuan=8000, kinds=("fine",))
    steps.notice(world, case_id, fine_yuan=8000, kinds=("fine",))
    s = world.as_(world.officer_a)
    oral = {"form": "oral", "by": "黄某", "content": "请求从轻处罚，初次违法"}
    with pytest.raises(RuleViolation) as refused:  # an oral statement is a 笔录: when, where, who took it down
        s.perform(case_id, "record_statement", oral)
    assert {"started_at", "ended_at", "place", "officers", "recorder"} <= {r.field for r in refused.value.refusals}
    world.clock.set("2025-03-06T12:00")
    s.perform(case_id, "record_statement", {**oral, "started_at": "2025-03-06T09:00", "ended_at": "2025-03-06T09:40",
                                            "place": "本局询问室", "officers": [world.officer_a.id, world.officer_b.id], "recorder": "李华"})
    s.perform(case_id, "record_reexamination", {"adopted": False, "conclusion": "未提出新的事实和理由，不予采纳"})
    reader = PdfReader(io.BytesIO(render_documents(world.as_(world.evaluator).case_file_data(case_id), ("statement_record", "reexamination"))))
    pages = [re.sub(r"\s+", "", page.extract_text()) for page in reader.pages]
    assert len(pages) == 2 and "陈述申辩笔录" in pages[0] and "陈述申辩复核意见书" in pages[1]
    assert "时间2025年3月6日9时00分至2025年3月6日9时40分" in pages[0]
    assert "本局询问室" in pages[0] and "记录人李华" in pages[0] and "执法证号" in pages[0]
    # the party's drawn signature and both officers'
    assert "当事人签名（黄某）" in pages[0] and len(reader.pages[0].images) == 3
    assert "不予采纳" in pages[1] and "请求从轻处罚" not in pages[1]


def test_the_interviewee_signs_every_page_of_a_long_inquiry_record(world):
    """询问笔录: the interviewee's signature at the foot of each page (printed from the one captured), not only
    at the end; in a draft printed for signing on paper, a line on each page."""
    from enforcement_app.casefile import render_documents

    case_id = steps.investigated(world, world.company, inquire_too=False)
    qa = [{"q": f"第{k}问：请说明进货渠道、数量和销售情况？", "a": "从批发市场进货二十箱，已销售约十箱，没有核对保质期。" * 4} for k in range(30)]
    world.as_(world.officer_a).perform(case_id, "record_inquiry", {
        "started_at": "2025-03-05T09:30", "ended_at": "2025-03-05T11:30", "place": "询问室", "officers": [world.officer_a.id, world.officer_b.id],
        "recorder": "李华", "certificates_shown": True, "rights_notified": True,
        "person": {"name": "刘某", "id_number": "11010519491231002X", "relation": "当事人"}, "qa": qa})
    reader = PdfReader(io.BytesIO(render_documents(world.as_(world.evaluator).case_file_data(case_id), ("inquiry_record",))))
    assert len(reader.pages) >= 3
    for page in reader.pages:
        text = re.sub(r"\s+", "", page.extract_text())
        assert "被询问人签名" in text and len(page.images) >= 1  # the drawn signature on this page
    # the last page: the interviewee's image (at the foot and on its line: one image object) and both officers'
    assert len(reader.pages[-1].images) == 3
    # the draft printed to be signed on paper: a line to sign on at the foot of every page
    from enforcement_app.casefile import render_step

    s = world.as_(world.officer_a)
    data = s.draft_case_file_data(case_id, "record_inquiry", {
        "started_at": "2025-03-05T13:30", "ended_at": "2025-03-05T15:30", "place": "询问室", "officers": [world.officer_a.id, world.officer_b.id],
        "recorder": "李华", "certificates_shown": True, "rights_notified": True, "person": {"name": "王某", "relation": "证人"}, "qa": qa})
    draft = PdfReader(io.BytesIO(render_step(data, data.draft)))
    assert len(draft.pages) >= 3
    assert all("被询问人签名" in re.sub(r"\s+", "", page.extract_text()) and not page.images for page in draft.pages)


def test_a_corrected_record_prints_as_signed_with_its_correction_under_it(world):
    """A 笔录 is not rewritten after it was signed: the case file prints it as signed and, under it, each
    correction recorded later (原为…，更正为…) with its reason and who made it."""
    from enforcement_app.casefile import render_documents

    case_id = steps.investigated(world, world.company, inquire_too=False)
    inspection = next(s for s in world.services.current_state(case_id).steps if s.kind == "record_inspection")
    world.as_(world.officer_a).perform(case_id, "correct_record", {"corrects": inspection.hash, "reason": "清点有误",
                                                                   "changes": {"findings": "货架上有超过保质期的酸奶13盒"}})
    reader = PdfReader(io.BytesIO(render_documents(world.as_(world.evaluator).case_file_data(case_id), ("inspection_record",))))
    text = re.sub(r"\s+", "", "".join(p.extract_text() for p in reader.pages))
    assert "货架上有超过保质期的酸奶12盒" in text.split("更正记录")[0]  # the record as signed
    assert "检查情况原为“货架上有超过保质期的酸奶12盒”，更正为“货架上有超过保质期的酸奶13盒”" in text
    assert "理由：清点有误" in text and "张明更正" in text
