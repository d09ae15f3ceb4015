"""Pictures among the evidence as a court and an evaluator read them: each photo with when, where and by whom it
was taken and what it proves, printed at the width of the page with its particulars; the copy of the party's
identity card or business licence as its own document (当事人身份证明), checked against the party, and a file
without one found by the evaluation."""

from __future__ import annotations

import io
import re

import pytest
import steps
from pypdf import PdfReader
from reportlab.lib.units import mm
from test_evaluation import line_of, photo, walk_to_close

from enforcement_app.casefile import render_case_file, render_documents
from enforcement_app.casefile.documents import BODY_WIDTH
from enforcement_app.domain.refusals import InvalidInput, RuleViolation

_IMAGE = re.compile(rb"([\d.]+) 0 0 ([\d.]+) [\d.]+ [\d.]+ cm\s*/(\S+) Do")


def _filed(world):
    case_id = steps.lead(world, world.company)
    steps.file(world, case_id)
    world.clock.set("2025-03-05T12:00")
    return case_id


def _placed(page) -> list[tuple[float, float]]:
    """(width, height) in points of each image drawn on the page."""
    return [(float(w), float(h)) for w, h, _name in _IMAGE.findall(page.get_contents().get_data())]


def test_a_photo_says_when_where_and_by_whom_it_was_taken_and_what_it_proves(world, tmp_path):
    case_id = _filed(world)
    officer = world.as_(world.officer_a)
    picture = tmp_path / "shelf.png"
    steps.png(picture)
    bare = {k: v for k, v in steps.photo_details(world).items() if k not in ("taken_at", "taken_place", "taken_by", "proves")}
    with pytest.raises(InvalidInput) as refused:
        officer.add_evidence(case_id, picture, bare)
    assert {r.field for r in refused.value.refusals} == {"taken_at", "taken_place", "taken_by", "proves"}
    assert "拍摄时间不能为空" in str(refused.value) and "证明对象（证明内容）不能为空" in str(refused.value)
    with pytest.raises(InvalidInput, match="拍摄时间不能晚于证据的收集时间"):
        officer.add_evidence(case_id, picture, {**steps.photo_details(world), "taken_at": "2025-03-04T12:00"})
    note = tmp_path / "note.txt"
    note.write_text("不是照片", encoding="utf-8")
    with pytest.raises(InvalidInput, match="照片须为图片文件"):
        officer.add_evidence(case_id, note, steps.photo_details(world))
    sha = officer.add_evidence(case_id, picture, steps.photo_details(world))
    recorded = next(e for e in officer.view(case_id).state.evidence if e["sha256"] == sha)
    assert (recorded["taken_at"], recorded["taken_by"], recorded["witness"]) == ("2025-03-04T10:10", "张明", "刘某")
    # the other kinds ask nothing new: an audio-visual item as before still registers
    officer.add_evidence(case_id, picture, {"kind": "audiovisual", "description": "执法记录仪截图", "source": "执法记录仪",
                                            "collected_by": [world.officer_a.id]})


def test_the_identity_proof_is_an_image_of_the_partys_own_document(world, tmp_path):
    case_id = _filed(world)
    officer = world.as_(world.officer_a)
    scan = tmp_path / "licence.png"
    steps.png(scan, 30, 96, 64)
    details = {"kind": "identity", "description": "营业执照复印件", "source": "当事人提供", "collected_by": [world.officer_a.id],
               "identity_document": "营业执照", "identity_no": world.company.uscc}
    with pytest.raises(InvalidInput) as refused:
        officer.add_evidence(case_id, scan, {k: v for k, v in details.items() if k != "identity_no"})
    assert "证件号码不能为空" in str(refused.value)
    with pytest.raises(InvalidInput) as refused:
        officer.add_evidence(case_id, scan, {**details, "identity_no": world.person.id_number})
    assert "identity_not_the_party" in {r.rule for r in refused.value.refusals} and "91350100M000100Y43" in str(refused.value)
    pdf = tmp_path / "licence.pdf"
    pdf.write_bytes(b"%PDF-1.4 scan")
    with pytest.raises(InvalidInput, match="当事人身份证明须为图片文件"):
        officer.add_evidence(case_id, pdf, details)
    sha = officer.add_evidence(case_id, scan, {**details, "identity_no": world.company.uscc.lower()})  # read as the registry writes it
    recorded = next(e for e in officer.view(case_id).state.evidence if e["sha256"] == sha)
    assert recorded["identity_no"] == "91350100M000100Y43" and recorded["proves"] == "当事人的主体资格（身份）"


def test_the_case_file_prints_the_identity_proof_early_and_each_photo_at_the_page_width(world, tmp_path):
    case_id, hashes = steps.closed_case(world, tmp_path)
    reader = PdfReader(io.BytesIO(render_case_file(world.as_(world.evaluator).case_file_data(case_id)).pdf))
    titles = [item.title for item in reader.outline]
    assert titles.index("当事人身份证明") == titles.index("立案审批表") + 1
    assert titles.index("证据照片") == titles.index("证据材料清单") + 1
    pages = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    text = lambda n: re.sub(r"\s+", "", reader.pages[n].extract_text())  # noqa: E731
    identity = text(pages["当事人身份证明"])
    for needle in ("当事人身份证明", "营业执照", "91350100M000100Y43（与登记一致）", "当事人的主体资格", "当事人提供"):
        assert needle in identity, needle
    (licence,) = _placed(reader.pages[pages["当事人身份证明"]])
    assert licence[0] == pytest.approx(BODY_WIDTH, abs=0.5)  # the copy across the page, not a thumbnail
    first = pages["证据照片"]
    photos = "".join(text(n) for n in range(first, pages["证据照片"] + 2))
    for needle in ("照片1：现场照片1", "拍摄时间2025年3月4日10时10分", "拍摄地点惠州市仲恺高新区惠风路1号店内货架", "拍摄人张明",
                   "见证人刘某", "证明对象货架上陈列超过保质期的酸奶（第1组）", "照片2：现场照片2", "拍摄时间2025年3月4日10时11分",
                   hashes[0], hashes[1]):
        assert needle in photos, needle
    placed = [size for n in range(first, first + 2) for size in _placed(reader.pages[n])]
    assert len(placed) == 2 and all(w == pytest.approx(BODY_WIDTH, abs=0.5) and h <= 118 * mm + 0.5 for w, h in placed)
    listing = text(pages["证据材料清单"])
    assert "当事人身份证明" in listing and "（见“当事人身份证明”）" in listing and "（见“证据照片”）" in listing


def test_a_picture_recorded_before_its_particulars_prints_them_as_not_recorded(world, tmp_path):
    case_id = _filed(world)
    picture = tmp_path / "old.png"
    steps.png(picture, 90)
    world.as_(world.officer_a).add_evidence(case_id, picture, {"kind": "audiovisual", "description": "线索照片", "source": "举报人提供",
                                                               "collected_by": [world.officer_a.id], "collected_at": "2025-03-04T09:00"})
    reader = PdfReader(io.BytesIO(render_documents(world.as_(world.evaluator).case_file_data(case_id), ("evidence_photos",))))
    page = re.sub(r"\s+", "", reader.pages[0].extract_text())
    assert "照片1：线索照片" in page and "拍摄时间未记录" in page and "拍摄人未记录" in page and "证明对象未记录" in page
    assert "收集人、时间张明2025年3月4日9时00分" in page


def test_the_evaluation_finds_a_file_without_the_partys_identity_proof(world, tmp_path):
    case_id = _filed(world)
    steps.inspect(world, case_id)
    steps.inquire(world, case_id)
    walk_to_close(world, case_id, evidence=[photo(world, case_id, tmp_path)])
    line = line_of(world, case_id, "content_facts")
    (finding,) = line.findings
    assert finding.documents == ("当事人身份证明",) and "惠州某某食品有限公司" in finding.text
    assert line.suggestion.score == line.item.points - line.item.deduct and "没有当事人身份证明" in line.evidence
    with pytest.raises(RuleViolation):  # a closed case takes no more evidence: the gap stays for the evaluator to weigh
        steps.identity(world, case_id, tmp_path)


def test_the_evaluation_names_the_identity_proof_it_found(world, tmp_path):
    case_id, _ = steps.closed_case(world, tmp_path)
    line = line_of(world, case_id, "content_facts")
    assert not line.findings and "当事人身份证明：营业执照（证件号码91350100M000100Y43" in line.evidence


def test_a_phone_photo_prints_the_way_up_its_camera_recorded(world, tmp_path):
    from PIL import Image

    case_id = _filed(world)
    picture = tmp_path / "phone.jpg"
    exif = Image.Exif()
    exif[0x0112] = 6  # held upright: the sensor's landscape pixels are to be turned a quarter
    Image.new("RGB", (640, 480), (120, 160, 200)).save(picture, "JPEG", exif=exif)
    world.as_(world.officer_a).add_evidence(case_id, picture, steps.photo_details(world))
    reader = PdfReader(io.BytesIO(render_documents(world.as_(world.evaluator).case_file_data(case_id), ("evidence_photos",))))
    (placed,) = _placed(reader.pages[0])
    assert placed[1] > placed[0]  # portrait, as taken
